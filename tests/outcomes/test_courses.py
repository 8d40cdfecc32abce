"""Treatment courses: opened by scheduling their referral, sessions by role, the end
of a course (front desk, physicians, clinicians) completing the referral and setting
its follow-ups; constraints in the DB."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from clinic.models import AuditEntry
from intake.codes import SERVICES
from outcomes import definitions, services
from outcomes.models import (
    RANGES,
    AdverseEvent,
    FollowUp,
    TreatmentCourse,
    TreatmentSession,
)
from referrals.models import Referral
from referrals.services import referral_approve, referral_complete
from tests.conftest import rolled_back_after
from tests.factories import UserFactory
from tests.outcomes.builders import (
    open_course,
    record_sessions,
    schedule,
    scheduled_referral,
    staff,
)
from tests.referrals.builders import submitted_example1

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 9, 1)


@pytest.fixture(scope="module")
def _open_course_pk(django_db_setup, django_db_blocker):
    """One open ketamine course, scheduled from worked example 1, built once per
    module and worker for the tests that each need one (each test's writes are
    rolled back)."""
    with rolled_back_after(django_db_blocker):
        yield open_course().pk


@pytest.fixture
def course(_open_course_pk, db):
    return TreatmentCourse.objects.get(pk=_open_course_pk)


def session_add_url():
    return reverse("admin:outcomes_treatmentsession_add")


def session_post(course, **fields):
    return {
        "course": str(course.pk),
        "date": DAY.isoformat(),
        "attended": "on",
        "adverse_events-TOTAL_FORMS": "0",
        "adverse_events-INITIAL_FORMS": "0",
        "adverse_events-MIN_NUM_FORMS": "0",
        "adverse_events-MAX_NUM_FORMS": "1000",
        **fields,
    }


def course_post(**fields):
    """The course page's form, with its (read-only) sessions' management form."""
    return {
        "sessions-TOTAL_FORMS": "0",
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "1000",
        "planned_sessions": "5",
        **fields,
    }


def test_scheduling_a_referral_opens_its_course_with_the_services_sessions(
    desk_client,
):
    intake = submitted_example1()
    referral = intake.referrals.get(service__code="ketamine")
    referral_approve(referral=referral, user=staff(roles.PHYSICIAN), note="")
    assert not TreatmentCourse.objects.filter(referral=referral).exists()
    before = AuditEntry.objects.count()
    when = timezone.localtime() + datetime.timedelta(days=2)
    response = desk_client.post(
        reverse("admin:referrals_referral_transition", args=[referral.pk, "schedule"]),
        {
            "appointment_date": when.date().isoformat(),
            "appointment_time": "09:30",
            "appointment_provider": "Dr Okafor",
            "appointment_location": "Infusion suite",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    course = TreatmentCourse.objects.get(referral=referral)
    assert course.referral.status == Referral.Status.SCHEDULED
    assert course.status == TreatmentCourse.Status.OPEN
    assert course.planned_sessions == definitions.PLANNED_SESSIONS["ketamine"] == 5
    assert course.opened_by.username == "desk"
    audited = AuditEntry.objects.order_by("pk")[before:]
    assert {entry.content_type.model for entry in audited} >= {
        "referral",
        "treatmentcourse",
    }


def test_a_course_that_cannot_open_leaves_the_referral_unscheduled(monkeypatch):
    intake = submitted_example1()
    referral = intake.referrals.get(service__code="yoga")
    referral_approve(referral=referral, user=staff(roles.PHYSICIAN), note="")
    monkeypatch.setitem(definitions.PLANNED_SESSIONS, "yoga", 0)  # below the range
    with pytest.raises(ValidationError):
        schedule(referral, staff(roles.FRONT_DESK))
    referral.refresh_from_db()
    assert referral.status == Referral.Status.APPROVED
    assert referral.appointment_at is None
    assert not TreatmentCourse.objects.filter(referral=referral).exists()


def test_every_service_has_its_planned_sessions():
    assert set(definitions.PLANNED_SESSIONS) == {code for code, _ in SERVICES}
    low, high = RANGES["planned_sessions"]
    assert all(low <= n <= high for n in definitions.PLANNED_SESSIONS.values())


def test_front_desk_opens_a_course_by_hand_only_for_a_scheduled_referral_without_one(
    desk_client,
):
    """A referral scheduled before courses opened themselves has none."""
    referral = scheduled_referral()
    TreatmentCourse.objects.filter(referral=referral).delete()
    approved_only = referral.intake.referrals.filter(
        status=Referral.Status.PENDING_REVIEW
    ).first()
    add = reverse("admin:outcomes_treatmentcourse_add")
    refused = desk_client.post(
        add, {"referral": str(approved_only.pk), "planned_sessions": "5"}
    )
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()

    response = desk_client.post(
        add, {"referral": str(referral.pk), "planned_sessions": "5"}
    )
    assert response.status_code == 302
    course = TreatmentCourse.objects.get(referral=referral)
    assert (course.planned_sessions, course.status) == (5, "open")
    assert course.opened_by.username == "desk"
    with pytest.raises(ValidationError):
        services.course_open(
            referral=referral, planned_sessions=5, user=course.opened_by
        )


def test_the_planned_sessions_change_while_the_course_is_under_way(desk_client):
    course = open_course("yoga")
    assert course.planned_sessions == definitions.PLANNED_SESSIONS["yoga"]
    response = desk_client.post(
        course.get_absolute_url(), course_post(planned_sessions="10", end="")
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.planned_sessions == 10
    record_sessions(course, [(6, 4)], DAY)
    services.course_complete(course=course, user=staff(roles.FRONT_DESK))
    with pytest.raises(ValidationError):
        services.course_plan(
            course=course, planned_sessions=12, user=staff(roles.FRONT_DESK)
        )
    with pytest.raises(PermissionDenied):
        services.course_plan(
            course=open_course(), planned_sessions=4, user=staff(roles.CLINIC_MANAGER)
        )


def test_physician_records_a_ketamine_session_with_an_adverse_event(
    physician_client, course
):
    response = physician_client.post(
        session_add_url(),
        session_post(
            course,
            pain_before="8",
            pain_after="4",
            ketamine_dose_mg_kg_h="0.50",
            ketamine_minutes="240",
            bp_systolic_before="124",
            bp_diastolic_before="80",
            bp_systolic_after="138",
            bp_diastolic_after="86",
            **{
                "adverse_events-TOTAL_FORMS": "1",
                "adverse_events-0-kind": "dissociation",
                "adverse_events-0-severity": "mild",
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response.url == course.get_absolute_url()
    session = course.sessions.get()
    assert (session.pain_before, session.pain_after) == (8, 4)
    assert session.ketamine_dose_mg_kg_h == Decimal("0.50")
    assert session.adverse_events.get().kind == AdverseEvent.Kind.DISSOCIATION


@pytest.mark.parametrize(("note", "saved"), [("", False), ("Hiccups", True)])
def test_an_other_adverse_event_needs_what_happened_said_beside_it(
    physician_client, course, note, saved
):
    response = physician_client.post(
        session_add_url(),
        session_post(
            course,
            **{
                "adverse_events-TOTAL_FORMS": "1",
                "adverse_events-0-kind": "other",
                "adverse_events-0-severity": "mild",
                "adverse_events-0-note": note,
            },
        ),
    )
    assert course.sessions.exists() is saved
    if saved:
        assert AdverseEvent.objects.get().note == "Hiccups"
        return
    event_form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert event_form.errors == {"note": ["Say what happened: the kind is 'Other'."]}
    assert "adverse_event_other_is_described" not in response.content.decode()


def test_front_desk_records_attendance_but_not_clinical_fields(desk_client, course):
    response = desk_client.post(
        session_add_url(), session_post(course, pain_before="8", pain_after="2")
    )
    assert response.status_code == 302
    session = course.sessions.get()
    assert session.attended is True
    assert (session.pain_before, session.pain_after) == (None, None)  # not asked
    for page in (session.get_absolute_url(), course.get_absolute_url()):
        html = desk_client.get(page).content.decode()
        assert "Pain before" not in html and "pain before" not in html
    session.pain_before = 7
    with pytest.raises(PermissionDenied):
        services.session_save(session=session, user=UserFactory(role=roles.FRONT_DESK))
    session.refresh_from_db()
    assert session.pain_before is None


def test_a_clinician_records_clinical_fields_but_sees_no_outcomes_page(course):
    clinician = UserFactory(role=roles.CLINICIAN)
    session = services.session_save(
        session=TreatmentSession(course=course, date=DAY, pain_before=6, pain_after=3),
        user=clinician,
    )
    assert session.pain_after == 3
    assert clinician.has_perm("outcomes.record_clinical")
    assert not clinician.has_perm("outcomes.view_outcomes")
    assert not clinician.has_perm("intake.view_intake")


def test_clinical_staff_see_who_and_what_to_know_before_treating_the_front_desk_who(
    desk_client, course
):
    patient = course.referral.intake.patient
    Intake = type(course.referral.intake)
    Intake.objects.filter(pk=course.referral.intake_id).update(
        allergies=["botulinum_toxin"],
        other_allergies="Latex",
        weight_kg=Decimal("72.5"),
    )
    Referral.objects.filter(pk=course.referral_id).update(
        note="Start at 0.5 mg/kg/h.",
        reasons=[
            {"code": "K_FLAG_BP", "text": "Blood pressure 146/92 mmHg: recheck"},
            {"code": "K_NE_DEBILITATING_DAYS", "text": "Debilitating days 3 < 8"},
        ],
    )
    session = services.session_save(
        session=TreatmentSession(course=course, date=DAY), user=staff(roles.PHYSICIAN)
    )
    who = f"{patient.record_number} · {patient.last_name}, {patient.first_name} · born"
    nurse = Client()
    nurse.force_login(UserFactory(role=roles.CLINICIAN))
    for page in (session.get_absolute_url(), course.get_absolute_url()):
        html = nurse.get(page).content.decode()
        assert who in html
        assert "<strong>Weight:</strong> 72.5 kg" in html
        assert "Botulinum toxin (Botox); Latex" in html
        assert "<strong>Caution:</strong> Blood pressure 146/92 mmHg: recheck" in html
        assert "Debilitating days 3 &lt; 8" not in html  # a reason, not a caution
        assert "Start at 0.5 mg/kg/h." in html
        desk_html = desk_client.get(page).content.decode()
        assert who in desk_html
        assert "Latex" not in desk_html and "Caution" not in desk_html
    add_page = nurse.get(session_add_url(), {"course": course.pk}).content.decode()
    assert f"{who} {patient.date_of_birth:%Y-%m-%d}" in add_page  # the course picker


def test_a_dose_is_refused_beside_the_field_on_a_course_that_is_not_ketamine(
    physician_client,
):
    course = open_course("yoga", planned=8)
    response = physician_client.post(
        session_add_url(), session_post(course, ketamine_dose_mg_kg_h="0.5")
    )
    assert response.status_code == 200
    assert "Only a ketamine infusion has a dose" in response.content.decode()
    assert not course.sessions.exists()


@pytest.mark.parametrize(
    ("systolic", "diastolic", "problem"),
    [
        ("120", "140", "The lower number must be below the upper number."),
        ("120", "120", "The lower number must be below the upper number."),
        ("120", "", "Enter both blood-pressure numbers, or neither."),
        ("120", "119", None),
    ],
)
@pytest.mark.parametrize("when", ["before", "after"])
def test_a_blood_pressure_pair_is_checked_beside_its_lower_number(
    physician_client, course, when, systolic, diastolic, problem
):
    response = physician_client.post(
        session_add_url(),
        session_post(
            course,
            **{f"bp_systolic_{when}": systolic, f"bp_diastolic_{when}": diastolic},
        ),
    )
    if problem is None:
        assert response.status_code == 302
        assert getattr(course.sessions.get(), f"bp_diastolic_{when}") == 119
        return
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors[f"bp_diastolic_{when}"] == [problem]
    assert f'value="{systolic}"' in response.content.decode()  # kept as typed
    assert not course.sessions.exists()


@pytest.mark.parametrize(("days_ahead", "saved"), [(1, False), (0, True)])
def test_a_session_is_recorded_once_it_has_happened(
    physician_client, course, days_ahead, saved
):
    day = timezone.localdate() + datetime.timedelta(days=days_ahead)
    post = {**session_post(course), "date": day.isoformat()}
    response = physician_client.post(session_add_url(), post)
    assert course.sessions.exists() is saved
    if not saved:
        assert response.context["adminform"].form.errors["date"] == [
            "This date is in the future: record a session once it has happened."
        ]


def test_a_missed_session_takes_no_measurements(physician_client, course):
    post = session_post(course, pain_before="7")
    del post["attended"]
    response = physician_client.post(session_add_url(), post)
    assert response.status_code == 200
    assert "A missed session has no measurements" in response.content.decode()


def test_completing_a_course_completes_the_referral_and_sets_three_follow_ups(course):
    record_sessions(course, [(8, 5), (6, 4), (5, 3)], DAY)
    desk = UserFactory(role=roles.FRONT_DESK)

    services.course_complete(course=course, user=desk)

    course.refresh_from_db()
    assert course.status == TreatmentCourse.Status.COMPLETED
    assert course.ended_on == DAY + datetime.timedelta(days=2)
    assert course.referral.status == Referral.Status.COMPLETED
    assert set(course.follow_ups.values_list("point", flat=True)) == {
        "1w",
        "1m",
        "3m",
    }
    with pytest.raises(ValidationError):
        services.course_complete(course=course, user=desk)
    with pytest.raises(ValidationError):
        services.session_save(
            session=TreatmentSession(course=course, date=DAY), user=desk
        )


def test_a_course_without_an_attended_session_cannot_end(desk_client, course):
    response = desk_client.post(
        course.get_absolute_url(), course_post(end="complete", end_note="")
    )
    assert response.status_code == 200
    assert "No session was attended" in response.content.decode()
    course.refresh_from_db()
    assert course.status == TreatmentCourse.Status.OPEN


def test_discontinuing_needs_a_reason_and_then_completes_the_referral(
    desk_client, course
):
    record_sessions(course, [(8, 7)], DAY)
    url = course.get_absolute_url()
    response = desk_client.post(url, course_post(end="discontinue", end_note=" "))
    assert response.status_code == 200
    assert "Say why the course stopped" in response.content.decode()

    response = desk_client.post(
        url, course_post(end="discontinue", end_note="Stopped coming after day 1")
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.status == TreatmentCourse.Status.DISCONTINUED
    assert course.referral.status == Referral.Status.COMPLETED
    assert course.follow_ups.count() == 3


@pytest.mark.parametrize("role", [roles.PHYSICIAN, roles.CLINICIAN])
def test_physicians_and_clinicians_end_a_course_which_completes_the_referral(
    client, role, course
):
    record_sessions(course, [(8, 5)], DAY)
    client.force_login(UserFactory(username="ender", role=role))
    response = client.post(course.get_absolute_url(), course_post(end="complete"))
    assert response.status_code == 302, response.content.decode()[:2000]
    course.refresh_from_db()
    assert course.status == TreatmentCourse.Status.COMPLETED
    assert course.ended_by.username == "ender"
    assert course.referral.status == Referral.Status.COMPLETED
    assert course.follow_ups.count() == 3


def test_the_manager_cannot_end_a_course(manager_client, course):
    record_sessions(course, [(8, 5)], DAY)
    response = manager_client.post(
        course.get_absolute_url(), course_post(end="complete")
    )
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.course_complete(course=course, user=staff(roles.CLINIC_MANAGER))
    course.refresh_from_db()
    assert course.status == TreatmentCourse.Status.OPEN


def test_staff_enter_follow_up_answers_taken_on_the_phone_once(desk_client, course):
    record_sessions(course, [(8, 4)], DAY)
    services.course_complete(course=course, user=UserFactory(role=roles.FRONT_DESK))
    follow_up = course.follow_ups.get(point="1m")
    answers = {
        "headache_days": "6",
        "migraine_days": "9",
        "current_pain": "3",
        "worst_pain": "7",
        **{f"midas_{n}": "1" for n in range(1, 6)},
        "pgic": "2",
        "side_effects": "",
    }
    url = follow_up.get_absolute_url()
    response = desk_client.post(url, answers)
    assert response.status_code == 200  # more migraine days than headache days
    follow_up.refresh_from_db()
    assert follow_up.answered_at is None

    response = desk_client.post(url, {**answers, "migraine_days": "4"})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.answered_by.username == "desk"
    assert (follow_up.headache_days, follow_up.midas_total) == (6, 5)
    with pytest.raises(ValidationError):
        services.follow_up_answer(follow_up=follow_up, answers={})


def test_reading_a_course_page_is_audited(physician_client, course):
    before = AuditEntry.objects.count()
    assert physician_client.get(course.get_absolute_url()).status_code == 200
    entry = AuditEntry.objects.order_by("pk")[before:].get()
    assert entry.additional_data == {
        "patient": course.referral.intake.patient.record_number
    }


@pytest.mark.parametrize(
    "fields",
    [
        {"attended": False, "pain_before": 5},
        {"pain_after": 11},
        {"bp_systolic_before": 400},
        {"ketamine_dose_mg_kg_h": Decimal("0")},
        {"bp_systolic_before": 120, "bp_diastolic_before": 140},
        {"bp_systolic_after": 120, "bp_diastolic_after": 120},
        {"bp_systolic_after": 120},
    ],
)
def test_the_database_refuses_impossible_sessions(fields, course):
    with pytest.raises(IntegrityError), transaction.atomic():
        TreatmentSession.objects.create(course=course, date=DAY, **fields)


def test_the_database_refuses_impossible_courses_and_answers(course):
    with pytest.raises(IntegrityError), transaction.atomic():
        TreatmentCourse.objects.filter(pk=course.pk).update(
            status=TreatmentCourse.Status.COMPLETED
        )  # ended without a date
    session = TreatmentSession.objects.create(course=course, date=DAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        AdverseEvent.objects.create(session=session, kind="other", severity="mild")
    follow_up = FollowUp.objects.create(course=course, point="1m")
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.filter(pk=follow_up.pk).update(
            answered_at=datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC)
        )  # answered with nothing in it


def test_a_course_still_ends_after_its_referral_was_marked_completed_first(course):
    record_sessions(course, [(8, 5)], DAY)
    desk = staff(roles.FRONT_DESK)
    referral_complete(referral=course.referral, user=desk)
    with pytest.raises(PermissionDenied):
        services.course_complete(course=course, user=staff(roles.CLINIC_MANAGER))
    course = services.course_complete(course=course, user=desk)
    assert course.status == TreatmentCourse.Status.COMPLETED
    assert course.referral.status == Referral.Status.COMPLETED
    assert course.follow_ups.count() == 3
