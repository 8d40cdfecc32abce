from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals"

    def ready(self):
        from clinic.audit import audit_register

        # The one hand-off from intake: a submitted intake is routed (STYLE.md).
        from intake.signals import intake_submitted
        from referrals.receivers import route_submitted_intake

        intake_submitted.connect(
            route_submitted_intake, dispatch_uid="referrals.route_submitted_intake"
        )

        # Free-text notes and the facts snapshot (the patient's answers) are recorded
        # in the audit trail as changed, never by value.
        audit_register(
            self.get_model("RoutingDecision"), mask_fields=["facts", "cleared_note"]
        )
        audit_register(
            self.get_model("Referral"),
            mask_fields=["note", "rereview_reason", "cancel_reason"],
        )
        audit_register(self.get_model("Service"))
