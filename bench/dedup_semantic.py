"""Throughput of the rewrite and story tier (dedup.relate) per worker process.

Stores the distinct texts of SemEval-2022 Task 8 (../shared/data/semeval2022-task8: real news in ten
languages, median about 170 words, up to --n of them), all published the same day, which is the worst
case for candidate lookups; runs the exact/near tier first (as the default queue would), then times
`relate.articles_relate` in chunks of 500 in this one process, as one `semantic` worker runs them.
Generated text is no use here: its made-up words make every article look like every other. Prints
articles per second, the relations and stories found, and the storage the tier adds per article.
With the optional embedding model installed (requirements-semantic.txt) its encoding is included and
the device is named; `--no-embeddings` leaves it out.

    createdb -h 127.0.0.1 -U postgres copydesk_sbench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_sbench .venv/bin/python bench/dedup_semantic.py
"""

import argparse
import csv
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models.signals import post_save  # noqa: E402

from articles import services as article_services  # noqa: E402
from articles.models import Article  # noqa: E402
from dedup import embeddings, relate, services  # noqa: E402
from dedup.models import ArticleRelation, Story  # noqa: E402
from dedup.receivers import link_saved_article  # noqa: E402

CHUNK = 500
DATA = ROOT.parent / "shared" / "data" / "semeval2022-task8" / "training_set.csv"
DAY = datetime.datetime(2026, 11, 1, 9, tzinfo=datetime.UTC)
TABLES = ["dedup_articleprofile", "dedup_articlekeyterm", "dedup_termstat", "dedup_articleembedding"]


def table_bytes(name: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size(%s)", [name])
        return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="at most this many texts")
    parser.add_argument("--no-embeddings", action="store_true")
    args = parser.parse_args()
    if "bench" not in connection.settings_dict["NAME"]:
        sys.exit("Set DATABASE_URL to a scratch database whose name contains 'bench'; it is emptied.")
    if args.no_embeddings:
        settings.DEDUP_EMBEDDINGS = "off"
    call_command("migrate", verbosity=0)
    post_save.disconnect(link_saved_article, sender=Article)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE articles_article, articles_source, dedup_termstat, dedup_story RESTART IDENTITY CASCADE"
        )
    csv.field_size_limit(1 << 30)
    with DATA.open(encoding="utf-8") as handle:
        texts = sorted({t.strip() for row in csv.DictReader(handle) for t in (row["text1"], row["text2"]) if t.strip()})
    source = article_services.source_get_or_create(name="SemEval")
    ids = []
    for text in texts[: args.n]:
        words = text.split()
        article = article_services.article_create(
            source=source, title=" ".join(words[:10]), body=" ".join(words[10:]) or text, published_at=DAY
        )
        ids.append(article.pk)
    words = sum(len(t.split()) for t in texts[: args.n]) / len(ids)
    for start in range(0, len(ids), CHUNK):
        services.articles_link(article_ids=ids[start : start + CHUNK])
    device = embeddings.device() if embeddings.enabled() else None
    print(f"{len(ids):,} articles of {words:.0f} words on average; embedding model: {device or 'not used'}")

    started = time.perf_counter()
    embedded = profiled = 0
    for start in range(0, len(ids), CHUNK):
        result = relate.articles_relate(article_ids=ids[start : start + CHUNK])
        embedded += result.embedded
        profiled += result.profiled
    elapsed = time.perf_counter() - started
    print(f"rewrite and story tier: {profiled:,} articles in {elapsed:.1f} s = {profiled / elapsed:,.0f} articles/s")
    if embedded:
        print(f"  of which {embedded:,} embedded on {device}")
    kinds = dict(ArticleRelation.objects.values_list("kind").annotate(n=django.db.models.Count("id")))
    print(f"relations: {kinds}; stories: {Story.objects.count():,}")
    sizes = {name: table_bytes(name) for name in TABLES}
    total = sum(sizes.values())
    print(
        f"storage: {total / len(ids) / 1024:.1f} KB per article ("
        + ", ".join(f"{name.removeprefix('dedup_')} {size / 1e6:.1f} MB" for name, size in sizes.items())
        + ")"
    )


if __name__ == "__main__":
    main()
