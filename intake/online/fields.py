"""The building blocks of the public intake's step forms: field makers and layout.

Every step form is built from these: bounded numbers, yes/no and other radio
questions, tick lists, "any of these?" groups, titled sections, and the crispy
helper every step shares. Every word a patient reads is translatable; messages
that hold a number are built when shown, so the number follows the language.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Layout
from django import forms
from django.utils.formats import number_format
from django.utils.functional import cached_property, lazy
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from intake.models import RANGES, Intake, OnlineDraft

YES_NO = [(True, _("Yes")), (False, _("No"))]
NONE_OF_THESE = "none"
TOO_LONG = _("Keep this to %(limit_value)d characters or fewer: it has %(show_value)d.")


def translated(choices) -> list[tuple[str, str]]:
    """A choices list whose labels (marked with ``gettext_noop``) show translated."""
    return [(code, gettext_lazy(label)) for code, label in choices]


def _range_message(low: int, high: int) -> str:
    return gettext("Enter a number from %(low)s to %(high)s.") % {
        "low": number_format(low, force_grouping=True),
        "high": number_format(high, force_grouping=True),
    }


def _whole_range_message(low: int, high: int) -> str:
    return gettext("Enter a whole number from %(low)s to %(high)s.") % {
        "low": number_format(low, force_grouping=True),
        "high": number_format(high, force_grouping=True),
    }


range_message = lazy(_range_message, str)
whole_range_message = lazy(_whole_range_message, str)


def crispy_helper() -> FormHelper:
    """Crispy layout shared by every step: fields only, the page owns the <form>."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.field_template = "intake/crispy/field.html"
    return helper


def number(
    name: str, label, help_text="", required: bool = True, short=None
) -> forms.IntegerField:
    """A whole-number field bounded by the model's ``RANGES``.

    ``short`` names the question in the error summary when the label is long.
    """
    low, high = RANGES[name]
    field = forms.IntegerField(
        label=label,
        help_text=help_text,
        required=required,
        min_value=low,
        max_value=high,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": range_message(low, high),
            "invalid": whole_range_message(low, high),
            "min_value": range_message(low, high),
            "max_value": range_message(low, high),
        },
    )
    field.short_name = short
    return field


def yes_no(label, help_text="", short=None) -> forms.TypedChoiceField:
    field = forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO,
        coerce=lambda value: value == "True",
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or no.")},
    )
    field.short_name = short
    return field


def choice(label, options, required: bool = True, help_text="", short=None):
    field = forms.ChoiceField(
        label=label,
        help_text=help_text,
        choices=options,
        required=required,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose one of the answers."),
            "invalid_choice": _("Choose one of the answers shown."),
        },
    )
    field.short_name = short
    return field


def ticks(label, options, help_text="") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        help_text=help_text,
        choices=options,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose from the answers shown.")},
    )


class AnyOfTheseField(forms.MultipleChoiceField):
    """Tick the ones that apply, or "None of these": a group left blank is an error.

    An unticked box cannot mean both "no" and "skipped", so every group has an
    explicit "None of these". The cleaned value is the codes ticked, without it.
    """

    def __init__(self, *, label, choices, help_text="", short=None):
        super().__init__(
            label=label,
            help_text=help_text,
            choices=[*choices, (NONE_OF_THESE, _("None of these"))],
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "required": _("Tick the ones that apply, or “None of these”."),
                "invalid_choice": _("Choose from the answers shown."),
            },
        )
        self.short_name = short

    def clean(self, value):
        chosen = super().clean(value)
        if NONE_OF_THESE in chosen and len(chosen) > 1:
            raise forms.ValidationError(
                _("Tick “None of these” or the ones that apply, not both."),
                code="none_and_some",
            )
        return [code for code in chosen if code != NONE_OF_THESE]


def section(title, *fields, intro="") -> Div:
    """A titled part of a long step, as a crispy layout."""
    parts = [HTML(format_html('<h2 class="section-title">{}</h2>', title))]
    if intro:
        parts.append(HTML(format_html('<p class="section-intro">{}</p>', intro)))
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

    def __init__(self, *args, **kwargs):
        """Leave lengths to the form: with a ``maxlength`` attribute the browser
        stops the typing at the limit, or cuts a pasted answer, without a word; the
        form says the limit beside the field and keeps every character typed."""
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("maxlength", None)
            if getattr(field, "max_length", None):
                # In words a patient reads, unless the field says it its own way.
                field.error_messages.setdefault("max_length", TOO_LONG)

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

    def add_error(self, field, error):
        """Add an error, once: the same message twice on a field is said once.

        A form's own check and the model's ``clean()`` can find the same problem.
        """
        super().add_error(field, error)
        for errors in self._errors.values():
            seen, kept = set(), []
            for each in errors.data:
                text = str(next(iter(each))) if hasattr(each, "message") else each
                if text not in seen:
                    seen.add(text)
                    kept.append(each)
            errors.data[:] = kept


class IntakeStepForm(StepForm, forms.ModelForm):
    """A step whose answers are fields of the draft's intake."""

    class Meta:
        model = Intake
        fields: list[str] = []

    @classmethod
    def for_draft(cls, draft: OnlineDraft, data=None):
        return cls(data=data, instance=draft.intake)
