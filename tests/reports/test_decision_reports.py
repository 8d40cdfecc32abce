"""The routing outcomes and the deciding reasons against the same figures read from
each current decision's JSON, one decision at a time, on a varied clinic whose
decisions straddle the period's bounds."""

import collections
import random

import pytest

from referrals import routing
from referrals.models import DecisionStatus, RoutingDecision
from reports import selectors
from tests.reports.world import PERIOD, at, held, later, routed, submitted_intake

pytestmark = pytest.mark.django_db

LEVELS = (routing.BLOCK, routing.NE, routing.FLAG)


def _outcomes(rng: random.Random) -> dict:
    """Some services' outcomes, each with reasons at its level and below it."""
    outcomes = {}
    for service in rng.sample(routing.SERVICE_CODES, rng.randint(0, 4)):
        prefix = service[0].upper()
        levels = rng.sample(LEVELS, rng.randint(0, 3))
        reasons = [f"{prefix}_{level}_{rng.randint(1, 4)}" for level in levels]
        outcome = next((level for level in LEVELS if level in levels), routing.REC)
        outcomes[service] = (outcome, reasons)
    return outcomes


@pytest.fixture
def varied_clinic():
    rng = random.Random(14)
    # The day before the period, its first and last days, and the day after.
    for day, hour in [(1, 23), (2, 0), (2, 9), (8, 12), (15, 23), (16, 0)]:
        for _ in range(8):
            intake = submitted_intake(at(day, hour, 30 if hour == 23 else 0))
            if rng.random() < 0.3:  # routed again: the old decision is superseded
                routed(intake, _outcomes(rng), superseded_at=later(at(day, hour), 1))
            kind = rng.choice(["routed", "routed", "held", "failed"])
            if kind == "routed":
                routed(intake, _outcomes(rng))
            elif kind == "held":
                tier = rng.choice(routing.TIERS)
                codes = rng.sample(["G1_X", "G2_PHQ9_ITEM9", "G4_ONSET"], 2)
                held(intake, tier, codes, _outcomes(rng))
            else:
                RoutingDecision.objects.create(
                    intake=intake,
                    status=DecisionStatus.FAILED,
                    rules_version=routing.RULES_VERSION,
                    error="Invalid facts",
                )


def _current_in_period() -> list[RoutingDecision]:
    start, end = PERIOD.bounds()
    return list(
        RoutingDecision.objects.current().filter(
            intake__submitted_at__gte=start, intake__submitted_at__lt=end
        )
    )


def test_routing_outcomes_equal_each_decisions_services_counted(varied_clinic):
    counted = collections.Counter()
    for decision in _current_in_period():
        if decision.status == DecisionStatus.FAILED:
            counted["failed"] += 1
            continue
        for service, result in decision.decision["services"].items():
            counted[service, result["outcome"]] += 1
    expected = [
        (
            selectors.SERVICE_NAMES[service],
            *(counted[service, outcome] for outcome in selectors.OUTCOMES),
            counted["failed"],
        )
        for service in routing.SERVICE_CODES
    ]

    assert counted["failed"] and counted["ketamine", routing.HOLD]
    assert selectors.routing_outcomes(PERIOD).rows == expected


def test_deciding_reasons_equal_each_decisions_reasons_counted(varied_clinic):
    counted = collections.Counter()
    examples = {}  # the alphabetically first words of each reason counted
    for decision in _current_in_period():
        if decision.status == DecisionStatus.FAILED:
            continue
        engine = decision.decision
        for service, result in engine["services"].items():
            for reason in result["reasons"]:
                code, outcome = reason["code"], result["outcome"]
                if outcome != routing.HOLD and routing.reason_level(code) == outcome:
                    counted[outcome, code, service] += 1
                    key = (outcome, code, service)
                    examples[key] = min(
                        examples.get(key, reason["text"]), reason["text"]
                    )
        for reason in (engine["hold"] or {}).get("reasons", []):
            key = (routing.HOLD, reason["code"], "")
            counted[key] += 1
            examples[key] = min(examples.get(key, reason["text"]), reason["text"])
    expected = [
        (
            code,
            examples[outcome, code, service],
            outcome,
            selectors.SERVICE_NAMES.get(service, "all services"),
            count,
        )
        for (outcome, code, service), count in sorted(
            counted.items(), key=lambda item: (-item[1], *item[0])
        )
    ][: selectors.TOP_REASONS]

    assert len(counted) > selectors.TOP_REASONS
    assert selectors.deciding_reasons(PERIOD).rows == expected
