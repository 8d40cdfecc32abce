"""The outcomes page's filter (staff, English) and the patient's follow-up form
(translated)."""

import datetime

from crispy_forms.layout import Layout
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from intake import codes, scoring
from intake.online.fields import (
    StepForm,
    choice,
    range_message,
    section,
    whole_range_message,
)
from outcomes.models import PGIC, RANGES

# The page opens on the courses begun in the last year; a longer history is a
# date range away.
DEFAULT_PERIOD_DAYS = 365


def default_since() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=DEFAULT_PERIOD_DAYS)


class OutcomesFilterForm(forms.Form):
    since = forms.DateField(
        label="First session from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label="to",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    service = forms.ChoiceField(
        label="Service",
        required=False,
        choices=[("", "All services"), *codes.SERVICES],
    )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The end comes before the start.")
        return data

    @property
    def filters(self) -> dict:
        """The chosen filters; the default period when none is chosen, or when the
        choice is invalid (its errors shown)."""
        if not self.is_bound or not self.is_valid():
            return {"service": None, "since": default_since(), "until": None}
        return {
            "service": self.cleaned_data["service"] or None,
            "since": self.cleaned_data["since"],
            "until": self.cleaned_data["until"],
        }


def _count(label, bounds: str) -> forms.IntegerField:
    """A count typed on a phone's number pad, within ``RANGES[bounds]``, with one
    message for every way it can be wrong."""
    low, high = RANGES[bounds]
    message = range_message(low, high)
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": message,
            "invalid": whole_range_message(low, high),
            "min_value": message,
            "max_value": message,
        },
    )


PAIN_SCALE = [(str(n), str(n)) for n in range(RANGES["pain"][0], RANGES["pain"][1] + 1)]


class FollowUpAnswersForm(StepForm):
    """The patient's follow-up: one tap per answer where the answer is a choice."""

    headache_days = _count(
        _("In the last 4 weeks, on how many days did you have a headache?"),
        "days_in_4_weeks",
    )
    migraine_days = _count(
        _("In the last 4 weeks, on how many of those days was it a migraine?"),
        "days_in_4_weeks",
    )
    current_pain = choice(
        _("How bad is your headache pain right now?"),
        PAIN_SCALE,
        help_text=_("0 means no pain, 10 the worst pain you can imagine."),
    )
    worst_pain = choice(
        _("How bad was your worst headache in the last 4 weeks?"),
        PAIN_SCALE,
        help_text=_("0 means no pain, 10 the worst pain you can imagine."),
    )
    midas_1 = _count(gettext_lazy(scoring.MIDAS_ITEMS[0]), "midas_item")
    midas_2 = _count(gettext_lazy(scoring.MIDAS_ITEMS[1]), "midas_item")
    midas_3 = _count(gettext_lazy(scoring.MIDAS_ITEMS[2]), "midas_item")
    midas_4 = _count(gettext_lazy(scoring.MIDAS_ITEMS[3]), "midas_item")
    midas_5 = _count(gettext_lazy(scoring.MIDAS_ITEMS[4]), "midas_item")
    pgic = choice(
        _("Since the treatment, how would you describe the change in your headaches?"),
        [(str(value), label) for value, label in PGIC.choices],
    )
    side_effects = forms.CharField(
        label=_("Any side effects since the treatment?"),
        help_text=_("Leave it empty if there were none."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def layout(self) -> Layout:
        return Layout(
            section(_("Your headaches"), "headache_days", "migraine_days"),
            section(_("Pain"), "current_pain", "worst_pain"),
            section(
                _("Daily life in the last 3 months"),
                *(f"midas_{n}" for n in range(1, 6)),
            ),
            section(_("Overall"), "pgic", "side_effects"),
        )

    def clean(self):
        data = super().clean()
        headache, migraine = data.get("headache_days"), data.get("migraine_days")
        if headache is not None and migraine is not None and migraine > headache:
            self.add_error(
                "migraine_days",
                _(
                    "Migraine days are counted among the headache days: enter at most "
                    "the number of headache days."
                ),
            )
        return data

    @property
    def answers(self) -> dict:
        """The cleaned answers as the follow-up stores them."""
        data = dict(self.cleaned_data)
        for name in ("current_pain", "worst_pain", "pgic"):
            data[name] = int(data[name])
        return data


def outcomes_filter_form(query) -> OutcomesFilterForm:
    """The page's filter from its query string, unbound (the default period) when
    it chooses nothing."""
    if query:
        return OutcomesFilterForm(query)
    return OutcomesFilterForm(initial={"since": default_since()})
