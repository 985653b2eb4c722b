"""Helpers for import tests: write a dump to disk and run it through the service."""

import gzip
import json
from pathlib import Path

from imports import services
from imports.models import ImportBatch


def write(path: Path, content: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def jsonl(*records: dict) -> str:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


def gz(content: str | bytes) -> bytes:
    return gzip.compress(content.encode("utf-8") if isinstance(content, str) else content)


def record(n: int, **overrides) -> dict:
    base = {
        "external_id": f"r-{n}",
        "source": "Harbour Gazette",
        "title": f"Dam holds as river peaks, report {n}",
        "body": f"Report {n}. The harbour authority said 11,000 residents had moved.\n\nEngineers inspected it.",
        "published_at": "2026-03-01T09:00:00Z",
    }
    base.update(overrides)
    return base


def run_import(*paths: Path, format: str = "auto", source: str = "", chunk_size: int = 1000, user=None):
    """Create and run a batch over the given paths; returns the finished batch."""
    batch = services.import_batch_create(
        entries=[{"path": str(path), "name": path.name} for path in paths],
        format=format,
        default_source=source,
        created_by=user,
    )
    services.import_batch_run(batch_id=batch.pk, chunk_size=chunk_size)
    return ImportBatch.objects.get(pk=batch.pk)


def reasons(batch: ImportBatch, kind: str = "rejected") -> list[str]:
    return list(batch.rejections.filter(kind=kind).values_list("reason", flat=True))
