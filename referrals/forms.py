"""Forms of the review workflow: validation and layout only."""

import datetime

from django import forms
from django.utils import timezone


class NoteField(forms.CharField):
    def __init__(self, *, label="Note", required=False, **kwargs):
        kwargs.setdefault(
            "widget", forms.Textarea(attrs={"rows": 2, "cols": 60, "maxlength": 2000})
        )
        super().__init__(label=label, required=required, max_length=2000, **kwargs)


class ReferralDecisionForm(forms.Form):
    """Approve or decline one referral; a decline needs a note."""

    action = forms.ChoiceField(
        choices=[("approve", "Approve"), ("decline", "Decline")],
        widget=forms.HiddenInput,
    )
    note = NoteField(
        help_text="Optional when approving; required when declining.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "decline" and not cleaned.get("note", "").strip():
            self.add_error("note", "Say why you decline this referral.")
        return cleaned


class ApproveRecommendedForm(forms.Form):
    """Approve, with one note, the recommended referrals shown on the review page."""

    referrals = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.MultipleHiddenInput
    )
    note = NoteField(
        help_text="Optional: recorded on each of these referrals.",
    )

    def __init__(self, *args, intake, **kwargs):
        super().__init__(*args, **kwargs)
        # Any referral of this intake: the service says whether it may still be
        # approved, and who decided it if not.
        self.fields["referrals"].queryset = intake.referrals.select_related("service")


class OverrideForm(forms.Form):
    """Refer although the engine found the patient not eligible or the service
    contraindicated: the note is required."""

    note = NoteField(
        label="Why refer despite the engine",
        required=True,
        help_text="Required: the override is recorded with this note.",
    )


class ClearHoldForm(forms.Form):
    """A physician records what was done about a hold before it is cleared."""

    note = NoteField(
        label="What was done",
        required=True,
        help_text="For PHQ-9 item 9 this is the safety clearance recorded on the "
        "intake. The intake is routed again once the hold is cleared.",
    )


class ScheduleForm(forms.Form):
    """The appointment the front desk booked: when, with whom, where."""

    appointment_date = forms.DateField(
        label="Date", widget=forms.DateInput(attrs={"type": "date"})
    )
    appointment_time = forms.TimeField(
        label="Time", widget=forms.TimeInput(attrs={"type": "time"})
    )
    appointment_provider = forms.CharField(
        label="Provider",
        max_length=120,
        help_text="Who sees the patient, e.g. the clinician's name.",
    )
    appointment_location = forms.CharField(
        label="Location",
        max_length=200,
        help_text="Where, e.g. the room or the practice's address.",
    )
    note = NoteField(label="Note (optional)")

    def appointment_at(self) -> datetime.datetime:
        """The appointment as an aware time in the clinic's time zone."""
        return timezone.make_aware(
            datetime.datetime.combine(
                self.cleaned_data["appointment_date"],
                self.cleaned_data["appointment_time"],
            )
        )


class CompleteForm(forms.Form):
    """The patient received the service."""

    note = NoteField(label="Note (optional)")


class CancelForm(forms.Form):
    """Cancel an open referral: the reason is required and kept on the referral."""

    cancel_reason = NoteField(
        label="Why it is cancelled",
        required=True,
        help_text="Required, e.g. the patient withdrew or moved away.",
    )


# A service error's field -> the form field it is shown beside.
SERVICE_ERROR_FIELDS = {"appointment_at": "appointment_date"}
