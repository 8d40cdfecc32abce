"""Print the outcomes page's figures: for scripts and the medical director's report."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from intake import codes
from outcomes.figures import ServiceFigures, report_json
from outcomes.selectors import outcome_figures


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            f"--since takes a date as YYYY-MM-DD, got {value!r}."
        ) from error


def _percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate:.0%}"


class Command(BaseCommand):
    help = (
        "Responders per service (immediate, sustained at 1 and 3 months) with Wilson "
        "95%% intervals, the lost to follow-up counted as non-responders, beside the "
        "published figures. --json prints the stable interface of docs/outcomes.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--service",
            choices=[code for code, _ in codes.SERVICES],
            help="only this service",
        )
        parser.add_argument(
            "--since",
            type=_date,
            metavar="DATE",
            help="courses whose first session was on or after DATE (YYYY-MM-DD)",
        )
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, **options):
        figures = outcome_figures(service=options["service"], since=options["since"])
        if options["json"]:
            self.stdout.write(json.dumps(report_json(figures), indent=2))
            return
        for service in figures:
            self._print(service)

    def _print(self, f: ServiceFigures) -> None:
        self.stdout.write(f"{f.name}: {f.treated} treated, {f.completed} completed")
        measures = [("immediate", f.immediate)] + [
            (f"sustained {point}", measure) for point, measure in f.sustained.items()
        ]
        for label, measure in measures:
            counted = measure.as_non_responders
            ci = counted.ci95
            interval = f" (95% CI {ci[0]:.0%}-{ci[1]:.0%})" if ci else ""
            self.stdout.write(
                f"  {label:<13} {counted.responders}/{counted.patients} "
                f"{_percent(counted.rate)}{interval}, "
                f"{measure.lost_to_follow_up} lost to follow-up"
            )
        for study in f.published:
            self.stdout.write(
                f"  published: {study.source.short}, {study.patients} patients: "
                f"immediate {_percent(study.immediate.stated_rate)}"
            )
