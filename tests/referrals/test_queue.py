"""The review queue: order, and a query count that does not grow with the rows."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from intake.models import Intake, TreatmentTrial
from referrals.models import Referral, RoutingDecision, Service
from referrals.services import queue_sync
from tests.factories import intake_batch
from tests.referrals.builders import submitted_example1

pytestmark = pytest.mark.django_db

QUEUE_URL = reverse("admin:referrals_queueentry_changelist")
DECISION = {
    "rules_version": "2026.1",
    "hold": None,
    "derived": {},
    "services": {},
}


def make_pending(intakes: int, per_intake: int = 5) -> None:
    """``intakes`` routed intakes with ``per_intake`` referrals pending review each."""
    services = list(Service.objects.all()[:per_intake])
    rows = intake_batch(
        intakes, status=Intake.Status.SUBMITTED, submitted_at=timezone.now()
    )
    decisions = RoutingDecision.objects.bulk_create(
        RoutingDecision(
            intake=intake,
            status="routed",
            rules_version="2026.1",
            facts={},
            decision=DECISION,
        )
        for intake in rows
    )
    Referral.objects.bulk_create(
        Referral(
            intake=decision.intake,
            service=service,
            decision=decision,
            recommended_outcome="REC",
            status="pending_review",
        )
        for decision in decisions
        for service in services
    )
    queue_sync(intake_ids=[intake.pk for intake in rows])


def queue_queries(client) -> int:
    """Queries of one queue page, after a first request has settled the session."""
    client.get(QUEUE_URL)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE_URL)
    assert response.status_code == 200
    return len(queries)


def test_queue_query_count_is_the_same_for_10_and_500_referrals(physician_client):
    submitted_example1(phq9_9=1)  # a hold
    submitted_example1(red_flags=["seizure"])  # an emergency hold
    make_pending(intakes=2)  # 10 referrals
    small = queue_queries(physician_client)

    make_pending(intakes=98)  # 500 referrals in all
    assert Referral.objects.awaiting_review().count() == 500
    large = queue_queries(physician_client)

    assert small == large
    response = physician_client.get(QUEUE_URL)
    assert len(response.context["rows"]) == 50  # paginated
    assert response.context["page"].paginator.count == 102


def test_queue_lists_holds_then_failures_then_pending_oldest_first(
    physician_client, monkeypatch
):
    first_pending = submitted_example1()
    second_pending = submitted_example1()
    urgent = submitted_example1(new_or_changed_pattern=True)
    same_day = submitted_example1(phq9_9=1)
    older_emergency = submitted_example1(red_flags=["seizure"])
    newer_emergency = submitted_example1(red_flags=["thunderclap"])
    monkeypatch.setattr("referrals.routing.route", lambda facts: 1 / 0)
    failed = submitted_example1()

    rows = physician_client.get(QUEUE_URL).context["rows"]

    assert [row["intake"].pk for row in rows] == [
        older_emergency.pk,
        newer_emergency.pk,
        urgent.pk,
        same_day.pk,
        failed.pk,
        first_pending.pk,
        second_pending.pk,
    ]


def test_decided_intakes_leave_the_queue(physician_client, physician_user):
    from referrals import services

    intake = submitted_example1()
    for referral in intake.referrals.awaiting_review():
        services.referral_approve(referral=referral, user=physician_user)

    rows = physician_client.get(QUEUE_URL).context["rows"]
    assert rows == []


def test_admin_index_links_the_queue_for_physicians_only(
    physician_client, front_desk_user
):
    assert QUEUE_URL in physician_client.get(reverse("admin:index")).content.decode()
    changelist = physician_client.get(reverse("admin:referrals_referral_changelist"))
    assert QUEUE_URL in changelist.content.decode()
    desk = Client()
    desk.force_login(front_desk_user)
    assert QUEUE_URL not in desk.get(reverse("admin:index")).content.decode()


def test_referral_changelist_query_count_does_not_grow(physician_client):
    make_pending(intakes=2)
    url = reverse("admin:referrals_referral_changelist")
    physician_client.get(url)  # the session settles on the first request
    with CaptureQueriesContext(connection) as small:
        physician_client.get(url)
    make_pending(intakes=20)
    with CaptureQueriesContext(connection) as large:
        physician_client.get(url)
    assert len(small) == len(large)


def test_review_page_query_count_is_fixed_and_within_twelve(physician_client):
    def review_queries(intake) -> int:
        url = reverse("admin:referrals_review", args=[intake.pk])
        physician_client.get(url)  # the session settles on the first request
        with CaptureQueriesContext(connection) as queries:
            response = physician_client.get(url)
        assert response.status_code == 200
        return len(queries)

    held = submitted_example1(phq9_9=1)  # a hold: no referrals yet
    routed = submitted_example1()  # five referrals, one waitlisted

    assert review_queries(held) == review_queries(routed) <= 12


@pytest.mark.parametrize(("item9", "alert"), [(0, False), (1, True)])
def test_review_page_marks_a_positive_phq9_item9(physician_client, item9, alert):
    intake = submitted_example1(phq9_9=item9)
    url = reverse("admin:referrals_review", args=[intake.pk])
    page = physician_client.get(url).content.decode()
    row = page.split("<th>PHQ-9 item 9</th>")[1].split("</tr>")[0]
    assert ('class="rq-alert"' in row) is alert
    assert f">{item9}</td>" in row


def test_review_page_shows_each_treatments_dose_or_that_none_was_recorded(
    physician_client,
):
    intake = submitted_example1()
    first, *others = intake.treatments.order_by("pk")
    TreatmentTrial.objects.filter(pk=first.pk).update(dose="80 mg twice daily")
    TreatmentTrial.objects.filter(pk__in=[t.pk for t in others]).update(dose="")
    url = reverse("admin:referrals_review", args=[intake.pk])
    table = physician_client.get(url).content.decode().split('class="treatments')[1]
    assert '<th scope="col">Dose</th>' in table
    assert table.count("<td>80 mg twice daily</td>") == 1
    assert table.count("<td>not recorded</td>") == len(others)


@pytest.mark.parametrize(
    ("triptan_days", "shown"), [(6, "triptan 6 for "), (0, "none")]
)
def test_review_page_says_acute_use_or_none(physician_client, triptan_days, shown):
    intake = submitted_example1(
        acute_days_triptan=triptan_days, acute_days_simple_analgesic=0
    )
    url = reverse("admin:referrals_review", args=[intake.pk])
    page = physician_client.get(url).content.decode()
    row = page.split("<th>Acute use (days a month)</th>")[1].split("</tr>")[0]
    assert shown in row.lower()
    assert "simple" not in row.lower()


def test_queue_shows_why_each_intake_is_there(physician_client):
    submitted_example1(phq9_9=1, red_flags=["seizure"])
    submitted_example1()

    page = physician_client.get(QUEUE_URL).content.decode()

    assert "Advise emergency department now (red flag: seizure)" in page
    assert "Same-day safety review: PHQ-9 item 9 = 1" in page
    assert "Ketamine infusion · REC" in page
