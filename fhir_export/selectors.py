"""The reads behind the FHIR export: patients with their records, in chunks."""

from collections.abc import Iterator

from django.db.models import Prefetch
from django.db.models.fields.json import KeyTransform

from intake.models import Intake, Patient, TreatmentTrial
from referrals.models import Referral, RoutingDecision

# Patients read (and their records prefetched) per round trip of the bulk export:
# memory stays flat whatever the clinic's size.
CHUNK_SIZE = 500


def _submitted_intakes():
    return (
        Intake.objects.filter(status=Intake.Status.SUBMITTED)
        .order_by("submitted_at", "pk")
        .prefetch_related(
            Prefetch(
                "treatments",
                queryset=TreatmentTrial.objects.select_related("drug").order_by("pk"),
            ),
            Prefetch(
                "referrals",
                queryset=Referral.objects.select_related("service").order_by(
                    "created", "pk"
                ),
            ),
            # The engine's reading the ICD-10-CM code is derived from; only the two
            # values, not the decision's whole record.
            Prefetch(
                "routing_decisions",
                queryset=RoutingDecision.objects.current()
                .only("id", "intake_id")
                .annotate(
                    chronic=KeyTransform(
                        "chronic_migraine", KeyTransform("derived", "decision")
                    ),
                    resistant=KeyTransform(
                        "resistant_migraine", KeyTransform("derived", "decision")
                    ),
                ),
                to_attr="current_decisions",
            ),
        )
    )


def patients_with_records(queryset=None):
    """Patients, each with ``submitted_intakes`` and those intakes' rows fetched
    (treatments, referrals and ``current_decisions``: the current routing decision's
    ``chronic`` and ``resistant`` derived values).

    A patient's page reads one; the bulk export iterates over all of them in chunks
    (``QuerySet.iterator`` prefetches per chunk).
    """
    queryset = Patient.objects.all() if queryset is None else queryset
    return queryset.order_by("pk").prefetch_related(
        Prefetch("intakes", queryset=_submitted_intakes(), to_attr="submitted_intakes")
    )


def all_patients_with_records(*, chunk_size: int = CHUNK_SIZE) -> Iterator[Patient]:
    """Every patient of the clinic, with their records, ``chunk_size`` at a time."""
    return patients_with_records().iterator(chunk_size=chunk_size)
