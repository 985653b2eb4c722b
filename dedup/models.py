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


class Story(models.Model):
    """Articles about one event: a cluster with a canonical article, the earliest published member.

    An article belongs to at most one story. Membership is decided against the story's canonical
    article and its members together (see dedup.stories), never through a chain of single links.
    """

    canonical = models.ForeignKey(Article, on_delete=models.SET_NULL, null=True, related_name="+")
    title = models.CharField(max_length=500)
    article_count = models.PositiveIntegerField(default=0)
    outlet_count = models.PositiveIntegerField(default=0)
    first_published_at = models.DateTimeField(null=True, blank=True)
    last_published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "stories"
        indexes = [
            models.Index(fields=["-article_count", "-last_published_at"], name="story_size_recency_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.article_count} articles)"


class StoryMembership(models.Model):
    """An article's place in a story, with how it got there."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="memberships")
    article = models.OneToOneField(Article, on_delete=models.CASCADE, related_name="story_membership")
    # The strongest relation that put the article in: exact, near, rewrite or story.
    kind = models.CharField(max_length=8, choices=ArticleRelation.Kind.choices)
    score = models.FloatField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["story", "kind"], name="storymember_story_kind_idx")]

    def __str__(self) -> str:
        return f"article {self.article_id} in story {self.story_id}"


class ArticleProfile(models.Model):
    """The weighted-term profile of an article for the rewrite and story tier (dedup.semantic)."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="profile")
    data = models.BinaryField()
    version = models.PositiveSmallIntegerField()
    # When the article appeared: its publication date, else when it was stored. Bounds the candidates.
    appeared_at = models.DateTimeField()
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"profile of article {self.article_id}"


class ArticleKeyTerm(models.Model):
    """One of an article's most distinctive terms: articles sharing several are story candidates."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    term = models.IntegerField()
    appeared_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "term"], name="keyterm_once_per_article")]
        indexes = [models.Index(fields=["term", "appeared_at"], name="keyterm_term_time_idx")]

    def __str__(self) -> str:
        return f"article {self.article_id} term {self.term}"


class TermStat(models.Model):
    """How many profiled articles contain a term; the row with term -1 counts the articles."""

    DOCUMENTS = -1

    term = models.IntegerField(primary_key=True)
    df = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"term {self.term} in {self.df} articles"


class ArticleEmbedding(models.Model):
    """A sentence-embedding vector of the article (float32), when the optional model is installed."""

    article = models.OneToOneField(Article, on_delete=models.CASCADE, primary_key=True, related_name="embedding")
    model = models.CharField(max_length=80)
    vector = models.BinaryField()
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"embedding of article {self.article_id} ({self.model})"
