"""Audit trail helpers: masking sensitive values, recording staff reads, and saving
a row already read without reading it again."""

from auditlog import get_logentry_model
from auditlog.context import disable_auditlog
from auditlog.diff import model_instance_diff
from auditlog.signals import accessed
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model

MASKED = "(hidden)"


def mask(value: str) -> str:
    """Hide a sensitive value completely: the trail says only that it changed."""
    return MASKED


def audit_register(model: type[Model], **options) -> None:
    """Put a model in the audit trail, leaving out the one-to-one links pointing at it.

    django-auditlog records every field ``_meta.get_fields()`` lists, and that
    includes the reverse side of another model's one-to-one field (an outcomes
    course's ``referral``): reading it costs a query on every audited write, and the
    other model's own entry already records the link.
    """
    from auditlog.registry import auditlog

    reverse_one_to_one = [
        field.name
        for field in model._meta.get_fields()
        if field.one_to_one and field.auto_created and not field.concrete
    ]
    auditlog.register(model, exclude_fields=reverse_one_to_one, **options)


def record_access(instance: Model) -> None:
    """Record that the signed-in staff member (from the request context) read it."""
    accessed.send(sender=instance.__class__, instance=instance)


def record_download(instance: Model, *, what: str) -> None:
    """Record that the signed-in staff member downloaded ``instance``'s record as a
    file (``what``: the file, such as "FHIR record (Bundle)").

    An access entry filed under the record's patient, as a read of the record is, but
    saying it was a download and that it covered one patient (``additional_data``'s
    ``download`` and ``patients_covered``), so it is never taken for a page view.
    """
    LogEntry = get_logentry_model()
    get_additional_data = getattr(instance, "get_additional_data", dict)
    LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        object_repr=f"download: {what}, 1 patient",
        additional_data={
            **get_additional_data(),
            "download": what,
            "patients_covered": 1,
        },
    )


def record_list_access(
    *, model: type[Model], record_numbers: list[str], page: str
) -> None:
    """Record that the signed-in staff member saw a page listing several patients.

    One entry per page, naming the record numbers shown (``additional_data``'s
    ``patients``) and what the page was, never what was searched for. A page that
    shows no patient records nothing.
    """
    if not record_numbers:
        return
    LogEntry = get_logentry_model()
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_pk="",
        object_repr=page,
        action=LogEntry.Action.ACCESS,
        additional_data={"patients": list(dict.fromkeys(record_numbers))},
    )


def record_export(*, model: type[Model], what: str, patients: int) -> None:
    """Record that the signed-in staff member (or the nightly job) exported data.

    One entry naming what was exported and how many patients it covered
    (``additional_data``'s ``patients_covered``), written before the file is sent or
    written; the rows themselves are never copied into the trail.
    """
    LogEntry = get_logentry_model()
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_pk="",
        object_repr=f"export: {what}",
        action=LogEntry.Action.ACCESS,
        additional_data={"export": what, "patients_covered": patients},
    )


def save_audited(instance: Model, *, before: Model, fields: list[str]) -> None:
    """Save the changed ``fields`` of a row and record its audit entry, diffing
    against ``before``.

    ``before`` is a copy of the row as the caller read it (under its row lock, so it
    is what the database holds). django-auditlog would read the row again to find
    what changed; the entry written here is the one it would write for a save of
    those fields, without that read. The changes are taken before saving, as
    django-auditlog takes them (so ``auto_now`` fields are not among them, though
    they are saved).
    """
    LogEntry = get_logentry_model()
    changes = model_instance_diff(
        before,
        instance,
        fields_to_check=fields,
        use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES,
    )
    auto_now = [
        field.name
        for field in instance._meta.concrete_fields
        if getattr(field, "auto_now", False)
    ]
    with disable_auditlog():
        instance.save(update_fields=[*fields, *auto_now])
    if changes:
        LogEntry.objects.log_create(
            instance, action=LogEntry.Action.UPDATE, changes=changes
        )
