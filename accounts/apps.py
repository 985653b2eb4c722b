from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and roles"

    def ready(self) -> None:
        from accounts.roles import sync_role_permissions

        post_migrate.connect(sync_role_permissions, sender=self, dispatch_uid="accounts_sync_roles")
