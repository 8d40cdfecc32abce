"""The whole clinic as FHIR Bulk Data NDJSON, and one patient as a Bundle.

The bulk export follows the FHIR Bulk Data Access format (hl7.org/fhir/uv/bulkdata,
"ndjson"): one file per resource type, named after it, one resource per line. It
streams: patients are read in chunks with their records and each resource is
written as soon as it is built, so memory stays flat at any clinic size. Files are
written under a temporary name and renamed into place at the end, so a reader
never picks up half an export.
"""

from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import orjson
from django.conf import settings
from django.utils import timezone

from fhir_export import mapping, selectors

# The files of an export, in the order a reader should load them: what is
# referred to before what refers to it.
RESOURCE_TYPES = [
    "Questionnaire",
    "Patient",
    "Condition",
    "QuestionnaireResponse",
    "Observation",
    "MedicationStatement",
    "Procedure",
    "ServiceRequest",
    "Consent",
]
PARTIAL_SUFFIX = ".partial"


def base_uri() -> str:
    return settings.CLINIC_FHIR_BASE_URI.rstrip("/")


def to_json(resource: dict) -> bytes:
    """One resource as one line of UTF-8 JSON (orjson: several times json's speed)."""
    return orjson.dumps(resource)


def clinic_resources(*, patients=None, chunk_size: int = selectors.CHUNK_SIZE):
    """Every resource of the clinic, the Questionnaire first, patient by patient.

    ``patients`` (from ``selectors.all_patients_with_records``) defaults to all.
    """
    base = base_uri()
    if patients is None:
        patients = selectors.all_patients_with_records(chunk_size=chunk_size)
    yield mapping.questionnaire(base=base)
    for patient in patients:
        yield from mapping.patient_resources(
            patient, patient.submitted_intakes, base=base
        )


def write_ndjson(
    directory: Path, *, patients=None, chunk_size: int = selectors.CHUNK_SIZE
) -> Counter:
    """Write the clinic's export into ``directory``; return resources per type.

    Every resource type gets its file, empty if the clinic has none of it, so a
    reader can tell "none" from "not exported"; files of an earlier export are
    replaced. ``patients`` as for ``clinic_resources``.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    partials = {
        name: directory / f"{name}.ndjson{PARTIAL_SUFFIX}" for name in RESOURCE_TYPES
    }
    counts = Counter()
    try:
        with ExitStack() as stack:
            files = {
                name: stack.enter_context(path.open("wb"))
                for name, path in partials.items()
            }
            for resource in clinic_resources(patients=patients, chunk_size=chunk_size):
                kind = resource["resourceType"]
                files[kind].write(to_json(resource) + b"\n")
                counts[kind] += 1
    except BaseException:
        for path in partials.values():
            path.unlink(missing_ok=True)
        raise
    for name, path in partials.items():
        path.replace(directory / f"{name}.ndjson")
    return counts


def patient_bundle(patient) -> dict:
    """One patient's resources (and the Questionnaire) as a Bundle of type collection.

    ``patient`` comes from ``selectors.patients_with_records``.
    """
    base = base_uri()
    resources = [
        mapping.questionnaire(base=base),
        *mapping.patient_resources(patient, patient.submitted_intakes, base=base),
    ]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": timezone.now().isoformat(),
        "entry": [
            {
                "fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}",
                "resource": resource,
            }
            for resource in resources
        ],
    }
