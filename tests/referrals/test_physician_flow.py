"""A physician's flow through the queue: next in queue, approving the recommended
referrals at once, a lost race that keeps the note, the confirmation in view."""

import pytest
from django.urls import reverse
from post_office.models import Email

from referrals import selectors, services
from referrals.models import QueueEntry, Referral, Service
from tests.factories import UserFactory
from tests.referrals.builders import example1_intake, submitted_example1

pytestmark = pytest.mark.django_db

QUEUE_URL = reverse("admin:referrals_queueentry_changelist")


def review_url(intake):
    return reverse("admin:referrals_review", args=[intake.pk])


def next_url(intake):
    return reverse("admin:referrals_next_in_queue", args=[intake.pk])


def approve_all_url(intake):
    return reverse("admin:referrals_approve_recommended", args=[intake.pk])


def recommended(intake):
    return list(intake.referrals.approvable_together().order_by("service_id"))


def test_next_in_queue_follows_queue_order_then_wraps_and_ends_at_the_queue(
    physician_client, physician_user
):
    first = submitted_example1()
    second = submitted_example1()
    hold = submitted_example1(phq9_9=1)  # holds come first

    assert physician_client.get(next_url(hold))["Location"] == review_url(first)
    assert physician_client.get(next_url(first))["Location"] == review_url(second)
    # The last one wraps to the first waiting, never to itself.
    assert physician_client.get(next_url(second))["Location"] == review_url(hold)

    # An intake decided in full has left the queue: its "next" is the first waiting.
    for referral in first.referrals.awaiting_review():
        services.referral_approve(referral=referral, user=physician_user)
    assert not QueueEntry.objects.filter(intake=first).exists()
    assert physician_client.get(next_url(first))["Location"] == review_url(hold)

    # Nothing else waiting: back to the queue, which says so.
    for referral in second.referrals.awaiting_review():
        services.referral_approve(referral=referral, user=physician_user)
    QueueEntry.objects.filter(intake=hold).delete()
    response = physician_client.get(next_url(hold), follow=True)
    assert response.redirect_chain[-1][0] == QUEUE_URL
    assert "Nothing else is waiting" in response.content.decode()


def test_queue_next_is_none_for_the_only_intake_waiting():
    only = submitted_example1()
    assert selectors.queue_next(after_intake_id=only.pk) is None


def test_review_page_offers_next_in_queue_in_its_sticky_bar(physician_client):
    intake = submitted_example1()
    body = physician_client.get(review_url(intake)).content.decode()
    bar = body[body.index('id="review-bar"') :]
    assert next_url(intake) in bar[: bar.index("</div>")]


def test_review_page_writes_the_patients_phone_as_the_lists_do(physician_client):
    intake = submitted_example1()
    intake.patient.mobile_phone = "7045550101"
    intake.patient.save()
    body = physician_client.get(review_url(intake)).content.decode()
    assert "phone (704) 555-0101" in body
    assert "7045550101" not in body


def test_approve_all_recommended_with_one_note_each_with_its_event_and_mail(
    physician_client,
):
    intake = submitted_example1(medications=["anticoagulant"])
    chosen = recommended(intake)
    assert len(chosen) >= 2
    flagged = list(
        intake.referrals.awaiting_review().filter(recommended_outcome="FLAG")
    )
    assert flagged
    page = physician_client.get(review_url(intake))
    form = page.context["approve_all"]
    assert {r.pk for r in form.initial["referrals"]} == {r.pk for r in chosen}

    response = physician_client.post(
        approve_all_url(intake),
        {"referrals": [r.pk for r in chosen], "note": "  Fine for all of these.  "},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == review_url(intake)
    for referral in chosen:
        referral.refresh_from_db()
        assert referral.status == Referral.Status.APPROVED
        assert referral.note == "Fine for all of these."
        event = referral.events.last()
        assert (event.to_status, event.note) == ("approved", "Fine for all of these.")
    # Referrals with cautions wait for a decision of their own.
    for referral in flagged:
        referral.refresh_from_db()
        assert referral.status == Referral.Status.PENDING_REVIEW
    assert Email.objects.filter(to=[intake.patient.email]).count() == len(chosen)
    message = str(list(response.context["messages"])[-1])
    assert message.startswith("Approved: ")
    assert all(r.service.name in message for r in chosen)


def test_approve_all_is_all_or_none_when_another_physician_won_one(
    physician_client, physician2_user
):
    intake = submitted_example1()
    chosen = recommended(intake)
    winner = chosen[-1]
    services.referral_decline(
        referral=winner, user=physician2_user, note="Not this one."
    )

    response = physician_client.post(
        approve_all_url(intake),
        {"referrals": [r.pk for r in chosen], "note": "All good, go ahead."},
    )

    assert response.status_code == 409
    for referral in chosen[:-1]:
        referral.refresh_from_db()
        assert referral.status == Referral.Status.PENDING_REVIEW
        assert referral.events.count() == 1  # made by routing; nothing since
    body = response.content.decode()
    assert "All good, go ahead." in body  # the typed note is kept
    assert f"{winner.service.name} is already declined" in body
    assert "Sam Okafor" in body
    assert not Email.objects.filter(to=[intake.patient.email]).exists()


def test_approve_all_refuses_a_referral_with_cautions(physician_user):
    intake = submitted_example1(medications=["anticoagulant"])
    flagged = intake.referrals.awaiting_review().filter(recommended_outcome="FLAG")
    assert flagged.exists()
    with pytest.raises(services.ReferralConflict, match="decision of its own"):
        services.intake_referrals_approve(
            intake=intake,
            referrals=[*recommended(intake), flagged.first()],
            user=physician_user,
        )
    assert not intake.referrals.filter(status=Referral.Status.APPROVED).exists()


def test_front_desk_cannot_approve_all(desk_client):
    intake = submitted_example1()
    response = desk_client.post(
        approve_all_url(intake), {"referrals": [r.pk for r in recommended(intake)]}
    )
    assert response.status_code == 403
    assert not intake.referrals.filter(status=Referral.Status.APPROVED).exists()


def test_a_lost_race_keeps_the_typed_note_beside_the_winners_decision(
    physician_client, physician2_user
):
    intake = submitted_example1()
    massage = intake.referrals.get(service__code="massage")
    services.referral_approve(
        referral=massage, user=physician2_user, note="Booked with Ana."
    )

    response = physician_client.post(
        reverse("admin:referrals_decide", args=[massage.pk]),
        {"action": "decline", "note": "Neck surgery next month; not now."},
    )

    assert response.status_code == 409
    massage.refresh_from_db()
    assert (massage.status, massage.decided_by) == ("approved", physician2_user)
    body = response.content.decode()
    section = body[body.index('id="service-massage"') :]
    section = section[: section.index('class="rq-service"')]
    assert "Neck surgery next month; not now." in section  # kept, not recorded
    assert "already approved" in section and "Sam Okafor" in section
    assert "Booked with Ana." in section  # the winner's note, beside it
    assert massage.events.count() == 2


def test_the_full_intake_reads_in_words_for_a_physician(physician_client):
    intake = example1_intake(
        red_flags=["thunderclap"], triggers=[], pregnant=None, breastfeeding=False
    )
    response = physician_client.get(
        reverse("admin:intake_intake_change", args=[intake.pk])
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "thunderclap" not in body
    assert "icon-no.svg" not in body and "icon-yes.svg" not in body

    def shown(name):
        box = f"fieldBox field-{name}"  # one of several fields on a row
        cell = body[body.index(box if box in body else f"form-row field-{name}") :]
        cell = cell[cell.index('class="readonly"') :]
        return cell[cell.index(">") + 1 : cell.index("</div>")].strip()

    assert shown("red_flags").startswith("Have you had a sudden, severe headache")
    assert shown("triggers") == "none"
    assert shown("pregnant") == "not answered"
    assert shown("breastfeeding") == "no"
    assert shown("diagnosis") == "Migraine without aura"


def test_an_override_beaten_by_another_physicians_keeps_the_note(
    physician_client, physician2_user
):
    nortriptyline_short = [
        ("propranolol", "ineffective", 16),
        ("topiramate", "intolerable", None),
        ("nortriptyline", "ineffective", 4),
        ("sumatriptan", "ineffective", None),
        ("rizatriptan", "ineffective", None),
    ]
    intake = submitted_example1(treatments=nortriptyline_short)
    services.referral_override(
        intake=intake,
        service=Service.objects.get(code="ketamine"),
        user=physician2_user,
        note="QT prolongation on nortriptyline.",
    )

    response = physician_client.post(
        reverse("admin:referrals_override", args=[intake.pk, "ketamine"]),
        {"note": "Nortriptyline stopped early for side effects."},
    )

    assert response.status_code == 409
    body = response.content.decode()
    section = body[body.index('id="service-ketamine"') :]
    assert "Nortriptyline stopped early for side effects." in section
    assert "QT prolongation on nortriptyline." in section
    assert intake.referrals.filter(service__code="ketamine").count() == 1


def test_staff_pages_name_people_and_intakes_in_words(physician_client, physician_user):
    physician_user.first_name, physician_user.last_name = "Ada", "Lind"
    physician_user.save()
    intake = submitted_example1()
    yoga = intake.referrals.get(service__code="yoga")
    services.referral_approve(referral=yoga, user=physician_user)

    listing = physician_client.get(
        reverse("admin:referrals_referral_changelist")
    ).content.decode()
    assert '<td class="field-decided_by_name">Ada Lind</td>' in listing
    page = physician_client.get(
        reverse("admin:referrals_referral_change", args=[yoga.pk])
    ).content.decode()
    assert "Ada Lind" in page and ">doctor<" not in page

    full = physician_client.get(
        reverse("admin:intake_intake_change", args=[intake.pk])
    ).content.decode()
    record = intake.patient.record_number
    title = f"{record}: front desk intake, submitted "
    assert f"<h2>{title}" in full
    assert f"&rsaquo; {title}" in full  # the breadcrumbs too
    assert str(intake.pk)[:8] not in full.split("<body")[1].split("<form")[0]

    override = Referral._meta.get_field("override").help_text
    assert "NE" not in override and "BLOCK" not in override
    assert "not eligible" in override and "contraindicated" in override


def test_clearing_a_hold_someone_cleared_first_keeps_what_was_written(
    physician_client, physician_user
):
    physician2_user = UserFactory(
        username="doctor2", first_name="Sam", last_name="Okafor", role="Physician"
    )
    intake = submitted_example1(phq9_9=1)
    hold = intake.routing_decisions.get()
    services.decision_clear_hold(
        decision=hold, user=physician2_user, note="Called her; safe, GP informed."
    )

    response = physician_client.post(
        reverse("admin:referrals_clear_hold", args=[hold.pk]),
        {"note": "Spoke with the patient, no plan or intent."},
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert "Spoke with the patient, no plan or intent." in body
    assert "already cleared by Sam Okafor" in body
    assert "Called her; safe, GP informed." in body
    hold.refresh_from_db()
    assert hold.cleared_by == physician2_user
