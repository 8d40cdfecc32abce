"""The public intake's step forms: validation and layout only.

Every step form is built by ``Step.form(draft, data)``; ``draft`` is ``None`` only on
the first step of a new intake. The forms change the draft's unsaved model instances
(as any ``ModelForm`` does); the services in ``intake.services`` save them. Every
label, help text and message is translatable; staff see the stored codes in English.
"""

import datetime
from collections.abc import Mapping

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.module_loading import import_string
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from intake import codes, scoring
from intake.forms import PATIENT_FIELDS, PhoneFieldsMixin, SharedCatalogueMixin
from intake.models import (
    RANGES,
    TREATMENT_DOSE_MAX_LENGTH,
    Drug,
    Intake,
    Language,
    OnlineDraft,
    Patient,
    TreatmentTrial,
    fold_name,
)
from intake.online import consent, vocabulary
from intake.online.fields import (
    AnyOfTheseField,
    IntakeStepForm,
    StepForm,
    choice,
    crispy_helper,
    number,
    pair,
    section,
    style_choices,
    ticks,
    translated,
    yes_no,
)
from intake.services import signature_matches

OLDEST_AGE = 120
MAX_TREATMENT_ROWS = 40
# What a typed date of birth may look like, by language; the first is how it shows.
DATE_INPUT_FORMATS = {
    Language.ENGLISH: ["%m/%d/%Y", "%Y-%m-%d", "%m-%d-%Y"],
    Language.SPANISH: ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"],
}

# (form field, title, codes): the health questions in groups a phone screen holds.
CONDITION_GROUPS = [
    (
        "mental_health",
        _("Mental health, alcohol and drugs: any of these?"),
        ["psychosis", "bipolar", "substance_use_active", "substance_use_remission"]
        + ["alcohol_misuse"],
    ),
    (
        "heart_blood",
        _("Heart, blood and circulation: any of these?"),
        ["cv_unstable", "cv_stable", "heart_valve", "pacemaker", "bleeding_disorder"]
        + ["low_platelets", "dvt"],
    ),
    (
        "organs",
        _("Liver, thyroid, cancer and immunity: any of these?"),
        ["severe_hepatic", "moderate_hepatic", "hyperthyroid_untreated", "cancer"]
        + ["immunosuppressed"],
    ),
    (
        "eyes_nerves",
        _("Eyes, brain, nerves and neck: any of these?"),
        ["raised_icp", "raised_iop", "glaucoma", "retinal_detachment", "vertigo"]
        + ["neuromuscular", "cervical_spine"],
    ),
    (
        "recent",
        _("Right now or in the last few weeks: any of these?"),
        ["fever_infection", "recent_surgery", "fracture_osteoporosis"]
        + ["skin_infection"],
    ),
]
RED_FLAG_GROUPS = [
    (
        "headache_signs",
        _("About your headaches: any of these?"),
        ["thunderclap", "neuro_deficit", "reduced_consciousness", "seizure"]
        + ["fever_neck_stiffness", "positional", "valsalva_triggered", "progressive"]
        + ["painful_eye_autonomic", "post_trauma", "new_drug_at_onset"],
    ),
    (
        "general_signs",
        _("Your general health: any of these?"),
        ["systemic_symptoms", "cancer_history", "papilledema", "immunocompromised"],
    ),
]
NEEDLE_GROUPS = [
    ("needles", _("Needles: does this apply to you?"), ["needle_phobia"]),
]


class BirthDateInput(forms.DateInput):
    """A date shown as the patient's language writes it: 04/12/1987 or 12/04/1987.

    A date kept as typed travels as year-month-day (``BirthDateField.as_kept``), so
    it shows in whichever language the page is in with its meaning unchanged.
    """

    def format_value(self, value):
        if isinstance(value, str):
            try:
                value = datetime.date.fromisoformat(value)
            except ValueError:
                return value
        if isinstance(value, datetime.date):
            return value.strftime(DATE_INPUT_FORMATS[Language.active()][0])
        return value


class BirthDateField(forms.DateField):
    """A date typed month first in English and day first in Spanish, with a
    four-digit year (a two-digit one is ambiguous: 57 would be 2057)."""

    widget = BirthDateInput

    @property
    def input_formats(self) -> list[str]:
        return DATE_INPUT_FORMATS[Language.active()]

    def as_kept(self, text: str) -> str:
        """Typed text to keep for showing again, perhaps in the other language: a
        date as year-month-day, read in the page's language; anything else as typed."""
        for date_format in self.input_formats:
            try:
                day = datetime.datetime.strptime(text.strip(), date_format).date()
            except ValueError:
                continue
            return day.isoformat()
        return text


class AboutYouForm(PhoneFieldsMixin, StepForm, forms.ModelForm):
    """The patient's details, with a honeypot field that people never see."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": _("Enter your first name.")},
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={"required": _("Enter your last name.")},
    )
    date_of_birth = BirthDateField(
        label=_("Date of birth"),
        help_text=_("Month, day and year, for example 04/12/1987."),
        widget=BirthDateInput(attrs={"autocomplete": "bday", "inputmode": "numeric"}),
        error_messages={
            "required": _("Enter your date of birth."),
            "invalid": _(
                "Enter your date of birth as month/day/year, with all four digits "
                "of the year, like 04/12/1987."
            ),
        },
    )
    sex = choice(
        _("Sex"), Patient.Sex.choices, help_text=_("As recorded by your doctor.")
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_(
            "We send your link to finish later and a confirmation here, and nothing "
            "else."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Enter an e-mail address like name@example.com.")},
    )
    mobile_phone = forms.CharField(
        label=_("Mobile phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}
        ),
    )
    preferred_language = choice(
        _("Which language should we write to you in?"),
        settings.LANGUAGES,
        short=_("Language"),
    )
    emergency_contact_name = forms.CharField(
        label=_("Emergency contact: name"), required=False, max_length=200
    )
    emergency_contact_phone = forms.CharField(
        label=_("Emergency contact: phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "type": "tel"}),
    )
    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    class Meta:
        model = Patient
        fields = PATIENT_FIELDS

    @classmethod
    def for_draft(cls, draft: OnlineDraft | None, data=None):
        if draft is not None:
            return cls(data=data, instance=draft.intake.patient)
        return cls(data=data, initial={"preferred_language": Language.active()})

    def layout(self) -> Layout:
        return Layout(
            pair("first_name", "last_name"),
            "date_of_birth",
            "sex",
            section(
                _("How we can reach you"),
                "email",
                "mobile_phone",
                "preferred_language",
                intro=_("Give an e-mail address, a mobile phone, or both."),
            ),
            section(
                _("Someone we can call in an emergency"),
                "emergency_contact_name",
                "emergency_contact_phone",
            ),
            Div("website", css_class="hp-field", aria_hidden="true"),
        )

    @property
    def is_spam(self) -> bool:
        """Whether the honeypot, invisible to people, was filled in by a robot."""
        return bool(self.cleaned_data.get("website"))

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born >= today:
            raise forms.ValidationError(_("Your date of birth must be before today."))
        age = (
            today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        )
        if age > OLDEST_AGE:
            raise forms.ValidationError(
                _("Check the year: that is more than %(years)s years ago."),
                params={"years": OLDEST_AGE},
            )
        return born

    def clean(self):
        cleaned = super().clean()
        if (
            "email" in cleaned
            and "mobile_phone" in cleaned
            and not cleaned["email"]
            and not cleaned["mobile_phone"]
        ):
            self.add_error(
                "email",
                _("Give an e-mail address or a mobile phone so we can reach you."),
            )
        return cleaned


class HeadachesForm(IntakeStepForm):
    diagnosis = choice(
        _("What has a doctor told you about your headaches?"),
        translated(codes.DIAGNOSES),
        short=_("Diagnosis"),
    )
    onset_age = number(
        "onset_age",
        _("How old were you when the headaches began?"),
        short=_("Age when they began"),
    )
    lifetime_attacks = number(
        "lifetime_attacks",
        _("About how many attacks have you had in your life?"),
        _("A rough guess is fine."),
        short=_("Attacks in your life"),
    )
    headache_days_per_month = number(
        "headache_days_per_month",
        _("Headache days in an average month"),
        _("Days with any headache at all."),
        short=_("Headache days a month"),
    )
    migraine_days_per_month = number(
        "migraine_days_per_month",
        _("Of those, migraine days"),
        _("Days when the headache was a migraine."),
        short=_("Migraine days a month"),
    )
    months_at_this_frequency = number(
        "months_at_this_frequency",
        _("For how many months have they been this often?"),
        short=_("Months this often"),
    )
    debilitating_days_per_month = number(
        "debilitating_days_per_month",
        _("Days a month you can't do your usual activities, even with medicine"),
        short=_("Days you can't do your usual activities"),
    )
    debilitating_months = number(
        "debilitating_months",
        _("For how many months has it been like that?"),
        short=_("Months like that"),
    )
    attack_length = choice(
        _("How long does an attack usually last, without treatment?"),
        Intake.AttackLength.choices,
        short=_("How long an attack lasts"),
    )
    worst_pain = number(
        "worst_pain",
        _("How bad is the pain at its worst, from 0 to 10?"),
        _("0 is no pain, 10 the worst pain you can imagine."),
        short=_("Worst pain"),
    )
    features = ticks(
        _("What is the pain like?"),
        translated(codes.FEATURES),
        _("Tick all that apply."),
    )
    new_or_changed_pattern = yes_no(
        _("Are your headaches new, or have they changed a lot in the last few months?"),
        short=_("New or changed headaches"),
    )

    class Meta(IntakeStepForm.Meta):
        fields = [
            "diagnosis",
            "onset_age",
            "lifetime_attacks",
            "headache_days_per_month",
            "migraine_days_per_month",
            "months_at_this_frequency",
            "debilitating_days_per_month",
            "debilitating_months",
            "attack_length",
            "worst_pain",
            "features",
            "new_or_changed_pattern",
        ]

    def layout(self) -> Layout:
        return Layout(
            "diagnosis",
            "onset_age",
            "lifetime_attacks",
            section(
                _("How often"),
                "headache_days_per_month",
                "migraine_days_per_month",
                "months_at_this_frequency",
                "debilitating_days_per_month",
                "debilitating_months",
                intro=_("Think of an average month lately."),
            ),
            section(
                _("What an attack is like"),
                "attack_length",
                "worst_pain",
                "features",
                "new_or_changed_pattern",
            ),
        )

    def clean(self):
        cleaned = super().clean()
        headache_days = cleaned.get("headache_days_per_month")
        if headache_days is not None:
            for key, message in (
                (
                    "migraine_days_per_month",
                    _("Migraine days cannot be more than headache days."),
                ),
                (
                    "debilitating_days_per_month",
                    _("These days cannot be more than your headache days."),
                ),
            ):
                if cleaned.get(key) is not None and cleaned[key] > headache_days:
                    self.add_error(key, message)
        onset = cleaned.get("onset_age")
        patient = self.instance.patient
        if onset is not None and onset > patient.age_on(timezone.localdate()):
            self.add_error("onset_age", _("This is older than you are now."))
        return cleaned


class SymptomsForm(IntakeStepForm):
    symptoms = ticks(
        _("Which of these come with your headaches?"),
        translated(codes.SYMPTOMS),
        _("Tick all that apply."),
    )
    triggers = ticks(
        _("What seems to bring on an attack?"),
        translated(codes.TRIGGERS),
        _("Tick all that apply. We use this to suggest things you can try."),
    )

    class Meta(IntakeStepForm.Meta):
        fields = ["symptoms", "triggers"]


class TreatmentForm(StepForm):
    """One treatment row: a catalogue drug by any of its names, or free text."""

    name = forms.CharField(
        label=_("Medicine or treatment"),
        max_length=120,
        help_text=_(
            "Start typing to pick from our list, or type any other name. Brand "
            "names are fine."
        ),
        widget=forms.TextInput(attrs={"list": "drug-catalogue", "autocomplete": "off"}),
        error_messages={"required": _("Enter the name of the medicine or treatment.")},
    )
    treatment_class = forms.ChoiceField(
        label=_("Not in our list? Say what kind of treatment it is"),
        choices=[
            ("", _("Choose if it is not in our list")),
            *[
                (code, vocabulary.CLASS_LABELS[code])
                for code, _label in codes.TREATMENT_CLASSES
            ],
        ],
        required=False,
        error_messages={"invalid_choice": _("Choose from the kinds shown.")},
    )
    intent = choice(
        _("What was it for?"),
        translated(codes.INTENTS),
        required=False,
        help_text=_("Needed when the name is not in our list."),
        short=_("What it was for"),
    )
    dose = forms.CharField(
        label=_("Dose"),
        required=False,
        max_length=TREATMENT_DOSE_MAX_LENGTH,
        help_text=_("If you know it, as the label says: “100 mg daily”."),
        error_messages={
            "max_length": _(
                "Write the dose in at most %(limit_value)d characters, like "
                "“100 mg daily”."
            )
        },
    )
    weeks = forms.IntegerField(
        label=_("Weeks at the full dose"),
        required=False,
        min_value=0,
        max_value=520,
        help_text=_("Leave empty if you don't know."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": _("Enter a whole number of weeks, like 12."),
            "min_value": _("Enter a number of weeks from 0 to 520."),
            "max_value": _("Enter a number of weeks from 0 to 520."),
        },
    )
    outcome = choice(
        _("What happened?"), translated(codes.OUTCOMES), short=_("What happened")
    )

    def __init__(self, *args, catalogue: Mapping[str, Drug], **kwargs):
        super().__init__(*args, **kwargs)
        self.catalogue = catalogue
        self.fields["treatment_class"].short_name = _("Kind of treatment")
        # Asked for only when the name is not in our list: not marked "(optional)"
        # (templates/intake/crispy/field.html).
        for name in ("treatment_class", "intent"):
            self.fields[name].only_sometimes = True

    def clean(self):
        cleaned = super().clean()
        name = " ".join(cleaned.get("name", "").split())
        drug = self.catalogue.get(fold_name(name))
        cleaned["drug"] = drug
        if drug is None and name and not cleaned.get("treatment_class"):
            self.add_error(
                "treatment_class",
                _("This name is not in our list: choose what kind of treatment it is."),
            )
        if drug is None and name and not cleaned.get("intent"):
            self.add_error(
                "intent", _("Say whether it was to stop attacks or to prevent them.")
            )
        return cleaned

    def trial(self) -> TreatmentTrial:
        """The unsaved treatment row these answers describe, for the generic drug."""
        cleaned = self.cleaned_data
        drug = cleaned["drug"]
        intent = cleaned["intent"] or drug.default_intent
        return TreatmentTrial(
            drug=drug,
            drug_name="" if drug else " ".join(cleaned["name"].split()),
            treatment_class=drug.class_for(intent)
            if drug
            else cleaned["treatment_class"],
            intent=intent,
            dose=" ".join(cleaned["dose"].split()),
            weeks=cleaned["weeks"],
            outcome=cleaned["outcome"],
        )


class BaseTreatmentFormSet(SharedCatalogueMixin, forms.BaseFormSet):
    """Every treatment tried; empty rows are skipped, ticked rows removed."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this treatment")
        style_choices(form)

    @classmethod
    def for_draft(
        cls, draft: OnlineDraft, data=None, extra: int = 0, rows: list | None = None
    ):
        """The draft's treatment rows, or ``rows`` (answers kept unchecked)."""
        if rows is None:
            rows = [
                {
                    "name": vocabulary.shown_name(trial.name),
                    "treatment_class": "" if trial.drug_id else trial.treatment_class,
                    "intent": trial.intent,
                    "dose": trial.dose,
                    "weeks": trial.weeks,
                    "outcome": trial.outcome,
                }
                for trial in draft.intake.treatments.select_related("drug")
            ]
        formset_class = forms.formset_factory(
            TreatmentForm,
            formset=cls,
            extra=extra if rows else max(extra, 1),
            can_delete=True,
            can_delete_extra=False,
            max_num=MAX_TREATMENT_ROWS,
            absolute_max=MAX_TREATMENT_ROWS,
            validate_max=True,
        )
        formset = formset_class(data=data, initial=rows, prefix="treatments")
        if extra and rows and data is None:
            formset.forms[-1].fields["name"].widget.attrs["autofocus"] = True
        return formset

    def trials(self) -> list[TreatmentTrial]:
        """The unsaved rows the patient kept, in the order given."""
        return [
            form.trial()
            for form in self.forms
            if form.cleaned_data and not self._should_delete_form(form)
        ]

    @cached_property
    def helper(self) -> FormHelper:
        return self.forms[0].helper if self.forms else crispy_helper()


class MedicinesForm(IntakeStepForm):
    other_medications = forms.CharField(
        label=_("Which medicines do you take now?"),
        help_text=_("For any condition, with the dose if you know it. One per line."),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    acute_use_months = number(
        "acute_use_months",
        _("For how many months have you taken them this often?"),
        _("Enter 0 if you take none of the medicines above."),
        short=_("Months taking them this often"),
    )

    class Meta(IntakeStepForm.Meta):
        fields = [
            "other_medications",
            *[f"acute_days_{code}" for code, _label in codes.ACUTE_CLASSES],
            "acute_use_months",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, _label in codes.ACUTE_CLASSES:
            self.fields[f"acute_days_{code}"] = number(
                f"acute_days_{code}",
                vocabulary.ACUTE_CLASS_LABELS[code],
                required=False,
            )
        self.order_fields(self.Meta.fields)

    def layout(self) -> Layout:
        return Layout(
            "other_medications",
            Fieldset(
                _("Medicines for attacks: days a month"),
                HTML(
                    format_html(
                        '<p class="section-intro">{}</p>',
                        _(
                            "In an average month, on how many days do you take each "
                            "kind? Leave empty the ones you don't take."
                        ),
                    )
                ),
                *[f"acute_days_{code}" for code, _label in codes.ACUTE_CLASSES],
                css_class="form-section",
            ),
            "acute_use_months",
        )


class CodeGroupsForm(IntakeStepForm):
    """A step of "any of these?" groups, each stored in a code list of the intake.

    ``code_groups`` maps a code-list field of the intake to its groups on this step.
    A code list can be asked over two steps: each step sets the codes of its own
    groups and keeps the others.
    """

    code_groups: dict[str, list] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for model_field, groups in self.code_groups.items():
            labels = dict(getattr(codes, model_field.upper()))
            chosen = set(getattr(self.instance, model_field))
            for key, title, members in groups:
                self.fields[key] = AnyOfTheseField(
                    label=title,
                    choices=translated([(code, labels[code]) for code in members]),
                    short=title,
                )
                self.initial[key] = [code for code in members if code in chosen]

    def clean(self):
        cleaned = super().clean()
        for model_field, groups in self.code_groups.items():
            asked = {code for _key, _title, members in groups for code in members}
            chosen = {
                code for key, _title, _codes in groups for code in cleaned.get(key, [])
            }
            kept = set(getattr(self.instance, model_field)) - asked
            setattr(
                self.instance,
                model_field,
                [
                    code
                    for code, _label in getattr(codes, model_field.upper())
                    if code in chosen | kept
                ],
            )
        return cleaned


class HealthForm(CodeGroupsForm):
    pregnant = yes_no(
        _("Are you pregnant, or could you be?"), short=_("Pregnant, or could be")
    )
    postpartum_weeks = number(
        "postpartum_weeks",
        _("If you gave birth in the last two years: how many weeks ago?"),
        _("Leave empty if not."),
        required=False,
        short=_("Weeks since giving birth"),
    )
    breastfeeding = yes_no(_("Are you breastfeeding?"), short=_("Breastfeeding"))

    code_groups = {"conditions": CONDITION_GROUPS}

    class Meta(IntakeStepForm.Meta):
        fields = ["pregnant", "postpartum_weeks", "breastfeeding"]

    def layout(self) -> Layout:
        return Layout(
            section(
                _("Pregnancy and breastfeeding"),
                "pregnant",
                "postpartum_weeks",
                "breastfeeding",
            ),
            section(
                _("Your health"),
                *[key for key, _title, _codes in CONDITION_GROUPS],
                intro=_(
                    "For each group, tick every question your answer is yes to, or "
                    "“None of these”."
                ),
            ),
        )


class WarningSignsForm(CodeGroupsForm):
    allergies = AnyOfTheseField(
        label=_("Are you allergic to any of these?"),
        choices=translated(codes.ALLERGIES),
        short=_("Allergies"),
    )
    other_allergies = forms.CharField(
        label=_("Any other allergies?"),
        required=False,
        max_length=500,
        help_text=_("Medicines, foods, latex, and what happened."),
    )
    medications = AnyOfTheseField(
        label=_("Do you take any of these every day?"),
        choices=translated(codes.MEDICATIONS),
        help_text=_(
            "They make bleeding more likely, which matters for needles and injections."
        ),
        short=_("Blood thinners"),
    )
    last_botox_weeks_ago = number(
        "last_botox_weeks_ago",
        _("If you have had Botox for migraine: how many weeks ago was the last one?"),
        _("Leave empty if you have never had it."),
        required=False,
        short=_("Weeks since your last Botox"),
    )

    code_groups = {"red_flags": RED_FLAG_GROUPS, "conditions": NEEDLE_GROUPS}

    class Meta(IntakeStepForm.Meta):
        fields = ["allergies", "other_allergies", "medications", "last_botox_weeks_ago"]

    def layout(self) -> Layout:
        return Layout(
            section(
                _("Warning signs"),
                *[key for key, _title, _codes in RED_FLAG_GROUPS],
                intro=_(
                    "For each group, tick every question your answer is yes to, or "
                    "“None of these”. If any of these is happening right now, stop "
                    "and call 911."
                ),
            ),
            section(
                _("Allergies, medicines and needles"),
                "allergies",
                "other_allergies",
                "medications",
                "last_botox_weeks_ago",
                *[key for key, _title, _codes in NEEDLE_GROUPS],
            ),
        )


class MoodForm(IntakeStepForm):
    """PHQ-9 (Kroenke, Spitzer and Williams, 2001; public domain)."""

    class Meta(IntakeStepForm.Meta):
        fields = [f"phq9_{n}" for n in range(1, 10)]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n, item in enumerate(scoring.PHQ9_ITEMS, start=1):
            self.fields[f"phq9_{n}"] = forms.TypedChoiceField(
                label=format_lazy("{}. {}", n, gettext_lazy(item)),
                choices=translated(scoring.PHQ9_ANSWERS),
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose how often, for this question."),
                    "invalid_choice": _("Choose one of the answers shown."),
                },
            )
            self.fields[f"phq9_{n}"].short_name = format_lazy(
                _("Question {number}"), number=n
            )


class DailyLifeForm(IntakeStepForm):
    """MIDAS (Stewart and Lipton): five scored questions and two more."""

    class Meta(IntakeStepForm.Meta):
        fields = [*[f"midas_{n}" for n in range(1, 6)], "midas_a", "midas_b"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = [*scoring.MIDAS_ITEMS, scoring.MIDAS_A, scoring.MIDAS_B]
        for name, label in zip(self.Meta.fields, labels, strict=True):
            self.fields[name] = number(name, gettext_lazy(label))

    def clean(self):
        cleaned = super().clean()
        for missed, reduced, message in (
            (
                "midas_1",
                "midas_2",
                _(
                    "Days missed and days half-done at work or school add up to "
                    "more than the 90 days of 3 months."
                ),
            ),
            (
                "midas_3",
                "midas_4",
                _(
                    "Days missed and days half-done at household work add up to "
                    "more than the 90 days of 3 months."
                ),
            ),
        ):
            if (
                cleaned.get(missed) is not None
                and cleaned.get(reduced) is not None
                and cleaned[missed] + cleaned[reduced] > RANGES[missed][1]
            ):
                self.add_error(reduced, message)
        return cleaned


class ServicesForm(IntakeStepForm):
    interests = ticks(
        _("Which of our services would you like to know more about?"),
        [(code, gettext_lazy(label)) for code, label in codes.SERVICES],
        _("Tick any. Our physicians will tell you which ones fit you."),
    )
    heard_from = choice(
        _("How did you hear about us?"),
        Intake.HeardFrom.choices,
        required=False,
        short=_("How you heard about us"),
    )

    class Meta(IntakeStepForm.Meta):
        fields = ["interests", "heard_from"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        coming_soon = import_string(settings.INTAKE_COMING_SOON_SERVICES)()
        self.fields["interests"].choices = [
            (
                code,
                vocabulary.COMING_SOON % {"service": gettext(label)}
                if code in coming_soon
                else gettext(label),
            )
            for code, label in codes.SERVICES
        ]


class ConsentForm(IntakeStepForm):
    consent_signature = forms.CharField(
        label=_("Type your full name to sign"),
        max_length=200,
        help_text=_("Your first and last name, as you gave them in step 1."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Type your full name to sign.")},
    )
    agree = forms.BooleanField(
        label=_("I have read the consent above and I agree to it"),
        error_messages={"required": _("Tick the box to agree to the consent.")},
    )

    class Meta(IntakeStepForm.Meta):
        fields = ["consent_signature"]

    @classmethod
    def for_draft(cls, draft: OnlineDraft, data=None):
        signed = bool(draft.intake.consent_signature)
        return cls(data=data, instance=draft.intake, initial={"agree": signed})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent_signature"].short_name = _("Signature")
        self.fields["agree"].short_name = _("Agreement")

    def clean_consent_signature(self):
        signature = " ".join(self.cleaned_data["consent_signature"].split())
        if not signature_matches(signature, self.instance.patient):
            raise forms.ValidationError(
                _(
                    "Type your name exactly as you gave it in step 1: your first "
                    "name, then your last name."
                )
            )
        return signature

    def clean(self):
        cleaned = super().clean()
        language = Language.active()
        self.instance.consent_version = consent.VERSIONS[language]
        self.instance.consent_language = language
        return cleaned


class ReviewForm(StepForm):
    """The last step has no questions: submitting it sends the intake."""

    @classmethod
    def for_draft(cls, draft: OnlineDraft, data=None):
        return cls(data=data)
