"""The FHIR export of the demo clinic: valid R4, every reference inside, real codes.

Each resource is parsed by the R4 (4.0.1) models of ``fhir.resources`` 6.4.0, the
last release whose default models are R4 4.0.1 (later ones are R4B 4.3.0 and R5).
"""

import importlib
import io
import json
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from fhir.resources import __fhir_version__, get_fhir_model_class
from fhir.resources.core.fhirabstractmodel import FHIRAbstractModel

from clinic import roles
from clinic.models import AuditEntry
from clinic.worker import run_ready_tasks
from fhir_export import export, mapping
from fhir_export import terminology as t
from intake import catalogue, codes, scoring
from intake.models import Drug, Intake, Patient, TreatmentTrial
from intake.services import intake_submit
from referrals.icd10 import migraine_code
from referrals.letters import diagnosis_code
from referrals.models import Referral, RoutingDecision
from referrals.services import referral_approve, referral_decline
from tests.conftest import rolled_back_after
from tests.factories import IntakeFactory, PatientFactory, UserFactory
from tests.fhir_export.helpers import walk

pytestmark = pytest.mark.django_db

BASE = "https://ehr.clinic.example/fhir"


def _full_patient() -> Intake:
    """A patient with every kind of answer the demo data leaves out."""
    patient = PatientFactory(
        sex=Patient.Sex.INTERSEX,
        preferred_language="es",
        emergency_contact_name="Rosa Castillo",
        emergency_contact_phone="7045550199",
    )
    intake = IntakeFactory(
        patient=patient,
        source=Intake.Source.ONLINE,
        weight_kg=Decimal("72.5"),
        hit6_total=62,
        midas_1=4,
        midas_2=6,
        midas_3=5,
        midas_4=7,
        midas_5=3,
        other_medications="Vitamin D",
        triggers=["stress", "sleep"],
        consent_language="es",
    )
    TreatmentTrial.objects.create(
        intake=intake,
        drug_name="feverfew",
        treatment_class="other_preventive",
        intent="preventive",
        outcome="ineffective",
        weeks=8,
    )
    TreatmentTrial.objects.create(
        intake=intake,
        drug=Drug.objects.get(name="propranolol"),
        treatment_class="beta_blocker",
        intent="preventive",
        dose="40 mg twice daily",
        outcome="intolerable",
    )
    return intake_submit(intake=intake)


@pytest.fixture(scope="module")
def clinic_export(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo clinic, routed, a few referrals decided, exported once."""
    directory = tmp_path_factory.mktemp("fhir")
    with (
        rolled_back_after(django_db_blocker),
        override_settings(DEBUG=True, CLINIC_FHIR_BASE_URI=BASE),
    ):
        call_command("load_demo", stdout=io.StringIO())
        _full_patient()
        run_ready_tasks()
        physician = UserFactory(username="fhir-doctor", role=roles.PHYSICIAN)
        pending = list(Referral.objects.awaiting_review()[:4])
        for referral in pending[:2]:
            referral_approve(referral=referral, user=physician)
        referral_decline(referral=pending[2], user=physician, note="Not now.")
        out = io.StringIO()
        call_command("export_fhir", str(directory), stdout=out)
        resources = {
            path.stem: [json.loads(line) for line in path.read_text().splitlines()]
            for path in sorted(directory.glob("*.ndjson"))
        }
        yield resources, out.getvalue()


def _all(resources):
    return [resource for found in resources.values() for resource in found]


def test_the_models_are_fhir_r4():
    assert __fhir_version__ == t.FHIR_VERSION == "4.0.1"


def test_every_resource_type_has_its_file_one_resource_a_line(clinic_export):
    resources, out = clinic_export
    assert list(resources) == sorted(export.RESOURCE_TYPES)
    for kind, found in resources.items():
        assert found, kind
        assert {resource["resourceType"] for resource in found} == {kind}
    assert len(resources["Questionnaire"]) == 1
    assert len(resources["Patient"]) == 51
    submitted = 46  # 45 demo intakes are sent (every tenth is a draft), and ours
    assert len(resources["QuestionnaireResponse"]) == submitted
    assert f"{len(_all(resources))} resources written" in out


def _outside_required_bindings(model, path: str) -> list[str]:
    """Codes outside the value sets R4 binds as required (gender, status, intent...).

    ``parse_obj`` checks structure and types but not these; the models list them
    (a list ending in "+" is cut short, so it is not checked).
    """
    found = []
    for name, field in model.__fields__.items():
        value = getattr(model, name)
        allowed = field.field_info.extra.get("enum_values")
        if allowed and "+" in allowed:
            allowed = None
        for inner in value if isinstance(value, list) else [value]:
            if inner is None:
                continue
            if allowed and inner not in allowed:
                found.append(f"{path}.{name}: {inner!r}")
            if isinstance(inner, FHIRAbstractModel):
                found += _outside_required_bindings(inner, f"{path}.{name}")
    return found


def test_every_resource_of_the_demo_clinic_validates_against_r4(clinic_export):
    resources, _ = clinic_export
    errors = []
    for resource in _all(resources):
        where = f"{resource['resourceType']}/{resource['id']}"
        try:
            model = get_fhir_model_class(resource["resourceType"]).parse_obj(resource)
        except ValueError as error:
            errors.append(f"{where}: {error}")
        else:
            errors += _outside_required_bindings(model, where)
    assert errors == []


def test_ids_are_unique_per_resource_type(clinic_export):
    resources, _ = clinic_export
    for kind, found in resources.items():
        ids = [resource["id"] for resource in found]
        assert len(ids) == len(set(ids)), kind


def test_every_reference_resolves_inside_the_export(clinic_export):
    resources, _ = clinic_export
    present = {f"{r['resourceType']}/{r['id']}" for r in _all(resources)}
    references = list(walk(_all(resources), "reference"))
    assert len(references) > 500
    assert [ref for ref in references if ref not in present] == []
    (form,) = resources["Questionnaire"]
    assert {r["questionnaire"] for r in resources["QuestionnaireResponse"]} == {
        form["url"]
    }


def _known_codes() -> set[tuple[str, str]]:
    """Every (system, code) the export may send, from the named catalogues."""
    known = {
        (t.LOINC, code)
        for code in [
            t.PHQ9_PANEL[0],
            t.PHQ9_TOTAL[0],
            *t.PHQ9_ITEM_CODES,
            *t.PHQ9_ANSWER_CODES,
            t.BLOOD_PRESSURE_PANEL[0],
            t.SYSTOLIC[0],
            t.DIASTOLIC[0],
            t.BODY_WEIGHT[0],
            t.CONSENT_CATEGORY[0],
        ]
    }
    known |= {
        (t.ICD10CM, migraine_code(diagnosis=d, chronic=c, intractable=i).code)
        for d in codes.MIGRAINE_DIAGNOSES
        for c in (False, True)
        for i in (False, True)
    }
    known |= {(t.SNOMED_CT, code) for code, _ in codes.DIAGNOSIS_SNOMED.values()}
    known |= {(t.RXNORM, code) for code in catalogue.RXNORM_INGREDIENTS.values()}
    known |= {(t.BCP47, code) for code in ("en", "es")}
    known |= {
        (t.IDENTIFIER_TYPE, t.MEDICAL_RECORD_NUMBER),
        (t.CONTACT_ROLE, t.EMERGENCY_CONTACT),
        (t.CONDITION_CLINICAL, "active"),
        (t.CONDITION_VERIFICATION, "unconfirmed"),
        (t.CONDITION_CATEGORY, "problem-list-item"),
        (t.OBSERVATION_CATEGORY, "survey"),
        (t.OBSERVATION_CATEGORY, "vital-signs"),
        (t.CONSENT_SCOPE, t.CONSENT_PRIVACY[0]),
        (t.ACT_CODE, t.CONSENT_OPT_IN[0]),
    }
    for question in mapping.questions():
        system = mapping.clinic_system(BASE, question.name)
        known |= {(system, code) for code, _ in question.options}
    known |= {
        (mapping.clinic_system(BASE, "treatment_outcome"), code)
        for code, _ in codes.OUTCOMES
    }
    known |= {
        (mapping.clinic_system(BASE, "service"), code) for code, _ in codes.SERVICES
    }
    return known


def test_every_code_comes_from_a_named_catalogue(clinic_export):
    resources, _ = clinic_export
    codings = [
        coding
        for resource in _all(resources)
        for key in ("coding", "valueCoding")
        for found in walk(resource, key)
        for coding in (found if isinstance(found, list) else [found])
    ]
    sent = {(coding["system"], coding["code"]) for coding in codings}
    assert sent - _known_codes() == set()
    systems = {system for system, _ in sent}
    assert {t.LOINC, t.ICD10CM, t.SNOMED_CT, t.RXNORM} <= systems
    units = {
        (quantity["system"], quantity["code"])
        for quantity in walk(_all(resources), "valueQuantity")
    }
    assert units == {(t.UCUM, t.MM_HG), (t.UCUM, t.KILOGRAM)}


def test_the_catalogue_carries_its_rxnorm_codes():
    assert Drug.objects.get(name="propranolol").rxnorm_ingredient == "8787"
    assert Drug.objects.get(name="atenolol").rxnorm_ingredient == "1202"
    assert Drug.objects.get(name="lisinopril").rxnorm_ingredient == "29046"
    assert Drug.objects.get(name="sumatriptan").rxnorm_ingredient == "37418"
    assert Drug.objects.get(name="rimegepant").rxnorm_ingredient == "2282307"
    assert Drug.objects.get(name="erenumab").rxnorm_ingredient == ""
    names = {name for name, *_ in catalogue.DRUGS}
    assert set(catalogue.RXNORM_INGREDIENTS) <= names
    assert all(code.isdigit() for code in catalogue.RXNORM_INGREDIENTS.values())


def test_answers_are_items_and_options_of_the_questionnaire(clinic_export):
    resources, _ = clinic_export
    (form,) = resources["Questionnaire"]
    items = {item["linkId"]: item for item in form["item"]}
    for response in resources["QuestionnaireResponse"]:
        for answered in response["item"]:
            item = items[answered["linkId"]]
            if item["type"] != "choice":
                continue
            options = [option["valueCoding"] for option in item["answerOption"]]
            for answer in answered["answer"]:
                assert answer["valueCoding"] in options
            if not item.get("repeats"):
                assert len(answered["answer"]) == 1


def test_a_patient_is_exported_with_their_record_number_and_details(clinic_export):
    resources, _ = clinic_export
    full = Patient.objects.get(emergency_contact_name="Rosa Castillo")
    (patient,) = [r for r in resources["Patient"] if r["id"] == str(full.id)]
    assert patient["identifier"][0]["system"] == f"{BASE}/sid/record-number"
    assert patient["identifier"][0]["value"] == full.record_number
    assert patient["gender"] == "other"
    assert patient["birthDate"] == "1987-04-12"
    assert patient["communication"][0]["language"]["coding"][0]["code"] == "es"
    assert {contact["system"] for contact in patient["telecom"]} == {"phone", "email"}
    assert patient["contact"][0]["telecom"][0]["value"] == "7045550199"
    assert patient["meta"]["profile"] == [t.PROFILE_PATIENT]


def test_observations_carry_the_scores_and_measurements(clinic_export):
    resources, _ = clinic_export
    intake = Intake.objects.get(patient__emergency_contact_name="Rosa Castillo")
    by_id = {r["id"]: r for r in resources["Observation"]}
    total = by_id[f"{intake.id}-phq9-total"]
    assert total["valueInteger"] == scoring.phq9(intake.phq9_answers).total == 2
    assert by_id[f"{intake.id}-phq9"]["hasMember"] == [
        {"reference": f"Observation/{intake.id}-phq9-total"}
    ]
    systolic, diastolic = by_id[f"{intake.id}-bp"]["component"]
    assert systolic["valueQuantity"]["value"] == 122
    assert diastolic["valueQuantity"]["value"] == 78
    assert by_id[f"{intake.id}-weight"]["valueQuantity"]["value"] == 72.5
    # MIDAS and HIT-6 have no confirmed LOINC code: named in text, never coded.
    midas = by_id[f"{intake.id}-midas-total"]
    assert midas["code"] == {"text": t.MIDAS_TOTAL_TEXT}
    assert midas["valueInteger"] == scoring.midas(intake.midas_answers).total == 25
    hit6 = by_id[f"{intake.id}-hit6-total"]
    assert hit6["code"] == {"text": t.HIT6_TOTAL_TEXT}
    assert hit6["valueInteger"] == 62
    assert hit6["derivedFrom"] == [{"reference": f"QuestionnaireResponse/{intake.id}"}]
    (response,) = [
        r for r in resources["QuestionnaireResponse"] if r["id"] == str(intake.id)
    ]
    answers = {item["linkId"]: item["answer"] for item in response["item"]}
    assert answers["hit6_total"] == [{"valueInteger": 62}]


def test_treatments_carry_their_rxnorm_code_or_their_name(clinic_export):
    resources, _ = clinic_export
    intake = Intake.objects.get(patient__emergency_contact_name="Rosa Castillo")
    statements = [
        r
        for r in resources["MedicationStatement"]
        if r["subject"]["reference"] == f"Patient/{intake.patient_id}"
    ]
    by_name = {r["medicationCodeableConcept"]["text"]: r for r in statements}
    assert by_name["feverfew"]["medicationCodeableConcept"].get("coding") is None
    assert by_name["feverfew"]["status"] == "stopped"
    propranolol = by_name["propranolol"]
    assert propranolol["medicationCodeableConcept"]["coding"][0]["code"] == "8787"
    assert propranolol["statusReason"][0]["coding"][0]["code"] == "intolerable"


def test_a_treatments_dose_where_known_is_its_dosage_text(clinic_export):
    resources, _ = clinic_export
    intake = Intake.objects.get(patient__emergency_contact_name="Rosa Castillo")
    by_name = {
        r["medicationCodeableConcept"]["text"]: r
        for r in resources["MedicationStatement"]
        if r["subject"]["reference"] == f"Patient/{intake.patient_id}"
    }
    assert by_name["propranolol"]["dosage"] == [{"text": "40 mg twice daily"}]
    assert "dosage" not in by_name["feverfew"]


def test_referrals_are_service_requests_with_status_and_intent(clinic_export):
    resources, _ = clinic_export
    by_id = {r["id"]: r for r in resources["ServiceRequest"]}
    assert len(by_id) == Referral.objects.count()
    for referral in Referral.objects.all():
        request = by_id[str(referral.id)]
        assert request["status"] == t.SERVICE_REQUEST_STATUS[referral.status]
        assert request["code"]["coding"][0]["code"] == referral.service.code
        reasons = [reason["text"] for reason in referral.reasons]
        assert [r["text"] for r in request.get("reasonCode", [])] == reasons
    intents = {(r["status"], r["intent"]) for r in resources["ServiceRequest"]}
    assert {("active", "order"), ("revoked", "proposal"), ("draft", "proposal")} <= (
        intents
    )


def test_a_failed_export_leaves_the_last_one_whole(tmp_path, monkeypatch):
    PatientFactory()
    export.write_ndjson(tmp_path)
    before = (tmp_path / "Patient.ndjson").read_text()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(mapping, "patient", broken)
    with pytest.raises(RuntimeError):
        export.write_ndjson(tmp_path)
    assert (tmp_path / "Patient.ndjson").read_text() == before
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        f"{kind}.ndjson" for kind in export.RESOURCE_TYPES
    )


def test_the_export_reads_patients_in_chunks_not_one_by_one(tmp_path):
    for _ in range(6):
        intake_submit(intake=IntakeFactory())

    def queries(chunk_size: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            export.write_ndjson(tmp_path, chunk_size=chunk_size)
        return len(captured)

    # One query reads the patients, a chunk at a time; each chunk then costs four:
    # its patients' intakes, their treatments, referrals and routing decisions.
    patients = Patient.objects.count()
    assert queries(chunk_size=patients) == 1 + 4
    assert queries(chunk_size=(patients + 1) // 2) == 1 + 4 * 2


def test_the_command_records_the_export_in_the_audit_trail(tmp_path):
    PatientFactory()
    call_command("export_fhir", str(tmp_path), stdout=io.StringIO())
    entry = AuditEntry.objects.latest("pk")
    assert entry.additional_data == {
        "export": "FHIR bulk export",
        "patients_covered": Patient.objects.count(),
    }


def test_the_condition_carries_the_icd10_code_the_letters_derive(clinic_export):
    resources, _ = clinic_export
    conditions = {r["id"]: r for r in resources["Condition"]}
    assert conditions
    for decision in RoutingDecision.objects.current().select_related("intake"):
        intake = decision.intake
        latest = intake.patient.intakes.filter(status=Intake.Status.SUBMITTED).latest(
            "submitted_at"
        )
        if latest != intake or intake.diagnosis not in codes.MIGRAINE_DIAGNOSES:
            continue
        coded = conditions[str(intake.patient_id)]["code"]["coding"]
        icd = diagnosis_code(decision)
        assert coded[0] == {
            "system": t.ICD10CM,
            "code": icd.code,
            "display": icd.title,
        }
        assert coded[1]["system"] == t.SNOMED_CT


def test_an_intake_not_routed_yet_has_no_icd10_code(tmp_path):
    intake = intake_submit(intake=IntakeFactory())  # its routing task has not run
    export.write_ndjson(tmp_path)
    conditions = [
        json.loads(line)
        for line in (tmp_path / "Condition.ndjson").read_text().splitlines()
    ]
    (condition,) = [c for c in conditions if c["id"] == str(intake.patient_id)]
    assert [c["system"] for c in condition["code"]["coding"]] == [t.SNOMED_CT]


@pytest.mark.parametrize(
    "migration", ["0018_more_rxnorm_codes", "0020_rxnorm_codes_migraine_drugs"]
)
def test_a_clinic_migrated_before_the_new_codes_gets_them_and_keeps_its_own(
    migration,
):
    added = importlib.import_module(f"intake.migrations.{migration}")
    Drug.objects.filter(name__in=["atenolol", "sumatriptan", "verapamil"]).update(
        rxnorm_ingredient=""
    )
    Drug.objects.filter(name__in=["bisoprolol", "topiramate"]).update(
        rxnorm_ingredient="999"
    )

    added.code_catalogue(django_apps, None)

    coded = dict(Drug.objects.values_list("name", "rxnorm_ingredient"))
    assert coded["atenolol"] == "1202"
    assert coded["sumatriptan"] == "37418"
    assert coded["verapamil"] == "11170"
    assert coded["bisoprolol"] == "999"  # set by the clinic: left as it is
    assert coded["topiramate"] == "999"
    assert coded["erenumab"] == ""
