"""Duplicate-detection throughput in one process: fingerprint + LSH store + candidate lookup + verification.

Generates N news-like articles (2% exact and 10% near copies of earlier ones, see bench/dedup_corpus.py),
stores them with COPY, then times `dedup.services.articles_link` over them in chunks of 500, as one
Celery worker process runs it, and the parts on their own: shingles + signatures + band keys (CPU only),
and the candidate lookup for one article and for a chunk. It checks every planted copy was found.

    createdb -h 127.0.0.1 -U postgres copydesk_ddbench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_ddbench \
        flock /tmp/copydesk-bench.lock .venv/bin/python bench/dedup_speed.py --n 20000

The database is emptied first, so its name must contain "bench".
"""

import argparse
import functools
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import numpy as np  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402

from articles.models import Article  # noqa: E402
from bench import dedup_corpus  # noqa: E402
from dedup import minhash, services  # noqa: E402
from dedup.models import ArticleRelation  # noqa: E402

CHUNK = 500


# The steps of articles_link timed separately in the end-to-end run (the rest: fetching the chunk, shingles,
# signatures and band keys, verification, relations, and the two commits with their foreign-key checks).
PARTS = ["_store_bands", "_candidate_pairs", "_exact_pairs", "_store_fingerprints"]


def timed(function, name: str, totals: dict):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            totals[name] += time.perf_counter() - started

    return wrapper


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def lookup_times(ids: list[int], size: int, runs: int) -> list[float]:
    """Milliseconds for the candidate lookup of `size` stored articles' band keys, `runs` times."""
    rng = np.random.default_rng(5)
    times = []
    for _ in range(runs):
        start = int(rng.integers(0, len(ids) - size))
        bodies = list(Article.objects.filter(pk__in=ids[start : start + size]).values_list("id", "body"))
        arrays = minhash.shingle_arrays([body for _, body in bodies])
        keys = minhash.band_keys_of(minhash.signatures(arrays))
        keys_by_article = {pk: keys[n] for n, (pk, _) in enumerate(bodies)}
        with transaction.atomic():
            started = time.perf_counter()
            services._candidate_pairs(keys_by_article)
            times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--copies", type=float, default=0.1, help="share of articles that are near copies")
    parser.add_argument("--exact", type=float, default=0.02, help="share of articles that are exact copies")
    args = parser.parse_args()
    if "bench" not in connection.settings_dict["NAME"]:
        sys.exit("The database is emptied first: use one whose name contains 'bench'.")
    call_command("migrate", verbosity=0)
    dedup_corpus.empty_tables()
    corpus = dedup_corpus.generate(args.n, copies=args.copies, exact=args.exact)
    ids = dedup_corpus.load(corpus)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")

    parts = dict.fromkeys(PARTS, 0.0)
    for name in PARTS:
        setattr(services, name, timed(getattr(services, name), name, parts))
    chunk_times = []
    started = time.perf_counter()
    for start in range(0, len(ids), CHUNK):
        t0 = time.perf_counter()
        services.articles_link(article_ids=ids[start : start + CHUNK])
        chunk_times.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    for name in PARTS:
        setattr(services, name, getattr(services, name).__wrapped__)

    cpu_times = []
    for start in range(0, min(len(ids), 10 * CHUNK), CHUNK):
        bodies = list(Article.objects.filter(pk__in=ids[start : start + CHUNK]).values_list("body", flat=True))
        t0 = time.perf_counter()
        minhash.band_keys_of(minhash.signatures(minhash.shingle_arrays(bodies)))
        cpu_times.append((time.perf_counter() - t0) / len(bodies))

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dedup_lshband")
        cursor.execute("SELECT count(*) FROM dedup_lshband")
        band_rows = cursor.fetchone()[0]
    single = lookup_times(ids, 1, 300)
    chunked = lookup_times(ids, CHUNK, 20)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_total_relation_size('dedup_lshband'), pg_total_relation_size('dedup_articlefingerprint')"
        )
        bands, fingerprints = cursor.fetchone()
    kinds = dict(ArticleRelation.objects.values_list("kind").annotate(n=Count("id")).order_by("kind"))
    print(f"articles {len(ids):,}: edits planted {corpus.edits}")
    print(f"end to end (fingerprint, store bands, look up, verify, write): {len(ids) / elapsed:,.0f} articles/s")
    print(f"  chunk of {CHUNK}: median {statistics.median(chunk_times):.3f} s, max {max(chunk_times):.3f} s")
    chunks = len(chunk_times)
    timed_total = sum(parts.values())
    steps = ", ".join(f"{name.lstrip('_')} {seconds / chunks * 1000:.0f} ms" for name, seconds in parts.items())
    print(f"  per chunk: {steps}, the rest {(sum(chunk_times) - timed_total) / chunks * 1000:.0f} ms")
    print(f"shingles + signatures + band keys alone: {1 / statistics.median(cpu_times):,.0f} articles/s")
    print(
        f"candidate lookup, {band_rows:,} band rows: one article ({minhash.BANDS} keys) "
        f"p50 {percentile(single, 0.5):.2f} ms, p95 {percentile(single, 0.95):.2f} ms; "
        f"chunk of {CHUNK} p50 {percentile(chunked, 0.5):.1f} ms, p95 {percentile(chunked, 0.95):.1f} ms"
    )
    print(
        f"storage with indexes: band keys {bands / len(ids):,.0f} + fingerprints {fingerprints / len(ids):,.0f} "
        f"= {(bands + fingerprints) / len(ids):,.0f} bytes per article"
    )
    print(f"relations: {kinds}")
    print(f"against the planted copies: {dedup_corpus.check(corpus, ids)}")


if __name__ == "__main__":
    main()
