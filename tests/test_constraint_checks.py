"""A model's check constraints are validated in one query, with Django's verdicts."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.test.utils import CaptureQueriesContext

from clinic.validation import ChecksInOneQuery
from intake.models import TREATMENT_WEEKS_MAX, Intake, TreatmentTrial
from tests.factories import TreatmentTrialFactory

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"clinic", "intake", "referrals", "outcomes", "staff", "reports"}


def errors_of(validate, instance, exclude=None) -> dict | None:
    try:
        validate(instance, exclude=exclude)
    except ValidationError as error:
        return error.message_dict
    return None


def djangos(instance, exclude=None):
    return errors_of(models.Model.validate_constraints, instance, exclude)


def ours(instance, exclude=None):
    return errors_of(ChecksInOneQuery.validate_constraints, instance, exclude)


def test_every_model_with_check_constraints_checks_them_in_one_query():
    """Except the intake, whose constraints all mirror its validators."""
    checked = {
        model
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        and any(isinstance(c, models.CheckConstraint) for c in model._meta.constraints)
    }
    assert checked - {Intake} == {
        model for model in checked if issubclass(model, ChecksInOneQuery)
    }


@pytest.fixture
def trial():
    row = TreatmentTrialFactory(weeks=TREATMENT_WEEKS_MAX)
    row.refresh_from_db()
    return row


def test_a_valid_row_passes_both_ways(trial):
    assert djangos(trial) is None
    assert ours(trial) is None


@pytest.mark.parametrize(
    "values",
    [
        {"weeks": TREATMENT_WEEKS_MAX + 1},
        {"outcome": "forgotten"},
        {"drug": None, "drug_name": ""},
        {"weeks": TREATMENT_WEEKS_MAX + 1, "intent": "sometimes", "outcome": "?"},
    ],
    ids=["weeks over", "unknown outcome", "no drug", "three at once"],
)
def test_a_row_breaking_constraints_gets_djangos_errors(trial, values):
    for name, value in values.items():
        setattr(trial, name, value)

    assert ours(trial) == djangos(trial)
    assert ours(trial) is not None


def test_an_unknown_duration_passes_both_ways(trial):
    trial.weeks = None
    assert ours(trial) is None
    assert djangos(trial) is None


def test_a_constraint_naming_an_excluded_field_is_skipped(trial):
    trial.weeks = TREATMENT_WEEKS_MAX + 1
    trial.outcome = "forgotten"

    assert ours(trial, exclude={"weeks"}) == djangos(trial, exclude={"weeks"})
    assert list(ours(trial, exclude={"weeks"})) == ["__all__"]
    assert ours(trial, exclude={"weeks", "outcome"}) is None


def test_all_checks_cost_one_query_where_django_spends_one_each(trial):
    checks = [
        c
        for c in TreatmentTrial._meta.constraints
        if isinstance(c, models.CheckConstraint)
    ]
    with CaptureQueriesContext(connection) as django_queries:
        djangos(trial)
    with CaptureQueriesContext(connection) as our_queries:
        ours(trial)

    def selects(captured):
        return [q for q in captured if q["sql"].startswith("SELECT")]

    assert len(selects(django_queries)) == len(checks) == 5
    assert len(selects(our_queries)) == 1
