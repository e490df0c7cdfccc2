"""The report's charts, drawn server-side as SVG by pygal (no script, nothing fetched).

pygal writes plain SVG with its style inline; tooltips are turned off (they need its
JavaScript, which a self-contained report does not carry). Every chart has a title and a
description for screen readers, and the tables beside it carry the same numbers.
"""

from datetime import date, timedelta
from typing import Any

import pygal
from pygal.style import Style

from app.plans.schemas import Rag
from app.reports.schemas import RATING_COLOURS, RATING_WORDS, MeasureLine, MilestoneLine

FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
INK = "#1a1a1a"
TARGET = "#1a1a1a"
# Distinct, dark enough on white (contrast >= 3:1 for graphics).
PALETTE = ("#1f5fa8", "#b3261e", "#1b7a3d", "#8a4b08", "#6b3fa0", "#00707a", "#a0306e", "#4d5b06")
STATE_COLOURS = {
    "achieved": RATING_COLOURS[Rag.green][0],
    "upcoming": "#1f5fa8",
    "overdue": RATING_COLOURS[Rag.amber][0],
    "missed": RATING_COLOURS[Rag.red][0],
    "pending": RATING_COLOURS[Rag.grey][0],
}


def _style(colours: tuple[str, ...]) -> Style:
    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground=INK,
        foreground_strong=INK,
        foreground_subtle="#5f6368",
        opacity="1",
        opacity_hover="1",
        colors=colours,
        font_family=FONT,
        title_font_size=14,
        label_font_size=11,
        major_label_font_size=11,
        legend_font_size=11,
        value_font_size=11,
    )


def _document_only(label: str) -> Any:
    """pygal's ``xml_filters`` hook: drop its script (a tooltip configuration, useless without
    its JavaScript) and its comments, and name the chart for screen readers."""

    def strip(root: Any) -> Any:
        for parent in root.iter():
            for child in list(parent):
                if not isinstance(child.tag, str) or child.tag.rsplit("}", 1)[-1] == "script":
                    parent.remove(child)  # comments have a callable as tag
        root.set("role", "img")
        root.set("aria-label", label)
        return root

    return strip


def _config(colours: tuple[str, ...], **options: Any) -> dict[str, Any]:
    return {
        "style": _style(colours),
        "js": [],  # no script: the report is a document, not an application
        "disable_xml_declaration": True,  # inlined into HTML
        "tooltip_border_radius": 0,
        "show_legend": True,
        "legend_at_bottom": True,
        "truncate_legend": -1,
        "truncate_label": -1,
        "explicit_size": True,
        **options,
    }


def _svg(chart: Any) -> str:
    chart.add_xml_filter(_document_only(str(chart.config.title or "chart")))
    return str(chart.render(is_unicode=True))


def _day(value: Any) -> str:
    return value.strftime("%b %Y") if isinstance(value, date) else str(value)


def readings_chart(
    code: str, measures: list[MeasureLine], start: date, end: date, as_of: date
) -> str | None:
    """The readings over time of an objective's numeric measures (with its sub-objectives'),
    each as a share of its own target, against the target line at 100 %: one chart per
    top-level objective (a chart per measure cost a 100-objective plan seconds). A derived
    measure has no history: its value at ``as_of`` is its one point. None without data."""
    series = []
    for measure in measures:
        if not measure.numeric or not measure.target_value:
            continue
        points = [(r.observed_on, r.value) for r in measure.readings]
        if not points and measure.current_value is not None:
            points = [(min(as_of, end), measure.current_value)]
        if points:
            share = [(day, round(100 * value / measure.target_value, 1)) for day, value in points]
            series.append((measure, share))
    if not series:
        return None
    chart = pygal.DateLine(
        **_config(
            (*(PALETTE[i % len(PALETTE)] for i in range(len(series))), TARGET),
            width=760,
            height=260 + 16 * len(series),
            title=f"Objective {code}: readings as % of each measure's target",
            x_value_formatter=_day,
            y_title="% of target",
            x_label_rotation=0,
            show_x_guides=False,
            dots_size=3,
            include_x_axis=True,
            legend_at_bottom_columns=1,
        )
    )
    for measure, share in series:
        chart.add(f"{measure.objective_code} {measure.description[:70]} ({measure.target})", share)
    chart.add(
        "target (100 %)",
        [(start, 100), (end, 100)],
        show_dots=False,
        stroke_style={"width": 2, "dasharray": "6, 4"},
    )
    return _svg(chart)


def milestone_timeline(
    milestones: list[MilestoneLine], codes: list[str], start: date, end: date, as_of: date
) -> str | None:
    """Every dated milestone on the plan period, one row per objective, coloured (and named
    in the legend) by its state at ``as_of``, with ``as_of`` marked."""
    dated = [m for m in milestones if m.due_on is not None]
    if not dated:
        return None
    rows = {code: i for i, code in enumerate(codes)}
    states = ["achieved", "upcoming", "overdue", "missed"]
    chart = pygal.DateLine(
        **_config(
            (*(STATE_COLOURS[s] for s in states), INK, "#9aa0a6"),
            width=760,
            height=max(200, 60 + 22 * len(codes)),
            title="Milestones across the plan period",
            x_value_formatter=_day,
            y_labels=[{"label": f"Objective {c}", "value": i} for c, i in rows.items()],
            stroke=False,
            dots_size=5,
            show_y_guides=True,
            range=(-1, len(codes)),
        )
    )
    first = min([start, *(m.due_on for m in dated if m.due_on)])
    last = max([end, *(m.due_on for m in dated if m.due_on)])
    for state in states:
        chart.add(
            state,
            [
                (
                    m.achieved_on if state == "achieved" and m.achieved_on else m.due_on,
                    rows.get(m.objective_code, 0),
                )
                for m in dated
                if m.state == state
            ],
        )
    chart.add(
        f"as of {as_of.isoformat()}",
        [(as_of, -1), (as_of, len(codes))],
        stroke=True,
        show_dots=False,
        stroke_style={"width": 2},
    )
    chart.add(
        "plan period",
        [(first - timedelta(days=1), -0.6), (last + timedelta(days=1), -0.6)],
        stroke=True,
        show_dots=False,
        stroke_style={"width": 6},
    )
    return _svg(chart)


def rating_bar(ratings: dict[str, int], title: str, what: str = "objectives") -> str:
    """How many objectives (or plans) are at each rating: one stacked bar."""
    order = [Rag.green, Rag.amber, Rag.red, Rag.grey]
    chart = pygal.HorizontalStackedBar(
        **_config(
            tuple(RATING_COLOURS[r][0] for r in order),
            width=760,
            height=180,
            title=title,
            print_values=True,
            show_y_labels=True,
            x_title=f"number of {what}",
        )
    )
    chart.x_labels = [what.capitalize()]
    for rating in order:
        n = ratings.get(rating.value, 0)
        chart.add(f"{RATING_WORDS[rating]} ({n})", [n or None])
    return _svg(chart)
