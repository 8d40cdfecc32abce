"""The load balancer's health check, and two-factor sign-in for staff."""

import base64

import qrcode
import qrcode.image.svg
from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.forms import TokenForm
from staff.forms import EnrolmentCodeForm
from staff.services import EnrolmentCodeInvalid, enrolment_code_redeem

# The session's key for the device its enrolment code bought.
ENROLLING_DEVICE = "two_factor_enrolling_device"


@never_cache
def health(request: HttpRequest) -> HttpResponse:
    """200 when this node can reach the database, 503 when it cannot.

    The load balancer asks every second and sends requests only to nodes that answer
    200: a node whose database connection is broken is taken out of rotation as
    surely as one that is down. One ``SELECT 1``, no session, no template.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse(
            "database unavailable\n", status=503, content_type="text/plain"
        )
    return HttpResponse("ok\n", content_type="text/plain")


def _context(request: HttpRequest, **extra) -> dict:
    return {**admin.site.each_context(request), **extra}


def _enrolment_code(request: HttpRequest) -> HttpResponse:
    """Ask for the enrolment code; a right one starts a new device for this session."""
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = enrolment_code_redeem(
                user=request.user, code=form.cleaned_data["code"]
            )
        except EnrolmentCodeInvalid:
            form.add_error(
                "code",
                "That code is not right, was used already or has expired. Ask the "
                "clinic manager for a new one.",
            )
        else:
            request.session[ENROLLING_DEVICE] = device.pk
            return redirect("two_factor_setup")
    return render(
        request,
        "registration/two_factor_enrol.html",
        _context(request, form=form, title="Set up two-step sign-in"),
    )


@never_cache
@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """Ask for the current code of the staff member's authenticator app."""
    if not TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("two_factor_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect("admin:index")
        form.add_error("token", "That code is not right, or it has expired.")
    return render(
        request,
        "registration/two_factor_verify.html",
        _context(request, form=form, title="Two-step sign-in"),
    )


@never_cache
@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Link an authenticator app to the account, confirmed by its first code.

    First the enrolment code the clinic manager issued: a password alone does not
    make its holder the owner of the account's second factor. The code buys one new
    device, whose secret only this session is shown.
    """
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("two_factor_verify")
    device = TOTPDevice.objects.filter(
        pk=request.session.get(ENROLLING_DEVICE), user=request.user, confirmed=False
    ).first()
    if device is None:
        return _enrolment_code(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save()
            del request.session[ENROLLING_DEVICE]
            otp_login(request, device)
            messages.success(request, "Two-step sign-in is set up.")
            return redirect("admin:index")
        form.add_error("token", "That code is not right, or it has expired.")
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/two_factor_setup.html",
        _context(
            request,
            form=form,
            qr_svg=mark_safe(image.to_string(encoding="unicode")),
            secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            title="Set up two-step sign-in",
        ),
    )
