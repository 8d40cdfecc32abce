"""The referrals app's background tasks: thin, each calls a service."""

import datetime

from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks import task

from referrals import selectors, services

# Attempts at storing one routing before it is recorded as failed, and the pause
# before each retry (15 s, then doubling: about 8 minutes in all, more than a
# database restart or failover takes).
ROUTING_ATTEMPTS = 6
FIRST_RETRY = datetime.timedelta(seconds=15)
# An intake waiting this long with no routing task ready or running lost its task.
LOST_TASK_AFTER = datetime.timedelta(minutes=2)


@task()
def route_intake(intake_id: str, attempt: int = 1) -> str:
    """Route a submitted intake that awaits routing; idempotent.

    A database failure is retried with growing pauses; after the last attempt the
    intake is recorded as a failed routing, for a physician's "Route again". If even
    the retry cannot be enqueued (the database is gone), the periodic sweep
    (:func:`route_waiting_intakes`) enqueues it again.
    """
    try:
        decision = services.intake_route_waiting(intake_id=intake_id)
    except services.TRANSIENT_DATABASE_ERRORS as error:
        if not connection.in_atomic_block:  # never inside a caller's transaction
            close_old_connections()  # a broken connection is replaced
        if attempt >= ROUTING_ATTEMPTS:
            services.intake_routing_failed(intake_id=intake_id, error=error)
            return "failed"
        retry_at = timezone.now() + FIRST_RETRY * 2 ** (attempt - 1)
        route_intake.using(run_after=retry_at).enqueue(
            intake_id=intake_id, attempt=attempt + 1
        )
        raise
    return decision.status if decision is not None else "already routed"


@task()
def route_waiting_intakes() -> int:
    """Enqueue again the routing of intakes whose routing task was lost (periodic)."""
    lost = selectors.intakes_awaiting_lost_routing(older_than=LOST_TASK_AFTER)
    return services.intakes_route_again_later(intake_ids=lost)
