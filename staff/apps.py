from django.apps import AppConfig

# What the audit trail records of an account: who created it, gave it which role, or
# turned it off. Never its password or sign-in times.
ACCOUNT_AUDITED_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
]


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = "Staff"

    def ready(self):
        from auditlog.registry import auditlog
        from django.contrib.auth import get_user_model

        # The staff pages save accounts as the StaffAccount proxy, whose saves are
        # signalled under its own name.
        for model in (get_user_model(), self.get_model("StaffAccount")):
            auditlog.register(
                model, include_fields=ACCOUNT_AUDITED_FIELDS, m2m_fields={"groups"}
            )
        auditlog.register(self.get_model("StaffProfile"))
