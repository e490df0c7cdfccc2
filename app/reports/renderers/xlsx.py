"""The report as a workbook people can sort and filter: one sheet per table, human column
titles, frozen header rows, widths that fit, numbers as numbers and dates as dates, and each
rating written as text on its colour."""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.reports.renderers import words
from app.reports.schemas import RATING_COLOURS, NetworkReport, PlanReport

HEADER_FILL = PatternFill("solid", fgColor="E8EAED")
HEADER_FONT = Font(bold=True)
DATE_FORMAT = "yyyy-mm-dd"
SHARE_FORMAT = "0%"
MAX_WIDTH = 60
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")


class Rating(str):
    """A cell value written as the rating's words on the rating's fill."""

    __slots__ = ()


def _argb(colour: str) -> str:
    return "FF" + colour.lstrip("#").upper()


def _rating(value: Any) -> Rating:
    return Rating(str(getattr(value, "value", value)))


def _sheet(
    book: Workbook, title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Worksheet:
    sheet = book.create_sheet(title)
    sheet.append(list(columns))
    for cell in sheet[1]:
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAP
    widths = [len(c) for c in columns]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, Rating):
                background, ink = RATING_COLOURS[str(value)]
                cell.value = words.rating_words(str(value))
                cell.fill = PatternFill("solid", fgColor=_argb(background))
                cell.font = Font(color=_argb(ink), bold=True)
            else:
                cell.value = value
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, date):
                cell.number_format = DATE_FORMAT
            text = str(cell.value) if cell.value is not None else ""
            widths[c - 1] = max(widths[c - 1], min(len(text), MAX_WIDTH))
            cell.alignment = WRAP if len(text) > MAX_WIDTH else TOP
    for c, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = max(8, width + 2)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    return sheet


def _shares(sheet: Worksheet, column: int) -> None:
    for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
        cell.number_format = SHARE_FORMAT


def _bytes(book: Workbook) -> bytes:
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def plan(report: PlanReport) -> bytes:
    """Sheets Summary, Objectives, Measures, Milestones, Attention, Changes, Check-ins."""
    book = Workbook()
    book.remove(book.active)
    summary = _sheet(
        book,
        "Summary",
        ["Item", "Value"],
        [
            ["Network", report.network_name],
            ["Plan", report.title],
            ["Plan id", report.plan_id],
            ["Status", report.status],
            ["Period start", report.period_start],
            ["Period end", report.period_end],
            ["As of", report.as_of],
            ["Changes since", report.since],
            ["Generated (UTC)", report.generated_at.replace(tzinfo=None)],
            ["Rating", _rating(report.rating)],
            ["Evidence coverage", report.coverage],
            ["Objectives", len(report.objectives)],
            ["Actions done", report.actions.done],
            ["Actions total", report.actions.total],
            ["Milestones achieved", report.milestone_counts.achieved],
            ["Milestones overdue", report.milestone_counts.overdue],
            ["Milestones missed", report.milestone_counts.missed],
            ["Milestones total", report.milestone_counts.total],
            ["Measures with current data", report.measure_counts.current],
            ["Measures off track", report.measure_counts.off_track],
            ["Measures total", report.measure_counts.total],
            *(["Reason", reason] for reason in report.reasons),
        ],
    )
    summary["B12"].number_format = SHARE_FORMAT
    objectives = _sheet(
        book,
        "Objectives",
        [
            "Code",
            "Objective",
            "Level",
            "Owner",
            "Rating",
            "Evidence coverage",
            "Actions done",
            "Actions total",
            "Milestones achieved",
            "Milestones total",
            "Measures total",
            "Measures with current data",
            "Reasons",
            "Reported rating",
            "Reported on",
            "Partners' roles",
        ],
        [
            [
                o.code,
                o.title,
                o.depth + 1,
                o.owner,
                _rating(o.rating),
                o.coverage,
                o.actions.done,
                o.actions.total,
                o.milestone_counts.achieved,
                o.milestone_counts.total,
                o.measure_counts.total,
                o.measure_counts.current,
                "\n".join(o.reasons),
                _rating(o.reported.rating) if o.reported else None,
                o.reported.recorded_on if o.reported else None,
                "\n".join(o.partners) or None,
            ]
            for o in report.objectives
        ],
    )
    _shares(objectives, 6)
    _sheet(
        book,
        "Measures",
        [
            "Objective",
            "Measure",
            "Kind",
            "Source",
            "Current value",
            "Target",
            "Target value",
            "Unit",
            "Status",
            "Stale",
            "Last reading",
        ],
        [
            [
                m.objective_code,
                m.description,
                m.kind,
                m.source,
                m.current_value,
                m.target,
                m.target_value,
                m.unit,
                words.state(m.status),
                "yes" if m.is_stale else "no",
                m.last_reading_on,
            ]
            for m in report.measures
        ],
    )
    _sheet(
        book,
        "Milestones",
        ["Objective", "Milestone", "Action", "Due", "State", "Recorded status", "Achieved on"],
        [
            [
                m.objective_code,
                m.title,
                m.action,
                m.due_on,
                words.state(m.state),
                m.status,
                m.achieved_on,
            ]
            for m in report.milestones
        ],
    )
    _sheet(
        book,
        "Attention",
        ["Objective", "Kind", "Item", "Reason", "Detail", "Owner", "Due", "Days overdue"],
        [
            [
                a.objective_code,
                a.kind.value,
                a.title,
                words.state(a.reason.value),
                a.detail,
                words.owner_text(a.owner),
                a.due_on,
                a.days_overdue,
            ]
            for a in report.attention
        ],
    )
    _sheet(
        book,
        "Changes",
        ["When (UTC)", "Objective", "About", "What happened", "Who"],
        [
            [
                c.occurred_at.replace(tzinfo=None),
                c.objective_code,
                c.title,
                c.what,
                c.who.name or c.who.kind,
            ]
            for c in report.changes
        ],
    )
    _sheet(
        book,
        "Check-ins",
        ["Objective", "About", "Rating", "Confidence", "Note", "Recorded by", "Recorded on"],
        [
            [
                c.objective_code,
                c.about,
                _rating(c.check_in.rating),
                c.check_in.confidence,
                c.check_in.note,
                c.check_in.recorded_by.name or c.check_in.recorded_by.kind,
                c.check_in.recorded_on,
            ]
            for c in report.check_ins
        ],
    )
    return _bytes(book)


def network(report: NetworkReport) -> bytes:
    """Sheets Summary, Plans, Attention."""
    book = Workbook()
    book.remove(book.active)
    totals = report.totals
    summary = _sheet(
        book,
        "Summary",
        ["Item", "Value"],
        [
            ["Network", report.network_name],
            ["As of", report.as_of or "each plan's own day"],
            ["Generated (UTC)", report.generated_at.replace(tzinfo=None)],
            ["Networks", totals.networks],
            ["Active plans", totals.plans],
            ["Evidence coverage", totals.coverage],
            *([f"Plans {words.rating_words(k)}", n] for k, n in sorted(totals.ratings.items())),
        ],
    )
    summary["B7"].number_format = SHARE_FORMAT
    plans = [(n, p) for n in report.networks for p in n.plans]
    sheet = _sheet(
        book,
        "Plans",
        [
            "Network",
            "Plan",
            "Period start",
            "Period end",
            "As of",
            "Rating",
            "Evidence coverage",
            "Actions done",
            "Actions total",
            "Milestones achieved",
            "Milestones overdue",
            "Milestones total",
            "Measures off track",
            "Measures total",
            "Reasons",
        ],
        [
            [
                n.name,
                p.title,
                p.period_start,
                p.period_end,
                p.as_of,
                _rating(p.rating),
                p.coverage,
                p.actions.done,
                p.actions.total,
                p.milestones.achieved,
                p.milestones.overdue,
                p.milestones.total,
                p.measures.off_track,
                p.measures.total,
                "\n".join(p.reasons),
            ]
            for n, p in plans
        ],
    )
    _shares(sheet, 7)
    _sheet(
        book,
        "Attention",
        ["Network", "Plan", "Objective", "Item", "Detail", "Owner", "Due", "Days overdue"],
        [
            [
                n.name,
                p.title,
                a.objective_code,
                a.title,
                a.detail,
                words.owner_text(a.owner),
                a.due_on,
                a.days_overdue,
            ]
            for n, p in plans
            for a in p.attention
        ],
    )
    return _bytes(book)
