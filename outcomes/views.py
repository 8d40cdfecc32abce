"""The outcomes page and its CSV export, inside the admin (manager and physicians);
the patient's follow-up form, opened by its private link.

The page shows aggregates, not patient records, so viewing it is not a read of any
patient; the CSV holds one de-identified row per course (no names, no record number,
no dates finer than a year) and its download is recorded as an export.
"""

import contextlib
import csv
import io

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from clinic.audit import record_export
from intake.online.steps import error_summary
from intake.views import language_asked, remember_language
from outcomes import charts, definitions
from outcomes.figures import POINTS, SUSTAINED_POINTS, CourseRow, ServiceFigures
from outcomes.forms import FollowUpAnswersForm, outcomes_filter_form
from outcomes.models import VIEW_OUTCOMES, FollowUp, FollowUpPoint, TreatmentCourse
from outcomes.selectors import course_rows, follow_up_for_link, outcome_figures
from outcomes.services import follow_up_answer, follow_up_keep_draft
from referrals.views import StaffView

POINT_LABELS = {"1w": "1 week", "1m": "1 month", "3m": "3 months"}


def _percent(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.0%}"


def _proportion(proportion) -> dict:
    ci = proportion.ci95
    return {
        "n": proportion.responders,
        "of": proportion.patients,
        "rate": _percent(proportion.rate),
        "ci": f"{ci[0]:.0%}–{ci[1]:.0%}" if ci else "–",
    }


def _measure_rows(f: ServiceFigures) -> list[dict]:
    measures = [("immediate", "Immediate (end of course)", f.immediate)] + [
        (
            f"sustained_{point}",
            f"Sustained at {POINT_LABELS[point]}",
            f.sustained[point],
        )
        for point in SUSTAINED_POINTS
    ]
    rows = []
    for key, label, measure in measures:
        rows.append(
            {
                "label": label,
                "strict": _proportion(measure.as_non_responders),
                "known": _proportion(measure.excluding_lost),
                "lost": measure.lost_to_follow_up,
                "published": [
                    _percent(figure.stated_rate) if figure else "–"
                    for figure in (getattr(study, key) for study in f.published)
                ],
                "chart": charts.RateRow(
                    label=label,
                    rate=measure.as_non_responders.rate,
                    ci95=measure.as_non_responders.ci95,
                    published=[
                        (
                            study.source.short,
                            figure.stated_rate if figure else None,
                        )
                        for study in f.published
                        for figure in [getattr(study, key)]
                    ],
                ),
            }
        )
    return rows


def _number(value: float | None) -> str | None:
    """A median or quartile to one decimal place, without a trailing ".0"."""
    return None if value is None else f"{value:.1f}".removesuffix(".0")


def _spread_rows(spreads: dict) -> list[dict]:
    return [
        {
            "label": POINT_LABELS.get(point, "Intake (baseline)"),
            "n": spread.n,
            "median": _number(spread.median),
            "q1": _number(spread.q1),
            "q3": _number(spread.q3),
            "spread": spread,
        }
        for point, spread in spreads.items()
    ]


def _section(f: ServiceFigures) -> dict:
    measures = _measure_rows(f)
    headache_days = _spread_rows(f.headache_days)
    return {
        "figures": f,
        "measures": measures,
        "rates_chart": charts.responder_rates(
            f"{f.name}: responders, the lost counted as non-responders",
            [row["chart"] for row in measures],
        ),
        "preventive": [
            {
                "label": f"At {POINT_LABELS[point]}",
                "strict": _proportion(measure.as_non_responders),
                "known": _proportion(measure.excluding_lost),
                "lost": measure.lost_to_follow_up,
            }
            for point, measure in (f.preventive or {}).items()
        ],
        "headache_days": headache_days,
        "headache_days_chart": charts.medians_over_time(
            f"{f.name}: headache days a month, median and interquartile range",
            [
                charts.SpreadPoint(
                    row["label"],
                    row["spread"].median,
                    row["spread"].q1,
                    row["spread"].q3,
                )
                for row in headache_days
            ],
        ),
        "changes": [
            {"label": days["label"], "days": days, "midas": midas}
            for days, midas in zip(
                _spread_rows(f.headache_days_change),
                _spread_rows(f.midas_change),
                strict=True,
            )
        ],
        "adverse_per_session": (
            "–"
            if f.adverse_events_per_session is None
            else f"{f.adverse_events_per_session:.2f}"
        ),
    }


class OutcomesView(StaffView):
    permission_required = VIEW_OUTCOMES

    def get(self, request):
        form = outcomes_filter_form(request.GET)
        filters = form.filters
        figures = outcome_figures(**filters)
        shown = [f for f in figures if f.treated or filters.get("service")]
        context = {
            **self.admin_context(request, "Outcomes against the published figures"),
            "form": form,
            "query": request.GET.urlencode(),
            "sections": [_section(f) for f in shown],
            "sources": [
                definitions.SCHWENK_2018,
                definitions.POMEROY_2017,
                definitions.IHS_PREVENTIVE_TRIALS,
            ],
            "decrease": definitions.PAIN_RESPONSE_DECREASE,
            "follow_ups": [FollowUpPoint(p).label for p in definitions.FOLLOW_UP_DAYS],
            "answer_days": definitions.FOLLOW_UP_ANSWER_DAYS,
        }
        return render(request, "admin/outcomes/outcomes.html", context)


CSV_COLUMNS = [
    "row",
    "service",
    "birth_year",
    "status",
    "first_session_year",
    "course_days",
    "sessions_attended",
    "pain_before_first",
    "pain_after_last",
    "immediate_responder",
    "baseline_headache_days",
    "baseline_midas",
    *(
        f"{point}_{name}"
        for point in POINTS
        for name in (
            "state",
            "current_pain",
            "headache_days",
            "midas",
            "pgic",
            "sustained_responder",
            "preventive_responder",
        )
    ),
    "adverse_mild",
    "adverse_moderate",
    "adverse_severe",
]


# HIPAA's Safe Harbor de-identification: ages over 89, and any year that would reveal
# one, are given only as one category, "90 or older" (45 CFR 164.514(b)(2)(i)(C)).
SAFE_HARBOR_OLDEST_AGE = 90


def birth_year_cell(birth_year: int, this_year: int) -> str:
    """The birth year, or the Safe Harbor category for anyone who may be 90 or over."""
    if this_year - birth_year >= SAFE_HARBOR_OLDEST_AGE:
        return f"{SAFE_HARBOR_OLDEST_AGE} or older"
    return str(birth_year)


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def csv_row(number: int, row: CourseRow, today) -> list:
    """One course, de-identified: a row number, never the record or its dates."""
    cells = [
        number,
        row.service,
        birth_year_cell(row.birth_year, today.year),
        row.status,
        row.started_on.year,
        (row.ended_on - row.started_on).days if row.ended_on else "",
        row.sessions_attended,
        row.pain_before_first,
        row.pain_after_last,
        _yes_no(row.immediate()),
        row.baseline_headache_days,
        row.baseline_midas,
    ]
    for point in POINTS:
        follow_up = row.follow_ups.get(point)
        state = row.follow_up_state(point, today) if row.ended else "pending"
        answered = state == "answered"
        cells += [
            state,
            follow_up.current_pain if answered else "",
            follow_up.headache_days if answered else "",
            follow_up.midas_total if answered else "",
            follow_up.pgic if answered else "",
            _yes_no(row.sustained(point, today)) if row.ended else "",
            _yes_no(row.preventive(point, today)) if row.ended else "",
        ]
    cells += [row.adverse_events.get(s, 0) for s in ("mild", "moderate", "severe")]
    return ["" if cell is None else cell for cell in cells]


class OutcomesCSVView(StaffView):
    permission_required = VIEW_OUTCOMES

    def get(self, request):
        form = outcomes_filter_form(request.GET)
        filters = form.filters
        today = timezone.localdate()
        rows = course_rows(**filters)
        described = ", ".join(
            f"{name} {value}" for name, value in filters.items() if value
        )
        record_export(
            model=TreatmentCourse,
            what=f"outcomes rows ({described or 'all courses'})",
            patients=len(rows),
        )

        def lines():
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            for cells in [CSV_COLUMNS] + [
                csv_row(number, row, today) for number, row in enumerate(rows, start=1)
            ]:
                writer.writerow(cells)
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()

        response = StreamingHttpResponse(lines(), content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="outcomes.csv"'
        return response


# The patient's follow-up: a private link, exchanged for the session at once.

SESSION_FOLLOW_UP = "outcomes_follow_up"


def _session_follow_up(request) -> FollowUp | None:
    """The follow-up this browser opened by its link, while it is still open."""
    pk = request.session.get(SESSION_FOLLOW_UP)
    if pk is None:
        return None
    return (
        FollowUp.objects.select_related("course__referral__intake__patient")
        .filter(pk=pk)
        .first()
    )


@method_decorator(never_cache, name="dispatch")
class FollowUpLinkView(View):
    """Open a follow-up from its private link, then take the token out of the URL:
    the browser keeps the follow-up in its session and is sent to the form, in the
    patient's language."""

    def get(self, request, token):
        follow_up = follow_up_for_link(token=token, today=timezone.localdate())
        if follow_up is None:
            return render(request, "outcomes/follow_up_invalid.html", status=404)
        request.session.cycle_key()
        request.session[SESSION_FOLLOW_UP] = follow_up.pk
        response = redirect("outcomes:follow_up")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            follow_up.course.referral.intake.patient.preferred_language,
            samesite="Lax",
            secure=request.is_secure(),
        )
        return response


@method_decorator(never_cache, name="dispatch")
@method_decorator(sensitive_post_parameters(), name="dispatch")
class FollowUpView(View):
    """The follow-up form: errors beside each question and listed at the top; what
    was typed is kept, and "Save and finish later" keeps it for the link's next
    opening, as the language switch keeps it for the page in the other language."""

    def dispatch(self, request, *args, **kwargs):
        self.follow_up = _session_follow_up(request)
        if self.follow_up is None:
            return render(request, "outcomes/follow_up_invalid.html", status=404)
        if self.follow_up.answered_at is not None:
            return redirect("outcomes:follow_up_thanks")
        return super().dispatch(request, *args, **kwargs)

    def _render(self, request, form, status=200):
        return render(
            request,
            "outcomes/follow_up.html",
            {"form": form, "errors": error_summary(form) if form.is_bound else []},
            status=status,
        )

    def get(self, request):
        return self._render(
            request, FollowUpAnswersForm(initial=self.follow_up.draft_answers)
        )

    def post(self, request):
        action = request.POST.get("action", "")
        language = language_asked(action)
        if action == "later" or language:
            # Kept as typed, unjudged; answered meanwhile, in another tab: the
            # answer stands.
            with contextlib.suppress(ValidationError):
                follow_up_keep_draft(follow_up=self.follow_up, answers=request.POST)
            if language:
                return remember_language(redirect("outcomes:follow_up"), language)
            return redirect("outcomes:follow_up_saved")
        form = FollowUpAnswersForm(request.POST)
        if not form.is_valid():
            return self._render(request, form)
        # Answered meanwhile, in another tab: the first answer stands.
        with contextlib.suppress(ValidationError):
            follow_up_answer(follow_up=self.follow_up, answers=form.answers)
        return redirect("outcomes:follow_up_thanks")


@method_decorator(never_cache, name="dispatch")
class FollowUpSavedView(View):
    """ "Save and finish later": the answers are kept, the link still opens them."""

    def get(self, request):
        follow_up = _session_follow_up(request)
        if follow_up is None:
            return render(request, "outcomes/follow_up_invalid.html", status=404)
        if follow_up.answered_at is not None:
            return redirect("outcomes:follow_up_thanks")
        return render(
            request, "outcomes/follow_up_saved.html", {"until": follow_up.open_until}
        )


@method_decorator(never_cache, name="dispatch")
class FollowUpThanksView(View):
    def get(self, request):
        follow_up = _session_follow_up(request)
        if follow_up is None or follow_up.answered_at is None:
            return redirect("outcomes:follow_up")
        return render(request, "outcomes/follow_up_thanks.html")
