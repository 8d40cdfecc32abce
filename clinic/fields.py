"""Model fields shared by both apps."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models


class CodeListField(models.JSONField):
    """A list of codes from a fixed vocabulary, stored as JSON, edited as checkboxes.

    ``options`` is a choices list ``[(code, label), ...]``. It is validation and
    presentation only, so it stays out of migrations.
    """

    def __init__(self, *args, options=(), **kwargs):
        self.options = list(options)
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def validate(self, value, model_instance):
        super().validate(value, model_instance)
        if not isinstance(value, list):
            raise ValidationError("Expected a list of codes.", code="invalid")
        known = {code for code, _ in self.options}
        unknown = [code for code in value if code not in known]
        if unknown:
            raise ValidationError(
                "Unknown choice: %(codes)s.",
                code="invalid_choice",
                params={"codes": ", ".join(map(str, unknown))},
            )
        if len(set(value)) != len(value):
            raise ValidationError("A choice is listed twice.", code="duplicate")

    def formfield(self, **kwargs):
        return forms.MultipleChoiceField(
            choices=self.options,
            required=not self.blank,
            label=kwargs.get(
                "label", self.verbose_name[:1].upper() + self.verbose_name[1:]
            ),
            help_text=self.help_text,
            widget=forms.CheckboxSelectMultiple,
        )
