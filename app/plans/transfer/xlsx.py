"""The plan as an XLSX workbook (the flat table), both ways."""

import io
import math
import re
from datetime import date, datetime
from typing import Any

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from app.core.uploads import (
    DEFAULT_CAPS,
    TableBounds,
    UploadCaps,
    check_workbook,
)
from app.plans.schemas import (
    PlanStatus,
)
from app.plans.transfer.cells import COLUMNS
from app.plans.transfer.csvfile import format_number, table_rows
from app.plans.transfer.document import PlanDocument, make_problem, refuse
from app.plans.transfer.table import read_table, table_head

# --- XLSX ---------------------------------------------------------------------------------


def _cell_text(value: Any, number_format: str | None, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        if column == "due" and number_format and "d" not in number_format.lower():
            return value.strftime("%Y-%m")
        if value.time() == datetime.min.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return format_number(value) if math.isfinite(value) else str(value)
    return str(value)


def parse_xlsx(
    raw: bytes,
    *,
    title: str,
    period_start: date,
    period_end: date,
    aim: str | None = None,
    status: PlanStatus = PlanStatus.draft,
    caps: UploadCaps = DEFAULT_CAPS,
) -> PlanDocument:
    """A plan document from the first sheet of an XLSX workbook (header in row 1)."""
    check_workbook(raw, caps)
    head, problems = table_head(title, period_start, period_end, aim, status)
    not_xlsx = make_problem(["file"], "not an XLSX workbook", "file_type")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:
        raise refuse([*problems, not_xlsx]) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise refuse([*problems, make_problem(["file"], "the workbook has no sheet", "empty")])
        lines = sheet.iter_rows(max_col=caps.columns)
        first = next(lines, None)
        if first is None:
            raise refuse([*problems, make_problem(["file"], "the sheet is empty", "empty")])
        bounds = TableBounds(caps, "sheet")
        header = bounds.row([_cell_text(c.value, None, "") for c in first])
        names = [re.sub(r"[\s-]+", "_", h.strip().lower()) for h in header]
        rows: list[tuple[int, list[str]]] = []
        for number, cells in enumerate(lines, start=2):
            values = [
                _cell_text(c.value, getattr(c, "number_format", None), names[i])
                for i, c in enumerate(cells)
                if i < len(names)
            ]
            if not any(values):
                continue
            rows.append((number, bounds.row(values)))
    finally:
        workbook.close()
    return read_table(header, rows, head=head, problems=problems)


def to_xlsx(doc: PlanDocument) -> bytes:
    """The table as an XLSX workbook (one sheet, "Plan"); every cell is text, except targets."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Plan")

    def text_cell(value: str) -> Any:
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # never a formula or an error code
        return cell

    sheet.append([text_cell(c) for c in COLUMNS])
    for row in table_rows(doc):
        cells = []
        for column in COLUMNS:
            value = row[column]
            if column == "measure_target" and value:
                cells.append(WriteOnlyCell(sheet, value=float(value)))
            else:
                cells.append(text_cell(value) if value else None)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
