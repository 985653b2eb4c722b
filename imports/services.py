"""Writes for imports: create a batch, run it chunk by chunk (resumable), store uploads, report rejections.

A batch reads its files in a fixed order. A reader thread parses and normalises records into chunks
while the main thread writes the previous chunk, so parsing and PostgreSQL work overlap on two cores.
Each chunk is one transaction: the new articles, their batch links, exact-duplicate links,
rejections, the batch counts and the checkpoint commit together, so a killed run resumes exactly
after the last committed chunk and never stores a record twice.
"""

import contextlib
import json
import logging
import queue
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename, slugify

from articles.models import Article, Source
from articles.signals import articles_added
from imports import parsers
from imports.models import RAW_RECORD_LIMIT, BatchArticle, ExactDuplicate, ImportBatch, ImportRejection
from imports.normalise import ArticleRow, Rejected, clean_json, record_to_row

logger = logging.getLogger(__name__)

CHUNK_SIZE = 2000
# A chunk is also cut at this much text, so that memory stays bounded when records are large:
# at most three chunks exist at once (being read, queued, being written).
CHUNK_BYTES = 8 * 1024 * 1024
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
    copy_tail: str = ""


@dataclass
class Chunk:
    entries: list[Entry]
    checkpoint: dict
    bytes_read: int


def _entries(batch: ImportBatch, for_copy: bool) -> Iterator[tuple[Entry, int]]:
    """Every record of the batch after its checkpoint, with the number of input bytes read so far."""
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
                    if not item.error:
                        try:
                            entry.article = record_to_row(item.fields, default_source=batch.default_source)
                            entry.warnings += entry.article.warnings
                            if for_copy:
                                entry.copy_tail = copy_row_tail(entry.article)
                                entry.article.body = ""  # the COPY text holds it; keep one copy in memory
                        except Rejected as rejected:
                            entry.error, entry.error_field = rejected.reason, rejected.field
                            entry.record = item.fields
                    yield entry, done_bytes + disk_file.position()
        finally:
            disk_file.close()
        done_bytes += disk_file.size


def _produce(batch: ImportBatch, out: queue.Queue, stop: threading.Event, chunk_size: int, for_copy: bool) -> None:
    def put(value) -> None:
        while not stop.is_set():
            try:
                out.put(value, timeout=0.5)
                return
            except queue.Full:
                continue

    try:
        entries: list[Entry] = []
        position = size = 0
        for entry, position in _entries(batch, for_copy=for_copy):
            entries.append(entry)
            size += len(entry.raw) + len(entry.copy_tail) + (len(entry.article.body) if entry.article else 0)
            if len(entries) >= chunk_size or size >= CHUNK_BYTES:
                put(Chunk(entries, {"unit": entry.unit, "item": entry.index + 1}, position))
                entries, size = [], 0
            if stop.is_set():
                return
        if entries:
            last = entries[-1]
            put(Chunk(entries, {"unit": last.unit, "item": last.index + 1}, position))
        put(None)
    except BaseException as error:  # handed to the writer, which re-raises it
        put(error)


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


def _copy_text(value: str) -> str:
    """A value in PostgreSQL's COPY text format."""
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_row_tail(row: ArticleRow) -> str:
    """The COPY text of a row after its order and outlet id. Built by the reader thread, so that the
    writer only streams ready-made text while PostgreSQL is busy with the previous chunk."""
    extra = _copy_text(json.dumps(row.extra, ensure_ascii=False)) if row.extra else "{}"
    published = row.published_at.isoformat() if row.published_at else "\\N"
    return (
        f"{_copy_text(row.title)}\t{_copy_text(row.body)}\t{_copy_text(row.url)}\t{_copy_text(row.external_id)}\t"
        f"{_copy_text(row.author)}\t{published}\t{_copy_text(row.language)}\t{row.word_count}\t"
        f"{row.content_hash}\t{extra}\n"
    )


def _insert_postgresql(rows: list[tuple[Entry, int]], now, user_id: int | None) -> dict[tuple, int]:
    """COPY the rows into a staging table, then INSERT ... ON CONFLICT DO NOTHING; returns ids by identity."""
    columns = ", ".join(_STAGE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(_STAGE_SQL)
        with cursor.copy(f"COPY imports_stage (ord, {columns}) FROM STDIN") as copy:
            copy.write(
                "".join(
                    f"{order}\t{source_id}\t{entry.copy_tail or copy_row_tail(entry.article)}"
                    for order, (entry, source_id) in enumerate(rows)
                ).encode("utf-8")
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
    by_external: dict[tuple, tuple[int, str]] = {}
    if external_keys:
        # order_by() drops Article's default ordering: nothing here needs sorting.
        found = (
            Article.objects.filter(
                source_id__in={key[0] for key in external_keys}, external_id__in={key[1] for key in external_keys}
            )
            .order_by()
            .values_list("id", "source_id", "external_id", "content_hash")
        )
        by_external = {(sid, ext): (pk, digest) for pk, sid, ext, digest in found if (sid, ext) in external_keys}
    by_url: dict[str, tuple[int, str]] = {}
    if urls:
        by_url = {
            url: (pk, digest)
            for pk, url, digest in Article.objects.filter(url__in=urls)
            .order_by()
            .values_list("id", "url", "content_hash")
        }
    first_by_digest: dict[str, int] = {}
    by_source_digest: dict[tuple, int] = {}
    if digests:
        same_text = Article.objects.filter(content_hash__in=digests).order_by("id")
        for pk, sid, digest in same_text.values_list("id", "source_id", "content_hash"):
            first_by_digest.setdefault(digest, pk)
            by_source_digest.setdefault((sid, digest), pk)
    matched = {pk for pk, _ in by_external.values()} | {pk for pk, _ in by_url.values()}
    matched |= set(by_source_digest.values())
    ours = (
        set(BatchArticle.objects.filter(batch=batch, article_id__in=matched).values_list("article_id", flat=True))
        if matched
        else set()
    )

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
            if pk in ours:
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
            earliest = first_by_digest.get(row.content_hash) or chunk_first.get(row.content_hash)
            if earliest is not None and earliest < pk:
                links.append(ExactDuplicate(article_id=pk, duplicate_of_id=earliest))
            elif earliest is None:
                chunk_first[row.content_hash] = pk
        if postgres:
            # One statement instead of thousands of model instances.
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO imports_batcharticle (batch_id, article_id) SELECT %s, unnest(%s::bigint[])",
                    [batch.pk, result.article_ids],
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
) -> ImportBatch:
    """Run (or resume) a batch from its checkpoint to the end. Running a finished batch does nothing."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status == ImportBatch.Status.DONE:
        return batch
    if not _claim(batch_id):
        raise BatchBusy(f"batch #{batch_id} is being run by another process")
    stop = threading.Event()
    try:
        batch.status = ImportBatch.Status.RUNNING
        batch.started_at = batch.started_at or timezone.now()
        batch.error = ""
        batch.save(update_fields=["status", "started_at", "error"])
        chunks: queue.Queue = queue.Queue(maxsize=1)
        reader = threading.Thread(
            target=_produce, args=(batch, chunks, stop, chunk_size, connection.vendor == "postgresql"), daemon=True
        )
        reader.start()
        sources = _Sources()
        while True:
            chunk = chunks.get()
            if chunk is None:
                break
            if isinstance(chunk, BaseException):
                raise chunk
            with transaction.atomic():
                result = _chunk_commit(batch, chunk, sources)
            if result.article_ids:
                articles_added.send(sender=ImportBatch, article_ids=result.article_ids, batch_id=batch.pk)
            if on_progress:
                on_progress(batch)
        reader.join()
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
        _release(batch_id)


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
