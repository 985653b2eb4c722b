"""Write every published verdict as schema.org ClaimReview JSON-LD (one document with an @graph)."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from claims import interop


class Command(BaseCommand):
    help = "Export published verdicts as schema.org ClaimReview JSON-LD, or all claims as JSONL with --jsonl."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")
        parser.add_argument(
            "--base-url",
            default="http://localhost:8000",
            help="Address the app is served at, for claim and article links.",
        )
        parser.add_argument(
            "--jsonl", action="store_true", help="Every claim with its highlights and verdicts, one per line."
        )

    def handle(self, *args, output=None, base_url="", jsonl=False, **options):
        if not base_url.startswith(("http://", "https://")):
            raise CommandError("--base-url must start with http:// or https://")
        try:
            stream = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}") from error
        count = 0
        try:
            if jsonl:
                for line in interop.claims_jsonl(base_url=base_url):
                    stream.write(line)
                    count += 1
            else:
                feed = interop.claim_reviews_feed(base_url=base_url)
                count = len(feed["@graph"])
                json.dump(feed, stream, ensure_ascii=False, indent=2)
                stream.write("\n")
        finally:
            if output:
                stream.close()
        if output:
            what = "claims" if jsonl else "claim reviews"
            self.stderr.write(f"Wrote {count} {what} to {output}.")
