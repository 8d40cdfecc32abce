"""The server-drawn SVG charts: pure functions, tested without a database."""

import datetime
import re

from reports import charts

WEEKS = [datetime.date(2026, 11, 2) + datetime.timedelta(weeks=n) for n in range(4)]


def widths(svg: str) -> list[float]:
    return [
        float(width)
        for width in re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg)
    ]


def test_bars_scale_to_the_largest_value_and_skip_empty_ones():
    svg = charts.bars(
        "Hours", ["Ketamine", "Botox", "Yoga"], [("median", [10, 5, None])]
    )

    assert widths(svg) == [
        charts.WIDTH - charts.LABEL_WIDTH - 50,
        (charts.WIDTH - charts.LABEL_WIDTH - 50) / 2,
    ]
    assert "<title>median: 5</title>" in svg


def test_stacked_bars_end_with_the_rows_total():
    svg = charts.bars("Outcomes", ["Botox"], [("REC", [3]), ("NE", [1])], stacked=True)

    assert re.findall(r">(\d+)</text>", svg)[-1] == "4"
    assert "<title>REC: 3</title>" in svg and "<title>NE: 1</title>" in svg


def test_labels_are_escaped_and_nothing_is_scripted():
    svg = charts.bars("<b>", ["<script>alert(1)</script>"], [("a&b", [1])])

    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg and "a&amp;b" in svg
    assert "style=" not in svg  # colours are attributes: the CSP refuses inline style


def test_weekly_lines_break_where_a_week_has_no_value():
    svg = charts.weekly("Hours", WEEKS, [("median", [1.5, None, 2, 4])], lines=True)

    assert svg.count("<polyline") == 2
    assert svg.count("<circle") == 3


def test_weekly_columns_stack_the_series():
    svg = charts.weekly(
        "Intakes", WEEKS, [("online", [2, 0, 1, 0]), ("front desk", [2, 1, 0, 0])]
    )

    assert svg.count("<rect") == 2 + 4  # two legend squares, four columns
    assert ">4</text>" in svg  # the top of the scale: the largest week's total
