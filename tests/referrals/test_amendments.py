"""Amending a submitted intake: a reason, a record of the changes, routing again."""

import pytest
from django.urls import reverse
from post_office.models import Email

from intake.models import Intake, IntakeAmendment, TreatmentTrial
from intake.services import intake_amend
from referrals import services
from referrals.models import QueueEntry, Referral, RoutingDecision
from tests.conftest import rolled_back_after
from tests.factories import COMPLETE_ANSWERS
from tests.intake.test_admin import intake_form
from tests.referrals.builders import schedule, submitted_example1

pytestmark = pytest.mark.django_db

THUNDERCLAP = (
    "Have you had a sudden, severe headache that reached its worst within one minute?"
)


@pytest.fixture(scope="module")
def _submitted_pk(django_db_setup, django_db_blocker):
    """Worked example 1, submitted and routed: built once per module and worker for
    the tests that each amend one (each test's writes are rolled back)."""
    with rolled_back_after(django_db_blocker):
        yield submitted_example1().pk


@pytest.fixture
def intake(_submitted_pk, db):
    return Intake.objects.get(pk=_submitted_pk)


def change_form(intake, reason: str, **answers) -> dict:
    """The admin's POST of a submitted intake with ``answers`` changed."""
    stored = {field: getattr(intake, field) for field in COMPLETE_ANSWERS}
    trials = list(intake.treatments.select_related("drug"))
    rows = [
        (trial.drug.name, trial.outcome, "" if trial.weeks is None else trial.weeks)
        for trial in trials
    ]
    data = intake_form(
        intake.patient, {**stored, **answers}, rows=rows, existing=len(rows)
    )
    for index, trial in enumerate(trials):
        data[f"treatments-{index}-id"] = trial.pk
    for key in ("red_flags", "conditions", "features", "symptoms", "triggers"):
        data.setdefault(key, answers.get(key, getattr(intake, key)))
    data["amendment_reason"] = reason
    return data


def referral(intake, code: str) -> Referral:
    return intake.referrals.exclude(status="cancelled").get(service__code=code)


def test_a_new_red_flag_in_the_admin_holds_the_intake_and_alerts_on_call(
    desk_client, physician_user, run_tasks, intake
):
    services.referral_approve(
        referral=referral(intake, "ketamine"), user=physician_user
    )
    url = reverse("admin:intake_intake_change", args=[intake.pk])

    response = desk_client.post(
        url,
        change_form(
            intake,
            "Patient phoned: a sudden worst-ever headache on Sunday.",
            red_flags=["thunderclap"],
        ),
        follow=True,
    )

    # The front desk is told what to do now, in an alert, not a green message.
    alerts = [m for m in response.context["messages"] if "clinical-alert" in m.tags]
    assert [str(m) for m in alerts][0].startswith(
        "<strong>Emergency warning signs: act now.</strong> If the patient is here"
    )
    amendment = IntakeAmendment.objects.get(intake=intake)
    assert amendment.amended_by.username == "desk"
    assert amendment.changes == [
        {"field": "warning signs", "before": "none", "after": THUNDERCLAP}
    ]
    assert QueueEntry.objects.get(intake=intake).section == QueueEntry.Section.AWAITING

    run_tasks()

    decision = RoutingDecision.objects.current().get(intake=intake)
    assert (decision.status, decision.hold_tier) == ("held", "emergency")
    assert decision.hold_alert.to == ["on-call@clinic.example"]
    assert QueueEntry.objects.get(intake=intake).section == QueueEntry.Section.HOLD
    ketamine = referral(intake, "ketamine")
    assert ketamine.status == "pending_review"
    assert ketamine.amended_after_approval
    assert "Intake amended" in ketamine.rereview_reason
    assert "a sudden worst-ever headache" in ketamine.rereview_reason
    assert "Advise emergency department now" in ketamine.rereview_reason
    assert "Advise emergency department now" in referral(intake, "yoga").rereview_reason
    event = ketamine.events.last()
    assert (event.from_status, event.to_status, event.actor) == (
        "approved",
        "pending_review",
        None,
    )


def test_the_review_page_shows_the_amendment(
    desk_client, client_class, physician_user, run_tasks, intake
):
    physician_client = client_class()
    physician_client.force_login(physician_user)
    desk_client.post(
        reverse("admin:intake_intake_change", args=[intake.pk]),
        change_form(intake, "Typo in the headache days.", headache_days_per_month=20),
    )
    run_tasks()

    page = physician_client.get(
        reverse("admin:referrals_review", args=[intake.pk])
    ).content.decode()

    assert "Amended after it was submitted" in page
    assert "“Typo in the headache days.”" in page
    assert "<del>18</del> → <ins>20</ins>" in page


def test_a_change_to_a_submitted_intake_needs_a_reason(desk_client, intake):
    response = desk_client.post(
        reverse("admin:intake_intake_change", args=[intake.pk]),
        change_form(intake, "  ", red_flags=["thunderclap"]),
    )

    assert response.status_code == 200
    assert "Say why the submitted intake is changed" in response.content.decode()
    intake.refresh_from_db()
    assert intake.red_flags == []
    assert not IntakeAmendment.objects.exists()


def test_saving_a_submitted_intake_unchanged_amends_nothing(desk_client, intake):
    decision = RoutingDecision.objects.current().get(intake=intake)

    response = desk_client.post(
        reverse("admin:intake_intake_change", args=[intake.pk]),
        change_form(intake, "Checked with the patient."),
        follow=True,
    )

    assert "Nothing was changed" in str(list(response.context["messages"])[0])
    assert not IntakeAmendment.objects.exists()
    assert RoutingDecision.objects.current().get(intake=intake) == decision


def test_a_waiting_referral_no_longer_recommended_is_marked_for_another_look(
    front_desk_user, physician_user, run_tasks, intake
):
    services.referral_approve(referral=referral(intake, "massage"), user=physician_user)
    short = intake.treatments.get(drug__name="nortriptyline")
    short.weeks = 4  # worked example 2: an inadequate trial

    intake_amend(
        intake=intake,
        user=front_desk_user,
        reason="Nortriptyline was stopped after 4 weeks, not 10.",
        treatments=[short],
    )
    run_tasks()

    ketamine = referral(intake, "ketamine")
    assert ketamine.status == "pending_review"  # still waiting, flagged
    assert not ketamine.amended_after_approval
    assert "Ketamine infusion is now: not eligible" in ketamine.rereview_reason
    assert "Failed preventive classes 2 < 3" in ketamine.rereview_reason
    massage = referral(intake, "massage")  # still recommended: left alone
    assert (massage.status, massage.rereview_reason) == ("approved", "")
    amendment = IntakeAmendment.objects.get()
    assert amendment.changes == [
        {
            "field": "treatment changed",
            "before": "nortriptyline (Antidepressant (amitriptyline, nortriptyline, "
            "venlafaxine), to prevent attacks, 10 weeks): did not work",
            "after": "nortriptyline (Antidepressant (amitriptyline, nortriptyline, "
            "venlafaxine), to prevent attacks, 4 weeks): did not work",
        }
    ]

    # The physician's next decision clears the flag.
    services.referral_decline(referral=ketamine, user=physician_user, note="Agreed.")
    assert referral(intake, "ketamine").rereview_reason == ""


def test_an_approved_referral_now_contraindicated_goes_back_to_the_physician(
    front_desk_user, physician_user, run_tasks, intake
):
    ketamine = referral(intake, "ketamine")
    services.referral_approve(referral=ketamine, user=physician_user)
    schedule(ketamine, front_desk_user)
    intake.conditions = ["psychosis"]

    intake_amend(intake=intake, user=front_desk_user, reason="Psychosis history found.")
    run_tasks()

    ketamine.refresh_from_db()
    assert (ketamine.status, ketamine.amended_after_approval) == (
        "pending_review",
        True,
    )
    assert "now: contraindicated (Psychosis)" in ketamine.rereview_reason
    assert QueueEntry.objects.get(intake=intake).section == QueueEntry.Section.PENDING


def test_an_approved_referral_merely_not_eligible_now_stays_approved_but_flagged(
    front_desk_user, physician_user, run_tasks, intake
):
    ketamine = referral(intake, "ketamine")
    services.referral_approve(referral=ketamine, user=physician_user)
    intake.debilitating_days_per_month = 7

    intake_amend(intake=intake, user=front_desk_user, reason="Fewer bad days.")
    run_tasks()

    ketamine.refresh_from_db()
    assert (ketamine.status, ketamine.amended_after_approval) == ("approved", False)
    assert "not eligible" in ketamine.rereview_reason


def test_removing_and_adding_treatment_rows_is_recorded_in_words(
    front_desk_user, run_tasks, intake
):
    removed = intake.treatments.get(drug__name="rizatriptan")
    added = TreatmentTrial(
        drug_name="Feverfew",
        treatment_class="other_preventive",
        intent="preventive",
        weeks=None,
        outcome="helped",
    )

    intake_amend(
        intake=intake,
        user=front_desk_user,
        reason="Corrected the list with the patient.",
        treatments=[added],
        removed_treatments=[removed],
    )

    assert [change["field"] for change in IntakeAmendment.objects.get().changes] == [
        "treatment added",
        "treatment removed",
    ]
    assert intake.treatments.filter(drug__name="rizatriptan").count() == 0
    assert Email.objects.count() == 0  # no hold: nobody alerted


def test_ticked_boxes_saved_in_another_order_are_no_change(front_desk_user):
    intake = submitted_example1(triggers=["cheese", "stress"])
    intake.triggers = ["stress", "cheese"]

    assert intake_amend(intake=intake, user=front_desk_user, reason="Re-saved.") is None
