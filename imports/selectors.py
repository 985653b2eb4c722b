"""Reads for the Import pages: batches, their rejected records, and the rejected records as JSONL."""

import json
from collections.abc import Iterator

from django.db.models import QuerySet

from imports.models import ImportBatch, ImportRejection
from imports.normalise import REJECTION_KEY


def import_batch_list() -> QuerySet[ImportBatch]:
    return ImportBatch.objects.select_related("created_by").order_by("-created_at", "-id")


def import_batch_get(*, pk: int) -> ImportBatch:
    return ImportBatch.objects.select_related("created_by").get(pk=pk)


def import_rejection_list(*, batch: ImportBatch, kind: str = ImportRejection.Kind.REJECTED) -> QuerySet:
    return batch.rejections.filter(kind=kind).order_by("id")


def import_rejections_jsonl(*, batch: ImportBatch) -> Iterator[str]:
    """One line per rejected record: the record itself (to fix and re-import) with where and why under
    `_rejected`, which the importer ignores."""
    rejections = import_rejection_list(batch=batch).only(
        "file", "member", "line", "row", "field", "reason", "raw", "raw_truncated"
    )
    for rejection in rejections.iterator(chunk_size=500):
        try:
            record = json.loads(rejection.raw) if rejection.raw else None
        except ValueError:
            record = None
        if not isinstance(record, dict):
            record = {"raw": rejection.raw} if rejection.raw else {}
        record[REJECTION_KEY] = {
            "file": rejection.file,
            "member": rejection.member or None,
            "line": rejection.line,
            "record": rejection.row,
            "field": rejection.field or None,
            "reason": rejection.reason,
            "raw_truncated": rejection.raw_truncated,
        }
        yield json.dumps(record, ensure_ascii=False) + "\n"
