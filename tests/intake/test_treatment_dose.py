"""A treatment row's dose, where known: entered at the front desk and online, checked
for length with a message beside it, shown on the review page, in the letters and in
an amendment's record."""

import re

import pytest
from django.urls import reverse

from intake.models import TREATMENT_DOSE_MAX_LENGTH, Intake
from intake.services import intake_amend, intake_submit
from referrals import services
from tests.factories import (
    COMPLETE_ANSWERS,
    ONLINE_STEP_ANSWERS,
    ONLINE_STEP_SLUGS,
    PatientFactory,
)
from tests.intake.test_admin import ADD_URL, intake_form
from tests.intake.test_spanish import SPANISH
from tests.referrals.builders import example1_intake, submitted_example1

pytestmark = pytest.mark.django_db

DOSE = "40 mg twice daily"
TOO_LONG = "x" * (TREATMENT_DOSE_MAX_LENGTH + 1)


def post_step(client, slug, **changes):
    data = {**ONLINE_STEP_ANSWERS.get(slug, {}), **changes, "action": "next"}
    return client.post(f"/intake/{slug}/", data)


def online_treatments(client, **changes):
    for slug in ONLINE_STEP_SLUGS[: ONLINE_STEP_SLUGS.index("treatments")]:
        post_step(client, slug)
    return post_step(client, "treatments", **changes)


def test_the_patient_gives_a_dose_online_and_sees_it_on_the_review_page(client):
    response = online_treatments(client, **{"treatments-0-dose": f"  {DOSE} "})
    assert response.status_code == 302
    propranolol, topiramate, _ = Intake.objects.get().treatments.all()
    assert (propranolol.dose, topiramate.dose) == (DOSE, "")
    page = re.sub(r"\s+", " ", client.get("/intake/review/").content.decode())
    assert DOSE in page


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, f"Write the dose in at most {TREATMENT_DOSE_MAX_LENGTH} characters"),
        (SPANISH, f"Escriba la dosis en {TREATMENT_DOSE_MAX_LENGTH} caracteres"),
    ],
)
def test_a_dose_too_long_online_is_refused_beside_the_field(client, headers, message):
    client.defaults.update(headers)
    response = online_treatments(client, **{"treatments-0-dose": TOO_LONG})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert f'value="{TOO_LONG}"' in response.content.decode()


def test_no_step_lets_the_browser_cut_an_answer_at_its_length_limit(client):
    """A ``maxlength`` would stop the typing at 40 characters without a word, and the
    patient would never see the message above."""
    online_treatments(client)
    for slug in ONLINE_STEP_SLUGS:
        page = client.get(f"/intake/{slug}/").content.decode()
        assert "maxlength" not in page, slug


def test_a_dose_just_short_enough_online_is_kept(client):
    fits = "x" * TREATMENT_DOSE_MAX_LENGTH
    assert online_treatments(client, **{"treatments-0-dose": fits}).status_code == 302
    assert Intake.objects.get().treatments.first().dose == fits


def test_the_front_desk_enters_a_dose_and_a_too_long_one_is_refused(desk_client):
    patient = PatientFactory()
    data = intake_form(patient, COMPLETE_ANSWERS)
    refused = desk_client.post(ADD_URL, {**data, "treatments-0-dose": TOO_LONG})
    assert refused.status_code == 200
    errors = refused.context["inline_admin_formsets"][0].formset.forms[0].errors
    assert errors["dose"] == [
        f"Write the dose in at most {TREATMENT_DOSE_MAX_LENGTH} characters, like "
        "“100 mg daily”."
    ]
    saved = desk_client.post(ADD_URL, {**data, "treatments-0-dose": DOSE})
    assert saved.status_code == 302
    assert Intake.objects.get().treatments.first().dose == DOSE


def test_the_letters_give_each_dose_or_say_it_was_not_recorded(
    physician_client, physician_user
):
    intake = submitted_example1()
    intake.treatments.filter(drug__name="propranolol").update(dose=DOSE)
    referral = services.referral_approve(
        referral=intake.referrals.get(service__code="ketamine"),
        user=physician_user,
        note="Go ahead.",
    )
    for url in (
        reverse("admin:referrals_referral_letter", args=[referral.pk]),
        reverse("admin:referrals_botox_letter", args=[intake.pk]),
    ):
        text = re.sub(r"\s+", " ", physician_client.get(url).content.decode())
        assert f"<td>propranolol</td> <td>preventive</td> <td>{DOSE}</td>" in text
        assert "<td>nortriptyline</td> <td>preventive</td> <td>not recorded</td>" in (
            text
        )


def test_a_changed_dose_is_an_amendment(front_desk_user):
    intake = intake_submit(intake=example1_intake())
    row = intake.treatments.first()
    assert row.dose == ""
    row.dose = DOSE
    amendment = intake_amend(
        intake=intake,
        user=front_desk_user,
        reason="The patient read the label.",
        treatments=[row],
        removed_treatments=[],
    )
    (change,) = amendment.changes
    assert change["field"] == "treatment changed"
    assert DOSE in change["after"] and DOSE not in change["before"]
