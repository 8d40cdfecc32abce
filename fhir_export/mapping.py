"""One patient's records as FHIR R4 (4.0.1) resources, as plain dicts.

Each function reads the model instances it is given (their related rows already
fetched by the caller, ``fhir_export.selectors``) and runs no query, so the bulk
export and one patient's Bundle build the same resources. Codes, systems
and profiles come from ``fhir_export.terminology``; the diagnosis codes from
``intake.codes``, the drug codes from the catalogue (``Drug.rxnorm_ingredient``).

Ids: a patient, an intake (its QuestionnaireResponse and Consent) and a referral
keep their own UUIDs; the rest are derived from them, so exporting twice gives the
same ids and every reference points at a resource the export contains.
"""

import functools
from collections.abc import Iterator
from decimal import Decimal
from typing import NamedTuple

from django.db import models

from clinic.fields import CodeListField
from fhir_export import terminology as t
from intake import codes, scoring
from intake.models import Intake, Language, Patient, TreatmentTrial
from referrals.icd10 import Icd10Code, migraine_code
from referrals.models import Referral

# Intake fields that are no answer of the patient's form: bookkeeping, the staff's
# safety clearance, and the signature (exported as the Consent).
NOT_ASKED = frozenset(
    {
        "id",
        "created",
        "modified",
        "patient",
        "status",
        "source",
        "entered_by",
        "submitted_at",
        "moh_plan_documented",
        "safety_cleared_at",
        "safety_cleared_by",
        "safety_note",
        "consent_version",
        "consent_language",
        "consent_signature",
        "consent_signed_at",
    }
)
PHQ9_FIELDS = [f"phq9_{n}" for n in range(1, 10)]
# Labels by code, looked up once (``get_FOO_display`` costs more per call).
LANGUAGE_NAMES = dict(Language.choices)
DIAGNOSIS_LABELS = dict(codes.DIAGNOSES)
INTENT_LABELS = dict(codes.INTENTS)
OUTCOME_LABELS = dict(codes.OUTCOMES)
REFERRAL_STATUS_LABELS = dict(Referral.Status.choices)
REFERRAL_OUTCOME_LABELS = dict(Referral.Outcome.choices)


def reference(resource_type: str, resource_id) -> dict:
    return {"reference": f"{resource_type}/{resource_id}"}


def coding(system: str, code_and_display: tuple[str, str]) -> dict:
    code, display = code_and_display
    return {"system": system, "code": code, "display": display}


def concept(system: str, code_and_display: tuple[str, str]) -> dict:
    return {"coding": [coding(system, code_and_display)], "text": code_and_display[1]}


def clinic_system(base: str, name: str) -> str:
    """The URI of one of the clinic's own code systems (answers, services...)."""
    return f"{base}/CodeSystem/{name.replace('_', '-')}"


def record_number_system(base: str) -> str:
    return f"{base}/sid/record-number"


def questionnaire_url(base: str) -> str:
    return f"{base}/Questionnaire/intake"


def _instant(moment) -> str:
    return moment.isoformat()


# The form -----------------------------------------------------------------------


class Question(NamedTuple):
    """One question of the intake form, as the Questionnaire asks it."""

    name: str
    attname: str
    text: str
    kind: str  # the Questionnaire item type
    options: list[tuple[str, str]]  # (code, label) of a choice
    repeats: bool
    phq9_index: int | None


def _options(field: models.Field) -> list[tuple[str, str]]:
    if isinstance(field, CodeListField):
        return [(code, str(label)) for code, label in field.options]
    return [(str(code), str(label)) for code, label in field.choices or []]


def _item_type(field: models.Field) -> str:
    if field.name in PHQ9_FIELDS or _options(field):
        return "choice"
    if isinstance(field, models.BooleanField):
        return "boolean"
    if isinstance(field, models.DecimalField):
        return "decimal"
    if isinstance(field, models.IntegerField):
        return "integer"
    if isinstance(field, models.TextField):
        return "text"
    return "string"


@functools.cache
def questions() -> tuple[Question, ...]:
    """The intake's answers, in the form's order: the Questionnaire's items."""
    return tuple(
        Question(
            name=field.name,
            attname=field.attname,
            text=str(field.verbose_name),
            kind=_item_type(field),
            options=_options(field),
            repeats=isinstance(field, CodeListField),
            phq9_index=PHQ9_FIELDS.index(field.name)
            if field.name in PHQ9_FIELDS
            else None,
        )
        for field in Intake._meta.concrete_fields
        if field.name not in NOT_ASKED
    )


def _phq9_answer(value: int) -> dict:
    return coding(
        t.LOINC, (t.PHQ9_ANSWER_CODES[value], dict(scoring.PHQ9_ANSWERS)[value])
    )


@functools.cache
def _answer_codings(base: str) -> dict[str, dict]:
    """Each choice question's codings by code (shared: never changed once built)."""
    codings = {}
    for question in questions():
        if question.phq9_index is not None:
            codings[question.name] = {
                value: _phq9_answer(value) for value, _ in scoring.PHQ9_ANSWERS
            }
        elif question.options:
            system = clinic_system(base, question.name)
            codings[question.name] = {
                code: coding(system, (code, label)) for code, label in question.options
            }
    return codings


def _question_item(question: Question, base: str) -> dict:
    item = {"linkId": question.name, "text": question.text, "type": question.kind}
    if question.phq9_index is not None:
        # No display: the item's text is the clinic's wording, not LOINC's name.
        item["code"] = [
            {"system": t.LOINC, "code": t.PHQ9_ITEM_CODES[question.phq9_index]}
        ]
    if question.kind == "choice":
        item["answerOption"] = [
            {"valueCoding": value}
            for value in _answer_codings(base)[question.name].values()
        ]
    if question.repeats:
        item["repeats"] = True
    return item


def questionnaire(*, base: str) -> dict:
    """The Questionnaire describing the intake form; every response points at it."""
    return {
        "resourceType": "Questionnaire",
        "id": "intake",
        "url": questionnaire_url(base),
        "name": "MigraineClinicIntake",
        "title": "Migraine clinic intake",
        "status": "active",
        "subjectType": ["Patient"],
        "item": [_question_item(question, base) for question in questions()],
    }


def _answers(question: Question, value, base: str) -> list[dict]:
    if question.kind == "choice":
        codings = _answer_codings(base)[question.name]
        values = value if question.repeats else [value]
        return [{"valueCoding": codings[code]} for code in values]
    if question.kind == "boolean":
        return [{"valueBoolean": value}]
    if question.kind == "decimal":
        return [{"valueDecimal": float(value)}]
    if question.kind == "integer":
        return [{"valueInteger": value}]
    return [{"valueString": value}]


def questionnaire_response(intake: Intake, *, base: str) -> dict:
    """The submitted intake's answers; unanswered questions are left out."""
    items = []
    for question in questions():
        value = getattr(intake, question.attname)
        if value is None or value == "" or value == []:
            continue
        items.append(
            {
                "linkId": question.name,
                "text": question.text,
                "answer": _answers(question, value, base),
            }
        )
    resource = {
        "resourceType": "QuestionnaireResponse",
        "id": str(intake.id),
        "meta": {"profile": [t.PROFILE_QUESTIONNAIRE_RESPONSE]},
        "questionnaire": questionnaire_url(base),
        "status": "completed",
        "subject": reference("Patient", intake.patient_id),
        "authored": _instant(intake.submitted_at),
        "item": items,
    }
    if intake.source == Intake.Source.ONLINE:
        resource["author"] = reference("Patient", intake.patient_id)
    resource["source"] = reference("Patient", intake.patient_id)
    return resource


# The patient --------------------------------------------------------------------


def patient(patient: Patient, *, base: str) -> dict:
    """The patient: record number, name, birth date, gender, contacts, language."""
    resource = {
        "resourceType": "Patient",
        "id": str(patient.id),
        "meta": {"profile": [t.PROFILE_PATIENT]},
        "identifier": [
            {
                "use": "usual",
                "type": concept(
                    t.IDENTIFIER_TYPE,
                    (t.MEDICAL_RECORD_NUMBER, "Medical record number"),
                ),
                "system": record_number_system(base),
                "value": patient.record_number,
            }
        ],
        "name": [
            {
                "use": "official",
                "family": patient.last_name,
                "given": [patient.first_name],
            }
        ],
        "gender": t.GENDER[patient.sex],
        "birthDate": patient.date_of_birth.isoformat(),
        "communication": [
            {
                "language": concept(
                    t.BCP47,
                    (
                        patient.preferred_language,
                        LANGUAGE_NAMES[patient.preferred_language],
                    ),
                ),
                "preferred": True,
            }
        ],
    }
    telecom = []
    if patient.mobile_phone:
        telecom.append(
            {"system": "phone", "value": patient.mobile_phone, "use": "mobile"}
        )
    if patient.email:
        telecom.append({"system": "email", "value": patient.email})
    if telecom:
        resource["telecom"] = telecom
    if patient.emergency_contact_name or patient.emergency_contact_phone:
        contact = {
            "relationship": [
                concept(t.CONTACT_ROLE, (t.EMERGENCY_CONTACT, "Emergency Contact"))
            ]
        }
        if patient.emergency_contact_name:
            contact["name"] = {"text": patient.emergency_contact_name}
        if patient.emergency_contact_phone:
            contact["telecom"] = [
                {"system": "phone", "value": patient.emergency_contact_phone}
            ]
        resource["contact"] = [contact]
    return resource


def _icd10(intake: Intake) -> Icd10Code | None:
    """The ICD-10-CM code derived from the intake's current routing decision."""
    decisions = getattr(intake, "current_decisions", [])
    if not decisions or decisions[0].chronic is None:
        return None  # not routed (yet): chronic and intractable are not known
    return migraine_code(
        diagnosis=intake.diagnosis,
        chronic=bool(decisions[0].chronic),
        intractable=bool(decisions[0].resistant),
    )


def condition(patient: Patient, intake: Intake, *, base: str) -> dict | None:
    """The migraine the patient reported in ``intake``, if they reported migraine.

    SNOMED CT from the diagnosis; ICD-10-CM derived as the referral letters derive
    it (``referrals.icd10``), from the intake's current routing decision, so only
    once the intake is routed. Unconfirmed: the patient's account and the engine's
    reading of it, not a physician's diagnosis.
    """
    if intake.diagnosis not in codes.MIGRAINE_DIAGNOSES:
        return None
    coded = [coding(t.SNOMED_CT, codes.DIAGNOSIS_SNOMED[intake.diagnosis])]
    notes = ["As the patient reported it at intake."]
    icd = _icd10(intake)
    if icd is not None:
        coded.insert(0, coding(t.ICD10CM, (icd.code, icd.title)))
        notes.append(f"ICD-10-CM code derived from the intake: {icd.basis}.")
    resource = {
        "resourceType": "Condition",
        "id": str(patient.id),
        "meta": {"profile": [t.PROFILE_CONDITION]},
        "clinicalStatus": concept(t.CONDITION_CLINICAL, ("active", "Active")),
        "verificationStatus": concept(
            t.CONDITION_VERIFICATION, ("unconfirmed", "Unconfirmed")
        ),
        "category": [
            concept(t.CONDITION_CATEGORY, ("problem-list-item", "Problem List Item"))
        ],
        "code": {"coding": coded, "text": DIAGNOSIS_LABELS[intake.diagnosis]},
        "subject": reference("Patient", patient.id),
        "recordedDate": _instant(intake.submitted_at),
        "evidence": [{"detail": [reference("QuestionnaireResponse", intake.id)]}],
        "note": [{"text": text} for text in notes],
    }
    if intake.onset_age is not None:
        resource["onsetAge"] = {
            "value": intake.onset_age,
            "unit": "years",
            "system": t.UCUM,
            "code": "a",
        }
    return resource


# Observations -------------------------------------------------------------------


def _observation(intake: Intake, suffix: str, category: tuple[str, str], code: dict):
    return {
        "resourceType": "Observation",
        "id": f"{intake.id}-{suffix}",
        "status": "final",
        "category": [concept(t.OBSERVATION_CATEGORY, category)],
        "code": code,
        "subject": reference("Patient", intake.patient_id),
        "effectiveDateTime": _instant(intake.submitted_at),
    }


SURVEY = ("survey", "Survey")
VITAL_SIGNS = ("vital-signs", "Vital Signs")


def _quantity(value, unit: str) -> dict:
    number = float(value) if isinstance(value, Decimal) else value
    return {"value": number, "unit": unit, "system": t.UCUM, "code": unit}


def observations(intake: Intake) -> list[dict]:
    """PHQ-9 (panel and total), MIDAS and HIT-6 totals, blood pressure and weight,
    where answered."""
    found = []
    response = [reference("QuestionnaireResponse", intake.id)]
    if intake.phq9_answers is not None:
        total = _observation(
            intake, "phq9-total", SURVEY, concept(t.LOINC, t.PHQ9_TOTAL)
        )
        total["meta"] = {"profile": [t.PROFILE_SCREENING]}
        total["valueInteger"] = scoring.phq9(intake.phq9_answers).total
        total["derivedFrom"] = response
        panel = _observation(intake, "phq9", SURVEY, concept(t.LOINC, t.PHQ9_PANEL))
        panel["meta"] = {"profile": [t.PROFILE_SCREENING]}
        panel["hasMember"] = [reference("Observation", total["id"])]
        panel["derivedFrom"] = response
        found += [panel, total]
    disability = [
        ("midas-total", t.MIDAS_TOTAL_TEXT, intake.midas_answers, scoring.midas),
        ("hit6-total", t.HIT6_TOTAL_TEXT, intake.hit6_total, scoring.hit6),
    ]
    for suffix, text, answered, score in disability:
        if answered is not None:
            found.append(
                _observation(intake, suffix, SURVEY, {"text": text})
                | {"valueInteger": score(answered).total, "derivedFrom": response}
            )
    if intake.bp_systolic is not None:
        pressure = _observation(
            intake, "bp", VITAL_SIGNS, concept(t.LOINC, t.BLOOD_PRESSURE_PANEL)
        )
        pressure["meta"] = {"profile": [t.PROFILE_BLOOD_PRESSURE]}
        pressure["component"] = [
            {
                "code": concept(t.LOINC, t.SYSTOLIC),
                "valueQuantity": _quantity(intake.bp_systolic, t.MM_HG),
            },
            {
                "code": concept(t.LOINC, t.DIASTOLIC),
                "valueQuantity": _quantity(intake.bp_diastolic, t.MM_HG),
            },
        ]
        found.append(pressure)
    if intake.weight_kg is not None:
        weight = _observation(
            intake, "weight", VITAL_SIGNS, concept(t.LOINC, t.BODY_WEIGHT)
        )
        weight["meta"] = {"profile": [t.PROFILE_BODY_WEIGHT]}
        weight["valueQuantity"] = _quantity(intake.weight_kg, t.KILOGRAM)
        found.append(weight)
    return found


# Treatments tried ---------------------------------------------------------------


def _treatment_note(trial: TreatmentTrial) -> list[dict]:
    intent = INTENT_LABELS[trial.intent]
    weeks = "" if trial.weeks is None else f"; {trial.weeks} weeks at full dose"
    return [{"text": f"{intent}{weeks}."}]


def _outcome(trial: TreatmentTrial, base: str) -> dict:
    return concept(
        clinic_system(base, "treatment_outcome"),
        (trial.outcome, OUTCOME_LABELS[trial.outcome]),
    )


def treatment(trial: TreatmentTrial, intake: Intake, *, base: str) -> dict:
    """A treatment tried: a MedicationStatement, or a Procedure if not a drug."""
    tried = {
        "id": f"treatment-{trial.pk}",
        "subject": reference("Patient", intake.patient_id),
        "note": _treatment_note(trial),
    }
    if trial.treatment_class == codes.NON_DRUG_CLASS[0]:
        return {
            "resourceType": "Procedure",
            **tried,
            "status": t.PROCEDURE_STATUS[trial.outcome],
            "code": {"text": trial.name},
            "outcome": _outcome(trial, base),
        }
    medication = {"text": trial.name}
    if trial.drug_id and trial.drug.rxnorm_ingredient:
        # No display: the catalogue's name is not always RxNorm's (paracetamol,
        # valproate); the text carries it.
        medication["coding"] = [
            {"system": t.RXNORM, "code": trial.drug.rxnorm_ingredient}
        ]
    statement = {
        "resourceType": "MedicationStatement",
        **tried,
        "status": t.MEDICATION_STATEMENT_STATUS[trial.outcome],
        "statusReason": [_outcome(trial, base)],
        "medicationCodeableConcept": medication,
        "dateAsserted": _instant(intake.submitted_at),
        "informationSource": reference("Patient", intake.patient_id),
        "derivedFrom": [reference("QuestionnaireResponse", intake.id)],
    }
    if trial.dose:
        # Free text as the patient or the front desk wrote it ("100 mg daily"):
        # Dosage.text, with no structured dose it could be mistaken for.
        statement["dosage"] = [{"text": trial.dose}]
    return statement


# Referrals and consent ----------------------------------------------------------


def service_request(referral: Referral, intake: Intake, *, base: str) -> dict:
    """A referral: the service, where it stands, the engine's reasons, the note."""
    approved = referral.decided_at is not None and (
        referral.status != referral.Status.DECLINED
    )
    resource = {
        "resourceType": "ServiceRequest",
        "id": str(referral.id),
        "meta": {"profile": [t.PROFILE_SERVICE_REQUEST]},
        "status": t.SERVICE_REQUEST_STATUS[referral.status],
        "intent": "order" if approved else "proposal",
        "code": concept(
            clinic_system(base, "service"),
            (referral.service.code, referral.service.name),
        ),
        "subject": reference("Patient", intake.patient_id),
        "authoredOn": _instant(referral.created),
        "supportingInfo": [reference("QuestionnaireResponse", intake.id)],
    }
    reasons = [{"text": reason["text"]} for reason in referral.reasons]
    if reasons:
        resource["reasonCode"] = reasons
    notes = [
        text
        for text in (
            f"Referral status: {REFERRAL_STATUS_LABELS[referral.status]}.",
            "Routing engine's outcome: "
            f"{REFERRAL_OUTCOME_LABELS[referral.recommended_outcome]}.",
            "A physician overrode the routing engine." if referral.override else "",
            referral.note,
            referral.rereview_reason,
        )
        if text
    ]
    resource["note"] = [{"text": text} for text in notes]
    return resource


def consent(intake: Intake) -> dict | None:
    """The consent the patient signed with the intake, if signed."""
    if not intake.consent_signature:
        return None
    resource = {
        "resourceType": "Consent",
        "id": str(intake.id),
        "status": "active",
        "scope": concept(t.CONSENT_SCOPE, t.CONSENT_PRIVACY),
        "category": [concept(t.LOINC, t.CONSENT_CATEGORY)],
        "patient": reference("Patient", intake.patient_id),
        "dateTime": _instant(intake.consent_signed_at or intake.submitted_at),
        "sourceReference": reference("QuestionnaireResponse", intake.id),
        "policyRule": concept(t.ACT_CODE, t.CONSENT_OPT_IN),
    }
    if intake.consent_version:
        resource["policyRule"]["text"] = (
            f"Consent text version {intake.consent_version}"
        )
    if intake.consent_language:
        resource["language"] = intake.consent_language
    return resource


def patient_resources(patient_row: Patient, intakes, *, base: str) -> Iterator[dict]:
    """Every resource of one patient, given their submitted intakes, oldest first.

    Each intake's ``treatments`` (with ``drug``) and ``referrals`` (with
    ``service``) must already be fetched.
    """
    yield patient(patient_row, base=base)
    if intakes:
        diagnosis = condition(patient_row, intakes[-1], base=base)
        if diagnosis is not None:
            yield diagnosis
    for intake in intakes:
        yield questionnaire_response(intake, base=base)
        yield from observations(intake)
        for trial in intake.treatments.all():
            yield treatment(trial, intake, base=base)
        for referral in intake.referrals.all():
            yield service_request(referral, intake, base=base)
        signed = consent(intake)
        if signed is not None:
            yield signed
