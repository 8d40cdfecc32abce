"""The page a staff member chooses their password on, from the link e-mailed to them.

Django's password-reset views: the token in the link is checked, kept in the session and
replaced in the address by ``set-password`` at once; it stops working as soon as the
password is set (its hash covers the password) or after ``PASSWORD_RESET_TIMEOUT``.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy


class AdminChromeMixin:
    """The staff site's header, without its navigation: nobody is signed in here."""

    def get_context_data(self, **kwargs):
        return {
            **admin.site.each_context(self.request),
            "is_nav_sidebar_enabled": False,
            **super().get_context_data(**kwargs),
        }


class PasswordSetView(AdminChromeMixin, auth_views.PasswordResetConfirmView):
    template_name = "staff/password_set.html"
    success_url = reverse_lazy("staff_password_done")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not context["validlink"]:
            context["title"] = "This link no longer works"
        else:
            context["title"] = "Choose your password"
        return context


class PasswordSetDoneView(AdminChromeMixin, auth_views.PasswordResetCompleteView):
    template_name = "staff/password_set_done.html"
    title = "Your password is set"
