"""Import article dumps: files, folders, .gz and .zip of JSONL, JSON, CSV/TSV or plain text."""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports import services
from imports.models import ImportBatch


class Command(BaseCommand):
    help = (
        "Import article dumps and print `imported N, duplicates D, unchanged U, rejected R (batch #ID)`. "
        "Exit status: 0 nothing rejected, 1 some records rejected (the valid ones are kept), "
        "2 unreadable input or wrong arguments."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", type=Path, help="Files, folders, .gz or .zip archives.")
        parser.add_argument("--source", default="", help="Outlet for records that name none.")
        parser.add_argument(
            "--format",
            default="auto",
            choices=["auto", "jsonl", "csv", "txt"],
            help="Read every file as this format instead of going by its name.",
        )
        parser.add_argument("--resume", type=int, metavar="ID", help="Resume an interrupted batch from its checkpoint.")
        parser.add_argument("--chunk-size", type=int, default=services.CHUNK_SIZE, help="Records per transaction.")
        parser.add_argument(
            "--workers",
            type=int,
            metavar="N",
            help="Processes that normalise records while this one writes (default: the IMPORT_WORKERS "
            "setting, else one per CPU up to two; 0: this process does all the work).",
        )

    def handle(
        self,
        *args,
        paths: list[Path],
        source: str,
        format: str,
        resume: int | None,
        chunk_size: int,
        workers: int | None,
        **opts,
    ):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1", returncode=2)
        if workers is not None and workers < 0:
            raise CommandError("--workers must be 0 or more", returncode=2)
        if resume is not None:
            if paths:
                raise CommandError("give either paths or --resume, not both", returncode=2)
            batch = ImportBatch.objects.filter(pk=resume).first()
            if batch is None:
                raise CommandError(f"no import batch #{resume}", returncode=2)
        else:
            if not paths:
                raise CommandError("give at least one file or folder to import", returncode=2)
            try:
                batch = services.import_batch_create(
                    entries=[{"path": str(path.resolve()), "name": str(path)} for path in paths],
                    format=format,
                    default_source=source,
                    origin="cli",
                )
            except services.ImportError_ as error:
                raise CommandError(str(error), returncode=2) from None

        progress = _Progress(self.stderr, interactive=self.stderr.isatty())
        try:
            batch = services.import_batch_run(
                batch_id=batch.pk, on_progress=progress.update, chunk_size=chunk_size, workers=workers
            )
        except services.BatchBusy as error:
            raise CommandError(str(error), returncode=2) from None
        except KeyboardInterrupt:
            progress.finish()
            raise CommandError(f"interrupted; resume with --resume {batch.pk}", returncode=2) from None
        except Exception as error:
            progress.finish()
            raise CommandError(
                f"the import stopped: {error}; fix the cause and resume with --resume {batch.pk}", returncode=2
            ) from error
        progress.finish()
        if batch.exact_copies:
            self.stdout.write(f"{batch.exact_copies} new articles repeat the text of an earlier one (linked as copies)")
        if batch.warnings:
            self.stdout.write(f"{batch.warnings} warnings; see the batch report")
        self.stdout.write(batch.summary())
        if batch.rejected:
            if not (batch.imported or batch.duplicates or batch.unchanged) and _nothing_readable(batch):
                sys.exit(2)
            sys.exit(1)


def _nothing_readable(batch: ImportBatch) -> bool:
    """True when every rejection is about a whole file (refused archive, unreadable file), not a record."""
    return not batch.rejections.filter(kind="rejected", line__isnull=False).exists()


class _Progress:
    """A progress bar on a terminal; a plain line every few seconds otherwise (logs, CI)."""

    def __init__(self, stream, interactive: bool):
        self.stream = stream
        self.interactive = interactive
        self.started = time.monotonic()
        self.last = 0.0
        self.drawn = False

    def update(self, batch: ImportBatch) -> None:
        now = time.monotonic()
        if not self.interactive and now - self.last < 5 and not batch.is_finished:
            return
        self.last = now
        elapsed = max(now - self.started, 1e-6)
        rate = batch.total / elapsed
        counts = f"{batch.total:,} records, {rate:,.0f}/s, rejected {batch.rejected:,}"
        if self.interactive:
            width = 30
            filled = int(width * batch.percent / 100)
            self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {batch.percent:3d}% {counts}   ", ending="")
            self.stream.flush()
            self.drawn = True
        else:
            self.stream.write(f"progress: {batch.percent}% {counts}")

    def finish(self) -> None:
        if self.interactive and self.drawn:
            self.stream.write("")
            self.drawn = False
