from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from clinic.audit_hashing import Checkpoint
from clinic.audit_trail import AuditTrailBroken, audit_trail_verify, latest_checkpoint


class Command(BaseCommand):
    help = (
        "Check every audit entry against its batch and the latest signed checkpoint; "
        "exit non-zero naming the first problem."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint",
            action="store_true",
            help="Print the latest signed checkpoint (JSON) instead, to keep a copy.",
        )
        parser.add_argument(
            "--against",
            metavar="FILE",
            help="A checkpoint copy kept outside the database (printed by "
            "--checkpoint, e-mailed daily): the trail must still hold it.",
        )

    def handle(self, *args, **options):
        if options["checkpoint"]:
            checkpoint = latest_checkpoint()
            if checkpoint is None:
                raise CommandError("No batch has been sealed yet: no checkpoint.")
            self.stdout.write(checkpoint.as_json())
            return
        against = None
        if options["against"]:
            try:
                against = Checkpoint.from_json(Path(options["against"]).read_text())
            except (OSError, ValueError) as error:
                raise CommandError(
                    f"Cannot read the checkpoint copy: {error}"
                ) from None
        try:
            verified = audit_trail_verify(against=against)
        except AuditTrailBroken as error:
            raise CommandError(f"Audit trail broken: {error}") from None
        self.stdout.write(
            f"Audit trail intact: {verified.entries} entries verified in "
            f"{verified.batches} batches"
            + (f", matching the copy of batch {against.batch}" if against else "")
            + f"; {verified.waiting} waiting to be sealed."
        )
