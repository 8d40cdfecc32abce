"""Submitting writes what it must and reads nothing twice; routing comes later."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic.models import AuditEntry
from intake.models import Intake
from referrals import selectors
from referrals.models import QueueEntry

pytestmark = pytest.mark.django_db

REVIEW = "/intake/review/"
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK", "BEGIN", "COMMIT")


def submit(client) -> list[str]:
    client.get(REVIEW)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(REVIEW, {"action": "next"})
    assert response.status_code == 302
    return [
        query["sql"]
        for query in captured.captured_queries
        if not query["sql"].startswith(TRANSACTION_CONTROL)
    ]


class TestSubmittingAnAnsweredDraft:
    """Tests submitting a draft with every step answered, made once for them."""

    def test_submitting_reads_the_intake_once_and_writes_each_row_once(
        self,
        online_patient_client,
    ):
        statements = submit(online_patient_client)

        reads_of_the_intake = [
            sql for sql in statements if sql.startswith('SELECT "intake_intake"')
        ]
        assert len(reads_of_the_intake) == 1  # under its row lock; no re-read to audit
        written = [
            sql.split('"')[1] for sql in statements if not sql.startswith("SELECT")
        ]
        assert sorted(written) == sorted(
            [
                "intake_intake",
                "clinic_auditentry",
                "post_office_email",
                "referrals_queueentry",
                "django_tasks_database_dbtaskresult",  # routing
                "django_tasks_database_dbtaskresult",  # matching against known patients
            ]
        )
        assert len(statements) == 9  # with the session's and the draft's reads
        (update,) = [
            sql for sql in statements if sql.startswith('UPDATE "intake_intake"')
        ]
        assert '"status"' in update
        assert (
            '"headache_days_per_month"' not in update
        )  # the answers were saved before

    def test_the_submission_is_audited_as_django_auditlog_would(
        self, online_patient_client
    ):
        submit(online_patient_client)

        intake = Intake.objects.get()
        (entry,) = AuditEntry.objects.filter(
            object_pk=str(intake.pk), action=AuditEntry.Action.UPDATE
        ).order_by("-timestamp")[:1]
        assert entry.changes["status"] == ["draft", "submitted"]
        assert "submitted_at" in entry.changes
        assert "modified" not in entry.changes
        assert entry.patient == intake.patient.record_number

    def test_a_first_submission_awaits_routing_since_it_was_submitted(
        self,
        online_patient_client,
    ):
        submit(online_patient_client)

        intake = Intake.objects.get()
        entry = QueueEntry.objects.get(intake=intake)
        assert (entry.section, entry.tier_rank, entry.since) == (
            QueueEntry.Section.AWAITING,
            QueueEntry.NO_TIER,
            intake.submitted_at,
        )
        # The place the queue's history gives it (verify_review_queue's check).
        assert selectors.queue_places(intake_ids=[intake.pk])[intake.pk] == (
            entry.section,
            entry.tier_rank,
            entry.since,
        )
