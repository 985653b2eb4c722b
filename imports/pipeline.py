"""Normalise records in worker processes, so that several cores share the work of a single dump.

One PostgreSQL backend stores the rows of a batch; what it is fed with (HTML reduced to text, Unicode
normalisation, hashing, COPY text) is pure Python work that one interpreter does a record at a time.
The reader hands chunks of parsed records, a piece at a time, to a pool of processes started with
"spawn", which load this module and `imports.normalise` only (not Django), and gets back per record
either the row with its ready-made COPY text or the reason it is rejected, in order. With no workers the
same function runs in the calling thread. Nothing here touches the database.

"spawn" starts each worker afresh (no copy of the parent's database connections, threads or memory),
but like every multiprocessing start method but "fork" it imports the calling program's main module
again: a script that runs an import needs the usual `if __name__ == "__main__":` guard (manage.py,
Celery and pytest have it).
"""

import json
import logging
import multiprocessing
import os
import signal
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing.connection import wait
from typing import NamedTuple

from imports.normalise import ArticleRow, Rejected, record_to_row

logger = logging.getLogger(__name__)


class Normalised(NamedTuple):
    """A record that became a row. `copy_tail` is its COPY text after the id and outlet columns; when it
    is set, `article.body` is emptied (the COPY text holds it), so the body exists once in memory."""

    article: ArticleRow
    copy_tail: bytes


class Refused(NamedTuple):
    """A record that cannot become an article, with the record itself for the report."""

    reason: str
    field: str
    record: dict


def _copy_text(value: str) -> str:
    """A value in PostgreSQL's COPY text format."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_row_tail(row: ArticleRow) -> bytes:
    """The COPY text of a row's columns title, body, url, external_id, author, published_at, language,
    word_count, content_hash and extra, ending the line."""
    extra = _copy_text(json.dumps(row.extra, ensure_ascii=False)) if row.extra else "{}"
    published = row.published_at.isoformat() if row.published_at else "\\N"
    # A normalised body has no tabs or carriage returns left: two of the four replacements will do.
    body = row.body.replace("\\", "\\\\").replace("\n", "\\n")
    return (
        f"{_copy_text(row.title)}\t{body}\t{_copy_text(row.url)}\t{_copy_text(row.external_id)}\t"
        f"{_copy_text(row.author)}\t{published}\t{_copy_text(row.language)}\t{row.word_count}\t"
        f"{row.content_hash}\t{extra}\n"
    ).encode()


def normalise_records(
    records: list[dict | None], default_source: str, for_copy: bool
) -> list[Normalised | Refused | None]:
    """Each parsed record as a row (with its COPY text when `for_copy`) or refused; None stays None
    (a record the parser could not read)."""
    results: list[Normalised | Refused | None] = []
    for record in records:
        if record is None:
            results.append(None)
            continue
        try:
            row = record_to_row(record, default_source=default_source)
        except Rejected as rejected:
            results.append(Refused(rejected.reason, rejected.field, record))
            continue
        tail = b""
        if for_copy:
            tail = copy_row_tail(row)
            row.body = ""
        results.append(Normalised(row, tail))
    return results


def _start_worker() -> None:
    """Ignore Ctrl-C, which reaches the whole process group: the parent stops the batch and shuts the pool
    down. And end with the parent: a parent killed outright cannot, and the pool's pipes stay open."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:

        def exit_with_parent() -> None:
            wait([parent.sentinel])
            os._exit(1)

        threading.Thread(target=exit_with_parent, daemon=True).start()


# Two processes normalise records faster than one writer and its PostgreSQL backend store them (each
# side costs about 60-70 microseconds of CPU per 600-word article); more would only take memory.
MOST_WORKERS_BY_DEFAULT = 2


def default_workers() -> int:
    """One process per CPU this process may run on, at most two; none on a single CPU, where a worker
    would only add the cost of passing records between processes."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return 0 if cpus < 2 else min(cpus, MOST_WORKERS_BY_DEFAULT)


class Normaliser:
    """Runs `normalise_records` on chunks: in `workers` processes, or in the calling thread when 0.

    A daemonic process, such as a worker of Celery's prefork pool, may not start processes of its own;
    there the records are normalised in the calling thread too.
    """

    def __init__(self, workers: int):
        if workers > 0 and multiprocessing.current_process().daemon:
            logger.info("normalising in this process: a daemonic process may not start worker processes")
            workers = 0
        self.workers = workers
        self.pool = None
        if workers > 0:
            spawn = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=spawn, initializer=_start_worker)

    def submit(self, records: list[dict | None], default_source: str, for_copy: bool) -> Future:
        if self.pool is not None:
            return self.pool.submit(normalise_records, records, default_source, for_copy)
        future: Future = Future()
        try:
            future.set_result(normalise_records(records, default_source, for_copy))
        except BaseException as error:  # handed to whoever waits on the result
            future.set_exception(error)
        return future

    def close(self, *, cancel: bool = False) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=not cancel, cancel_futures=cancel)
