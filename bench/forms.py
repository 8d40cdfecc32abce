from django import forms

from bench.models import FormRow


class TenFieldForm(forms.ModelForm):
    class Meta:
        model = FormRow
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "born",
            "visits",
            "score",
            "kind",
            "note",
            "agreed",
        ]
