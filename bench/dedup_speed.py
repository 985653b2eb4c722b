"""Duplicate-detection throughput: fingerprint + LSH store + candidate lookup + verification, per process.

Generates N news-like articles (a share of them light-edit copies of others), stores them, then times
`dedup.services.articles_link` over them in chunks of 500, as one Celery worker process would run it.

    createdb -h 127.0.0.1 -U postgres copydesk_bench_dd
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_bench_dd .venv/bin/python bench/dedup_speed.py --n 5000
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from articles import text  # noqa: E402
from articles.models import Article, Source  # noqa: E402
from dedup import minhash, services  # noqa: E402
from dedup.models import ArticleRelation, LshBand  # noqa: E402

VOCABULARY = [
    "the",
    "council",
    "said",
    "on",
    "tuesday",
    "that",
    "residents",
    "harbour",
    "river",
    "officials",
    "minister",
    "police",
    "report",
    "water",
    "budget",
    "school",
    "hospital",
    "road",
    "bridge",
    "workers",
    "union",
    "strike",
    "price",
    "market",
    "energy",
    "farmers",
    "storm",
    "flood",
    "court",
    "judge",
    "ruling",
    "company",
    "jobs",
    "museum",
    "festival",
    "match",
    "season",
    "coach",
    "players",
    "election",
    "vote",
    "mayor",
]


def news_text(rng: random.Random, words: int = 600) -> str:
    paragraphs = []
    remaining = words
    while remaining > 0:
        size = min(remaining, rng.randint(40, 80))
        paragraphs.append(" ".join(rng.choice(VOCABULARY) + str(rng.randint(0, 999)) for _ in range(size)))
        remaining -= size
    return "\n\n".join(paragraphs)


def light_edit(rng: random.Random, body: str) -> str:
    words = body.split(" ")
    for _ in range(5):
        words[rng.randrange(len(words))] = "edited"
    return " ".join(words) + "\n\nSign up for our newsletter."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--copies", type=float, default=0.1, help="share of articles that copy another")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE dedup_articlerelation, dedup_lshband, dedup_articlefingerprint, articles_article CASCADE"
        )
    rng = random.Random(1)
    source, _ = Source.objects.get_or_create(name="Bench outlet")
    originals, rows = [], []
    for n in range(args.n):
        body = light_edit(rng, rng.choice(originals)) if originals and rng.random() < args.copies else news_text(rng)
        if len(originals) < 2000:
            originals.append(body)
        body = text.normalise_text(body)
        rows.append(
            Article(source=source, title=f"Bench {n}", body=body, content_hash=text.content_hash(body), word_count=600)
        )
    Article.objects.bulk_create(rows, batch_size=1000)
    ids = sorted(Article.objects.values_list("id", flat=True))

    chunk_times = []
    started = time.perf_counter()
    for start in range(0, len(ids), 500):
        t0 = time.perf_counter()
        services.articles_link(article_ids=ids[start : start + 500])
        chunk_times.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started

    sample = [Article.objects.get(pk=pk).body for pk in ids[:200]]
    t0 = time.perf_counter()
    for body in sample:
        minhash.band_keys(minhash.signature(minhash.shingles(body)))
    cpu_only = len(sample) / (time.perf_counter() - t0)

    lookups = []
    keys = list(LshBand.objects.order_by("?").values_list("key", flat=True)[: minhash.BANDS * 200])
    for start in range(0, len(keys), minhash.BANDS):
        t0 = time.perf_counter()
        list(LshBand.objects.filter(key__in=keys[start : start + minhash.BANDS]).values_list("article_id", "key"))
        lookups.append((time.perf_counter() - t0) * 1000)
    lookups.sort()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_total_relation_size('dedup_lshband') + pg_total_relation_size('dedup_articlefingerprint')"
        )
        storage = cursor.fetchone()[0]
    kinds = dict(ArticleRelation.objects.values_list("kind").annotate(n=django.db.models.Count("id")))
    print(f"articles {len(ids)}, {args.copies:.0%} light-edit copies")
    print(f"end to end (fingerprint, store bands, look up, verify, write): {len(ids) / elapsed:,.0f} articles/s")
    print(f"  chunk of 500: median {statistics.median(chunk_times):.2f} s")
    print(f"shingles + signature + band keys alone: {cpu_only:,.0f} articles/s")
    print(
        f"candidate lookup for one article ({minhash.BANDS} keys): p50 {lookups[len(lookups) // 2]:.2f} ms, "
        f"p95 {lookups[int(len(lookups) * 0.95)]:.2f} ms"
    )
    print(f"storage (bands + fingerprints, with indexes): {storage / len(ids):,.0f} bytes per article")
    print(f"relations: {kinds}")


if __name__ == "__main__":
    main()
