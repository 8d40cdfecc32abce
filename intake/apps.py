from django.apps import AppConfig

# Values that identify a patient or are free text: the audit trail records that they
# changed, never what they were or became.
PATIENT_MASKED_FIELDS = [
    "first_name_folded",
    "last_name_folded",
    "phone_reversed",
    "first_name",
    "last_name",
    "date_of_birth",
    "email",
    "mobile_phone",
    "emergency_contact_name",
    "emergency_contact_phone",
]
INTAKE_MASKED_FIELDS = [
    "consent_signature",
    "other_allergies",
    "other_medications",
    "safety_note",
]


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Intake"

    def ready(self):
        from clinic.audit import audit_register

        audit_register(self.get_model("Patient"), mask_fields=PATIENT_MASKED_FIELDS)
        audit_register(self.get_model("Intake"), mask_fields=INTAKE_MASKED_FIELDS)
        audit_register(self.get_model("TreatmentTrial"), mask_fields=["drug_name"])
        audit_register(self.get_model("Drug"))
        audit_register(
            self.get_model("PatientMerge"), mask_fields=["merged_details", "reason"]
        )
        audit_register(self.get_model("PatientAlias"))
        audit_register(
            self.get_model("IntakeAmendment"), mask_fields=["reason", "changes"]
        )
