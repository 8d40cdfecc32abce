"""Referral status transitions, who may take them, and their events."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse

from referrals import services
from referrals.models import Referral, ReferralEvent, Service
from tests.referrals.builders import submitted_example1

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(physician_user):
    intake = submitted_example1()
    referral = intake.referrals.get(service__code="ketamine")
    return services.referral_approve(referral=referral, user=physician_user)


def test_front_desk_schedules_then_completes_an_approved_referral(
    approved, front_desk_user
):
    services.referral_schedule(
        referral=approved, user=front_desk_user, note="Tue 10:00"
    )
    done = services.referral_complete(referral=approved, user=front_desk_user)

    assert done.status == Referral.Status.COMPLETED
    assert [(e.from_status, e.to_status) for e in done.events.all()] == [
        ("", "pending_review"),
        ("pending_review", "approved"),
        ("approved", "scheduled"),
        ("scheduled", "completed"),
    ]
    assert done.events.get(to_status="scheduled").actor == front_desk_user


def test_front_desk_uses_the_buttons_on_the_referral_page(approved, desk_client):
    page = desk_client.get(approved.get_absolute_url())
    assert page.status_code == 200
    assert "Mark scheduled" in page.content.decode()

    desk_client.post(
        reverse("admin:referrals_referral_transition", args=[approved.pk, "schedule"]),
        {"note": "Booked"},
    )

    approved.refresh_from_db()
    assert approved.status == Referral.Status.SCHEDULED


def test_the_referral_page_offers_only_the_buttons_the_status_and_role_allow(
    approved, desk_client, client_class, physician_user, front_desk_user
):
    url = approved.get_absolute_url()
    assert desk_client.get(url).context["transitions"] == [
        ("schedule", "Mark scheduled"),
        ("cancel", "Cancel referral"),
    ]
    physician = client_class()
    physician.force_login(physician_user)
    assert physician.get(url).context["transitions"] == []

    services.referral_schedule(referral=approved, user=front_desk_user)
    assert desk_client.get(url).context["transitions"] == [
        ("complete", "Mark completed"),
        ("cancel", "Cancel referral"),
    ]
    services.referral_complete(referral=approved, user=front_desk_user)
    assert desk_client.get(url).context["transitions"] == []


def test_front_desk_cannot_decide(front_desk_user):
    referral = submitted_example1().referrals.get(service__code="yoga")
    with pytest.raises(PermissionDenied):
        services.referral_approve(referral=referral, user=front_desk_user)
    with pytest.raises(PermissionDenied):
        services.referral_decline(referral=referral, user=front_desk_user, note="x")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING_REVIEW


def test_physician_cannot_schedule_complete_or_cancel(approved, physician_user):
    for action in (services.referral_schedule, services.referral_cancel):
        with pytest.raises(PermissionDenied):
            action(referral=approved, user=physician_user)
    approved.refresh_from_db()
    assert approved.status == Referral.Status.APPROVED


def test_a_pending_referral_cannot_be_scheduled(front_desk_user):
    referral = submitted_example1().referrals.get(service__code="yoga")
    with pytest.raises(services.ReferralConflict):
        services.referral_schedule(referral=referral, user=front_desk_user)


def test_any_open_referral_can_be_cancelled_but_not_a_closed_one(
    approved, front_desk_user
):
    waitlisted = approved.intake.referrals.get(service__code="botox")
    assert waitlisted.status == Referral.Status.WAITLISTED

    services.referral_cancel(referral=waitlisted, user=front_desk_user, note="Moved")
    services.referral_cancel(referral=approved, user=front_desk_user)

    with pytest.raises(services.ReferralConflict):
        services.referral_cancel(referral=approved, user=front_desk_user)
    assert Referral.objects.filter(status="cancelled").count() == 2


def test_opening_botox_moves_its_waitlist_to_review(manager_client, manager_user):
    intakes = [submitted_example1(), submitted_example1()]
    botox = Service.objects.get(code="botox")
    assert botox.referrals.waitlisted().count() == 2

    response = manager_client.post(
        reverse("admin:referrals_service_changelist"),
        {"action": "open_services", "_selected_action": [botox.pk]},
    )

    assert response.status_code == 302
    botox.refresh_from_db()
    assert botox.accepts_referrals is True
    for intake in intakes:
        referral = intake.referrals.get(service=botox)
        assert referral.status == Referral.Status.PENDING_REVIEW
        event = referral.events.last()
        assert (event.from_status, event.actor) == ("waitlisted", manager_user)
    # New patients now go straight to review.
    later = submitted_example1()
    assert later.referrals.get(service=botox).status == "pending_review"


def test_front_desk_cannot_open_a_service(desk_client):
    botox = Service.objects.get(code="botox")
    desk_client.post(
        reverse("admin:referrals_service_changelist"),
        {"action": "open_services", "_selected_action": [botox.pk]},
    )
    botox.refresh_from_db()
    assert botox.accepts_referrals is False


def test_events_are_append_only():
    event = (
        ReferralEvent.objects.first()
        or submitted_example1().referrals.first().events.get()
    )
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_database_refuses_a_second_open_referral_for_one_service():
    referral = submitted_example1().referrals.get(service__code="yoga")
    duplicate = Referral(
        intake=referral.intake,
        service=referral.service,
        decision=referral.decision,
        recommended_outcome="REC",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


@pytest.mark.parametrize(
    ("field", "value"),
    [("status", "lost"), ("recommended_outcome", "MAYBE")],
)
def test_database_refuses_unknown_codes(field, value):
    referral = submitted_example1().referrals.get(service__code="yoga")
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(**{field: value})


def test_database_refuses_an_unknown_hold_tier():
    decision = submitted_example1(phq9_9=1).routing_decisions.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(decision).objects.filter(pk=decision.pk).update(hold_tier="someday")


def test_str_carries_no_patient_details():
    intake = submitted_example1()
    referral = intake.referrals.first()
    decision = intake.routing_decisions.get()
    for text in (str(referral), str(decision), str(referral.events.get())):
        assert intake.patient.last_name not in text
        assert intake.patient.record_number not in text
