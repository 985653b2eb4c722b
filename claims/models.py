"""Claims asserted across articles, their verdicts, discussion and audit trail."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from annotations.models import Annotation
from articles.models import Article


class Claim(models.Model):
    """A fact asserted by one or more highlights, possibly in many articles."""

    class Status(models.TextChoices):
        UNREVIEWED = "unreviewed", "Unreviewed"
        IN_REVIEW = "in_review", "In review"
        SUPPORTED = "supported", "Supported"
        DISPUTED = "disputed", "Disputed"
        FALSE = "false", "False"
        MISLEADING = "misleading", "Misleading"
        UNVERIFIABLE = "unverifiable", "Unverifiable"
        REOPENED = "reopened", "Reopened"

    # The statuses an editor still has to look at.
    NEEDS_REVIEW = (Status.UNREVIEWED, Status.IN_REVIEW, Status.DISPUTED, Status.REOPENED)

    statement = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UNREVIEWED)
    # Set when the highlights' values disagree; cleared by an editor's verdict.
    auto_disputed = models.BooleanField(default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_claims"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Kept by the link services so that the queue sorts 100,000 claims without counting joins.
    article_count = models.PositiveIntegerField(default=0)
    outlet_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("set_verdict", "Can set the verdict of a claim"),
            ("assign_claim", "Can assign a claim to an editor"),
            ("view_audit", "Can read the audit log of every claim"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(statement=""), name="claim_statement_not_empty"),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "unreviewed",
                        "in_review",
                        "supported",
                        "disputed",
                        "false",
                        "misleading",
                        "unverifiable",
                        "reopened",
                    ]
                ),
                name="claim_status_valid",
            ),
        ]
        indexes = [
            # The review queue reads this index in order and stops after one page.
            models.Index(
                fields=["-article_count", "-outlet_count", "created_at", "id"],
                condition=Q(status__in=["unreviewed", "in_review", "disputed", "reopened"]),
                name="claim_queue_idx",
            ),
            models.Index(fields=["status", "-created_at"], name="claim_status_idx"),
            models.Index(fields=["assignee", "status"], name="claim_assignee_idx"),
        ]

    def __str__(self) -> str:
        return self.statement[:80]

    def get_absolute_url(self) -> str:
        return reverse("claims:detail", args=[self.pk])

    @property
    def needs_review(self) -> bool:
        return self.status in self.NEEDS_REVIEW


class ClaimAnnotation(models.Model):
    """One highlight asserting a claim."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="links")
    annotation = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="claim_links")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["claim", "annotation"], name="claim_annotation_unique")]
        indexes = [models.Index(fields=["annotation"], name="claimlink_annotation_idx")]

    def __str__(self) -> str:
        return f"claim {self.claim_id} ← annotation {self.annotation_id}"


class ClaimOutlet(models.Model):
    """An outlet that carries a claim; kept by the link services so the queue filters by outlet on an index."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey("articles.Source", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "claim"], name="claim_outlet_unique")]

    def __str__(self) -> str:
        return f"claim {self.claim_id} in outlet {self.source_id}"


class ExtractedValue(models.Model):
    """A number, amount or date read from a linked highlight, normalised to an interval."""

    class Kind(models.TextChoices):
        NUMBER = "number", "Number"
        RANGE = "range", "Range"
        PERCENT = "percent", "Percentage"
        MONEY = "money", "Money"
        DATE = "date", "Date"

    link = models.ForeignKey(ClaimAnnotation, on_delete=models.CASCADE, related_name="values")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # Dates are stored as proleptic Gregorian day numbers so that one interval test serves every kind.
    low = models.FloatField()
    high = models.FloatField()
    unit = models.CharField(max_length=32, blank=True)
    raw = models.CharField(max_length=200)
    display = models.CharField(max_length=200)

    class Meta:
        ordering = ["link", "id"]
        constraints = [models.CheckConstraint(condition=Q(low__lte=models.F("high")), name="value_low_le_high")]

    def __str__(self) -> str:
        return self.display


VERDICT_STATUSES = ("supported", "disputed", "false", "misleading", "unverifiable", "reopened")


class Verdict(models.Model):
    """An editor's decision on a claim. A later verdict supersedes the earlier ones; all are kept."""

    STATUSES = VERDICT_STATUSES

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="verdicts")
    status = models.CharField(max_length=16, choices=[(s, Claim.Status(s).label) for s in VERDICT_STATUSES])
    rationale = models.TextField()
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    is_current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(rationale=""), name="verdict_rationale_not_empty"),
            models.CheckConstraint(condition=Q(status__in=VERDICT_STATUSES), name="verdict_status_valid"),
            models.UniqueConstraint(fields=["claim"], condition=Q(is_current=True), name="verdict_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} ({self.claim_id})"


class Evidence(models.Model):
    """What a verdict rests on: a web address, an article in the system, or a note."""

    verdict = models.ForeignKey(Verdict, on_delete=models.CASCADE, related_name="evidence")
    url = models.URLField(max_length=2000, blank=True)
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=~Q(url="") | Q(article__isnull=False) | ~Q(note=""), name="evidence_not_empty"
            )
        ]

    def __str__(self) -> str:
        return self.url or self.note[:60] or f"article {self.article_id}"


class Comment(models.Model):
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="comment_body_not_empty")]

    def __str__(self) -> str:
        return self.body[:60]


class Notification(models.Model):
    class Kind(models.TextChoices):
        MENTION = "mention", "Mentioned you"
        ASSIGNMENT = "assignment", "Assigned you"
        REPLY = "reply", "Replied"
        VERDICT = "verdict", "Set a verdict"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="notification_user_idx"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.user_id}"


class Suggestion(models.Model):
    """A claim's highlight proposed on a copy of its article, waiting for an analyst's decision."""

    class State(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        ORPHANED = "orphaned", "Orphaned"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="suggestions")
    origin = models.ForeignKey(Annotation, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PROPOSED)
    # Empty for an orphan: the passage could not be found in the copy.
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    quote = models.TextField(blank=True)
    confidence = models.FloatField(default=0)
    method = models.CharField(max_length=16, blank=True)
    annotation = models.ForeignKey(Annotation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "id"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "origin", "article"], name="suggestion_unique"),
            models.CheckConstraint(
                condition=Q(state="orphaned") | (Q(start__isnull=False) & Q(end__gt=models.F("start"))),
                name="suggestion_span_unless_orphaned",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_state_display()} on article {self.article_id}"


class EventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit log is append-only.")

    def delete(self):
        raise PermissionError("The audit log is append-only.")


class Event(models.Model):
    """One change, as it happened. Append-only: the app refuses to update or delete, and so does PostgreSQL."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    verb = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField(null=True)
    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.DO_NOTHING, related_name="events", db_constraint=False
    )
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["claim", "-created_at"], name="event_claim_idx"),
            models.Index(fields=["actor", "-created_at"], name="event_actor_idx"),
            models.Index(fields=["verb", "-created_at"], name="event_verb_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.verb} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit log is append-only.")
