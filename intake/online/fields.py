"""The building blocks of the public intake's step forms: field makers and layout.

Every step form is built from these: bounded numbers, yes/no and other radio
questions, tick lists, titled sections, and the crispy helper every step shares.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Layout
from django import forms
from django.utils.functional import cached_property

from intake.models import RANGES, Intake, OnlineDraft

YES_NO = [(True, "Yes"), (False, "No")]


def crispy_helper() -> FormHelper:
    """Crispy layout shared by every step: fields only, the page owns the <form>."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.field_template = "intake/crispy/field.html"
    return helper


def number(name: str, label: str, help_text: str = "", required: bool = True):
    """A whole-number field bounded by the model's ``RANGES``."""
    low, high = RANGES[name]
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        required=required,
        min_value=low,
        max_value=high,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": f"Enter a number from {low} to {high:,}.",
            "invalid": f"Enter a whole number from {low} to {high:,}.",
            "min_value": f"Enter a number from {low} to {high:,}.",
            "max_value": f"Enter a number from {low} to {high:,}.",
        },
    )


def yes_no(label: str, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO,
        coerce=lambda value: value == "True",
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose yes or no."},
    )


def choice(label: str, options, required: bool = True, help_text: str = ""):
    return forms.ChoiceField(
        label=label,
        help_text=help_text,
        choices=options,
        required=required,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose one of the answers."},
    )


def ticks(label: str, options, help_text: str = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        help_text=help_text,
        choices=options,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def section(title: str, *fields, intro: str = "") -> Div:
    """A titled part of a long step, as a crispy layout."""
    parts = [HTML(f'<h2 class="section-title">{title}</h2>')]
    if intro:
        parts.append(HTML(f'<p class="section-intro">{intro}</p>'))
    return Div(*parts, *fields, css_class="form-section")


def pair(first: str, second: str) -> Div:
    """Two short fields side by side on a wide screen, stacked on a phone."""
    return Div(
        Div(first, css_class="col-sm-6"),
        Div(second, css_class="col-sm-6"),
        css_class="row",
    )


def style_choices(form: forms.Form) -> None:
    """Give radio buttons and checkboxes Bootstrap's class."""
    for field in form.fields.values():
        if isinstance(
            field.widget,
            (forms.RadioSelect, forms.CheckboxInput, forms.CheckboxSelectMultiple),
        ):
            field.widget.attrs.setdefault("class", "form-check-input")


class StepForm(forms.Form):
    """Shared behaviour of every step: the crispy helper, its layout, CSS classes."""

    def layout(self) -> Layout | None:
        return None

    @cached_property
    def helper(self) -> FormHelper:
        helper = crispy_helper()
        layout = self.layout()
        if layout is not None:
            helper.layout = layout
        style_choices(self)
        return helper


class IntakeStepForm(StepForm, forms.ModelForm):
    """A step whose answers are fields of the draft's intake."""

    class Meta:
        model = Intake
        fields: list[str] = []

    @classmethod
    def for_draft(cls, draft: OnlineDraft, data=None):
        return cls(data=data, instance=draft.intake)
