"""Load the sample articles shipped with the project. Running it again changes nothing."""

import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from articles import services
from articles.models import Article

SAMPLE_FILE = Path(__file__).resolve().parents[2] / "sample_data" / "articles.jsonl"


def _published(value: str | None) -> datetime.datetime | None:
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            return None
        moment = datetime.datetime.combine(day, datetime.time(12, 0))
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, datetime.UTC)


class Command(BaseCommand):
    help = "Load the sample set of fictional articles (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=SAMPLE_FILE, help="JSONL file to load.")

    def handle(self, *args, file: Path, **options):
        created = existing = 0
        with file.open(encoding="utf-8") as lines, transaction.atomic():
            for line in lines:
                if not line.strip():
                    continue
                record = json.loads(line)
                source = services.source_get_or_create(name=record["source"])
                if Article.objects.filter(source=source, external_id=record["external_id"]).exists():
                    existing += 1
                    continue
                services.article_create(
                    source=source,
                    title=record["title"],
                    body=record["body"],
                    url=record.get("url", ""),
                    external_id=record["external_id"],
                    author=record.get("author", ""),
                    published_at=_published(record.get("published_at")),
                    language=record.get("language", ""),
                )
                created += 1
        self.stdout.write(f"Sample articles: {created} created, {existing} already present.")
