"""Create a clinic's history at scale for the benchmark (fictional patients only)."""

from django.core.management.base import BaseCommand
from django.db import connection

from bench import scale


class Command(BaseCommand):
    help = (
        "Create N fictional patients with submitted intakes, treatment rows, routing "
        "decisions, referrals and their events, with bulk inserts; prints the time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--intakes", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--chunk", type=int, default=2000, help="Intakes per transaction."
        )
        parser.add_argument(
            "--resume",
            action="store_true",
            help="carry on a build that was interrupted, after its committed chunks",
        )

    def handle(self, *args, intakes, seed, chunk, resume, **options):
        if connection.vendor == "postgresql":
            # Bound parameters sent apart from the SQL: bulk inserts of JSON go about
            # a third faster than with psycopg's client-side quoting.
            connection.close()
            connection.settings_dict["OPTIONS"]["server_side_binding"] = True
        self.stdout.write(f"Creating {intakes:,} intakes...")
        counts = scale.build(
            intakes=intakes,
            seed=seed,
            chunk=chunk,
            resume=resume,
            log=self.stdout.write,
        )
        seconds = counts.pop("seconds")
        made = ", ".join(f"{count:,} {name}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Created {made} in {seconds:.1f} s."))
