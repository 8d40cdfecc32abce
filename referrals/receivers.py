"""The referrals app's receiver of the intake app's one domain event."""

import logging

from referrals.services import intake_route

logger = logging.getLogger(__name__)


def route_submitted_intake(sender, intake, **kwargs) -> None:
    """Route an intake as soon as it is submitted.

    ``intake_route`` stores any failure of the engine as a failed decision; this
    catches what is left (the database refusing even that) so that submitting, the
    patient's or front desk's action, never fails because routing did. Staff then see
    an intake without a decision and route it again.
    """
    try:
        intake_route(intake=intake)
    except Exception as error:
        logger.error(
            "Could not store the routing of intake %s: %s",
            intake.pk,
            type(error).__name__,
        )
