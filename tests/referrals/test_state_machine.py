"""Referral status transitions, who may take them, and their events."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from referrals import services
from referrals.models import Referral, ReferralEvent, Service
from tests.conftest import rolled_back_after
from tests.factories import UserFactory
from tests.referrals.builders import appointment_passed, schedule, submitted_example1

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def _approved_pk(django_db_setup, django_db_blocker):
    """Worked example 1's ketamine referral approved by the physician the
    ``physician_user`` fixture gives ("doctor"): built once per module and worker;
    each test's writes are rolled back."""
    with rolled_back_after(django_db_blocker):
        intake = submitted_example1()
        referral = intake.referrals.get(service__code="ketamine")
        doctor = UserFactory(username="doctor", role=roles.PHYSICIAN)
        yield services.referral_approve(referral=referral, user=doctor).pk


@pytest.fixture
def approved(_approved_pk, db):
    return Referral.objects.get(pk=_approved_pk)


def test_front_desk_schedules_then_completes_an_approved_referral(
    approved, front_desk_user
):
    booked = schedule(approved, front_desk_user)
    assert booked.appointment_provider == "Dr. Ada Park"
    assert booked.appointment_location == "Infusion suite, room 2"
    appointment_passed(approved)
    done = services.referral_complete(referral=approved, user=front_desk_user)

    assert done.status == Referral.Status.COMPLETED
    assert [(e.from_status, e.to_status) for e in done.events.all()] == [
        ("", "pending_review"),
        ("pending_review", "approved"),
        ("approved", "scheduled"),
        ("scheduled", "completed"),
    ]
    assert done.events.get(to_status="scheduled").actor == front_desk_user


def test_completed_only_on_or_after_the_appointment(
    approved, front_desk_user, monkeypatch
):
    booked = schedule(approved, front_desk_user)
    appointment = booked.appointment_at
    monkeypatch.setattr(
        timezone, "now", lambda: appointment - datetime.timedelta(seconds=1)
    )
    with pytest.raises(ValidationError, match="only on or after its appointment"):
        services.referral_complete(referral=approved, user=front_desk_user)
    approved.refresh_from_db()
    assert approved.status == Referral.Status.SCHEDULED

    monkeypatch.setattr(timezone, "now", lambda: appointment)
    done = services.referral_complete(referral=approved, user=front_desk_user)
    assert done.status == Referral.Status.COMPLETED


def test_scheduling_needs_a_provider_a_place_and_a_day_not_passed(
    approved, front_desk_user
):
    today = timezone.localtime().replace(hour=0, minute=1)
    yesterday = today - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.referral_schedule(
            referral=approved,
            user=front_desk_user,
            appointment_at=yesterday,
            provider=" ",
            location="",
        )
    assert set(refused.value.message_dict) == {
        "appointment_at",
        "appointment_provider",
        "appointment_location",
    }
    approved.refresh_from_db()
    assert approved.status == Referral.Status.APPROVED

    booked = services.referral_schedule(
        referral=approved,
        user=front_desk_user,
        appointment_at=today,
        provider="Dr. Ada Park",
        location="Room 2",
    )
    assert booked.status == Referral.Status.SCHEDULED


def test_the_database_refuses_a_booking_without_an_appointment_or_a_reasonless_cancel(
    approved,
):
    for status, fields in [
        ("scheduled", {}),
        (
            "scheduled",
            {"appointment_at": timezone.now(), "appointment_location": "Room 2"},
        ),
        ("completed", {"appointment_provider": "Dr. Park"}),
        ("cancelled", {}),
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Referral.objects.filter(pk=approved.pk).update(status=status, **fields)
    Referral.objects.filter(pk=approved.pk).update(
        status="scheduled",
        appointment_at=timezone.now(),
        appointment_provider="Dr. Park",
        appointment_location="Room 2",
    )
    Referral.objects.filter(pk=approved.pk).update(
        status="cancelled", cancel_reason="Moved away."
    )


def test_front_desk_schedules_on_the_referral_page_with_errors_beside_the_fields(
    approved, desk_client
):
    page = desk_client.get(approved.get_absolute_url())
    assert page.status_code == 200
    assert "Mark scheduled" in page.content.decode()
    url = reverse("admin:referrals_referral_transition", args=[approved.pk, "schedule"])
    form_page = desk_client.get(url)
    assert form_page.status_code == 200
    patient = approved.intake.patient
    assert (
        f'{patient.record_number}</strong> · <span class="nowrap">{patient.last_name}, '
        f'{patient.first_name}</span> · <span class="nowrap">born '
        f"{patient.date_of_birth:%Y-%m-%d}</span>"
    ) in form_page.content.decode()

    typed = {
        "appointment_date": "",
        "appointment_time": "10:30",
        "appointment_provider": "Dr. Ada Park",
        "appointment_location": "  ",
        "note": "Booked by phone",
    }
    refused = desk_client.post(url, typed)
    assert refused.status_code == 400
    form = refused.context["form"]
    assert set(form.errors) == {"appointment_date", "appointment_location"}
    html = refused.content.decode()
    assert 'value="Dr. Ada Park"' in html and "Booked by phone" in html

    past = desk_client.post(
        url,
        {**typed, "appointment_date": "2020-01-02"}
        | {"appointment_location": "Room 2"},
    )
    assert past.status_code == 400
    assert "day that has passed" in str(past.context["form"].errors["appointment_date"])

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    done = desk_client.post(
        url, {**typed, "appointment_date": tomorrow, "appointment_location": "Room 2"}
    )
    assert done.status_code == 302
    approved.refresh_from_db()
    assert approved.status == Referral.Status.SCHEDULED
    assert timezone.localtime(approved.appointment_at).date() == tomorrow
    assert (
        timezone.localtime(approved.appointment_at).hour,
        approved.appointment_location,
    ) == (
        10,
        "Room 2",
    )


def test_completing_before_the_appointment_shows_why_on_the_page(
    approved, desk_client, front_desk_user
):
    schedule(approved, front_desk_user)
    url = reverse("admin:referrals_referral_transition", args=[approved.pk, "complete"])

    refused = desk_client.post(url, {"note": ""})
    assert refused.status_code == 400
    assert "only on or after its appointment" in refused.content.decode()

    appointment_passed(approved)
    assert desk_client.post(url, {"note": ""}).status_code == 302
    approved.refresh_from_db()
    assert approved.status == Referral.Status.COMPLETED


def test_cancelling_needs_a_reason_kept_on_the_referral(approved, desk_client):
    url = reverse("admin:referrals_referral_transition", args=[approved.pk, "cancel"])
    refused = desk_client.post(url, {"cancel_reason": "   "})
    assert refused.status_code == 400
    assert set(refused.context["form"].errors) == {"cancel_reason"}

    assert desk_client.post(url, {"cancel_reason": "Moved away"}).status_code == 302
    approved.refresh_from_db()
    assert (approved.status, approved.cancel_reason) == ("cancelled", "Moved away")
    assert approved.events.last().note == "Moved away"


def test_a_step_gone_since_its_link_was_shown_names_who_took_the_last_one(
    approved, desk_client, front_desk_user
):
    front_desk_user.first_name, front_desk_user.last_name = "Fran", "Desk"
    front_desk_user.save()
    approver = approved.decided_by
    approver.first_name, approver.last_name = "Pat", "Reyes"
    approver.save()
    services.referral_cancel(
        referral=approved, user=front_desk_user, reason="Moved away"
    )
    for name in ("schedule", "cancel"):
        url = reverse("admin:referrals_referral_transition", args=[approved.pk, name])
        response = desk_client.get(url, follow=True)
        assert response.redirect_chain == [(approved.get_absolute_url(), 302)]
        text = str(list(response.context["messages"])[0])
        assert text.startswith("This referral is already cancelled (by Fran Desk, ")
        assert "Pat Reyes" not in text  # who approved it, before
    refused = desk_client.post(
        reverse("admin:referrals_referral_transition", args=[approved.pk, "cancel"]),
        {"cancel_reason": "Again"},
        follow=True,
    )
    assert "already cancelled (by Fran Desk, " in refused.content.decode()


def test_the_referral_page_says_what_happened_to_it_by_whom_without_row_ids(
    approved, desk_client
):
    approver = approved.decided_by
    approver.first_name, approver.last_name = "Pat", "Reyes"
    approver.save()
    html = desk_client.get(approved.get_absolute_url()).content.decode()
    events = html.split('id="referral-events"')[1].split("</table>")[0]
    assert "<td>Pat Reyes</td>" in events
    assert "<td>Pending review</td>" in events and "<td>Approved</td>" in events
    assert "Referral event" not in html  # no sequential row ids on the page
    assert html.index('id="referral-actions"') < html.index('id="referral-events"')


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

    schedule(approved, front_desk_user)
    assert desk_client.get(url).context["transitions"] == [
        ("complete", "Mark completed"),
        ("cancel", "Cancel referral"),
    ]
    appointment_passed(approved)
    services.referral_complete(referral=approved, user=front_desk_user)
    assert desk_client.get(url).context["transitions"] == []


def test_only_a_physician_cancels_a_referral_pending_review(
    front_desk_user, physician_user, desk_client, client_class
):
    physician_client = client_class()
    physician_client.force_login(physician_user)
    pending = submitted_example1().referrals.get(service__code="yoga")
    assert pending.status == Referral.Status.PENDING_REVIEW

    with pytest.raises(PermissionDenied):
        services.referral_cancel(referral=pending, user=front_desk_user, reason="x")
    url = reverse("admin:referrals_referral_transition", args=[pending.pk, "cancel"])
    assert desk_client.post(url, {"cancel_reason": "Withdrew"}).status_code == 403
    assert desk_client.get(pending.get_absolute_url()).context["transitions"] == []
    pending.refresh_from_db()
    assert pending.status == Referral.Status.PENDING_REVIEW

    page = physician_client.get(pending.get_absolute_url())
    assert page.context["transitions"] == [("cancel", "Cancel referral")]
    assert physician_client.post(url, {"cancel_reason": "Withdrew"}).status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.cancel_reason) == ("cancelled", "Withdrew")


def test_front_desk_cannot_decide(front_desk_user):
    referral = submitted_example1().referrals.get(service__code="yoga")
    with pytest.raises(PermissionDenied):
        services.referral_approve(referral=referral, user=front_desk_user)
    with pytest.raises(PermissionDenied):
        services.referral_decline(referral=referral, user=front_desk_user, note="x")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.PENDING_REVIEW


def test_physician_cannot_schedule_or_cancel_an_approved_referral(
    approved, physician_user, physician_client
):
    """Physicians complete referrals (ending a treatment course does); the front
    desk books and cancels them."""
    with pytest.raises(PermissionDenied):
        services.referral_schedule(
            referral=approved,
            user=physician_user,
            appointment_at=timezone.now(),
            provider="Dr. Park",
            location="Room 2",
        )
    with pytest.raises(PermissionDenied):
        services.referral_cancel(referral=approved, user=physician_user, reason="x")
    url = reverse("admin:referrals_referral_transition", args=[approved.pk, "schedule"])
    assert physician_client.get(url).status_code == 403
    approved.refresh_from_db()
    assert approved.status == Referral.Status.APPROVED


def test_a_pending_referral_cannot_be_scheduled(front_desk_user):
    referral = submitted_example1().referrals.get(service__code="yoga")
    with pytest.raises(services.ReferralConflict):
        schedule(referral, front_desk_user)


def test_front_desk_cancels_waitlisted_approved_or_scheduled_but_not_a_closed_one(
    approved, front_desk_user
):
    waitlisted = approved.intake.referrals.get(service__code="botox")
    assert waitlisted.status == Referral.Status.WAITLISTED

    services.referral_cancel(referral=waitlisted, user=front_desk_user, reason="Moved")
    schedule(approved, front_desk_user)
    services.referral_cancel(referral=approved, user=front_desk_user, reason="Ill")

    with pytest.raises(services.ReferralConflict):
        services.referral_cancel(referral=approved, user=front_desk_user, reason="x")
    assert Referral.objects.filter(status="cancelled").count() == 2


def test_opening_botox_moves_its_waitlist_to_review(manager_client, manager_user):
    intakes = [submitted_example1(), submitted_example1()]
    botox = Service.objects.get(code="botox")
    assert botox.referrals.waitlisted().filter(intake__in=intakes).count() == 2

    waiting = botox.referrals.waitlisted().count()  # these two, and any before
    asked = {"action": "open_services", "_selected_action": [botox.pk]}
    services_page = reverse("admin:referrals_service_changelist")
    confirm = manager_client.post(services_page, asked)
    # Asked first, with what it will do; nothing done yet.
    assert confirm.status_code == 200
    assert f"{waiting} waitlisted referrals go to physician review" in (
        confirm.content.decode()
    )
    botox.refresh_from_db()
    assert botox.accepts_referrals is False

    response = manager_client.post(services_page, {**asked, "confirm": "yes"})

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
        {"action": "open_services", "_selected_action": [botox.pk], "confirm": "yes"},
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
