from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from referrals import selectors, services
from referrals.models import QueueEntry
from referrals.tasks import LOST_TASK_AFTER


class Command(BaseCommand):
    help = (
        "Check the stored review queue against the routing decisions and referrals it "
        "is derived from, and that every submitted intake awaiting routing has its "
        "routing task; --repair puts every misplaced intake back in its place and "
        "enqueues the routing of those whose task was lost."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair",
            action="store_true",
            help="re-place the intakes found wrong and route the lost ones again",
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
        if repair and wrong:
            with transaction.atomic():
                services.queue_sync(intake_ids=wrong)
        lost = selectors.intakes_awaiting_lost_routing(older_than=LOST_TASK_AFTER)
        if repair and lost:
            services.intakes_route_again_later(intake_ids=lost)
        if repair:
            self.stdout.write(
                f"Re-placed {len(wrong)} intakes in the review queue; enqueued the "
                f"routing of {len(lost)} whose task was lost."
            )
            return
        problems = []
        if wrong:
            problems.append(
                f"{len(wrong)} intakes are out of place in the review queue "
                f"({len(stored)} stored, {len(derived)} derived)"
            )
        if lost:
            problems.append(
                f"{len(lost)} intakes await routing with no routing task to do it"
            )
        if problems:
            raise CommandError("; ".join(problems) + "; run with --repair.")
        self.stdout.write(
            f"Review queue matches the history: {len(stored)} intakes waiting."
        )
