"""App config for tags and highlights."""

from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "Tags and annotations"

    def ready(self) -> None:
        from annotations import receivers  # noqa: F401
