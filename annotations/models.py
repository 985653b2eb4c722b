"""Tags and the highlights (annotations) analysts make in article text."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length

from articles.models import Article


class Tag(models.Model):
    class Kind(models.TextChoices):
        CLAIM = "claim", "Claim"
        NUMBER = "number", "Number or statistic"
        QUOTE = "quote", "Quote"
        SOURCE = "source", "Source attribution"
        PERSON = "person", "Named person"
        DATE = "date", "Date or time"
        OPINION = "opinion", "Opinion"
        OTHER = "other", "Other"

    name = models.CharField(max_length=60, unique=True)
    colour = models.CharField(
        max_length=7,
        default="#f5c542",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a hex colour such as #f5c542.")],
    )
    hotkey = models.CharField(
        max_length=1,
        blank=True,
        validators=[RegexValidator(r"^[1-9]$", "A hotkey is one digit from 1 to 9.")],
    )
    description = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True, help_text="Retired tags stay on old highlights.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["hotkey"], condition=~Q(hotkey="") & Q(is_active=True), name="tag_hotkey_unique_when_active"
            ),
            models.CheckConstraint(condition=Q(colour__regex=r"^#[0-9a-fA-F]{6}$"), name="tag_colour_is_hex"),
        ]

    def __str__(self) -> str:
        return self.name


class AnnotationQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)


class Annotation(models.Model):
    """A highlighted span of an article's body.

    Offsets are Unicode code points. The quote, prefix and suffix are stored too, so that the
    span can be found again in a copy or a revision of the text without trusting the offsets.
    """

    CONTEXT_LENGTH = 32

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="annotations")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote = models.TextField()
    prefix = models.CharField(max_length=CONTEXT_LENGTH, blank=True)
    suffix = models.CharField(max_length=CONTEXT_LENGTH, blank=True)
    tags = models.ManyToManyField(Tag, related_name="annotations", blank=True)
    note = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Sent by the browser with each create, so that a double click or a retried request makes one annotation.
    client_request_id = models.UUIDField(null=True, blank=True)
    # Bumped on every change; a write that names an older version is a conflict.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["article", "start", "-end", "id"]
        permissions = [("moderate_annotation", "Can edit and delete other people's annotations")]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=F("end")), name="annotation_start_before_end"),
            models.CheckConstraint(
                condition=Q(end=F("start") + Length("quote")), name="annotation_quote_matches_span_length"
            ),
            models.UniqueConstraint(
                fields=["author", "client_request_id"],
                condition=Q(client_request_id__isnull=False),
                name="annotation_request_once_per_author",
            ),
        ]
        indexes = [
            models.Index(fields=["article", "start"], name="annotation_article_start_idx"),
            models.Index(fields=["author", "-created_at"], name="annotation_author_recent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.quote[:40]} ({self.article_id}:{self.start}-{self.end})"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
