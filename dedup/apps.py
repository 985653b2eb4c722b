from django.apps import AppConfig


class DedupConfig(AppConfig):
    name = "dedup"
    verbose_name = "Duplicates, rewrites and stories"

    def ready(self) -> None:
        from dedup import receivers  # noqa: F401
