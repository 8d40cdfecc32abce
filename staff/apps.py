from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "staff"
    verbose_name = "Staff"

    def ready(self):
        from auditlog.registry import auditlog
        from django.contrib.auth import get_user_model

        # Who created an account, gave it which role, or turned it off. Passwords and
        # sign-in times are not recorded.
        auditlog.register(
            get_user_model(),
            include_fields=[
                "username",
                "first_name",
                "last_name",
                "email",
                "is_active",
                "is_staff",
                "is_superuser",
            ],
            m2m_fields={"groups"},
        )
