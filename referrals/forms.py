"""Forms of the review workflow: validation and layout only."""

from django import forms


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


class OverrideForm(forms.Form):
    """Refer despite the engine's NE or BLOCK: the note is required."""

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


class TransitionForm(forms.Form):
    """Schedule, complete or cancel a referral (front desk)."""

    note = NoteField(label="Note (optional)")
