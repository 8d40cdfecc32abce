"""What the clinic manager does to staff accounts: each a service, one transaction.

None of them can make a superuser, grant a raw permission, choose another person's
password or show a second-factor secret. A password is set only by its owner, through
a one-time link e-mailed to the address on the account; a second factor is linked only
by someone holding both the password and a one-time enrolment code.
"""

import datetime
import secrets
from dataclasses import dataclass

from auditlog import get_logentry_model
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice
from post_office import mail

from clinic import roles
from clinic.mail import render_text
from staff.models import (
    ENROLMENT_CODE_ALPHABET,
    ENROLMENT_CODE_LENGTH,
    ENROLMENT_CODE_VALIDITY,
    EnrolmentCode,
    StaffProfile,
    enrolment_code_hash,
)


class EnrolmentCodeInvalid(Exception):
    """The enrolment code is wrong, used already, replaced by a newer one or expired."""


@dataclass(frozen=True)
class IssuedCode:
    """An enrolment code as issued: shown once to the manager, never stored."""

    code: str
    expires_at: datetime.datetime


def _record(user: User, field: str, before: str, after: str) -> None:
    """An audit trail entry for an account event that changes no recorded field."""
    LogEntry = get_logentry_model()
    LogEntry.objects.log_create(
        user,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes={field: [before, after]},
    )


def _set_role(user: User, role: str) -> None:
    if role not in roles.ROLE_PERMISSIONS:
        raise ValidationError({"role": f"{role!r} is not a clinic role."})
    user.groups.set([Group.objects.get(name=role)])


def _password_link(user: User) -> str:
    path = reverse(
        "staff_password_set",
        args=[
            urlsafe_base64_encode(force_bytes(user.pk)),
            default_token_generator.make_token(user),
        ],
    )
    return settings.CLINIC_SITE_URL.rstrip("/") + path


def _send_password_link(user: User, template: str) -> None:
    context = {
        "user": user,
        "clinic_name": settings.CLINIC_NAME,
        "link": _password_link(user),
        "valid_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    subject = render_text(f"staff/email/{template}_subject.txt", context)
    mail.send(
        recipients=[user.email],
        subject=" ".join(subject.split()),
        message=render_text(f"staff/email/{template}.txt", context),
    )


def _new_code() -> str:
    symbols = "".join(
        secrets.choice(ENROLMENT_CODE_ALPHABET) for _ in range(ENROLMENT_CODE_LENGTH)
    )
    return "-".join(symbols[i : i + 4] for i in range(0, len(symbols), 4))


def enrolment_code_issue(*, user: User, by: User | None) -> IssuedCode:
    """Issue a one-time code to link an authenticator app, replacing any earlier one."""
    code = _new_code()
    now = timezone.now()
    with transaction.atomic():
        EnrolmentCode.objects.filter(user=user).delete()
        enrolment = EnrolmentCode(
            user=user,
            code_hash=enrolment_code_hash(code),
            issued_by=by,
            issued_at=now,
            expires_at=now + ENROLMENT_CODE_VALIDITY,
        )
        enrolment.full_clean(exclude=["user", "issued_by"])
        enrolment.save()
        _record(user, "second-factor enrolment code", "", "issued")
    return IssuedCode(code=code, expires_at=enrolment.expires_at)


def enrolment_code_redeem(*, user: User, code: str) -> TOTPDevice:
    """Spend the user's enrolment code on a new, unconfirmed authenticator device.

    Any earlier unconfirmed device is removed: its secret may have been seen by
    whoever started it.
    """
    with transaction.atomic():
        enrolment = EnrolmentCode.objects.select_for_update().filter(user=user).first()
        if enrolment is None or enrolment.is_expired or not enrolment.matches(code):
            raise EnrolmentCodeInvalid
        enrolment.delete()
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=False
        )


def staff_create(*, user: User, role: str, by: User) -> IssuedCode | None:
    """Create a staff account with one role and no password.

    The new member chooses their password through a one-time link e-mailed to them.
    A role that signs in with a second factor also gets an enrolment code, returned
    for the manager to hand over.
    """
    with transaction.atomic():
        user.is_staff = True
        user.is_superuser = False
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        _set_role(user, role)
        _send_password_link(user, "account_created")
        if role in roles.TWO_FACTOR_ROLES:
            return enrolment_code_issue(user=user, by=by)
    return None


def staff_update(
    *,
    user: User,
    role: str,
    credentials: str | None = None,
    npi: str | None = None,
) -> User:
    """Save the manager's changes to an account (names, active), set its one role and,
    when given, the credentials and NPI its letters print (its :class:`StaffProfile`).

    Deactivating an account ends its sessions: Django refuses inactive users on their
    next request.
    """
    with transaction.atomic():
        user.is_superuser = False
        user.full_clean(exclude=["password"])
        user.save()
        _set_role(user, role)
        if credentials is not None or npi is not None:
            profile, _ = StaffProfile.objects.get_or_create(user=user)
            if credentials is not None:
                profile.credentials = credentials.strip()
            if npi is not None:
                profile.npi = npi.strip()
            profile.full_clean()
            profile.save()
    return user


def staff_password_reset_start(*, user: User) -> None:
    """Turn the current password off and e-mail the owner a link to choose a new one.

    Every session signed in with the old password ends at its next request.
    """
    with transaction.atomic():
        user.set_unusable_password()
        user.save(update_fields=["password"])
        _send_password_link(user, "password_reset")
        _record(user, "password", "set", "reset: link e-mailed to the account")


def staff_second_factor_reset(*, user: User, by: User) -> IssuedCode:
    """Remove the account's authenticator devices and issue the enrolment code it
    links a new one with.

    A session verified with a removed device is no longer verified.
    """
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        _record(user, "second factor", "linked", "removed")
        return enrolment_code_issue(user=user, by=by)


def staff_unlock(*, user: User) -> int:
    """Clear the failed sign-ins that lock the account; return how many were cleared."""
    with transaction.atomic():
        cleared = axes_reset(username=user.username)
        _record(user, "sign-in", "locked", "unlocked")
    return cleared
