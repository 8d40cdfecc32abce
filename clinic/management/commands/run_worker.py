"""Run the task worker: queued tasks, periodic tasks, and recovery of lost workers."""

import os
import socket
import threading

from django.utils.crypto import get_random_string
from django_tasks_db.management.commands import db_worker

from clinic.worker import Housekeeper, run_ready_tasks, worker_loops


class Command(db_worker.Command):
    help = (
        "Run queued tasks (routing, e-mail, the audit trail's sealing...) and the "
        "periodic tasks of settings.PERIODIC_TASKS until stopped; retry the tasks of "
        "workers that were lost; carry on through database outages. Run one per "
        "application node. --drain runs what is ready now and exits."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="seconds to wait when no task is ready (default: 1)",
        )
        parser.add_argument(
            "--worker-id",
            help="a name unique among the workers (default: host, process, random)",
        )
        parser.add_argument(
            "--drain",
            action="store_true",
            help="run every ready task once, then exit",
        )

    def handle(self, *args, interval, worker_id, drain, verbosity, **options):
        self.configure_logging(verbosity)
        worker_id = worker_id or (
            f"{socket.gethostname()[:32]}-{os.getpid()}-{get_random_string(8)}"
        )
        if drain:
            ran = run_ready_tasks(worker_id)
            self.stdout.write(f"Ran {ran} task(s).")
            return
        worker, long_jobs = worker_loops(worker_id, interval=interval)
        housekeeper = Housekeeper([worker.worker_id, long_jobs.worker_id])
        housekeeper.start()
        # The exports' loop is a daemon thread: stopping the worker does not wait
        # for a half-hour export. An export cut short is released below and runs
        # again whole (its folder appears only when complete).
        threading.Thread(target=long_jobs.run, name="exports", daemon=True).start()
        try:
            worker.configure_signals()
            worker.run()
        finally:
            long_jobs.running = False
            long_jobs.release_claimed_tasks()
            housekeeper.stopping.set()
