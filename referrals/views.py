"""Staff pages of the referral workflow, served inside the admin (see ``admin.py``).

Thin views: validate a form, call one service, redirect with a message. Actions are
POST-only and CSRF-protected; every page is ``never_cache`` (patient data) and checks
the permission of the role it serves.
"""

import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django_fsm import can_proceed

from clinic.audit import record_access, record_download, record_list_access
from intake import codes
from intake.models import Intake
from referrals import letters, selectors, services
from referrals.forms import (
    SERVICE_ERROR_FIELDS,
    ApproveRecommendedForm,
    CancelForm,
    ClearHoldForm,
    CompleteForm,
    OverrideForm,
    ReferralDecisionForm,
    ScheduleForm,
)
from referrals.models import (
    CLEAR_HOLD,
    COMPLETE,
    DECIDE,
    SCHEDULE,
    VIEW_LETTER,
    VIEW_QUEUE,
    VIEW_REFERRAL,
    QueueEntry,
    Referral,
    RoutingDecision,
    Service,
)

QUEUE_PAGE_SIZE = 50


def review_url(intake_id) -> str:
    return reverse("admin:referrals_review", args=[intake_id])


@method_decorator(never_cache, name="dispatch")
class StaffView(PermissionRequiredMixin, View):
    """A page inside the admin: admin chrome, staff permission, never cached."""

    admin_site = None
    raise_exception = True

    def admin_context(self, request, title: str) -> dict:
        return {**self.admin_site.each_context(request), "title": title}


# Stands for an intake's key in a review link built once per queue page.
NO_INTAKE = uuid.UUID(int=0)


class QueueView(StaffView):
    permission_required = VIEW_QUEUE

    def get(self, request):
        entries = selectors.review_queue()
        section = request.GET.get("section", "")
        section = int(section) if section.isdigit() else None
        if section in QueueEntry.Section.values:
            entries = entries.filter(section=section)  # a home page's count
        else:
            section = None
        page = Paginator(entries, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
        # Each row's review link: reversed once, each intake's key put in its place.
        review_url = reverse("admin:referrals_review", args=[NO_INTAKE])
        rows = [
            {
                "review_url": review_url.replace(str(NO_INTAKE), str(entry.intake_id)),
                "entry": entry,
                "intake": entry.intake,
                "decision": next(iter(entry.intake.queue_decisions), None),
                "referrals": entry.intake.queue_referrals,
                "age": entry.intake.patient.age_on(entry.intake.intake_date),
            }
            for entry in page.object_list
        ]
        record_list_access(
            model=Intake,
            record_numbers=[row["intake"].patient.record_number for row in rows],
            page=f"review queue, page {page.number}",
        )
        context = {
            **self.admin_context(request, "Physicians' review queue"),
            "page": page,
            "rows": rows,
            "open_holds": QueueEntry.objects.holds().count(),
            "sections": QueueEntry.Section,
            "section": QueueEntry.Section(section) if section is not None else None,
        }
        return render(request, "admin/referrals/review_queue.html", context)


def render_review(
    view: StaffView,
    request,
    intake_id,
    bound: dict | None = None,
    lost: "LostRace | None" = None,
):
    """The review page of one intake, with any bound (invalid) form in place (400),
    or the note of a decision that lost a race (``LostRace``, 409) kept beside the
    winner's decision."""
    try:
        review = selectors.intake_review(intake_id=intake_id)
    except Intake.DoesNotExist as error:
        raise Http404 from error
    record_access(review.intake)
    bound = bound or {}
    for form in bound.values():
        # The page opens at the field to mend, however far down it is.
        first = next(iter(form.errors), None)
        if first in form.fields:
            form.fields[first].widget.attrs["autofocus"] = True
    together = []
    open_hold = review.decision is None or review.decision.is_open_hold
    for row in review.services:
        referral = row.referral
        if referral is not None and referral.status == Referral.Status.PENDING_REVIEW:
            row.form = bound.get(f"referral:{referral.pk}") or ReferralDecisionForm(
                auto_id=f"id_%s_{referral.pk.hex}"
            )
            if (
                referral.recommended_outcome == Referral.Outcome.REC
                and not referral.rereview_reason
            ):
                together.append(referral)
        if lost is not None and lost.key in (
            f"referral:{getattr(referral, 'pk', '')}",
            f"override:{row.service.code}",
        ):
            row.lost = lost
        if row.can_override and not open_hold:
            row.override_form = bound.get(f"override:{row.service.code}") or (
                OverrideForm(auto_id=f"id_%s_override_{row.service.code}")
            )
    approve_all = bound.get("approve-all")
    if approve_all is None and len(together) > 1:
        approve_all = ApproveRecommendedForm(
            initial={
                "referrals": together,
                "note": lost.note if lost and lost.key == "approve-all" else "",
            },
            intake=review.intake,
            auto_id="id_%s_all",
        )
    context = {
        **view.admin_context(request, f"Review: {review.intake.patient}"),
        "review": review,
        "approve_all": approve_all,
        "approve_all_names": [referral.service.name for referral in together],
        "lost": lost,
        "hold_form": bound.get("hold") or ClearHoldForm(auto_id="id_%s_hold"),
        "can_decide": request.user.has_perm(DECIDE),
        "can_clear": request.user.has_perm(CLEAR_HOLD),
        "can_letter": request.user.has_perm(VIEW_LETTER),
        "prior_authorisation_service": (
            codes.BOTOX if letters.botox_letter_allowed(review.decision) else None
        ),
    }
    status = 409 if lost else 400 if bound else 200
    return render(request, "admin/referrals/review.html", context, status=status)


class ReviewView(StaffView):
    permission_required = VIEW_QUEUE

    def get(self, request, intake_id):
        return render_review(self, request, intake_id)


class ReferralDecideView(StaffView):
    """Approve or decline one referral."""

    permission_required = DECIDE

    def post(self, request, referral_id):
        referral = get_object_or_404(Referral, pk=referral_id)
        form = ReferralDecisionForm(request.POST, auto_id=f"id_%s_{referral.pk.hex}")
        if form.is_valid():
            action = form.cleaned_data["action"]
            service = (
                services.referral_approve
                if action == "approve"
                else services.referral_decline
            )
            try:
                service(
                    referral=referral, user=request.user, note=form.cleaned_data["note"]
                )
            except services.ReferralConflict as conflict:
                return render_lost_race(
                    self,
                    request,
                    referral.intake_id,
                    f"referral:{referral.pk}",
                    form,
                    conflict,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                verb = "approved" if action == "approve" else "declined"
                messages.success(request, f"{referral.service.name} referral {verb}.")
            if form.is_valid():
                return HttpResponseRedirect(
                    review_url(referral.intake_id) + f"#service-{referral.service.code}"
                )
        messages.error(request, "The decision was not recorded: see the note below.")
        return render_review(
            self, request, referral.intake_id, {f"referral:{referral.pk}": form}
        )


class ApproveRecommendedView(StaffView):
    """Approve every recommended referral of an intake the physician saw, one note."""

    permission_required = DECIDE

    def post(self, request, intake_id):
        intake = get_object_or_404(Intake, pk=intake_id)
        form = ApproveRecommendedForm(request.POST, intake=intake, auto_id="id_%s_all")
        if form.is_valid():
            try:
                approved = services.intake_referrals_approve(
                    intake=intake,
                    referrals=list(form.cleaned_data["referrals"]),
                    user=request.user,
                    note=form.cleaned_data["note"],
                )
            except services.ReferralConflict as conflict:
                return render_lost_race(
                    self, request, intake.pk, "approve-all", form, conflict
                )
            names = ", ".join(referral.service.name for referral in approved)
            messages.success(request, f"Approved: {names}.")
            return HttpResponseRedirect(review_url(intake.pk))
        messages.error(request, "Nothing was approved: see the note below.")
        return render_review(self, request, intake.pk, {"approve-all": form})


@dataclass
class LostRace:
    """A decision another physician beat: what was typed, and what won."""

    key: str  # "referral:<id>", "override:<service code>", "approve-all" or "hold"
    note: str
    conflict: str


def render_lost_race(view, request, intake_id, key, form, conflict):
    """Another physician decided first: the page again, nothing recorded, the typed
    note kept beside the winner's decision."""
    messages.error(request, "Your decision was not recorded: someone decided first.")
    lost = LostRace(key=key, note=form.cleaned_data["note"], conflict=str(conflict))
    return render_review(view, request, intake_id, lost=lost)


class NextInQueueView(StaffView):
    """From one intake's review page to the next intake waiting, in queue order."""

    permission_required = VIEW_QUEUE

    def get(self, request, intake_id):
        following = selectors.queue_next(after_intake_id=intake_id)
        if following is None:
            messages.info(request, "Nothing else is waiting in the queue.")
            return HttpResponseRedirect(
                reverse("admin:referrals_queueentry_changelist")
            )
        return HttpResponseRedirect(review_url(following))


class OverrideView(StaffView):
    """Refer despite the engine's NE or BLOCK."""

    permission_required = DECIDE

    def post(self, request, intake_id, service_code):
        intake = get_object_or_404(Intake, pk=intake_id)
        service = get_object_or_404(Service, code=service_code)
        form = OverrideForm(request.POST, auto_id=f"id_%s_override_{service.code}")
        if form.is_valid():
            try:
                services.referral_override(
                    intake=intake,
                    service=service,
                    user=request.user,
                    note=form.cleaned_data["note"],
                )
            except services.ReferralConflict as conflict:
                if (
                    intake.referrals.open()
                    .filter(service=service, override=True)
                    .exists()
                ):
                    # Another physician referred it meanwhile: a lost race.
                    return render_lost_race(
                        self,
                        request,
                        intake.pk,
                        f"override:{service.code}",
                        form,
                        conflict,
                    )
                messages.error(request, str(conflict))
            else:
                messages.success(
                    request, f"{service.name}: referred by override, approved."
                )
            return HttpResponseRedirect(
                review_url(intake.pk) + f"#service-{service.code}"
            )
        messages.error(request, "The override was not recorded: see the note below.")
        return render_review(
            self, request, intake.pk, {f"override:{service.code}": form}
        )


class ClearHoldView(StaffView):
    """Record what was done about a hold, clear it, and route the intake again."""

    permission_required = CLEAR_HOLD

    def post(self, request, decision_id):
        decision = get_object_or_404(RoutingDecision, pk=decision_id)
        form = ClearHoldForm(request.POST, auto_id="id_%s_hold")
        if form.is_valid():
            try:
                new = services.decision_clear_hold(
                    decision=decision, user=request.user, note=form.cleaned_data["note"]
                )
            except services.ReferralConflict as conflict:
                return render_lost_race(
                    self, request, decision.intake_id, "hold", form, conflict
                )
            else:
                messages.success(
                    request,
                    f"Hold cleared and the intake routed again: "
                    f"{new.get_status_display().lower()}.",
                )
            return HttpResponseRedirect(review_url(decision.intake_id))
        messages.error(request, "The hold was not cleared: see the note below.")
        return render_review(self, request, decision.intake_id, {"hold": form})


class RouteAgainView(StaffView):
    """Run routing again for an intake whose routing failed."""

    permission_required = CLEAR_HOLD

    def post(self, request, intake_id):
        intake = get_object_or_404(Intake, pk=intake_id)
        try:
            decision = services.intake_route_again(intake=intake, user=request.user)
        except services.ReferralConflict as conflict:
            messages.error(request, str(conflict))
        else:
            level = (
                messages.ERROR
                if decision.status == RoutingDecision.Status.FAILED
                else messages.SUCCESS
            )
            messages.add_message(
                request,
                level,
                f"Routed again: {decision.get_status_display().lower()}.",
            )
        return HttpResponseRedirect(review_url(intake.pk))


TRANSITION_PAGES = {
    "schedule": (ScheduleForm, "Schedule the referral"),
    "complete": (CompleteForm, "Mark the referral completed"),
    "cancel": (CancelForm, "Cancel the referral"),
}


class ReferralTransitionView(StaffView):
    """Schedule, complete or cancel one referral: a form page, its errors beside its
    fields. The front desk takes all three; a physician completes a referral (as
    ending its treatment course does) and cancels one pending review
    (``models.may_cancel``), and the service checks who may each time."""

    permission_required = VIEW_REFERRAL

    def dispatch(self, request, *args, **kwargs):
        name = kwargs["name"]
        if name not in TRANSITION_PAGES:
            raise Http404
        user = request.user
        if not (
            user.has_perm(SCHEDULE)
            or (name == "complete" and user.has_perm(COMPLETE))
            or (name == "cancel" and user.has_perm(DECIDE))
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def page(self, request, referral: Referral, name: str, form, status: int = 200):
        form_class, title = TRANSITION_PAGES[name]
        record_access(referral.intake)
        context = {
            **self.admin_context(request, title),
            "referral": referral,
            "opts": Referral._meta,
            "form": form,
            "name": name,
        }
        return render(
            request, "admin/referrals/referral/transition.html", context, status=status
        )

    def get(self, request, referral_id, name):
        referral = get_object_or_404(
            Referral.objects.select_related("intake__patient", "service"),
            pk=referral_id,
        )
        if not can_proceed(getattr(referral, name)):
            # Cancelled, say, since the link was shown: no form for a step gone.
            messages.error(request, selectors.referral_already_text(referral))
            return HttpResponseRedirect(referral.get_absolute_url())
        form_class, _ = TRANSITION_PAGES[name]
        return self.page(request, referral, name, form_class())

    def post(self, request, referral_id, name):
        referral = get_object_or_404(
            Referral.objects.select_related("intake__patient", "service"),
            pk=referral_id,
        )
        form_class, _ = TRANSITION_PAGES[name]
        form = form_class(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if name == "schedule":
                    referral = services.referral_schedule(
                        referral=referral,
                        user=request.user,
                        appointment_at=form.appointment_at(),
                        provider=data["appointment_provider"],
                        location=data["appointment_location"],
                        note=data["note"],
                    )
                elif name == "complete":
                    referral = services.referral_complete(
                        referral=referral, user=request.user, note=data["note"]
                    )
                else:
                    referral = services.referral_cancel(
                        referral=referral,
                        user=request.user,
                        reason=data["cancel_reason"],
                    )
            except services.ReferralConflict as conflict:
                messages.error(request, str(conflict))
                return HttpResponseRedirect(referral.get_absolute_url())
            except ValidationError as error:
                if not hasattr(error, "error_dict"):
                    form.add_error(None, error)
                for field, problems in getattr(error, "error_dict", {}).items():
                    field = SERVICE_ERROR_FIELDS.get(field, field)
                    form.add_error(field if field in form.fields else None, problems)
            else:
                messages.success(
                    request, f"Referral {referral.get_status_display().lower()}."
                )
                return HttpResponseRedirect(referral.get_absolute_url())
        return self.page(request, referral, name, form, status=400)


class LetterView(StaffView):
    """The referral letter as a printable page, signed by the approving physician."""

    permission_required = VIEW_LETTER

    def referral(self, referral_id, download: str = "") -> Referral:
        """The approved referral, its read recorded in the audit trail: a view of
        the letter's page, or the ``download`` of a file."""
        try:
            referral = selectors.referral_for_letter(referral_id=referral_id)
        except Referral.DoesNotExist as error:
            raise Http404("No approved referral here.") from error
        if download:
            record_download(referral.intake, what=download)
        else:
            record_access(referral.intake)
        return referral

    def get(self, request, referral_id):
        referral = self.referral(referral_id)
        if request.user.has_perm(VIEW_QUEUE):
            back = (review_url(referral.intake_id), "Back to the review page")
        else:  # the front desk, who schedule it
            back = (referral.get_absolute_url(), "Back to the referral")
        return HttpResponse(letters.letter_html(referral, back=back))


class LetterPdfView(LetterView):
    """The referral letter as a PDF."""

    def get(self, request, referral_id):
        referral = self.referral(referral_id, download="referral letter (PDF)")
        response = HttpResponse(letters.letter_pdf(referral), "application/pdf")
        record = referral.intake.patient.record_number
        filename = f"referral-{record}-{referral.service.code}.pdf"
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response


class BotoxLetterView(StaffView):
    """The Botox prior-authorisation letter of an intake whose current decision
    recommends Botox (REC or FLAG), as a printable page; the physician who opens it
    signs it."""

    permission_required = DECIDE

    def letter(self, request, intake_id, download: str = "") -> tuple[Intake, str]:
        """The intake and the letter's context, its read recorded in the audit trail:
        a view of the letter's page, or the ``download`` of a file."""
        try:
            intake, decision = selectors.intake_for_letter(intake_id=intake_id)
        except Intake.DoesNotExist as error:
            raise Http404 from error
        if not letters.botox_letter_allowed(decision):
            raise Http404("Botox is not recommended for this intake.")
        if download:
            record_download(intake, what=download)
        else:
            record_access(intake)
        return intake, letters.botox_letter_context(intake, decision, request.user)

    def get(self, request, intake_id):
        intake, context = self.letter(request, intake_id)
        context["back"] = (review_url(intake.pk), "Back to the review page")
        return HttpResponse(letters.render_letter(letters.BOTOX_TEMPLATE, context))


class BotoxLetterPdfView(BotoxLetterView):
    """The Botox prior-authorisation letter as a PDF."""

    def get(self, request, intake_id):
        intake, context = self.letter(
            request, intake_id, download="Botox prior-authorization letter (PDF)"
        )
        html = letters.render_letter(letters.BOTOX_TEMPLATE, context, for_pdf=True)
        response = HttpResponse(letters.pdf(html), "application/pdf")
        filename = f"prior-authorization-{intake.patient.record_number}-botox.pdf"
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        return response
