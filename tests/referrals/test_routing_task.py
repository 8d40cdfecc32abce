"""Routing is a task stored with the submission: retried, idempotent, never lost."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from intake.models import Intake
from intake.services import intake_submit
from referrals import services, tasks
from referrals.models import QueueEntry, Referral, RoutingDecision
from tests.referrals.builders import example1_intake

pytestmark = pytest.mark.django_db


def route_tasks():
    return DBTaskResult.objects.filter(task_path=tasks.route_intake.module_path)


def section(intake: Intake) -> int | None:
    entry = QueueEntry.objects.filter(intake=intake).first()
    return entry.section if entry else None


def make_due() -> None:
    route_tasks().filter(status=TaskResultStatus.READY).update(run_after=timezone.now())


def test_submission_stores_the_routing_task_with_it():
    intake = intake_submit(intake=example1_intake())

    assert route_tasks().get().args_kwargs["kwargs"] == {"intake_id": str(intake.pk)}
    assert section(intake) == QueueEntry.Section.AWAITING


def test_a_submission_whose_routing_task_cannot_be_stored_is_not_submitted(
    monkeypatch,
):
    intake = example1_intake()

    def refuse(**kwargs):
        raise OperationalError("the database went away")

    monkeypatch.setattr(services.tasks, "route_intake", SimpleNamespace(enqueue=refuse))
    with pytest.raises(OperationalError):
        intake_submit(intake=intake)

    intake.refresh_from_db()
    assert intake.status == Intake.Status.DRAFT
    assert section(intake) is None


def test_routing_twice_makes_one_decision_and_no_duplicate_referral(run_tasks):
    intake = intake_submit(intake=example1_intake())
    services.intakes_route_again_later(intake_ids=[intake.pk])

    assert run_tasks() == 2

    assert RoutingDecision.objects.filter(intake=intake).count() == 1
    assert Referral.objects.filter(intake=intake).count() == 5
    assert sorted(route_tasks().values_list("return_value", flat=True)) == [
        "already routed",
        "routed",
    ]


def test_a_database_failure_is_retried_until_the_intake_is_routed(
    run_tasks, monkeypatch
):
    intake = intake_submit(intake=example1_intake())
    store = services._store_decision
    failures = iter([OperationalError("connection lost")])

    def flaky(**kwargs):
        for error in failures:
            raise error
        return store(**kwargs)

    monkeypatch.setattr(services, "_store_decision", flaky)

    run_tasks()
    assert section(intake) == QueueEntry.Section.AWAITING
    retry = route_tasks().get(status=TaskResultStatus.READY)
    assert retry.args_kwargs["kwargs"] == {"intake_id": str(intake.pk), "attempt": 2}
    assert retry.run_after > timezone.now()  # after a pause
    assert run_tasks() == 0  # not due yet

    make_due()
    run_tasks()
    assert section(intake) == QueueEntry.Section.PENDING
    assert RoutingDecision.objects.get(intake=intake).status == "routed"


def test_after_its_last_attempt_a_routing_shows_as_failed_with_route_again(
    run_tasks, monkeypatch, physician_user
):
    intake = intake_submit(intake=example1_intake())

    def down(**kwargs):
        raise OperationalError("connection lost")

    monkeypatch.setattr(services, "_store_decision", down)
    for attempt in range(1, tasks.ROUTING_ATTEMPTS):
        run_tasks()
        assert section(intake) == QueueEntry.Section.AWAITING, attempt
        make_due()
    run_tasks()

    decision = RoutingDecision.objects.get(intake=intake)
    assert decision.status == RoutingDecision.Status.FAILED
    assert "repeated attempts (OperationalError)" in decision.error
    assert section(intake) == QueueEntry.Section.FAILED
    assert not route_tasks().filter(status=TaskResultStatus.READY).exists()

    monkeypatch.undo()
    services.intake_route_again(intake=intake, user=physician_user)
    assert section(intake) == QueueEntry.Section.PENDING


def lose_the_routing_task(intake: Intake, waited: datetime.timedelta) -> None:
    """The intake was submitted ``waited`` ago, and its routing task is gone."""
    route_tasks().delete()
    submitted = timezone.now() - waited
    Intake.objects.filter(pk=intake.pk).update(submitted_at=submitted)
    QueueEntry.objects.filter(intake=intake).update(since=submitted)


def test_the_sweep_enqueues_an_intake_whose_routing_task_was_lost(run_tasks):
    intake = intake_submit(intake=example1_intake())
    lose_the_routing_task(intake, tasks.LOST_TASK_AFTER - datetime.timedelta(seconds=5))
    assert tasks.route_waiting_intakes.call() == 0  # give a queued task its time

    lose_the_routing_task(intake, tasks.LOST_TASK_AFTER + datetime.timedelta(seconds=5))
    assert tasks.route_waiting_intakes.call() == 1
    run_tasks()

    assert section(intake) == QueueEntry.Section.PENDING


def test_verify_finds_a_submitted_intake_in_no_section_and_repairs_it(run_tasks):
    intake = intake_submit(intake=example1_intake())
    route_tasks().delete()
    QueueEntry.objects.filter(intake=intake).delete()

    with pytest.raises(CommandError, match="1 intakes are out of place"):
        call_command("verify_review_queue")
    call_command("verify_review_queue", "--repair")
    assert section(intake) == QueueEntry.Section.AWAITING

    # Its task is still missing: after a while, verify says so, and repairs it.
    lose_the_routing_task(intake, tasks.LOST_TASK_AFTER * 2)
    with pytest.raises(CommandError, match="1 intakes await routing with no routing"):
        call_command("verify_review_queue")
    call_command("verify_review_queue", "--repair")
    run_tasks()
    call_command("verify_review_queue")
    assert section(intake) == QueueEntry.Section.PENDING
