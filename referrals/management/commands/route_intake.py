"""Route a facts record (or a stored intake) and print the decision; save nothing."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from intake.facts import intake_facts
from intake.models import Intake
from referrals.routing import InvalidFacts, route


class Command(BaseCommand):
    help = (
        "Print the routing decision (JSON) for a facts record read from FILE ('-' for "
        "standard input), or for the latest intake of a patient with --intake. "
        "Nothing is saved: a what-if for physicians."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="facts JSON file, or - for stdin")
        parser.add_argument(
            "--intake",
            metavar="RECORD_NUMBER",
            help="route the latest intake of this patient (e.g. P-000123) instead",
        )

    def handle(self, *args, **options):
        if bool(options["file"]) == bool(options["intake"]):
            raise CommandError("Give either FILE or --intake RECORD_NUMBER.")
        facts = (
            self._stored_facts(options["intake"])
            if options["intake"]
            else self._read_facts(options["file"])
        )
        try:
            decision = route(facts)
        except InvalidFacts as error:
            for key, message in error.errors.items():
                self.stderr.write(f"{key or '(facts)'}: {message}")
            raise CommandError(
                f"Invalid facts: {len(error.errors)} problem(s).", returncode=2
            ) from error
        self.stdout.write(json.dumps(decision, indent=2))

    def _read_facts(self, name: str):
        try:
            if name == "-":
                return json.load(sys.stdin)
            with open(name, encoding="utf-8") as handle:
                return json.load(handle)
        except OSError as error:
            raise CommandError(f"Cannot read {name}: {error.strerror}") from error
        except json.JSONDecodeError as error:
            raise CommandError(f"{name} is not valid JSON: {error}") from error
        except RecursionError as error:
            raise CommandError(f"{name} is nested too deeply to be facts.") from error

    def _stored_facts(self, record_number: str) -> dict:
        intake = (
            Intake.objects.filter(patient__record_number=record_number.upper())
            .select_related("patient")
            .order_by("-created")
            .first()
        )
        if intake is None:
            raise CommandError(f"No intake for record number {record_number}.")
        return intake_facts(intake)
