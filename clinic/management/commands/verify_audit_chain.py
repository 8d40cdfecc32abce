from django.core.management.base import BaseCommand, CommandError

from clinic.models import AuditEntry


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; name the first entry that breaks it."

    def handle(self, *args, **options):
        previous_hash = AuditEntry.GENESIS
        expected_sequence = 1
        checked = 0
        for entry in AuditEntry.objects.order_by("sequence").iterator(chunk_size=2000):
            problem = None
            if entry.sequence != expected_sequence:
                problem = f"entry {expected_sequence} is missing"
            elif entry.previous_hash != previous_hash:
                problem = "its link to the previous entry does not match"
            elif entry.entry_hash != entry.content_hash():
                problem = "its content does not match its hash"
            if problem:
                raise CommandError(
                    f"Audit chain broken at entry {entry.sequence} (id {entry.pk}): "
                    f"{problem}. {checked} entries before it are intact."
                )
            previous_hash = entry.entry_hash
            expected_sequence += 1
            checked += 1
        self.stdout.write(f"Audit chain intact: {checked} entries verified.")
