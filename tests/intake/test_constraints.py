"""The database itself refuses out-of-range answers, whatever path writes them."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import CheckConstraint, F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from intake.models import (
    RANGES,
    Intake,
    Patient,
    TreatmentTrial,
    validate_date_of_birth,
)
from intake.services import validate_intake
from tests.factories import IntakeFactory, PatientFactory, TreatmentTrialFactory

pytestmark = pytest.mark.django_db


def assert_rejected(queryset, **values):
    with pytest.raises(IntegrityError), transaction.atomic():
        queryset.update(**values)


def assert_accepted(queryset, **values):
    with transaction.atomic():
        queryset.update(**values)


@pytest.mark.parametrize("name", sorted(RANGES))
def test_database_rejects_a_value_above_the_range(name):
    intake = IntakeFactory(headache_days_per_month=31, bp_systolic=260)
    low, high = RANGES[name]
    rows = Intake.objects.filter(pk=intake.pk)
    assert_accepted(rows, **{name: high})
    assert_rejected(rows, **{name: high + 1})


@pytest.mark.parametrize(
    "name", sorted(name for name, (low, _) in RANGES.items() if low)
)
def test_database_rejects_a_value_below_the_range(name):
    intake = IntakeFactory(headache_days_per_month=31, bp_diastolic=30)
    low, _ = RANGES[name]
    rows = Intake.objects.filter(pk=intake.pk)
    assert_accepted(rows, **{name: low})
    assert_rejected(rows, **{name: low - 1})


def test_database_rejects_more_migraine_days_than_headache_days():
    intake = IntakeFactory(headache_days_per_month=10, migraine_days_per_month=10)
    assert_rejected(Intake.objects.filter(pk=intake.pk), migraine_days_per_month=11)


def test_database_rejects_a_diastolic_at_or_above_the_systolic():
    intake = IntakeFactory(bp_systolic=120, bp_diastolic=80)
    assert_rejected(Intake.objects.filter(pk=intake.pk), bp_diastolic=F("bp_systolic"))


def test_database_rejects_a_submitted_intake_without_a_submission_time():
    intake = IntakeFactory()
    assert_rejected(Intake.objects.filter(pk=intake.pk), status="submitted")


@pytest.mark.parametrize(
    ("field", "value"), [("status", "lost"), ("source", "fax"), ("weight_kg", 351)]
)
def test_database_rejects_unknown_status_source_or_weight(field, value):
    intake = IntakeFactory()
    assert_rejected(Intake.objects.filter(pk=intake.pk), **{field: value})


@pytest.mark.parametrize(
    ("values"),
    [
        {"treatment_class": "magic"},
        {"intent": "sometimes"},
        {"outcome": "unclear"},
        {"weeks": 521},
        {"drug": None, "drug_name": ""},
    ],
)
def test_database_rejects_a_malformed_treatment_row(values):
    row = TreatmentTrialFactory()
    assert_rejected(TreatmentTrial.objects.filter(pk=row.pk), **values)


@pytest.mark.parametrize(
    ("field", "value"), [("record_number", "123"), ("date_of_birth", "1899-12-31")]
)
def test_database_rejects_a_malformed_patient(field, value):
    patient = PatientFactory()
    assert_rejected(Patient.objects.filter(pk=patient.pk), **{field: value})


def test_model_validation_names_the_field_out_of_range():
    intake = IntakeFactory.build(
        patient=PatientFactory(), headache_days_per_month=32, phq9_9=4
    )
    with pytest.raises(ValidationError) as error:
        intake.full_clean()
    assert {"headache_days_per_month", "phq9_9"} <= set(error.value.message_dict)


def test_an_intakes_constraints_are_checked_in_python_without_a_query():
    assert all(
        isinstance(constraint, CheckConstraint)
        for constraint in Intake._meta.constraints
    )
    intake = IntakeFactory()
    with CaptureQueriesContext(connection) as queries:
        intake.full_clean(exclude=["patient"])
    assert len(queries) == 0
    intake.migraine_days_per_month = intake.headache_days_per_month + 1
    with pytest.raises(ValidationError) as error:
        intake.full_clean(exclude=["patient"])
    assert "migraine_days_per_month" in error.value.message_dict


@pytest.mark.parametrize(
    ("status", "submitted_at"),
    [
        ("submitted", None),
        ("draft", datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)),
    ],
)
def test_only_a_submitted_intake_has_a_submission_time(status, submitted_at):
    intake = IntakeFactory()
    rows = Intake.objects.filter(pk=intake.pk)
    assert_rejected(rows, status=status, submitted_at=submitted_at)
    intake.status, intake.submitted_at = status, submitted_at
    with pytest.raises(ValidationError, match="submission time"):
        validate_intake(intake)


def test_record_numbers_are_sequential_and_formatted():
    first, second = PatientFactory(), PatientFactory()
    assert first.record_number.startswith("P-")
    assert len(first.record_number) == 8
    assert int(second.record_number[2:]) == int(first.record_number[2:]) + 1
    assert str(first) == first.record_number


@pytest.mark.parametrize("name", sorted(RANGES))
def test_validation_without_constraint_queries_still_refuses_each_range(name):
    low, high = RANGES[name]
    intake = IntakeFactory(headache_days_per_month=31, bp_systolic=260)
    setattr(intake, name, high)
    validate_intake(intake)
    setattr(intake, name, high + 1)
    with pytest.raises(ValidationError) as error:
        validate_intake(intake)
    assert name in error.value.message_dict
    if low:
        setattr(intake, name, low - 1)
        with pytest.raises(ValidationError):
            validate_intake(intake)


def test_a_date_of_birth_may_be_today_but_not_tomorrow():
    today = timezone.localdate()
    validate_date_of_birth(today)
    with pytest.raises(ValidationError, match="future"):
        validate_date_of_birth(today + datetime.timedelta(days=1))


def test_a_date_of_birth_may_be_1900_but_not_before():
    validate_date_of_birth(datetime.date(1900, 1, 1))
    with pytest.raises(ValidationError, match="1900"):
        validate_date_of_birth(datetime.date(1899, 12, 31))
