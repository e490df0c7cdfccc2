"""The flat table's columns, and one row's typed cell readers.

See ``app.plans.transfer.table`` for the table rules.
"""

import json
import math
import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from pydantic import (
    BaseModel,
    ValidationError,
)

from app.plans.schemas import ObjectiveKind, format_due, parse_due
from app.plans.transfer.document import MeasureDoc, MilestoneDoc, make_problem, pydantic_problems

# --- the table ----------------------------------------------------------------------------

REQUIRED_COLUMNS = (
    "aspiration",
    "objective_code",
    "objective",
    "action",
    "measure",
    "responsible_group",
    "milestone",
    "due",
)
OPTIONAL_COLUMNS = (
    "aspiration_code",
    "kind",
    "parent_code",
    "description",
    "workstreams",
    "role_of_partners",
    "measure_comparator",
    "measure_target",
    "measure_unit",
    "measure_period",
    "measure_source",
    "measure_params",
    "measure_frequency",
    "measure_kind",
    "action_status",
    "action_owner",
    "action_start",
    "action_due",
    "milestone_status",
    "milestone_achieved_on",
    "milestone_action",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

# The workbook's header: a title a reader understands for each column. Import takes either.
COLUMN_TITLES = {
    "aspiration": "Aspiration",
    "objective_code": "Objective code",
    "objective": "Objective",
    "action": "Action",
    "measure": "Measure of success",
    "responsible_group": "Responsible group",
    "milestone": "Milestone",
    "due": "Milestone due",
    "aspiration_code": "Aspiration code",
    "kind": "Kind",
    "parent_code": "Parent objective code",
    "description": "Objective description",
    "workstreams": "Workstreams",
    "role_of_partners": "Role of partners",
    "measure_comparator": "Target comparison",
    "measure_target": "Target value",
    "measure_unit": "Target unit",
    "measure_period": "Target period",
    "measure_source": "Measure source",
    "measure_params": "Source parameters (JSON)",
    "measure_frequency": "Update frequency",
    "measure_kind": "Measure kind",
    "action_status": "Action status",
    "action_owner": "Action owner",
    "action_start": "Action start",
    "action_due": "Action due",
    "milestone_status": "Milestone status",
    "milestone_achieved_on": "Milestone achieved on",
    "milestone_action": "Milestone of the action",
}


def _normal(name: str) -> str:
    return re.sub(r"[\s-]+", "_", name.strip().lower())


_BY_TITLE = {_normal(title): column for column, title in COLUMN_TITLES.items()}


def column_key(name: str) -> str:
    """The column a header names: its snake_case name or its title, in any case and spacing
    ("Objective Code", "objective-code", "Milestone due" -> "objective_code", "due")."""
    key = _normal(name)
    return key if key in COLUMNS else _BY_TITLE.get(key, key)


OBJECTIVE_COLUMNS = {
    "code": "objective_code",
    "kind": "kind",
    "title": "objective",
    "description": "description",
    "workstreams": "workstreams",
    "responsible_group": "responsible_group",
    "role_of_partners": "role_of_partners",
}
ACTION_COLUMNS = {
    "description": "action",
    "status": "action_status",
    "owner_text": "action_owner",
    "start_on": "action_start",
    "due_on": "action_due",
}
MEASURE_COLUMNS = {
    "description": "measure",
    "target": "measure_target",
    "source": "measure_source",
    "params": "measure_params",
    "update_frequency": "measure_frequency",
    "kind": "measure_kind",
}
TARGET_COLUMNS = {
    "comparator": "measure_comparator",
    "value": "measure_target",
    "unit": "measure_unit",
    "period": "measure_period",
}
MILESTONE_COLUMNS = {
    "title": "milestone",
    "due": "due",
    "status": "milestone_status",
    "achieved_on": "milestone_achieved_on",
}
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0", ""}
E = TypeVar("E", bound=StrEnum)
M = TypeVar("M", bound=BaseModel)


@dataclass
class CellValue:
    value: Any
    row: int
    column: str


@dataclass
class ActionDraft:
    values: dict[str, CellValue]
    milestones: list[MilestoneDoc] = field(default_factory=list)


@dataclass
class NodeDraft:
    code: str
    row: int
    column: str
    values: dict[str, CellValue] = field(default_factory=dict)
    parent: CellValue | None = None
    aspiration_ref: CellValue | None = None  # named in an aspiration column (row, column)
    actions: list[ActionDraft] = field(default_factory=list)
    measures: list[MeasureDoc] = field(default_factory=list)
    milestones: list[MilestoneDoc] = field(default_factory=list)
    kind: ObjectiveKind = ObjectiveKind.objective


class TableRow:
    """One table row's cells, with typed readers that note problems against row and column."""

    def __init__(self, number: int, cells: dict[str, str], problems: list[dict[str, Any]]):
        self.number = number
        self.cells = cells
        self.problems = problems

    def fail(self, column: str, msg: str, kind: str) -> None:
        self.problems.append(make_problem(["file", "row", self.number, column], msg, kind))

    def has(self, column: str) -> bool:
        return bool(self.cells.get(column))

    def text(self, column: str, limit: int) -> str | None:
        value = self.cells.get(column) or None
        if value is not None and len(value) > limit:
            self.fail(column, f"longer than {limit} characters", "too_long")
            return None
        return value

    def code(self, column: str) -> str | None:
        value = self.cells.get(column) or None
        if value is not None and (len(value) > 20 or not _CODE.match(value)):
            self.fail(
                column,
                f"not a code: {value!r} (up to 20 letters, digits, '.', '_' or '-')",
                "code_invalid",
            )
            return None
        return value

    def enum(self, column: str, kind: type[E]) -> E | None:
        raw = self.cells.get(column)
        if not raw:
            return None
        key = re.sub(r"[\s-]+", "_", raw.strip().lower())
        try:
            return kind(key)
        except ValueError:
            choices = ", ".join(m.value for m in kind)
            self.fail(column, f"{raw!r} is not one of: {choices}", "enum")
            return None

    def numeric(self, column: str) -> float | None:
        raw = self.cells.get(column)
        if not raw:
            return None
        try:
            value = float(raw)
        except ValueError:
            self.fail(column, f"not a number: {raw!r}", "number")
            return None
        if not math.isfinite(value) or abs(value) > 1e12:
            self.fail(column, f"out of range: {raw!r}", "number")
            return None
        return value

    def day(self, column: str) -> date | None:
        raw = self.cells.get(column)
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            self.fail(column, f"not a date (YYYY-MM-DD): {raw!r}", "date_invalid")
            return None

    def due(self, column: str) -> str | None:
        raw = self.cells.get(column)
        if not raw:
            return None
        try:
            return format_due(*parse_due(raw))
        except ValueError:
            self.fail(column, f"not a date or month: {raw!r}", "due_invalid")
            return None

    def flag(self, column: str) -> bool:
        raw = (self.cells.get(column) or "").lower()
        if raw in _YES:
            return True
        if raw not in _NO:
            self.fail(column, f"not yes or no: {self.cells[column]!r}", "bool")
        return False

    def params(self, column: str) -> dict[str, Any]:
        raw = self.cells.get(column)
        if not raw:
            return {}
        try:
            value = json.loads(raw) if len(raw) <= 2000 else None
        except (ValueError, RecursionError):
            value = None
        if not isinstance(value, dict):
            self.fail(column, "not a JSON object", "json_invalid")
            return {}
        return value

    def workstreams(self, column: str) -> list[str] | None:
        raw = self.cells.get(column)
        if not raw:
            return None
        names = [name.strip() for name in raw.split(";") if name.strip()]
        if len(names) > 20 or any(len(name) > 60 for name in names):
            self.fail(column, "at most 20 workstreams of up to 60 characters", "workstreams")
            return None
        return names

    def build(self, model: type[M], data: dict[str, Any], columns: dict[str, str]) -> M | None:
        """Validate ``data`` as ``model``; a problem lands on the column of its field."""
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            first = next(iter(columns.values()))
            for issue in pydantic_problems(exc, []):
                loc = issue["loc"]
                column = columns.get("", first) if not loc else first
                if loc and isinstance(loc[0], str):
                    column = columns.get(loc[0], first)
                    if loc[0] == "target" and len(loc) > 1 and isinstance(loc[1], str):
                        column = TARGET_COLUMNS.get(loc[1], column)
                self.fail(column, issue["msg"], issue["type"])
            return None
