"""Writes for imports: create a batch, run it chunk by chunk (resumable), store uploads, report rejections.

A batch reads its files in a fixed order. A reader thread parses records into chunks and hands them,
a piece at a time, to worker processes that normalise them (imports.pipeline), while the calling
thread writes the previous chunk; chunks are written in input order whatever finishes first. Each
chunk is one transaction: the new articles, their batch links, exact-duplicate links, rejections, the
batch counts and the checkpoint commit together, so a killed run resumes exactly after the last
committed chunk and never stores a record twice.
"""

import contextlib
import json
import logging
import queue
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, reset_queries, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename, slugify

from articles.models import Article, Source
from articles.signals import articles_added
from imports import parsers
from imports.models import RAW_RECORD_LIMIT, BatchArticle, ExactDuplicate, ImportBatch, ImportRejection
from imports.normalise import ArticleRow, clean_json
from imports.pipeline import Normalised, Normaliser, Refused, copy_row_tail, default_workers

logger = logging.getLogger(__name__)

CHUNK_SIZE = 2000
# A chunk is also cut at this much text, so that memory stays bounded when records are large.
CHUNK_BYTES = 8 * 1024 * 1024
# At most this many chunks exist at once: one being written, the next ones being read and normalised.
CHUNKS_IN_FLIGHT = 2
# Records go to the normaliser in pieces of a chunk, so that its processes hold little at a time and
# start on a chunk while the rest of it is still being read.
PIECE_SIZE = 250
PIECE_BYTES = 1024 * 1024
# Advisory-lock namespaces (first key of PostgreSQL's two-key advisory locks).
_LOCK_SOURCE = 0x1D0C
_LOCK_BATCH = 0x1D0D
FORMATS = {choice for choice, _ in ImportBatch.Format.choices}


class ImportError_(Exception):
    """The import cannot start: bad arguments or unreadable input. The message is for the user."""


class BatchBusy(Exception):
    """Another process is running this batch right now."""


# --- Creating a batch -----------------------------------------------------------------------------


def import_batch_create(
    *,
    entries: list[dict],
    format: str = "auto",
    default_source: str = "",
    created_by=None,
    origin: str = "cli",
) -> ImportBatch:
    """Record a queued batch over files/folders given as [{"path": ..., "name": ...}]."""
    if format not in FORMATS:
        raise ImportError_(f"unknown format {format!r}; use one of {', '.join(sorted(FORMATS))}")
    if not entries:
        raise ImportError_("no files to import")
    try:
        disk_files = parsers.walk_inputs(entries)
    except (parsers.InputError, OSError) as error:
        raise ImportError_(str(error)) from None
    for disk_file in disk_files:
        try:
            with disk_file.path.open("rb"):
                pass
        except OSError as error:
            raise ImportError_(f"{disk_file.name}: cannot be read ({error.strerror})") from None
    default_source = " ".join(default_source.split())[:200]
    return ImportBatch.objects.create(
        files=[{"path": str(entry["path"]), "name": entry.get("name") or str(entry["path"])} for entry in entries],
        format=format,
        default_source=default_source,
        created_by=created_by,
        origin=origin,
        bytes_total=sum(disk_file.size for disk_file in disk_files),
    )


def import_uploads_store(*, files: list[UploadedFile]) -> list[dict]:
    """Stream uploaded files to MEDIA_ROOT/imports/<random>/ in chunks; never read one whole into memory."""
    folder = Path(settings.MEDIA_ROOT) / "imports" / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    for number, upload in enumerate(files):
        original = Path(upload.name or "upload").name[:200]
        safe = get_valid_filename(original) or f"upload-{number}"
        target = folder / f"{number:03d}-{safe}"
        with target.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        entries.append({"path": str(target), "name": original})
    return entries


def import_uploads_delete(*, batch: ImportBatch) -> None:
    """Remove a finished web batch's uploaded files; its report keeps what was rejected."""
    uploads = (Path(settings.MEDIA_ROOT) / "imports").resolve()
    for entry in batch.files:
        path = Path(entry["path"]).resolve()
        if uploads in path.parents:
            path.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                path.parent.rmdir()  # only once the folder is empty


# --- Reading: the producer side ------------------------------------------------------------------


@dataclass
class Entry:
    """One record on its way to the database: a normalised row, or the reason it is rejected."""

    unit: int
    index: int
    file: str
    member: str
    line: int | None
    row_number: int | None
    raw: str
    record: dict | None = None
    article: ArticleRow | None = None
    error: str = ""
    error_field: str = ""
    skipped: bool = False
    warnings: list[str] = field(default_factory=list)
    copy_tail: bytes = b""


@dataclass
class Chunk:
    """Records read in a row, with where the next chunk starts. Each piece of it is a number of entries
    and the normaliser's future results for them; `finish` fills in each entry's row or rejection."""

    entries: list[Entry]
    checkpoint: dict
    bytes_read: int
    pieces: list[tuple[int, Future]] = field(default_factory=list)

    def finish(self) -> None:
        start = 0
        for count, normalised in self.pieces:
            for entry, result in zip(self.entries[start : start + count], normalised.result(), strict=True):
                if isinstance(result, Normalised):
                    entry.article, entry.copy_tail = result.article, result.copy_tail
                    entry.warnings += result.article.warnings
                elif isinstance(result, Refused):
                    entry.error, entry.error_field, entry.record = result.reason, result.field, result.record
            start += count
        self.pieces = []


def _items(batch: ImportBatch) -> Iterator[tuple[Entry, dict | None, int]]:
    """Every record of the batch after its checkpoint, parsed but not normalised, with the number of
    input bytes read so far."""
    checkpoint_unit = batch.checkpoint.get("unit", -1)
    checkpoint_item = batch.checkpoint.get("item", 0)
    disk_files = parsers.walk_inputs(batch.files)
    done_bytes = 0
    unit_index = 0
    for disk_file in disk_files:
        try:
            for unit in parsers.iter_units(disk_file, batch.format, unit_index):
                unit_index = unit.index + 1
                if unit.index < checkpoint_unit:
                    continue
                skip = checkpoint_item if unit.index == checkpoint_unit else 0
                for item in parsers.read_unit(unit):
                    if item.index < skip:
                        continue
                    entry = Entry(
                        unit=unit.index,
                        index=item.index,
                        file=unit.file,
                        member=unit.member,
                        line=item.line,
                        row_number=item.row,
                        raw=item.raw,
                        error=item.error,
                        error_field=item.error_field,
                        warnings=item.warnings,
                        skipped=bool(unit.error and unit.error.endswith("skipped")),
                    )
                    yield entry, None if item.error else item.fields, done_bytes + disk_file.position()
        finally:
            disk_file.close()
        done_bytes += disk_file.size


def _record_size(record: dict | None) -> int:
    """About how much text a parsed record holds, nested lists and objects included (a body may be a list
    of paragraphs), so that chunks are cut by what they hold in memory."""
    size = 0
    pending: list = [record]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            size += len(value)
        elif isinstance(value, dict):
            pending += value.values()
        elif isinstance(value, list):
            pending += value
        elif value is not None:
            size += 16
    return size


def _produce(
    batch: ImportBatch,
    out: queue.Queue,
    slots: threading.Semaphore,
    stop: threading.Event,
    chunk_size: int,
    normaliser: Normaliser,
    for_copy: bool,
) -> None:
    """Cut the records into chunks and queue them for the writer in order, handing each piece of a chunk
    to the normaliser as soon as it is read. A chunk takes one of `slots` before its first record and the
    writer frees it once the chunk is written, so reading waits while the writer is behind."""
    chunk: Chunk | None = None
    records: list[dict | None] = []
    chunk_bytes = piece_bytes = 0

    def hand_on_piece() -> None:
        nonlocal records, piece_bytes
        if records:
            chunk.pieces.append((len(records), normaliser.submit(records, batch.default_source, for_copy)))
            records, piece_bytes = [], 0

    try:
        for entry, record, position in _items(batch):
            if chunk is None:
                while not slots.acquire(timeout=0.5):
                    if stop.is_set():
                        return
                chunk, chunk_bytes = Chunk([], {}, 0), 0
            chunk.entries.append(entry)
            records.append(record)
            size = len(entry.raw) + _record_size(record)
            chunk_bytes += size
            piece_bytes += size
            if len(records) >= PIECE_SIZE or piece_bytes >= PIECE_BYTES:
                hand_on_piece()
            if len(chunk.entries) >= chunk_size or chunk_bytes >= CHUNK_BYTES:
                hand_on_piece()
                chunk.checkpoint, chunk.bytes_read = {"unit": entry.unit, "item": entry.index + 1}, position
                out.put(chunk)
                chunk = None
            if stop.is_set():
                return
        if chunk is not None:
            hand_on_piece()
            last = chunk.entries[-1]
            chunk.checkpoint, chunk.bytes_read = {"unit": last.unit, "item": last.index + 1}, position
            out.put(chunk)
        out.put(None)
    except BaseException as error:  # handed to the writer, which re-raises it
        out.put(error)


# --- Writing: the consumer side ------------------------------------------------------------------


class _Sources:
    """Outlet ids by name, created on first sight (a unique slug is found when two names slugify alike)."""

    def __init__(self):
        self.ids: dict[str, int] = {}

    def resolve(self, names: set[str]) -> None:
        missing = [name for name in names if name not in self.ids]
        if not missing:
            return
        for source_id, name in Source.objects.filter(name__in=missing).values_list("id", "name"):
            self.ids[name] = source_id
        for name in missing:
            if name not in self.ids:
                self.ids[name] = self._create(name)

    def _create(self, name: str) -> int:
        base = slugify(name)[:180] or "source"
        for attempt in range(50):
            slug = base if attempt == 0 else f"{base}-{attempt + 1}"
            try:
                with transaction.atomic():
                    return Source.objects.create(name=name, slug=slug).pk
            except IntegrityError:
                existing = Source.objects.filter(name=name).values_list("id", flat=True).first()
                if existing:
                    return existing
        raise IntegrityError(f"no free slug for outlet {name!r}")


_STAGE_COLUMNS = (
    "source_id",
    "title",
    "body",
    "url",
    "external_id",
    "author",
    "published_at",
    "language",
    "word_count",
    "content_hash",
    "extra",
)
_STAGE_SQL = (
    "CREATE TEMP TABLE IF NOT EXISTS imports_stage (ord integer, source_id bigint, title text, body text, "
    "url text, external_id text, author text, published_at timestamptz, language text, word_count integer, "
    "content_hash text, extra jsonb) ON COMMIT DELETE ROWS"
)


_ARTICLE_COPY = (
    "COPY articles_article (id, source_id, created_at, created_by_id, title, body, url, external_id, author, "
    "published_at, language, word_count, content_hash, extra) FROM STDIN"
)


def _copy_lines(copy, lines: Iterator[bytes]) -> None:
    """Send COPY lines in blocks of about a megabyte, so that a chunk's text is never copied whole."""
    block: list[bytes] = []
    size = 0
    for line in lines:
        block.append(line)
        size += len(line)
        if size >= PIECE_BYTES:
            copy.write(b"".join(block))
            block, size = [], 0
    if block:
        copy.write(b"".join(block))


def _insert_postgresql(rows: list[tuple[Entry, int]], now, user_id: int | None) -> dict[tuple, int]:
    """COPY the rows straight into articles_article with ids drawn from its sequence, in file order.

    The identities were looked up under the outlets' advisory locks, so a conflict is rare: it takes a
    writer that does not take those locks (a single save, another import under other outlets with the
    same url). Then the COPY fails as a whole, its savepoint is rolled back and the chunk goes the
    slower way, through a staging table and INSERT ... ON CONFLICT DO NOTHING, which skips what is taken.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('articles_article', 'id')) FROM generate_series(1, %s)",
            [len(rows)],
        )
        ids = sorted(pk for (pk,) in cursor.fetchall())
        # lz4 compresses the 2-10 KB bodies several times faster than the default pglz, which otherwise
        # costs PostgreSQL more than all the indexes (the setting is for this transaction only).
        cursor.execute(
            "SELECT set_config('default_toast_compression', 'lz4', true) FROM pg_settings "
            "WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)"
        )
        created = b"%s\t%s" % (now.isoformat().encode(), b"%d" % user_id if user_id else rb"\N")
        try:
            with transaction.atomic(), cursor.copy(_ARTICLE_COPY) as copy:
                _copy_lines(
                    copy,
                    (
                        b"%d\t%d\t%s\t%s" % (pk, source_id, created, entry.copy_tail or copy_row_tail(entry.article))
                        for pk, (entry, source_id) in zip(ids, rows, strict=True)
                    ),
                )
        except (IntegrityError, psycopg.errors.UniqueViolation):
            return _insert_staged(rows, now, user_id)
    return {
        _identity(source_id, entry.article.external_id, entry.article.url, entry.article.content_hash): pk
        for pk, (entry, source_id) in zip(ids, rows, strict=True)
    }


def _insert_staged(rows: list[tuple[Entry, int]], now, user_id: int | None) -> dict[tuple, int]:
    """COPY the rows into a staging table, then INSERT ... ON CONFLICT DO NOTHING; returns ids by identity."""
    columns = ", ".join(_STAGE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(_STAGE_SQL)
        with cursor.copy(f"COPY imports_stage (ord, {columns}) FROM STDIN") as copy:
            _copy_lines(
                copy,
                (
                    b"%d\t%d\t%s" % (order, source_id, entry.copy_tail or copy_row_tail(entry.article))
                    for order, (entry, source_id) in enumerate(rows)
                ),
            )
        cursor.execute(
            f"INSERT INTO articles_article ({columns}, created_at, created_by_id) "  # noqa: S608
            f"SELECT {columns}, %s, %s FROM imports_stage ORDER BY ord "
            "ON CONFLICT DO NOTHING RETURNING id, source_id, external_id, url, content_hash",
            [now, user_id],
        )
        returned = cursor.fetchall()
    return {_identity(source_id, external_id, url, digest): pk for pk, source_id, external_id, url, digest in returned}


def _insert_portable(rows: list[tuple[Entry, int]], now, user_id: int | None) -> dict[tuple, int]:
    rows = [(entry.article, source_id) for entry, source_id in rows]
    articles = [
        Article(
            source_id=source_id,
            title=row.title,
            body=row.body,
            url=row.url,
            external_id=row.external_id,
            author=row.author,
            published_at=row.published_at,
            language=row.language,
            word_count=row.word_count,
            content_hash=row.content_hash,
            extra=row.extra,
            created_by_id=user_id,
        )
        for row, source_id in rows
    ]
    Article.objects.bulk_create(articles, batch_size=500)
    return {_identity(a.source_id, a.external_id, a.url, a.content_hash): a.pk for a in articles}


def _identity(source_id: int, external_id: str, url: str, digest: str) -> tuple:
    """How an article is recognised again: (outlet, external id), else url, else (outlet, text hash)."""
    if external_id:
        return ("external", source_id, external_id)
    if url:
        return ("url", url)
    return ("hash", source_id, digest)


def _joined(values) -> str:
    return "\x01".join(values)


@dataclass
class _Known:
    """What the database already holds of a chunk's identities, each found with one query per kind."""

    by_external: dict[tuple, tuple[int, str]] = field(default_factory=dict)  # (outlet, id) -> (pk, hash)
    by_url: dict[str, tuple[int, str]] = field(default_factory=dict)
    by_source_digest: dict[tuple, int] = field(default_factory=dict)  # earliest per (outlet, hash)
    first_by_digest: dict[str, int] = field(default_factory=dict)  # earliest per hash, any outlet
    ours: set[int] = field(default_factory=set)  # of those, the ones this batch created

    def add_digests(self, found) -> None:
        for pk, source_id, digest in found:  # in id order
            self.first_by_digest.setdefault(digest, pk)
            self.by_source_digest.setdefault((source_id, digest), pk)

    def matched(self) -> list[int]:
        pks = {pk for pk, _ in self.by_external.values()} | {pk for pk, _ in self.by_url.values()}
        return sorted(pks | set(self.by_source_digest.values()))

    @classmethod
    def postgresql(cls, batch: ImportBatch, external_keys: set[tuple], urls: set[str], digests: set[str]) -> "_Known":
        """One index probe per key: a LATERAL subquery behind OFFSET 0, which the planner keeps as it is,
        because for a few thousand keys it otherwise scans the whole table, whose size then sets the cost
        of every chunk. Each list goes as one string of values joined by \\x01, which the normaliser
        removes from every field: adapting thousands of values as an array parameter costs more than the
        probes themselves."""
        known = cls()
        with connection.cursor() as cursor:
            if external_keys:
                source_ids, external_ids = zip(*external_keys, strict=True)
                cursor.execute(
                    "SELECT a.id, a.source_id, a.external_id, a.content_hash "
                    "FROM unnest(string_to_array(%s, ',')::bigint[], string_to_array(%s, E'\\x01')) "
                    "AS k (source_id, external_id) CROSS JOIN LATERAL ("
                    "SELECT id, source_id, external_id, content_hash FROM articles_article "
                    "WHERE source_id = k.source_id AND external_id = k.external_id AND external_id <> '' OFFSET 0"
                    ") AS a",
                    [",".join(map(str, source_ids)), _joined(external_ids)],
                )
                known.by_external = {(sid, ext): (pk, digest) for pk, sid, ext, digest in cursor.fetchall()}
            if urls:
                cursor.execute(
                    "SELECT a.id, a.url, a.content_hash FROM unnest(string_to_array(%s, E'\\x01')) AS k (url) "
                    "CROSS JOIN LATERAL ("
                    "SELECT id, url, content_hash FROM articles_article WHERE url = k.url AND url <> '' OFFSET 0"
                    ") AS a",
                    [_joined(urls)],
                )
                known.by_url = {url: (pk, digest) for pk, url, digest in cursor.fetchall()}
            if digests:
                cursor.execute(
                    "SELECT a.id, a.source_id, a.content_hash "
                    "FROM unnest(string_to_array(%s, E'\\x01')) AS k (content_hash) CROSS JOIN LATERAL ("
                    "SELECT id, source_id, content_hash FROM articles_article WHERE content_hash = k.content_hash "
                    "OFFSET 0) AS a ORDER BY a.id",
                    [_joined(digests)],
                )
                known.add_digests(cursor.fetchall())
            matched = known.matched()
            if matched:
                cursor.execute(
                    "SELECT b.article_id FROM unnest(string_to_array(%s, ',')::bigint[]) AS k (article_id) "
                    "CROSS JOIN LATERAL ("
                    "SELECT article_id FROM imports_batcharticle WHERE article_id = k.article_id AND batch_id = %s "
                    "OFFSET 0) AS b",
                    [",".join(map(str, matched)), batch.pk],
                )
                known.ours = {pk for (pk,) in cursor.fetchall()}
        return known

    @classmethod
    def portable(cls, batch: ImportBatch, external_keys: set[tuple], urls: set[str], digests: set[str]) -> "_Known":
        known = cls()
        # order_by() drops Article's default ordering where nothing needs sorting.
        if external_keys:
            found = (
                Article.objects.filter(
                    source_id__in={key[0] for key in external_keys}, external_id__in={key[1] for key in external_keys}
                )
                .order_by()
                .values_list("id", "source_id", "external_id", "content_hash")
            )
            known.by_external = {
                (sid, ext): (pk, digest) for pk, sid, ext, digest in found if (sid, ext) in external_keys
            }
        if urls:
            found = Article.objects.filter(url__in=urls).order_by().values_list("id", "url", "content_hash")
            known.by_url = {url: (pk, digest) for pk, url, digest in found}
        if digests:
            found = Article.objects.filter(content_hash__in=digests).order_by("id")
            known.add_digests(found.values_list("id", "source_id", "content_hash"))
        matched = known.matched()
        if matched:
            known.ours = set(
                BatchArticle.objects.filter(batch=batch, article_id__in=matched).values_list("article_id", flat=True)
            )
        return known


@dataclass
class ChunkResult:
    imported: int = 0
    duplicates: int = 0
    unchanged: int = 0
    rejected: int = 0
    warnings: int = 0
    exact_copies: int = 0
    article_ids: list[int] = field(default_factory=list)


def _issue(batch: ImportBatch, entry: Entry, kind: str, reason: str, field_name: str = "") -> ImportRejection:
    raw = entry.raw
    if not raw and entry.record is not None:
        raw = json.dumps(clean_json(entry.record), ensure_ascii=False, default=str)
    truncated = len(raw) > RAW_RECORD_LIMIT
    return ImportRejection(
        batch=batch,
        kind=kind,
        file=entry.file[:1000],
        member=entry.member[:1000],
        line=entry.line,
        row=entry.row_number,
        field=field_name[:100],
        reason=reason,
        raw=raw[:RAW_RECORD_LIMIT].replace("\x00", "") if kind == ImportRejection.Kind.REJECTED else "",
        raw_truncated=truncated and kind == ImportRejection.Kind.REJECTED,
    )


def _write_chunk(batch: ImportBatch, chunk: Chunk, sources: _Sources) -> ChunkResult:
    result = ChunkResult()
    issues: list[ImportRejection] = []
    postgres = connection.vendor == "postgresql"
    valid = [entry for entry in chunk.entries if entry.article is not None]
    sources.resolve({entry.article.source_name for entry in valid})
    if postgres and valid:
        source_ids = sorted({sources.ids[entry.article.source_name] for entry in valid})
        with connection.cursor() as cursor:
            # Serialise imports into the same outlets, so that identities found missing below stay missing.
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, s) FROM (SELECT unnest(%s::int[]) AS s ORDER BY 1) AS ordered",
                [_LOCK_SOURCE, source_ids],
            )

    external_keys = {
        (sources.ids[e.article.source_name], e.article.external_id) for e in valid if e.article.external_id
    }
    urls = {e.article.url for e in valid if e.article.url}
    digests = {e.article.content_hash for e in valid}
    known = (_Known.postgresql if postgres else _Known.portable)(batch, external_keys, urls, digests)
    by_external, by_url, by_source_digest = known.by_external, known.by_url, known.by_source_digest

    new_rows: list[tuple[Entry, int]] = []
    seen: dict[tuple, Entry] = {}
    for entry in chunk.entries:
        if entry.error:
            kind = ImportRejection.Kind.WARNING if entry.skipped else ImportRejection.Kind.REJECTED
            issues.append(_issue(batch, entry, kind, entry.error, entry.error_field))
            if not entry.skipped:
                result.rejected += 1
            continue
        for warning in entry.warnings:
            issues.append(_issue(batch, entry, ImportRejection.Kind.WARNING, warning))
        row = entry.article
        source_id = sources.ids[row.source_name]
        keys = []
        if row.external_id:
            keys.append(("external", source_id, row.external_id))
        if row.url:
            keys.append(("url", row.url))
        if not keys:
            keys.append(("hash", source_id, row.content_hash))
        existing = (
            by_external.get((source_id, row.external_id))
            or by_url.get(row.url)
            or (
                (by_source_digest[(source_id, row.content_hash)], row.content_hash)
                if keys[0][0] == "hash" and (source_id, row.content_hash) in by_source_digest
                else None
            )
        )
        if existing is not None:
            pk, stored_digest = existing
            if pk in known.ours:
                result.duplicates += 1
                issues.append(
                    _issue(
                        batch,
                        entry,
                        ImportRejection.Kind.WARNING,
                        f"repeats a record already imported by this batch (article #{pk}); counted once",
                    )
                )
            else:
                result.unchanged += 1
                if stored_digest != row.content_hash:
                    issues.append(
                        _issue(
                            batch,
                            entry,
                            ImportRejection.Kind.WARNING,
                            f"article #{pk} is stored with a different text; articles are never "
                            "changed by an import, so the stored text is kept",
                        )
                    )
            continue
        earlier = next((seen[key] for key in keys if key in seen), None)
        if earlier is not None:
            result.duplicates += 1
            where = f"line {earlier.line}" if earlier.line else f"record {earlier.index + 1}"
            issues.append(
                _issue(
                    batch,
                    entry,
                    ImportRejection.Kind.WARNING,
                    f"repeats the record at {earlier.file} {where}; counted once",
                )
            )
            continue
        for key in keys:
            seen[key] = entry
        new_rows.append((entry, source_id))

    now = timezone.now()
    if new_rows:
        inserted = (_insert_postgresql if postgres else _insert_portable)(new_rows, now, batch.created_by_id)
        links: list[ExactDuplicate] = []
        chunk_first: dict[str, int] = {}
        origins: list[BatchArticle] = []
        for entry, source_id in new_rows:
            row = entry.article
            pk = inserted.get(_identity(source_id, row.external_id, row.url, row.content_hash))
            if pk is None:
                # Another import stored this identity between our lookup and insert.
                result.unchanged += 1
                continue
            result.imported += 1
            result.article_ids.append(pk)
            if not postgres:
                origins.append(BatchArticle(batch=batch, article_id=pk))
            earliest = known.first_by_digest.get(row.content_hash) or chunk_first.get(row.content_hash)
            if earliest is not None and earliest < pk:
                links.append(ExactDuplicate(article_id=pk, duplicate_of_id=earliest))
            elif earliest is None:
                chunk_first[row.content_hash] = pk
        if postgres:
            # One statement instead of thousands of model instances.
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO imports_batcharticle (batch_id, article_id) "
                    "SELECT %s, unnest(string_to_array(%s, ',')::bigint[])",
                    [batch.pk, ",".join(map(str, result.article_ids))],
                )
        else:
            BatchArticle.objects.bulk_create(origins, batch_size=500)
        if links:
            ExactDuplicate.objects.bulk_create(links, ignore_conflicts=True)
            result.exact_copies = len(links)
    if issues:
        ImportRejection.objects.bulk_create(issues, batch_size=1000)
    result.warnings = sum(1 for issue in issues if issue.kind == ImportRejection.Kind.WARNING)
    return result


# --- Running a batch -----------------------------------------------------------------------------


def _claim(batch_id: int) -> bool:
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_BATCH, batch_id])
        return bool(cursor.fetchone()[0])


def _release(batch_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_BATCH, batch_id])


def import_batch_run(
    *,
    batch_id: int,
    on_progress: Callable[[ImportBatch], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
    workers: int | None = None,
) -> ImportBatch:
    """Run (or resume) a batch from its checkpoint to the end. Running a finished batch does nothing.

    `workers` processes normalise records (default: settings.IMPORT_WORKERS, else one per CPU up to
    two); with 0, the reader thread normalises them itself. Chunks are written and committed in input order either way.
    """
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status == ImportBatch.Status.DONE:
        return batch
    if workers is None:
        workers = import_workers()
    if not _claim(batch_id):
        raise BatchBusy(f"batch #{batch_id} is being run by another process")
    stop = threading.Event()
    normaliser = None
    try:
        batch.status = ImportBatch.Status.RUNNING
        batch.started_at = batch.started_at or timezone.now()
        batch.error = ""
        batch.save(update_fields=["status", "started_at", "error"])
        normaliser = Normaliser(workers)
        chunks: queue.Queue = queue.Queue()
        slots = threading.Semaphore(CHUNKS_IN_FLIGHT)
        reader = threading.Thread(
            target=_produce,
            args=(batch, chunks, slots, stop, chunk_size, normaliser, connection.vendor == "postgresql"),
            daemon=True,
        )
        reader.start()
        sources = _Sources()
        while True:
            chunk = chunks.get()
            if chunk is None:
                break
            if isinstance(chunk, BaseException):
                raise chunk
            chunk.finish()
            with transaction.atomic():
                result = _chunk_commit(batch, chunk, sources)
            del chunk
            slots.release()
            reset_queries()  # with DEBUG on, Django logs every query: the log would grow with the dump
            if result.article_ids:
                articles_added.send(sender=ImportBatch, article_ids=result.article_ids, batch_id=batch.pk)
            if on_progress:
                on_progress(batch)
        reader.join()
        normaliser.close()
        batch.status = ImportBatch.Status.DONE
        batch.finished_at = timezone.now()
        batch.bytes_read = batch.bytes_total
        batch.save(update_fields=["status", "finished_at", "bytes_read"])
        if batch.origin == "web":
            import_uploads_delete(batch=batch)
        if on_progress:
            on_progress(batch)
        return batch
    except BaseException as error:
        stop.set()
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.FAILED, error=f"{type(error).__name__}: {error}"[:2000]
        )
        raise
    finally:
        stop.set()
        if normaliser is not None:
            normaliser.close(cancel=True)
        _release(batch_id)


def import_workers() -> int:
    """How many processes normalise records when a run does not say."""
    configured = getattr(settings, "IMPORT_WORKERS", None)
    return default_workers() if configured is None else int(configured)


def _chunk_commit(batch: ImportBatch, chunk: Chunk, sources: _Sources) -> ChunkResult:
    """Write one chunk and move the checkpoint, inside the caller's transaction."""
    result = _write_chunk(batch, chunk, sources)
    batch.imported += result.imported
    batch.duplicates += result.duplicates
    batch.unchanged += result.unchanged
    batch.rejected += result.rejected
    batch.warnings += result.warnings
    batch.exact_copies += result.exact_copies
    batch.total += result.imported + result.duplicates + result.unchanged + result.rejected
    batch.bytes_read = max(batch.bytes_read, min(chunk.bytes_read, batch.bytes_total))
    batch.checkpoint = chunk.checkpoint
    batch.save(
        update_fields=[
            "imported",
            "duplicates",
            "unchanged",
            "rejected",
            "warnings",
            "exact_copies",
            "total",
            "bytes_read",
            "checkpoint",
        ]
    )
    return result
