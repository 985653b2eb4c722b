"""Import batches in the Django admin, read-only: batches are created and run by the importer only."""

from django.contrib import admin

from imports.models import ImportBatch, ImportRejection


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["id", "status", "origin", "created_by", "created_at", "total", "imported", "unchanged", "rejected"]
    list_filter = ["status", "origin"]
    list_select_related = ["created_by"]


@admin.register(ImportRejection)
class ImportRejectionAdmin(ReadOnlyAdmin):
    list_display = ["batch", "kind", "file", "member", "line", "field", "reason"]
    list_filter = ["kind"]
    raw_id_fields = ["batch"]
    search_fields = ["reason", "file"]
