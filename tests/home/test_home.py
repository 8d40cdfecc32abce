"""Each role's home page: its counts, each a link to the list it counts, a fixed
number of queries however many rows, and what routing did with today's intakes."""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from post_office import mail as post_office_mail
from post_office.models import STATUS, Email

from clinic import roles
from clinic.worker import run_ready_tasks
from intake.models import DuplicateFlag, Intake
from intake.services import intake_submit
from outcomes import services as services_outcomes
from outcomes.models import TreatmentSession
from referrals import services
from referrals.models import QueueEntry, Referral
from tests.factories import (
    COMPLETE_ANSWERS,
    IntakeFactory,
    PatientFactory,
    UserFactory,
    intake_batch,
)
from tests.intake.test_admin import intake_form
from tests.outcomes.builders import open_course
from tests.referrals.builders import example1_intake, submitted_example1
from tests.referrals.test_queue import make_pending

pytestmark = pytest.mark.django_db

HOME = reverse("admin:index")


def home_queries(client) -> tuple[int, object]:
    client.get(HOME)  # settles the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME)
    assert response.status_code == 200
    return len(queries), response


def tile(body: str, words: str) -> tuple[int, str]:
    """The number and link of the tile whose text ends with ``words``."""
    found = re.search(
        r'<a class="home-tile[^"]*" href="([^"]+)"><span class="home-number">(\d+)'
        r"</span> " + re.escape(words),
        body,
    )
    assert found, words
    return int(found.group(2)), found.group(1).replace("&amp;", "&")


def listed(client, url: str) -> int:
    """Rows of an admin list (or queue) page."""
    response = client.get(url)
    assert response.status_code == 200, url
    if "rows" in response.context:
        return response.context["page"].paginator.count
    return response.context["cl"].result_count


def test_front_desk_home_counts_today_drafts_and_referrals_to_schedule(
    desk_client, physician_user
):
    routed = submitted_example1()
    services.referral_approve(
        referral=routed.referrals.awaiting_review().first(), user=physician_user
    )
    IntakeFactory(source=Intake.Source.FRONT_DESK)  # a draft to complete
    IntakeFactory(source=Intake.Source.ONLINE)  # the patient's to finish, not ours
    yesterday = submitted_example1()
    Intake.objects.filter(pk=yesterday.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=1, hours=1)
    )

    first, second, third = PatientFactory(), PatientFactory(), PatientFactory()
    DuplicateFlag.objects.create(patient=second, candidate=first)
    DuplicateFlag.objects.create(patient=third, candidate=first)
    DuplicateFlag.objects.create(patient=third, candidate=second)

    body = desk_client.get(HOME).content.decode()

    assert tile(body, "possible duplicates to check")[0] == 2
    assert listed(desk_client, tile(body, "possible duplicates to check")[1]) == 2
    assert tile(body, "intake submitted today")[0] == 1
    assert tile(body, "draft to complete")[0] == 1
    assert tile(body, "approved referral to schedule")[0] == 1
    for words in (
        "intake submitted today",
        "draft to complete",
        "approved referral to schedule",
    ):
        count, url = tile(body, words)
        assert listed(desk_client, url) == count, words
    assert "Routed: 5 referrals" in body
    assert "Review queue" not in body and "Waitlists" not in body


def test_front_desk_is_told_routing_runs_then_sees_what_it_did(desk_client):
    intake_submit(intake=example1_intake())
    body = desk_client.get(HOME).content.decode()
    assert "Routing…" in body
    assert 'id="todays-intakes" data-routing>' in body  # home.js fetches it again

    run_ready_tasks()
    body = desk_client.get(HOME).content.decode()
    assert "Routing…" not in body and "data-routing" not in body
    assert "Routed: 5 referrals" in body


def test_a_hold_and_a_failure_read_as_such_on_the_front_desk_home(
    desk_client, monkeypatch
):
    submitted_example1(new_or_changed_pattern=True)
    monkeypatch.setattr("referrals.routing.route", lambda facts: 1 / 0)
    submitted_example1()
    body = desk_client.get(HOME).content.decode()
    assert "On hold, urgent (within 24 h): the physicians are told" in body
    assert "Routing failed: a physician routes it again" in body


def test_physician_home_counts_the_queue_the_oldest_and_my_day(
    physician_client, physician_user
):
    physician2_user = UserFactory(username="doctor2", role="Physician")
    hold = submitted_example1(phq9_9=1)
    mine = submitted_example1()
    theirs = submitted_example1()
    for referral in mine.referrals.awaiting_review()[:2]:
        services.referral_approve(referral=referral, user=physician_user)
    services.referral_decline(
        referral=mine.referrals.awaiting_review().first(),
        user=physician_user,
        note="Not now.",
    )
    services.referral_approve(
        referral=theirs.referrals.awaiting_review().first(), user=physician2_user
    )
    QueueEntry.objects.filter(intake=mine).update(
        since=timezone.now() - datetime.timedelta(days=3)
    )

    body = physician_client.get(HOME).content.decode()

    assert tile(body, "on hold")[0] == 1
    assert tile(body, "intakes with referrals pending review")[0] == 2
    assert tile(body, "awaiting routing")[0] == 0
    assert tile(body, "routing failed")[0] == 0
    for words in (
        "on hold",
        "intakes with referrals pending review",
        "awaiting routing",
    ):
        count, url = tile(body, words)
        assert listed(physician_client, url) == count, words
    oldest = reverse("admin:referrals_review", args=[mine.pk])
    assert f'Waiting longest: <a href="{oldest}">' in body
    assert "<strong>3</strong> referrals" in body
    assert "2 now approved, 1 now declined" in body
    decided = re.search(r'Decided by you today: <a href="([^"]+)"', body).group(1)
    assert listed(physician_client, decided.replace("&amp;", "&")) == 3
    assert hold.pk  # the hold is counted above, not decided by anyone
    assert "Front desk" not in body and "e-mail failed" not in body


def test_manager_home_counts_failures_mail_locks_and_waitlists(
    manager_client, manager_user, monkeypatch
):
    submitted_example1()  # Botox is coming soon: one waitlisted referral
    submitted_example1()
    monkeypatch.setattr("referrals.routing.route", lambda facts: 1 / 0)
    submitted_example1()
    monkeypatch.undo()
    failed = post_office_mail.send(
        recipients=["a@example.com"], subject="x", message="x"
    )
    Email.objects.filter(pk=failed.pk).update(status=STATUS.failed)
    stuck = post_office_mail.send(
        recipients=["b@example.com"], subject="x", message="x"
    )
    Email.objects.filter(pk=stuck.pk).update(number_of_retries=2)
    post_office_mail.send(recipients=["c@example.com"], subject="x", message="x")
    UserFactory(username="locked")
    AccessAttempt.objects.create(
        username="locked",
        ip_address="127.0.0.1",
        user_agent="test",
        failures_since_start=settings.AXES_FAILURE_LIMIT,
        attempt_time=timezone.now(),
    )
    AccessAttempt.objects.create(
        username="boss",
        ip_address="127.0.0.1",
        user_agent="test",
        failures_since_start=settings.AXES_FAILURE_LIMIT - 1,
        attempt_time=timezone.now(),
    )

    body = manager_client.get(HOME).content.decode()

    expected = {
        "routing failure": 1,
        "e-mail failed": 1,
        "e-mail stuck": 1,
        "locked account": 1,
    }
    for words, count in expected.items():
        shown, url = tile(body, words)
        assert shown == count, words
        assert listed(manager_client, url) == count, words
    botox = re.search(
        r'<a href="([^"]+)"><strong>(\d+)</strong> waiting for Botox', body
    )
    assert int(botox.group(2)) == 2
    assert listed(manager_client, botox.group(1).replace("&amp;", "&")) == 2
    assert "Front desk" not in body


def test_home_query_counts_do_not_grow_with_rows(client, front_desk_user):
    physician = UserFactory(username="doc", role="Physician")
    manager = UserFactory(username="mgr", role="Clinic manager")
    submitted_example1(phq9_9=1)
    submitted_example1()
    make_pending(intakes=2)
    counts = {}
    for user in (front_desk_user, physician, manager):
        client.force_login(user)
        counts[user.username] = home_queries(client)[0]

    make_pending(intakes=60)
    intake_batch(40)  # drafts
    for _ in range(30):
        post_office_mail.send(recipients=["x@example.com"], subject="x", message="x")
    for n in range(10):
        AccessAttempt.objects.create(
            username=f"user{n}",
            ip_address="127.0.0.1",
            user_agent="test",
            failures_since_start=settings.AXES_FAILURE_LIMIT,
            attempt_time=timezone.now(),
        )
    for referral in Referral.objects.awaiting_review()[:40]:
        services.referral_approve(referral=referral, user=physician)
    for user in (front_desk_user, physician, manager):
        client.force_login(user)
        queries, response = home_queries(client)
        assert queries == counts[user.username], user.username
        assert queries <= 14, user.username
    assert "Today" in response.content.decode()


def test_clinical_home_lists_todays_appointments_and_counts_courses_and_sessions(
    client,
):
    nurse = UserFactory(username="nurse", role=roles.CLINICIAN)
    booked = open_course()  # booked for now: today
    yoga = open_course(service="yoga")
    services_outcomes.session_save(
        session=TreatmentSession(course=booked, date=timezone.localdate()), user=nurse
    )
    client.force_login(nurse)
    queries, response = home_queries(client)
    body = response.content.decode()

    for words, count in (("courses under way", 2), ("session recorded today", 1)):
        shown, url = tile(body, words)
        assert shown == count == listed(client, url), words
    appointments = body.split('id="todays-appointments"')[1].split("</table>")[0]
    for course in (booked, yoga):
        assert course.referral.intake.patient.record_number in appointments
        assert f"?course={course.pk}" in appointments
    assert "Review queue" not in body  # a clinician's home is the treatments

    open_course(service="massage")
    assert home_queries(client)[0] == queries  # not one query more a row


def test_home_needs_a_staff_sign_in(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_after_submitting_the_front_desk_is_told_routing_runs_and_where_to_look(
    desk_client,
):
    patient = PatientFactory()
    response = desk_client.post(
        reverse("admin:intake_intake_add"),
        intake_form(patient, {**COMPLETE_ANSWERS, "_submit": "1"}),
        follow=True,
    )

    message = str(list(response.context["messages"])[-1])
    assert "submitted. Routing…" in message
    assert f'<a href="{HOME}">your home page</a>' in message
    home = desk_client.get(HOME).content.decode()
    assert patient.record_number in home and "Routing…" in home
