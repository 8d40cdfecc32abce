"""The public intake's pages."""

from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("", views.StartView.as_view(), name="start"),
    path("intake/done/", views.DoneView.as_view(), name="done"),
    path("intake/resume/<str:token>/", views.ResumeView.as_view(), name="resume"),
    path("intake/<slug:slug>/", views.StepView.as_view(), name="step"),
]
