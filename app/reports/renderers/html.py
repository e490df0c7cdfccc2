"""The report as one self-contained HTML document: inline CSS and SVG, no script, nothing
fetched; the same document is what the PDF is printed from."""

from functools import cache
from importlib.resources import files

import jinja2
from markupsafe import Markup

from app.plans.progress_schemas import RATING_RULE
from app.reports import charts
from app.reports.renderers import words
from app.reports.schemas import MeasureLine, NetworkReport, PlanReport


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("app.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(
        num=words.num,
        pct=words.pct,
        rating_words=words.rating_words,
        state=words.state,
        owner_text=words.owner_text,
    )
    return env


@cache
def _css() -> Markup:
    return Markup(files("app.reports").joinpath("templates/report.css").read_text("utf-8"))  # noqa: S704


def _svg(svg: str | None) -> Markup | None:
    # pygal's output, built from escaped values: safe to inline as markup.
    return Markup(svg) if svg is not None else None  # noqa: S704


def plan_charts(report: PlanReport) -> dict[str, object]:
    """The plan report's charts as inline SVG."""
    ratings: dict[str, int] = {}
    for objective in report.objectives:
        ratings[objective.rating.value] = ratings.get(objective.rating.value, 0) + 1
    # One readings chart per top-level objective, over its sub-objectives' measures too.
    groups: dict[int, tuple[str, list[MeasureLine]]] = {}
    top = None
    for objective in report.objectives:
        if objective.depth == 0 or top is None:
            top = objective.id
            groups[top] = (objective.code, [])
        groups[top][1].extend(objective.measures)
    readings = {
        oid: _svg(
            charts.readings_chart(
                code, measures, report.period_start, report.period_end, report.as_of
            )
        )
        for oid, (code, measures) in groups.items()
    }
    return {
        "ratings": _svg(charts.rating_bar(ratings, "Objectives by rating")),
        "timeline": _svg(
            charts.milestone_timeline(
                report.milestones,
                [o.code for o in report.objectives],
                report.period_start,
                report.period_end,
                report.as_of,
            )
        ),
        "readings": {k: v for k, v in readings.items() if v is not None},
    }


def plan(report: PlanReport) -> str:
    """The plan report as HTML."""
    return (
        _environment()
        .get_template("plan.html.j2")
        .render(r=report, charts=plan_charts(report), css=_css(), rule=RATING_RULE)
    )


def network_chart(report: NetworkReport) -> Markup | None:
    """The network report's chart: its active plans by rating."""
    return _svg(charts.rating_bar(report.totals.ratings, "Active plans by rating", what="plans"))


def network(report: NetworkReport) -> str:
    """The network report as HTML."""
    return (
        _environment()
        .get_template("network.html.j2")
        .render(r=report, charts={"ratings": network_chart(report)}, css=_css(), rule=RATING_RULE)
    )
