"""The outcomes page's filter: a date range of first sessions and a service."""

from django import forms

from intake import codes


class OutcomesFilterForm(forms.Form):
    since = forms.DateField(
        label="First session from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = forms.DateField(
        label="to",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
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
        """The chosen filters; none when the form is invalid (errors shown)."""
        if not self.is_valid():
            return {"service": None, "since": None, "until": None}
        return {
            "service": self.cleaned_data["service"] or None,
            "since": self.cleaned_data["since"],
            "until": self.cleaned_data["until"],
        }
