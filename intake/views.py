"""The public intake: a front page, one page per step, resume links, the end page.

The draft lives in the browser session: no URL carries a name or a database id,
only a step's slug or a resume link's random token.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import TemplateView

from clinic.net import client_address
from intake import advice, online
from intake.models import Intake, Language, OnlineDraft
from intake.online import consent, vocabulary
from intake.selectors import ResumeLinkInvalid, draft_resume, drug_name_options
from intake.services import (
    DraftLimitReached,
    draft_keep_unchecked,
    draft_save_answers,
    draft_start,
    draft_submit,
    resume_link_issue,
)

SESSION_DRAFT = "intake_draft"
SESSION_START_KEY = "intake_start_key"
# The buttons that leave a step without judging it, and the language switch's
# prefix ("language:es"), which leaves it the same way.
LEAVING_ACTIONS = {"back", "later"}
LANGUAGE_ACTION = "language:"


def session_draft(request: HttpRequest) -> OnlineDraft | None:
    """The draft this browser is working on, if any."""
    draft_id = request.session.get(SESSION_DRAFT)
    if draft_id is None:
        return None
    return (
        OnlineDraft.objects.select_related("intake__patient")
        .filter(pk=draft_id)
        .first()
    )


def step_url(step: online.Step) -> str:
    return reverse("intake:step", args=[step.slug])


def language_asked(action: str) -> str | None:
    """The language a form's language switch asks for, if the post is the switch
    (``templates/includes/_form_language_switch.html``)."""
    if not action.startswith(LANGUAGE_ACTION):
        return None
    language = action.removeprefix(LANGUAGE_ACTION)
    return language if language in Language.values else None


def remember_language(response: HttpResponse, language: str) -> HttpResponse:
    """Set Django's language cookie, as its ``set_language`` view does."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@method_decorator(never_cache, name="dispatch")
class StartView(TemplateView):
    """The front page: who the clinic is, what the intake takes, and Start."""

    template_name = "intake/start.html"

    def get_context_data(self, **kwargs):
        draft = session_draft(self.request)
        in_progress = draft is not None and draft.intake.status == Intake.Status.DRAFT
        return {
            **super().get_context_data(**kwargs),
            "first_step": online.FIRST_STEP,
            "continue_step": online.resume_step(draft) if in_progress else None,
            "step_count": len(online.STEPS),
        }


@method_decorator([never_cache, sensitive_post_parameters()], name="dispatch")
class StepView(View):
    """One step: show its form, save it to the draft, move on, back or later."""

    def dispatch(self, request, slug):
        self.step = online.STEP_BY_SLUG.get(slug)
        if self.step is None:
            raise Http404("No such step.")
        self.draft = session_draft(request)
        if self.draft and self.draft.intake.status == Intake.Status.SUBMITTED:
            if self.step is online.FIRST_STEP and request.method == "GET":
                del request.session[SESSION_DRAFT]
                self.draft = None
            else:
                return redirect("intake:done")
        if self.draft is None and self.step is not online.FIRST_STEP:
            return redirect("intake:start")
        return super().dispatch(request, slug)

    def get(self, request, slug):
        if self.draft is None:
            request.session.setdefault(SESSION_START_KEY, secrets.token_urlsafe(24))
        adding = "add" in request.GET and self.step.slug == "treatments"
        kwargs = {"extra": 1} if adding else {}
        return self.render(self.step.form_as_left(self.draft, **kwargs))

    def post(self, request, slug):
        action = request.POST.get("action", "next")
        language = language_asked(action)
        if self.step is online.REVIEW_STEP and action == "back":
            return redirect(step_url(online.previous_step(self.step)))
        if self.step is online.REVIEW_STEP and language:
            return remember_language(redirect(step_url(self.step)), language)
        if self.step is online.REVIEW_STEP:
            return self.submit()
        form = self.step.form(self.draft, data=request.POST)
        leaving = action in LEAVING_ACTIONS or bool(language)
        if not form.is_valid():
            if leaving and self.draft is not None:
                return self.keep_unchecked(form, action, language)
            if language:
                return self.render_in(language, self.step.form(None, data=None), form)
            return self.render(form, status=400, saving_needs_details=leaving)
        if self.step is online.FIRST_STEP and form.is_spam:
            return redirect(step_url(online.next_step(self.step)))
        try:
            self.save(form, resume_at=self.destination(action).slug)
        except DraftLimitReached:
            return self.render(form, status=429, limited=True)
        return self.leave(action, language)

    def destination(self, action: str) -> online.Step:
        """The step the patient goes to, and a resume link would open."""
        if action == "back":
            return online.previous_step(self.step)
        if action == "next":
            return online.next_step(self.step)
        return self.step

    def leave(self, action: str, language: str | None) -> HttpResponse:
        if language:
            return remember_language(redirect(step_url(self.step)), language)
        if action == "later":
            return self.finish_later()
        if action == "add":
            return redirect(step_url(self.step) + "?add=1")
        return redirect(step_url(self.destination(action)))

    def keep_unchecked(self, form, action: str, language: str | None) -> HttpResponse:
        """Leave a step whose answers do not pass, keeping them as they are."""
        self.draft = draft_keep_unchecked(
            draft=self.draft,
            step=self.step.slug,
            answers=self.step.posted_answers(form, self.request.POST),
            resume_at=self.destination(action).slug,
        )
        return self.leave(action, language)

    def render_in(self, language: str, form, posted) -> HttpResponse:
        """The first step of a new intake in another language, answers as typed.

        Nothing is saved before the first step passes, so the answers travel in
        the page.
        """
        for name, field in form.fields.items():
            typed = field.widget.value_from_datadict(
                posted.data, posted.files, posted.add_prefix(name)
            )
            if isinstance(field, online.BirthDateField) and typed:
                typed = field.as_kept(typed)  # 04/12 stays April 12 in Spanish
            form.initial[name] = typed
        with translation.override(language):
            response = self.render(form)
        return remember_language(response, language)

    def save(self, form, resume_at: str) -> None:
        if isinstance(form, online.AboutYouForm) and self.draft is None:
            start_key = self.request.session.pop(
                SESSION_START_KEY, secrets.token_urlsafe(24)
            )
            self.draft = draft_start(
                patient=form.instance,
                client_address=client_address(self.request),
                browser=self.request.headers.get("User-Agent", ""),
                start_key=start_key,
                step=self.step.slug,
                resume_at=resume_at,
            )
            self.request.session[SESSION_DRAFT] = str(self.draft.pk)
        elif isinstance(form, online.AboutYouForm):
            draft_save_answers(
                draft=self.draft,
                step=self.step.slug,
                patient=form.instance,
                resume_at=resume_at,
            )
        elif isinstance(form, online.BaseTreatmentFormSet):
            draft_save_answers(
                draft=self.draft,
                step=self.step.slug,
                treatments=form.trials(),
                resume_at=resume_at,
            )
        else:
            draft_save_answers(
                draft=self.draft,
                step=self.step.slug,
                intake=form.instance,
                resume_at=resume_at,
            )

    def finish_later(self) -> HttpResponse:
        link = resume_link_issue(
            draft=self.draft,
            build_url=lambda token: (
                settings.CLINIC_SITE_URL.rstrip("/")
                + reverse("intake:resume", args=[token])
            ),
        )
        return render(self.request, "intake/saved.html", {"link": link})

    def unfinished_steps(self) -> list[online.Step]:
        """The steps before the review the patient has not finished (left with
        answers kept unchecked, or changed since and not saved)."""
        return [
            step for step in online.STEPS[:-1] if step.slug not in self.draft.steps_done
        ]

    def submit(self) -> HttpResponse:
        unfinished = self.unfinished_steps()
        if unfinished:
            return self.render(
                self.step.form(self.draft), unfinished=unfinished, status=400
            )
        try:
            draft_submit(draft=self.draft)
        except ValidationError as error:
            return self.render(
                self.step.form(self.draft), problems=error.messages, status=400
            )
        return redirect("intake:done")

    def render(self, form, status: int = 200, **extra) -> HttpResponse:
        step = self.step
        context = {
            "step": step,
            "form": form,
            "number": online.step_number(step),
            "total": len(online.STEPS),
            "previous": online.previous_step(step)
            if step is not online.FIRST_STEP
            else None,
            "errors": online.error_summary(form) if form.is_bound else [],
            **extra,
        }
        if step.slug == "treatments":
            context["catalogue"] = [
                (name, vocabulary.shown_name(generic) if generic else "")
                for name, generic in drug_name_options()
            ]
        if step.slug == "consent":
            context["consent_text"] = consent.PARAGRAPHS
            context["consent_version"] = consent.VERSIONS[Language.active()]
        if step is online.REVIEW_STEP:
            context["sections"] = online.review_sections(self.draft)
            context.setdefault("unfinished_now", self.unfinished_steps())
        return render(self.request, "intake/step.html", context, status=status)


@method_decorator(never_cache, name="dispatch")
class ResumeView(View):
    """Open a draft from its private link, then forget the token from the URL."""

    def get(self, request, token):
        try:
            draft = draft_resume(token=token)
        except ResumeLinkInvalid:
            return render(request, "intake/resume_invalid.html", status=404)
        if draft.intake.status == Intake.Status.SUBMITTED:
            return render(
                request,
                "intake/resume_submitted.html",
                {"submitted_at": draft.intake.submitted_at},
            )
        request.session.cycle_key()
        request.session[SESSION_DRAFT] = str(draft.pk)
        return redirect(step_url(online.resume_step(draft)))


@method_decorator(never_cache, name="dispatch")
class SavedView(View):
    """The "answers saved" page again (a reload of it): the link is not shown twice,
    since only its hash is kept; the patient carries on from this browser, or saves
    again for a new link."""

    def get(self, request):
        draft = session_draft(request)
        if draft is None or draft.intake.status == Intake.Status.SUBMITTED:
            return redirect("intake:start")
        return render(request, "intake/saved.html", {"link": None})


@method_decorator(never_cache, name="dispatch")
class DoneView(TemplateView):
    """What happens next, urgent advice from the answers, and self-care tips."""

    template_name = "intake/done.html"

    def dispatch(self, request, *args, **kwargs):
        self.draft = session_draft(request)
        if self.draft is None or self.draft.intake.status != Intake.Status.SUBMITTED:
            return redirect("intake:start")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        intake = self.draft.intake
        urgent = advice.urgent_advice_for(intake)
        return {
            **super().get_context_data(**kwargs),
            "intake": intake,
            "urgent": urgent,
            "review": advice.REVIEW in urgent,
            "tips": advice.self_care_tips(intake.triggers),
        }
