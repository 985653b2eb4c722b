"""(Re)build the stored full-text search vectors of articles; safe to run any number of times."""

from django.core.management.base import BaseCommand
from django.db import connection

from articles import services


class Command(BaseCommand):
    help = "Store search vectors for articles: all of them (--all, the default) or only those without one."

    def add_arguments(self, parser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--all", action="store_true", help="rebuild every vector (default)")
        group.add_argument("--missing", action="store_true", help="only articles that have no vector yet")
        parser.add_argument("--chunk-size", type=int, default=5000)

    def handle(self, *args, **options) -> None:
        if connection.vendor != "postgresql":
            self.stdout.write("Search vectors are only stored on PostgreSQL; nothing to do.")
            return
        if options["chunk_size"] < 1:
            self.stderr.write("--chunk-size must be at least 1")
            raise SystemExit(2)
        written = services.articles_index_search_all(missing_only=options["missing"], chunk_size=options["chunk_size"])
        self.stdout.write(f"Indexed {written} article(s).")
