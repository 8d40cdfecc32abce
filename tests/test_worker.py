"""The task worker's duties: periodic tasks once per due time, lost workers' tasks."""

import datetime

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from clinic import worker
from clinic.models import PeriodicTask, WorkerHeartbeat
from clinic.tasks import deliver_mail
from fhir_export.tasks import write_nightly_export
from reports.tasks import write_weekly_pack

pytestmark = pytest.mark.django_db


def test_each_periodic_task_is_enqueued_once_per_due_time(settings):
    settings.PERIODIC_TASKS = [("mail-delivery", "clinic.tasks.deliver_mail", 10)]
    now = timezone.now()

    # Two workers look at the schedule at the same moment: one enqueues.
    assert worker.enqueue_due_periodic_tasks(now) == ["mail-delivery"]
    assert worker.enqueue_due_periodic_tasks(now) == []
    assert worker.enqueue_due_periodic_tasks(now + datetime.timedelta(seconds=9)) == []
    assert worker.enqueue_due_periodic_tasks(now + datetime.timedelta(seconds=10)) == [
        "mail-delivery"
    ]
    assert DBTaskResult.objects.filter(task_path=deliver_mail.module_path).count() == 2
    assert PeriodicTask.objects.get().next_run_at == now + datetime.timedelta(
        seconds=20
    )


def running_task(worker_id: str, started: datetime.datetime) -> DBTaskResult:
    result = deliver_mail.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(
        status=TaskResultStatus.RUNNING, started_at=started, worker_ids=[worker_id]
    )
    return DBTaskResult.objects.get(pk=result.id)


def test_a_task_of_a_worker_that_stopped_beating_runs_again():
    now = timezone.now()
    lost_for = datetime.timedelta(seconds=worker.WORKER_LOST_SECONDS + 1)
    worker.beat("alive", now - datetime.timedelta(hours=1))
    worker.beat("killed", now - datetime.timedelta(hours=1))
    WorkerHeartbeat.objects.filter(worker_id="killed").update(last_seen=now - lost_for)
    of_the_living = running_task("alive", now - lost_for)
    of_the_lost = running_task("killed", now - lost_for)
    just_claimed = running_task("killed", now)

    assert worker.retry_tasks_of_lost_workers(now) == 1

    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses[of_the_lost.pk] == TaskResultStatus.READY
    assert statuses[of_the_living.pk] == TaskResultStatus.RUNNING
    assert statuses[just_claimed.pk] == TaskResultStatus.RUNNING
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == [
        "alive"
    ]


def test_a_worker_beating_just_inside_the_limit_keeps_its_task():
    now = timezone.now()
    within = datetime.timedelta(seconds=worker.WORKER_LOST_SECONDS - 1)
    worker.beat("slow", now - datetime.timedelta(hours=1))
    WorkerHeartbeat.objects.filter(worker_id="slow").update(last_seen=now - within)
    task = running_task("slow", now - datetime.timedelta(hours=1))

    assert worker.retry_tasks_of_lost_workers(now) == 0
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_drain_runs_what_is_ready_and_says_so(capsys):
    deliver_mail.enqueue()
    deliver_mail.enqueue()

    call_command("run_worker", "--drain")

    assert "Ran 2 task(s)." in capsys.readouterr().out
    assert DBTaskResult.objects.successful().count() == 2


def test_the_nightly_exports_have_their_own_queue():
    assert write_nightly_export.queue_name == settings.EXPORTS_QUEUE
    assert write_weekly_pack.queue_name == settings.EXPORTS_QUEUE
    assert deliver_mail.queue_name != settings.EXPORTS_QUEUE


# The loops manage their own connections and transactions, as in production: not
# inside a test's transaction, which they would close.
@pytest.mark.django_db(transaction=True)
def test_routing_and_mail_never_wait_behind_an_export():
    """The main loop leaves the exports to their own loop, and that loop runs only
    them: a half-hour export does not hold up the routing queued after it."""
    export = write_nightly_export.enqueue()
    mail = deliver_mail.enqueue()
    main, long_jobs = worker.worker_loops("node1", interval=1)
    assert long_jobs.worker_id == "node1/exports"
    assert long_jobs.interval == worker.EXPORTS_INTERVAL_SECONDS

    for loop in (main, long_jobs):
        loop.batch, loop.startup_delay = True, False  # run what is ready, then stop
    main.run()
    statuses = {
        str(pk): status
        for pk, status in DBTaskResult.objects.values_list("pk", "status")
    }
    assert statuses[mail.id] == TaskResultStatus.SUCCESSFUL
    assert statuses[export.id] == TaskResultStatus.READY

    claimed = []
    long_jobs.run_task = lambda task: claimed.append(task.task_path)
    long_jobs.run()
    assert claimed == [write_nightly_export.module_path]
