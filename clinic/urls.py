"""The clinic's URLs: the staff admin, and (from the intake app) the public pages."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = f"{settings.CLINIC_NAME}: staff"
admin.site.site_title = f"{settings.CLINIC_NAME} staff"
admin.site.index_title = "Patients, intakes and referrals"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("intake.urls")),
]
