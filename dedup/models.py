"""Fingerprints of article texts, their LSH band keys, and the verified relations between articles."""

from django.db import models
from django.db.models import F, Q

from articles.models import Article


class ArticleFingerprint(models.Model):
    """The MinHash signature of an article's word shingles; recomputed only when the algorithm changes."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="fingerprint")
    signature = models.BinaryField()
    shingle_count = models.PositiveIntegerField()
    version = models.PositiveSmallIntegerField()
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"fingerprint of article {self.article_id} ({self.shingle_count} shingles)"


class LshBand(models.Model):
    """One band of a signature, hashed to a key: articles sharing a key are candidate near-duplicates.

    The band number is mixed into the key, so a lookup needs only the key.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    band = models.PositiveSmallIntegerField()
    key = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "band"], name="lshband_one_key_per_band")]
        indexes = [models.Index(fields=["key"], name="lshband_key_idx")]

    def __str__(self) -> str:
        return f"article {self.article_id} band {self.band}"


class ArticleRelation(models.Model):
    """A verified, scored edge between two articles, stored once with a.id < b.id."""

    class Kind(models.TextChoices):
        EXACT = "exact", "Exact copy"
        NEAR = "near", "Near-duplicate"
        REWRITE = "rewrite", "Rewrite"
        STORY = "story", "Same story"

    a = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    b = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    score = models.FloatField()
    method = models.CharField(max_length=40)
    # The evidence behind the edge: jaccard, containment, shingle counts.
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(a_id__lt=F("b_id")), name="relation_a_before_b"),
            models.UniqueConstraint(fields=["a", "b", "kind"], name="relation_unique_per_kind"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1), name="relation_score_in_unit_range"),
        ]
        indexes = [models.Index(fields=["b", "kind"], name="relation_b_kind_idx")]
        permissions = [("run_detection", "Can re-run duplicate detection")]

    def __str__(self) -> str:
        return f"{self.a_id} {self.kind} {self.b_id} ({self.score:.2f})"
