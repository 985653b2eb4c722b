"""Outlets and the articles they publish. Article text is immutable once stored."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify

from articles import text


class Source(models.Model):
    """An outlet: a newspaper, a site, a wire agency."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    url = models.URLField(max_length=500, blank=True)
    # Kept by the source_recount task; the list page shows it without counting.
    article_count = models.PositiveIntegerField(default=0, editable=False)
    counted_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slugify(self.name, allow_unicode=False)[:200] or "source"
        super().save(*args, **kwargs)


class ArticleQuerySet(models.QuerySet):
    def search(self, query: str):
        """Full-text search on PostgreSQL (ranked), a plain substring match elsewhere."""
        from articles.search import search_articles

        return search_articles(self, query)


class Article(models.Model):
    """One published text. The body is normalised plain text that annotations point into."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="articles")
    title = models.CharField(max_length=1000)
    body = models.TextField()
    url = models.URLField(max_length=2000, blank=True)
    external_id = models.CharField(max_length=500, blank=True)
    author = models.CharField(max_length=500, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=16, blank=True)
    word_count = models.PositiveIntegerField(default=0)
    content_hash = models.CharField(max_length=64, db_index=True, editable=False)
    # Fields of an imported record that have no column of their own.
    extra = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["url"], condition=~Q(url=""), name="article_url_unique_when_present"),
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~Q(external_id=""),
                name="article_external_id_unique_per_source",
            ),
            models.CheckConstraint(condition=~Q(body=""), name="article_body_not_empty"),
        ]
        indexes = [
            models.Index(fields=["-published_at", "-id"], name="article_published_idx"),
            models.Index(fields=["source", "-published_at"], name="article_source_published_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if self.pk is None:
            self.prepare_text()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", args=[self.pk])

    def prepare_text(self) -> None:
        """Normalise the text fields and derive hash and word count. Only before first save."""
        self.title = text.normalise_line(self.title)
        self.author = text.normalise_line(self.author)
        self.body = text.normalise_text(self.body)
        self.content_hash = text.content_hash(self.body)
        self.word_count = text.word_count(self.body)

    @property
    def paragraphs(self) -> list[text.Paragraph]:
        return text.paragraphs(self.body)


class ArticleSearch(models.Model):
    """The stored full-text vector of an article, kept outside the article row so bulk imports skip it.

    Filled synchronously for single saves and by a background task after bulk imports; on SQLite the
    table stays empty and search falls back to substring matching.
    """

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="search")
    vector = SearchVectorField(null=True)
    indexed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"search vector of article {self.article_id}"
