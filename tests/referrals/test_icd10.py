"""The ICD-10-CM migraine code: each branch, on both sides, with no database."""

import pytest

from referrals import routing
from referrals.icd10 import migraine_code
from tests.referrals.test_routing import baseline_facts, example1_facts


@pytest.mark.parametrize(
    ("diagnosis", "chronic", "intractable", "code", "title"),
    [
        (
            "migraine_without_aura",
            False,
            False,
            "G43.009",
            "Migraine without aura, not intractable, without status migrainosus",
        ),
        (
            "migraine_without_aura",
            False,
            True,
            "G43.019",
            "Migraine without aura, intractable, without status migrainosus",
        ),
        (
            "migraine_with_aura",
            False,
            False,
            "G43.109",
            "Migraine with aura, not intractable, without status migrainosus",
        ),
        (
            "migraine_with_aura",
            False,
            True,
            "G43.119",
            "Migraine with aura, intractable, without status migrainosus",
        ),
        (
            "migraine_without_aura",
            True,
            False,
            "G43.709",
            "Chronic migraine without aura, not intractable, without status "
            "migrainosus",
        ),
        (
            "migraine_without_aura",
            True,
            True,
            "G43.719",
            "Chronic migraine without aura, intractable, without status migrainosus",
        ),
        (
            "migraine_with_aura",
            True,
            False,
            "G43.E09",
            "Chronic migraine with aura, not intractable, without status migrainosus",
        ),
        (
            "migraine_with_aura",
            True,
            True,
            "G43.E19",
            "Chronic migraine with aura, intractable, without status migrainosus",
        ),
    ],
)
def test_each_migraine_type_and_intractability_has_its_code(
    diagnosis, chronic, intractable, code, title
):
    derived = migraine_code(
        diagnosis=diagnosis, chronic=chronic, intractable=intractable
    )
    assert (derived.code, derived.title) == (code, title)


@pytest.mark.parametrize("diagnosis", ["other_primary_headache", "unknown", None])
def test_a_diagnosis_that_is_not_migraine_gets_no_code(diagnosis):
    assert migraine_code(diagnosis=diagnosis, chronic=True, intractable=True) is None


def code_of(facts):
    derived = routing.derive(facts)
    return migraine_code(
        diagnosis=facts["diagnosis"],
        chronic=derived["chronic_migraine"],
        intractable=derived["resistant_migraine"],
    ).code


def test_chronic_from_the_engine_on_both_sides_of_its_thresholds():
    chronic = example1_facts()
    assert code_of(chronic) == "G43.719"
    fewer_headache_days = example1_facts(
        headache_days_per_month=routing.CHRONIC_HEADACHE_DAYS - 1
    )
    assert code_of(fewer_headache_days) == "G43.019"
    exactly_three_months = example1_facts(
        months_at_this_frequency=routing.CHRONIC_MONTHS_OVER
    )
    assert code_of(exactly_three_months) == "G43.019"


def test_intractable_from_the_engine_on_both_sides_of_resistance():
    resistant = example1_facts(diagnosis="migraine_with_aura")
    assert code_of(resistant) == "G43.E19"
    too_few_bad_days = example1_facts(
        diagnosis="migraine_with_aura",
        debilitating_days_per_month=routing.RESISTANT_DEBILITATING_DAYS - 1,
    )
    assert code_of(too_few_bad_days) == "G43.E09"
    assert code_of(baseline_facts()) == "G43.009"


def test_the_code_says_how_it_was_derived():
    basis = migraine_code(
        diagnosis="migraine_with_aura", chronic=True, intractable=False
    ).basis
    assert "migraine with aura" in basis
    assert "chronic migraine (ICHD-3 1.3 criteria met)" in basis
    assert "not intractable" in basis
