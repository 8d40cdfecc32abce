"""The FHIR export's permission; the app stores nothing.

``PatientRecordExport`` has no table (``managed = False``): it gives the roles the
permission to download one patient's record as a FHIR Bundle
(``clinic.roles.ROLE_PERMISSIONS``) and the admin the URL of that download.
"""

from django.db import models

DOWNLOAD_BUNDLE = "fhir_export.download_patient_bundle"


class PatientRecordExport(models.Model):
    """One patient's record as a FHIR Bundle, from the patient's admin page."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            (
                "download_patient_bundle",
                "Can download a patient's record as a FHIR Bundle",
            )
        ]
        verbose_name = "patient record (FHIR)"
        verbose_name_plural = "patient records (FHIR)"

    def __str__(self) -> str:
        return "Patient record (FHIR)"
