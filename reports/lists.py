"""The staff lists as CSV: patients, intakes and referrals.

Each list's columns are a django-import-export ``ModelResource``; the rows are read
with ``.iterator()`` and written one CSV line at a time, so memory stays flat however
long the list. A role exports only the lists it may view, and names, birth dates and
contact details only with ``reports.export_identified`` (clinic/roles.py): without it
those columns are not offered, and asking for them is refused. Exported from a list
page of the admin, a list has the rows that page's filters and search select, every
page of them (``reports.views.listed_rows``).
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from import_export import fields, resources

from intake.models import Intake, Patient
from referrals.models import Referral
from reports.exports import csv_lines
from reports.models import EXPORT_IDENTIFIED

CHUNK_ROWS = 2000  # rows read from the database at a time


class ListResource(resources.ModelResource):
    """A model's columns headed by their fields' names as staff read them."""

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        field = super().field_from_django_field(field_name, django_field, readonly)
        field.column_name = str(django_field.verbose_name)
        return field


class PatientResource(ListResource):
    birth_year = fields.Field(attribute="date_of_birth__year", column_name="birth year")

    class Meta:
        model = Patient
        fields = export_order = (
            "record_number",
            "sex",
            "birth_year",
            "preferred_language",
            "created",
            "first_name",
            "last_name",
            "date_of_birth",
            "email",
            "mobile_phone",
            "emergency_contact_name",
            "emergency_contact_phone",
        )
        chunk_size = CHUNK_ROWS


class IntakeResource(ListResource):
    record_number = fields.Field(
        attribute="patient__record_number", column_name="record number"
    )
    first_name = fields.Field(attribute="patient__first_name", column_name="first name")
    last_name = fields.Field(attribute="patient__last_name", column_name="last name")

    def dehydrate_interests(self, intake: Intake) -> str:
        """The services asked about, as codes like the other columns, one cell
        without JSON's brackets and quotes: "ketamine; yoga"."""
        return "; ".join(intake.interests)

    class Meta:
        model = Intake
        fields = export_order = (
            "record_number",
            "status",
            "source",
            "created",
            "submitted_at",
            "diagnosis",
            "headache_days_per_month",
            "migraine_days_per_month",
            "debilitating_days_per_month",
            "hit6_total",
            "interests",
            "first_name",
            "last_name",
        )
        chunk_size = CHUNK_ROWS


class ReferralResource(ListResource):
    record_number = fields.Field(
        attribute="intake__patient__record_number", column_name="record number"
    )
    service = fields.Field(attribute="service__code", column_name="service")
    first_name = fields.Field(
        attribute="intake__patient__first_name", column_name="first name"
    )
    last_name = fields.Field(
        attribute="intake__patient__last_name", column_name="last name"
    )

    class Meta:
        model = Referral
        fields = export_order = (
            "record_number",
            "service",
            "status",
            "recommended_outcome",
            "override",
            "created",
            "decided_at",
            "appointment_at",
            "first_name",
            "last_name",
        )
        chunk_size = CHUNK_ROWS


# Columns that name or reach a patient: exported only with EXPORT_IDENTIFIED.
IDENTIFYING = frozenset(
    {
        "first_name",
        "last_name",
        "date_of_birth",
        "email",
        "mobile_phone",
        "emergency_contact_name",
        "emergency_contact_phone",
    }
)


@dataclass(frozen=True)
class StaffList:
    slug: str
    title: str
    resource: type[resources.ModelResource]
    permission: str  # who may view the list in the admin
    patient_path: str  # from a row to its patient's id

    related: tuple[str, ...] = ()  # read with each row, in the same query
    # The columns read, when fewer than all (an intake has about a hundred).
    only: tuple[str, ...] = ()

    @property
    def model(self):
        return self.resource._meta.model

    def queryset(self, listed: QuerySet | None = None) -> QuerySet:
        """Every row of the list, or the rows of ``listed`` (the admin list as
        filtered and searched), with the columns exported, in a fixed order."""
        queryset = self.model.objects.all() if listed is None else listed
        # The admin's own related rows and prefetches are not exported.
        queryset = queryset.prefetch_related(None).select_related(None)
        queryset = queryset.select_related(*self.related)
        if self.only:
            queryset = queryset.only(*self.only)
        return queryset.order_by("pk")

    @property
    def changelist_url(self) -> str:
        """The URL name of the list's admin page."""
        opts = self.model._meta
        return f"admin:{opts.app_label}_{opts.model_name}_changelist"

    def columns_for(self, user) -> list[tuple[str, str]]:
        """(field, heading) of each column ``user`` may export, in order."""
        resource = self.resource()
        identified = user.has_perm(EXPORT_IDENTIFIED)
        return [
            (name, str(resource.fields[name].column_name))
            for name in resource.get_export_order()
            if identified or name not in IDENTIFYING
        ]

    def patients(self, queryset: QuerySet) -> int:
        """How many patients the rows of ``queryset`` concern."""
        return queryset.order_by().values(self.patient_path).distinct().count()

    def lines(self, queryset: QuerySet, columns: list[str]) -> Iterator[str]:
        """The chosen columns of every row, as CSV lines, read in chunks."""
        resource = self.resource()
        return csv_lines(
            resource.get_export_headers(selected_fields=columns),
            (
                resource.export_resource(row, selected_fields=columns)
                for row in resource.iter_queryset(queryset)
            ),
        )


STAFF_LISTS = (
    StaffList("patients", "Patients", PatientResource, "intake.view_patient", "pk"),
    StaffList(
        "intakes",
        "Intakes",
        IntakeResource,
        "intake.view_intake",
        "patient",
        ("patient",),
        (
            "status",
            "source",
            "created",
            "submitted_at",
            "diagnosis",
            "headache_days_per_month",
            "migraine_days_per_month",
            "debilitating_days_per_month",
            "hit6_total",
            "interests",
            "patient__record_number",
            "patient__first_name",
            "patient__last_name",
        ),
    ),
    StaffList(
        "referrals",
        "Referrals",
        ReferralResource,
        "referrals.view_referral",
        "intake__patient",
        ("intake__patient", "service"),
        (
            "status",
            "recommended_outcome",
            "override",
            "created",
            "decided_at",
            "appointment_at",
            "service__code",
            "intake__patient__record_number",
            "intake__patient__first_name",
            "intake__patient__last_name",
        ),
    ),
)
STAFF_LIST_BY_SLUG = {staff_list.slug: staff_list for staff_list in STAFF_LISTS}
