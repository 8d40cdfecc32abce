"""The public intake's step forms: validation and layout only.

Every step form is built by ``Step.form(draft, data)``; ``draft`` is ``None`` only on
the first step of a new intake. The forms change the draft's unsaved model instances
(as any ``ModelForm`` does); the services in ``intake.services`` save them.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.utils import timezone
from django.utils.functional import cached_property

from intake import codes, scoring
from intake.forms import PATIENT_FIELDS, PhoneFieldsMixin
from intake.models import RANGES, Drug, Intake, OnlineDraft, Patient, TreatmentTrial
from intake.online.fields import (
    IntakeStepForm,
    StepForm,
    choice,
    crispy_helper,
    number,
    pair,
    section,
    style_choices,
    ticks,
    yes_no,
)
from intake.services import CONSENT_VERSION, signature_matches

CONSENT_TEXT = [
    "I agree that the clinic may store the answers I give in this form in my medical "
    "record, and that the clinic's physicians and staff may read them to decide which "
    "of the clinic's services may help me.",
    "I understand that this form is not an appointment and does not replace "
    "emergency care. If I have an emergency I will call 911.",
    "I confirm that my answers are true and complete as far as I know, and that I "
    "will tell the clinic if anything changes before my visit.",
    "I understand that I can ask to see my record, correct it, or withdraw this "
    "consent at any time by contacting the clinic.",
]
OLDEST_AGE = 120
MAX_TREATMENT_ROWS = 40
DATE_INPUT_FORMATS = ["%m/%d/%Y", "%Y-%m-%d", "%m-%d-%Y", "%m/%d/%y"]

CONDITION_GROUPS = [
    (
        "mental_health",
        "Mental health, alcohol and drugs",
        ["psychosis", "bipolar", "substance_use_active", "substance_use_remission"]
        + ["alcohol_misuse"],
    ),
    (
        "heart_blood",
        "Heart, blood and circulation",
        ["cv_unstable", "cv_stable", "heart_valve", "pacemaker", "bleeding_disorder"]
        + ["low_platelets", "dvt"],
    ),
    (
        "organs",
        "Liver, thyroid, cancer and immunity",
        ["severe_hepatic", "moderate_hepatic", "hyperthyroid_untreated", "cancer"]
        + ["immunosuppressed"],
    ),
    (
        "eyes_nerves",
        "Eyes, brain, nerves and neck",
        ["raised_icp", "raised_iop", "glaucoma", "retinal_detachment", "vertigo"]
        + ["neuromuscular", "cervical_spine"],
    ),
    (
        "recent",
        "Right now or recently, and needles",
        ["fever_infection", "recent_surgery", "fracture_osteoporosis"]
        + ["skin_infection", "needle_phobia"],
    ),
]
RED_FLAG_GROUPS = [
    (
        "headache_signs",
        "About your headaches",
        ["thunderclap", "neuro_deficit", "reduced_consciousness", "seizure"]
        + ["fever_neck_stiffness", "positional", "valsalva_triggered", "progressive"]
        + ["painful_eye_autonomic", "post_trauma", "new_drug_at_onset"],
    ),
    (
        "general_signs",
        "Your general health",
        ["systemic_symptoms", "cancer_history", "papilledema", "immunocompromised"],
    ),
]


class AboutYouForm(PhoneFieldsMixin, StepForm, forms.ModelForm):
    """The patient's details, with a honeypot field that people never see."""

    first_name = forms.CharField(
        label="First name",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": "Enter your first name."},
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={"required": "Enter your last name."},
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        help_text="Month, day and year, for example 04/12/1987.",
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(
            format="%m/%d/%Y", attrs={"autocomplete": "bday", "inputmode": "numeric"}
        ),
        error_messages={
            "required": "Enter your date of birth.",
            "invalid": "Enter your date of birth as month/day/year, like 04/12/1987.",
        },
    )
    sex = choice("Sex", Patient.Sex.choices, help_text="As recorded by your doctor.")
    email = forms.EmailField(
        label="E-mail address",
        required=False,
        help_text="We send your link to finish later here, and nothing else.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": "Enter an e-mail address like name@example.com."},
    )
    mobile_phone = forms.CharField(
        label="Mobile phone",
        required=False,
        max_length=30,
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "type": "tel"}
        ),
    )
    preferred_language = forms.CharField(
        label="Preferred language", max_length=40, initial="English"
    )
    emergency_contact_name = forms.CharField(
        label="Emergency contact: name", required=False, max_length=200
    )
    emergency_contact_phone = forms.CharField(
        label="Emergency contact: phone",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "type": "tel"}),
    )
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    class Meta:
        model = Patient
        fields = PATIENT_FIELDS

    @classmethod
    def for_draft(cls, draft: OnlineDraft | None, data=None):
        return cls(data=data, instance=draft.intake.patient if draft else None)

    def layout(self) -> Layout:
        return Layout(
            pair("first_name", "last_name"),
            "date_of_birth",
            "sex",
            section(
                "How we can reach you",
                "email",
                "mobile_phone",
                "preferred_language",
                intro="Give an e-mail address, a mobile phone, or both.",
            ),
            section(
                "Someone we can call in an emergency",
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
        if born > today:
            raise forms.ValidationError("Your date of birth must be in the past.")
        age = (
            today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        )
        if age > OLDEST_AGE:
            raise forms.ValidationError(
                f"Check the year: that is more than {OLDEST_AGE} years ago."
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
                "email", "Give an e-mail address or a mobile phone so we can reach you."
            )
        return cleaned


class HeadachesForm(IntakeStepForm):
    diagnosis = choice(
        "What has a doctor told you about your headaches?", codes.DIAGNOSES
    )
    onset_age = number("onset_age", "How old were you when the headaches began?")
    lifetime_attacks = number(
        "lifetime_attacks",
        "About how many attacks have you had in your life?",
        "A rough guess is fine.",
    )
    headache_days_per_month = number(
        "headache_days_per_month",
        "Headache days in an average month",
        "Days with any headache at all.",
    )
    migraine_days_per_month = number(
        "migraine_days_per_month",
        "Of those, migraine days",
        "Days when the headache was a migraine.",
    )
    months_at_this_frequency = number(
        "months_at_this_frequency", "For how many months have they been this often?"
    )
    debilitating_days_per_month = number(
        "debilitating_days_per_month",
        "Days a month you can't do your usual activities, even with medicine",
    )
    debilitating_months = number(
        "debilitating_months", "For how many months has it been like that?"
    )
    attack_length = choice(
        "How long does an attack usually last, without treatment?",
        Intake.AttackLength.choices,
    )
    worst_pain = number(
        "worst_pain",
        "How bad is the pain at its worst, from 0 to 10?",
        "0 is no pain, 10 the worst pain you can imagine.",
    )
    features = ticks("What is the pain like?", codes.FEATURES, "Tick all that apply.")
    new_or_changed_pattern = yes_no(
        "Are your headaches new, or have they changed a lot in the last few months?"
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
                "How often",
                "headache_days_per_month",
                "migraine_days_per_month",
                "months_at_this_frequency",
                "debilitating_days_per_month",
                "debilitating_months",
                intro="Think of an average month lately.",
            ),
            section(
                "What an attack is like",
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
                    "Migraine days cannot be more than headache days.",
                ),
                (
                    "debilitating_days_per_month",
                    "These days cannot be more than your headache days.",
                ),
            ):
                if cleaned.get(key) is not None and cleaned[key] > headache_days:
                    self.add_error(key, message)
                    cleaned.pop(key, None)
        onset = cleaned.get("onset_age")
        patient = self.instance.patient
        if onset is not None and onset > patient.age_on(timezone.localdate()):
            self.add_error("onset_age", "This is older than you are now.")
        return cleaned


class SymptomsForm(IntakeStepForm):
    symptoms = ticks(
        "Which of these come with your headaches?",
        codes.SYMPTOMS,
        "Tick all that apply.",
    )
    triggers = ticks(
        "What seems to bring on an attack?",
        codes.TRIGGERS,
        "Tick all that apply. We use this to suggest things you can try.",
    )

    class Meta(IntakeStepForm.Meta):
        fields = ["symptoms", "triggers"]


class TreatmentForm(StepForm):
    """One treatment row: a catalogue drug by name, or free text with its kind."""

    name = forms.CharField(
        label="Medicine or treatment",
        max_length=120,
        help_text="Start typing to pick from our list, or type any other name.",
        widget=forms.TextInput(attrs={"list": "drug-catalogue", "autocomplete": "off"}),
        error_messages={"required": "Enter the name of the medicine or treatment."},
    )
    treatment_class = forms.ChoiceField(
        label="Not in our list? Say what kind of treatment it is",
        choices=[("", "Choose if it is not in our list")] + codes.TREATMENT_CLASSES,
        required=False,
    )
    intent = choice("What was it for?", codes.INTENTS, required=False)
    weeks = forms.IntegerField(
        label="Weeks at the full dose",
        required=False,
        min_value=0,
        max_value=520,
        help_text="Leave empty if you don't know.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter a whole number of weeks, like 12.",
            "min_value": "Enter a number of weeks from 0 to 520.",
            "max_value": "Enter a number of weeks from 0 to 520.",
        },
    )
    outcome = choice("What happened?", codes.OUTCOMES)

    def __init__(self, *args, catalogue: dict[str, Drug], **kwargs):
        super().__init__(*args, **kwargs)
        self.catalogue = catalogue

    def clean(self):
        cleaned = super().clean()
        name = " ".join(cleaned.get("name", "").split())
        drug = self.catalogue.get(name.casefold())
        cleaned["drug"] = drug
        if drug is None and name and not cleaned.get("treatment_class"):
            self.add_error(
                "treatment_class",
                "This name is not in our list: choose what kind of treatment it is.",
            )
        if drug is None and name and not cleaned.get("intent"):
            self.add_error(
                "intent", "Say whether it was to stop attacks or to prevent them."
            )
        return cleaned

    def trial(self) -> TreatmentTrial:
        """The unsaved treatment row these answers describe."""
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
            weeks=cleaned["weeks"],
            outcome=cleaned["outcome"],
        )


class BaseTreatmentFormSet(forms.BaseFormSet):
    """Every treatment tried; empty rows are skipped, ticked rows removed."""

    def __init__(self, *args, **kwargs):
        self.catalogue = {drug.name.casefold(): drug for drug in Drug.objects.all()}
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"catalogue": self.catalogue}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this treatment"
        style_choices(form)

    @classmethod
    def for_draft(cls, draft: OnlineDraft, data=None, extra: int = 0):
        rows = [
            {
                "name": trial.name,
                "treatment_class": "" if trial.drug_id else trial.treatment_class,
                "intent": trial.intent,
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
        label="Which medicines do you take now?",
        help_text="For any condition, with the dose if you know it. One per line.",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    acute_use_months = number(
        "acute_use_months",
        "For how many months have you taken them this often?",
        "Enter 0 if you take none of the medicines below.",
    )

    class Meta(IntakeStepForm.Meta):
        fields = [
            "other_medications",
            *[f"acute_days_{code}" for code, _ in codes.ACUTE_CLASSES],
            "acute_use_months",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in codes.ACUTE_CLASSES:
            self.fields[f"acute_days_{code}"] = number(
                f"acute_days_{code}", label, required=False
            )
        self.order_fields(self.Meta.fields)

    def layout(self) -> Layout:
        return Layout(
            "other_medications",
            Fieldset(
                "Medicines for attacks: days a month",
                HTML(
                    '<p class="section-intro">In an average month, on how many '
                    "days do you take each kind? Leave empty the ones you don't "
                    "take.</p>"
                ),
                *[f"acute_days_{code}" for code, _ in codes.ACUTE_CLASSES],
                css_class="form-section",
            ),
            "acute_use_months",
        )


class HealthForm(IntakeStepForm):
    pregnant = yes_no("Are you pregnant, or could you be?")
    postpartum_weeks = number(
        "postpartum_weeks",
        "If you gave birth in the last two years: how many weeks ago?",
        "Leave empty if not.",
        required=False,
    )
    breastfeeding = yes_no("Are you breastfeeding?")
    allergies = ticks("Are you allergic to any of these?", codes.ALLERGIES)
    other_allergies = forms.CharField(
        label="Any other allergies?",
        required=False,
        max_length=500,
        help_text="Medicines, foods, latex, and what happened.",
    )
    medications = ticks(
        "Do you take any of these every day?",
        codes.MEDICATIONS,
        "They make bleeding more likely, which matters for needles and injections.",
    )
    last_botox_weeks_ago = number(
        "last_botox_weeks_ago",
        "If you have had Botox for migraine: how many weeks ago was the last one?",
        "Leave empty if you have never had it.",
        required=False,
    )

    class Meta(IntakeStepForm.Meta):
        fields = [
            "pregnant",
            "postpartum_weeks",
            "breastfeeding",
            "allergies",
            "other_allergies",
            "medications",
            "last_botox_weeks_ago",
        ]

    code_groups = {
        "conditions": CONDITION_GROUPS,
        "red_flags": RED_FLAG_GROUPS,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for model_field, groups in self.code_groups.items():
            labels = dict(getattr(codes, model_field.upper()))
            chosen = set(getattr(self.instance, model_field))
            for key, title, members in groups:
                self.fields[key] = ticks(
                    title, [(code, labels[code]) for code in members]
                )
                self.initial[key] = [code for code in members if code in chosen]

    def layout(self) -> Layout:
        return Layout(
            section(
                "Pregnancy and breastfeeding",
                "pregnant",
                "postpartum_weeks",
                "breastfeeding",
            ),
            section(
                "Your health",
                *[key for key, _, _ in CONDITION_GROUPS],
                intro="Tick each question your answer is yes to. Leave the rest.",
            ),
            section(
                "Warning signs",
                *[key for key, _, _ in RED_FLAG_GROUPS],
                intro="Tick each question your answer is yes to. If any of these "
                "is happening right now, stop and call 911.",
            ),
            section(
                "Allergies and other medicines",
                "allergies",
                "other_allergies",
                "medications",
                "last_botox_weeks_ago",
            ),
        )

    def clean(self):
        cleaned = super().clean()
        for model_field, groups in self.code_groups.items():
            chosen = {code for key, _, _ in groups for code in cleaned.get(key, [])}
            setattr(
                self.instance,
                model_field,
                [
                    code
                    for code, _ in getattr(codes, model_field.upper())
                    if code in chosen
                ],
            )
        return cleaned


class MoodForm(IntakeStepForm):
    """PHQ-9 (Kroenke, Spitzer and Williams, 2001; public domain)."""

    class Meta(IntakeStepForm.Meta):
        fields = [f"phq9_{n}" for n in range(1, 10)]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for n, item in enumerate(scoring.PHQ9_ITEMS, start=1):
            self.fields[f"phq9_{n}"] = forms.TypedChoiceField(
                label=f"{n}. {item}",
                choices=scoring.PHQ9_ANSWERS,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": "Choose how often, for this question."},
            )


class DailyLifeForm(IntakeStepForm):
    """MIDAS (Stewart and Lipton): five scored questions and two more."""

    class Meta(IntakeStepForm.Meta):
        fields = [*[f"midas_{n}" for n in range(1, 6)], "midas_a", "midas_b"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = [*scoring.MIDAS_ITEMS, scoring.MIDAS_A, scoring.MIDAS_B]
        for name, label in zip(self.Meta.fields, labels, strict=True):
            self.fields[name] = number(name, label)

    def clean(self):
        cleaned = super().clean()
        for missed, reduced, where in (
            ("midas_1", "midas_2", "work or school"),
            ("midas_3", "midas_4", "household work"),
        ):
            if (
                cleaned.get(missed) is not None
                and cleaned.get(reduced) is not None
                and cleaned[missed] + cleaned[reduced] > RANGES[missed][1]
            ):
                self.add_error(
                    reduced,
                    f"Days missed and days half-done at {where} add up to more than "
                    "the 90 days of 3 months.",
                )
        return cleaned


class ServicesForm(IntakeStepForm):
    interests = ticks(
        "Which of our services would you like to know more about?",
        codes.SERVICES,
        "Tick any. Our physicians will tell you which ones fit you.",
    )
    heard_from = choice(
        "How did you hear about us?", Intake.HeardFrom.choices, required=False
    )

    class Meta(IntakeStepForm.Meta):
        fields = ["interests", "heard_from"]


class ConsentForm(IntakeStepForm):
    consent_signature = forms.CharField(
        label="Type your full name to sign",
        max_length=200,
        help_text="Your first and last name, as you gave them in step 1.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Type your full name to sign."},
    )
    agree = forms.BooleanField(
        label="I have read the consent above and I agree to it",
        error_messages={"required": "Tick the box to agree to the consent."},
    )

    class Meta(IntakeStepForm.Meta):
        fields = ["consent_signature"]

    @classmethod
    def for_draft(cls, draft: OnlineDraft, data=None):
        signed = bool(draft.intake.consent_signature)
        return cls(data=data, instance=draft.intake, initial={"agree": signed})

    def clean_consent_signature(self):
        signature = " ".join(self.cleaned_data["consent_signature"].split())
        if not signature_matches(signature, self.instance.patient):
            raise forms.ValidationError(
                "Type your name exactly as you gave it in step 1: "
                "your first name, then your last name."
            )
        return signature

    def clean(self):
        cleaned = super().clean()
        self.instance.consent_version = CONSENT_VERSION
        return cleaned


class ReviewForm(StepForm):
    """The last step has no questions: submitting it sends the intake."""

    @classmethod
    def for_draft(cls, draft: OnlineDraft, data=None):
        return cls(data=data)
