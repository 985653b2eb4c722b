"""Admin for tags and highlights; day-to-day work happens on the reading and tag pages."""

from django.contrib import admin

from annotations.models import Annotation, Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "colour", "hotkey", "kind", "position", "is_active"]
    list_filter = ["is_active", "kind"]
    search_fields = ["name", "description"]
    ordering = ["position", "name"]


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = ["pk", "article", "start", "end", "author", "created_at", "deleted_at"]
    list_filter = ["deleted_at", "tags"]
    search_fields = ["quote", "note", "author__username"]
    raw_id_fields = ["article", "author", "updated_by"]
    readonly_fields = ["start", "end", "quote", "prefix", "suffix", "version", "client_request_id"]
    filter_horizontal = ["tags"]
    list_select_related = ["article", "author"]
