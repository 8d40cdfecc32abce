"""The page a staff member chooses their password on, from the link e-mailed to them.

Django's password-reset views: the token in the link is checked, kept in the session and
replaced in the address by ``set-password`` at once; it stops working as soon as the
password is set (its hash covers the password) or after ``PASSWORD_RESET_TIMEOUT``.
"""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy


class AdminChromeMixin:
    def get_context_data(self, **kwargs):
        return {
            **admin.site.each_context(self.request),
            **super().get_context_data(**kwargs),
        }


class PasswordSetView(AdminChromeMixin, auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("staff_password_done")


class PasswordSetDoneView(AdminChromeMixin, auth_views.PasswordResetCompleteView):
    pass
