"""The clinic manager's forms for staff accounts, and the enrolment-code form.

They hold only what a clinic role may set: names, e-mail (at creation), one role,
whether the account is active. No superuser flag, no permissions, no password.
"""

from django import forms
from django.contrib.auth.forms import UsernameField

from clinic import roles
from staff.models import StaffAccount, StaffProfile, validate_npi
from staff.npi import NPI_LENGTH

ROLE_CHOICES = [(role, role) for role in roles.ROLE_PERMISSIONS]


class RoleField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=[("", "Choose a role"), *ROLE_CHOICES],
            label="Role",
            help_text="Exactly one role; it decides what the account can see and do.",
            **kwargs,
        )


class StaffCreateForm(forms.ModelForm):
    role = RoleField()

    class Meta:
        model = StaffAccount
        fields = ["username", "first_name", "last_name", "email"]
        field_classes = {"username": UsernameField}
        help_texts = {
            "email": "The link to choose a password is sent here. It cannot be "
            "changed later from these pages.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "email"):
            self.fields[name].required = True

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if StaffAccount.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Another account already uses this address.")
        return email


class StaffUpdateForm(forms.ModelForm):
    """Names, role and whether the account may sign in; a manager cannot take their
    own access away (another manager can)."""

    role = RoleField()
    # The signed-in manager; set per request by the admin (staff/admin.py).
    editor = None

    class Meta:
        model = StaffAccount
        fields = ["first_name", "last_name", "is_active"]
        labels = {"is_active": "Active"}
        help_texts = {
            "is_active": "Untick to deactivate: the account can no longer sign in and "
            "its open sessions end. Its history stays in the audit trail.",
        }

    credentials = forms.CharField(
        label="Credentials",
        max_length=60,
        required=False,
        help_text="Printed after the name on letters, e.g. MD or DO, FAHS.",
    )
    npi = forms.CharField(
        label="NPI",
        max_length=NPI_LENGTH,
        required=False,
        validators=[validate_npi],
        help_text="National Provider Identifier, 10 digits, from the NPPES registry. "
        "Referral letters a physician signs print it; insurers require it.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name"):
            self.fields[name].required = True
        if self.instance.pk is not None:
            self.initial.setdefault(
                "role", self.instance.groups.values_list("name", flat=True).first()
            )
            profile = StaffProfile.objects.filter(user=self.instance).first()
            if profile is not None:
                self.initial.setdefault("credentials", profile.credentials)
                self.initial.setdefault("npi", profile.npi)

    def clean_npi(self) -> str:
        npi = self.cleaned_data["npi"].strip()
        taken = StaffProfile.objects.filter(npi=npi).exclude(user=self.instance)
        if npi and taken.exists():
            raise forms.ValidationError("Another account already has this NPI.")
        return npi

    def clean(self):
        cleaned = super().clean()
        if self.editor is not None and self.instance.pk == self.editor.pk:
            if not cleaned.get("is_active", True):
                self.add_error("is_active", "You cannot deactivate your own account.")
            if cleaned.get("role") not in (None, roles.CLINIC_MANAGER):
                self.add_error("role", "You cannot change your own role.")
        return cleaned


class EnrolmentCodeForm(forms.Form):
    code = forms.CharField(
        label="Enrolment code from the clinic manager",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text="Twelve letters and digits, for example ABCD-EFGH-JK23.",
    )
