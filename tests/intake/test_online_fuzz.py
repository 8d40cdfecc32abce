"""No input of any kind gives a server error, and invalid input saves nothing.

Hypothesis posts arbitrary strings (and lists of strings) under each step's own
field names, through the real view, as a browser or a robot could.
"""

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake import codes, online
from intake.models import Intake, OnlineDraft, Patient, TreatmentTrial
from tests.factories import ONLINE_STEP_ANSWERS

pytestmark = pytest.mark.django_db

PLAUSIBLE = [
    "",
    " ",
    "0",
    "1",
    "3",
    "31",
    "90",
    "-1",
    "1.5",
    "1e3",
    "١٢",
    "9" * 30,
    "True",
    "False",
    "on",
    "04/12/1987",
    "2999-01-01",
    "1800-01-01",
    "02/30/1990",
    "Rosa Delgado-Park",
    "sumatriptan",
    "<script>alert(1)</script>",
    *sorted(
        codes.codes(
            codes.DIAGNOSES
            + codes.TRIGGERS
            + codes.CONDITIONS
            + codes.RED_FLAGS
            + codes.TREATMENT_CLASSES
            + codes.OUTCOMES
            + codes.INTENTS
        )
    ),
]
VALUE = st.one_of(st.text(max_size=40), st.sampled_from(PLAUSIBLE))
VALUES = st.one_of(VALUE, st.lists(VALUE, max_size=4))
ACTIONS = st.sampled_from(["next", "back", "later", "add", "", "explode"])
# Each example is a request through the real view: a step tries 15 in every run,
# 150 under the deeper profile (tests/conftest.py).
EXAMPLES = settings(
    max_examples=settings.default.max_examples * 15 // 100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def field_names(step: online.Step, draft) -> list[str]:
    form = step.form(draft)
    if isinstance(form, online.BaseTreatmentFormSet):
        rows = [
            f"treatments-{index}-{name}"
            for index in range(3)
            for name in [*online.TreatmentForm.base_fields, "DELETE"]
        ]
        management = ["TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"]
        return [*(f"treatments-{name}" for name in management), *rows]
    return list(form.fields)


def snapshot() -> list:
    """Every row of the tables an intake writes, as the database stores them."""
    with connection.cursor() as cursor:
        tables = []
        for model in (Patient, Intake, TreatmentTrial, OnlineDraft):
            table, pk = model._meta.db_table, model._meta.pk.column
            cursor.execute(f"SELECT * FROM {table} ORDER BY {pk}")
            tables.append(cursor.fetchall())
    return tables


@pytest.fixture
def many_drafts_allowed(settings):
    settings.INTAKE_NEW_FORMS_PER_HOUR = 1000


@pytest.fixture
def draft_client(client):
    for slug in ("about-you", "headaches"):
        client.post(f"/intake/{slug}/", {**ONLINE_STEP_ANSWERS[slug]})
    return client


@pytest.mark.parametrize("slug", [step.slug for step in online.STEPS])
def test_any_post_to_a_step_never_errors_and_bad_input_saves_nothing(
    draft_client, slug
):
    step = online.STEP_BY_SLUG[slug]
    names = field_names(step, OnlineDraft.objects.get()) or ["unexpected"]

    @EXAMPLES
    @given(data=st.dictionaries(st.sampled_from(names), VALUES), action=ACTIONS)
    def post_anything(data, action):
        before = snapshot()
        response = draft_client.post(f"/intake/{slug}/", {**data, "action": action})
        assert response.status_code in (200, 302, 400), response.status_code
        if response.status_code == 400:
            assert snapshot() == before

    post_anything()


def test_any_first_step_from_a_new_browser_never_errors(
    client_class, many_drafts_allowed
):
    names = list(online.AboutYouForm.base_fields)

    @EXAMPLES
    @given(data=st.dictionaries(st.sampled_from(names), VALUES), action=ACTIONS)
    def post_anything(data, action):
        before = snapshot()
        response = client_class().post("/intake/about-you/", {**data, "action": action})
        assert response.status_code in (200, 302, 400, 429)
        if response.status_code in (400, 429):
            assert snapshot() == before

    post_anything()


class TestAnAnsweredDraft:
    @pytest.mark.parametrize("slug", [step.slug for step in online.STEPS])
    def test_asking_to_add_a_row_on_any_step_never_errors(
        self, online_patient_client, slug
    ):
        response = online_patient_client.get(f"/intake/{slug}/?add=1")

        assert response.status_code == 200
