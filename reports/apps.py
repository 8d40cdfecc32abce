from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Operations reports and exports. Reads ``intake`` and ``referrals``; nothing
    imports this app."""

    name = "reports"
    verbose_name = "Reports"
