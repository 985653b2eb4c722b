from django.contrib import admin

from articles.models import Article, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "article_count", "counted_at"]
    search_fields = ["name", "url"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["article_count", "counted_at", "created_at"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "source", "published_at", "word_count", "language"]
    list_filter = ["source", "language"]
    list_select_related = ["source"]
    search_fields = ["title", "url", "external_id"]
    date_hierarchy = "published_at"
    readonly_fields = ["content_hash", "word_count", "created_at", "created_by"]
    raw_id_fields = ["source"]

    def get_readonly_fields(self, request, obj=None):
        # Annotations point into the body: once stored, it is never edited in place.
        if obj is not None:
            return [*self.readonly_fields, "body"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
