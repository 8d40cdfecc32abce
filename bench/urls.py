"""The clinic's URLs plus the benchmark's bare view."""

from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/bare/", views.bare_submit, name="bench-bare"),
    path("", include("clinic.urls")),
]
