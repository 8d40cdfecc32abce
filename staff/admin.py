"""Staff accounts in the admin: the clinic manager's pages.

Create an account with one role (the new member chooses a password through an e-mailed
link), change names and role, deactivate, start a password reset, reset the second
factor, issue an enrolment code, unlock sign-in. Superusers' accounts are not listed:
they are IT's, outside the clinic's roles.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clinic import roles
from staff import selectors, services
from staff.forms import StaffCreateForm, StaffUpdateForm
from staff.models import MANAGE_STAFF, StaffAccount


class SignInFilter(admin.SimpleListFilter):
    """Accounts whose sign-in is locked (the home page's "locked accounts")."""

    title = "sign-in"
    parameter_name = "sign_in"

    def lookups(self, request, model_admin):
        return [("locked", "Locked")]

    def queryset(self, request, queryset):
        if self.value() == "locked":
            return queryset.filter(username__in=selectors.locked_usernames())
        return queryset


@admin.register(StaffAccount)
class StaffAccountAdmin(admin.ModelAdmin):
    list_display = [
        "username",
        "full_name",
        "role",
        "is_active",
        "second_factor",
        "sign_in",
    ]
    list_filter = ["is_active", "groups", SignInFilter]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["username"]
    list_per_page = 50
    add_fieldsets = [
        (None, {"fields": ["username", "first_name", "last_name", "email", "role"]})
    ]
    fieldsets = [
        (None, {"fields": ["login", "email", "first_name", "last_name"]}),
        ("Access", {"fields": ["role", "is_active"]}),
        (
            "On letters",
            {
                "fields": ["credentials", "npi"],
                "description": "Printed in the signature block of the referral and "
                "prior-authorisation letters this physician approves.",
            },
        ),
        ("Activity", {"fields": ["date_joined", "last_login"]}),
    ]
    readonly_fields = ["login", "email", "date_joined", "last_login"]
    change_form_template = "admin/staff/staffaccount/change_form.html"

    # Permissions: one, the clinic manager's. Nobody deletes an account here (the
    # audit trail names it); it is deactivated instead.

    def has_module_permission(self, request):
        return request.user.has_perm(MANAGE_STAFF)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(MANAGE_STAFF)

    def has_add_permission(self, request):
        return request.user.has_perm(MANAGE_STAFF)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(MANAGE_STAFF)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return selectors.staff_accounts()

    def get_fieldsets(self, request, obj=None):
        return self.add_fieldsets if obj is None else self.fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = StaffCreateForm
        else:
            kwargs["form"] = type(
                "StaffUpdateForm", (StaffUpdateForm,), {"editor": request.user}
            )
        return super().get_form(request, obj, change=change, **kwargs)

    @admin.display(description="username")
    def login(self, account: StaffAccount) -> str:
        return account.username

    @admin.display(description="name", ordering="last_name")
    def full_name(self, account: StaffAccount) -> str:
        return account.get_full_name()

    @admin.display(description="role", ordering="role")
    def role(self, account: StaffAccount) -> str:
        return account.role or "None"

    @admin.display(description="second factor")
    def second_factor(self, account: StaffAccount) -> str:
        if account.has_second_factor:
            return "Linked"
        if account.has_enrolment_code:
            return "Enrolment code issued"
        if account.role in roles.TWO_FACTOR_ROLES:
            return "Not linked"
        return "Not needed"

    @admin.display(description="sign-in")
    def sign_in(self, account: StaffAccount) -> str:
        return "Locked" if selectors.is_locked(account) else "Open"

    def save_model(self, request, obj, form, change):
        role = form.cleaned_data["role"]
        if change:
            services.staff_update(
                user=obj,
                role=role,
                credentials=form.cleaned_data["credentials"],
                npi=form.cleaned_data["npi"],
            )
        else:
            obj.issued_code = services.staff_create(
                user=obj, role=role, by=request.user
            )

    def save_related(self, request, form, formsets, change):
        """The role is the only relation, set by the service."""

    def response_add(self, request, obj, post_url_continue=None):
        issued = getattr(obj, "issued_code", None)
        messages.success(
            request,
            f"Account {obj.username} created; the link to choose a password was "
            f"e-mailed to {obj.email}.",
        )
        if issued is not None:
            return self._show_code(request, obj, issued)
        return HttpResponseRedirect(reverse("admin:staff_staffaccount_changelist"))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        account = self.get_object(request, object_id)
        if account is not None:
            extra_context = {
                **(extra_context or {}),
                "locked": selectors.is_locked(account),
                "needs_second_factor": account.role in roles.TWO_FACTOR_ROLES,
            }
        return super().change_view(request, object_id, form_url, extra_context)

    # The account actions: POST only, each one service.

    def get_urls(self):
        def action(view, name):
            return path(
                f"<int:account_id>/{name}/",
                self.admin_site.admin_view(view),
                name=f"staff_staffaccount_{name.replace('-', '_')}",
            )

        return [
            action(self.password_reset_view, "password-reset"),
            action(self.second_factor_reset_view, "second-factor-reset"),
            action(self.enrolment_code_view, "enrolment-code"),
            action(self.unlock_view, "unlock"),
            *super().get_urls(),
        ]

    def _account_for_action(self, request, account_id) -> StaffAccount:
        if not self.has_change_permission(request):
            raise PermissionDenied
        account = self.get_object(request, str(account_id))
        if account is None:
            raise PermissionDenied
        return account

    def _back(self, account):
        return HttpResponseRedirect(
            reverse("admin:staff_staffaccount_change", args=[account.pk])
        )

    def _show_code(self, request, account, issued):
        context = {
            **self.admin_site.each_context(request),
            "title": f"Enrolment code for {account.username}",
            "opts": self.opts,
            "account": account,
            "issued": issued,
        }
        return render(request, "admin/staff/staffaccount/enrolment_code.html", context)

    @method_decorator([never_cache, require_POST])
    def password_reset_view(self, request, account_id):
        account = self._account_for_action(request, account_id)
        services.staff_password_reset_start(user=account)
        messages.success(
            request,
            f"{account.username}'s password is turned off; a link to choose a new one "
            f"was e-mailed to {account.email}.",
        )
        return self._back(account)

    @method_decorator([never_cache, require_POST])
    def second_factor_reset_view(self, request, account_id):
        account = self._account_for_action(request, account_id)
        issued = services.staff_second_factor_reset(user=account, by=request.user)
        messages.success(
            request,
            f"{account.username}'s authenticator app is unlinked; they link one again "
            "with the enrolment code below.",
        )
        return self._show_code(request, account, issued)

    @method_decorator([never_cache, require_POST])
    def enrolment_code_view(self, request, account_id):
        account = self._account_for_action(request, account_id)
        issued = services.enrolment_code_issue(user=account, by=request.user)
        return self._show_code(request, account, issued)

    @method_decorator([never_cache, require_POST])
    def unlock_view(self, request, account_id):
        account = self._account_for_action(request, account_id)
        services.staff_unlock(user=account)
        messages.success(request, f"{account.username} can sign in again.")
        return self._back(account)
