"""The intake app's one domain event.

``intake_submitted`` is sent once, right after an intake is submitted and committed,
with ``intake`` (the submitted :class:`~intake.models.Intake`). The referrals app
routes the intake on it; the intake app never imports referrals.
"""

from django.dispatch import Signal

intake_submitted = Signal()
