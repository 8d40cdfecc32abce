"""The language of each page: the patient's choice in public, English for staff."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

# Staff pages: the admin and the two-factor sign-in. They stay in English whatever
# the browser asks for or a patient chose on the same tablet.
STAFF_PATH_PREFIXES = ("/admin/", "/staff/")


class PatientLocaleMiddleware(LocaleMiddleware):
    """Django's ``LocaleMiddleware`` for the public pages only.

    A public page is in the language the patient chose with the switch (Django's
    language cookie), or else the first of ``LANGUAGES`` their browser asks for in
    ``Accept-Language``. Staff pages are always in ``LANGUAGE_CODE``.
    """

    def process_request(self, request):
        if request.path_info.startswith(STAFF_PATH_PREFIXES):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = translation.get_language()
            return
        super().process_request(request)
