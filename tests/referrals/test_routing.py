"""Tests of the routing engine against docs/routing.md (rules version 2026.1).

Pure tests: no database and no Django. Every threshold of docs/routing.md sections 2-4
is tested on both sides; the worked examples of section 7 are tested exactly.
"""

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake import codes
from referrals import routing
from referrals.routing import InvalidFacts, derive, route, validate_facts

SERVICES = ("ketamine", "botox", "acupuncture", "massage", "yoga")


def treatment(drug, cls, *, intent="preventive", outcome="ineffective", weeks=None):
    """Build one treatment row."""
    return {
        "drug": drug,
        "class": cls,
        "intent": intent,
        "outcome": outcome,
        "weeks": weeks,
    }


def baseline_facts(**changes):
    """Build the docs/routing.md section 7 baseline, with ``changes`` applied."""
    facts = {
        "age": 38,
        "pregnant": False,
        "postpartum_weeks": None,
        "breastfeeding": False,
        "diagnosis": "migraine_without_aura",
        "lifetime_attacks": 200,
        "onset_age": 16,
        "headache_days_per_month": 6,
        "migraine_days_per_month": 4,
        "months_at_this_frequency": 12,
        "debilitating_days_per_month": 2,
        "debilitating_months": 12,
        "new_or_changed_pattern": False,
        "red_flags": [],
        "phq9": [1, 1, 0, 0, 0, 0, 0, 0, 0],
        "safety_cleared": False,
        "bp_systolic": 122,
        "bp_diastolic": 78,
        "treatments": [
            treatment("sumatriptan", "triptan", intent="acute"),
            treatment("rizatriptan", "triptan", intent="acute"),
        ],
        "acute_use": {"triptan": 4},
        "acute_use_months": 12,
        "moh_plan_documented": False,
        "conditions": [],
        "allergies": [],
        "medications": [],
        "last_botox_weeks_ago": None,
        "interests": [],
    }
    facts.update(changes)
    return facts


def example1_facts(**changes):
    """Build worked example 1: chronic, resistant migraine; every service REC."""
    facts = baseline_facts(
        headache_days_per_month=18,
        migraine_days_per_month=10,
        months_at_this_frequency=7,
        debilitating_days_per_month=11,
        debilitating_months=7,
    )
    facts["treatments"] += [
        treatment("propranolol", "beta_blocker", weeks=16),
        treatment("topiramate", "antiepileptic", outcome="intolerable"),
        treatment("nortriptyline", "antidepressant", weeks=10),
    ]
    facts.update(changes)
    return facts


def with_treatment(facts, drug, **changes):
    """Return ``facts`` with the treatment row of ``drug`` changed."""
    facts = copy.deepcopy(facts)
    for row in facts["treatments"]:
        if row["drug"] == drug:
            row.update(changes)
    return facts


def outcomes(decision):
    """Return {service: outcome} of a decision."""
    return {name: service["outcome"] for name, service in decision["services"].items()}


def reason_codes(decision, service):
    """Return the reason codes of one service, in order."""
    return [reason["code"] for reason in decision["services"][service]["reasons"]]


def reason_text(decision, service, code):
    """Return the text of the one reason ``code`` of ``service``."""
    texts = [
        reason["text"]
        for reason in decision["services"][service]["reasons"]
        if reason["code"] == code
    ]
    assert len(texts) == 1, texts
    return texts[0]


def all_rec():
    """Return the outcomes of a decision recommending every service."""
    return dict.fromkeys(SERVICES, "REC")


def tier_of(global_code):
    """Return the tier of a global reason code."""
    if global_code.startswith("G1_EMERGENCY_"):
        return "emergency"
    if global_code.startswith("G1_URGENT_"):
        return "urgent"
    assert global_code.startswith(("G2_", "G3_"))
    return "same_day"


def assert_well_formed(decision):
    """Assert the docs/routing.md section 5 shape and the precedence rules."""
    assert set(decision) == {"rules_version", "hold", "derived", "services"}
    assert decision["rules_version"] == "2026.1"
    assert set(decision["derived"]) == {
        "chronic_migraine",
        "resistant_migraine",
        "medication_overuse",
        "failed_preventive_drugs",
        "failed_preventive_classes",
        "failed_triptans",
        "phq9_total",
    }
    hold = decision["hold"]
    if hold is not None:
        assert set(hold) == {"tier", "reasons"}
        assert hold["reasons"]
        fired = [tier_of(reason["code"]) for reason in hold["reasons"]]
        assert hold["tier"] == min(fired, key=routing.TIERS.index)
    assert tuple(decision["services"]) == SERVICES
    for service in decision["services"].values():
        assert set(service) == {"outcome", "reasons"}
        levels = set()
        for reason in service["reasons"]:
            assert set(reason) == {"code", "text"}
            assert reason["code"] and reason["text"]
            levels.add(reason["code"].split("_")[1])
        expected = next(
            (lvl for lvl in ("BLOCK", "NE", "FLAG") if lvl in levels), "REC"
        )
        assert service["outcome"] == ("HOLD" if hold else expected)
    json.dumps(decision)


# Worked examples (docs/routing.md section 7) ------------------------------------------


def test_example_1_recommends_every_service_without_reasons():
    decision = route(example1_facts())

    assert decision["hold"] is None
    assert decision["derived"] == {
        "chronic_migraine": True,
        "resistant_migraine": True,
        "medication_overuse": False,
        "failed_preventive_drugs": 3,
        "failed_preventive_classes": 3,
        "failed_triptans": 2,
        "phq9_total": 2,
    }
    assert outcomes(decision) == all_rec()
    assert all(not service["reasons"] for service in decision["services"].values())
    assert_well_formed(decision)


def test_example_2_short_nortriptyline_trial_makes_ketamine_and_botox_not_eligible():
    facts = with_treatment(example1_facts(), "nortriptyline", weeks=4)

    decision = route(facts)

    assert decision["hold"] is None
    assert decision["derived"]["failed_preventive_classes"] == 2
    assert decision["derived"]["failed_preventive_drugs"] == 2
    assert outcomes(decision) == {**all_rec(), "ketamine": "NE", "botox": "NE"}
    assert decision["services"]["ketamine"]["reasons"] == [
        {"code": "K_NE_CLASSES", "text": "Failed preventive classes 2 < 3"},
        {
            "code": "K_FLAG_INADEQUATE_TRIAL",
            "text": "Inadequate trial: nortriptyline ineffective after 4 weeks (< 8)",
        },
    ]
    assert reason_codes(decision, "botox") == [
        "B_NE_PREVENTIVE_DRUGS",
        "B_FLAG_INADEQUATE_TRIAL",
    ]
    text = reason_text(decision, "botox", "B_NE_PREVENTIVE_DRUGS")
    assert text == "Failed preventive drugs 2 < 3"
    assert "nortriptyline" in reason_text(decision, "botox", "B_FLAG_INADEQUATE_TRIAL")


def test_example_3_positive_item_9_holds_every_service_same_day():
    facts = example1_facts(phq9=[2, 2, 2, 1, 1, 1, 0, 1, 2])

    decision = route(facts)

    assert decision["derived"]["phq9_total"] == 12
    assert decision["hold"] == {
        "tier": "same_day",
        "reasons": [
            {
                "code": "G2_PHQ9_ITEM9",
                "text": "Same-day safety review: PHQ-9 item 9 = 2",
            }
        ],
    }
    assert outcomes(decision) == dict.fromkeys(SERVICES, "HOLD")
    assert_well_formed(decision)


def test_example_3_once_cleared_flags_ketamine_and_recommends_the_rest():
    facts = example1_facts(phq9=[2, 2, 2, 1, 1, 1, 0, 1, 2], safety_cleared=True)

    decision = route(facts)

    assert decision["hold"] is None
    assert outcomes(decision) == {**all_rec(), "ketamine": "FLAG"}
    assert reason_codes(decision, "ketamine") == ["K_FLAG_SAFETY_CLEARED"]
    text = reason_text(decision, "ketamine", "K_FLAG_SAFETY_CLEARED")
    assert "item 9 was positive; cleared" in text


# Derived values and their thresholds (docs/routing.md section 2) ----------------------


@pytest.mark.parametrize(
    ("changes", "chronic", "unmet_code"),
    [
        ({"headache_days_per_month": 14}, False, "B_NE_CHRONIC_HEADACHE_DAYS"),
        ({"headache_days_per_month": 15}, True, None),
        ({"migraine_days_per_month": 7}, False, "B_NE_CHRONIC_MIGRAINE_DAYS"),
        ({"migraine_days_per_month": 8}, True, None),
        ({"months_at_this_frequency": 3}, False, "B_NE_CHRONIC_MONTHS"),
        ({"months_at_this_frequency": 4}, True, None),
        ({"lifetime_attacks": 4}, False, "B_NE_CHRONIC_ATTACKS"),
        ({"lifetime_attacks": 5}, True, None),
    ],
)
def test_chronic_migraine_threshold_decides_botox_eligibility(
    changes, chronic, unmet_code
):
    decision = route(example1_facts(**changes))

    assert decision["derived"]["chronic_migraine"] is chronic
    assert decision["services"]["botox"]["outcome"] == ("REC" if chronic else "NE")
    expected_codes = [] if chronic else [unmet_code]
    assert reason_codes(decision, "botox") == expected_codes


def test_each_unmet_part_of_chronic_migraine_gets_its_own_reason():
    facts = example1_facts(
        headache_days_per_month=3,
        migraine_days_per_month=2,
        months_at_this_frequency=3,
        lifetime_attacks=4,
    )

    decision = route(facts)

    assert reason_codes(decision, "botox") == [
        "B_NE_CHRONIC_HEADACHE_DAYS",
        "B_NE_CHRONIC_MIGRAINE_DAYS",
        "B_NE_CHRONIC_MONTHS",
        "B_NE_CHRONIC_ATTACKS",
    ]
    text = reason_text(decision, "botox", "B_NE_CHRONIC_HEADACHE_DAYS")
    assert "3 < 15" in text
    assert "3" in reason_text(decision, "botox", "B_NE_CHRONIC_MONTHS")


def _two_beta_blockers():
    """Example 1 with nortriptyline replaced: three failed drugs in two classes."""
    facts = example1_facts()
    facts["treatments"][-1] = treatment("metoprolol", "beta_blocker", weeks=10)
    return facts


def _one_triptan():
    """Example 1 with only sumatriptan failed."""
    facts = example1_facts()
    facts["treatments"] = [t for t in facts["treatments"] if t["drug"] != "rizatriptan"]
    return facts


@pytest.mark.parametrize(
    ("facts", "resistant", "unmet_code"),
    [
        (_two_beta_blockers(), False, "K_NE_CLASSES"),
        (example1_facts(), True, None),
        (
            example1_facts(debilitating_days_per_month=7),
            False,
            "K_NE_DEBILITATING_DAYS",
        ),
        (example1_facts(debilitating_days_per_month=8), True, None),
        (example1_facts(debilitating_months=2), False, "K_NE_DEBILITATING_MONTHS"),
        (example1_facts(debilitating_months=3), True, None),
        (_one_triptan(), False, "K_NE_TRIPTANS"),
    ],
    ids=[
        "classes-2",
        "classes-3",
        "debilitating-days-7",
        "debilitating-days-8",
        "debilitating-months-2",
        "debilitating-months-3",
        "triptans-1",
    ],
)
def test_resistant_migraine_threshold_decides_ketamine_eligibility(
    facts, resistant, unmet_code
):
    decision = route(facts)

    assert decision["derived"]["resistant_migraine"] is resistant
    assert decision["services"]["ketamine"]["outcome"] == ("REC" if resistant else "NE")
    assert reason_codes(decision, "ketamine") == ([] if resistant else [unmet_code])


def test_two_failed_triptans_qualify_for_resistant_migraine():
    decision = route(example1_facts())

    assert decision["derived"]["failed_triptans"] == 2
    assert decision["derived"]["resistant_migraine"] is True


def test_three_failed_drugs_in_two_classes_keep_botox_but_not_ketamine():
    decision = route(_two_beta_blockers())

    assert decision["derived"]["failed_preventive_drugs"] == 3
    assert decision["derived"]["failed_preventive_classes"] == 2
    assert outcomes(decision) == {**all_rec(), "ketamine": "NE"}
    assert reason_text(decision, "ketamine", "K_NE_CLASSES") == (
        "Failed preventive classes 2 < 3"
    )


def test_each_unmet_part_of_resistant_migraine_gets_its_own_reason():
    facts = _one_triptan()
    facts = with_treatment(facts, "nortriptyline", weeks=4)
    facts.update(debilitating_days_per_month=7, debilitating_months=2)

    decision = route(facts)

    assert reason_codes(decision, "ketamine") == [
        "K_NE_CLASSES",
        "K_NE_DEBILITATING_DAYS",
        "K_NE_DEBILITATING_MONTHS",
        "K_NE_TRIPTANS",
        "K_FLAG_INADEQUATE_TRIAL",
    ]
    assert reason_text(decision, "ketamine", "K_NE_DEBILITATING_DAYS") == (
        "Debilitating days per month 7 < 8"
    )
    assert reason_text(decision, "ketamine", "K_NE_DEBILITATING_MONTHS") == (
        "Debilitating months 2 < 3"
    )
    assert reason_text(decision, "ketamine", "K_NE_TRIPTANS") == "Failed triptans 1 < 2"


@pytest.mark.parametrize(
    ("weeks", "failed", "flag_text"),
    [
        (7, False, "Inadequate trial: nortriptyline ineffective after 7 weeks (< 8)"),
        (8, True, None),
        (
            None,
            False,
            "Inadequate trial: nortriptyline ineffective, weeks at target dose unknown "
            "(needs 8)",
        ),
    ],
)
def test_ineffective_preventive_fails_only_after_eight_weeks(weeks, failed, flag_text):
    facts = with_treatment(example1_facts(), "nortriptyline", weeks=weeks)

    decision = route(facts)

    assert decision["derived"]["failed_preventive_classes"] == (3 if failed else 2)
    assert decision["derived"]["failed_preventive_drugs"] == (3 if failed else 2)
    for service, prefix in (("ketamine", "K"), ("botox", "B")):
        code = f"{prefix}_FLAG_INADEQUATE_TRIAL"
        if failed:
            assert code not in reason_codes(decision, service)
        else:
            assert reason_text(decision, service, code) == flag_text


@pytest.mark.parametrize(("weeks", "failed"), [(23, False), (24, True)])
def test_ineffective_onabotulinumtoxina_fails_only_after_24_weeks(weeks, failed):
    facts = example1_facts()
    facts["treatments"][-1] = treatment("onabotulinumtoxinA", "onabotulinumtoxina")
    facts["treatments"][-1]["weeks"] = weeks

    decision = route(facts)

    assert decision["derived"]["failed_preventive_classes"] == (3 if failed else 2)
    assert decision["derived"]["resistant_migraine"] is failed
    # NICE counts medicines tried before Botox: Botox itself is never a failed drug.
    assert decision["derived"]["failed_preventive_drugs"] == 2
    if failed:
        assert "K_FLAG_INADEQUATE_TRIAL" not in reason_codes(decision, "ketamine")
    else:
        text = reason_text(decision, "ketamine", "K_FLAG_INADEQUATE_TRIAL")
        assert text == (
            "Inadequate trial: onabotulinumtoxinA ineffective after 23 weeks (< 24)"
        )


@pytest.mark.parametrize("outcome", ["intolerable", "contraindicated"])
def test_intolerable_or_contraindicated_preventive_fails_whatever_the_weeks(outcome):
    facts = with_treatment(example1_facts(), "nortriptyline", outcome=outcome, weeks=0)

    assert derive(facts)["failed_preventive_classes"] == 3


@pytest.mark.parametrize("outcome", ["helped", "ongoing"])
def test_helpful_or_ongoing_preventive_is_neither_failed_nor_inadequate(outcome):
    facts = with_treatment(example1_facts(), "nortriptyline", outcome=outcome, weeks=2)

    decision = route(facts)

    assert decision["derived"]["failed_preventive_classes"] == 2
    assert reason_codes(decision, "ketamine") == ["K_NE_CLASSES"]


def test_non_drug_treatment_never_counts_as_a_failed_preventive():
    facts = _two_beta_blockers()
    facts["treatments"].append(
        treatment("acupuncture", "non_drug", outcome="intolerable", weeks=12)
    )
    facts["treatments"].append(treatment("psychotherapy", "non_drug", weeks=2))

    decision = route(facts)

    assert decision["derived"]["failed_preventive_classes"] == 2
    assert decision["derived"]["failed_preventive_drugs"] == 3
    assert "K_FLAG_INADEQUATE_TRIAL" not in reason_codes(decision, "ketamine")


def test_acute_intent_treatment_never_counts_as_a_failed_preventive():
    facts = _two_beta_blockers()
    facts["treatments"].append(
        treatment("candesartan", "ace_arb", intent="acute", outcome="intolerable")
    )

    assert derive(facts)["failed_preventive_classes"] == 2


def test_failed_drugs_are_counted_once_whatever_their_case_and_spacing():
    facts = example1_facts()
    facts["treatments"] += [
        treatment(" Propranolol ", "beta_blocker", outcome="intolerable"),
        treatment("SUMATRIPTAN", "triptan", intent="acute", outcome="intolerable"),
    ]

    derived = derive(facts)

    assert derived["failed_preventive_drugs"] == 3
    assert derived["failed_triptans"] == 2


def test_failed_triptans_need_no_minimum_weeks():
    facts = example1_facts()
    facts["treatments"][0]["weeks"] = 0

    assert derive(facts)["failed_triptans"] == 2


@pytest.mark.parametrize("outcome", ["helped", "ongoing"])
def test_helpful_triptan_is_not_a_failed_triptan(outcome):
    facts = with_treatment(example1_facts(), "rizatriptan", outcome=outcome)

    assert derive(facts)["failed_triptans"] == 1


def test_preventive_gepant_counts_in_the_cgrp_pathway_class():
    facts = _two_beta_blockers()
    facts["treatments"] += [
        treatment("atogepant", "cgrp_pathway", outcome="intolerable"),
        treatment("rimegepant", "gepant", outcome="intolerable"),
    ]

    derived = derive(facts)

    assert derived["failed_preventive_drugs"] == 5
    assert derived["failed_preventive_classes"] == 3


def test_inadequate_trial_of_a_drug_that_failed_on_another_row_is_not_flagged():
    facts = example1_facts()
    facts["treatments"].append(treatment("Nortriptyline", "antidepressant", weeks=3))

    decision = route(facts)

    assert outcomes(decision) == all_rec()


def test_each_inadequate_trial_is_named_once():
    facts = _two_beta_blockers()
    facts["treatments"] += [
        treatment("venlafaxine", "antidepressant", weeks=3),
        treatment("Venlafaxine", "antidepressant", weeks=5),
        treatment("candesartan", "ace_arb", weeks=None),
    ]

    decision = route(facts)

    texts = [
        reason["text"]
        for reason in decision["services"]["ketamine"]["reasons"]
        if reason["code"] == "K_FLAG_INADEQUATE_TRIAL"
    ]
    assert len(texts) == 2
    assert "venlafaxine ineffective after 3 weeks" in texts[0]
    assert "candesartan" in texts[1]


# Medication overuse (ICHD-3 8.2) ------------------------------------------------------


def overuse_facts(acute_use, **changes):
    """Build example 1 with a level of acute use held for 4 months."""
    return example1_facts(acute_use=acute_use, acute_use_months=4, **changes)


@pytest.mark.parametrize(
    ("facts", "overuse"),
    [
        (overuse_facts({"simple_analgesic": 15}, headache_days_per_month=14), False),
        (overuse_facts({"simple_analgesic": 15}, headache_days_per_month=15), True),
        (example1_facts(acute_use={"triptan": 12}, acute_use_months=3), False),
        (example1_facts(acute_use={"triptan": 12}, acute_use_months=4), True),
        (overuse_facts({"simple_analgesic": 14}), False),
        (overuse_facts({"simple_analgesic": 15}), True),
        (overuse_facts({"triptan": 9}), False),
        (overuse_facts({"triptan": 10}), True),
        (overuse_facts({"ergot": 9}), False),
        (overuse_facts({"ergot": 10}), True),
        (overuse_facts({"opioid": 9}), False),
        (overuse_facts({"opioid": 10}), True),
        (overuse_facts({"combination_analgesic": 9}), False),
        (overuse_facts({"combination_analgesic": 10}), True),
        (overuse_facts({"ditan": 9}), False),
        (overuse_facts({"ditan": 10}), True),
        (overuse_facts({"gepant": 9}), False),
        (overuse_facts({"gepant": 10}), True),
        (overuse_facts({"triptan": 5, "simple_analgesic": 4}), False),
        (overuse_facts({"triptan": 5, "simple_analgesic": 5}), True),
        (overuse_facts({"opioid": 3, "gepant": 3, "ditan": 3}), False),
        (overuse_facts({"opioid": 4, "gepant": 3, "ditan": 3}), True),
        (overuse_facts({"triptan": 9, "antiemetic": 1}), False),
        (overuse_facts({"antiemetic": 31}), False),
        (overuse_facts({}), False),
    ],
    ids=[
        "headache-days-14",
        "headache-days-15",
        "acute-months-3",
        "acute-months-4",
        "simple-analgesic-14",
        "simple-analgesic-15",
        "triptan-9",
        "triptan-10",
        "ergot-9",
        "ergot-10",
        "opioid-9",
        "opioid-10",
        "combination-9",
        "combination-10",
        "ditan-9",
        "ditan-10",
        "gepant-9",
        "gepant-10",
        "two-classes-sum-9",
        "two-classes-sum-10",
        "three-classes-sum-9",
        "three-classes-sum-10",
        "antiemetic-never-counts-in-combination",
        "antiemetic-never-counts-alone",
        "no-acute-use",
    ],
)
def test_medication_overuse_threshold(facts, overuse):
    decision = route(facts)

    assert decision["derived"]["medication_overuse"] is overuse
    flagged = "K_FLAG_MEDICATION_OVERUSE" in reason_codes(decision, "ketamine")
    assert flagged is overuse
    assert ("B_NE_MOH_UNMANAGED" in reason_codes(decision, "botox")) is overuse


def test_medication_overuse_without_a_plan_makes_botox_not_eligible():
    decision = route(overuse_facts({"triptan": 12}))

    assert outcomes(decision) == {**all_rec(), "ketamine": "FLAG", "botox": "NE"}
    assert reason_codes(decision, "botox") == ["B_NE_MOH_UNMANAGED"]
    assert reason_text(decision, "botox", "B_NE_MOH_UNMANAGED").startswith(
        "Medication overuse not yet managed"
    )


def test_medication_overuse_with_a_documented_plan_keeps_botox_recommended():
    decision = route(overuse_facts({"triptan": 12}, moh_plan_documented=True))

    assert outcomes(decision) == {**all_rec(), "ketamine": "FLAG"}
    assert reason_codes(decision, "ketamine") == ["K_FLAG_MEDICATION_OVERUSE"]


# Global rules (docs/routing.md section 3) ---------------------------------------------


@pytest.mark.parametrize(
    ("changes", "tier", "code"),
    [
        ({"age": 60, "onset_age": 49}, None, None),
        ({"age": 60, "onset_age": 50}, "urgent", "G1_URGENT_ONSET_AGE"),
        ({"new_or_changed_pattern": False}, None, None),
        (
            {"new_or_changed_pattern": True},
            "urgent",
            "G1_URGENT_NEW_OR_CHANGED_PATTERN",
        ),
        ({"phq9": [1, 1, 0, 0, 0, 0, 0, 0, 0]}, None, None),
        ({"phq9": [1, 1, 0, 0, 0, 0, 0, 0, 1]}, "same_day", "G2_PHQ9_ITEM9"),
        ({"phq9": [0, 0, 0, 0, 0, 0, 0, 0, 3], "safety_cleared": True}, None, None),
        ({"phq9": None}, None, None),
        ({"bp_systolic": 179}, None, None),
        ({"bp_systolic": 180}, "same_day", "G3_SEVERE_BP"),
        ({"bp_diastolic": 119}, None, None),
        ({"bp_diastolic": 120}, "same_day", "G3_SEVERE_BP"),
        ({"bp_systolic": None, "bp_diastolic": 120}, "same_day", "G3_SEVERE_BP"),
        ({"bp_systolic": 180, "bp_diastolic": None}, "same_day", "G3_SEVERE_BP"),
    ],
    ids=[
        "onset-49",
        "onset-50",
        "pattern-unchanged",
        "pattern-new",
        "item9-0",
        "item9-1",
        "item9-3-cleared",
        "phq9-missing",
        "systolic-179",
        "systolic-180",
        "diastolic-119",
        "diastolic-120",
        "diastolic-120-systolic-missing",
        "systolic-180-diastolic-missing",
    ],
)
def test_global_rule_threshold_decides_hold(changes, tier, code):
    decision = route(example1_facts(**changes))

    if tier is None:
        assert decision["hold"] is None
        assert "HOLD" not in outcomes(decision).values()
    else:
        assert decision["hold"]["tier"] == tier
        assert [r["code"] for r in decision["hold"]["reasons"]] == [code]
        assert outcomes(decision) == dict.fromkeys(SERVICES, "HOLD")
    assert_well_formed(decision)


def test_global_reason_texts_tell_the_physician_what_to_do_with_the_numbers():
    facts = example1_facts(
        age=60,
        onset_age=52,
        red_flags=["thunderclap"],
        phq9=[0, 0, 0, 0, 0, 0, 0, 0, 1],
        bp_systolic=185,
        bp_diastolic=95,
    )

    texts = {r["code"]: r["text"] for r in route(facts)["hold"]["reasons"]}

    assert texts["G1_EMERGENCY_THUNDERCLAP"].startswith(
        "Advise emergency department now"
    )
    assert texts["G1_URGENT_ONSET_AGE"].startswith(
        "Physician review within 24 h; no routine referral"
    )
    assert "52 >= 50" in texts["G1_URGENT_ONSET_AGE"]
    assert texts["G2_PHQ9_ITEM9"] == "Same-day safety review: PHQ-9 item 9 = 1"
    assert texts["G3_SEVERE_BP"].startswith("Severe hypertension: same-day physician")
    assert "185/95" in texts["G3_SEVERE_BP"]


def test_most_urgent_tier_wins_and_every_global_reason_is_kept_in_table_order():
    facts = example1_facts(
        red_flags=["progressive", "seizure", "thunderclap"],
        new_or_changed_pattern=True,
        phq9=[0, 0, 0, 0, 0, 0, 0, 0, 2],
        bp_diastolic=125,
    )

    hold = route(facts)["hold"]

    assert hold["tier"] == "emergency"
    assert [r["code"] for r in hold["reasons"]] == [
        "G1_EMERGENCY_THUNDERCLAP",
        "G1_EMERGENCY_SEIZURE",
        "G1_URGENT_PROGRESSIVE",
        "G1_URGENT_NEW_OR_CHANGED_PATTERN",
        "G2_PHQ9_ITEM9",
        "G3_SEVERE_BP",
    ]


def test_urgent_tier_beats_same_day():
    facts = example1_facts(new_or_changed_pattern=True, bp_systolic=200)

    assert route(facts)["hold"]["tier"] == "urgent"


def test_under_hold_each_service_still_lists_its_own_reasons():
    facts = example1_facts(
        phq9=[3, 3, 3, 3, 3, 0, 0, 0, 1], pregnant=True, bp_systolic=190
    )

    decision = route(facts)

    assert outcomes(decision) == dict.fromkeys(SERVICES, "HOLD")
    assert reason_codes(decision, "ketamine") == [
        "K_BLOCK_PREGNANT",
        "K_BLOCK_BP",
        "K_FLAG_PHQ9_HIGH",
    ]
    assert reason_codes(decision, "botox") == ["B_BLOCK_PREGNANT"]
    assert reason_codes(decision, "yoga") == ["Y_FLAG_BP", "Y_FLAG_PREGNANT"]


@pytest.mark.parametrize("red_flag", [code for code, _ in codes.RED_FLAGS])
def test_every_red_flag_holds_every_service_at_its_tier(red_flag):
    emergency = {
        "thunderclap",
        "neuro_deficit",
        "reduced_consciousness",
        "seizure",
        "fever_neck_stiffness",
    }
    tier = "emergency" if red_flag in emergency else "urgent"

    decision = route(example1_facts(red_flags=[red_flag]))

    assert decision["hold"]["tier"] == tier
    assert decision["hold"]["reasons"][0]["code"] == (
        f"G1_{tier.upper()}_{red_flag.upper()}"
    )
    words = red_flag.replace("_", " ")  # a physician reads words, not codes
    assert decision["hold"]["reasons"][0]["text"].endswith(f"(red flag: {words})")
    assert outcomes(decision) == dict.fromkeys(SERVICES, "HOLD")
    assert all(not s["reasons"] for s in decision["services"].values())


# Age ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("age", "adult"), [(17, False), (18, True)])
def test_the_clinic_treats_adults_only(age, adult):
    decision = route(example1_facts(age=age))

    assert decision["hold"] is None
    if adult:
        assert outcomes(decision) == all_rec()
    else:
        assert outcomes(decision) == dict.fromkeys(SERVICES, "NE")
        for service in SERVICES:
            (reason,) = decision["services"][service]["reasons"]
            assert reason["code"].endswith("_NE_ADULTS_ONLY")
            assert reason["text"].startswith("The clinic treats adults only")


def test_a_minor_with_a_red_flag_is_still_held():
    decision = route(example1_facts(age=16, onset_age=10, red_flags=["seizure"]))

    assert decision["hold"]["tier"] == "emergency"
    assert outcomes(decision) == dict.fromkeys(SERVICES, "HOLD")
    assert reason_codes(decision, "yoga") == ["Y_NE_ADULTS_ONLY"]


def test_a_pregnant_minor_is_blocked_from_ketamine_because_block_beats_ne():
    decision = route(example1_facts(age=17, pregnant=True))

    assert decision["services"]["ketamine"]["outcome"] == "BLOCK"
    assert reason_codes(decision, "ketamine") == [
        "K_NE_ADULTS_ONLY",
        "K_BLOCK_PREGNANT",
    ]


@pytest.mark.parametrize(("age", "flagged"), [(64, False), (65, True)])
def test_yoga_is_flagged_from_age_65(age, flagged):
    decision = route(example1_facts(age=age))

    assert decision["services"]["yoga"]["outcome"] == ("FLAG" if flagged else "REC")
    assert reason_codes(decision, "yoga") == (["Y_FLAG_AGE"] if flagged else [])


# Blood pressure per service -----------------------------------------------------------


@pytest.mark.parametrize(
    ("systolic", "diastolic", "ketamine", "codes_"),
    [
        (139, 78, "REC", []),
        (140, 78, "FLAG", ["K_FLAG_BP_RAISED"]),
        (179, 78, "FLAG", ["K_FLAG_BP_RAISED"]),
        (122, 89, "REC", []),
        (122, 90, "FLAG", ["K_FLAG_BP_RAISED"]),
        (122, 99, "FLAG", ["K_FLAG_BP_RAISED"]),
        (122, 100, "BLOCK", ["K_BLOCK_BP"]),
        (150, 105, "BLOCK", ["K_BLOCK_BP", "K_FLAG_BP_RAISED"]),
        (180, 78, "HOLD", ["K_BLOCK_BP"]),
        (None, None, "FLAG", ["K_FLAG_BP_NOT_RECORDED"]),
        (122, None, "FLAG", ["K_FLAG_BP_NOT_RECORDED"]),
        (None, 95, "FLAG", ["K_FLAG_BP_RAISED", "K_FLAG_BP_NOT_RECORDED"]),
    ],
)
def test_ketamine_blood_pressure_thresholds(systolic, diastolic, ketamine, codes_):
    decision = route(example1_facts(bp_systolic=systolic, bp_diastolic=diastolic))

    assert decision["services"]["ketamine"]["outcome"] == ketamine
    assert reason_codes(decision, "ketamine") == codes_


def test_ketamine_blood_pressure_reasons_show_the_reading():
    decision = route(example1_facts(bp_systolic=150, bp_diastolic=105))

    assert "150/105" in reason_text(decision, "ketamine", "K_BLOCK_BP")
    text = reason_text(decision, "ketamine", "K_FLAG_BP_RAISED")
    assert "ketamine raises blood pressure; recheck" in text


@pytest.mark.parametrize(
    ("systolic", "diastolic", "flagged"),
    [(139, 89, False), (140, 78, True), (122, 90, True), (None, None, False)],
)
def test_yoga_flags_no_inversions_from_140_over_90(systolic, diastolic, flagged):
    decision = route(example1_facts(bp_systolic=systolic, bp_diastolic=diastolic))

    assert decision["services"]["yoga"]["outcome"] == ("FLAG" if flagged else "REC")
    if flagged:
        assert "no inversions" in reason_text(decision, "yoga", "Y_FLAG_BP")


# PHQ-9 and Botox timing ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("phq9", "total", "codes_"),
    [
        ([2, 2, 2, 2, 2, 2, 1, 1, 0], 14, []),
        ([2, 2, 2, 2, 2, 2, 2, 1, 0], 15, ["K_FLAG_PHQ9_HIGH"]),
        (None, None, ["K_FLAG_PHQ9_MISSING"]),
    ],
)
def test_ketamine_phq9_flags(phq9, total, codes_):
    decision = route(example1_facts(phq9=phq9))

    assert decision["derived"]["phq9_total"] == total
    assert reason_codes(decision, "ketamine") == codes_
    assert decision["services"]["ketamine"]["outcome"] == ("FLAG" if codes_ else "REC")


def test_high_phq9_flag_names_the_total_and_co_management():
    decision = route(example1_facts(phq9=[3, 3, 3, 3, 3, 3, 0, 0, 0]))

    text = reason_text(decision, "ketamine", "K_FLAG_PHQ9_HIGH")
    assert "18" in text
    assert "mental-health co-management" in text


@pytest.mark.parametrize(
    ("weeks", "flagged"), [(11, True), (12, False), (0, True), (None, False)]
)
def test_botox_is_flagged_when_last_treatment_was_under_12_weeks_ago(weeks, flagged):
    decision = route(example1_facts(last_botox_weeks_ago=weeks))

    assert decision["services"]["botox"]["outcome"] == ("FLAG" if flagged else "REC")
    assert reason_codes(decision, "botox") == (
        ["B_FLAG_RECENT_BOTOX"] if flagged else []
    )


# Every code of sections 1 and 6 -------------------------------------------------------

CONDITION_EFFECTS = {
    "psychosis": {"ketamine": "BLOCK"},
    "bipolar": {"ketamine": "FLAG"},
    "substance_use_active": {"ketamine": "BLOCK"},
    "substance_use_remission": {"ketamine": "FLAG"},
    "alcohol_misuse": {"ketamine": "FLAG"},
    "severe_hepatic": {"ketamine": "BLOCK"},
    "moderate_hepatic": {"ketamine": "FLAG"},
    "raised_icp": {"ketamine": "BLOCK"},
    "raised_iop": {"ketamine": "BLOCK", "yoga": "FLAG"},
    "glaucoma": {"ketamine": "FLAG", "yoga": "FLAG"},
    "cv_unstable": {"ketamine": "BLOCK"},
    "cv_stable": {"ketamine": "FLAG"},
    "hyperthyroid_untreated": {"ketamine": "BLOCK"},
    "bleeding_disorder": {"acupuncture": "BLOCK", "massage": "FLAG"},
    "low_platelets": {"massage": "FLAG"},
    "dvt": {"massage": "BLOCK"},
    "fever_infection": {"massage": "BLOCK"},
    "recent_surgery": {"massage": "FLAG", "yoga": "FLAG"},
    "fracture_osteoporosis": {"massage": "FLAG"},
    "skin_infection": {"botox": "BLOCK", "acupuncture": "FLAG", "massage": "FLAG"},
    "cancer": {"massage": "FLAG"},
    "retinal_detachment": {"yoga": "FLAG"},
    "vertigo": {"yoga": "FLAG"},
    "cervical_spine": {"yoga": "FLAG"},
    "neuromuscular": {"botox": "FLAG"},
    "immunosuppressed": {"acupuncture": "FLAG"},
    "heart_valve": {"acupuncture": "FLAG"},
    "needle_phobia": {"acupuncture": "FLAG"},
    "pacemaker": {"acupuncture": "FLAG"},
}


@pytest.mark.parametrize("condition", [code for code, _ in codes.CONDITIONS])
def test_every_condition_sets_the_expected_outcome_per_service(condition):
    expected = {**all_rec(), **CONDITION_EFFECTS[condition]}

    decision = route(example1_facts(conditions=[condition]))

    assert decision["hold"] is None
    assert outcomes(decision) == expected
    for service, outcome in expected.items():
        service_codes = reason_codes(decision, service)
        if outcome == "REC":
            assert service_codes == []
        else:
            assert service_codes == [
                f"{service[0].upper()}_{outcome}_{condition.upper()}"
            ]


def test_every_condition_code_has_an_expected_effect_row():
    assert set(CONDITION_EFFECTS) == codes.codes(codes.CONDITIONS)


@pytest.mark.parametrize(
    ("changes", "effects", "service_codes"),
    [
        ({"allergies": ["ketamine"]}, {"ketamine": "BLOCK"}, ["K_BLOCK_ALLERGY"]),
        ({"allergies": ["botulinum_toxin"]}, {"botox": "BLOCK"}, ["B_BLOCK_ALLERGY"]),
        (
            {"medications": ["anticoagulant"]},
            {"acupuncture": "FLAG", "massage": "FLAG"},
            ["A_FLAG_ANTICOAGULANT", "M_FLAG_ANTICOAGULANT"],
        ),
        (
            {"medications": ["antiplatelet"]},
            {"acupuncture": "FLAG"},
            ["A_FLAG_ANTIPLATELET"],
        ),
        (
            {"pregnant": True},
            {
                "ketamine": "BLOCK",
                "botox": "BLOCK",
                "acupuncture": "FLAG",
                "massage": "FLAG",
                "yoga": "FLAG",
            },
            [
                "K_BLOCK_PREGNANT",
                "B_BLOCK_PREGNANT",
                "A_FLAG_PREGNANT",
                "M_FLAG_PREGNANT",
                "Y_FLAG_PREGNANT",
            ],
        ),
        (
            {"breastfeeding": True},
            {"ketamine": "FLAG", "botox": "FLAG"},
            ["K_FLAG_BREASTFEEDING", "B_FLAG_BREASTFEEDING"],
        ),
        ({"postpartum_weeks": 6}, {}, []),
        ({"interests": [code for code, _ in codes.SERVICES]}, {}, []),
    ],
    ids=[
        "allergy-ketamine",
        "allergy-botulinum-toxin",
        "anticoagulant",
        "antiplatelet",
        "pregnant",
        "breastfeeding",
        "postpartum",
        "interests-never-change-outcomes",
    ],
)
def test_allergies_medications_and_pregnancy_set_the_expected_outcomes(
    changes, effects, service_codes
):
    decision = route(example1_facts(**changes))

    assert outcomes(decision) == {**all_rec(), **effects}
    fired = [code for service in SERVICES for code in reason_codes(decision, service)]
    assert fired == service_codes


@pytest.mark.parametrize(
    ("diagnosis", "effects"),
    [
        ("migraine_without_aura", {}),
        ("migraine_with_aura", {}),
        (
            "other_primary_headache",
            {"ketamine": "NE", "botox": "NE", "acupuncture": "NE"},
        ),
        (
            "unknown",
            {"ketamine": "NE", "botox": "NE", "acupuncture": "NE", "massage": "NE"},
        ),
    ],
)
def test_diagnosis_decides_which_services_are_eligible(diagnosis, effects):
    decision = route(example1_facts(diagnosis=diagnosis))

    assert outcomes(decision) == {**all_rec(), **effects}
    assert decision["derived"]["chronic_migraine"] is not bool(effects)
    assert decision["derived"]["resistant_migraine"] is not bool(effects)
    if effects:
        assert reason_codes(decision, "ketamine") == ["K_NE_NOT_MIGRAINE"]
        assert reason_codes(decision, "botox") == ["B_NE_NOT_MIGRAINE"]
        assert reason_codes(decision, "acupuncture") == ["A_NE_NOT_MIGRAINE"]
        text = reason_text(decision, "acupuncture", "A_NE_NOT_MIGRAINE")
        assert text.startswith("Not a migraine diagnosis")


def test_ketamine_lists_every_reason_in_ne_block_flag_order():
    facts = with_treatment(_one_triptan(), "nortriptyline", weeks=None)
    facts.update(
        conditions=["bipolar", "psychosis", "cv_stable"],
        allergies=["ketamine"],
        pregnant=True,
        breastfeeding=True,
        safety_cleared=True,
        bp_systolic=None,
        acute_use={"opioid": 12},
        acute_use_months=6,
    )

    decision = route(facts)

    assert decision["services"]["ketamine"]["outcome"] == "BLOCK"
    assert reason_codes(decision, "ketamine") == [
        "K_NE_CLASSES",
        "K_NE_TRIPTANS",
        "K_BLOCK_PREGNANT",
        "K_BLOCK_ALLERGY",
        "K_BLOCK_PSYCHOSIS",
        "K_FLAG_BP_NOT_RECORDED",
        "K_FLAG_CV_STABLE",
        "K_FLAG_BIPOLAR",
        "K_FLAG_BREASTFEEDING",
        "K_FLAG_SAFETY_CLEARED",
        "K_FLAG_MEDICATION_OVERUSE",
        "K_FLAG_INADEQUATE_TRIAL",
    ]


def test_not_eligible_beats_flag():
    facts = example1_facts(debilitating_months=1, breastfeeding=True)

    decision = route(facts)

    assert decision["services"]["ketamine"]["outcome"] == "NE"
    assert reason_codes(decision, "ketamine") == [
        "K_NE_DEBILITATING_MONTHS",
        "K_FLAG_BREASTFEEDING",
    ]


def test_reason_order_does_not_depend_on_input_order():
    first = route(example1_facts(conditions=["vertigo", "glaucoma", "cervical_spine"]))
    second = route(example1_facts(conditions=["cervical_spine", "vertigo", "glaucoma"]))

    assert first == second
    assert reason_codes(first, "yoga") == [
        "Y_FLAG_GLAUCOMA",
        "Y_FLAG_VERTIGO",
        "Y_FLAG_CERVICAL_SPINE",
    ]


def test_route_does_not_change_the_facts_it_is_given():
    facts = example1_facts(conditions=["vertigo"])
    before = copy.deepcopy(facts)

    route(facts)

    assert facts == before


def test_service_codes_and_tiers_match_the_shared_vocabulary():
    service_codes = tuple(code for code, _ in codes.SERVICES)
    assert service_codes == routing.SERVICE_CODES == SERVICES
    assert list(routing.TIERS) == ["emergency", "urgent", "same_day"]
    assert route(example1_facts())["rules_version"] == routing.RULES_VERSION


# Validation ---------------------------------------------------------------------------


def test_valid_baseline_has_no_errors():
    assert validate_facts(baseline_facts()) == {}


@pytest.mark.parametrize("value", [None, [], "facts", 3, True, [("age", 38)]])
def test_non_object_facts_are_rejected(value):
    with pytest.raises(InvalidFacts) as raised:
        route(value)

    assert set(raised.value.errors) == {"facts"}


@pytest.mark.parametrize("key", sorted(baseline_facts()))
def test_every_missing_key_is_named(key):
    facts = baseline_facts()
    del facts[key]

    with pytest.raises(InvalidFacts) as raised:
        route(facts)

    assert raised.value.errors == {key: "required"}
    assert key in str(raised.value)


def test_unknown_top_level_key_is_rejected():
    with pytest.raises(InvalidFacts) as raised:
        route(baseline_facts(weight_kg=70))

    assert raised.value.errors == {"weight_kg": "unknown key"}


@pytest.mark.parametrize(
    ("changes", "error_key"),
    [
        ({"age": True}, "age"),
        ({"age": 38.0}, "age"),
        ({"age": "38"}, "age"),
        ({"age": None}, "age"),
        ({"lifetime_attacks": False}, "lifetime_attacks"),
        ({"headache_days_per_month": True}, "headache_days_per_month"),
        ({"bp_systolic": True}, "bp_systolic"),
        ({"postpartum_weeks": True}, "postpartum_weeks"),
        ({"pregnant": 0}, "pregnant"),
        ({"pregnant": None}, "pregnant"),
        ({"safety_cleared": "yes"}, "safety_cleared"),
        ({"diagnosis": 1}, "diagnosis"),
        ({"red_flags": "thunderclap"}, "red_flags"),
        ({"conditions": {"dvt": True}}, "conditions"),
        ({"conditions": [["dvt"]]}, "conditions[0]"),
        ({"phq9": [True] + [0] * 8}, "phq9[0]"),
        ({"phq9": "000000000"}, "phq9"),
        ({"acute_use": [["triptan", 3]]}, "acute_use"),
        ({"acute_use": {"triptan": True}}, "acute_use.triptan"),
        ({"acute_use": {"triptan": 3.5}}, "acute_use.triptan"),
        ({"treatments": {"drug": "x"}}, "treatments"),
    ],
)
def test_wrong_type_is_rejected_and_named(changes, error_key):
    with pytest.raises(InvalidFacts) as raised:
        route(baseline_facts(**changes))

    assert list(raised.value.errors) == [error_key]


@pytest.mark.parametrize(
    ("changes", "error_key"),
    [
        ({"age": -1}, "age"),
        ({"age": 131}, "age"),
        ({"onset_age": 131}, "onset_age"),
        ({"lifetime_attacks": -1}, "lifetime_attacks"),
        ({"headache_days_per_month": 32}, "headache_days_per_month"),
        ({"migraine_days_per_month": -1}, "migraine_days_per_month"),
        ({"debilitating_days_per_month": 32}, "debilitating_days_per_month"),
        ({"months_at_this_frequency": -1}, "months_at_this_frequency"),
        ({"debilitating_months": -1}, "debilitating_months"),
        ({"acute_use_months": -1}, "acute_use_months"),
        ({"phq9": [0] * 8}, "phq9"),
        ({"phq9": [0] * 10}, "phq9"),
        ({"phq9": [0] * 8 + [4]}, "phq9[8]"),
        ({"phq9": [-1] + [0] * 8}, "phq9[0]"),
        ({"bp_systolic": 49}, "bp_systolic"),
        ({"bp_systolic": 301}, "bp_systolic"),
        ({"bp_diastolic": 19}, "bp_diastolic"),
        ({"bp_diastolic": 201}, "bp_diastolic"),
        ({"postpartum_weeks": -1}, "postpartum_weeks"),
        ({"last_botox_weeks_ago": -1}, "last_botox_weeks_ago"),
        ({"acute_use": {"triptan": 32}}, "acute_use.triptan"),
    ],
)
def test_out_of_range_value_is_rejected_and_named(changes, error_key):
    with pytest.raises(InvalidFacts) as raised:
        route(baseline_facts(**changes))

    assert list(raised.value.errors) == [error_key]
    assert raised.value.errors[error_key]


@pytest.mark.parametrize(
    "changes",
    [
        {"age": 0, "onset_age": 0},
        {"age": 130, "onset_age": 130},
        {"headache_days_per_month": 31, "migraine_days_per_month": 0},
        {"phq9": [3] * 9, "safety_cleared": True},
        {"bp_systolic": 50, "bp_diastolic": 20},
        {"bp_systolic": 300, "bp_diastolic": 200},
        {"postpartum_weeks": 0, "last_botox_weeks_ago": 0},
        {"acute_use": {}},
    ],
)
def test_values_at_the_edge_of_their_range_are_accepted(changes):
    assert validate_facts(baseline_facts(**changes)) == {}


@pytest.mark.parametrize(
    ("changes", "error_key"),
    [
        ({"diagnosis": "cluster_headache"}, "diagnosis"),
        ({"red_flags": ["seizure", "headache"]}, "red_flags[1]"),
        ({"conditions": ["diabetes"]}, "conditions[0]"),
        ({"allergies": ["penicillin"]}, "allergies[0]"),
        ({"medications": ["ssri"]}, "medications[0]"),
        ({"interests": ["reiki"]}, "interests[0]"),
        ({"acute_use": {"caffeine": 3}}, "acute_use.caffeine"),
        ({"acute_use": {"beta_blocker": 3}}, "acute_use.beta_blocker"),
        ({"acute_use": {"non_drug": 3}}, "acute_use.non_drug"),
    ],
)
def test_unknown_code_is_rejected_and_named(changes, error_key):
    with pytest.raises(InvalidFacts) as raised:
        route(baseline_facts(**changes))

    assert list(raised.value.errors) == [error_key]


@pytest.mark.parametrize(
    ("row", "error_key"),
    [
        ("propranolol", "treatments[2]"),
        (None, "treatments[2]"),
        ({**treatment("x", "triptan"), "dose": "50 mg"}, "treatments[2].dose"),
        (
            {k: v for k, v in treatment("x", "triptan").items() if k != "weeks"},
            "treatments[2].weeks",
        ),
        (treatment("", "triptan"), "treatments[2].drug"),
        (treatment("   ", "triptan"), "treatments[2].drug"),
        (treatment(7, "triptan"), "treatments[2].drug"),
        (treatment("x", "vitamin"), "treatments[2].class"),
        (treatment("x", "triptan", intent="rescue"), "treatments[2].intent"),
        (treatment("x", "triptan", outcome="cured"), "treatments[2].outcome"),
        (treatment("x", "triptan", weeks=True), "treatments[2].weeks"),
        (treatment("x", "triptan", weeks=-1), "treatments[2].weeks"),
        (treatment("x", "triptan", weeks=2.5), "treatments[2].weeks"),
    ],
)
def test_bad_treatment_row_is_rejected_and_named(row, error_key):
    facts = baseline_facts()
    facts["treatments"].append(row)

    with pytest.raises(InvalidFacts) as raised:
        route(facts)

    assert list(raised.value.errors) == [error_key]


def test_every_bad_key_is_named_at_once():
    facts = baseline_facts(age=True, phq9=[0] * 3, conditions=["x"], extra=1)
    del facts["pregnant"]

    errors = validate_facts(facts)

    assert set(errors) == {"age", "phq9", "conditions[0]", "extra", "pregnant"}


def test_every_problem_is_named_exactly_and_in_order():
    facts = baseline_facts(
        age=True,
        phq9=[0, 1, 4, 0, 0, 0, 0, 0, 0],
        conditions=["dvt", "x"],
        zzz=1,
        acute_use={"triptan": 32, "caffeine": 1, 3: 2},
        bp_systolic=None,
        bp_diastolic=19,
    )
    facts["weight_kg"] = 70
    del facts["pregnant"]
    facts["treatments"].append({**treatment(" ", "vitamin", weeks=-1), "dose": 1})
    facts["treatments"].append("x")

    errors = validate_facts(facts)

    assert list(errors.items()) == [
        ("weight_kg", "unknown key"),
        ("zzz", "unknown key"),
        ("age", "must be a whole number, got boolean"),
        ("pregnant", "required"),
        ("phq9[2]", "must be between 0 and 3, got 4"),
        ("bp_diastolic", "must be between 20 and 200, got 19"),
        ("treatments[2].dose", "unknown key"),
        ("treatments[2].drug", "must not be blank"),
        ("treatments[2].class", "unknown code 'vitamin'"),
        ("treatments[2].weeks", "must be between 0 and 6890, got -1"),
        ("treatments[3]", "must be an object, got string"),
        ("acute_use.triptan", "must be between 0 and 31, got 32"),
        ("acute_use.caffeine", "unknown acute class 'caffeine'"),
        ("acute_use[3]", "keys must be acute class codes"),
        ("conditions[1]", "unknown code 'x'"),
    ]


@pytest.mark.parametrize(
    ("facts", "errors"),
    [
        ([], {"facts": "must be an object, got list"}),
        (None, {"facts": "must be an object, got null"}),
        (
            baseline_facts(postpartum_weeks="2"),
            {"postpartum_weeks": "must be a whole number or null, got string"},
        ),
        (
            baseline_facts(phq9=[0] * 8),
            {"phq9": "must have exactly 9 answers, got 8"},
        ),
        (
            baseline_facts(phq9={"a": 1}),
            {"phq9": "must be a list of 9 answers or null, got object"},
        ),
        (
            baseline_facts(phq9=[0] * 8 + [1.0]),
            {"phq9[8]": "must be a whole number, got number"},
        ),
        (
            baseline_facts(red_flags=[None]),
            {"red_flags[0]": "must be a code (string), got null"},
        ),
        (
            baseline_facts(interests="yoga"),
            {"interests": "must be a list of codes, got string"},
        ),
        (
            baseline_facts(acute_use=[]),
            {"acute_use": "must be an object of acute class to days, got list"},
        ),
        (
            baseline_facts(treatments=None),
            {"treatments": "must be a list of treatments, got null"},
        ),
        (
            baseline_facts(treatments=[treatment(["x"], "triptan")]),
            {"treatments[0].drug": "must be a string, got list"},
        ),
        (
            baseline_facts(safety_cleared=1),
            {"safety_cleared": "must be true or false, got integer"},
        ),
    ],
)
def test_each_problem_has_its_message(facts, errors):
    assert validate_facts(facts) == errors


def test_a_key_that_is_not_a_string_is_named_by_its_repr():
    facts = baseline_facts()
    facts[5] = 1
    facts["treatments"][0][None] = 1

    assert validate_facts(facts) == {
        "5": "unknown key",
        "treatments[0].None": "unknown key",
    }


def test_invalid_facts_is_a_value_error_and_derive_rejects_too():
    with pytest.raises(ValueError, match="age"):
        derive(baseline_facts(age=-5))


# Properties (hypothesis) --------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**6), max_value=10**6)
    | st.floats(allow_nan=True)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=15,
)


def route_or_invalid(facts):
    """Route ``facts``; return the decision, or None when InvalidFacts is raised."""
    try:
        decision = route(facts)
    except InvalidFacts as error:
        assert error.errors
        assert all(isinstance(key, str) for key in error.errors)
        assert all(isinstance(text, str) and text for text in error.errors.values())
        return None
    assert_well_formed(decision)
    return decision


@settings(deadline=None)
@given(json_values)
def test_arbitrary_json_is_routed_or_rejected_never_crashes(value):
    route_or_invalid(value)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_mutated_facts_are_routed_or_rejected_never_crash(data):
    facts = example1_facts()
    for _ in range(data.draw(st.integers(1, 3))):
        action = data.draw(st.sampled_from(["replace", "delete", "add", "row"]))
        if action == "row" and facts.get("treatments"):
            rows = facts["treatments"]
            if isinstance(rows, list) and rows:
                index = data.draw(st.integers(0, len(rows) - 1))
                if isinstance(rows[index], dict):
                    field = data.draw(
                        st.sampled_from(["drug", "class", "intent", "outcome", "weeks"])
                    )
                    rows[index][field] = data.draw(json_values)
                else:
                    rows[index] = data.draw(json_values)
            continue
        key = data.draw(st.sampled_from(sorted(facts)) if facts else st.text())
        if action == "delete":
            facts.pop(key, None)
        elif action == "add":
            facts[data.draw(st.text(max_size=12))] = data.draw(json_values)
        else:
            facts[key] = data.draw(json_values)
    route_or_invalid(facts)


def _codes_of(choices):
    return st.lists(st.sampled_from([c for c, _ in choices]), unique=True, max_size=4)


valid_facts = st.fixed_dictionaries(
    {
        "age": st.integers(0, 130),
        "pregnant": st.booleans(),
        "postpartum_weeks": st.none() | st.integers(0, 60),
        "breastfeeding": st.booleans(),
        "diagnosis": st.sampled_from([c for c, _ in codes.DIAGNOSES]),
        "lifetime_attacks": st.integers(0, 500),
        "onset_age": st.integers(0, 130),
        "headache_days_per_month": st.integers(0, 31),
        "migraine_days_per_month": st.integers(0, 31),
        "months_at_this_frequency": st.integers(0, 24),
        "debilitating_days_per_month": st.integers(0, 31),
        "debilitating_months": st.integers(0, 24),
        "new_or_changed_pattern": st.booleans(),
        "red_flags": st.lists(
            st.sampled_from([c for c, _ in codes.RED_FLAGS]), max_size=2
        ),
        "phq9": st.none() | st.lists(st.integers(0, 3), min_size=9, max_size=9),
        "safety_cleared": st.booleans(),
        "bp_systolic": st.none() | st.integers(50, 300),
        "bp_diastolic": st.none() | st.integers(20, 200),
        "treatments": st.lists(
            st.builds(
                treatment,
                st.sampled_from(["sumatriptan", "Propranolol", "propranolol ", "x"]),
                st.sampled_from([c for c, _ in codes.TREATMENT_CLASSES]),
                intent=st.sampled_from(["acute", "preventive"]),
                outcome=st.sampled_from([c for c, _ in codes.OUTCOMES]),
                weeks=st.none() | st.integers(0, 40),
            ),
            max_size=6,
        ),
        "acute_use": st.dictionaries(
            st.sampled_from([c for c, _ in codes.ACUTE_CLASSES]), st.integers(0, 31)
        ),
        "acute_use_months": st.integers(0, 24),
        "moh_plan_documented": st.booleans(),
        "conditions": _codes_of(codes.CONDITIONS),
        "allergies": _codes_of(codes.ALLERGIES),
        "medications": _codes_of(codes.MEDICATIONS),
        "last_botox_weeks_ago": st.none() | st.integers(0, 40),
        "interests": _codes_of(codes.SERVICES),
    }
)


@settings(deadline=None)
@given(valid_facts)
def test_valid_facts_always_give_a_well_formed_decision(facts):
    decision = route(facts)

    assert_well_formed(decision)
    assert decision["derived"] == derive(facts)
    assert route(copy.deepcopy(facts)) == decision
    interests = [code for code, _ in codes.SERVICES if code not in facts["interests"]]
    assert route({**facts, "interests": interests}) == decision


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ({"outcome": "FLAG", "reasons": [{"code": "Y_FLAG_BP", "text": ""}]}, "FLAG"),
        ({"outcome": "HOLD", "reasons": []}, "REC"),
        ({"outcome": "HOLD", "reasons": [{"code": "Y_FLAG_BP", "text": ""}]}, "FLAG"),
        (
            {
                "outcome": "HOLD",
                "reasons": [
                    {"code": "K_FLAG_BP_RAISED", "text": ""},
                    {"code": "K_NE_CLASSES", "text": ""},
                    {"code": "K_BLOCK_BP", "text": ""},
                ],
            },
            "BLOCK",
        ),
    ],
)
def test_outcome_under_hold_follows_the_engines_precedence(result, expected):
    assert routing.outcome_under_hold(result) == expected
