"""Validation of rows the services write, with as few queries as the rules allow."""

import logging
from contextlib import nullcontext

from django.core.exceptions import FieldError, ValidationError
from django.db import DatabaseError, connections, models, router, transaction
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE

logger = logging.getLogger("django.db.models")


def validate_built(instance: models.Model, *, held: tuple[str, ...] = ()) -> None:
    """Validate ``instance``'s fields and its ``clean()``, spending no query.

    ``held`` names foreign keys to rows the service holds in its transaction (read,
    locked or just created); ``Model.full_clean`` would read each one again to prove
    it exists. Uniqueness (a fresh UUID, or the row's own primary key) and the
    constraints are left to the database, which refuses a bad write inside the same
    transaction.
    """
    instance.full_clean(exclude=held, validate_unique=False, validate_constraints=False)


class ChecksInOneQuery:
    """A model whose ``full_clean()`` validates all its check constraints in one query.

    Django asks the database about each ``CheckConstraint`` in a query and a savepoint
    of its own: three statements a constraint, 21 for a referral. This asks about all
    of them at once, by Django's rules: a constraint naming an excluded field is
    skipped, a condition the database answers with NULL (unknown) passes, as its CHECK
    does, and a database error is Django's warning and a pass. Other constraints
    (unique ones) are validated by Django as before.
    """

    def validate_constraints(self, exclude=None):
        using = router.db_for_write(self.__class__, instance=self)
        errors = {}
        checks = []
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                if isinstance(constraint, models.CheckConstraint) and (
                    model_class is self.__class__
                ):
                    checks.append(constraint)
                    continue
                try:
                    constraint.validate(model_class, self, exclude=exclude, using=using)
                except ValidationError as error:
                    if getattr(error, "code", None) == "unique" and (
                        len(constraint.fields) == 1
                    ):
                        errors.setdefault(constraint.fields[0], []).append(error)
                    else:
                        errors = error.update_error_dict(errors)
        for constraint in self._failed_checks(checks, exclude, using):
            errors = ValidationError(
                constraint.get_violation_error_message(),
                code=constraint.violation_error_code,
            ).update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def _failed_checks(self, checks, exclude, using) -> list[models.CheckConstraint]:
        query = Query(None)
        against = self._get_field_expression_map(meta=self._meta, exclude=exclude)
        for name, value in against.items():
            if not hasattr(value, "resolve_expression"):
                value = models.Value(value)
            query.add_annotation(value, name, select=False)
        asked = []
        for constraint in checks:
            condition = models.ExpressionWrapper(
                models.Q(constraint.condition), output_field=models.BooleanField()
            )
            try:
                query.add_annotation(
                    Coalesce(condition, True, output_field=models.BooleanField()),
                    f"_check_{len(asked)}",
                )
            except FieldError:  # it names an excluded field
                continue
            asked.append(constraint)
        if not asked:
            return []
        connection = connections[using]
        try:
            with (
                transaction.atomic(using=using)
                if connection.in_atomic_block
                else nullcontext()
            ):
                answers = query.get_compiler(using=using).execute_sql(SINGLE)
        except DatabaseError as error:
            logger.warning("Got a database error checking %s: %s", self._meta, error)
            return []
        return [
            constraint
            for constraint, passed in zip(asked, answers, strict=True)
            if not passed
        ]
