from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes"

    def ready(self):
        from auditlog.registry import auditlog

        auditlog.register(self.get_model("TreatmentCourse"), mask_fields=["end_note"])
        auditlog.register(self.get_model("TreatmentSession"))
        auditlog.register(self.get_model("AdverseEvent"), mask_fields=["note"])
        # The patient's answers are recorded as changed, never by value.
        auditlog.register(
            self.get_model("FollowUp"),
            mask_fields=["token_hash", "side_effects"],
        )
