"""Every write of the intake app that matters, one transaction each."""

import copy
import datetime
import logging
import re
import secrets
from collections.abc import Callable, Sequence
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from clinic.audit import save_audited
from clinic.validation import validate_built
from intake import amendments, tasks
from intake.matching import Person, merge_fill_in
from intake.models import (
    DuplicateFlag,
    Intake,
    IntakeAmendment,
    OnlineDraft,
    Patient,
    PatientAlias,
    PatientMerge,
    TreatmentTrial,
)
from intake.notifications import resume_link_message, submission_confirmation
from intake.selectors import patient_duplicates, token_hash
from intake.signals import intake_submitted

CONSENT_VERSION = "2026-01"

logger = logging.getLogger(__name__)


def validate_intake(intake: Intake) -> None:
    """Validate an intake's answers in Python, without a query.

    Every database constraint on an intake mirrors a field validator or ``clean()``
    (tests/intake/test_constraints.py checks both sides), so the database is asked
    only when the row is written, and still refuses anything out of range. The
    patient and the staff member who entered it are rows the caller holds.
    """
    validate_built(intake, held=("patient", "entered_by"))


@transaction.atomic
def patient_create(*, patient: Patient) -> Patient:
    """Give an unsaved patient its record number, validate it and save it."""
    patient.record_number = Patient.next_record_number()
    patient.full_clean()
    patient.save()
    return patient


@transaction.atomic
def patient_update(*, patient: Patient, not_a_duplicate: bool = False) -> Patient:
    """Validate and save changes to a stored patient's details.

    ``not_a_duplicate``: staff checked the possible duplicates and this is a
    different person, so the background matching's flags on it are cleared.
    """
    patient.full_clean()
    patient.save()
    if not_a_duplicate:
        patient.duplicate_flags.all().delete()
    return patient


@transaction.atomic
def patient_flag_duplicates(*, patient_id) -> list[DuplicateFlag]:
    """Flag the stored patients who may be the same person as this one.

    Run in the background for patients registered online; only records made
    before this one are flagged, so a pair is flagged once, on its newer record.
    Idempotent (one flag per pair, its reasons brought up to date). A patient gone
    meanwhile (merged) flags nothing.
    """
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None:
        return []
    person = Person(
        patient.first_name,
        patient.last_name,
        patient.date_of_birth,
        phone=patient.mobile_phone,
        email=patient.email,
    )
    flags = []
    for candidate, reasons in patient_duplicates(person=person, exclude_pk=patient.pk):
        if candidate.created > patient.created:
            continue  # the later record is the one flagged, when it is matched
        flag, _ = DuplicateFlag.objects.update_or_create(
            patient=patient, candidate=candidate, defaults={"reasons": reasons}
        )
        flags.append(flag)
    return flags


MERGED_DETAILS = [
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "email",
    "mobile_phone",
    "preferred_language",
    "emergency_contact_name",
    "emergency_contact_phone",
    "created",
]


def patient_merge(
    *, survivor: Patient, merged: Patient, user: AbstractBaseUser, reason: str
) -> PatientMerge:
    """Make two records of one person one: ``merged`` into ``survivor``.

    In one transaction: the merged record's intakes (and with them their referrals,
    amendments and routing history) move to the survivor, its record number and
    any earlier ones become the survivor's aliases (searching them finds the
    survivor), its possible-duplicate flags with third records pass to the
    survivor, the contact details the survivor lacks are filled in from the
    merged record (``intake.matching.merge_fill_in``: e-mail, mobile phone,
    emergency contact), a ``PatientMerge`` keeps the merged record's details as
    they were, what was filled in, who merged it and why, and the merged record
    is deleted. The survivor's other details are not changed. Refused while the
    merged record has an online intake still being filled in: its author would
    see the survivor's details.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why these records are one person."})
    if survivor.pk == merged.pk:
        raise ValidationError("Choose two different records.")
    with transaction.atomic():
        locked = {
            patient.pk: patient
            for patient in Patient.objects.select_for_update()
            .filter(pk__in=[survivor.pk, merged.pk])
            .order_by("pk")
        }
        if len(locked) != 2:
            raise ValidationError("One of these records was merged or removed.")
        survivor, merged = locked[survivor.pk], locked[merged.pk]
        merged_details = _details(merged)
        filled = merge_fill_in(_details(survivor), merged_details)
        intakes = list(merged.intakes.select_for_update())
        if any(
            intake.status == Intake.Status.DRAFT
            and intake.source == Intake.Source.ONLINE
            for intake in intakes
        ):
            raise ValidationError(
                f"{merged.record_number} has an online intake still being filled "
                "in; merge once it is sent."
            )
        merge = PatientMerge(
            survivor_record_number=survivor.record_number,
            merged_record_number=merged.record_number,
            merged_details=merged_details,
            filled_in=sorted(filled),
            intakes_moved=len(intakes),
            reason=reason,
            merged_by=user,
        )
        merge.full_clean()
        merge.save()
        if filled:
            for name, value in filled.items():
                setattr(survivor, name, value)
            survivor.full_clean()
            survivor.save(update_fields=[*filled, "modified"])
        for intake in intakes:
            intake.patient = survivor
            intake.save(update_fields=["patient", "modified"])
        for alias in merged.aliases.all():
            alias.patient = survivor
            alias.save(update_fields=["patient"])
        alias = PatientAlias(
            record_number=merged.record_number, patient=survivor, merge=merge
        )
        alias.full_clean()
        alias.save()
        _carry_duplicate_flags(survivor=survivor, merged=merged)
        merged.delete()
    return merge


def _details(patient: Patient) -> dict[str, str]:
    return {name: str(getattr(patient, name)) for name in MERGED_DETAILS}


def _carry_duplicate_flags(*, survivor: Patient, merged: Patient) -> None:
    """A flag between the merged record and a third one now names the survivor;
    a flag between the two merged records is settled, and goes with the record."""
    flags = DuplicateFlag.objects.filter(Q(patient=merged) | Q(candidate=merged))
    for flag in flags.exclude(patient=survivor).exclude(candidate=survivor):
        pair = {
            "patient": survivor if flag.patient_id == merged.pk else flag.patient,
            "candidate": survivor if flag.candidate_id == merged.pk else flag.candidate,
        }
        DuplicateFlag.objects.get_or_create(**pair, defaults={"reasons": flag.reasons})


@transaction.atomic
def intake_save(*, intake: Intake) -> Intake:
    """Validate and save an intake's answers; a submitted intake stays submitted."""
    validate_intake(intake)
    intake.save()
    return intake


# What submitting changes: the answers were saved step by step before.
SUBMISSION_FIELDS = [
    "status",
    "submitted_at",
    "consent_signed_at",
    "consent_version",
    "entered_by",
]


def validate_submission(intake: Intake) -> None:
    """Validate what submitting changes, and the intake's ``clean()``.

    The answers were validated as each step, or the admin, saved them (and the
    database constrains every one); submitting changes only ``SUBMISSION_FIELDS``,
    so only those are checked again. The staff member is a row the caller holds.
    """
    unchanged = [
        field.name
        for field in intake._meta.concrete_fields
        if field.name not in SUBMISSION_FIELDS or field.name == "entered_by"
    ]
    intake.full_clean(
        exclude=unchanged, validate_unique=False, validate_constraints=False
    )


def intake_submit(*, intake: Intake, user: AbstractBaseUser | None = None) -> Intake:
    """Submit a complete intake, once, and announce it with ``intake_submitted``.

    The announcement is sent inside the submission's transaction, so what its
    receivers write (the referrals app queues the intake for routing and enqueues the
    routing task) commits with the submission or not at all: a submitted intake is
    never left without its routing job. Idempotent: submitting an intake that is
    already submitted returns it unchanged and announces nothing, so a double click
    or a resubmitted page never routes twice. Raises ``ValidationError`` naming every
    missing answer of an incomplete intake.
    """
    with transaction.atomic():
        intake = (
            Intake.objects.select_for_update(of=("self",))
            .select_related("patient")
            .get(pk=intake.pk)
        )
        if intake.status == Intake.Status.SUBMITTED:
            return intake
        missing = intake.missing_for_submission()
        if missing:
            raise ValidationError(
                "Answer these before submitting: %(missing)s.",
                code="incomplete",
                params={"missing": "; ".join(missing)},
            )
        stored = copy.copy(intake)
        now = timezone.now()
        intake.status = Intake.Status.SUBMITTED
        intake.submitted_at = now
        if not intake.consent_signed_at:
            intake.consent_signed_at = now
            intake.consent_version = intake.consent_version or CONSENT_VERSION
        if user is not None and intake.entered_by_id is None:
            intake.entered_by = user
        validate_submission(intake)
        save_audited(intake, before=stored, fields=SUBMISSION_FIELDS)
        submission_confirmation(intake=intake)
        if intake.source == Intake.Source.ONLINE:
            # The details may have changed since the start: matched again.
            tasks.match_online_patient.enqueue(patient_id=str(intake.patient_id))
        intake_submitted.send(sender=Intake, intake=intake, amendment=None)
    return intake


def intake_amend(
    *,
    intake: Intake,
    user: AbstractBaseUser,
    reason: str,
    treatments: Sequence[TreatmentTrial] = (),
    removed_treatments: Sequence[TreatmentTrial] = (),
) -> IntakeAmendment | None:
    """Change a submitted intake's answers and treatment rows, saying why.

    ``intake`` carries the changed answers; ``treatments`` are its new and changed
    rows, ``removed_treatments`` the rows to delete. In one transaction: the changes
    are validated and saved, recorded as an amendment (who, when, why, and each
    change in words), and announced with ``intake_submitted``, so the intake is
    routed again. Returns None, changing nothing, when nothing changed.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"amendment_reason": "Say why the intake is changed."})
    with transaction.atomic():
        stored = (
            Intake.objects.select_for_update(of=("self",))
            .select_related("patient")
            .get(pk=intake.pk)
        )
        if stored.status != Intake.Status.SUBMITTED:
            raise ValidationError("Only a submitted intake is amended.")
        rows_before = {row.pk: row for row in stored.treatments.select_related("drug")}
        changes = amendments.answer_changes(stored, intake) + (
            amendments.treatment_changes(rows_before, treatments, removed_treatments)
        )
        if not changes:
            return None
        validate_intake(intake)
        intake.save()
        for row in removed_treatments:
            row.delete()
        for row in treatments:
            row.intake = intake
            row.full_clean()
            row.save()
        amendment = IntakeAmendment(
            intake=intake, amended_by=user, reason=reason, changes=changes
        )
        validate_built(amendment, held=("intake", "amended_by"))
        amendment.save()
        intake_submitted.send(sender=Intake, intake=intake, amendment=amendment)
        return amendment


class DraftLimitReached(Exception):
    """Too many new drafts from one address within the last hour."""


class ResumeLink(NamedTuple):
    url: str
    expires_at: datetime.datetime
    emailed: bool


def client_hash(address: str, browser: str) -> str:
    """A salted hash of a client's address and browser (its User-Agent).

    Countable, but not the address itself. Patients on a waiting room's Wi-Fi share
    an address; each phone counts on its own.
    """
    return salted_hmac(
        "intake.online.client-address", f"{address}\n{browser}", algorithm="sha256"
    ).hexdigest()


def plain_name(text: str) -> str:
    """A name compared without case, spacing or punctuation."""
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def signature_matches(signature: str, patient: Patient) -> bool:
    """Whether a typed signature is the patient's first and last name."""
    return plain_name(signature) == plain_name(
        f"{patient.first_name} {patient.last_name}"
    )


def _mark_done(draft: OnlineDraft, step: str) -> None:
    if step not in draft.steps_done:
        draft.steps_done = [*draft.steps_done, step]


def draft_start(
    *,
    patient: Patient,
    client_address: str,
    browser: str,
    start_key: str,
    step: str,
    resume_at: str = "",
) -> OnlineDraft:
    """Start an online intake: the patient, a draft intake and its online wrapper.

    ``start_key`` comes from the browser session, so a double click on the first
    step makes one draft: the second request gets the draft the first one made.
    Raises ``DraftLimitReached`` when one browser at one address started
    ``INTAKE_NEW_FORMS_PER_HOUR`` drafts within the hour. ``resume_at`` is the
    step a resume link opens.
    """
    client = client_hash(client_address, browser)
    existing = OnlineDraft.objects.filter(start_key=start_key).first()
    if existing is not None:
        return existing
    hour_ago = timezone.now() - datetime.timedelta(hours=1)
    recent = OnlineDraft.objects.filter(client_hash=client, created__gte=hour_ago)
    if recent.count() >= settings.INTAKE_NEW_FORMS_PER_HOUR:
        raise DraftLimitReached
    try:
        with transaction.atomic():
            patient_create(patient=patient)
            tasks.match_online_patient.enqueue(patient_id=str(patient.pk))
            intake = Intake(patient=patient, source=Intake.Source.ONLINE)
            validate_intake(intake)
            intake.save()
            draft = OnlineDraft(
                intake=intake,
                start_key=start_key,
                client_hash=client,
                steps_done=[step],
                resume_step=resume_at,
            )
            draft.full_clean(validate_unique=False)
            draft.save()
    except IntegrityError:
        return OnlineDraft.objects.get(start_key=start_key)
    return draft


@transaction.atomic
def draft_save_answers(
    *,
    draft: OnlineDraft,
    step: str,
    patient: Patient | None = None,
    intake: Intake | None = None,
    treatments: list[TreatmentTrial] | None = None,
    resume_at: str = "",
) -> OnlineDraft:
    """Save one step's answers to a draft and mark the step done.

    ``patient`` and ``intake`` are the draft's own records with the step's answers
    applied; ``treatments`` replace the draft's treatment rows. A changed name
    voids a signature that no longer matches it, so consent is asked again. Answers
    of the step kept unchecked are replaced by these; ``resume_at`` is the step a
    resume link opens.
    """
    draft = OnlineDraft.objects.select_for_update().get(pk=draft.pk)
    stored = draft.intake
    if stored.status != Intake.Status.DRAFT:
        raise ValidationError("This intake was already sent.", code="submitted")
    if patient is not None:
        patient.full_clean()
        patient.save()
        if stored.consent_signature and not signature_matches(
            stored.consent_signature, patient
        ):
            stored.consent_signature = ""
            stored.consent_signed_at = None
            intake_save(intake=stored)
            draft.steps_done = [done for done in draft.steps_done if done != "consent"]
    if intake is not None:
        if step == "consent":
            intake.consent_signed_at = timezone.now()
        intake_save(intake=intake)
    if treatments is not None:
        stored.treatments.all().delete()
        for trial in treatments:
            trial.intake = stored
            trial.full_clean()
        TreatmentTrial.objects.bulk_create(treatments)
    _mark_done(draft, step)
    draft.unchecked_answers.pop(step, None)
    draft.resume_step = resume_at
    draft.save()
    return draft


@transaction.atomic
def draft_keep_unchecked(
    *, draft: OnlineDraft, step: str, answers: dict, resume_at: str
) -> OnlineDraft:
    """Keep what was on a step's page, as posted, when the patient leaves it.

    "Back" and "Save and finish later" judge nothing: the answers are shown again
    when the step is opened, and the step counts as not done until "Save and
    continue" accepts it.
    """
    draft = OnlineDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.intake.status != Intake.Status.DRAFT:
        raise ValidationError("This intake was already sent.", code="submitted")
    draft.unchecked_answers = {**draft.unchecked_answers, step: answers}
    draft.steps_done = [done for done in draft.steps_done if done != step]
    draft.resume_step = resume_at
    draft.full_clean(validate_unique=False)
    draft.save(
        update_fields=["unchecked_answers", "steps_done", "resume_step", "modified"]
    )
    return draft


def resume_link_issue(
    *, draft: OnlineDraft, build_url: Callable[[str], str]
) -> ResumeLink:
    """Give a draft a new private resume link, replacing any earlier one.

    The token is returned once, inside the link, and stored only as its SHA-256
    hash. The link is e-mailed when the patient gave an address; a failed e-mail
    is logged and reported, since the link is shown on screen as well.
    """
    token = secrets.token_urlsafe(32)
    expires_at = timezone.now() + datetime.timedelta(
        days=settings.INTAKE_RESUME_LINK_DAYS
    )
    with transaction.atomic():
        draft = OnlineDraft.objects.select_for_update().get(pk=draft.pk)
        draft.resume_token_hash = token_hash(token)
        draft.resume_expires_at = expires_at
        draft.full_clean(validate_unique=False)
        draft.save(update_fields=["resume_token_hash", "resume_expires_at", "modified"])
    url = build_url(token)
    patient = draft.intake.patient
    if not patient.email:
        return ResumeLink(url, expires_at, emailed=False)
    subject, body = resume_link_message(patient=patient, url=url, expires_at=expires_at)
    try:
        send_mail(
            subject=subject,
            message=body,
            from_email=None,
            recipient_list=[patient.email],
        )
    except Exception:
        logger.exception("The resume link e-mail could not be sent.")
        return ResumeLink(url, expires_at, emailed=False)
    return ResumeLink(url, expires_at, emailed=True)


def draft_submit(*, draft: OnlineDraft) -> Intake:
    """Submit a draft's intake once, however many requests ask at the same time.

    ``intake_submit`` locks the intake: a concurrent second request (a double click)
    waits for the first to commit, then finds the intake submitted and returns it.
    """
    return intake_submit(intake=draft.intake)


def intake_safety_clear(
    *,
    intake: Intake,
    user: AbstractBaseUser,
    note: str,
    when: datetime.datetime | None = None,
) -> Intake:
    """Record that a clinician documented safety after a positive PHQ-9 item 9.

    From then on the intake's facts say ``safety_cleared``. The referrals app calls
    this when a physician clears a safety hold.
    """
    with transaction.atomic():
        intake = Intake.objects.select_for_update().get(pk=intake.pk)
        intake.safety_cleared_at = when or timezone.now()
        intake.safety_cleared_by = user
        intake.safety_note = note
        intake.full_clean()
        intake.save(
            update_fields=["safety_cleared_at", "safety_cleared_by", "safety_note"]
        )
        return intake
