"""Give the demo something to review: highlights on the sample story's figures, linked to claims.

Uses the demo users from `create_demo_users` and the articles from `load_sample_data`. Running it again
changes nothing.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from annotations import services as annotation_services
from annotations.models import Annotation, Tag
from articles.models import Article
from claims import services
from claims.models import Claim

# (statement, tag name, [(external id, exact passage)]): each passage is highlighted and linked.
SAMPLE_CLAIMS = [
    (
        "Number of people evacuated from Vessenford after the Loreth Dam spillway failed",
        "Number/Statistic",
        [
            ("northgate-daily-0003", "About 11,000 residents were evacuated"),
            ("valley-ledger-0002", "Twelve thousand people were ordered out of their homes"),
            ("capital-observer-0002", "between 10,000 and 12,000 people evacuated"),
            ("saltmarsh-gazette-0004", "about 11,500 residents"),
        ],
    ),
]


class Command(BaseCommand):
    help = "Highlight the sample story's disputed figures and link them to a claim (idempotent)."

    def handle(self, *args, **options):
        User = get_user_model()
        try:
            analyst = User.objects.get(username="analyst")
        except User.DoesNotExist:
            raise CommandError(
                "Run `manage.py create_demo_users` first: the sample claims are the analyst's."
            ) from None
        made = 0
        for statement, tag_name, passages in SAMPLE_CLAIMS:
            if Claim.objects.filter(statement=statement).exists():
                continue
            tag = Tag.objects.filter(name=tag_name).first()
            with transaction.atomic():
                claim = None
                for external_id, passage in passages:
                    highlight = self._highlight(external_id, passage, tag, analyst)
                    if highlight is None:
                        continue
                    if claim is None:
                        claim = services.claim_create(statement=statement, created_by=analyst, annotation=highlight)
                    else:
                        services.claim_link_annotation(claim=claim, annotation=highlight, user=analyst)
                if claim is not None:
                    made += 1
        self.stdout.write(f"Sample claims: {made} created.")

    def _highlight(self, external_id: str, passage: str, tag: Tag | None, author) -> Annotation | None:
        article = Article.objects.filter(external_id=external_id).first()
        if article is None or passage not in article.body:
            self.stderr.write(f"  skipped {external_id}: passage not found")
            return None
        start = article.body.index(passage)
        existing = Annotation.objects.alive().filter(article=article, start=start, end=start + len(passage)).first()
        if existing is not None:
            return existing
        return annotation_services.annotation_create(
            article=article,
            start=start,
            end=start + len(passage),
            quote=passage,
            tags=[tag] if tag else [],
            author=author,
        )
