"""The report as a PDF, typeset by Typst (the ``typst`` wheel: self-contained, no system
library, its own fonts embedded) from the same report data and charts as the HTML: A4, the
plan's title and the network in the page header, the as-of day and page numbers in the footer.

The layout is ``templates/report.typ``; this module hands it the report as a list of blocks
(headings, paragraphs, lists, tables, SVG figures) in JSON, every text a plain string, so that
nothing written in a plan is read as Typst markup. Why Typst and not WeasyPrint printing the
HTML: bench/RESULTS.md ("Reports")."""

import json
from functools import cache
from importlib.resources import files
from typing import Any

import typst

from app.plans.progress_schemas import RATING_RULE
from app.reports.renderers import html, words
from app.reports.renderers.md import EACH_PLANS_DAY
from app.reports.schemas import RATING_COLOURS, NetworkReport, PlanReport

# Typst's own embedded fonts only (system fonts ignored): the same PDF on every machine.
FONTS = ["Libertinus Serif", "DejaVu Sans Mono"]
Block = dict[str, Any]
Piece = str | dict[str, str]


@cache
def _template() -> bytes:
    return files("app.reports").joinpath("templates/report.typ").read_bytes()


def _text(value: Any) -> str:
    return "—" if value is None or value == "" else str(value)


def _rating(value: Any) -> dict[str, str]:
    key = str(getattr(value, "value", value))
    return {"rating": key, "text": words.rating_words(key)}


def heading(level: int, text: str, page: bool = False) -> Block:
    return {"t": "h", "level": level, "text": text, "page": page}


def para(*parts: Piece) -> Block:
    return {"t": "p", "parts": list(parts)}


def bullets(items: list[str]) -> list[Block]:
    return [{"t": "list", "items": items}] if items else []


def table(
    head: list[str],
    rows: list[list[Any]],
    *,
    caption: str | None = None,
    num: tuple[int, ...] = (),
    rowhead: int | None = 0,
) -> Block:
    return {
        "t": "table",
        "caption": caption,
        "head": head,
        "rows": [[c if isinstance(c, dict) else _text(c) for c in row] for row in rows],
        "num": list(num),
        "rowhead": rowhead,
    }


def figure(svg: Any, caption: str) -> list[Block]:
    return [{"t": "figure", "svg": str(svg), "caption": caption}] if svg else []


def _attention(items: list[Any], caption: str) -> Block:
    return table(
        ["Objective", "Item", "Why", "Owner", "Due", "Days overdue"],
        [
            [
                a.objective_code,
                f"{a.kind.value}: {a.title}",
                a.detail,
                words.owner_text(a.owner),
                a.due_on,
                a.days_overdue,
            ]
            for a in items
        ],
        caption=caption,
        num=(4, 5),
    )


def _objective(o: Any, readings: Any) -> Block:
    line: list[Piece] = [
        _rating(o.rating),
        f" · coverage {words.pct(o.coverage)} · owner: {o.owner or 'not named'}"
        f" · actions done {o.actions.done} of {o.actions.total}",
    ]
    if o.reported:
        note = f": “{o.reported.note}”" if o.reported.note else ""
        line += [" · people report ", _rating(o.reported.rating)]
        line += [f" ({o.reported.recorded_on}{note})"]
    blocks = [heading(3, f"{o.code}. {o.title}"), para(*line), *bullets(o.reasons)]
    blocks += figure(
        readings,
        f"Readings of objective {o.code}'s numeric measures"
        + (" (and its sub-objectives')" if o.depth == 0 else "")
        + ", each as a share of its target; the dashed line is the target.",
    )
    if o.measures:
        blocks += [
            heading(4, "Measures"),
            table(
                ["Measure", "Current value", "Target", "Status", "Last reading"],
                [
                    [
                        m.description,
                        words.num(m.current_value),
                        m.target or ("done when 1 is recorded" if m.kind == "binary" else None),
                        words.state(m.status) + (" (stale)" if m.is_stale else ""),
                        m.last_reading_on,
                    ]
                    for m in o.measures
                ],
                num=(1, 4),
            ),
        ]
    if o.milestones:
        blocks += [
            heading(4, "Milestones"),
            table(
                ["Milestone", "Due", "State", "Achieved on"],
                [[m.title, m.due, words.state(m.state), m.achieved_on] for m in o.milestones],
                num=(1, 3),
            ),
        ]
    if o.action_lines:
        blocks += [
            heading(4, "Actions"),
            table(words.ACTION_COLUMNS, [words.action_row(a) for a in o.action_lines], num=(3,)),
        ]
    if o.partners:
        blocks += [heading(4, "Partners' roles"), *bullets(o.partners)]
    return {"t": "group", "indent": min(o.depth, 2), "blocks": blocks}


def plan_blocks(r: PlanReport) -> list[Block]:
    """The plan report's content, in the order and words of ``plan.html.j2``."""
    charts: dict[str, Any] = html.plan_charts(r)
    m, c = r.milestone_counts, r.measure_counts
    blocks = [
        heading(1, r.title),
        para(
            {
                "muted": f"{r.network_name} · plan period {r.period_start} to {r.period_end} "
                f"({r.status}) · as of {r.as_of} · "
                f"generated {r.generated_at:%Y-%m-%d %H:%M} UTC"
            }
        ),
    ]
    if r.aim:
        blocks.append(para({"strong": "Aim: "}, r.aim))
    blocks += [
        heading(2, "Summary"),
        para(
            "Overall rating: ", _rating(r.rating), f" · evidence coverage {words.pct(r.coverage)}"
        ),
        *bullets(r.reasons),
        table(
            [
                "",
                "Total",
                "Done / achieved",
                "In progress / on track",
                "At risk / blocked / overdue",
                "Off track / missed",
                "No data",
            ],
            [
                [
                    "Actions",
                    r.actions.total,
                    r.actions.done,
                    r.actions.in_progress,
                    f"{r.actions.blocked} blocked, {r.actions.overdue} overdue",
                    None,
                    None,
                ],
                [
                    "Milestones",
                    m.total,
                    m.achieved,
                    f"{m.pending - m.overdue} pending",
                    f"{m.overdue} overdue",
                    m.missed,
                    None,
                ],
                [
                    "Measures",
                    c.total,
                    c.achieved,
                    c.on_track,
                    f"{c.at_risk} at risk, {c.stale} stale",
                    c.off_track,
                    c.no_data,
                ],
            ],
            caption="Counts for the whole plan",
            num=(1, 2, 3, 4, 5, 6),
        ),
        *figure(charts["ratings"], "Objectives by rating (the table below names each)."),
        table(
            [
                "Code",
                "Objective",
                "Owner",
                "Rating",
                "Coverage",
                "Actions done",
                "Milestones achieved",
            ],
            [
                [
                    o.code,
                    o.title,
                    o.owner,
                    _rating(o.rating),
                    words.pct(o.coverage),
                    f"{o.actions.done} / {o.actions.total}",
                    f"{o.milestone_counts.achieved} / {o.milestone_counts.total}",
                ]
                for o in r.objectives
            ],
            caption="Objectives at a glance",
            num=(4, 5, 6),
        ),
        heading(2, "What needs attention", page=True),
    ]
    if r.attention:
        blocks.append(_attention(r.attention, "Most severe first"))
    else:
        blocks.append(para(f"Nothing needs attention as of {r.as_of}."))
    blocks.append(heading(3, f"What changed since {r.since}"))
    if r.changes:
        blocks.append(
            table(words.CHANGE_COLUMNS, [words.change_row(c) for c in r.changes], rowhead=1)
        )
        if r.changes_truncated:
            blocks.append(para({"muted": "Only the latest changes are listed."}))
    else:
        blocks.append(para(f"Nothing was recorded between {r.since} and {r.as_of}."))
    blocks.append(heading(3, "Latest check-ins"))
    if r.check_ins:
        blocks.append(
            table(
                ["Objective", "About", "Judged", "Confidence", "Note", "By, on"],
                [
                    [
                        ci.objective_code,
                        ci.about,
                        _rating(ci.check_in.rating),
                        ci.check_in.confidence,
                        ci.check_in.note,
                        f"{ci.check_in.recorded_by.name or ci.check_in.recorded_by.kind}, "
                        f"{ci.check_in.recorded_on}",
                    ]
                    for ci in r.check_ins
                ],
                num=(3,),
            )
        )
    else:
        blocks.append(para(f"No check-in recorded up to {r.as_of}."))
    blocks.append(heading(2, "Milestones", page=True))
    blocks += figure(
        charts["timeline"],
        "Each dot is a milestone at its due day (achieved ones at the day achieved); "
        f"the vertical line is {r.as_of}.",
    ) or [para("No milestone has a due date.")]
    blocks.append(heading(2, "Objectives", page=True))
    blocks += [_objective(o, charts["readings"].get(o.id)) for o in r.objectives]
    blocks.append(para({"muted": f"Ratings: {RATING_RULE}"}))
    return blocks


def network_blocks(r: NetworkReport) -> list[Block]:
    """The network report's content, in the order and words of ``network.html.j2``."""
    t = r.totals
    blocks = [
        heading(1, f"{r.network_name}: where the network stands"),
        para(
            {
                "muted": f"{r.network_name} and its member networks · as of "
                f"{r.as_of or EACH_PLANS_DAY} · "
                f"generated {r.generated_at:%Y-%m-%d %H:%M} UTC"
            }
        ),
        heading(2, "Summary"),
        para(
            f"{t.networks} networks, {t.plans} active plans · evidence coverage "
            f"{words.pct(t.coverage)} · actions done {t.actions.done} of {t.actions.total} "
            f"· milestones achieved {t.milestones.achieved} of {t.milestones.total} "
            f"({t.milestones.overdue} overdue, {t.milestones.missed} missed) · measures off "
            f"track {t.measures.off_track} of {t.measures.total}"
        ),
        *figure(html.network_chart(r), "Active plans by rating (the table below names each)."),
        table(
            [
                "Network",
                "Plan",
                "Period",
                "Rating",
                "Coverage",
                "Actions done",
                "Milestones achieved",
            ],
            [
                [
                    n.name,
                    p.title,
                    f"{p.period_start} to {p.period_end}",
                    _rating(p.rating),
                    words.pct(p.coverage),
                    f"{p.actions.done} / {p.actions.total}",
                    f"{p.milestones.achieved} / {p.milestones.total}",
                ]
                for n in r.networks
                for p in n.plans
            ]
            + [
                [n.name, "no active plan", None, None, None, None, None]
                for n in r.networks
                if not n.plans
            ],
            caption="Active plans, network by network",
            num=(2, 4, 5, 6),
        ),
        heading(2, "Network by network", page=True),
    ]
    for n in r.networks:
        inner = [heading(3, n.name)]
        for p in n.plans:
            inner += [
                heading(4, f"{p.title} ({p.period_start} to {p.period_end}, as of {p.as_of})"),
                para(_rating(p.rating), f" · coverage {words.pct(p.coverage)}"),
                *bullets(p.reasons),
            ]
            if p.attention:
                inner.append(_attention(p.attention, "The most severe items needing attention"))
        if not n.plans:
            inner.append(para({"muted": "No active plan."}))
        blocks.append({"t": "group", "indent": min(n.depth, 2), "blocks": inner})
    blocks.append(para({"muted": f"Ratings: {RATING_RULE}"}))
    return blocks


def _compile(title: str, network: str, as_of: str, blocks: list[Block]) -> bytes:
    document = {
        "title": title,
        "network": network,
        "as_of": as_of,
        "fonts": FONTS,
        "colours": {k: list(v) for k, v in RATING_COLOURS.items()},
        "blocks": blocks,
    }
    inputs = {"report": json.dumps(document, ensure_ascii=False)}
    # A fresh compilation each time (thread-safe; Typst memoises across them all the same).
    body = typst.compile(_template(), ignore_system_fonts=True, sys_inputs=inputs, pdf_tags=False)
    assert isinstance(body, bytes)  # one PDF, never a list of pages
    return body


def plan(report: PlanReport) -> bytes:
    """The plan report as PDF (CPU-bound: call it from a worker thread)."""
    return _compile(report.title, report.network_name, str(report.as_of), plan_blocks(report))


def network(report: NetworkReport) -> bytes:
    """The network report as PDF (CPU-bound: call it from a worker thread)."""
    day = str(report.as_of) if report.as_of else "each plan's own day"
    return _compile(
        f"{report.network_name}: network report",
        report.network_name,
        day,
        network_blocks(report),
    )
