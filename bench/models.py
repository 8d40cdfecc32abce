"""Baseline tables: the simplest Django can do, measured beside the real flows."""

from django.db import models


class TenFields(models.Model):
    """Ten ordinary columns, like a short form's."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField()
    phone = models.CharField(max_length=20)
    born = models.DateField()
    visits = models.PositiveIntegerField()
    score = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=[("a", "A"), ("b", "B")])
    note = models.CharField(max_length=200, blank=True)
    agreed = models.BooleanField(default=False)

    class Meta:
        abstract = True


class FormRow(TenFields):
    """Where the bare view inserts: one row per POST."""

    def __str__(self) -> str:
        return f"Form row {self.pk}"


class ListRow(TenFields):
    """A one-table model with as many rows as intakes: the changelist baseline."""

    def __str__(self) -> str:
        return f"List row {self.pk}"


class OldAuditHead(models.Model):
    """The audit trail's former chain head (clinic migrations 0006-0011), kept here
    only to measure, in the same run, what its row lock cost every audited write
    (bench/old_trail.py)."""

    sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"Old audit head at {self.sequence}"
