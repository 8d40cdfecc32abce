"""Submitting an intake routes it: decision, referrals, waitlist, holds, failures."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from post_office.models import Email

from intake.models import Intake
from intake.services import intake_submit
from referrals import services
from referrals.models import QueueEntry, Referral, ReferralEvent, RoutingDecision
from tests.factories import COMPLETE_ANSWERS, PatientFactory
from tests.intake.test_admin import TREATMENTS, intake_form
from tests.referrals.builders import example1_intake, submitted_example1

pytestmark = pytest.mark.django_db

QUEUE_URL = reverse("admin:referrals_queueentry_changelist")


def test_front_desk_submission_in_the_admin_puts_referrals_in_the_queue(
    desk_client, client, physician_user, run_tasks
):
    patient = PatientFactory()
    response = desk_client.post(
        reverse("admin:intake_intake_add"),
        {**intake_form(patient, COMPLETE_ANSWERS, rows=TREATMENTS), "_submit": "1"},
    )
    assert response.status_code == 302
    intake = Intake.objects.get(patient=patient)
    assert intake.status == Intake.Status.SUBMITTED

    # Until the worker has routed it, it waits in the queue's own section.
    client.force_login(physician_user)
    queue = client.get(QUEUE_URL)
    assert [row["entry"].section for row in queue.context["rows"]] == [
        QueueEntry.Section.AWAITING
    ]
    assert "Awaiting routing" in queue.content.decode()
    assert not RoutingDecision.objects.filter(intake=intake).exists()

    assert run_tasks() == 1
    decision = RoutingDecision.objects.get(intake=intake)
    assert decision.status == RoutingDecision.Status.ROUTED
    assert decision.facts["headache_days_per_month"] == 18
    assert decision.rules_version == "2026.1"
    statuses = dict(intake.referrals.values_list("service__code", "status"))
    assert statuses == {
        "ketamine": "pending_review",
        "botox": "waitlisted",
        "acupuncture": "pending_review",
        "massage": "pending_review",
        "yoga": "pending_review",
    }
    assert ReferralEvent.objects.filter(referral__intake=intake).count() == 5

    queue = client.get(QUEUE_URL)
    assert queue.status_code == 200
    assert [row["intake"].pk for row in queue.context["rows"]] == [intake.pk]
    assert patient.record_number in queue.content.decode()


def test_hold_makes_no_referral_and_emails_on_call_at_once():
    intake = submitted_example1(phq9_9=2)

    decision = RoutingDecision.objects.get(intake=intake)
    assert decision.status == RoutingDecision.Status.HELD
    assert decision.hold_tier == "same_day"
    assert not Referral.objects.exists()
    alert = Email.objects.get(to=["on-call@clinic.example"])
    assert alert.status == 2  # queued, not sent inside the request
    assert alert.get_priority_display() == "high"  # first out of the queue
    assert intake.patient.record_number in alert.subject
    assert intake.patient.last_name not in alert.message + alert.subject
    assert str(intake.pk) in alert.message  # the review link
    assert list(RoutingDecision.objects.open_holds()) == [decision]


def test_emergency_red_flag_outranks_same_day(physician_client):
    same_day = submitted_example1(phq9_9=1)
    emergency = submitted_example1(red_flags=["thunderclap"])
    routine = submitted_example1()

    rows = physician_client.get(QUEUE_URL).context["rows"]

    assert [row["intake"].pk for row in rows] == [emergency.pk, same_day.pk, routine.pk]
    assert emergency.routing_decisions.get().hold_tier == "emergency"


def test_a_failed_routing_is_stored_shown_and_can_be_run_again(
    monkeypatch, physician_client, caplog
):
    def broken(facts):
        answers = "-".join(["age", str(facts["age"])])
        raise RuntimeError(answers)

    monkeypatch.setattr("referrals.routing.route", broken)
    intake = submitted_example1()

    intake.refresh_from_db()
    assert intake.status == Intake.Status.SUBMITTED  # never un-submitted
    failed = RoutingDecision.objects.get(intake=intake)
    assert failed.status == RoutingDecision.Status.FAILED
    assert "RuntimeError" in failed.error
    assert "age-" not in failed.error  # the exception's text may carry answers
    assert "age-" not in caplog.text
    assert str(intake.pk) in caplog.text
    assert not Referral.objects.exists()

    rows = physician_client.get(QUEUE_URL).context["rows"]
    assert [row["intake"].pk for row in rows] == [intake.pk]
    page = physician_client.get(reverse("admin:referrals_review", args=[intake.pk]))
    assert "Routing failed" in page.content.decode()

    monkeypatch.undo()
    response = physician_client.post(
        reverse("admin:referrals_route_again", args=[intake.pk])
    )
    assert response.status_code == 302
    current = RoutingDecision.objects.current().get(intake=intake)
    assert current.status == RoutingDecision.Status.ROUTED
    failed.refresh_from_db()
    assert failed.superseded_at is not None
    assert intake.referrals.count() == 5


def test_invalid_facts_are_stored_as_a_failure_naming_the_keys(monkeypatch):
    monkeypatch.setattr(
        "referrals.services.intake_facts",
        lambda intake: {"age": 38},
    )
    intake = submitted_example1()

    failed = RoutingDecision.objects.get(intake=intake)
    assert failed.status == RoutingDecision.Status.FAILED
    assert failed.error.startswith("Invalid facts: ")
    assert "pregnant" in failed.error
    assert failed.facts == {"age": 38}


def test_routing_again_a_routed_intake_is_refused(physician_user):
    intake = submitted_example1()
    with pytest.raises(services.ReferralConflict):
        services.intake_route_again(intake=intake, user=physician_user)


def test_clearing_an_item_9_hold_records_safety_and_routes_again(physician_client):
    intake = submitted_example1(phq9_9=2)
    hold = RoutingDecision.objects.get(intake=intake)

    response = physician_client.post(
        reverse("admin:referrals_clear_hold", args=[hold.pk]),
        {"note": "Phoned patient; safety plan agreed, no current intent."},
    )

    assert response.status_code == 302
    intake.refresh_from_db()
    assert intake.safety_cleared_at is not None
    assert intake.safety_cleared_by.username == "doctor"
    assert intake.safety_note.startswith("Phoned patient")
    hold.refresh_from_db()
    assert hold.cleared_at is not None and hold.superseded_at is not None
    new = RoutingDecision.objects.current().get(intake=intake)
    assert new.status == RoutingDecision.Status.ROUTED
    ketamine = intake.referrals.get(service__code="ketamine")
    assert ketamine.recommended_outcome == "FLAG"
    assert [r["code"] for r in ketamine.reasons] == ["K_FLAG_SAFETY_CLEARED"]
    assert not RoutingDecision.objects.open_holds().exists()


def test_clearing_a_red_flag_hold_lets_routine_referrals_follow(physician_user):
    intake = submitted_example1(red_flags=["post_trauma"])
    hold = RoutingDecision.objects.get(intake=intake)

    new = services.decision_clear_hold(
        decision=hold, user=physician_user, note="CT head normal in 2024; reviewed."
    )

    assert new.status == RoutingDecision.Status.HELD  # the engine still says so...
    assert new.cleared_by == physician_user  # ...but the clearance covers it
    assert intake.referrals.count() == 5
    assert not RoutingDecision.objects.open_holds().exists()


def test_clearing_a_hold_needs_a_note(physician_client):
    intake = submitted_example1(red_flags=["thunderclap"])
    hold = RoutingDecision.objects.get(intake=intake)

    response = physician_client.post(
        reverse("admin:referrals_clear_hold", args=[hold.pk]), {"note": "  "}
    )

    assert response.status_code == 400
    assert response.context["hold_form"].errors["note"]
    hold.refresh_from_db()
    assert hold.is_open_hold


def test_each_referral_costs_its_writes_and_no_read(run_tasks):
    def routing(**answers) -> tuple[int, int]:
        intake = intake_submit(intake=example1_intake(**answers))
        with CaptureQueriesContext(connection) as queries:
            run_tasks()
        return len(queries), intake.referrals.count()

    routing()  # content types and the like are cached after the first
    five_queries, five = routing()
    fewer_queries, fewer = routing(interests=[], conditions=["psychosis"])

    assert (five, fewer) == (5, 4)
    # Its row, its event, and its audit entry (one insert: the trail takes no lock).
    assert five_queries - fewer_queries == 3
