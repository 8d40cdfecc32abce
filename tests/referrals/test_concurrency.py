"""Two physicians acting on one referral at once: one decision, the other is told.

Runs on PostgreSQL with two real database connections (one per thread). SQLite has
no row locks and serialises writers on the whole file; there the stale-form test in
``test_review_workflow.py`` covers the same promise.
"""

import threading
import time

import pytest
from django.db import connection, connections

from referrals import notifications, services
from referrals.models import Referral, ReferralEvent
from tests.referrals.builders import submitted_example1

pytestmark = [
    # The flush after each test empties what the data migrations made (catalogue,
    # services, roles): the ``migrated_data`` fixture loads it again.
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migrated_data"),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs row locks and concurrent connections: run with a PostgreSQL "
        "DATABASE_URL",
    ),
]


def race(*actions):
    """Run each action in its own thread and connection, all released at once."""
    barrier = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            results[index] = ("ok", action())
        except Exception as error:  # the test inspects what each one got
            results[index] = ("error", error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(i, action))
        for i, action in enumerate(actions)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.fixture
def slow_notifications(monkeypatch):
    """Hold the winner's transaction open, so the loser really waits on its lock."""
    original = notifications.referral_approved

    def slow(**kwargs):
        time.sleep(0.5)
        return original(**kwargs)

    monkeypatch.setattr(notifications, "referral_approved", slow)


def test_second_physician_cannot_overwrite_a_decision(
    physician_user, physician2_user, slow_notifications
):
    referral = submitted_example1().referrals.get(service__code="ketamine")
    first = Referral.objects.get(pk=referral.pk)  # both pages show it pending
    second = Referral.objects.get(pk=referral.pk)

    results = race(
        lambda: services.referral_approve(referral=first, user=physician_user),
        lambda: services.referral_decline(
            referral=second, user=physician2_user, note="Prefer acupuncture first."
        ),
    )

    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    loser = next(value for kind, value in results if kind == "error")
    assert isinstance(loser, services.ReferralConflict)
    assert "already" in str(loser)
    referral.refresh_from_db()
    decisions = ReferralEvent.objects.filter(
        referral=referral, from_status="pending_review"
    )
    assert decisions.count() == 1
    assert decisions.get().to_status == referral.status
    winner = physician_user if referral.status == "approved" else physician2_user
    assert referral.decided_by == winner


def test_two_approvals_at_once_record_one(physician_user, physician2_user):
    referral = submitted_example1().referrals.get(service__code="yoga")

    results = race(
        lambda: services.referral_approve(referral=referral, user=physician_user),
        lambda: services.referral_approve(referral=referral, user=physician2_user),
    )

    assert sorted(kind for kind, _ in results) == ["error", "ok"]
    assert ReferralEvent.objects.filter(to_status="approved").count() == 1


def test_two_overrides_at_once_create_one_referral(physician_user, physician2_user):
    short = [
        ("propranolol", "ineffective", 16),
        ("topiramate", "intolerable", None),
        ("nortriptyline", "ineffective", 4),
        ("sumatriptan", "ineffective", None),
        ("rizatriptan", "ineffective", None),
    ]
    intake = submitted_example1(treatments=short)
    from referrals.models import Service

    ketamine = Service.objects.get(code="ketamine")

    results = race(
        *[
            lambda user=user: services.referral_override(
                intake=intake, service=ketamine, user=user, note="Override."
            )
            for user in (physician_user, physician2_user)
        ]
    )

    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    assert intake.referrals.filter(service=ketamine).count() == 1
