"""The stored review queue never disagrees with the history it is derived from.

Each step of a clinic's day goes through a service; after every step the stored
entries must equal the queue derived the slow way from every decision and referral.
"""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.utils.timezone import now

from clinic.worker import run_ready_tasks
from intake.models import Intake
from intake.services import intake_submit
from referrals import routing, selectors, services
from referrals.models import QueueEntry, Referral, RoutingDecision, Service
from tests.referrals.builders import example1_intake, submitted_example1

pytestmark = pytest.mark.django_db

HOLD, AWAITING, FAILED, PENDING = 0, 1, 2, 3
NE_FOR_KETAMINE = [
    ("propranolol", "ineffective", 16),
    ("topiramate", "intolerable", None),
    ("nortriptyline", "ineffective", 4),
    ("sumatriptan", "ineffective", None),
    ("rizatriptan", "ineffective", None),
]


def derived_queue() -> dict:
    """Each waiting intake's (section, tier rank, since), from the whole history."""
    places = {}
    for referral in Referral.objects.filter(status=Referral.Status.PENDING_REVIEW):
        since = places.get(referral.intake_id, (PENDING, 9, referral.created))[2]
        places[referral.intake_id] = (PENDING, 9, min(since, referral.created))
    for decision in RoutingDecision.objects.current():
        if decision.status == RoutingDecision.Status.FAILED:
            places[decision.intake_id] = (FAILED, 9, decision.created)
        elif decision.is_open_hold:
            rank = routing.TIERS.index(decision.hold_tier)
            places[decision.intake_id] = (HOLD, rank, decision.created)
    for intake in Intake.objects.filter(status="submitted"):
        decisions = list(intake.routing_decisions.all())
        if any(decision.superseded_at is None for decision in decisions):
            continue
        since = max(
            [intake.submitted_at] + [decision.superseded_at for decision in decisions]
        )
        places[intake.pk] = (AWAITING, 9, since)
    return places


def stored_queue() -> dict:
    return {
        entry.intake_id: (entry.section, entry.tier_rank, entry.since)
        for entry in QueueEntry.objects.all()
    }


def assert_in_step(expected_sections: dict) -> None:
    stored = stored_queue()
    assert stored == derived_queue() == selectors.queue_places()
    assert {key: place[0] for key, place in stored.items()} == expected_sections


def pending(intake: Intake, code: str) -> Referral:
    return intake.referrals.get(service__code=code, status="pending_review")


def test_every_service_keeps_the_queue_equal_to_the_history(
    physician_user, monkeypatch
):
    # Submitted, its routing task not run yet: awaiting routing, then routed.
    awaiting = intake_submit(intake=example1_intake())
    assert_in_step({awaiting.pk: AWAITING})
    run_ready_tasks()
    assert_in_step({awaiting.pk: PENDING})
    for referral in awaiting.referrals.filter(status="pending_review"):
        services.referral_approve(referral=referral, user=physician_user)
    routine = submitted_example1()
    emergency = submitted_example1(red_flags=["seizure"])
    same_day = submitted_example1(phq9_9=1)
    not_for_ketamine = submitted_example1(treatments=NE_FOR_KETAMINE)
    with monkeypatch.context() as patched:
        patched.setattr("referrals.routing.route", lambda facts: 1 / 0)
        failed = submitted_example1()
    assert_in_step(
        {
            routine.pk: PENDING,
            emergency.pk: HOLD,
            same_day.pk: HOLD,
            not_for_ketamine.pk: PENDING,
            failed.pk: FAILED,
        }
    )
    assert stored_queue()[emergency.pk][1] < stored_queue()[same_day.pk][1]

    # Deciding some of an intake's referrals keeps it waiting, since its oldest
    # remaining one; deciding the last takes it out.
    services.referral_approve(
        referral=pending(routine, "ketamine"), user=physician_user
    )
    services.referral_decline(
        referral=pending(routine, "yoga"), user=physician_user, note="Not now."
    )
    services.referral_cancel(
        referral=pending(routine, "massage"), user=physician_user, reason="Declined."
    )
    assert_in_step(
        {
            routine.pk: PENDING,
            emergency.pk: HOLD,
            same_day.pk: HOLD,
            not_for_ketamine.pk: PENDING,
            failed.pk: FAILED,
        }
    )
    services.referral_approve(
        referral=pending(routine, "acupuncture"), user=physician_user
    )
    assert routine.pk not in stored_queue()

    # Clearing a hold routes again: the intake moves to the pending section.
    hold = same_day.routing_decisions.current().get()
    services.decision_clear_hold(
        decision=hold, user=physician_user, note="Safety plan made by phone."
    )
    # Routing again after a failure does the same.
    services.intake_route_again(intake=failed, user=physician_user)
    # An override adds an approved referral: nothing for the queue to do.
    services.referral_override(
        intake=not_for_ketamine,
        service=Service.objects.get(code="ketamine"),
        user=physician_user,
        note="Nortriptyline stopped for QT prolongation.",
    )
    assert_in_step(
        {
            emergency.pk: HOLD,
            same_day.pk: PENDING,
            not_for_ketamine.pk: PENDING,
            failed.pk: PENDING,
        }
    )

    # Opening a "coming soon" service brings its waitlist into review; an intake
    # whose other referrals were all decided comes back to the queue.
    botox = Service.objects.get(code="botox")
    assert routine.referrals.get(service=botox).status == "waitlisted"
    services.service_open(service=botox, user=None)
    assert_in_step(
        {
            awaiting.pk: PENDING,
            routine.pk: PENDING,
            emergency.pk: HOLD,
            same_day.pk: PENDING,
            not_for_ketamine.pk: PENDING,
            failed.pk: PENDING,
        }
    )

    # One decision in memory says what the query says: open, cleared and superseded.
    open_holds = set(RoutingDecision.objects.open_holds())
    assert open_holds == {d for d in RoutingDecision.objects.all() if d.is_open_hold}
    assert [hold.intake_id for hold in open_holds] == [emergency.pk]
    assert RoutingDecision.objects.filter(status="held").count() == 2


@pytest.mark.parametrize(
    ("section", "tier_rank"),
    [(HOLD, 9), (PENDING, 0), (FAILED, 2), (AWAITING, 1), (4, 9)],
)
def test_the_database_refuses_a_place_that_cannot_be(section, tier_rank):
    intake = submitted_example1()
    entry = QueueEntry.objects.get(intake=intake)
    entry.section, entry.tier_rank = section, tier_rank
    with pytest.raises(IntegrityError):
        entry.save()


def test_the_migrations_place_the_intakes_already_waiting(physician_user, monkeypatch):
    filling = importlib.import_module("referrals.migrations.0004_review_queue_entries")
    renumbering = importlib.import_module(
        "referrals.migrations.0005_awaiting_routing_section_and_hold_alert"
    )
    submitted_example1()
    submitted_example1(new_or_changed_pattern=True)
    decided = submitted_example1()
    for referral in decided.referrals.filter(status="pending_review"):
        services.referral_approve(referral=referral, user=physician_user)
    with monkeypatch.context() as patched:
        patched.setattr("referrals.routing.route", lambda facts: 1 / 0)
        submitted_example1()
    # Submitted before routing was a task, and never routed.
    lost = intake_submit(intake=example1_intake())
    expected = stored_queue()
    QueueEntry.objects.all().delete()

    filling.fill_queue(apps, None)
    renumbering.renumber_sections(apps, None)

    assert stored_queue() == expected == derived_queue()
    assert sorted(place[0] for place in expected.values()) == [
        HOLD,
        AWAITING,
        FAILED,
        PENDING,
    ]
    assert expected[lost.pk][0] == AWAITING


def test_verify_finds_a_queue_out_of_step_and_repairs_it(physician_user):
    waiting = submitted_example1()
    held = submitted_example1(phq9_9=1)
    decided = submitted_example1()
    for referral in decided.referrals.filter(status="pending_review"):
        services.referral_approve(referral=referral, user=physician_user)
    call_command("verify_review_queue")  # in step: no error
    expected = stored_queue()

    # Written round the services: a lost entry, a stale one, one that should be gone.
    QueueEntry.objects.filter(intake=waiting).delete()
    QueueEntry.objects.filter(intake=held).update(
        since=now() - datetime.timedelta(days=900)
    )
    QueueEntry.objects.create(intake=decided, section=PENDING, tier_rank=9, since=now())

    with pytest.raises(CommandError, match="3 intakes are out of place"):
        call_command("verify_review_queue")
    call_command("verify_review_queue", "--repair")

    assert stored_queue() == expected
    call_command("verify_review_queue")
