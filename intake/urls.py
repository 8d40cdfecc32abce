"""The public intake's pages."""

from django.urls import path
from django.views.i18n import set_language

from intake import views

app_name = "intake"

urlpatterns = [
    path("", views.StartView.as_view(), name="start"),
    path("intake/done/", views.DoneView.as_view(), name="done"),
    path("intake/language/", set_language, name="set_language"),
    path("intake/resume/<str:token>/", views.ResumeView.as_view(), name="resume"),
    path("intake/saved/", views.SavedView.as_view(), name="saved"),
    path("intake/<slug:slug>/", views.StepView.as_view(), name="step"),
]
