from django.apps import AppConfig


class HomeConfig(AppConfig):
    """Each role's home page in the admin: the day's work at a glance. Reads
    ``intake``, ``referrals``, the e-mail queue and sign-in locks; nothing imports
    this app."""

    name = "home"
    verbose_name = "Home"
