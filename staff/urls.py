"""Staff pages outside the admin: choosing a password from an e-mailed link."""

from django.urls import path

from staff import views

urlpatterns = [
    path(
        "staff/password/<uidb64>/<token>/",
        views.PasswordSetView.as_view(),
        name="staff_password_set",
    ),
    path(
        "staff/password/done/",
        views.PasswordSetDoneView.as_view(),
        name="staff_password_done",
    ),
]
