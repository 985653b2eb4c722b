"""Import batches of article dumps, the records they rejected, and what each batch created."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

# Raw text of a rejected record is kept up to this many characters, enough to fix and re-import
# ordinary records while a rejected 50 MB blob costs the database almost nothing.
RAW_RECORD_LIMIT = 10_000


class ImportBatch(models.Model):
    """One run of the importer over one or more files, from the command line or the web."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Format(models.TextChoices):
        AUTO = "auto", "Detect from each file"
        JSONL = "jsonl", "JSON lines or JSON array"
        CSV = "csv", "CSV or TSV with a header row"
        TXT = "txt", "Plain text (title, blank line, body)"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    origin = models.CharField(max_length=16, choices=[("cli", "Command line"), ("web", "Upload")], default="cli")
    # Paths on disk (uploads live under MEDIA_ROOT); names are what the report shows.
    files = models.JSONField(default=list, help_text="[{'path': ..., 'name': ..., 'size': ...}]")
    format = models.CharField(max_length=8, choices=Format.choices, default=Format.AUTO)
    default_source = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)

    total = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    duplicates = models.PositiveIntegerField(default=0, help_text="Records repeated within this batch.")
    unchanged = models.PositiveIntegerField(default=0, help_text="Records already stored before this batch.")
    rejected = models.PositiveIntegerField(default=0)
    warnings = models.PositiveIntegerField(default=0)
    exact_copies = models.PositiveIntegerField(default=0, help_text="New articles whose text was already stored.")
    bytes_read = models.BigIntegerField(default=0)
    bytes_total = models.BigIntegerField(default=0)

    # Where the last committed chunk ended: {"unit": index of the file or archive member, "item": items
    # done in it}. Saved in the same transaction as the chunk, so a resumed run starts exactly after it.
    checkpoint = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(bytes_read__gte=0), name="importbatch_bytes_read_not_negative"),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(started_at__isnull=False),
                name="importbatch_finished_after_started",
            ),
            models.CheckConstraint(
                condition=Q(total__gte=F("imported") + F("duplicates") + F("unchanged") + F("rejected")),
                name="importbatch_counts_add_up",
            ),
        ]

    def __str__(self) -> str:
        return f"Import #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("imports:detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.bytes_total:
            return 0
        return min(99, int(100 * self.bytes_read / self.bytes_total))

    @property
    def file_names(self) -> list[str]:
        return [entry.get("name", "") for entry in self.files]

    def summary(self) -> str:
        return (
            f"imported {self.imported}, duplicates {self.duplicates}, unchanged {self.unchanged}, "
            f"rejected {self.rejected} (batch #{self.pk})"
        )


class ImportRejection(models.Model):
    """A record that was not imported (or imported with a warning), and exactly where it came from."""

    class Kind(models.TextChoices):
        REJECTED = "rejected", "Rejected"
        WARNING = "warning", "Warning"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rejections")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.REJECTED)
    file = models.CharField(max_length=1000)
    member = models.CharField(max_length=1000, blank=True, help_text="Archive member, for .zip files.")
    line = models.PositiveIntegerField(null=True, blank=True)
    row = models.PositiveIntegerField(null=True, blank=True, help_text="Record number within the file, from 1.")
    field = models.CharField(max_length=100, blank=True)
    reason = models.TextField()
    raw = models.TextField(blank=True, help_text=f"The record as read, cut at {RAW_RECORD_LIMIT} characters.")
    raw_truncated = models.BooleanField(default=False)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["batch", "kind", "id"], name="importrejection_batch_kind_idx")]

    def __str__(self) -> str:
        return f"{self.file}:{self.line or self.row or ''} {self.reason}"

    @property
    def location(self) -> str:
        parts = [self.file]
        if self.member:
            parts.append(self.member)
        if self.line:
            parts.append(f"line {self.line}")
        elif self.row:
            parts.append(f"record {self.row}")
        return ", ".join(parts)


class BatchArticle(models.Model):
    """Which batch created which article, so later work (dedup) can be queued for a batch."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="batch_articles")
    article = models.OneToOneField("articles.Article", on_delete=models.CASCADE, related_name="import_origin")

    def __str__(self) -> str:
        return f"{self.batch} created article {self.article_id}"


class ExactDuplicate(models.Model):
    """An imported article whose normalised text equals an earlier article's (a wire copy re-published)."""

    article = models.OneToOneField("articles.Article", on_delete=models.CASCADE, related_name="exact_duplicate")
    duplicate_of = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="exact_copies")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "duplicate_of"], name="exactduplicate_unique"),
            models.CheckConstraint(condition=~Q(article=F("duplicate_of")), name="exactduplicate_not_itself"),
            models.CheckConstraint(condition=Q(duplicate_of__lt=F("article")), name="exactduplicate_points_earlier"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} duplicates {self.duplicate_of_id}"
