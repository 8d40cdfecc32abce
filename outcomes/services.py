"""Every write of the outcomes app, one transaction each.

A course is opened for a referral when it is scheduled (``outcomes.receivers``, in
the scheduling's transaction), planned with its service's default sessions, which
staff change while it is under way; its sessions are recorded by the front
desk (attendance) and by physicians and clinicians (the clinical fields); ending the
course completes the referral through ``referrals.services.referral_complete`` and
creates its follow-ups, one per time point, sent later by the periodic task.
"""

import datetime
import secrets
from collections.abc import Callable, Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from outcomes import definitions, notifications
from outcomes.models import (
    CHANGE_COURSE,
    RECORD_CLINICAL,
    AdverseEvent,
    FollowUp,
    TreatmentCourse,
    TreatmentSession,
)
from outcomes.selectors import follow_ups_due, token_hash
from referrals.models import COMPLETE, Referral
from referrals.services import referral_complete


def course_open(
    *, referral: Referral, planned_sessions: int, user: AbstractBaseUser
) -> TreatmentCourse:
    """Open the treatment course of a scheduled referral: on its scheduling, or by
    hand for a referral scheduled before courses opened themselves."""
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if referral.status != Referral.Status.SCHEDULED:
            raise ValidationError(
                {"referral": "Only a scheduled referral can start a course."}
            )
        if TreatmentCourse.objects.filter(referral=referral).exists():
            raise ValidationError({"referral": "This referral already has a course."})
        course = TreatmentCourse(
            referral=referral, planned_sessions=planned_sessions, opened_by=user
        )
        course.full_clean()
        course.save()
        return course


def course_plan(
    *, course: TreatmentCourse, planned_sessions: int, user: AbstractBaseUser
) -> TreatmentCourse:
    """Change how many sessions an open course is planned to have."""
    if not user.has_perm(CHANGE_COURSE):
        raise PermissionDenied
    with transaction.atomic():
        course = TreatmentCourse.objects.select_for_update().get(pk=course.pk)
        if course.status != TreatmentCourse.Status.OPEN:
            raise ValidationError("This course has ended; its plan is closed.")
        course.planned_sessions = planned_sessions
        course.full_clean()
        course.save()
        return course


def _clinical_changes(session: TreatmentSession) -> list[str]:
    """The clinical fields this save would change (all set ones, for a new row)."""
    if session.pk is None:
        stored = TreatmentSession(course=session.course)
    else:
        stored = TreatmentSession.objects.get(pk=session.pk)
    return [
        name
        for name in TreatmentSession.CLINICAL_FIELDS
        if getattr(stored, name) != getattr(session, name)
    ]


def session_save(
    *,
    session: TreatmentSession,
    user: AbstractBaseUser,
    adverse_events: Iterable[AdverseEvent] = (),
    removed_adverse_events: Iterable[AdverseEvent] = (),
) -> TreatmentSession:
    """Record a session and its adverse events.

    Anyone who may change sessions records attendance; the clinical fields and
    adverse events need ``outcomes.record_clinical`` (physicians, clinicians). Dose
    and infusion time are for ketamine courses only; a course that has ended takes no
    more sessions.
    """
    adverse_events, removed_adverse_events = (
        list(adverse_events),
        list(removed_adverse_events),
    )
    with transaction.atomic():
        course = TreatmentCourse.objects.select_for_update().get(pk=session.course_id)
        if course.status != TreatmentCourse.Status.OPEN:
            raise ValidationError("This course has ended; its sessions are closed.")
        clinical = (
            _clinical_changes(session) or adverse_events or removed_adverse_events
        )
        if clinical and not user.has_perm(RECORD_CLINICAL):
            raise PermissionDenied
        errors = {}
        if not course.is_ketamine:
            for name in TreatmentSession.KETAMINE_FIELDS:
                if getattr(session, name) is not None:
                    errors[name] = "Only a ketamine infusion has a dose and duration."
        if not session.attended and adverse_events:
            errors["attended"] = "A missed session has no adverse events."
        if errors:
            raise ValidationError(errors)
        session.full_clean()
        session.save()
        for event in removed_adverse_events:
            event.delete()
        for event in adverse_events:
            event.session = session
            event.full_clean()
            event.save()
        TreatmentCourse.objects.filter(pk=course.pk).summarize_sessions()
        return session


def _end(
    *, course: TreatmentCourse, user: AbstractBaseUser, status: str, note: str
) -> TreatmentCourse:
    with transaction.atomic():
        course = TreatmentCourse.objects.select_for_update().get(pk=course.pk)
        if course.status != TreatmentCourse.Status.OPEN:
            raise ValidationError("This course has already ended.")
        last = course.sessions.filter(attended=True).order_by("date").last()
        if last is None:
            raise ValidationError(
                "No session was attended: cancel the referral instead."
            )
        course.status = status
        course.ended_on = last.date
        course.ended_by = user
        course.end_note = note
        course.full_clean()
        course.save()
        if course.referral.status == Referral.Status.COMPLETED:
            # Marked completed on the referral's own page first: the course still
            # ends, by someone who may complete referrals.
            if not user.has_perm(COMPLETE):
                raise PermissionDenied
        else:
            referral_complete(referral=course.referral, user=user, note=note)
        FollowUp.objects.bulk_create(
            FollowUp(course=course, point=point) for point in definitions.FOLLOW_UP_DAYS
        )
        return course


def course_complete(
    *, course: TreatmentCourse, user: AbstractBaseUser
) -> TreatmentCourse:
    """The patient finished the course: the referral is completed, follow-ups set."""
    return _end(
        course=course,
        user=user,
        status=TreatmentCourse.Status.COMPLETED,
        note="",
    )


def course_discontinue(
    *, course: TreatmentCourse, user: AbstractBaseUser, reason: str
) -> TreatmentCourse:
    """The course stopped before its planned end (the patient stopped coming, a
    reaction...). The referral is completed with the reason, and the patient is
    followed up like any other: the outcomes count them (intention to treat)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"end_note": "Say why the course stopped."})
    return _end(
        course=course,
        user=user,
        status=TreatmentCourse.Status.DISCONTINUED,
        note=reason,
    )


def follow_up_answer(
    *, follow_up: FollowUp, answers: dict, user: AbstractBaseUser | None = None
) -> FollowUp:
    """Store the answers to a follow-up, from the patient's link or taken by staff
    on the phone (``user``). The link stops working: answered once, for good."""
    with transaction.atomic():
        follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if follow_up.answered_at is not None:
            raise ValidationError("This follow-up has already been answered.")
        for name in FollowUp.ANSWER_FIELDS:
            setattr(follow_up, name, answers.get(name, getattr(follow_up, name)))
        follow_up.answered_at = timezone.now()
        follow_up.answered_by = user
        follow_up.token_hash = ""
        follow_up.draft_answers = {}
        follow_up.full_clean()
        follow_up.save()
        return follow_up


# Each kept answer is cut to this many characters (the longest, side effects, is
# 2,000 on the form).
DRAFT_ANSWER_LENGTH = 2000


def follow_up_keep_draft(*, follow_up: FollowUp, answers: dict) -> FollowUp:
    """Keep what is on the patient's follow-up form, as posted, judging nothing
    ("Save and finish later"): it is shown again when they come back by their link.
    The link keeps working; only answering uses it up."""
    kept = {
        name: str(answers[name])[:DRAFT_ANSWER_LENGTH]
        for name in FollowUp.ANSWER_FIELDS
        if name in answers
    }
    with transaction.atomic():
        follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
        if follow_up.answered_at is not None:
            raise ValidationError("This follow-up has already been answered.")
        follow_up.draft_answers = kept
        follow_up.save(update_fields=["draft_answers", "modified"])
        return follow_up


def follow_up_link_send(
    *, follow_up: FollowUp, build_url: Callable[[str], str]
) -> FollowUp:
    """Give a follow-up a new private link and queue the e-mail carrying it.

    The first call sends the link; a later one is the reminder, whose link replaces
    the first. The token leaves only inside the e-mail, queued in this transaction.
    """
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        follow_up = (
            FollowUp.objects.select_for_update()
            .select_related("course__referral__intake__patient")
            .get(pk=follow_up.pk)
        )
        if follow_up.answered_at is not None:
            raise ValidationError("This follow-up has already been answered.")
        patient = follow_up.course.referral.intake.patient
        if not patient.email:
            raise ValidationError("The patient gave no e-mail address.")
        reminder = follow_up.sent_at is not None
        follow_up.token_hash = token_hash(token)
        if reminder:
            follow_up.reminded_at = timezone.now()
        else:
            follow_up.sent_at = timezone.now()
        follow_up.save(
            update_fields=["token_hash", "sent_at", "reminded_at", "modified"]
        )
        notifications.follow_up_email(
            patient=patient,
            url=build_url(token),
            point=follow_up.point,
            reminder=reminder,
        )
        return follow_up


def follow_ups_send_due(
    *, today: datetime.date, build_url: Callable[[str], str]
) -> int:
    """Send each follow-up link that is due, and each reminder; return how many.

    Due: the course ended the time point's days ago, the link was not sent, and the
    answer days have not passed. A reminder: sent ``FOLLOW_UP_REMINDER_DAYS`` ago,
    not answered, not reminded yet. One transaction per e-mail, so one failure stops
    no other.
    """
    sent = 0
    for follow_up in follow_ups_due(today=today):
        follow_up_link_send(follow_up=follow_up, build_url=build_url)
        sent += 1
    return sent
