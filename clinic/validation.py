"""Validation of rows a service builds itself, without re-reading what it holds."""

from django.db import models


def validate_built(instance: models.Model, *, held: tuple[str, ...] = ()) -> None:
    """Validate ``instance``'s fields and its ``clean()``, spending no query.

    ``held`` names foreign keys to rows the service holds in its transaction (read,
    locked or just created); ``Model.full_clean`` would read each one again to prove
    it exists. Uniqueness (a fresh UUID, or the row's own primary key) and the
    constraints are left to the database, which refuses a bad write inside the same
    transaction.
    """
    instance.full_clean(exclude=held, validate_unique=False, validate_constraints=False)
