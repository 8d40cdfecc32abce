"""The patient search and the read audit of every admin page of patients' records.

The intake and referrals admin pages both use them; they live apart from
``intake.admin`` so that ``referrals.admin`` does not import the intake app's admin.
"""

from django.contrib import admin
from django.utils.html import format_html

from clinic.audit import record_access, record_list_access
from intake.matching import patient_identity
from intake.selectors import patient_search
from intake.templatetags import staff_pages


class PatientSearchMixin:
    """Admin search over patients by record number, birth date, phone or name."""

    search_help_text = (
        "Record number (P-000123), date of birth (YYYY-MM-DD), a phone's last 4 or "
        "more digits, last or first name, or “Last, First”; accents and case do not "
        "matter."
    )
    # The path from a listed row to its patient ("intake__patient__").
    patient_prefix = ""

    def get_search_results(self, request, queryset, search_term):
        return patient_search(queryset, search_term, self.patient_prefix), False


class AuditedReadMixin:
    """Record every staff read of patient data in the audit trail.

    A record's page and its history page: one entry for the record. A list or
    search page (and the patient picker's search): one entry naming the record
    numbers shown, read from the rows the page selects anyway, never the search.
    Used with ``PatientSearchMixin``, whose ``patient_prefix`` leads to the patient.
    """

    def record_number(self, obj) -> str:
        return patient_of(obj, self.patient_prefix).record_number

    def record_list_read(self, rows, page: str) -> None:
        record_list_access(
            model=self.model,
            record_numbers=[self.record_number(row) for row in rows],
            page=page,
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            record_access(response.context_data["original"])
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        if response.status_code == 200:
            record_access(response.context_data["object"])
        return response

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        if response.status_code == 200 and changelist is not None:
            # The page's rows, read once here and kept for the template.
            rows = list(changelist.result_list)
            page = f"{self.opts.verbose_name} list, page {changelist.page_num}"
            self.record_list_read(rows, page)
        return response


def patient_of(obj, prefix: str):
    """The patient ``obj`` leads to by ``prefix`` ("intake__patient__")."""
    for name in prefix.split("__")[:-1]:
        obj = getattr(obj, name)
    return obj


def patient_who_column(prefix: str):
    """A list column naming the row's patient beside its record number column:
    "Ramírez, Elena · born 1979-11-02 · phone …0102" (sorted by last name)."""

    @admin.display(description="patient", ordering=f"{prefix}last_name")
    def show(model_admin, obj) -> str:
        # A narrow column breaks between the parts, never inside a date or number.
        return staff_pages.patient_who(patient_of(obj, prefix))

    return show


def patient_identity_field(prefix: str):
    """A read-only field naming the record's patient as the pickers do (record
    number, name, birth date, phone's last four), linked to the patient's page."""

    @admin.display(description="patient")
    def show(model_admin, obj) -> str:
        patient = patient_of(obj, prefix)
        return format_html(
            '<a href="{}">{}</a>', patient.get_absolute_url(), patient_identity(patient)
        )

    return show
