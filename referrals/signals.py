"""The referrals app's one domain event.

``referral_scheduled`` is sent inside the transaction that schedules a referral, with
``referral`` (the scheduled :class:`~referrals.models.Referral`) and ``user`` (who
booked it). The outcomes app opens the referral's treatment course on it: its
receiver writes in that same transaction, never anything slow, so a referral is
never scheduled without its course. The referrals app never imports outcomes.
"""

from django.dispatch import Signal

referral_scheduled = Signal()
