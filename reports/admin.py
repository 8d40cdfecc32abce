"""The reports in the admin index: the operations reports page and its CSV files,
and the staff lists' CSV files."""

from django.contrib import admin
from django.urls import path

from clinic.admin_utils import ReadOnlyAdminMixin
from reports import views
from reports.lists import STAFF_LISTS
from reports.models import VIEW_REPORTS, ListExport, OperationsReport


@admin.register(OperationsReport)
class OperationsReportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    def get_urls(self):
        site = self.admin_site

        def view(cls):
            return site.admin_view(cls.as_view(admin_site=site))

        return [
            path(
                "",
                view(views.ReportsView),
                name="reports_operationsreport_changelist",
            ),
            path(
                "<slug:slug>.csv",
                view(views.ReportCSVView),
                name="reports_report_csv",
            ),
        ]

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(VIEW_REPORTS)

    def has_module_permission(self, request):
        return self.has_view_permission(request)


@admin.register(ListExport)
class ListExportAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    def get_urls(self):
        site = self.admin_site

        def view(cls):
            return site.admin_view(cls.as_view(admin_site=site))

        return [
            path("", view(views.ListExportView), name="reports_listexport_changelist"),
            path("<slug:slug>.csv", view(views.ListCSVView), name="reports_list_csv"),
        ]

    def has_view_permission(self, request, obj=None):
        return any(
            request.user.has_perm(staff_list.permission) for staff_list in STAFF_LISTS
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)
