"""Run the task worker: queued tasks, periodic tasks, and recovery of lost workers."""

from django_tasks_db.management.commands import db_worker

from clinic.worker import Housekeeper, run_ready_tasks


class Command(db_worker.Command):
    help = (
        "Run queued tasks (routing, e-mail, the audit trail's sealing...) and the "
        "periodic tasks of settings.PERIODIC_TASKS until stopped; retry the tasks of "
        "workers that were lost. Run one per application node. --drain runs what is "
        "ready now and exits, without periodic tasks."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--drain",
            action="store_true",
            help="run every ready task once, then exit",
        )

    def handle(self, *args, drain=False, **options):
        if drain:
            ran = run_ready_tasks(options["worker_id"])
            self.stdout.write(f"Ran {ran} task(s).")
            return
        housekeeper = Housekeeper(options["worker_id"])
        housekeeper.start()
        try:
            super().handle(*args, **options)
        finally:
            housekeeper.stopping.set()
