"""The referrals app's receiver of the intake app's one domain event."""

from referrals.services import intake_queue_for_routing


def route_submitted_intake(sender, intake, amendment=None, **kwargs) -> None:
    """Queue a submitted intake for routing, inside the submission's transaction.

    Writes the intake's "Awaiting routing" place in the review queue and the routing
    task; if either fails, the submission fails with them and the patient (or the
    front desk) is told, instead of an intake sent that nobody will route.
    """
    intake_queue_for_routing(intake=intake, amended=amendment is not None)
