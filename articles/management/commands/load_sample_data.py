"""Load the sample articles shipped with the project through the importer. Running it again changes nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from imports import services

SAMPLE_FILE = Path(__file__).resolve().parents[2] / "sample_data" / "articles.jsonl"


class Command(BaseCommand):
    help = "Load the sample set of fictional articles (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=SAMPLE_FILE, help="JSONL file to load.")

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"no sample file at {file}")
        try:
            batch = services.import_batch_create(
                entries=[{"path": str(file), "name": file.name}], format="jsonl", origin="cli"
            )
        except services.ImportError_ as error:
            raise CommandError(str(error)) from None
        batch = services.import_batch_run(batch_id=batch.pk)
        summary = f"Sample articles: {batch.imported} created, {batch.unchanged + batch.duplicates} already present"
        if batch.rejected:
            summary += f", {batch.rejected} rejected (see import #{batch.pk})"
        self.stdout.write(summary + ".")
