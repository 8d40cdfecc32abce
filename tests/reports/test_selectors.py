"""Each report's figures on a small clinic whose answers are known (tests/reports/
world.py), on SQLite and on PostgreSQL alike."""

import datetime

import pytest

from intake.models import Intake
from referrals import routing
from referrals.models import DecisionStatus, Referral, RoutingDecision
from reports import selectors
from tests.factories import IntakeFactory, add_treatment
from tests.reports.world import (
    PERIOD,
    WEEK_1,
    WEEK_2,
    at,
    held,
    later,
    online_draft,
    referral,
    routed,
    submitted_intake,
)

pytestmark = pytest.mark.django_db

NE, FLAG, BLOCK = routing.NE, routing.FLAG, routing.BLOCK
S = Referral.Status


def test_intakes_per_week_count_each_source_in_the_clinics_weeks():
    submitted_intake(at(3, 10), Intake.Source.ONLINE)
    submitted_intake(at(4, 10), Intake.Source.ONLINE)
    submitted_intake(at(6, 15))
    # Sunday 23:30 in the clinic is Monday in UTC: still the period's second week.
    submitted_intake(at(15, 23, 30))
    submitted_intake(at(16, 0, 30))  # the day after the period
    submitted_intake(at(1, 23))  # the day before
    IntakeFactory(source=Intake.Source.ONLINE)  # never sent

    table = selectors.intakes_per_week(PERIOD)

    assert table.rows == [(WEEK_1, 2, 1, 3), (WEEK_2, 0, 1, 1)]


def test_online_drafts_counts_started_and_sent_and_where_the_rest_stopped():
    sent = submitted_intake(at(3), Intake.Source.ONLINE)
    online_draft(sent, created=at(3), steps=["about-you", "headaches"])
    three_steps = ["about-you", "headaches", "symptoms"]
    for steps in (three_steps, three_steps, ["about-you"]):
        online_draft(
            IntakeFactory(source=Intake.Source.ONLINE), created=at(5), steps=steps
        )
    online_draft(
        IntakeFactory(source=Intake.Source.ONLINE), created=at(20), steps=three_steps
    )

    assert selectors.online_drafts(PERIOD).rows == [(4, 1, 3, 25.0)]
    stopped = {
        number: count
        for number, _, count in selectors.draft_stopping_steps(PERIOD).rows
    }
    assert stopped == {
        **dict.fromkeys(range(1, 13), 0),
        4: 2,  # "Treatments you have tried", after three steps
        2: 1,
    }
    assert selectors.draft_stopping_steps(PERIOD).rows[3][1] == (
        "Treatments you have tried"
    )


@pytest.fixture
def routed_world():
    first = submitted_intake(at(3))
    routed(
        first,
        {"ketamine": (BLOCK, ["K_BLOCK_X"])},
        superseded_at=at(3, 12),  # replaced: only the current decision counts
    )
    routed(
        first,
        {"ketamine": (NE, ["K_NE_ADULTS_ONLY"]), "botox": (FLAG, ["B_FLAG_REPEAT"])},
    )
    routed(
        submitted_intake(at(4)),
        {
            "ketamine": (NE, ["K_NE_ADULTS_ONLY", "K_FLAG_BP"]),
            "yoga": (FLAG, ["Y_FLAG_AGE"]),
        },
    )
    held(
        submitted_intake(at(5)),
        "urgent",
        ["G4_ONSET"],
        {"massage": (NE, ["M_NE_X"])},  # listed under the hold; the hold decides
    )
    RoutingDecision.objects.create(
        intake=submitted_intake(at(6)),
        status=DecisionStatus.FAILED,
        rules_version=routing.RULES_VERSION,
        error="Invalid facts",
    )
    routed(submitted_intake(at(20)), {"ketamine": (NE, ["K_NE_ADULTS_ONLY"])})


def test_routing_outcomes_count_each_services_current_outcome(routed_world):
    rows = {row[0]: row[1:] for row in selectors.routing_outcomes(PERIOD).rows}

    # REC, FLAG, NE, BLOCK, HOLD, routing failed
    assert rows == {
        "Ketamine infusion": (0, 0, 2, 0, 1, 1),
        "Botox for migraine": (1, 1, 0, 0, 1, 1),
        "Acupuncture": (2, 0, 0, 0, 1, 1),
        "Massage": (2, 0, 0, 0, 1, 1),
        "Yoga": (1, 1, 0, 0, 1, 1),
    }


def test_deciding_reasons_are_those_at_the_outcomes_level(routed_world):
    # This world's reasons are worded as their codes: each row's example.
    assert selectors.deciding_reasons(PERIOD).rows == [
        ("K_NE_ADULTS_ONLY", "K_NE_ADULTS_ONLY", NE, "Ketamine infusion", 2),
        ("B_FLAG_REPEAT", "B_FLAG_REPEAT", FLAG, "Botox for migraine", 1),
        ("Y_FLAG_AGE", "Y_FLAG_AGE", FLAG, "Yoga", 1),
        ("G4_ONSET", "G4_ONSET", routing.HOLD, "all services", 1),
    ]


def test_holds_by_tier_with_median_and_90th_percentile_to_clearance(
    physician_user,
):
    for day, hours in ((3, 10), (4, 20), (5, 40)):
        intake = submitted_intake(at(day, 8))
        held(
            intake,
            "urgent",
            ["G4_ONSET"],
            cleared_at=later(intake.submitted_at, hours),
            cleared_by=physician_user,
        )
    replaced = submitted_intake(at(6))
    held(replaced, "urgent", ["G4_ONSET"], superseded_at=at(6, 12))
    routed(replaced)
    held(submitted_intake(at(10)), "emergency", ["G1_THUNDERCLAP"])
    outside = submitted_intake(at(20))
    held(
        outside,
        "same_day",
        ["G3_BP"],
        cleared_at=later(outside.submitted_at, 1),
        cleared_by=physician_user,
    )

    assert selectors.holds_by_tier(PERIOD).rows == [
        ("Emergency", 1, 1 - 1, 1, None, None),
        # 10, 20 and 40 hours: median 20, 90th percentile 20 + 0.8 * 20
        ("Urgent (within 24 h)", 4, 3, 0, 20.0, 36.0),
        ("Same day", 0, 0, 0, None, None),
    ]


def test_time_to_the_physicians_decision_by_service_and_by_week(physician_user):
    def decided(day, service, hours):
        referral(
            submitted_intake(at(day)),
            service,
            [(S.PENDING_REVIEW, at(day)), (S.APPROVED, later(at(day), hours or 0))]
            if hours is not None
            else [(S.PENDING_REVIEW, at(day))],
            decided_by=physician_user,
            decided_after=hours,
        )

    decided(3, "botox", 2)
    decided(4, "botox", 4)
    decided(10, "botox", 6)
    decided(11, "botox", 30)
    decided(5, "ketamine", 1)
    decided(5, "botox", None)  # not decided yet
    decided(20, "botox", 100)  # submitted after the period

    by_service = {
        row[0]: row[1:] for row in selectors.decision_time_by_service(PERIOD).rows
    }
    assert by_service["Ketamine infusion"] == (1, 1.0, 1.0)
    # 2, 4, 6, 30 hours: median 5, 90th percentile 6 + 0.7 * 24
    assert by_service["Botox for migraine"] == (4, 5.0, 22.8)
    assert by_service["Yoga"] == (0, None, None)
    assert selectors.decision_time_by_week(PERIOD).rows == [
        (WEEK_1, 3, 2.0, 3.6),  # 1, 2, 4 hours
        (WEEK_2, 2, 18.0, 27.6),  # 6, 30 hours
    ]


def test_referral_funnel_counts_where_referrals_stand_and_what_they_reached():
    def made(service, *statuses, day=3):
        moves = [(status, at(day, 9 + step)) for step, status in enumerate(statuses)]
        referral(submitted_intake(at(day)), service, moves)

    made("ketamine", S.PENDING_REVIEW, S.APPROVED, S.SCHEDULED, S.COMPLETED)
    made("ketamine", S.PENDING_REVIEW, S.APPROVED, S.SCHEDULED)
    made("ketamine", S.PENDING_REVIEW, S.APPROVED, S.CANCELLED)
    made("ketamine", S.PENDING_REVIEW, S.DECLINED)
    made("ketamine", S.PENDING_REVIEW)
    made("botox", S.WAITLISTED)
    made("botox", S.WAITLISTED, S.PENDING_REVIEW)
    made("ketamine", S.PENDING_REVIEW, S.APPROVED, day=20)

    table = selectors.referral_funnel(PERIOD)
    rows = {row[0]: row[1:] for row in table.rows}

    assert table.columns[1:9] == (
        "referrals",
        "waitlisted",
        "pending review",
        "approved",
        "scheduled",
        "completed",
        "declined",
        "cancelled",
    )
    assert rows["Ketamine infusion"] == (
        5,
        0,
        1,
        0,
        1,
        1,
        1,
        1,
        3,
        2,
        1,
        75.0,
        66.7,
        50.0,
    )
    assert rows["Botox for migraine"] == (
        2,
        1,
        1,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        None,
        None,
        None,
    )
    assert rows["Yoga"] == (0,) * 11 + (None, None, None)


def test_botox_waitlist_follows_joins_and_leaves_week_by_week():
    def waitlisted(*moves):
        referral(submitted_intake(at(1)), "botox", list(moves))

    waitlisted((S.WAITLISTED, at(1, 6)))  # before the period, still waiting
    waitlisted((S.WAITLISTED, at(1, 8)), (S.PENDING_REVIEW, at(1, 10)))
    waitlisted((S.WAITLISTED, at(3)), (S.PENDING_REVIEW, at(12)))
    waitlisted((S.WAITLISTED, at(4)), (S.PENDING_REVIEW, at(6)))
    waitlisted((S.WAITLISTED, at(10)))
    waitlisted((S.WAITLISTED, at(20)))  # after the period
    referral(submitted_intake(at(3)), "ketamine", [(S.PENDING_REVIEW, at(3))])

    assert selectors.botox_waitlist(PERIOD).rows == [
        (WEEK_1, 2, 1, 2),
        (WEEK_2, 1, 1, 2),
    ]


def test_failed_treatment_classes_count_patients_and_outcomes():
    first = submitted_intake(at(3))
    add_treatment(first, "propranolol", "ineffective")
    add_treatment(first, "topiramate", "intolerable")
    add_treatment(first, "sumatriptan", "ineffective")
    add_treatment(first, "rizatriptan", "helped")
    second = submitted_intake(at(4))
    add_treatment(second, "propranolol", "contraindicated")
    add_treatment(second, "metoprolol", "ineffective")
    add_treatment(submitted_intake(at(20)), "propranolol", "ineffective")

    table = selectors.failed_treatment_classes(PERIOD)

    assert table.columns == (
        "class",
        "patients",
        "treatments",
        "not allowed",
        "did not work",
        "not tolerated",
    )
    assert [row[1:] for row in table.rows] == [
        (2, 3, 1, 2, 0),
        (1, 1, 0, 0, 1),
        (1, 1, 0, 1, 0),
    ]
    assert [row[0] for row in table.rows] == [
        "Beta blocker",
        "Antiepileptic",
        "Triptan",
    ]


def test_every_report_runs_on_an_empty_clinic():
    for report in selectors.REPORTS:
        table = report.build(PERIOD)
        assert all(len(row) == len(table.columns) for row in table.rows)


def test_each_referral_counts_once_for_a_step_it_reached_twice():
    # Approved, sent back for review by an amendment, approved again.
    moves = [S.PENDING_REVIEW, S.APPROVED, S.PENDING_REVIEW, S.APPROVED]
    referral(
        submitted_intake(at(3)),
        "ketamine",
        [(status, at(3, 9 + step)) for step, status in enumerate(moves)],
    )

    rows = {row[0]: row[1:] for row in selectors.referral_funnel(PERIOD).rows}

    assert rows["Ketamine infusion"][:10] == (1, 0, 0, 1, 0, 0, 0, 0, 1, 0)


def _written_at(made, moment) -> None:
    """Give a referral, its decision and its events the time ``moment``."""
    Referral.objects.filter(pk=made.pk).update(created=moment)
    RoutingDecision.objects.filter(pk=made.decision_id).update(created=moment)
    made.events.update(at=moment)


def test_rows_routing_wrote_for_the_periods_intakes_count_whenever_written():
    """Reports read only the rows written since the period began (less a margin for
    clocks differing between nodes); the intake's submission decides the period."""
    start, _ = PERIOD.bounds()
    first = submitted_intake(start)  # the period's first moment
    early = referral(
        first, "ketamine", [(S.PENDING_REVIEW, start), (S.APPROVED, start)]
    )
    # Another node's clock an hour behind: written "before" the submission.
    skew = datetime.timedelta(hours=1)
    assert skew < selectors.CLOCK_MARGIN
    _written_at(early, start - skew)
    late = referral(
        submitted_intake(at(15, 23)),
        "ketamine",
        [(S.PENDING_REVIEW, at(25)), (S.APPROVED, at(26))],
    )
    _written_at(late, at(25))  # routed ten days after the period ended

    funnel = {row[0]: row[1:] for row in selectors.referral_funnel(PERIOD).rows}
    outcomes = {row[0]: row[1:] for row in selectors.routing_outcomes(PERIOD).rows}

    assert funnel["Ketamine infusion"][:10] == (2, 0, 0, 2, 0, 0, 0, 0, 2, 0)
    assert outcomes["Ketamine infusion"][0] == 2  # REC
