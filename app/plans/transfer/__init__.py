"""Plan import and export: one document shape, ``PlanDocument`` (the JSON format), and one
flat table of it (CSV and XLSX) for people who keep their plans in spreadsheets.

``document`` is the shape and its checks, ``cells`` and ``table`` read the flat table,
``csvfile``, ``xlsx`` and ``markdown`` are the file formats, ``store`` writes a document to the
database and reads one back, ``roles`` is where partners' roles come from. The names below
are the public surface, for callers that want the whole of it.
"""

from app.plans.transfer.cells import REQUIRED_COLUMNS
from app.plans.transfer.csvfile import parse_csv, to_csv
from app.plans.transfer.document import PlanDocument, counts, parse_json, to_json, walk
from app.plans.transfer.markdown import to_markdown
from app.plans.transfer.store import create_from_document, load_document
from app.plans.transfer.xlsx import parse_xlsx, to_xlsx

__all__ = [
    "REQUIRED_COLUMNS",
    "PlanDocument",
    "counts",
    "create_from_document",
    "load_document",
    "parse_csv",
    "parse_json",
    "parse_xlsx",
    "to_csv",
    "to_json",
    "to_markdown",
    "to_xlsx",
    "walk",
]
