"""One patient's record as a FHIR Bundle, downloaded from the patient's admin page."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache

from clinic.audit import record_download
from fhir_export.export import patient_bundle
from fhir_export.models import DOWNLOAD_BUNDLE
from fhir_export.selectors import patients_with_records
from intake.models import Patient

FHIR_JSON = "application/fhir+json"


@method_decorator(never_cache, name="dispatch")
class PatientBundleView(PermissionRequiredMixin, View):
    """The patient's resources as a Bundle of type collection, as a file.

    The URL names the patient by their public id, as the admin does; the download is
    recorded in the audit trail as a download of the patient's record, one patient.
    """

    permission_required = DOWNLOAD_BUNDLE
    raise_exception = True
    admin_site = None

    def get(self, request, pk):
        patient = patients_with_records(Patient.objects.filter(pk=pk)).first()
        if patient is None:
            raise Http404("No such patient.")
        record_download(patient, what="FHIR record (Bundle)")
        response = JsonResponse(
            patient_bundle(patient),
            content_type=FHIR_JSON,
            json_dumps_params={"ensure_ascii": False},
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{patient.record_number}.fhir.json"'
        )
        return response
