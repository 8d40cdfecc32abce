from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from referrals import selectors, services
from referrals.models import QueueEntry


class Command(BaseCommand):
    help = (
        "Check the stored review queue against the routing decisions and referrals it "
        "is derived from; --repair puts every misplaced intake back in its place."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair", action="store_true", help="re-place the intakes found wrong"
        )

    def handle(self, *args, repair, **options):
        derived = selectors.queue_places()
        stored = {
            entry.intake_id: (entry.section, entry.tier_rank, entry.since)
            for entry in QueueEntry.objects.iterator(chunk_size=2000)
        }
        wrong = {
            intake_id
            for intake_id in derived.keys() | stored.keys()
            if derived.get(intake_id) != stored.get(intake_id)
        }
        if not wrong:
            self.stdout.write(
                f"Review queue matches the history: {len(stored)} intakes waiting."
            )
            return
        if not repair:
            raise CommandError(
                f"{len(wrong)} intakes are out of place in the review queue "
                f"({len(stored)} stored, {len(derived)} derived); run with --repair."
            )
        with transaction.atomic():
            services.queue_sync(intake_ids=wrong)
        self.stdout.write(f"Re-placed {len(wrong)} intakes in the review queue.")
