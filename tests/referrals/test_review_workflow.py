"""A physician works the queue: approve, letter, decline with a note, override."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from post_office.mail import send_queued
from post_office.models import STATUS, Email

from referrals import services
from referrals.models import Referral, ReferralEvent
from tests.referrals.builders import submitted_example1

pytestmark = pytest.mark.django_db


def decide_url(referral):
    return reverse("admin:referrals_decide", args=[referral.pk])


def review_url(intake):
    return reverse("admin:referrals_review", args=[intake.pk])


def test_physician_approves_one_the_patient_is_mailed_and_the_letter_is_a_pdf(
    physician_client,
):
    intake = submitted_example1()
    ketamine = intake.referrals.get(service__code="ketamine")
    page = physician_client.get(review_url(intake))
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("max-age=0")
    assert "no-store" in page["Cache-Control"] or "no-cache" in page["Cache-Control"]

    response = physician_client.post(
        decide_url(ketamine), {"action": "approve", "note": ""}
    )

    assert response.status_code == 302
    ketamine.refresh_from_db()
    assert ketamine.status == Referral.Status.APPROVED
    assert ketamine.decided_by.username == "doctor"
    event = ketamine.events.last()
    assert (event.from_status, event.to_status) == ("pending_review", "approved")
    patient_mail = Email.objects.get(to=[intake.patient.email])
    assert patient_mail.status == STATUS.queued
    assert mail.outbox == []  # nothing was sent inside the request

    send_queued()

    patient_mail.refresh_from_db()
    assert patient_mail.status == STATUS.sent
    sent = {tuple(m.to): m for m in mail.outbox}
    to_patient = sent[(intake.patient.email,)]
    assert "approved" in to_patient.subject
    assert "will call you to schedule" in to_patient.body
    assert "migraine" not in to_patient.body.lower()  # no diagnosis by e-mail
    assert ("ketamine.team@clinic.example",) in sent
    assert intake.patient.last_name not in sent[("ketamine.team@clinic.example",)].body

    pdf = physician_client.get(
        reverse("admin:referrals_referral_letter_pdf", args=[ketamine.pk])
    )
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    html = physician_client.get(
        reverse("admin:referrals_referral_letter", args=[ketamine.pk])
    ).content.decode()
    assert intake.patient.record_number in html
    assert "propranolol" in html and "Beta blocker" in html


def test_declining_without_a_note_is_refused_beside_the_field(physician_client):
    intake = submitted_example1()
    yoga = intake.referrals.get(service__code="yoga")

    response = physician_client.post(decide_url(yoga), {"action": "decline"})

    assert response.status_code == 400
    yoga.refresh_from_db()
    assert yoga.status == Referral.Status.PENDING_REVIEW
    row = next(r for r in response.context["review"].services if r.referral == yoga)
    assert row.form.errors["note"] == ["Say why you decline this referral."]
    html = response.content.decode()
    assert "Say why you decline this referral." in html
    # The page opens at that note, far down it; no other field takes the focus.
    assert html.count(" autofocus") == 1
    tag = next(
        tag
        for tag in re.findall(r"<textarea[^>]*>", html)
        if f'id="{row.form["note"].auto_id}"' in tag
    )
    assert " autofocus" in tag


def test_declining_with_a_note_records_it_and_overrides_a_rec(physician_client):
    intake = submitted_example1()
    yoga = intake.referrals.get(service__code="yoga")

    response = physician_client.post(
        decide_url(yoga), {"action": "decline", "note": "Cervical disc surgery due."}
    )

    assert response.status_code == 302
    yoga.refresh_from_db()
    assert yoga.status == Referral.Status.DECLINED
    assert yoga.note == "Cervical disc surgery due."
    assert yoga.override is True  # declined despite the engine's REC
    assert yoga.events.last().note == "Cervical disc surgery due."
    assert not Email.objects.filter(to=[intake.patient.email]).exists()


def test_deciding_an_already_decided_referral_fails_cleanly(
    physician_client, physician2_user
):
    intake = submitted_example1()
    massage = intake.referrals.get(service__code="massage")
    services.referral_approve(referral=massage, user=physician2_user)

    # The first physician's page still shows the referral pending: their form is stale.
    response = physician_client.post(
        decide_url(massage), {"action": "decline", "note": "Not now."}
    )

    assert response.status_code == 409
    massage.refresh_from_db()
    assert massage.status == Referral.Status.APPROVED
    assert massage.decided_by == physician2_user
    assert massage.note == ""
    message = str(list(response.context["messages"])[-1])
    assert "not recorded" in message
    body = response.content.decode()
    assert "already approved" in body and "Sam Okafor" in body
    assert massage.events.count() == 2  # routed, approved: nothing else


def test_a_stale_copy_cannot_overwrite_a_decision(physician_user, physician2_user):
    intake = submitted_example1()
    stale = intake.referrals.get(service__code="massage")
    services.referral_approve(referral=stale, user=physician2_user)

    with pytest.raises(services.ReferralConflict):
        services.referral_decline(referral=stale, user=physician_user, note="No.")

    stale.refresh_from_db()
    assert stale.status == Referral.Status.APPROVED


def test_override_refers_despite_not_eligible_with_a_required_note(physician_client):
    nortriptyline_short = [
        ("propranolol", "ineffective", 16),
        ("topiramate", "intolerable", None),
        ("nortriptyline", "ineffective", 4),
        ("sumatriptan", "ineffective", None),
        ("rizatriptan", "ineffective", None),
    ]
    intake = submitted_example1(treatments=nortriptyline_short)
    assert not intake.referrals.filter(service__code="ketamine").exists()
    url = reverse("admin:referrals_override", args=[intake.pk, "ketamine"])

    refused = physician_client.post(url, {"note": ""})
    assert refused.status_code == 400
    assert not intake.referrals.filter(service__code="ketamine").exists()

    physician_client.post(url, {"note": "Nortriptyline stopped for QT prolongation."})

    ketamine = intake.referrals.get(service__code="ketamine")
    assert ketamine.status == Referral.Status.APPROVED
    assert ketamine.override is True
    assert ketamine.recommended_outcome == "NE"
    assert ketamine.events.get().to_status == "approved"
    assert Email.objects.filter(to=[intake.patient.email]).exists()


def test_front_desk_cannot_approve_or_see_the_queue(desk_client):
    intake = submitted_example1()
    ketamine = intake.referrals.get(service__code="ketamine")

    assert (
        desk_client.post(decide_url(ketamine), {"action": "approve"}).status_code == 403
    )
    assert desk_client.get(review_url(intake)).status_code == 403
    queue = reverse("admin:referrals_queueentry_changelist")
    assert desk_client.get(queue).status_code == 403
    ketamine.refresh_from_db()
    assert ketamine.status == Referral.Status.PENDING_REVIEW


def test_actions_are_post_only(physician_client):
    intake = submitted_example1()
    ketamine = intake.referrals.get(service__code="ketamine")
    assert physician_client.get(decide_url(ketamine)).status_code == 405


def test_letter_is_only_for_approved_referrals_and_staff_with_permission(
    physician_client, client
):
    intake = submitted_example1()
    pending = intake.referrals.get(service__code="yoga")
    url = reverse("admin:referrals_referral_letter_pdf", args=[pending.pk])
    assert physician_client.get(url).status_code == 404

    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_review_page_url_carries_no_name_or_sequential_id(physician_client):
    intake = submitted_example1()
    url = review_url(intake)
    assert str(intake.pk) in url
    assert intake.patient.last_name not in url
    assert intake.patient.record_number not in url
    body = physician_client.get(url).content.decode()
    for code in ["ketamine", "botox", "acupuncture", "massage", "yoga"]:
        assert f'id="service-{code}"' in body
    assert "Treatments tried (5)" in body
    assert ReferralEvent.objects.count() == 5
