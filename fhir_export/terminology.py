"""The code systems, codes and profiles of the FHIR export, each with its source.

Pure data. FHIR R4 is version 4.0.1 (hl7.org/fhir/R4). The clinic's own answers and
codes (a diagnosis as the patient knows it, a trigger, a treatment outcome) go out in
code systems under the clinic's base URI (``settings.CLINIC_FHIR_BASE_URI``), never
dressed up as codes of a standard terminology. The drug codes live with the drug
catalogue (``intake/catalogue.py``), the diagnosis codes with the diagnoses
(``intake/codes.py``).
"""

FHIR_VERSION = "4.0.1"

# Code systems (FHIR R4, "Using Codes in Resources", terminologies.html: the URIs
# to use for external code systems).
LOINC = "http://loinc.org"
SNOMED_CT = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
UCUM = "http://unitsofmeasure.org"
BCP47 = "urn:ietf:bcp:47"
# HL7 Terminology (THO) code systems used by R4's own value sets.
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
CONTACT_ROLE = "http://terminology.hl7.org/CodeSystem/v2-0131"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"

# US Core 6.1.0 (hl7.org/fhir/us/core/STU6.1, built on FHIR R4 4.0.1). US Core has
# no profile for Questionnaire, MedicationStatement, Procedure or Consent: those
# resources declare none.
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
PROFILE_PATIENT = US_CORE + "us-core-patient"
PROFILE_CONDITION = US_CORE + "us-core-condition-problems-health-concerns"
PROFILE_QUESTIONNAIRE_RESPONSE = US_CORE + "us-core-questionnaireresponse"
PROFILE_SCREENING = US_CORE + "us-core-observation-screening-assessment"
PROFILE_BLOOD_PRESSURE = US_CORE + "us-core-blood-pressure"
PROFILE_BODY_WEIGHT = US_CORE + "us-core-body-weight"
PROFILE_SERVICE_REQUEST = US_CORE + "us-core-servicerequest"

# v2 table 0203 "MR": medical record number; v2 table 0131 "C": emergency contact.
MEDICAL_RECORD_NUMBER = "MR"
EMERGENCY_CONTACT = "C"

# LOINC (loinc.org). PHQ-9: panel 44249-1 "PHQ-9 quick depression assessment panel
# [Reported.PHQ]", total 44261-6 "Patient Health Questionnaire 9 item (PHQ-9) total
# score [Reported]", its nine items in the order of ``intake.scoring.PHQ9_ITEMS``
# and its answer list LL358-3 in the order of ``intake.scoring.PHQ9_ANSWERS``.
PHQ9_PANEL = ("44249-1", "PHQ-9 quick depression assessment panel [Reported.PHQ]")
PHQ9_TOTAL = (
    "44261-6",
    "Patient Health Questionnaire 9 item (PHQ-9) total score [Reported]",
)
PHQ9_ITEM_CODES = [
    "44250-9",
    "44255-8",
    "44259-0",
    "44254-1",
    "44251-7",
    "44258-2",
    "44252-5",
    "44253-3",
    "44260-8",
]
PHQ9_ANSWER_CODES = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
# Vital signs (FHIR R4 vital signs profile, observation-vitalsigns.html).
BLOOD_PRESSURE_PANEL = ("85354-9", "Blood pressure panel with all children optional")
SYSTOLIC = ("8480-6", "Systolic blood pressure")
DIASTOLIC = ("8462-4", "Diastolic blood pressure")
BODY_WEIGHT = ("29463-7", "Body weight")
MM_HG = "mm[Hg]"
KILOGRAM = "kg"
# MIDAS and HIT-6 totals: no LOINC code for either could be confirmed (HIT-6 is
# licensed by QualityMetric; loinc.org could not be reached). Searched again on
# 2026-11-30 in public LOINC tables, LHC-Forms and FHIR implementation guides'
# questionnaires and value sets (US Core survey codes, PACIO, the MII PRO guide): none
# lists a code for either. Their Observations therefore name what they
# are in text alone (a CodeableConcept without a coding, which R4 allows), never an
# invented code; add the LOINC coding here with its source once the clinic confirms one.
MIDAS_TOTAL_TEXT = "MIDAS total score (Migraine Disability Assessment)"
HIT6_TOTAL_TEXT = "HIT-6 total score (Headache Impact Test)"

# LOINC 59284-0 "Patient Consent": R4's consent-category value set.
CONSENT_CATEGORY = ("59284-0", "Patient Consent")
# R4 consentscope "patient-privacy"; v3 ActCode "OPTIN" (R4's consent-policy
# examples): the patient agreed to the clinic storing and using their answers.
CONSENT_PRIVACY = ("patient-privacy", "Privacy Consent")
CONSENT_OPT_IN = ("OPTIN", "opt-in")

# Patient.gender is FHIR's administrative-gender: male | female | other | unknown.
GENDER = {
    "female": "female",
    "male": "male",
    "intersex": "other",
    "undisclosed": "unknown",
}

# MedicationStatement.status (R4 medication-statement-status) for each outcome of a
# treatment tried (``intake.codes.OUTCOMES``): still taken is active; one that did
# not work or was not tolerated was stopped; one not allowed was never taken; one
# that helped is recorded as a finished course.
MEDICATION_STATEMENT_STATUS = {
    "ongoing": "active",
    "helped": "completed",
    "ineffective": "stopped",
    "intolerable": "stopped",
    "contraindicated": "not-taken",
}
# Procedure.status (R4 event-status) for a non-drug treatment tried.
PROCEDURE_STATUS = {
    "ongoing": "in-progress",
    "helped": "completed",
    "ineffective": "completed",
    "intolerable": "stopped",
    "contraindicated": "not-done",
}

# ServiceRequest.status (R4 request-status) for each referral status: a referral
# waiting for a physician is a draft proposal; approved and scheduled ones are
# active orders; a waitlisted one is on hold until the service opens; declined and
# cancelled ones are revoked. ``intent`` is "order" once a physician approved it,
# "proposal" before (the routing engine's recommendation).
SERVICE_REQUEST_STATUS = {
    "waitlisted": "on-hold",
    "pending_review": "draft",
    "approved": "active",
    "scheduled": "active",
    "completed": "completed",
    "declined": "revoked",
    "cancelled": "revoked",
}
