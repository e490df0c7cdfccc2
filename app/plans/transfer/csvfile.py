"""The plan as a CSV file (the flat table), both ways."""

import csv
import io
import json
from datetime import date

from app.core.uploads import (
    DEFAULT_CAPS,
    TableBounds,
    UploadCaps,
    check_size,
)
from app.plans.schemas import (
    ObjectiveKind,
    PlanStatus,
)
from app.plans.transfer.cells import COLUMNS
from app.plans.transfer.document import (
    ActionDoc,
    MeasureDoc,
    MilestoneDoc,
    ObjectiveDoc,
    PlanDocument,
    make_problem,
    refuse,
)
from app.plans.transfer.table import read_table, table_head

# --- CSV ----------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _escape_cell(value: str) -> str:
    """Spreadsheets run cells that start like a formula; a leading ``'`` keeps them text."""
    return "'" + value if value.lstrip("'").startswith(_FORMULA_START) else value


def _unescape_cell(value: str) -> str:
    if value.startswith("'") and value.lstrip("'").startswith(_FORMULA_START):
        return value[1:]
    return value


def parse_csv(
    raw: bytes,
    *,
    title: str,
    period_start: date,
    period_end: date,
    aim: str | None = None,
    status: PlanStatus = PlanStatus.draft,
    caps: UploadCaps = DEFAULT_CAPS,
) -> PlanDocument:
    """A plan document from a CSV table (UTF-8, comma-, semicolon- or tab-separated)."""
    check_size(raw, caps)
    head, problems = table_head(title, period_start, period_end, aim, status)
    if raw.startswith(b"PK\x03\x04"):
        raise refuse([*problems, make_problem(["file"], "an XLSX workbook, not CSV", "file_type")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse(
            [*problems, make_problem(["file"], "not UTF-8 text; save the CSV as UTF-8", "encoding")]
        ) from None
    if "\x00" in text:
        raise refuse([*problems, make_problem(["file"], "not a text file", "file_type")])
    first = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first.count)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    bounds = TableBounds(caps, "CSV file")
    try:
        header = next(records, None)
        if header is None:
            raise refuse([*problems, make_problem(["file"], "the file is empty", "empty")])
        header = bounds.row(header)
        for number, record in enumerate(records, start=2):
            rows.append((number, [_unescape_cell(v) for v in bounds.row(record)]))
    except csv.Error as exc:
        raise refuse([*problems, make_problem(["file"], f"not valid CSV: {exc}", "csv")]) from None
    return read_table(header, rows, head=head, problems=problems)


def format_number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def table_rows(doc: PlanDocument) -> list[dict[str, str]]:
    """The document as table rows (one per action, action milestone, measure and milestone;
    the objective's fields repeated), each holding every column."""
    rows: list[dict[str, str]] = []
    tops = {id(o) for o in doc.objectives}

    def emit(node: ObjectiveDoc, parent: ObjectiveDoc | None) -> None:
        base = dict.fromkeys(COLUMNS, "")
        base.update(
            objective_code=node.code,
            objective=node.title,
            kind=node.kind.value,
            description=node.description or "",
            workstreams=";".join(node.workstreams),
            responsible_group=node.responsible_group or "",
            role_of_partners=node.role_of_partners or "",
        )
        under_aspiration = (
            parent is not None and id(parent) in tops and parent.kind is ObjectiveKind.aspiration
        )
        if parent is not None and under_aspiration:
            base.update(aspiration=parent.title, aspiration_code=parent.code)
        elif parent is not None:
            base["parent_code"] = parent.code
        own = [
            *[_action_cells(base, a, m) for a in node.actions for m in _or_none(a.milestones)],
            *[_measure_cells(base, m) for m in node.measures],
            *[_milestone_cells(base, m) for m in node.milestones],
        ]
        bare_aspiration = (
            id(node) in tops
            and node.kind is ObjectiveKind.aspiration
            and node.children
            and not own
            and not (
                node.description
                or node.workstreams
                or node.responsible_group
                or node.role_of_partners
            )
        )
        if not bare_aspiration:
            rows.extend(own or [base])
        for child in node.children:
            emit(child, node)

    for objective in doc.objectives:
        emit(objective, None)
    return rows


def _or_none(milestones: list[MilestoneDoc]) -> list[MilestoneDoc | None]:
    return [*milestones] if milestones else [None]


def _action_cells(
    base: dict[str, str], action: ActionDoc, milestone: MilestoneDoc | None
) -> dict[str, str]:
    row = {
        **base,
        "action": action.description,
        "action_status": action.status.value,
        "action_owner": action.owner_text or "",
        "action_start": action.start_on.isoformat() if action.start_on else "",
        "action_due": action.due_on.isoformat() if action.due_on else "",
    }
    if milestone is not None:
        row = _milestone_cells(row, milestone)
        row["milestone_action"] = "yes"
    return row


def _measure_cells(base: dict[str, str], measure: MeasureDoc) -> dict[str, str]:
    target = measure.target
    return {
        **base,
        "measure": measure.description,
        "measure_comparator": target.comparator.value if target else "",
        "measure_target": format_number(target.value) if target else "",
        "measure_unit": (target.unit or "") if target else "",
        "measure_period": target.period.value if target else "",
        "measure_source": measure.source,
        "measure_params": json.dumps(measure.params, sort_keys=True) if measure.params else "",
        "measure_frequency": measure.update_frequency.value if measure.update_frequency else "",
        "measure_kind": measure.kind.value if measure.kind else "",
    }


def _milestone_cells(base: dict[str, str], milestone: MilestoneDoc) -> dict[str, str]:
    return {
        **base,
        "milestone": milestone.title,
        "due": milestone.due or "",
        "milestone_status": milestone.status.value,
        "milestone_achieved_on": (
            milestone.achieved_on.isoformat() if milestone.achieved_on else ""
        ),
    }


def to_csv(doc: PlanDocument) -> bytes:
    """The table as CSV: UTF-8 with a byte-order mark (so spreadsheets read it as UTF-8),
    formula-like cells prefixed with ``'``."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in table_rows(doc):
        writer.writerow([_escape_cell(row[c]) for c in COLUMNS])
    return out.getvalue().encode("utf-8-sig")
