import time
from pathlib import Path

from django.core.management.base import BaseCommand

from fhir_export.services import fhir_export_write


class Command(BaseCommand):
    help = (
        "Write the whole clinic as FHIR R4 Bulk Data NDJSON into DIR: one file per "
        "resource type, one resource per line."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR")

    def handle(self, *args, directory, **options):
        started = time.monotonic()
        counts = fhir_export_write(directory=Path(directory), what="FHIR bulk export")
        seconds = time.monotonic() - started
        for kind, count in sorted(counts.items()):
            self.stdout.write(f"{kind:<22} {count:>10}")
        total = sum(counts.values())
        self.stdout.write(
            f"{total} resources written to {directory} in {seconds:.1f} s "
            f"({total / max(seconds, 1e-9):,.0f} per second)."
        )
