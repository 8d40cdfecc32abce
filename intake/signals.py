"""The intake app's one domain event.

``intake_submitted`` is sent inside the transaction that submits an intake, with
``intake`` (the submitted :class:`~intake.models.Intake`), and again inside the
transaction that amends a submitted intake, with ``amendment`` (the
:class:`~intake.models.IntakeAmendment`; None for a submission). The referrals app
queues the intake for routing on it: its receiver writes in that same transaction
(the intake's place in the review queue and the routing task), never anything slow,
so the submission or amendment and its routing job commit together. The intake app
never imports referrals.
"""

from django.dispatch import Signal

intake_submitted = Signal()
