"""The FHIR download's URL in the admin (signed in, second factor checked)."""

from django.contrib import admin
from django.urls import path

from fhir_export import views
from fhir_export.models import PatientRecordExport


@admin.register(PatientRecordExport)
class PatientRecordExportAdmin(admin.ModelAdmin):
    """No page of its own: the patient's admin page links to the download."""

    def get_urls(self):
        site = self.admin_site
        return [
            path(
                "<uuid:pk>/bundle/",
                site.admin_view(views.PatientBundleView.as_view(admin_site=site)),
                name="fhir_export_patient_bundle",
            ),
        ]

    def has_module_permission(self, request):
        return False
