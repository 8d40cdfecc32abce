"""Session rules for staff: idle timeout and two-factor authentication."""

import time

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from clinic import roles
from clinic.net import client_address

LAST_SEEN = "staff_last_seen"
LAST_SEEN_RESOLUTION = 60


class StaffIdleTimeoutMiddleware:
    """End a staff session after ``STAFF_IDLE_TIMEOUT`` seconds without a request.

    Patients' sessions are left alone: their drafts are saved on the server and they
    may pause for longer while filling a step.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_staff:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN, now)
            if now - last_seen > settings.STAFF_IDLE_TIMEOUT:
                logout(request)
                messages.info(
                    request, "You were signed out after a period of inactivity."
                )
                return redirect(f"{reverse('admin:login')}?next={request.path}")
            if (
                now - last_seen > LAST_SEEN_RESOLUTION
                or LAST_SEEN not in request.session
            ):
                # A session write on every request costs a query; a minute's
                # resolution is plenty for a 15-minute timeout.
                request.session[LAST_SEEN] = now
        return self.get_response(request)


class RequireTwoFactorMiddleware:
    """Send physicians and managers to verify a one-time password before any staff page.

    On when ``REQUIRE_2FA`` is set (the default when debug is off). A member without a
    confirmed device is sent to set one up first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.REQUIRE_2FA
            and user is not None
            and user.is_authenticated
            and roles.requires_two_factor(user)
            and not user.is_verified()
            and request.path.startswith("/admin/")
            and request.path != reverse("admin:logout")
        ):
            return redirect("two_factor_verify")
        return self.get_response(request)


class AuditMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware, trusting X-Forwarded-For only from our proxies.

    The stock one records the first X-Forwarded-For entry, which any client can write;
    the audit trail records the address the load balancer saw instead.
    """

    @staticmethod
    def _get_remote_addr(request):
        return client_address(request) or None
