"""The LSH band table at a million articles: candidate lookup latency, band-key writes, storage per article.

Fills `dedup_lshband` (the real table, its indexes and its foreign key) with the band keys of N articles
from synthetic signatures: random 32-bit values, and for a share of the articles a copy of an earlier
signature with 30% of its values changed (Jaccard about 0.7), so copies share bands as real ones do.
The articles themselves are minimal rows made by one INSERT ... SELECT FROM generate_series. The N
articles' keys are loaded with binary COPY with the table's indexes and constraints dropped, then the
same indexes and constraints are created again from their stored definitions (what `pg_get_indexdef`
and `pg_get_constraintdef` printed before), which is how far faster a bulk load runs; the last
`--append` articles are then written through `dedup.services._store_bands` in chunks of 500, with
every index in place, as the workers write them. Then it times the candidate lookup of
`dedup.services._candidate_pairs` (the query the workers run) for one article and for a chunk of 500,
and prints the table and index sizes per article.

    createdb -h 127.0.0.1 -U postgres copydesk_ddbench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_ddbench \
        flock /tmp/copydesk-bench.lock .venv/bin/python bench/dedup_scale.py --articles 1000000

The database is emptied first, so its name must contain "bench".
"""

import argparse
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

from articles.models import Source  # noqa: E402
from bench import dedup_corpus  # noqa: E402
from dedup import minhash, services  # noqa: E402

CHUNK = 500
BATCH = 50_000


def signatures(rng: np.random.Generator, first: int, count: int, copies: float, earlier: np.ndarray | None):
    """Random signatures; a share of them copies of an earlier one (from this batch or `earlier`)."""
    sigs = rng.integers(0, 2**32, size=(count, minhash.NUM_PERM), dtype=np.uint32)
    pool = sigs if earlier is None else np.concatenate([earlier, sigs])
    offset = 0 if earlier is None else len(earlier)
    for n in np.flatnonzero(rng.random(count) < copies):
        if n + offset == 0:
            continue
        origin = pool[rng.integers(0, n + offset)]
        changed = rng.random(minhash.NUM_PERM) < 0.3
        sigs[n] = np.where(changed, sigs[n], origin)
        pool[n + offset] = sigs[n]
    return sigs


def band_rows(first_id: int, keys: np.ndarray) -> bytes:
    rows = np.empty(keys.size, dtype=services._BAND_ROW)
    rows["fields"], rows["article_length"], rows["band_length"], rows["key_length"] = 3, 8, 2, 8
    rows["article_id"] = np.repeat(np.arange(first_id, first_id + len(keys), dtype=np.int64), minhash.BANDS)
    rows["band"] = np.tile(np.arange(minhash.BANDS, dtype=np.int16), len(keys))
    rows["key"] = keys.reshape(-1)
    return rows.tobytes()


def table_definition(cursor) -> tuple[list[tuple[str, str]], list[str]]:
    """The band table's constraints (name, definition) and its other indexes (CREATE INDEX statements)."""
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = 'dedup_lshband'::regclass AND contype IN ('p', 'u', 'f') ORDER BY contype DESC"
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = 'dedup_lshband'::regclass "
        "AND indexrelid NOT IN (SELECT conindid FROM pg_constraint WHERE conrelid = 'dedup_lshband'::regclass)"
    )
    return constraints, [row[0] for row in cursor.fetchall()]


def bulk_load(cursor, articles: int, copies: float, rng: np.random.Generator) -> tuple[float, float]:
    constraints, indexes = table_definition(cursor)
    for name, _ in constraints:
        cursor.execute(f'ALTER TABLE dedup_lshband DROP CONSTRAINT "{name}"')
    for statement in indexes:
        cursor.execute(f'DROP INDEX "{statement.split(" INDEX ", 1)[1].split(" ON ", 1)[0]}"')
    started = time.perf_counter()
    try:
        previous = None
        for first in range(0, articles, BATCH):
            count = min(BATCH, articles - first)
            sigs = signatures(rng, first, count, copies, previous)
            previous = sigs[-20_000:]
            data = band_rows(first + 1, minhash.band_keys_of(sigs))
            with cursor.copy("COPY dedup_lshband (article_id, band, key) FROM STDIN (FORMAT BINARY)") as copy:
                copy.write(services._COPY_HEADER)
                for start in range(0, len(data), 1 << 24):
                    copy.write(data[start : start + (1 << 24)])
                copy.write(services._COPY_TRAILER)
            print(f"  {first + count:,} articles' band keys copied", flush=True)
        copied = time.perf_counter()
    finally:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for statement in indexes:
            cursor.execute(statement)
        for name, definition in reversed(constraints):
            cursor.execute(f'ALTER TABLE dedup_lshband ADD CONSTRAINT "{name}" {definition}')
    indexed = time.perf_counter()
    return copied - started, indexed - copied


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def lookup_ms(article_ids: list[int]) -> float:
    with transaction.atomic():
        started = time.perf_counter()
        services._candidate_pairs(dict.fromkeys(article_ids))
        return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000, help="articles loaded in bulk")
    parser.add_argument("--append", type=int, default=20_000, help="articles then written as the workers do")
    parser.add_argument("--copies", type=float, default=0.1, help="share of signatures copied from an earlier one")
    args = parser.parse_args()
    if "bench" not in connection.settings_dict["NAME"]:
        sys.exit("The database is emptied first: use one whose name contains 'bench'.")
    call_command("migrate", verbosity=0)
    dedup_corpus.empty_tables()
    total = args.articles + args.append
    source = Source.objects.get_or_create(name="Scale outlet")[0].pk
    rng = np.random.default_rng(2026)
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO articles_article (id, source_id, title, body, url, external_id, author, language,
                word_count, content_hash, extra, created_at)
            SELECT g, %s, 'Scale ' || g, 'Text of article ' || g, '', 'scale-' || g, '', 'en', 3,
                md5(g::text) || md5(g::text), '{}', now()
            FROM generate_series(1, %s) AS g
            """,
            [source, total],
        )
        cursor.execute("SELECT setval(pg_get_serial_sequence('articles_article', 'id'), %s)", [total])
        print(f"{total:,} article rows in {time.perf_counter() - started:.1f} s", flush=True)
        copy_seconds, index_seconds = bulk_load(cursor, args.articles, args.copies, rng)
        print(
            f"{args.articles:,} articles' band keys: COPY {copy_seconds:.1f} s, "
            f"indexes and constraints rebuilt in {index_seconds:.1f} s",
            flush=True,
        )
        cursor.execute("VACUUM ANALYZE dedup_lshband")

    store_times = []
    previous = None
    for first in range(args.articles, total, CHUNK):
        ids = list(range(first + 1, min(first + CHUNK, total) + 1))
        sigs = signatures(rng, first, len(ids), args.copies, previous)
        previous = sigs
        keys = minhash.band_keys_of(sigs)
        started = time.perf_counter()
        with transaction.atomic():
            services._store_bands(ids, dict(zip(ids, keys, strict=True)))
        store_times.append(time.perf_counter() - started)

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM dedup_lshband")
        rows = cursor.fetchone()[0]
        cursor.execute(
            "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid "
            "WHERE i.indrelid = 'dedup_lshband'::regclass ORDER BY 2 DESC"
        )
        index_sizes = cursor.fetchall()
        cursor.execute("SELECT pg_relation_size('dedup_lshband'), pg_total_relation_size('dedup_lshband')")
        heap, whole = cursor.fetchone()

    single = [lookup_ms([int(pk)]) for pk in rng.integers(1, total + 1, size=2000)]
    recent = [lookup_ms([int(pk)]) for pk in rng.integers(args.articles + 1, total + 1, size=500)]
    by_size = {}
    for size, runs in ((10, 200), (50, 100), (CHUNK, 40)):
        starts = rng.integers(1, total - size, size=runs)
        by_size[size] = [lookup_ms(list(range(int(first), int(first) + size))) for first in starts]
    chunks = by_size[CHUNK]

    print(f"band table: {rows:,} rows for {total:,} articles ({rows / total:.1f} per article)")
    if store_times:
        print(
            f"band keys written as the workers write them, with every index in place: chunk of {CHUNK} "
            f"median {statistics.median(store_times) * 1000:.0f} ms, p95 {percentile(store_times, 0.95) * 1000:.0f} ms "
            f"({CHUNK / statistics.median(store_times):,.0f} articles/s for this step alone)"
        )
    print(
        f"candidate lookup, one article ({minhash.BANDS} keys), 2,000 random: p50 {percentile(single, 0.5):.2f} ms, "
        f"p95 {percentile(single, 0.95):.2f} ms, max {max(single):.2f} ms"
    )
    print(
        f"candidate lookup, one of the last {args.append:,} written: p50 {percentile(recent, 0.5):.2f} ms, "
        f"p95 {percentile(recent, 0.95):.2f} ms"
    )
    print(
        f"candidate lookup, chunk of {CHUNK} ({CHUNK * minhash.BANDS:,} keys), 40 random: "
        f"p50 {percentile(chunks, 0.5):.1f} ms, p95 {percentile(chunks, 0.95):.1f} ms "
        f"(p95 {percentile(chunks, 0.95) / CHUNK:.3f} ms per article)"
    )
    for size, times in by_size.items():
        print(
            f"  {size} articles at once: p50 {percentile(times, 0.5):.1f} ms, p95 {percentile(times, 0.95):.1f} ms "
            f"({percentile(times, 0.95) / size:.3f} ms per article)"
        )
    print(f"storage: table {heap / total:,.0f} bytes per article, with indexes {whole / total:,.0f} bytes per article")
    for name, size in index_sizes:
        print(f"  {name}: {size / total:,.0f} bytes per article ({size / 2**20:,.0f} MiB)")


if __name__ == "__main__":
    main()
