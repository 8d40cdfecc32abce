"""The task worker's own duties beside running tasks: periodic tasks and recovery.

django-tasks-db's worker claims one ready task at a time (a locked row, skipped by the
other workers) and runs it. Two things it leaves to us, done here:

- **Periodic tasks** (``settings.PERIODIC_TASKS``): when one is due, exactly one worker
  enqueues it (a conditional update of its :class:`~clinic.models.PeriodicTask` row),
  and whichever worker is free runs it.
- **Two loops**: the nightly exports (``settings.EXPORTS_QUEUE``) run in a loop of
  their own, in a thread, under their own worker id; everything else in the main
  loop, so a half-hour export never holds up routing, e-mail or the audit trail.
- **Tasks of a lost worker**: each worker beats every few seconds
  (:class:`~clinic.models.WorkerHeartbeat`); a task still marked running by a worker
  that stopped beating is made ready again, so a node killed mid-task loses nothing.
  Every task of this project is idempotent, so running one twice does its work once.
"""

import datetime
import logging
import socket
import threading
import time

from django.conf import settings
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connections,
    transaction,
)
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from clinic.models import PeriodicTask, WorkerHeartbeat

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 2
# A worker silent for this long is taken to be gone, and its running tasks are retried.
WORKER_LOST_SECONDS = 30
# How often the exports' loop looks for work: its jobs are nightly.
EXPORTS_INTERVAL_SECONDS = 10


def enqueue_due_periodic_tasks(now: datetime.datetime | None = None) -> list[str]:
    """Enqueue each periodic task that is due; return the names enqueued."""
    now = now or timezone.now()
    enqueued = []
    for name, path, every in settings.PERIODIC_TASKS:
        with transaction.atomic():
            PeriodicTask.objects.get_or_create(name=name, defaults={"next_run_at": now})
            claimed = PeriodicTask.objects.filter(
                name=name, next_run_at__lte=now
            ).update(next_run_at=now + datetime.timedelta(seconds=every))
            if claimed:
                import_string(path).enqueue()
                enqueued.append(name)
    return enqueued


def beat(worker_id: str, started_at: datetime.datetime) -> None:
    """Record that ``worker_id`` is alive."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "host": socket.gethostname(),
            "started_at": started_at,
            "last_seen": timezone.now(),
        },
    )


def retry_tasks_of_lost_workers(now: datetime.datetime | None = None) -> int:
    """Make ready again the running tasks whose worker stopped beating."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(seconds=WORKER_LOST_SECONDS)
    alive = set(
        WorkerHeartbeat.objects.filter(last_seen__gte=cutoff).values_list(
            "worker_id", flat=True
        )
    )
    retried = 0
    with transaction.atomic():
        running = DBTaskResult.objects.running().filter(started_at__lt=cutoff)
        for task in running.select_for_update(skip_locked=True):
            if task.worker_ids and task.worker_ids[-1] in alive:
                continue
            task.status = TaskResultStatus.READY
            task.save(update_fields=["status"])
            logger.warning(
                "Task %s (%s) was running on a lost worker; it is queued again.",
                task.id,
                task.task_path,
            )
            retried += 1
        WorkerHeartbeat.objects.filter(last_seen__lt=cutoff).delete()
    return retried


class Housekeeper(threading.Thread):
    """Beats for the process's loops, enqueues due periodic tasks and recovers lost
    workers' tasks.

    A thread beside the worker's loops, so a long task does not stop the beat.
    """

    def __init__(self, worker_ids: list[str]) -> None:
        super().__init__(name="task-housekeeper", daemon=True)
        self.worker_ids = worker_ids
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def run(self) -> None:
        rounds = 0
        while not self.stopping.wait(HEARTBEAT_SECONDS if rounds else 0):
            try:
                for worker_id in self.worker_ids:
                    beat(worker_id, self.started_at)
                enqueue_due_periodic_tasks()
                if rounds % 5 == 0:
                    retry_tasks_of_lost_workers()
            except DatabaseError:
                logger.exception("Task housekeeping failed; trying again shortly.")
            finally:
                close_old_connections()
            rounds += 1


class ResilientWorker(Worker):
    """django-tasks-db's worker, carrying on when the database goes away.

    The stock loop stops the process on any database error but a locked SQLite
    file; a restart, a failover or a killed connection would leave a node without
    its worker. This one reconnects and carries on, and first makes ready again any
    task it had claimed when the error came: it is not running it any more.
    """

    def run(self) -> None:
        while self.running:
            try:
                super().run()
                return
            except (OperationalError, InterfaceError) as error:
                logger.warning(
                    "The database is unavailable (%s); the worker carries on.",
                    type(error).__name__,
                )
                connections.close_all()
                time.sleep(max(self.interval, 1))
                self.release_claimed_tasks()

    def release_claimed_tasks(self) -> None:
        """Make ready again the tasks this worker claimed and no longer runs."""
        try:
            with transaction.atomic():
                for task in DBTaskResult.objects.running().select_for_update():
                    if task.worker_ids and task.worker_ids[-1] == self.worker_id:
                        task.status = TaskResultStatus.READY
                        task.save(update_fields=["status"])
        except (OperationalError, InterfaceError):
            connections.close_all()  # still down: the lost-worker check covers it


def worker_loops(worker_id: str, *, interval: float) -> tuple[Worker, Worker]:
    """The process's two loops: every queue but the exports', and the exports'.

    Each has its own worker id (the exports' ends ``/exports``), so a task is
    released or retried for the loop that claimed it, not for its neighbour.
    """
    exports = settings.EXPORTS_QUEUE
    common = {
        "batch": False,
        "backend_name": "default",
        "startup_delay": True,
        "max_tasks": None,
    }
    main = ResilientWorker(
        queue_names=["*"],
        excluded_queue_names=[exports],
        worker_id=worker_id,
        interval=interval,
        **common,
    )
    long_jobs = ResilientWorker(
        queue_names=[exports],
        excluded_queue_names=[],
        worker_id=f"{worker_id}/{exports}",
        interval=max(interval, EXPORTS_INTERVAL_SECONDS),
        **common,
    )
    return main, long_jobs


def run_ready_tasks(worker_id: str = "inline") -> int:
    """Run every ready task in this process, one at a time; return how many ran.

    For tests and operators (``run_worker --drain``): the same claim and run as the
    worker's loop, without its sleeping and its connection recycling.
    """
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )
    ran = 0
    while True:
        with transaction.atomic():
            task = DBTaskResult.objects.ready().get_locked()
            if task is None:
                return ran
            task.claim(worker_id)
        worker.run_task(task)
        ran += 1
