"""Admin for claims; the audit log is shown read-only."""

from django.contrib import admin

from claims.models import Claim, Event, Verdict


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ["statement", "status", "article_count", "outlet_count", "assignee", "created_at"]
    list_filter = ["status"]
    search_fields = ["statement"]
    raw_id_fields = ["assignee", "created_by"]

    def has_change_permission(self, request, obj=None) -> bool:
        # Status changes go through the review pages, which record events.
        return False


@admin.register(Verdict)
class VerdictAdmin(admin.ModelAdmin):
    list_display = ["claim", "status", "reviewer", "is_current", "created_at"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "verb", "object_type", "object_id", "claim_id"]
    list_filter = ["verb", "object_type"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
