"""The plan as an XLSX workbook (the flat table), both ways."""

import io
import math
from datetime import date, datetime
from typing import Any

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.core.uploads import (
    DEFAULT_CAPS,
    TableBounds,
    UploadCaps,
    check_workbook,
)
from app.plans.schemas import (
    PlanStatus,
)
from app.plans.transfer.cells import COLUMN_TITLES, COLUMNS, column_key
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
        names = [column_key(h) for h in header]
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


MIN_WIDTH, MAX_WIDTH = 8, 50


def _widths(rows: list[dict[str, str]]) -> list[int]:
    """Each column about as wide as its title or its longest line (within bounds)."""
    widths = []
    for column in COLUMNS:
        longest = max(
            [len(COLUMN_TITLES[column])]
            + [len(line) for row in rows for line in (row[column] or "").splitlines()]
        )
        widths.append(min(MAX_WIDTH, max(MIN_WIDTH, longest + 2)))
    return widths


def to_xlsx(doc: PlanDocument) -> bytes:
    """The table as an XLSX workbook (one sheet, "Plan"): a bold, frozen header row of column
    titles, columns as wide as their contents; every cell is text, except targets."""
    rows = table_rows(doc)
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Plan")
    sheet.freeze_panes = "A2"
    for number, width in enumerate(_widths(rows), start=1):
        sheet.column_dimensions[get_column_letter(number)].width = width

    def text_cell(value: str) -> Any:
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # never a formula or an error code
        return cell

    bold = Font(bold=True)
    header = []
    for column in COLUMNS:
        cell = text_cell(COLUMN_TITLES[column])
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
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
