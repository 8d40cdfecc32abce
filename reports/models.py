"""The reports app's place in the admin and its permissions; it stores nothing.

``OperationsReport`` and ``ListExport`` have no table (``managed = False``): they give
the admin index its two entries and the roles their permissions
(``clinic.roles.ROLE_PERMISSIONS``).
"""

from django.db import models

VIEW_REPORTS = "reports.view_reports"
EXPORT_IDENTIFIED = "reports.export_identified"


class OperationsReport(models.Model):
    """The operations reports page (admin, Reports)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_reports", "Can view and export the operations reports")]
        verbose_name = "operations report"
        verbose_name_plural = "operations reports"

    def __str__(self) -> str:
        return "Operations reports"


class ListExport(models.Model):
    """The CSV exports of the staff lists (admin, Reports)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            (
                "export_identified",
                "Can export patients' names and contact details",
            )
        ]
        verbose_name = "list export"
        verbose_name_plural = "list exports"

    def __str__(self) -> str:
        return "List exports"
