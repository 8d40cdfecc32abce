"""Staff accounts as the clinic manager sees them, and second-factor enrolment codes."""

import datetime
import hashlib
import hmac

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from clinic.validation import ChecksInOneQuery
from staff.npi import NPI_LENGTH, is_valid_npi

MANAGE_STAFF = "staff.manage_staff"

# A code the clinic manager hands over in person; long enough that guessing is
# hopeless, short enough to read out (32 symbols, no 0/O or 1/I: 60 bits).
ENROLMENT_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
ENROLMENT_CODE_LENGTH = 12
ENROLMENT_CODE_VALIDITY = datetime.timedelta(days=7)


class StaffAccount(User):
    """A staff member's login, managed by the clinic manager through the clinic's own
    forms (never Django's user admin, which can grant superuser status, raw
    permissions and set passwords)."""

    class Meta:
        proxy = True
        verbose_name = "staff account"
        verbose_name_plural = "staff accounts"
        default_permissions = ()
        permissions = [
            (
                "manage_staff",
                "Create and deactivate staff accounts, assign roles, start password "
                "and second-factor resets, unlock sign-in",
            )
        ]


def enrolment_code_hash(code: str) -> str:
    """SHA-256 of the code as typed, ignoring case, spaces and dashes."""
    normalised = "".join(code.split()).replace("-", "").upper()
    return hashlib.sha256(normalised.encode()).hexdigest()


class EnrolmentCode(ChecksInOneQuery, models.Model):
    """The one-time code a staff member needs, besides their password, to link an
    authenticator app: whoever learns a password alone cannot own the second factor.

    Only its hash is stored; issuing a new code replaces the old one, and using it
    deletes it.
    """

    # CASCADE: a code means nothing without its account.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="enrolment_code",
    )
    code_hash = models.CharField(max_length=64)
    # SET_NULL: the record of who issued a code outlives the issuer's account.
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("issued_at")),
                name="enrolment_code_expires_after_issue",
            )
        ]

    def __str__(self) -> str:
        return f"Enrolment code of user {self.user_id}"

    def matches(self, code: str) -> bool:
        return hmac.compare_digest(self.code_hash, enrolment_code_hash(code))

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


def validate_npi(value: str) -> None:
    if not is_valid_npi(value):
        raise ValidationError(
            f"An NPI is {NPI_LENGTH} digits and its last digit checks the others: "
            "this one does not. Copy it again from the NPI registry."
        )


class StaffProfile(ChecksInOneQuery, models.Model):
    """What letters print about a staff member beside their name, filled by the
    clinic manager: credentials and National Provider Identifier."""

    # CASCADE: the profile describes its account and means nothing without it;
    # accounts are deactivated, never deleted.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
    )
    credentials = models.CharField(
        "credentials",
        max_length=60,
        blank=True,
        help_text="Printed after the name on letters, e.g. MD or DO, FAHS.",
    )
    npi = models.CharField(
        "NPI",
        max_length=NPI_LENGTH,
        blank=True,
        validators=[validate_npi],
        help_text="National Provider Identifier, 10 digits (NPPES registry). "
        "Physicians' letters print it; insurers require it.",
    )

    class Meta:
        verbose_name = "staff profile"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(npi="") | models.Q(npi__regex=r"^[0-9]{10}$"),
                name="staff_profile_npi_ten_digits",
            ),
            models.UniqueConstraint(
                fields=["npi"],
                condition=~models.Q(npi=""),
                name="staff_profile_npi_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"Staff profile of user {self.user_id}"
