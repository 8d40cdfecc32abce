"""What both apps share: a time-stamped abstract model, a counter for record numbers."""

from django.db import models, transaction
from django.db.models import F


class TimeStampedModel(models.Model):
    """Adds creation and modification times."""

    created = models.DateTimeField(auto_now_add=True, db_index=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Counter(models.Model):
    """A named, gap-free counter shared by all application processes.

    ``next_value`` updates the row before reading it, so the database's row lock (or
    SQLite's write lock) serialises concurrent callers: two processes never get the same
    number.
    """

    name = models.CharField(max_length=40, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return self.name

    @classmethod
    def next_value(cls, name: str) -> int:
        with transaction.atomic():
            if not cls.objects.filter(name=name).update(value=F("value") + 1):
                cls.objects.get_or_create(name=name)
                cls.objects.filter(name=name).update(value=F("value") + 1)
            return cls.objects.get(name=name).value
