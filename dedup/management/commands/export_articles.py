"""Export every article with its copies: one JSON object per line."""

import datetime
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from articles.models import Article
from dedup.models import ArticleRelation

COPY_KINDS = {"exact", "near"}


class Command(BaseCommand):
    help = "Write articles as JSONL with their relations and, for copies, the article they copy."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["jsonl"], default="jsonl")
        parser.add_argument("--output", type=Path, help="File to write (default: standard output).")

    def handle(self, *args, format: str, output: Path | None, **options):
        adjacency: dict[int, list[tuple[int, str, float]]] = {}
        for a, b, kind, score in ArticleRelation.objects.values_list("a_id", "b_id", "kind", "score").iterator():
            adjacency.setdefault(a, []).append((b, kind, score))
            adjacency.setdefault(b, []).append((a, kind, score))
        related = set(adjacency)
        facts = {
            row["id"]: row
            for row in Article.objects.filter(pk__in=related).values("id", "external_id", "url", "published_at")
        }
        stream = output.open("w", encoding="utf-8") if output else sys.stdout
        count = 0
        try:
            rows = Article.objects.order_by("id").values(
                "id", "external_id", "url", "title", "source__name", "published_at", "story_membership__story_id"
            )
            for row in rows.iterator(chunk_size=2000):
                edges = adjacency.get(row["id"], [])
                record = {
                    "id": row["id"],
                    "external_id": row["external_id"] or None,
                    "url": row["url"] or None,
                    "title": row["title"],
                    "source": row["source__name"],
                    "published_at": row["published_at"].isoformat() if row["published_at"] else None,
                    "story": row["story_membership__story_id"],
                    "duplicate_of": self._duplicate_of(row, edges, facts),
                    "relations": [
                        {
                            "external_id": facts[other]["external_id"] or None,
                            "url": facts[other]["url"] or None,
                            "kind": kind,
                            "score": round(score, 4),
                        }
                        for other, kind, score in sorted(edges)
                    ],
                }
                stream.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
        finally:
            if output:
                stream.close()
        if output:
            self.stderr.write(f"exported {count} articles to {output}")

    @staticmethod
    def _duplicate_of(row: dict, edges: list, facts: dict) -> str | None:
        """The earliest article this one is an exact or near copy of (its external id, else its url)."""
        copies = [facts[other] for other, kind, _ in edges if kind in COPY_KINDS]
        if not copies:
            return None
        latest = datetime.datetime.max.replace(tzinfo=datetime.UTC)
        me = (row["published_at"] or latest, row["id"])
        origin = min(copies, key=lambda item: (item["published_at"] or latest, item["id"]))
        if (origin["published_at"] or latest, origin["id"]) > me:
            return None
        return origin["external_id"] or origin["url"] or None
