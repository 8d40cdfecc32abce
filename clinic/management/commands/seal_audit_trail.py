from django.core.management.base import BaseCommand

from clinic.audit_trail import audit_trail_seal_waiting


class Command(BaseCommand):
    help = (
        "Seal the audit entries waiting now (what the worker does every few seconds)."
    )

    def handle(self, *args, **options):
        batches = audit_trail_seal_waiting()
        if not batches:
            self.stdout.write("No audit entry was waiting.")
            return
        entries = batches[-1].last_sequence - batches[0].first_sequence + 1
        self.stdout.write(
            f"Sealed {entries} entries in batches {batches[0].number} to "
            f"{batches[-1].number}."
        )
