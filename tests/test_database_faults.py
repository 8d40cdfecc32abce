"""Database faults lose nothing: killed connections during submissions and requests.

PostgreSQL only: the faults are real, made with ``pg_terminate_backend`` from a
connection of their own.
"""

import io
import threading
import time

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import DatabaseError, connection
from django.test import RequestFactory
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from clinic.tasks import deliver_mail
from clinic.worker import ResilientWorker, run_ready_tasks
from intake.models import Intake
from intake.services import intake_submit
from referrals import tasks
from referrals.models import QueueEntry, RoutingDecision
from tests.referrals.builders import example1_intake

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("migrated_data"),
]


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("kills PostgreSQL connections: run with a PostgreSQL DATABASE_URL")


# The first step of the online intake: it starts a session, stored in the database.
PAGE = "/intake/about-you/"


def superuser_connection() -> psycopg.Connection:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    return psycopg.connect(**params, autocommit=True)


def kill_other_connections(killer: psycopg.Connection) -> int:
    """Terminate every other connection to the test database; return how many."""
    rows = killer.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    ).fetchall()
    return len(rows)


def get(handler: WSGIHandler, path: str) -> int:
    """Serve one GET as gunicorn would, through the full handler; return its status."""
    environ = RequestFactory()._base_environ(
        PATH_INFO=path, REQUEST_METHOD="GET", **{"wsgi.input": io.BytesIO()}
    )
    statuses = []
    body = handler(environ, lambda status, headers: statuses.append(status))
    b"".join(body)
    body.close()  # sends request_finished, as a WSGI server does
    return int(statuses[0].split()[0])


def test_a_database_restart_costs_no_request():
    handler = WSGIHandler()
    assert get(handler, PAGE) == 200  # the process now holds a connection
    held = connection.connection

    with superuser_connection() as killer:
        assert kill_other_connections(killer) >= 1

    assert [get(handler, PAGE) for _ in range(3)] == [200, 200, 200]
    assert connection.connection is not held  # replaced before the request used it


def test_without_health_checks_the_first_request_after_a_restart_fails():
    # The other side of the test above: it passes because of CONN_HEALTH_CHECKS.
    connection.settings_dict["CONN_HEALTH_CHECKS"] = False
    connection.close()  # read again when the next connection opens
    try:
        handler = WSGIHandler()
        assert get(handler, PAGE) == 200
        with superuser_connection() as killer:
            kill_other_connections(killer)
        assert get(handler, PAGE) == 500
    finally:
        connection.settings_dict["CONN_HEALTH_CHECKS"] = True
        connection.close()


def test_killing_connections_during_submissions_leaves_no_intake_unrouted():
    drafts = [example1_intake() for _ in range(30)]
    told_sent = []
    refused = []  # submissions that failed and were sent again
    killed = []
    stop = threading.Event()

    def patients():
        # A patient shown an error presses Send again, as people do.
        for draft in drafts:
            for _ in range(50):
                try:
                    intake_submit(intake=draft)
                except DatabaseError:
                    refused.append(draft.pk)
                    connection.close()
                    time.sleep(0.02)
                    continue
                told_sent.append(draft.pk)
                break
        # On a fast machine all thirty may go through between two faults. Until one
        # has hit a submission, the last patient keeps pressing Send: submitting a
        # sent intake again changes nothing (intake_submit is idempotent), but it
        # asks the database, where the next fault lands.
        deadline = time.monotonic() + 10
        while not refused and time.monotonic() < deadline:
            try:
                intake_submit(intake=drafts[-1])
            except DatabaseError:
                refused.append(drafts[-1].pk)
                connection.close()
            time.sleep(0.01)
        connection.close()

    def worker():
        while not stop.is_set():
            try:
                run_ready_tasks("fault-test")
            except DatabaseError:
                connection.close()
            time.sleep(0.01)
        connection.close()

    def faults():
        with superuser_connection() as killer:
            while not stop.is_set():
                killed.append(kill_other_connections(killer))
                time.sleep(0.2)

    threads = [threading.Thread(target=f) for f in (worker, faults)]
    for thread in threads:
        thread.start()
    submitter = threading.Thread(target=patients)
    submitter.start()
    submitter.join()
    stop.set()
    for thread in threads:
        thread.join()
    connection.close()

    submitted = set(
        Intake.objects.filter(status=Intake.Status.SUBMITTED).values_list(
            "pk", flat=True
        )
    )
    assert set(told_sent) <= submitted  # every "sent" page was true
    assert len(told_sent) == len(drafts)
    print(f"{sum(killed)} connections killed; {len(refused)} submissions refused")
    assert sum(killed) and refused  # the faults did hit

    # Right after the faults, each submitted intake is routed or awaits routing.
    routed = set(RoutingDecision.objects.current().values_list("intake_id", flat=True))
    awaiting = set(
        QueueEntry.objects.filter(section=QueueEntry.Section.AWAITING).values_list(
            "intake_id", flat=True
        )
    )
    assert submitted <= routed | awaiting

    # Once the worker has drained (retries made due, the sweep run), all are routed.
    for _ in range(tasks.ROUTING_ATTEMPTS + 1):
        DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(
            run_after=timezone.now()
        )
        QueueEntry.objects.filter(section=QueueEntry.Section.AWAITING).update(
            since=timezone.now() - 2 * tasks.LOST_TASK_AFTER
        )
        tasks.route_waiting_intakes.call()
        run_ready_tasks("drain")
    routed = set(
        RoutingDecision.objects.current()
        .filter(status__in=["routed", "held"])
        .values_list("intake_id", flat=True)
    )
    assert submitted <= routed


def test_the_worker_carries_on_after_its_database_connection_is_killed():
    worker = ResilientWorker(
        queue_names=["*"],
        interval=0.05,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="resilient",
        excluded_queue_names=[],
    )

    def run():
        try:
            worker.run()
        finally:
            connection.close()

    def wait_for_success(result, seconds=20) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL":
                return True
            time.sleep(0.1)
        return False

    thread = threading.Thread(target=run)
    thread.start()
    try:
        assert wait_for_success(deliver_mail.enqueue())
        with superuser_connection() as killer:
            for _ in range(5):
                kill_other_connections(killer)
                time.sleep(0.1)
        connection.close()  # this thread's connection was killed too
        assert thread.is_alive()
        assert wait_for_success(deliver_mail.enqueue())
    finally:
        worker.running = False
        thread.join(timeout=30)
    assert not thread.is_alive()
