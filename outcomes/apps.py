from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = "Outcomes"

    def ready(self):
        from auditlog.registry import auditlog

        # The one hand-off from referrals: a scheduled referral opens its course.
        from outcomes.receivers import open_course_for_scheduled_referral
        from referrals.signals import referral_scheduled

        referral_scheduled.connect(
            open_course_for_scheduled_referral,
            dispatch_uid="outcomes.open_course_for_scheduled_referral",
        )

        auditlog.register(self.get_model("TreatmentCourse"), mask_fields=["end_note"])
        auditlog.register(self.get_model("TreatmentSession"))
        auditlog.register(self.get_model("AdverseEvent"), mask_fields=["note"])
        # The patient's answers are recorded as changed, never by value.
        auditlog.register(
            self.get_model("FollowUp"),
            mask_fields=["token_hash", "side_effects", "draft_answers"],
        )
