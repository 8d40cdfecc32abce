"""Validation and layout of intake forms, shared by the admin and the public pages."""

import re
from collections.abc import Mapping

from django import forms
from django.utils.functional import SimpleLazyObject
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from intake.matching import Person, fold_name, patient_identity
from intake.models import Drug, DrugName, Intake, Patient, TreatmentTrial
from intake.selectors import drug_catalogue, patient_duplicates

# A patient's details, in the order both the front desk and the public form ask them.
PATIENT_FIELDS = [
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "email",
    "mobile_phone",
    "preferred_language",
    "emergency_contact_name",
    "emergency_contact_phone",
]


# A US number with its area code (a leading 1 allowed), or an international one
# written with + and its country code (E.164: at most 15 digits). Seven digits
# without an area code cannot be called back.
PHONE = re.compile(r"^(1?[0-9]{10}|\+[0-9]{8,15})$")


def phone_digits(text: str) -> str:
    """A phone number as typed, stored as its digits (and a leading +)."""
    text = text.strip()
    digits = re.sub(r"[\s().-]", "", text)
    if text and not PHONE.match(digits):
        raise forms.ValidationError(
            _(
                "Enter the phone number with its area code, using digits, like "
                "704 555 0100."
            )
        )
    return digits


class PhoneFieldsMixin:
    """A patient form's two phone fields, checked and stored as digits."""

    def clean_mobile_phone(self):
        return phone_digits(self.cleaned_data["mobile_phone"])

    def clean_emergency_contact_phone(self):
        return phone_digits(self.cleaned_data["emergency_contact_phone"])


class PatientForm(PhoneFieldsMixin, forms.ModelForm):
    """A patient's details, checked against stored patients before saving.

    A new patient, or a change to a name, birth date, phone or e-mail, is compared
    with the stored patients (``patient_duplicates``); any who may be the same
    person are listed with the reasons, and the form saves only once staff tick
    "This is a different person".
    """

    IDENTIFYING = ("first_name", "last_name", "date_of_birth", "mobile_phone", "email")

    not_a_duplicate = forms.BooleanField(
        label="This is a different person",
        required=False,
        help_text="Tick only after checking the possible duplicates listed above.",
    )

    class Meta:
        model = Patient
        fields = PATIENT_FIELDS

    def clean(self):
        cleaned = super().clean()
        self.duplicates = []
        stored = not self.instance._state.adding
        if stored and not set(self.IDENTIFYING) & set(self.changed_data):
            return cleaned
        if cleaned.get("first_name") is None or cleaned.get("last_name") is None:
            return cleaned
        person = Person(
            cleaned["first_name"],
            cleaned["last_name"],
            cleaned.get("date_of_birth"),
            phone=cleaned.get("mobile_phone", ""),
            email=cleaned.get("email", ""),
        )
        # Shown to staff: the admin audits the read.
        self.duplicates = patient_duplicates(
            person=person, exclude_pk=self.instance.pk if stored else None
        )
        if self.duplicates and not cleaned.get("not_a_duplicate"):
            raise forms.ValidationError(
                format_html(
                    "This may be a patient already on file: {}. Open that record "
                    "instead, or tick “This is a different person”.",
                    format_html_join(
                        "; ",
                        '<a href="{}" target="_blank">{}</a> ({})',
                        (
                            (
                                patient.get_absolute_url(),
                                patient_identity(patient),
                                ", ".join(reasons),
                            )
                            for patient, reasons in self.duplicates
                        ),
                    ),
                ),
                code="possible_duplicate",
            )
        return cleaned


class PatientMergeForm(forms.Form):
    """Which of two records of one person to keep, why, and a deliberate yes."""

    survivor = forms.ChoiceField(
        label="Keep this record",
        widget=forms.RadioSelect,
        help_text="Usually the older one, which the patient's papers carry.",
    )
    reason = forms.CharField(
        label="Why they are the same person",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="For example: same person, checked with her ID at the desk.",
    )
    confirmed = forms.BooleanField(
        label="I checked: both records are this one person",
        help_text="The merge is recorded and is not undone here.",
    )

    def __init__(self, *args, patients: list[Patient], **kwargs):
        super().__init__(*args, **kwargs)
        self.patients = {str(patient.pk): patient for patient in patients}
        self.fields["survivor"].choices = [
            (pk, patient_identity(patient)) for pk, patient in self.patients.items()
        ]

    def survivor_and_merged(self) -> tuple[Patient, Patient]:
        kept = self.cleaned_data["survivor"]
        merged = next(pk for pk in self.patients if pk != kept)
        return self.patients[kept], self.patients[merged]


class IntakeAnswersForm(forms.ModelForm):
    """The admin's intake form: a yes-or-no question left blank reads "Not
    answered" (Django says "Unknown", which looks like an answer)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.NullBooleanField):
                field.widget.choices = [
                    ("unknown", "Not answered"),
                    ("true", "Yes"),
                    ("false", "No"),
                ]


class IntakeDraftForm(IntakeAnswersForm):
    """The admin's form of a draft: "Save as draft" keeps whatever is there; "Save
    and submit" (``submitting``) asks for each answer submission needs, beside it."""

    submitting = False

    def clean(self):
        cleaned = super().clean()
        if not self.submitting:
            return cleaned
        for name in Intake.REQUIRED_FOR_SUBMISSION:
            unanswered = name in self.fields and cleaned.get(name) in (None, "")
            if unanswered and name not in self.errors:
                self.add_error(name, "Answer this before submitting.")
        return cleaned


class IntakeAmendmentForm(IntakeAnswersForm):
    """The admin's form of a submitted intake: every change needs a reason."""

    amendment_reason = forms.CharField(
        label="Why is this intake changed?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="For example: the patient called to add a warning sign.",
        error_messages={
            "required": "Say why the submitted intake is changed: it is recorded "
            "with the amendment."
        },
    )


class NamedRowInputsMixin:
    """A tabular inline row's form: its inputs sit under column headings, not beside
    <label>s, so each names itself for screen readers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The admin wraps a picker (RelatedFieldWidgetWrapper), whose copy no longer
        # shares the picker's attrs: the inner widget is named.
        for field in self.fields.values():
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs.setdefault("aria-label", str(field.label))


class DrugNameForm(NamedRowInputsMixin, forms.ModelForm):
    """One of a catalogue drug's other names, on its page."""

    class Meta:
        model = DrugName
        fields = ["name"]
        labels = {"name": "Other name"}


class TreatmentTrialForm(NamedRowInputsMixin, forms.ModelForm):
    """One treatment row; a catalogue drug fills in its own class and usual use."""

    class Meta:
        model = TreatmentTrial
        fields = [
            "drug",
            "drug_name",
            "treatment_class",
            "intent",
            "dose",
            "weeks",
            "outcome",
        ]

    def __init__(self, *args, catalogue: Mapping[str, Drug], **kwargs):
        super().__init__(*args, **kwargs)
        self.catalogue = catalogue
        self.fields["treatment_class"].required = False
        self.fields["intent"].required = False
        self.fields["dose"].error_messages["max_length"] = (
            "Write the dose in at most %(limit_value)d characters, like “100 mg daily”."
        )

    def clean(self):
        cleaned = super().clean()
        drug = cleaned.get("drug")
        if not drug and cleaned.get("drug_name"):
            # A catalogue drug typed by any of its names (Aimovig) is the drug itself.
            drug = self.catalogue.get(fold_name(cleaned["drug_name"]))
            if drug is not None:
                cleaned["drug"], cleaned["drug_name"] = drug, ""
        if not drug and not cleaned.get("drug_name"):
            self.add_error("drug_name", "Choose a drug from the list or type its name.")
        if drug:
            cleaned["intent"] = cleaned.get("intent") or drug.default_intent
            cleaned["treatment_class"] = cleaned.get(
                "treatment_class"
            ) or drug.class_for(cleaned["intent"])
        for key, message in (
            ("treatment_class", "Choose what kind of treatment this was."),
            ("intent", "Say whether it was to stop attacks or to prevent them."),
        ):
            if not cleaned.get(key) and key not in self.errors:
                self.add_error(key, message)
        return cleaned


class SharedCatalogueMixin:
    """A formset of treatment rows that share one read of the drug catalogue.

    The catalogue is read when a row typed by name is cleaned, not for a page that
    only shows the rows; each row gets it as its ``catalogue``.
    """

    def __init__(self, *args, **kwargs):
        self.catalogue = SimpleLazyObject(drug_catalogue)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "catalogue": self.catalogue}


class TreatmentTrialFormSet(SharedCatalogueMixin, forms.BaseInlineFormSet):
    """An intake's treatment rows in the admin."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        # The admin shows a saved row's delete box under a column heading, unlabelled.
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = "Delete this treatment"
