"""The report as Markdown, for pasting into minutes: the same content as the HTML report,
without the charts (their numbers are in the tables)."""

from collections.abc import Iterable, Sequence
from typing import Any

from app.reports.renderers import words
from app.reports.schemas import NetworkReport, PlanReport

EACH_PLANS_DAY = "each plan's own day (today, or its period end)"


def _cell(value: Any) -> str:
    text = "—" if value is None or value == "" else str(value)
    return " ".join(text.split()).replace("|", "\\|")


def _table(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return [*lines, ""]


def _rating(value: Any) -> str:
    return f"**{words.rating_words(value)}**"


def plan(report: PlanReport) -> str:
    """The plan report as Markdown."""
    r = report
    out = [
        f"# {r.title}",
        "",
        f"{r.network_name} · plan period {r.period_start} to {r.period_end} ({r.status}) · "
        f"as of {r.as_of} · generated {r.generated_at:%Y-%m-%d %H:%M} UTC",
        "",
    ]
    if r.aim:
        out += [f"**Aim:** {_cell(r.aim)}", ""]
    out += [
        "## Summary",
        "",
        f"Overall rating: {_rating(r.rating)} · evidence coverage {words.pct(r.coverage)}",
        "",
        *(f"- {reason}" for reason in r.reasons),
        "",
        f"Actions done {r.actions.done} of {r.actions.total} ({r.actions.blocked} blocked, "
        f"{r.actions.overdue} overdue) · milestones achieved {r.milestone_counts.achieved} of "
        f"{r.milestone_counts.total} ({r.milestone_counts.overdue} overdue, "
        f"{r.milestone_counts.missed} missed) · measures with current data "
        f"{r.measure_counts.current} of {r.measure_counts.total} "
        f"({r.measure_counts.off_track} off track)",
        "",
        *_table(
            ["Code", "Objective", "Owner", "Rating", "Coverage", "Actions done", "Milestones"],
            [
                [
                    o.code,
                    o.title,
                    o.owner,
                    words.rating_words(o.rating),
                    words.pct(o.coverage),
                    f"{o.actions.done} / {o.actions.total}",
                    f"{o.milestone_counts.achieved} / {o.milestone_counts.total}",
                ]
                for o in r.objectives
            ],
        ),
        "## What needs attention",
        "",
    ]
    if r.attention:
        out += _table(
            ["Objective", "Item", "Why", "Owner", "Due"],
            [
                [
                    a.objective_code,
                    f"{a.kind.value}: {a.title}",
                    a.detail,
                    words.owner_text(a.owner),
                    a.due_on,
                ]
                for a in r.attention
            ],
        )
    else:
        out += [f"Nothing needs attention as of {r.as_of}.", ""]
    out += [f"## What changed since {r.since}", ""]
    if r.changes:
        out += _table(words.CHANGE_COLUMNS, [words.change_row(c) for c in r.changes])
    else:
        out += [f"Nothing was recorded between {r.since} and {r.as_of}.", ""]
    out += ["## Latest check-ins", ""]
    if r.check_ins:
        out += _table(
            ["Objective", "About", "Judged", "Confidence", "Note", "By", "On"],
            [
                [
                    c.objective_code,
                    c.about,
                    words.rating_words(c.check_in.rating),
                    c.check_in.confidence,
                    c.check_in.note,
                    c.check_in.recorded_by.name or c.check_in.recorded_by.kind,
                    c.check_in.recorded_on,
                ]
                for c in r.check_ins
            ],
        )
    else:
        out += [f"No check-in recorded up to {r.as_of}.", ""]
    out += ["## Objectives", ""]
    for o in r.objectives:
        out += [
            f"### {o.code}. {_cell(o.title)}",
            "",
            f"{_rating(o.rating)} · coverage {words.pct(o.coverage)} · owner: "
            f"{_cell(o.owner or 'not named')} · actions done {o.actions.done} of "
            f"{o.actions.total}",
            "",
            *(f"- {reason}" for reason in o.reasons),
            "",
        ]
        if o.reported:
            out += [
                f"People report {_rating(o.reported.rating)} ({o.reported.recorded_on})"
                + (f": {_cell(o.reported.note)}" if o.reported.note else ""),
                "",
            ]
        if o.measures:
            out += _table(
                ["Measure", "Current value", "Target", "Status", "Last reading"],
                [
                    [
                        m.description,
                        words.num(m.current_value),
                        m.target,
                        words.state(m.status) + (" (stale)" if m.is_stale else ""),
                        m.last_reading_on,
                    ]
                    for m in o.measures
                ],
            )
        if o.milestones:
            out += _table(
                ["Milestone", "Due", "State", "Achieved on"],
                [[m.title, m.due, words.state(m.state), m.achieved_on] for m in o.milestones],
            )
        if o.action_lines:
            out += _table(words.ACTION_COLUMNS, [words.action_row(a) for a in o.action_lines])
        if o.partners:
            out += ["Partners' roles:", "", *(f"- {_cell(p)}" for p in o.partners), ""]
    return "\n".join(out)


def network(report: NetworkReport) -> str:
    """The network report as Markdown."""
    r, t = report, report.totals
    out = [
        f"# {r.network_name}: where the network stands",
        "",
        f"As of {r.as_of or EACH_PLANS_DAY} · generated {r.generated_at:%Y-%m-%d %H:%M} UTC",
        "",
        f"{t.networks} networks, {t.plans} active plans · "
        f"evidence coverage {words.pct(t.coverage)}",
        "",
        *_table(
            ["Network", "Plan", "Period", "Rating", "Coverage", "Actions done", "Milestones"],
            [
                [
                    n.name,
                    p.title,
                    f"{p.period_start} to {p.period_end}",
                    words.rating_words(p.rating),
                    words.pct(p.coverage),
                    f"{p.actions.done} / {p.actions.total}",
                    f"{p.milestones.achieved} / {p.milestones.total}",
                ]
                for n in r.networks
                for p in n.plans
            ],
        ),
    ]
    for n in r.networks:
        out += [f"## {_cell(n.name)}", ""]
        if not n.plans:
            out += ["No active plan.", ""]
        for p in n.plans:
            out += [
                f"### {_cell(p.title)}",
                "",
                f"{_rating(p.rating)} · coverage {words.pct(p.coverage)} · as of {p.as_of}",
                "",
                *(f"- {reason}" for reason in p.reasons),
                "",
            ]
            if p.attention:
                out += _table(
                    ["Objective", "Item", "Why", "Owner", "Due"],
                    [
                        [a.objective_code, a.title, a.detail, words.owner_text(a.owner), a.due_on]
                        for a in p.attention
                    ],
                )
    return "\n".join(out)
