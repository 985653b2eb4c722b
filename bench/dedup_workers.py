"""N articles linked by real Celery worker processes on Redis: time until every one is fingerprinted.

Generates N news-like articles (2% exact and 10% near copies of earlier ones, see bench/dedup_corpus.py),
stores them with COPY, queues `dedup.tasks.articles_link` for all of them the way an import does
(`dedup.tasks.queue_articles`: chunks of 500 ids), then starts `celery -A config worker --concurrency=2`
(as docker-compose.yml runs it: one prefork worker, two processes) and polls until every article has a
fingerprint of the current version. The fingerprint is written with the article's relations, in the
same transaction, so at that moment every exact and near relation is written. Prints the wall time from
starting the worker, the rate, the CPU time of the worker processes, and the planted copies found.

    createdb -h 127.0.0.1 -U postgres copydesk_ddbench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_ddbench REDIS_URL=redis://127.0.0.1:6379/12 \
        flock /tmp/copydesk-bench.lock .venv/bin/python bench/dedup_workers.py --n 100000

The database is emptied and the Redis queue purged first, so the database name must contain "bench".
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from bench import dedup_corpus  # noqa: E402
from config.celery import app  # noqa: E402
from dedup import minhash  # noqa: E402
from dedup.models import ArticleFingerprint, ArticleRelation  # noqa: E402
from dedup.tasks import queue_articles  # noqa: E402


def start_worker(concurrency: int, log_path: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", f"--concurrency={concurrency}"]
    command += ["-Q", "default", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"]
    log = log_path.open("w")
    return subprocess.Popen(command, cwd=ROOT, env=os.environ, stdout=log, stderr=subprocess.STDOUT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes")
    parser.add_argument("--copies", type=float, default=0.1, help="share of articles that are near copies")
    parser.add_argument("--exact", type=float, default=0.02, help="share of articles that are exact copies")
    parser.add_argument("--timeout", type=float, default=900, help="give up after this many seconds")
    args = parser.parse_args()
    if "bench" not in connection.settings_dict["NAME"]:
        sys.exit("The database is emptied first: use one whose name contains 'bench'.")
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL to a Redis database of its own: the workers read their tasks from it.")
    call_command("migrate", verbosity=0)
    dedup_corpus.empty_tables()
    app.control.purge()

    started = time.perf_counter()
    corpus = dedup_corpus.generate(args.n, copies=args.copies, exact=args.exact)
    generated = time.perf_counter()
    ids = dedup_corpus.load(corpus)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE articles_article")
    loaded = time.perf_counter()
    queue_articles(ids)
    queued = time.perf_counter()
    print(
        f"{len(ids):,} articles generated in {generated - started:.1f} s, stored with COPY in "
        f"{loaded - generated:.1f} s, {len(ids) // 500 + 1:,} tasks queued in {queued - loaded:.1f} s"
    )

    log_path = Path(tempfile.mkstemp(prefix="dedup-workers-", suffix=".log")[1])
    worker_started = time.perf_counter()
    worker = start_worker(args.concurrency, log_path)
    ready_at = None
    done = 0
    progress = []
    try:
        while done < len(ids):
            if worker.poll() is not None:
                sys.exit(f"the worker exited:\n{log_path.read_text()[-3000:]}")
            if time.perf_counter() - worker_started > args.timeout:
                sys.exit(f"not done after {args.timeout:.0f} s: {done:,} of {len(ids):,} fingerprinted")
            if ready_at is None and "ready." in log_path.read_text():
                ready_at = time.perf_counter()
            time.sleep(0.5)
            done = ArticleFingerprint.objects.filter(version=minhash.VERSION).count()
            progress.append((time.perf_counter() - worker_started, done))
        finished = time.perf_counter()
    finally:
        worker.terminate()
        _, _, usage = os.wait4(worker.pid, 0)
    load = os.getloadavg()

    elapsed = finished - worker_started
    since_ready = finished - (ready_at or worker_started)
    cpu = usage.ru_utime + usage.ru_stime
    kinds = dict(ArticleRelation.objects.values_list("kind").annotate(n=Count("id")).order_by("kind"))
    print(f"worker: celery --concurrency={args.concurrency}, log {log_path}")
    print(
        f"all {len(ids):,} fingerprinted and linked {elapsed:.1f} s after starting the worker "
        f"({since_ready:.1f} s after it was ready): {len(ids) / elapsed:,.0f} articles/s "
        f"({len(ids) / since_ready:,.0f}/s from ready)"
    )
    halfway = next(seconds for seconds, count in progress if count >= len(ids) // 2)
    print(f"half done after {halfway:.1f} s")
    print(
        f"worker CPU (all its processes): {cpu:.1f} s, {cpu / len(ids) * 1000:.2f} ms per article; "
        f"this script: {resource.getrusage(resource.RUSAGE_SELF).ru_utime:.1f} s"
    )
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"relations: {kinds}")
    print(f"against the planted copies {corpus.edits}: {dedup_corpus.check(corpus, ids)}")


if __name__ == "__main__":
    main()
