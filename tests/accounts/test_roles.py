import pytest
from django.contrib.auth.models import Group

from accounts.roles import ADMIN, ANALYST, EDITOR, ROLE_PERMISSIONS, sync_role_permissions

pytestmark = pytest.mark.django_db


def test_migrations_create_the_three_roles_with_their_permissions():
    for role in (ANALYST, EDITOR, ADMIN):
        group = Group.objects.get(name=role)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert granted == ROLE_PERMISSIONS[role]


def test_each_role_includes_the_one_below():
    assert ROLE_PERMISSIONS[ANALYST] < ROLE_PERMISSIONS[EDITOR] < ROLE_PERMISSIONS[ADMIN]


def test_syncing_roles_twice_changes_nothing():
    before = {g.name: set(g.permissions.values_list("id", flat=True)) for g in Group.objects.all()}
    sync_role_permissions()
    after = {g.name: set(g.permissions.values_list("id", flat=True)) for g in Group.objects.all()}
    assert before == after


def test_analyst_can_annotate_but_not_manage_tags(analyst):
    assert analyst.has_perm("annotations.add_annotation")
    assert not analyst.has_perm("annotations.change_tag")


def test_editor_manages_tags_but_not_articles(editor):
    assert editor.has_perm("annotations.change_tag")
    assert not editor.has_perm("articles.add_article")


def test_admin_manages_articles_and_users(admin_user):
    assert admin_user.has_perm("articles.add_article")
    assert admin_user.has_perm("auth.change_user")
