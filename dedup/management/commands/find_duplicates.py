"""Find exact and near-duplicate copies now, for all articles or one import batch. Safe to run again."""

from django.core.management.base import BaseCommand, CommandError

from articles.models import Article
from dedup import services

CHUNK = 500


class Command(BaseCommand):
    help = "Fingerprint articles and write their exact and near-duplicate relations (idempotent)."

    def add_arguments(self, parser):
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--all", action="store_true", help="Every article.")
        scope.add_argument("--batch", type=int, metavar="ID", help="The articles an import batch created.")
        scope.add_argument("--missing", action="store_true", help="Articles not fingerprinted yet.")

    def handle(self, *args, all: bool, batch: int | None, missing: bool, **options):
        if batch is not None:
            from imports.models import BatchArticle, ImportBatch

            if not ImportBatch.objects.filter(pk=batch).exists():
                raise CommandError(f"There is no import batch #{batch}.")
            ids = list(BatchArticle.objects.filter(batch_id=batch).values_list("article_id", flat=True))
        elif missing:
            ids = list(Article.objects.filter(fingerprint__isnull=True).values_list("id", flat=True))
        else:
            ids = list(Article.objects.values_list("id", flat=True))
        ids.sort()
        totals = [0, 0, 0]
        for start in range(0, len(ids), CHUNK):
            result = services.articles_link(article_ids=ids[start : start + CHUNK])
            totals = [totals[0] + result.fingerprinted, totals[1] + result.exact, totals[2] + result.near]
        self.stdout.write(
            f"fingerprinted {totals[0]}, exact pairs {totals[1]}, near pairs {totals[2]} (each stored once)"
        )
