"""Charts drawn on the server as SVG: no script, so the Content Security Policy stays.

Pure functions from labels and numbers to markup; colours are SVG presentation
attributes, not inline styles (which the policy's ``style-src 'self'`` refuses).
Every text is escaped by ``format_html``.
"""

import datetime
from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#2f6f9f", "#e08a2e", "#4f9a45", "#b8463d", "#7b5ea7", "#8c8c8c")
WIDTH = 520
LABEL_WIDTH = 210  # room for a label left of horizontal bars
LABEL_CHARACTERS = 30  # a longer label is cut, ending in an ellipsis
LEGEND_HEIGHT = 22
BAR = 13  # the thickness of one bar
GAP = 9  # between two rows of bars

Series = Sequence[tuple[str, Sequence[float | None]]]


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _legend(series: Series) -> SafeString:
    if len(series) < 2:
        return mark_safe("")
    items = []
    x = 0
    for index, (name, _) in enumerate(series):
        items.append(
            format_html(
                '<rect x="{}" y="4" width="10" height="10" fill="{}"/>'
                '<text x="{}" y="13" font-size="12">{}</text>',
                x,
                PALETTE[index % len(PALETTE)],
                x + 14,
                name,
            )
        )
        x += 24 + 7 * len(name)
    return mark_safe("".join(items))


def _cut(label: str) -> str:
    label = str(label)
    if len(label) <= LABEL_CHARACTERS:
        return label
    return label[: LABEL_CHARACTERS - 1] + "\N{HORIZONTAL ELLIPSIS}"


def _empty(title: str) -> SafeString:
    return _svg(
        title,
        40,
        mark_safe(
            '<text x="10" y="24" font-size="13" fill="#666">'
            "Nothing to chart in this period.</text>"
        ),
    )


def _svg(title: str, height: int, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="report-chart" viewBox="0 0 {} {}" role="img" '
        'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">'
        "<title>{}</title>{}</svg>",
        WIDTH,
        height,
        title,
        body,
    )


def bars(
    title: str, labels: Sequence[str], series: Series, *, stacked: bool = False
) -> SafeString:
    """Horizontal bars, one row per label: a bar per series side by side, or the
    series stacked end to end. Empty values (``None``) draw nothing."""
    per_row = 1 if stacked or len(series) == 1 else len(series)
    row_height = per_row * BAR + GAP
    top = LEGEND_HEIGHT if len(series) > 1 else 4
    height = top + row_height * len(labels) + 4
    totals = [
        sum(values[row] or 0 for _, values in series)
        if stacked
        else max((values[row] or 0 for _, values in series), default=0)
        for row in range(len(labels))
    ]
    if not any(totals):
        return _empty(title)
    largest = max(totals)
    room = WIDTH - LABEL_WIDTH - 50
    parts = [_legend(series)]
    for row, label in enumerate(labels):
        y = top + row * row_height
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="12" text-anchor="end">{}</text>',
                LABEL_WIDTH - 6,
                y + per_row * BAR / 2 + 4,
                _cut(label),
            )
        )
        x = LABEL_WIDTH
        for index, (name, values) in enumerate(series):
            value = values[row]
            if not value:
                continue
            length = max(room * value / largest, 1)
            bar_y = y if stacked else y + (index if per_row > 1 else 0) * BAR
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}: {}</title></rect>",
                    round(x, 1),
                    bar_y,
                    round(length, 1),
                    BAR - 1,
                    PALETTE[index % len(PALETTE)],
                    name,
                    _number(value),
                )
            )
            if stacked:
                x += length
            else:
                parts.append(
                    format_html(
                        '<text x="{}" y="{}" font-size="11">{}</text>',
                        round(LABEL_WIDTH + length + 3, 1),
                        bar_y + BAR - 2,
                        _number(value),
                    )
                )
        if stacked and totals[row]:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="11">{}</text>',
                    round(x + 3, 1),
                    y + BAR - 2,
                    _number(totals[row]),
                )
            )
    parts.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999"/>',
            LABEL_WIDTH,
            top - 2,
            LABEL_WIDTH,
            height - 4,
        )
    )
    return _svg(title, height, mark_safe("".join(parts)))


PLOT_LEFT = 40
PLOT_HEIGHT = 160


def weekly(
    title: str,
    weeks: Sequence[datetime.date],
    series: Series,
    *,
    lines: bool = False,
) -> SafeString:
    """Weeks along the bottom: stacked columns, or a line per series (an empty
    value breaks its line)."""
    top = LEGEND_HEIGHT if len(series) > 1 else 8
    bottom = top + PLOT_HEIGHT
    height = bottom + 22
    room = WIDTH - PLOT_LEFT - 10
    step = room / max(len(weeks), 1)
    heights = [
        (max if lines else sum)(values[week] or 0 for _, values in series)
        for week in range(len(weeks))
    ]
    if not any(heights):
        return _empty(title)
    largest = max(heights)

    def y_of(value: float) -> float:
        return round(bottom - PLOT_HEIGHT * value / largest, 1)

    parts = [
        _legend(series),
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999"/>'
            '<text x="{}" y="{}" font-size="11" text-anchor="end">{}</text>'
            '<text x="{}" y="{}" font-size="11" text-anchor="end">0</text>',
            PLOT_LEFT,
            bottom,
            WIDTH - 10,
            bottom,
            PLOT_LEFT - 4,
            top + 8,
            _number(largest),
            PLOT_LEFT - 4,
            bottom,
        ),
    ]
    label_every = max(1, round(len(weeks) / 8))
    for week, day in enumerate(weeks):
        if week % label_every == 0:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>',
                    round(PLOT_LEFT + step * (week + 0.5), 1),
                    bottom + 14,
                    f"{day:%b} {day.day}",
                )
            )
    for index, (name, values) in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        if lines:
            parts.append(_line(name, values, colour, step, y_of))
            continue
        for week, value in enumerate(values):
            if not value:
                continue
            below = sum(values_[week] or 0 for _, values_ in series[:index])
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{} {}: {}</title></rect>",
                    round(PLOT_LEFT + step * week + step * 0.15, 1),
                    y_of(below + value),
                    round(step * 0.7, 1),
                    round(y_of(below) - y_of(below + value), 1),
                    colour,
                    name,
                    weeks[week].isoformat(),
                    _number(value),
                )
            )
    return _svg(title, height, mark_safe("".join(parts)))


def _line(name, values, colour, step, y_of) -> SafeString:
    """One series as polylines through its points, broken where a value is empty."""
    runs: list[list[str]] = [[]]
    dots = []
    for week, value in enumerate(values):
        if value is None:
            runs.append([])
            continue
        x = round(PLOT_LEFT + step * (week + 0.5), 1)
        runs[-1].append(f"{x},{y_of(value)}")
        dots.append((x, y_of(value), value))
    polylines = format_html_join(
        "",
        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>',
        ((" ".join(run), colour) for run in runs if run),
    )
    circles = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="3" fill="{}"><title>{}: {}</title></circle>',
        ((x, y, colour, name, _number(value)) for x, y, value in dots),
    )
    return polylines + circles
