"""The staff site: Django's admin, with the patient picker's searches audited."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.autocomplete import AutocompleteJsonView


class AuditedAutocompleteJsonView(AutocompleteJsonView):
    """The search behind an autocomplete field (the patient picker of a new intake).

    Its answer lists the records found; a model admin that audits reads
    (``record_list_read``) records them as one entry, like a list page. A model
    admin's ``autocomplete_label(obj)``, if it has one, is each result's text, and
    its ``autocomplete_extra(obj)`` adds keys a page's script reads.
    """

    def serialize_result(self, obj, to_field_name):
        self.shown.append(obj)
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        if label is not None:
            result["text"] = label(obj)
        extra = getattr(self.model_admin, "autocomplete_extra", None)
        if extra is not None:
            result.update(extra(obj))
        return result

    def get(self, request, *args, **kwargs):
        self.shown = []
        response = super().get(request, *args, **kwargs)
        record_list_read = getattr(self.model_admin, "record_list_read", None)
        if record_list_read is not None:
            record_list_read(self.shown, f"{self.model_admin.opts.verbose_name} search")
        return response


class ClinicAdminSite(admin.AdminSite):
    def autocomplete_view(self, request):
        return AuditedAutocompleteJsonView.as_view(admin_site=self)(request)


class ClinicAdminConfig(AdminConfig):
    """Django's admin app, serving the clinic's site (in INSTALLED_APPS)."""

    default_site = "clinic.admin_site.ClinicAdminSite"
