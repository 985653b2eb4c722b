"""Benchmark of `import_articles` into PostgreSQL: rate, peak memory, re-import, and raw COPY for comparison.

Generates N news-like articles of about 600 words (2% repeated records, 1% wire copies under
another outlet, 0.5% broken records) as JSONL (optionally gzipped), then runs
`manage.py import_articles` twice in a child process against a scratch database and prints:
articles per second, peak RSS of the import (its own process and its worker processes together), the
re-import rate, PostgreSQL's own COPY rate of the same rows into a scratch table (with and without
indexes, and with the lz4 body compression the import uses), and the time the deferred search
indexing takes to catch up after the first import.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_bench .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/copydesk_bench REDIS_URL=redis://127.0.0.1:6379/11 \
        .venv/bin/python bench/import_bench.py --n 100000

The database is emptied first, so its name must contain "bench".
"""

import argparse
import gzip
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

WORDS = [
    "the",
    "a",
    "of",
    "to",
    "in",
    "and",
    "on",
    "for",
    "with",
    "by",
    "at",
    "from",
    "as",
    "that",
    "said",
    "was",
    "were",
    "is",
    "are",
    "has",
    "have",
    "had",
    "will",
    "would",
    "could",
    "government",
    "minister",
    "council",
    "officials",
    "police",
    "residents",
    "river",
    "flood",
    "dam",
    "city",
    "region",
    "ministry",
    "report",
    "statement",
    "according",
    "spokesperson",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "monday",
    "weekend",
    "morning",
    "evening",
    "million",
    "thousand",
    "percent",
    "budget",
    "election",
    "vote",
    "parliament",
    "party",
    "leader",
    "opposition",
    "coalition",
    "court",
    "judge",
    "ruling",
    "appeal",
    "trial",
    "witness",
    "company",
    "shares",
    "market",
    "prices",
    "energy",
    "gas",
    "oil",
    "power",
    "grid",
    "outage",
    "hospital",
    "doctors",
    "patients",
    "health",
    "vaccine",
    "schools",
    "teachers",
    "students",
    "strike",
    "union",
    "workers",
    "wages",
    "border",
    "troops",
    "ceasefire",
    "talks",
    "agreement",
    "sanctions",
    "embassy",
    "foreign",
    "defence",
    "security",
    "attack",
    "drone",
    "storm",
    "rain",
    "wind",
    "temperatures",
    "warning",
    "emergency",
    "services",
    "rescue",
    "engineers",
    "inspection",
    "bridge",
    "road",
    "railway",
    "airport",
    "flights",
    "delays",
    "passengers",
    "harbour",
    "port",
    "ships",
    "cargo",
    "exports",
    "imports",
    "growth",
    "inflation",
    "interest",
    "rates",
    "bank",
    "central",
    "economists",
    "forecast",
    "quarter",
    "year",
    "month",
    "week",
    "early",
    "late",
    "new",
    "old",
    "first",
    "second",
    "third",
    "last",
    "major",
    "minor",
    "local",
    "national",
    "international",
    "public",
    "private",
    "official",
    "unofficial",
    "investigation",
    "inquiry",
    "evidence",
    "documents",
    "sources",
    "confirmed",
    "denied",
    "announced",
    "expected",
    "planned",
]
OUTLETS = ["Harbour Gazette", "Northern Wire", "Evening Ledger", "Capital Times", "Valley Courier", "Coastal Post"]


def _paragraph(rng: random.Random, sentences: int) -> str:
    out = []
    for _ in range(sentences):
        words = rng.choices(WORDS, k=rng.randint(12, 24))
        sentence = " ".join(words)
        out.append(sentence[0].upper() + sentence[1:] + ".")
    return " ".join(out)


def generate(path: Path, n: int, *, compress: bool, seed: int = 7) -> dict:
    """Write the dump; return what it contains (records, repeats, wire copies, broken)."""
    rng = random.Random(seed)
    counts = {"records": 0, "repeated": 0, "copies": 0, "broken": 0}
    recent: list[dict] = []
    opener = gzip.open if compress else open
    with opener(path, "wt", encoding="utf-8") as out:
        for number in range(n):
            roll = rng.random()
            if roll < 0.02 and recent:
                record = rng.choice(recent)
                counts["repeated"] += 1
            elif roll < 0.03 and recent:
                original = rng.choice(recent)
                record = {**original, "external_id": f"copy-{number}", "source": rng.choice(OUTLETS), "url": ""}
                record.pop("url")
                counts["copies"] += 1
            elif roll < 0.035:
                counts["broken"] += 1
                kind = number % 3
                if kind == 0:
                    out.write(f'{{"external_id": "broken-{number}", "title": "cut off\n')
                    counts["records"] += 1
                    continue
                record = {"external_id": f"broken-{number}", "title": "Bad", "body": "Text.", "date": "the 32nd"}
                if kind == 2:
                    record = {"external_id": f"broken-{number}", "title": "Empty", "body": "  "}
            else:
                body = "\n\n".join(_paragraph(rng, rng.randint(3, 5)) for _ in range(8))
                record = {
                    "external_id": f"a-{number}",
                    "source": rng.choice(OUTLETS),
                    "url": f"https://news.example/{number}",
                    "title": _paragraph(rng, 1)[:120],
                    "author": "Staff reporter",
                    "published_at": f"2026-{1 + number % 12:02d}-{1 + number % 28:02d}T{number % 24:02d}:00:00Z",
                    "language": "en",
                    "body": body,
                }
                recent.append(record)
                if len(recent) > 500:
                    recent.pop(0)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            counts["records"] += 1
    return counts


def index_catch_up(env: dict) -> str:
    """Time the deferred search indexing the import queued, run here as `index_articles --missing` (what a
    worker draining the queued articles_index_search tasks does), so the figure does not depend on workers."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", "index_articles", "--missing"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - started
    written = int(result.stdout.split()[1])
    return f"deferred search indexing: {written:,} vectors in {seconds:.1f}s ({written / seconds:,.0f} articles/s)"


class ImportProcesses:
    """Samples the command, all its descendants (the import's worker processes) and its PostgreSQL
    backend from /proc every 0.1 s.

    Memory: `peak_sum_kb` is the largest total of resident memory seen at one sample; `hwm_kb` keeps each
    process's own peak (VmHWM, kept by the kernel), so their sum is an upper bound of the true peak total
    that no sampling interval can miss. CPU: each process's own user and system time at its last sample.
    """

    def __init__(self, pid: int, backends):
        self.pid = pid
        self.backends = backends  # returns the pids of the database's other client backends
        self.hwm_kb: dict[int, int] = {}
        self.cpu_ticks: dict[int, int] = {}
        self.backend_ticks: dict[int, int] = {}
        self.peak_sum_kb = 0
        self.most_processes = 0
        self.tree: list[int] = []
        self.backend_pids: list[int] = []
        self.listed_at = 0.0

    def _tree(self) -> list[int]:
        parents = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat") as stat:
                        parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
                except (OSError, IndexError, ValueError):
                    continue
        tree, frontier = [self.pid], [self.pid]
        while frontier:
            frontier = [pid for pid, parent in parents.items() if parent in frontier]
            tree += frontier
        return tree

    @staticmethod
    def _ticks(pid: int) -> int | None:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return int(fields[11]) + int(fields[12])  # utime and stime, without waited-for children

    def sample(self) -> None:
        # Listing the processes reads all of /proc: done twice a second, the rest ten times.
        if time.monotonic() - self.listed_at > 0.5:
            self.tree, self.backend_pids, self.listed_at = self._tree(), self.backends(), time.monotonic()
        total = 0
        for pid in self.tree:
            try:
                with open(f"/proc/{pid}/status") as status:
                    fields = dict(line.split(":", 1) for line in status if line.startswith(("VmRSS", "VmHWM")))
            except OSError:
                continue
            if "VmRSS" not in fields:  # a zombie
                continue
            total += int(fields["VmRSS"].split()[0])
            self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), int(fields["VmHWM"].split()[0]))
            self.cpu_ticks[pid] = self._ticks(pid) or self.cpu_ticks.get(pid, 0)
        for pid in self.backend_pids:
            self.backend_ticks[pid] = self._ticks(pid) or self.backend_ticks.get(pid, 0)
        self.peak_sum_kb = max(self.peak_sum_kb, total)
        self.most_processes = max(self.most_processes, len(self.tree))


def run_import(path: Path, env: dict, backends, while_running=None, workers: int | None = None) -> dict:
    """Run the command in a child process; wall time, peak RSS and CPU time of it, its worker processes and
    its PostgreSQL backend, and the summary line. `while_running` is called repeatedly until the child
    exits (the responsiveness probe)."""
    command = [sys.executable, "manage.py", "import_articles", str(path), "--source", "Bench"]
    if workers is not None:
        command += ["--workers", str(workers)]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.DEVNULL)
        processes = ImportProcesses(process.pid, backends)
        while True:
            processes.sample()
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                process.returncode = os.waitstatus_to_exitcode(status)
                break
            if while_running:
                while_running()
            else:
                time.sleep(0.1)
        wall = time.perf_counter() - started
        output.seek(0)
        text = output.read().decode()
    code = os.waitstatus_to_exitcode(status)
    summary = text.strip().splitlines()[-1] if text.strip() else ""
    # The command's own peak is exact (wait4); its workers' peaks come from the samples. So is the CPU time
    # of the command and its workers together, which it waited for; the command's own share is sampled.
    processes.hwm_kb[process.pid] = max(processes.hwm_kb.get(process.pid, 0), usage.ru_maxrss)
    tick = os.sysconf("SC_CLK_TCK")
    cpu_all = usage.ru_utime + usage.ru_stime
    cpu_command = processes.cpu_ticks.get(process.pid, 0) / tick
    return {
        "wall": wall,
        "rss_mb": usage.ru_maxrss / 1024,
        "hwm_sum_mb": sum(processes.hwm_kb.values()) / 1024,
        "peak_sum_mb": processes.peak_sum_kb / 1024,
        "processes": processes.most_processes,
        "cpu_command": cpu_command,
        "cpu_workers": max(cpu_all - cpu_command, 0.0),
        "cpu_postgres": sum(processes.backend_ticks.values()) / tick,
        "code": code,
        "summary": summary,
    }


class Probe:
    """Requests the newest article's reading page through Django, as a browser would, and times it."""

    def __init__(self):
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.contrib.auth import get_user_model
        from django.test import Client

        user, _ = get_user_model().objects.get_or_create(
            username="bench-probe", defaults={"is_superuser": True, "is_staff": True}
        )
        self.client = Client()
        self.client.force_login(user)
        self.timings: list[float] = []

    def request(self) -> None:
        from django.db import connection

        from articles.models import Article

        article_id = Article.objects.order_by("-id").values_list("id", flat=True).first()
        if article_id is not None:
            started = time.perf_counter()
            response = self.client.get(f"/articles/{article_id}/")
            if response.status_code != 200:
                raise RuntimeError(f"article page answered {response.status_code}")
            self.timings.append(time.perf_counter() - started)
        connection.close()
        time.sleep(0.25)

    def report(self, label: str) -> str:
        timings, self.timings = sorted(self.timings), []
        if not timings:
            return f"{label}: no requests"
        median = timings[len(timings) // 2] * 1000
        p95 = timings[int(len(timings) * 0.95)] * 1000
        worst = timings[-1] * 1000
        return f"{label}: {len(timings)} requests, median {median:.0f} ms, p95 {p95:.0f} ms, max {worst:.0f} ms"


def batch_seconds(cursor, batch_id: int) -> tuple[float, int]:
    cursor.execute(
        "SELECT extract(epoch FROM finished_at - started_at), total FROM imports_importbatch WHERE id = %s",
        [batch_id],
    )
    seconds, total = cursor.fetchone()
    return float(seconds), total


def copy_rates(connection) -> dict:
    """PostgreSQL's own COPY of the stored rows into scratch tables: with all indexes, with all indexes and
    bodies compressed with lz4 (as the import stores them), and without indexes."""
    columns = (
        "id, source_id, title, body, url, external_id, author, published_at, language, word_count, content_hash, extra"
    )
    with connection.cursor() as cursor:
        buffer = io.BytesIO()
        with cursor.copy(f"COPY (SELECT {columns}, created_at FROM articles_article) TO STDOUT") as copy:
            for block in copy:
                buffer.write(block)
        cursor.execute("SELECT count(*) FROM articles_article")
        rows = cursor.fetchone()[0]
    connection.commit()
    results = {"rows": rows, "megabytes": buffer.tell() / 1e6}
    runs = (
        ("copy_with_indexes", "INCLUDING ALL", "pglz"),
        ("copy_with_indexes_lz4", "INCLUDING ALL", "lz4"),
        ("copy_no_indexes", "INCLUDING DEFAULTS", "pglz"),
    )
    for label, like, compression in runs:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_copy_scratch")
            cursor.execute(f"CREATE TABLE bench_copy_scratch (LIKE articles_article {like})")
            connection.commit()
            cursor.execute(f"SET default_toast_compression = {compression}")
            buffer.seek(0)
            started = time.perf_counter()
            with cursor.copy(f"COPY bench_copy_scratch ({columns}, created_at) FROM STDIN") as copy:
                while block := buffer.read(1 << 20):
                    copy.write(block)
            connection.commit()
            results[label] = rows / (time.perf_counter() - started)
            cursor.execute("RESET default_toast_compression")
            cursor.execute("DROP TABLE bench_copy_scratch")
            connection.commit()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="records in the dump")
    parser.add_argument("--gzip", action="store_true", help="write the dump as .jsonl.gz")
    parser.add_argument("--keep", type=Path, help="keep the generated dump at this path")
    parser.add_argument("--no-copy", action="store_true", help="skip the COPY comparison")
    parser.add_argument("--workers", type=int, help="passed to import_articles (default: the command's own)")
    parser.add_argument("--no-reimport", action="store_true", help="skip the second (re-import) run")
    parser.add_argument(
        "--probe", action="store_true", help="time an article page every 0.25 s while the first import runs"
    )
    parser.add_argument(
        "--no-index", action="store_true", help="skip timing the deferred search indexing after the first import"
    )
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL", "")
    if "bench" not in database_url.rsplit("/", 1)[-1]:
        sys.exit("Set DATABASE_URL to a scratch database whose name contains 'bench'; it is emptied.")
    import psycopg

    # libpq names the command's connection after PGAPPNAME, which is how its backend is found.
    env = {
        **os.environ,
        "CELERY_TASK_ALWAYS_EAGER": os.environ.get("CELERY_TASK_ALWAYS_EAGER", "0"),
        "PGAPPNAME": "import_bench",
    }
    connection = psycopg.connect(database_url.replace("postgres://", "postgresql://", 1))
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE articles_article, articles_source, imports_importbatch RESTART IDENTITY CASCADE")
    connection.commit()

    suffix = ".jsonl.gz" if args.gzip else ".jsonl"
    path = args.keep or Path(tempfile.mkdtemp(prefix="import-bench-")) / f"dump{suffix}"
    started = time.perf_counter()
    counts = generate(path, args.n, compress=args.gzip)
    size_mb = path.stat().st_size / 1e6
    print(f"dump: {path} {size_mb:,.1f} MB, {counts} (generated in {time.perf_counter() - started:.1f}s)")

    def backends() -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
                [env["PGAPPNAME"]],
            )
            pids = [pid for (pid,) in cursor.fetchall()]
        connection.commit()  # the next call sees a fresh pg_stat_activity
        return pids

    probe = Probe() if args.probe else None
    first = run_import(path, env, backends, while_running=probe.request if probe else None, workers=args.workers)
    runs = [("import", first)]
    if probe:
        during = probe.report("article page while importing")
        for _ in range(40):
            probe.request()
        print(f"{during}; {probe.report('the same page with no import running')}")
    if not args.no_index:
        print(index_catch_up(env))
    if not args.no_reimport:
        runs.append(("re-import", run_import(path, env, backends, workers=args.workers)))
    with connection.cursor() as cursor:
        for number, (label, result) in enumerate(runs, start=1):
            seconds, total = batch_seconds(cursor, number)
            if number == 1:
                cursor.execute("SELECT imported FROM imports_importbatch WHERE id = 1")
                stored_rate = cursor.fetchone()[0] / seconds
            print(
                f"{label}: {result['summary']} | exit {result['code']} | {total / seconds:,.0f} records/s in the batch "
                f"({seconds:.1f}s), {total / result['wall']:,.0f} records/s wall incl. start-up "
                f"({result['wall']:.1f}s) | peak RSS {result['hwm_sum_mb']:.0f} MB in all "
                f"{result['processes']} processes (sum of each one's peak; largest sampled total "
                f"{result['peak_sum_mb']:.0f} MB; the command's own process {result['rss_mb']:.0f} MB) "
                f"| input {size_mb / seconds:,.1f} MB/s | CPU per record: "
                f"{result['cpu_command'] / total * 1e6:,.0f} us in the command, "
                f"{result['cpu_workers'] / total * 1e6:,.0f} us in its worker processes, "
                f"{result['cpu_postgres'] / total * 1e6:,.0f} us in its PostgreSQL backend"
            )
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('articles_article'))")
        print(f"articles table with indexes: {cursor.fetchone()[0]}")
    if not args.no_copy:
        rates = copy_rates(connection)
        print(
            f"PostgreSQL COPY of the same {rates['rows']:,} stored rows ({rates['megabytes']:,.0f} MB) into a copy "
            f"of articles_article: {rates['copy_with_indexes']:,.0f} rows/s with all its indexes, "
            f"{rates['copy_with_indexes_lz4']:,.0f} rows/s with all its indexes and bodies compressed with lz4 "
            f"as the import stores them, {rates['copy_no_indexes']:,.0f} rows/s without indexes"
        )
        print(
            f"the import stored {stored_rate:,.0f} new rows/s: {stored_rate / rates['copy_with_indexes']:.0%} of "
            f"COPY's rate with all indexes, {stored_rate / rates['copy_with_indexes_lz4']:.0%} of it with lz4"
        )
    connection.close()
    if not args.keep:
        path.unlink()


if __name__ == "__main__":
    main()
