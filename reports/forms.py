"""The period a reports page or export covers."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from reports.selectors import Period

DEFAULT_WEEKS = 12
LONGEST_PERIOD_DAYS = 731  # two years: the page's weekly charts stay readable
PRESET_WEEKS = (4, 12, 26, 52)


def weeks_to_today(weeks: int, today: datetime.date | None = None) -> Period:
    """This week and the ``weeks - 1`` before it, up to today."""
    today = today or timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    return Period(monday - datetime.timedelta(weeks=weeks - 1), today)


def last_full_week(today: datetime.date | None = None) -> Period:
    """Monday to Sunday of the week before this one."""
    today = today or timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday() + 7)
    return Period(monday, monday + datetime.timedelta(days=6))


class PeriodForm(forms.Form):
    start = forms.DateField(
        label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The end comes before the start.")
            elif (end - start).days >= LONGEST_PERIOD_DAYS:
                raise ValidationError(
                    f"Choose at most {LONGEST_PERIOD_DAYS} days (two years)."
                )
        return data

    @property
    def period(self) -> Period:
        """The chosen period, or the last ``DEFAULT_WEEKS`` weeks when none is."""
        if self.is_bound and self.is_valid():
            return Period(self.cleaned_data["start"], self.cleaned_data["end"])
        return weeks_to_today(DEFAULT_WEEKS)


def period_form(query) -> PeriodForm:
    """The form of a page's query string, unbound when it chooses nothing."""
    if "start" in query or "end" in query:
        return PeriodForm(query)
    default = weeks_to_today(DEFAULT_WEEKS)
    return PeriodForm(initial={"start": default.start, "end": default.end})


class ColumnsForm(forms.Form):
    """The columns of a staff list to export, among those the role may export."""

    columns = forms.MultipleChoiceField(
        label="Columns", widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, choices: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["columns"].choices = choices
        self.fields["columns"].initial = [name for name, _ in choices]
