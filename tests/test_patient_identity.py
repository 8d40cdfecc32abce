"""Wherever a staff page names an intake's or a referral's patient, it says who the
patient is as the pickers do: record number, name, birth date, phone's last four."""

import datetime

import pytest
from django.urls import reverse

from intake.services import intake_submit
from tests.factories import PatientFactory
from tests.referrals.builders import example1_intake, submitted_example1

pytestmark = pytest.mark.django_db

WHO = "Ramírez, Elena · born 1979-11-02 · phone …0102"
# As the staff pages' own templates write it: a narrow column wraps between parts.
WHO_WRAPPED = " · ".join(
    f'<span class="nowrap">{part}</span>' for part in WHO.split(" · ")
)


@pytest.fixture
def elena():
    return PatientFactory(
        first_name="Elena",
        last_name="Ramírez",
        date_of_birth=datetime.date(1979, 11, 2),
        mobile_phone="7045550102",
    )


@pytest.fixture
def routed(elena):
    return submitted_example1(patient=elena)


def test_the_intake_page_shows_who_its_patient_is(desk_client, physician_client, elena):
    intake = intake_submit(intake=example1_intake(patient=elena))
    for client in (desk_client, physician_client):
        page = client.get(intake.get_absolute_url()).content.decode()
        assert (
            f'<a href="{elena.get_absolute_url()}">{elena.record_number} · {WHO}</a>'
            in page
        )


def test_the_referral_and_decision_lists_and_pages_show_who(physician_client, routed):
    referral = routed.referrals.first()
    decision = routed.routing_decisions.first()
    for url in (
        reverse("admin:referrals_referral_changelist"),
        reverse("admin:referrals_routingdecision_changelist"),
    ):
        assert WHO_WRAPPED in physician_client.get(url).content.decode()
    for url in (
        reverse("admin:referrals_referral_change", args=[referral.pk]),
        reverse("admin:referrals_routingdecision_change", args=[decision.pk]),
    ):
        page = physician_client.get(url).content.decode()
        assert f"{routed.patient.record_number} · {WHO}" in page


def test_the_queue_and_the_review_page_show_who(physician_client, routed):
    queue = physician_client.get(reverse("admin:referrals_queueentry_changelist"))
    assert WHO_WRAPPED in queue.content.decode()
    review_url = reverse("admin:referrals_review", args=[routed.pk])
    assert f'<a class="button" href="{review_url}">Review</a>' in (
        queue.content.decode()
    )
    review = physician_client.get(reverse("admin:referrals_review", args=[routed.pk]))
    page = review.content.decode()
    assert f"{routed.patient.record_number} · {WHO_WRAPPED}</span>" in page


def test_the_home_pages_show_who(desk_client, physician_client, routed):
    assert WHO_WRAPPED in desk_client.get(reverse("admin:index")).content.decode()
    assert WHO_WRAPPED in physician_client.get(reverse("admin:index")).content.decode()
