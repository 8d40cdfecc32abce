"""The patient's follow-up pages."""

from django.urls import path

from outcomes import views

app_name = "outcomes"

urlpatterns = [
    path(
        "follow-up/link/<str:token>/",
        views.FollowUpLinkView.as_view(),
        name="follow_up_link",
    ),
    path("follow-up/", views.FollowUpView.as_view(), name="follow_up"),
    path("follow-up/saved/", views.FollowUpSavedView.as_view(), name="follow_up_saved"),
    path(
        "follow-up/thanks/", views.FollowUpThanksView.as_view(), name="follow_up_thanks"
    ),
]
