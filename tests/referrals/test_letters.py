"""The referral letter and the Botox prior-authorisation letter: what an insurer
needs on them, who may open them, and nothing internal printed."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from clinic.models import AuditEntry
from referrals import letters, services
from referrals.models import Service
from staff.models import StaffProfile
from tests.factories import UserFactory
from tests.referrals.builders import schedule, submitted_example1
from tests.test_one_source import RULE_CODE

pytestmark = pytest.mark.django_db

NPI = "1234567893"  # CMS's worked example of the check digit


@pytest.fixture
def signed(physician_user):
    physician_user.first_name, physician_user.last_name = "Ada", "Park"
    physician_user.save()
    StaffProfile.objects.create(user=physician_user, credentials="MD", npi=NPI)
    return physician_user


@pytest.fixture
def ketamine(signed):
    intake = submitted_example1(
        other_medications="Magnesium 400 mg daily",
        other_allergies="Penicillin (rash)",
        medications=["antiplatelet"],
    )
    referral = intake.referrals.get(service__code="ketamine")
    return services.referral_approve(referral=referral, user=signed, note="Go ahead.")


def letter_text(client, referral) -> str:
    url = reverse("admin:referrals_referral_letter", args=[referral.pk])
    response = client.get(url)
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_referral_letter_carries_what_an_insurer_asks_for(
    ketamine, physician_client, settings
):
    settings.CLINIC_ADDRESS = "1 Main Street, Charlotte, NC 28202"
    settings.CLINIC_PHONE = "(704) 555-0100"
    settings.CLINIC_FAX = "(704) 555-0101"
    text = letter_text(physician_client, ketamine)

    assert "1 Main Street, Charlotte, NC 28202" in text
    assert "Phone (704) 555-0100 · Fax (704) 555-0101" in text
    # Worked example 1: chronic migraine without aura, resistant -> intractable.
    assert "ICD-10-CM G43.719" in text
    assert "Chronic migraine without aura, intractable" in text
    assert "Ada Park, MD" in text and f"NPI {NPI}" in text
    assert "propranolol" in text and "16 weeks at full dose" in text
    assert "topiramate" in text and "Not tolerated (side effects)" in text
    assert "An antiplatelet medicine" in text
    assert "Magnesium 400 mg daily" in text
    assert "Penicillin (rash)" in text
    assert "No allergy to Ketamine or Botulinum toxin (Botox) reported" in text
    assert "Go ahead." in text


def test_a_scheduled_referrals_letter_gives_its_appointment(
    ketamine, physician_client, front_desk_user
):
    assert "Appointment:" not in letter_text(physician_client, ketamine)
    schedule(ketamine, front_desk_user)
    ketamine.refresh_from_db()
    when = timezone.localtime(ketamine.appointment_at)
    text = letter_text(physician_client, ketamine)
    assert f"Appointment: {when:%A, %B} {when.day}, {when.year}" in text.replace(
        "<strong>", ""
    ).replace("</strong>", "")
    assert "with Dr. Ada Park, Infusion suite, room 2." in text


def test_no_internal_code_is_printed(signed, physician_client):
    # Blood pressure not recorded: ketamine is recommended with a caution to word.
    intake = submitted_example1(bp_systolic=None, bp_diastolic=None)
    referral = intake.referrals.get(service__code="ketamine")
    referral = services.referral_approve(referral=referral, user=signed)
    assert referral.reasons
    text = letter_text(physician_client, referral)
    assert referral.reasons[0]["text"] in text
    assert RULE_CODE.findall(text) == []
    assert "REC" not in text.split() and "FLAG" not in text.split()


def test_an_override_reads_as_the_physicians_decision(signed, physician_client):
    intake = submitted_example1(diagnosis="other_primary_headache")
    ketamine = Service.objects.get(code="ketamine")
    referral = services.referral_override(
        intake=intake, service=ketamine, user=signed, note="Refractory; discussed."
    )
    text = letter_text(physician_client, referral)

    assert "Physician's decision." in text
    assert "found this service not indicated" in text
    assert "Not a migraine diagnosis (another primary headache)" in text
    assert "other_primary_headache" not in text
    assert "Refractory; discussed." in text
    assert "Not eligible" not in text
    assert "Recommendation" not in text
    # Not a migraine: no code is made up.
    assert "ICD-10-CM G43" not in text
    assert "no ICD-10-CM code is derived" in text


def test_an_overrides_letter_keeps_the_rules_findings_apart_from_the_cautions(
    signed, physician_client
):
    intake = submitted_example1(
        diagnosis="other_primary_headache", bp_systolic=150, bp_diastolic=95
    )
    ketamine = Service.objects.get(code="ketamine")
    referral = services.referral_override(
        intake=intake, service=ketamine, user=signed, note="Refractory; discussed."
    )
    text = letter_text(physician_client, referral)
    findings = text.split("found this service not indicated")[1].split("Having")[0]
    cautions = text.split("Points for the service to note:")[1]
    assert "Not a migraine diagnosis" in findings
    assert "150/95" not in findings
    assert "150/95" in cautions and "Not a migraine diagnosis" not in cautions


def test_the_letter_leads_each_reader_back_to_a_page_they_may_open(
    ketamine, physician_client, client_class, front_desk_user
):
    desk = client_class()
    desk.force_login(front_desk_user)
    for browser, back in (
        (
            physician_client,
            reverse("admin:referrals_review", args=[ketamine.intake_id]),
        ),
        (desk, ketamine.get_absolute_url()),
    ):
        page = letter_text(browser, ketamine)
        href = re.search(r'<a href="([^"]+)">Back to the', page).group(1)
        assert href == back
        assert browser.get(href).status_code == 200


@pytest.mark.parametrize(
    ("pregnant", "breastfeeding", "shown"),
    [
        (True, False, "Pregnant</strong>"),
        (False, True, "Breastfeeding</strong>"),
        (False, False, None),
    ],
)
def test_the_letter_says_when_the_patient_is_pregnant_or_breastfeeding(
    physician_user, physician_client, pregnant, breastfeeding, shown
):
    intake = submitted_example1(pregnant=pregnant, breastfeeding=breastfeeding)
    referral = intake.referrals.get(service__code="acupuncture")
    services.referral_approve(referral=referral, user=physician_user)
    text = letter_text(physician_client, referral)
    if shown is None:
        assert "Pregnancy" not in text
    else:
        assert f'Pregnancy</td><td colspan="3"><strong>{shown}' in text


def test_a_physician_without_an_npi_on_file_is_told_so_on_the_letter(
    physician_user, physician_client
):
    referral = submitted_example1().referrals.get(service__code="yoga")
    services.referral_approve(referral=referral, user=physician_user)
    text = letter_text(physician_client, referral)
    assert "NPI not on file" in text


def test_no_medicines_or_allergies_recorded_says_so(ketamine, physician_client):
    intake = ketamine.intake
    intake.other_medications = intake.other_allergies = ""
    intake.medications = []
    intake.acute_days_triptan = 0
    intake.save()
    text = letter_text(physician_client, ketamine)
    assert "Current medicines None recorded on the intake." in text.replace(
        "</h2> <p>", " "
    )
    assert "No other allergies recorded on the intake." in text


def botox_url(intake, pdf=False):
    name = "referrals_botox_letter_pdf" if pdf else "referrals_botox_letter"
    return reverse(f"admin:{name}", args=[intake.pk])


def test_the_botox_letter_summarises_chronic_migraine_and_step_therapy(
    signed, physician_client
):
    intake = submitted_example1()
    review = physician_client.get(
        reverse("admin:referrals_review", args=[intake.pk])
    ).content.decode()
    assert botox_url(intake) in review and botox_url(intake, pdf=True) in review

    before = AuditEntry.objects.count()
    response = physician_client.get(botox_url(intake))
    assert response.status_code == 200
    text = re.sub(r"\s+", " ", response.content.decode())
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ACCESS).count() > 0
    assert AuditEntry.objects.count() > before

    assert "Request for prior authorization: onabotulinumtoxinA" in text
    assert "ICD-10-CM G43.719" in text
    assert "155 units" in text and "J0585" in text and "64615" in text
    # The criteria, each with the patient's value beside the threshold.
    assert "Headache days a month</td><td><strong>18</strong></td><td>at least 15" in (
        text.replace("> <", "><")
    )
    assert "more than 3" in text
    assert "3</strong> preventive medicines failed an adequate trial" in text
    assert "at least 3 are required, NICE TA260" in text
    assert "nortriptyline" in text and "10 weeks at full dose" in text
    assert "Ada Park, MD" in text and f"NPI {NPI}" in text
    assert RULE_CODE.findall(text) == []

    pdf = physician_client.get(botox_url(intake, pdf=True))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "botox.pdf" in pdf["Content-Disposition"]


@pytest.mark.parametrize(
    ("answers", "why"),
    [
        ({"headache_days_per_month": 14}, "not chronic: Botox NE"),
        ({"allergies": ["botulinum_toxin"]}, "allergic: Botox BLOCK"),
        ({"red_flags": ["thunderclap"]}, "an open hold"),
    ],
)
def test_no_botox_letter_unless_botox_is_recommended(answers, why, physician_client):
    intake = submitted_example1(**answers)
    assert physician_client.get(botox_url(intake)).status_code == 404, why
    review = physician_client.get(reverse("admin:referrals_review", args=[intake.pk]))
    assert botox_url(intake) not in review.content.decode(), why


def test_a_flagged_botox_gets_its_letter_with_the_caution(physician_client):
    intake = submitted_example1(last_botox_weeks_ago=4)
    response = physician_client.get(botox_url(intake))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Last onabotulinumtoxinA treatment 4 weeks ago." in text
    assert "Noted on review" in text


def test_only_a_physician_opens_the_botox_letter(client_class):
    intake = submitted_example1()
    for role, expected in [
        (roles.FRONT_DESK, 403),
        (roles.CLINIC_MANAGER, 403),
        (roles.PHYSICIAN, 200),
    ]:
        browser = client_class()
        browser.force_login(UserFactory(role=role))
        assert browser.get(botox_url(intake)).status_code == expected, role


def test_the_letter_context_is_built_from_the_decision(ketamine):
    context = letters.referral_letter_context(ketamine)
    assert context["icd"].code == "G43.719"
    assert context["signer"] == letters.Signer(
        name="Ada Park", credentials="MD", npi=NPI
    )
