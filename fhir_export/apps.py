from django.apps import AppConfig


class FhirExportConfig(AppConfig):
    """The clinic's records as FHIR R4 (4.0.1): bulk NDJSON and one patient's Bundle.

    Reads ``intake`` and ``referrals``; neither imports it.
    """

    name = "fhir_export"
    verbose_name = "FHIR export"
