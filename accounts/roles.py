"""The three roles, as Django groups, and the permissions each one carries.

Groups are created by a migration; their permissions are brought in line with this table after
every `migrate`, so that an app which adds a permission only needs to add it here.
"""

ANALYST = "Analyst"
EDITOR = "Editor"
ADMIN = "Admin"
ROLES = (ANALYST, EDITOR, ADMIN)

_ANALYST = {
    "articles.view_article",
    "articles.view_source",
    "annotations.view_tag",
    "annotations.view_annotation",
    "annotations.add_annotation",
    "annotations.change_annotation",
    "annotations.delete_annotation",
    "claims.view_claim",
    "claims.add_claim",
    "claims.add_claimannotation",
    "claims.delete_claimannotation",
    "claims.add_comment",
    "claims.change_suggestion",
    "dedup.view_articlerelation",
    "dedup.view_story",
    "dedup.view_storymembership",
}
_EDITOR = _ANALYST | {
    "annotations.add_tag",
    "annotations.change_tag",
    "annotations.delete_tag",
    "annotations.moderate_annotation",
    "claims.set_verdict",
    "claims.assign_claim",
    "claims.change_claim",
}
_ADMIN = _EDITOR | {
    "dedup.run_detection",
    "articles.add_article",
    "articles.change_article",
    "articles.delete_article",
    "articles.add_source",
    "articles.change_source",
    "articles.delete_source",
    "auth.view_user",
    "auth.add_user",
    "auth.change_user",
    "auth.view_group",
    "imports.view_importbatch",
    "imports.add_importbatch",
    "imports.view_importrejection",
    "claims.view_audit",
}

ROLE_PERMISSIONS: dict[str, set[str]] = {ANALYST: _ANALYST, EDITOR: _EDITOR, ADMIN: _ADMIN}


def sync_role_permissions(sender=None, using: str = "default", **kwargs) -> None:
    """Give each role group exactly the permissions listed above (those that exist yet)."""
    from django.contrib.auth.models import Group, Permission

    for role, wanted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        permissions = []
        for dotted in sorted(wanted):
            app_label, codename = dotted.split(".")
            permission = (
                Permission.objects.using(using).filter(content_type__app_label=app_label, codename=codename).first()
            )
            if permission is not None:
                permissions.append(permission)
        group.permissions.set(permissions)


def user_role(user) -> str | None:
    """The highest role a user holds, for display."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return ADMIN
    names = {group.name for group in user.groups.all()}
    for role in reversed(ROLES):
        if role in names:
            return role
    return None
