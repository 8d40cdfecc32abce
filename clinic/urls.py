"""The clinic's URLs: the staff admin, and (from the intake app) the public pages."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from clinic import views
from home.views import HomeView

admin.site.site_header = f"{settings.CLINIC_NAME}: staff"
admin.site.site_title = f"{settings.CLINIC_NAME} staff"
admin.site.index_title = "Patients, intakes and referrals"

urlpatterns = [
    # The admin's index is each role's home page ("Home" in every breadcrumb).
    path(
        "admin/",
        admin.site.admin_view(HomeView.as_view(admin_site=admin.site)),
        name="staff_home",
    ),
    path("admin/", admin.site.urls),
    path("healthz/", views.health, name="health"),
    path("staff/2fa/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("staff/2fa/setup/", views.two_factor_setup, name="two_factor_setup"),
    path("", include("staff.urls")),
    path("", include("outcomes.urls")),
    path("", include("intake.urls")),
]
