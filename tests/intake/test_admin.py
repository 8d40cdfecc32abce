"""Front-desk work in the admin: intakes, treatment rows, drafts, submission, search."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from intake.models import Drug, Intake, Patient
from tests.factories import (
    COMPLETE_ANSWERS,
    IntakeFactory,
    PatientFactory,
    intake_batch,
)

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:intake_intake_add")
TREATMENTS = [
    ("propranolol", "ineffective", 16),
    ("topiramate", "intolerable", 3),
    ("nortriptyline", "ineffective", 10),
    ("sumatriptan", "ineffective", ""),
    ("rizatriptan", "ineffective", ""),
]


def post_value(value):
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value


def intake_form(patient: Patient, answers: dict, rows=TREATMENTS, existing=0) -> dict:
    """The POST body of the admin intake form, as a browser would send it."""
    data = {
        "patient": str(patient.pk),
        "source": "front_desk",
        "treatments-TOTAL_FORMS": str(len(rows)),
        "treatments-INITIAL_FORMS": str(existing),
        "treatments-MIN_NUM_FORMS": "0",
        "treatments-MAX_NUM_FORMS": "1000",
    }
    data.update({key: post_value(value) for key, value in answers.items()})
    for index, (name, outcome, weeks) in enumerate(rows):
        data.update(
            {
                f"treatments-{index}-drug": Drug.objects.get(name=name).pk,
                f"treatments-{index}-outcome": outcome,
                f"treatments-{index}-weeks": weeks,
                f"treatments-{index}-intake": "",
            }
        )
    return data


def test_front_desk_enters_a_draft_then_completes_and_submits_it(desk_client):
    patient = PatientFactory()
    partial = {"diagnosis": "migraine_with_aura", "headache_days_per_month": 18}

    response = desk_client.post(ADD_URL, intake_form(patient, partial), follow=True)
    assert response.redirect_chain, response.context["errors"]
    added = str(list(response.context["messages"])[0])
    assert f"{patient.record_number}: intake (draft)" in added
    intake = Intake.objects.get(patient=patient)
    assert intake.status == Intake.Status.DRAFT
    assert intake.entered_by.username == "desk"
    assert [row.name for row in intake.treatments.all()] == [r[0] for r in TREATMENTS]
    assert intake.treatments.get(drug__name="propranolol").treatment_class == (
        "beta_blocker"
    )

    change_url = reverse("admin:intake_intake_change", args=[intake.pk])
    rows = [
        (f"treatments-{i}-id", row.pk) for i, row in enumerate(intake.treatments.all())
    ]
    incomplete = intake_form(patient, {**partial, "_submit": "1"}, existing=5)
    incomplete.update(rows)
    response = desk_client.post(change_url, incomplete)
    # Each missing answer is named beside its field; what was typed is kept.
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    missing = {"onset_age", "pregnant", "phq9_9", "consent_signature"}
    assert {name: errors[name] for name in missing} == {
        name: ["Answer this before submitting."] for name in missing
    }
    assert "diagnosis" not in errors and "headache_days_per_month" not in errors
    assert not list(response.context["messages"])  # no "changed successfully"
    html = response.content.decode()
    assert '<option value="unknown" selected>Not answered</option>' in html
    intake.refresh_from_db()
    assert intake.status == Intake.Status.DRAFT

    complete = intake_form(patient, {**COMPLETE_ANSWERS, "_submit": "1"}, existing=5)
    complete.update(rows)
    complete.update(
        {"midas_1": 4, "midas_2": 3, "midas_3": 2, "midas_4": 1, "midas_5": 2}
    )
    response = desk_client.post(change_url, complete, follow=True)
    said = [str(message) for message in response.context["messages"]]
    assert len(said) == 1 and "submitted" in said[0]  # not "(draft) was changed"
    assert "draft" not in said[0]
    intake.refresh_from_db()
    assert intake.status == Intake.Status.SUBMITTED
    assert intake.submitted_at is not None
    assert intake.treatments.count() == 5

    page = desk_client.get(change_url).content.decode()
    assert "2 / 27, minimal" in page
    assert "12, grade III, moderate disability" in page


@pytest.mark.parametrize(
    "typed", [["Aimovig"], ["Aimovig", "Topamax", "Imitrex", "Advil"]]
)
def test_rows_typed_by_name_read_the_catalogue_once_however_many(desk_client, typed):
    data = intake_form(PatientFactory(), {}, rows=[])
    data["treatments-TOTAL_FORMS"] = str(len(typed))
    for index, name in enumerate(typed):
        data.update(
            {
                f"treatments-{index}-drug_name": name,
                f"treatments-{index}-outcome": "ineffective",
            }
        )

    with CaptureQueriesContext(connection) as queries:
        response = desk_client.post(ADD_URL, data)

    assert response.status_code == 302
    saved = Intake.objects.get().treatments.order_by("drug__name")
    assert [row.drug.name for row in saved] == sorted(
        ["erenumab", "topiramate", "sumatriptan", "ibuprofen"][: len(typed)]
    )
    reads = [query for query in queries if 'FROM "intake_drugname"' in query["sql"]]
    assert len(reads) == 1


def test_an_intake_is_named_by_its_record_number_only_when_the_patient_is_loaded(
    django_assert_num_queries,
):
    intake = IntakeFactory()
    assert str(intake) == f"{intake.patient.record_number}: intake (draft)"
    fresh = Intake.objects.get(pk=intake.pk)
    with django_assert_num_queries(0):
        assert str(fresh) == f"Intake {str(intake.pk)[:8]} (draft)"


def test_each_input_of_a_treatment_row_is_named_for_screen_readers(desk_client):
    page = desk_client.get(ADD_URL).content.decode()
    for name in ("drug_name", "treatment_class", "intent", "weeks", "outcome"):
        field = re.search(rf'<[^>]*name="treatments-0-{name}"[^>]*>', page).group()
        assert 'aria-label="' in field, name


def test_admin_form_shows_a_message_beside_an_impossible_answer(desk_client):
    patient = PatientFactory()
    form = intake_form(
        patient,
        {"headache_days_per_month": 10, "migraine_days_per_month": 12, "phq9_9": 7},
        rows=[],
    )
    response = desk_client.post(ADD_URL, form)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert (
        "Migraine days cannot be more than headache days."
        in errors["migraine_days_per_month"]
    )
    assert "phq9_9" in errors
    assert not Intake.objects.exists()


def test_submitting_twice_keeps_one_submission(desk_client):
    intake = IntakeFactory()
    change_url = reverse("admin:intake_intake_change", args=[intake.pk])
    form = intake_form(intake.patient, {**COMPLETE_ANSWERS, "_submit": "1"}, rows=[])
    desk_client.post(change_url, form)
    first = Intake.objects.get(pk=intake.pk).submitted_at
    desk_client.post(change_url, form)
    assert Intake.objects.get(pk=intake.pk).submitted_at == first
    assert Intake.objects.count() == 1


def test_duplicate_warning_appears_for_a_look_alike_patient(desk_client):
    existing = PatientFactory(first_name="Jonathan", last_name="Whitfield")
    form = {
        "first_name": "Jonathon",
        "last_name": "Whitfeld",
        "date_of_birth": existing.date_of_birth.isoformat(),
        "sex": "male",
        "preferred_language": "en",
        "intakes-TOTAL_FORMS": "0",
        "intakes-INITIAL_FORMS": "0",
        "intakes-MIN_NUM_FORMS": "0",
        "intakes-MAX_NUM_FORMS": "1000",
    }
    url = reverse("admin:intake_patient_add")
    response = desk_client.post(url, form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "may be a patient already on file" in page
    assert existing.record_number in page
    assert Patient.objects.count() == 1

    response = desk_client.post(url, {**form, "not_a_duplicate": "on"})
    assert response.status_code == 302
    assert Patient.objects.count() == 2


def test_no_duplicate_warning_for_a_different_birth_date(desk_client):
    PatientFactory(first_name="Jonathan", last_name="Whitfield")
    form = {
        "first_name": "Jonathan",
        "last_name": "Whitfield",
        "date_of_birth": "1990-01-01",
        "sex": "male",
        "preferred_language": "en",
        "intakes-TOTAL_FORMS": "0",
        "intakes-INITIAL_FORMS": "0",
        "intakes-MIN_NUM_FORMS": "0",
        "intakes-MAX_NUM_FORMS": "1000",
    }
    response = desk_client.post(reverse("admin:intake_patient_add"), form)
    assert response.status_code == 302


@pytest.mark.parametrize(
    "term",
    ["{record}", "{number}", "1987-04-12", "04/12/1987", "Whitfield-Searched", "Ann W"],
)
def test_front_desk_finds_a_patient_by_record_number_birth_date_phone_or_name(
    desk_client, term
):
    patient = PatientFactory(
        first_name="Ann", last_name="Whitfield-Searched", date_of_birth="1987-04-12"
    )
    PatientFactory(first_name="Other", last_name="Person", date_of_birth="1990-01-01")
    term = term.format(record=patient.record_number, number=patient.record_number[2:])
    response = desk_client.get(reverse("admin:intake_patient_changelist"), {"q": term})
    assert list(response.context["cl"].result_list) == [patient]


def test_front_desk_finds_a_patient_by_phone(desk_client):
    patient = PatientFactory(mobile_phone="7045550199")
    PatientFactory(mobile_phone="7045550100")
    response = desk_client.get(
        reverse("admin:intake_patient_changelist"), {"q": "(704) 555-0199"}
    )
    assert list(response.context["cl"].result_list) == [patient]


def changelist_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "url_name", ["admin:intake_intake_changelist", "admin:intake_patient_changelist"]
)
def test_changelist_query_count_does_not_grow_with_rows(desk_client, url_name):
    url = reverse(url_name)
    intake_batch(10)
    desk_client.get(url)
    with_10 = changelist_queries(desk_client, url)
    intake_batch(190)
    with_200 = changelist_queries(desk_client, url)
    assert with_10 == with_200


def patient_form(response) -> dict:
    """The change form's fields as the browser would post them back."""
    data = {}
    for form in [response.context["adminform"].form] + [
        formset.formset for formset in response.context["inline_admin_formsets"]
    ]:
        if hasattr(form, "management_form"):
            management = form.management_form
            data.update(
                {management.add_prefix(k): v for k, v in management.initial.items()}
            )
            continue
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is not None and value != "":
                data[form.add_prefix(name)] = post_value(value)
    return data


def test_front_desk_corrects_a_patients_details_with_errors_beside_the_field(
    desk_client, front_desk_user
):
    from clinic.models import AuditEntry

    patient = PatientFactory(mobile_phone="7045550100")
    url = reverse("admin:intake_patient_change", args=[patient.pk])
    data = patient_form(desk_client.get(url))

    refused = desk_client.post(url, {**data, "date_of_birth": "2999-01-01"})
    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["date_of_birth"]
    assert Patient.objects.get(pk=patient.pk).date_of_birth == patient.date_of_birth
    refused = desk_client.post(url, {**data, "mobile_phone": "call after 5"})
    assert "using digits" in refused.context["adminform"].form.errors["mobile_phone"][0]

    saved = desk_client.post(url, {**data, "mobile_phone": "(704) 555-0177"})
    assert saved.status_code == 302
    assert Patient.objects.get(pk=patient.pk).mobile_phone == "7045550177"
    change = AuditEntry.objects.filter(object_pk=str(patient.pk), action=1).get()
    assert change.actor == front_desk_user
