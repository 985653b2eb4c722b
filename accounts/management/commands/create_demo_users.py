"""Create (or reset) the three demo users, one per role, and print their passwords."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from accounts.roles import ADMIN, ANALYST, EDITOR

DEMO_USERS = [("analyst", ANALYST), ("editor", EDITOR), ("admin", ADMIN)]


class Command(BaseCommand):
    help = "Create the demo users analyst, editor and admin with fresh random passwords."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Use this password for all three instead of random ones.")

    def handle(self, *args, password: str | None = None, **options):
        User = get_user_model()
        self.stdout.write("Demo users (username / password / role):")
        for username, role in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
            secret = password or secrets.token_urlsafe(9)
            user.set_password(secret)
            # Only the admin may open the Django admin; what they can do there follows the role.
            user.is_staff = role == ADMIN
            user.save()
            user.groups.set([Group.objects.get(name=role)])
            self.stdout.write(f"  {username:8} {secret:14} {role}")
