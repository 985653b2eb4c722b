"""Export live highlights as JSON Lines or W3C Web Annotation JSON-LD."""

import os

from django.core.management.base import BaseCommand, CommandError

from annotations import exports, selectors
from articles.models import Article


class Command(BaseCommand):
    help = "Export highlights (optionally of one article, tag or author) as JSONL or W3C Web Annotation JSON-LD."

    def add_arguments(self, parser):
        parser.add_argument("--article", type=int, help="Only this article's highlights (its id).")
        parser.add_argument("--tag", default="", help="Only highlights with this tag name.")
        parser.add_argument("--author", default="", help="Only highlights by this username.")
        parser.add_argument("--format", choices=["jsonl", "w3c"], default="jsonl")
        parser.add_argument("--output", help="Write to this file instead of standard output.")
        parser.add_argument(
            "--base-url",
            default=os.environ.get("COPYDESK_BASE_URL", "http://localhost:8000"),
            help="Where the app is served; used for ids and for articles without a url of their own.",
        )

    def handle(self, *args, **options):
        if options["article"] is not None and not Article.objects.filter(pk=options["article"]).exists():
            raise CommandError(f"No article with id {options['article']}.")
        annotations = selectors.annotation_export_list(
            article_id=options["article"], tag_name=options["tag"], author_username=options["author"]
        )
        base_url = options["base_url"].rstrip("/")
        out = open(options["output"], "w", encoding="utf-8") if options["output"] else self.stdout  # noqa: SIM115
        count = 0
        try:
            if options["format"] == "jsonl":
                for line in exports.jsonl_lines(annotations.iterator(chunk_size=500), base_url):
                    out.write(line)
                    count += 1
            else:
                items = list(annotations)
                count = len(items)
                out.write(exports.w3c_json(items, base_url, f"{base_url}/annotations/export/"))
        finally:
            if out is not self.stdout:
                out.close()
        if options["output"]:
            self.stderr.write(f"Wrote {count} highlight{'s' if count != 1 else ''} to {options['output']}.")
