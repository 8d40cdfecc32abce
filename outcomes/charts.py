"""The outcomes page's charts, drawn on the server as SVG (no script: the Content
Security Policy). Colours are presentation attributes, not inline styles, and every
text goes through ``format_html``. Each chart's numbers are also in a table beside it.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

CLINIC = "#2f6f9f"
PUBLISHED = ("#e08a2e", "#8c8c8c")
WIDTH = 560
LEFT = 150  # labels left of the bars
RIGHT = 30


@dataclass(frozen=True)
class RateRow:
    """One measure: the clinic's rate and interval, and the published rates."""

    label: str
    rate: float | None
    ci95: tuple[float, float] | None
    published: Sequence[tuple[str, float | None]]


def _svg(title: str, height: int, parts: list) -> SafeString:
    return format_html(
        '<svg class="outcomes-chart" viewBox="0 0 {} {}" role="img" '
        'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">'
        "<title>{}</title>{}</svg>",
        WIDTH,
        height,
        title,
        mark_safe("".join(parts)),
    )


def _legend(names: Sequence[tuple[str, str]], y: int) -> list:
    parts, x = [], LEFT
    for name, colour in names:
        parts.append(
            format_html(
                '<rect x="{}" y="{}" width="10" height="10" fill="{}"/>'
                '<text x="{}" y="{}" font-size="11">{}</text>',
                x,
                y,
                colour,
                x + 14,
                y + 9,
                name,
            )
        )
        x += 24 + 6 * len(name)
    return parts


def responder_rates(title: str, rows: Sequence[RateRow]) -> SafeString:
    """Horizontal bars on a 0-100% scale: the clinic's rate with its Wilson 95%
    interval as a whisker, and under it a thin bar per published rate."""
    sources = [name for name, _ in rows[0].published] if rows else []
    per_row = 16 + 7 * len(sources) + 12
    top = 24
    height = top + per_row * len(rows) + 22
    room = WIDTH - LEFT - RIGHT

    def x_of(rate: float) -> float:
        return round(LEFT + room * rate, 1)

    parts = _legend(
        [("Clinic (95% CI)", CLINIC)]
        + [(name, PUBLISHED[i % 2]) for i, name in enumerate(sources)],
        4,
    )
    for index, row in enumerate(rows):
        y = top + index * per_row
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="12" text-anchor="end">{}</text>',
                LEFT - 6,
                y + 11,
                row.label,
            )
        )
        if row.rate is None:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" font-size="11" fill="#666">no patients yet'
                    "</text>",
                    LEFT + 4,
                    y + 11,
                )
            )
        else:
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="14" fill="{}"/>',
                    LEFT,
                    y,
                    max(x_of(row.rate) - LEFT, 1),
                    CLINIC,
                )
            )
            low, high = row.ci95
            parts.append(
                format_html(
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#111"/>'
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#111"/>'
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#111"/>',
                    x_of(low),
                    y + 7,
                    x_of(high),
                    y + 7,
                    x_of(low),
                    y + 2,
                    x_of(low),
                    y + 12,
                    x_of(high),
                    y + 2,
                    x_of(high),
                    y + 12,
                )
            )
        for offset, (_, rate) in enumerate(row.published):
            if rate is None:
                continue
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="5" fill="{}"/>',
                    LEFT,
                    y + 17 + 7 * offset,
                    max(x_of(rate) - LEFT, 1),
                    PUBLISHED[offset % 2],
                )
            )
    axis = top + per_row * len(rows)
    parts.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999"/>',
            LEFT,
            axis,
            LEFT + room,
            axis,
        )
    )
    for tick in (0, 0.25, 0.5, 0.75, 1):
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="10" text-anchor="middle">{}%</text>',
                x_of(tick),
                axis + 13,
                round(tick * 100),
            )
        )
    return _svg(title, height, parts)


@dataclass(frozen=True)
class SpreadPoint:
    label: str
    median: float | None
    q1: float | None
    q3: float | None


def medians_over_time(title: str, points: Sequence[SpreadPoint]) -> SafeString:
    """Median (dot, joined by a line) and interquartile range (whisker) per time
    point, on a scale from 0 to the largest upper quartile."""
    top, plot = 12, 150
    bottom = top + plot
    height = bottom + 24
    known = [p for p in points if p.median is not None]
    if not known:
        return _svg(
            title,
            40,
            [
                '<text x="10" y="24" font-size="13" fill="#666">'
                "No answers to chart yet.</text>"
            ],
        )
    largest = max(max(p.q3 for p in known), 1)
    left = 40
    step = (WIDTH - left - RIGHT) / len(points)

    def y_of(value: float) -> float:
        return round(bottom - plot * value / largest, 1)

    parts = [
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999"/>'
            '<text x="{}" y="{}" font-size="10" text-anchor="end">{}</text>'
            '<text x="{}" y="{}" font-size="10" text-anchor="end">0</text>',
            left,
            bottom,
            WIDTH - RIGHT,
            bottom,
            left - 4,
            top + 8,
            f"{largest:g}",
            left - 4,
            bottom,
        )
    ]
    line = []
    for index, point in enumerate(points):
        x = round(left + step * (index + 0.5), 1)
        parts.append(
            format_html(
                '<text x="{}" y="{}" font-size="11" text-anchor="middle">{}</text>',
                x,
                bottom + 15,
                point.label,
            )
        )
        if point.median is None:
            continue
        line.append(f"{x},{y_of(point.median)}")
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#111"/>'
                '<circle cx="{}" cy="{}" r="4" fill="{}"/>',
                x,
                y_of(point.q1),
                x,
                y_of(point.q3),
                x,
                y_of(point.median),
                CLINIC,
            )
        )
    parts.insert(
        1,
        format_html(
            '<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>',
            " ".join(line),
            CLINIC,
        ),
    )
    return _svg(title, height, parts)
