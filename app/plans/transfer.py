"""Plan import and export.

One document shape, ``PlanDocument`` (the JSON format), and one flat table of it (CSV and
XLSX: one line per action, measure or milestone, the objective's fields repeated) for people
who keep their plans in spreadsheets. Every importer validates the whole file before anything
is written and reports every problem at once, naming the row and column.

Table rules (CSV and XLSX; header names are case-insensitive, in any order):

* required columns: ``aspiration, objective_code, objective, action, measure,
  responsible_group, milestone, due``; the optional ones are in ``OPTIONAL_COLUMNS``.
* rows with the same ``objective_code`` are one objective (their non-blank values must agree).
* an ``aspiration`` value makes, once and in order of appearance, a top-level objective of kind
  ``aspiration`` coded ``aspiration_code`` (or ``A1``, ``A2``, ... when that is blank); the row's
  objective hangs under it, unless ``parent_code`` puts it under another objective.
* rows repeating an action's text in the same objective name the same action; a milestone
  with ``milestone_action`` = yes belongs to the action in its row, else to the objective.
* rows are numbered as a spreadsheet shows them: the header is row 1.
"""

import csv
import io
import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Protocol, TypeVar

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.policy import Permission, Principal, authorize
from app.core import audit
from app.core.db import utcnow
from app.core.errors import Unprocessable
from app.core.schemas import Day, refuse_control_characters
from app.core.schemas import Statement as LongTitle
from app.core.uploads import (
    DEFAULT_CAPS,
    TableBounds,
    UploadCaps,
    check_json,
    check_size,
    check_workbook,
)
from app.networks.models import Network
from app.plans import measures as measure_rules
from app.plans.models import Action, ActionStatusChange, Measure, Milestone, Objective, Plan
from app.plans.schemas import (
    ActionStatus,
    Code,
    Comparator,
    DueText,
    Frequency,
    MeasureKind,
    MilestoneStatus,
    ObjectiveKind,
    PlanStatus,
    ShortText,
    Target,
    TargetPeriod,
    Title,
    Workstream,
    format_due,
    parse_due,
)

# --- limits -------------------------------------------------------------------------------

# What a file may expand to (rows, columns, cells, strings, nesting) is capped by settings:
# UploadCaps in app/core/uploads.py. The limits below are on the plan itself.
MAX_OBJECTIVES = 5_000
MAX_ACTIONS = 20_000
MAX_MEASURES = 20_000
MAX_MILESTONES = 20_000
MAX_DEPTH = 20
MAX_ERRORS = 1_000
MAX_UNIT_LENGTH = 100  # measures.target_unit is VARCHAR(100)

# --- the document -------------------------------------------------------------------------

LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
OptionalText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000)]


def _blank_to_none(value: str | None) -> str | None:
    return value or None


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # As Body: no control characters in any text of the document (or its table's cells).
    _text = field_validator("*", mode="before")(refuse_control_characters)


class MilestoneDoc(_Doc):
    title: LongTitle = Field(description="What will be evidenced.")
    due: DueText | None = Field(
        default=None, description="`YYYY-MM-DD`, or a month (`YYYY-MM`, `October 2019`)."
    )
    status: MilestoneStatus = Field(default=MilestoneStatus.pending, description="Status.")
    achieved_on: Day | None = Field(default=None, description="When achieved.")

    @field_validator("due")
    @classmethod
    def _due(cls, value: str | None) -> str | None:
        """Checked, and kept in its canonical form (`2019-10`, `2019-10-15`)."""
        if value is None:
            return None
        try:
            return format_due(*parse_due(value))
        except ValueError as exc:
            raise ValueError(f"not a date or month: {value!r}") from exc

    @model_validator(mode="after")
    def _achieved(self) -> "MilestoneDoc":
        if self.achieved_on and self.status is not MilestoneStatus.achieved:
            raise ValueError("achieved_on is only for achieved milestones")
        return self


class ActionDoc(_Doc):
    description: LongText = Field(description="What will be done.")
    status: ActionStatus = Field(default=ActionStatus.planned, description="Status.")
    start_on: Day | None = Field(default=None, description="Start.")
    due_on: Day | None = Field(default=None, description="Due.")
    owner_text: ShortText | None = Field(default=None, description="Owner, as text.")
    milestones: list[MilestoneDoc] = Field(
        default_factory=list, max_length=1_000, description="Milestones on this action."
    )

    none_if_blank = field_validator("owner_text")(_blank_to_none)

    @model_validator(mode="after")
    def _dates(self) -> "ActionDoc":
        if self.start_on and self.due_on and self.due_on < self.start_on:
            raise ValueError("due_on is before start_on")
        return self


class MeasureDoc(_Doc):
    description: LongText = Field(description="How the network will know.")
    target: Target | None = Field(default=None, description="Where countable, the target.")
    source: Annotated[str, StringConstraints(min_length=1, max_length=40)] = Field(
        default=measure_rules.MANUAL, description="`manual`, or a derived source."
    )
    params: dict[str, Any] = Field(
        default_factory=dict, max_length=20, description="Parameters of a derived source."
    )
    update_frequency: Frequency | None = Field(
        default=None, description="For manual measures: how often a reading is expected."
    )
    kind: MeasureKind | None = Field(
        default=None,
        description="numeric, binary or qualitative; by default numeric with a target or a "
        "derived source, else binary.",
    )


class ObjectiveDoc(_Doc):
    code: Code = Field(description="Unique within the plan, e.g. `4`, `2a` or `A1`.")
    kind: ObjectiveKind = Field(default=ObjectiveKind.objective, description="Node kind.")
    title: LongTitle = Field(description="Title.")
    description: OptionalText | None = Field(default=None, description="Longer text.")
    workstreams: list[Workstream] = Field(
        default_factory=list, max_length=20, description="Workstream tags."
    )
    responsible_group: ShortText | None = Field(default=None, description="Who is responsible.")
    role_of_partners: OptionalText | None = Field(default=None, description="What partners do.")
    actions: list[ActionDoc] = Field(default_factory=list, max_length=MAX_ACTIONS)
    measures: list[MeasureDoc] = Field(default_factory=list, max_length=MAX_MEASURES)
    milestones: list[MilestoneDoc] = Field(
        default_factory=list,
        max_length=MAX_MILESTONES,
        description="Milestones on the objective itself.",
    )
    children: list["ObjectiveDoc"] = Field(
        default_factory=list, max_length=MAX_OBJECTIVES, description="Sub-objectives, in order."
    )

    none_if_blank = field_validator("description", "responsible_group", "role_of_partners")(
        _blank_to_none
    )

    @field_validator("workstreams")
    @classmethod
    def _workstreams(cls, value: list[str]) -> list[str]:
        if any(";" in name for name in value):
            raise ValueError("workstream names may not contain ';'")
        return value


class PlanDocument(_Doc):
    """A whole plan: the JSON import/export format."""

    title: Title = Field(description="Title.")
    aim: OptionalText | None = Field(default=None, description="What the plan is for.")
    period_start: Day = Field(description="First day of the plan period.")
    period_end: Day = Field(description="Last day of the plan period.")
    status: PlanStatus = Field(default=PlanStatus.draft, description="draft, active or closed.")
    objectives: list[ObjectiveDoc] = Field(
        default_factory=list, max_length=MAX_OBJECTIVES, description="Top-level objectives."
    )

    none_if_blank = field_validator("aim")(_blank_to_none)

    @model_validator(mode="after")
    def _bounds(self) -> "PlanDocument":
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        totals = counts(self)
        for name, limit in [
            ("objectives", MAX_OBJECTIVES),
            ("actions", MAX_ACTIONS),
            ("measures", MAX_MEASURES),
            ("milestones", MAX_MILESTONES),
        ]:
            if totals[name] > limit:
                raise ValueError(f"more than {limit} {name} in one plan")
        if max((depth for _, depth, _ in walk(self)), default=0) >= MAX_DEPTH:
            raise ValueError(f"objectives are nested more than {MAX_DEPTH} deep")
        return self


def walk(doc: PlanDocument) -> Iterator[tuple[list[str | int], int, ObjectiveDoc]]:
    """Every objective in document order, with its path in the JSON and its depth (0 at top)."""
    stack: list[tuple[list[str | int], int, ObjectiveDoc]] = [
        (["objectives", i], 0, o) for i, o in enumerate(doc.objectives)
    ]
    stack.reverse()
    while stack:
        path, depth, node = stack.pop()
        yield path, depth, node
        stack.extend(
            reversed([([*path, "children", i], depth + 1, c) for i, c in enumerate(node.children)])
        )


def counts(doc: PlanDocument) -> dict[str, int]:
    """How much a document holds: ``objectives`` counts every node, aspirations included;
    ``milestones`` counts those on actions too."""
    totals = {"aspirations": 0, "objectives": 0, "actions": 0, "measures": 0, "milestones": 0}
    for _, _, node in walk(doc):
        totals["objectives"] += 1
        totals["aspirations"] += node.kind is ObjectiveKind.aspiration
        totals["actions"] += len(node.actions)
        totals["measures"] += len(node.measures)
        totals["milestones"] += len(node.milestones) + sum(len(a.milestones) for a in node.actions)
    return totals


# --- problems -----------------------------------------------------------------------------


def _problem(loc: list[str | int], msg: str, kind: str) -> dict[str, Any]:
    return {"loc": loc, "msg": msg, "type": kind}


def _refuse(errors: list[dict[str, Any]]) -> Unprocessable:
    n = len(errors)
    shown = errors[:MAX_ERRORS]
    if n > MAX_ERRORS:
        shown.append(_problem(["file"], f"{n - MAX_ERRORS} more problems not listed", "more"))
    return Unprocessable(
        f"the file has {n} problem{'s' if n != 1 else ''}; nothing was imported", errors=shown
    )


def _pydantic_problems(exc: ValidationError, prefix: list[str | int]) -> list[dict[str, Any]]:
    found = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = [*prefix, *err["loc"]]
        msg = str(err["msg"]).removeprefix("Value error, ")
        kind = str(err["type"])
        if kind == "value_error" and loc and loc[-1] == "due":
            kind = "due_invalid"
        found.append(_problem(loc, msg, kind))
    return found


def _source_problems(
    source: str, params: dict[str, Any]
) -> tuple[dict[str, Any] | None, list[tuple[str, str, str]]]:
    """Normalised params, or problems as (field, msg, type), field being source or params."""
    try:
        return measure_rules.validate_source(source, params), []
    except Unprocessable as exc:
        issues = []
        for err in exc.errors or [{"loc": ["body", "source"], "type": "source"}]:
            where = "params" if "params" in err["loc"] else "source"
            issues.append((where, str(exc.detail), str(err["type"])))
        return None, issues


def document_errors(doc: PlanDocument) -> list[dict[str, Any]]:
    """What a valid document can still get wrong: duplicate codes, measure sources, and
    values the database holds less of than the document allows."""
    errors: list[dict[str, Any]] = []
    seen: dict[str, list[str | int]] = {}
    for path, _, node in walk(doc):
        if node.code in seen:
            where = ".".join(str(p) for p in seen[node.code])
            errors.append(
                _problem(
                    ["file", *path, "code"],
                    f"code {node.code!r} is used twice (also at {where})",
                    "duplicate_code",
                )
            )
        else:
            seen[node.code] = path
        for i, measure in enumerate(node.measures):
            at: list[str | int] = ["file", *path, "measures", i]
            _, issues = _source_problems(measure.source, measure.params)
            errors.extend(_problem([*at, where], msg, kind) for where, msg, kind in issues)
            if measure.update_frequency and measure.source != measure_rules.MANUAL:
                errors.append(
                    _problem(
                        [*at, "update_frequency"], "only manual measures have one", "frequency"
                    )
                )
            unit = measure.target.unit if measure.target else None
            if unit and len(unit) > MAX_UNIT_LENGTH:
                errors.append(
                    _problem(
                        [*at, "target", "unit"],
                        f"longer than {MAX_UNIT_LENGTH} characters",
                        "too_long",
                    )
                )
    return errors


# --- JSON ---------------------------------------------------------------------------------


def parse_json(raw: bytes, *, caps: UploadCaps = DEFAULT_CAPS) -> PlanDocument:
    """A plan document from JSON; every problem is reported at once (loc ``["file", ...]``)."""
    check_json(raw, caps)
    try:
        doc = PlanDocument.model_validate_json(raw)
    except ValidationError as exc:
        raise _refuse(_pydantic_problems(exc, ["file"])) from None
    errors = document_errors(doc)
    if errors:
        raise _refuse(errors)
    return doc


def to_json(doc: PlanDocument) -> bytes:
    return doc.model_dump_json(indent=2).encode() + b"\n"


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
    "action_status",
    "action_owner",
    "action_start",
    "action_due",
    "milestone_status",
    "milestone_achieved_on",
    "milestone_action",
)
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

_OBJECTIVE_COLUMNS = {
    "code": "objective_code",
    "kind": "kind",
    "title": "objective",
    "description": "description",
    "workstreams": "workstreams",
    "responsible_group": "responsible_group",
    "role_of_partners": "role_of_partners",
}
_ACTION_COLUMNS = {
    "description": "action",
    "status": "action_status",
    "owner_text": "action_owner",
    "start_on": "action_start",
    "due_on": "action_due",
}
_MEASURE_COLUMNS = {
    "description": "measure",
    "target": "measure_target",
    "source": "measure_source",
    "params": "measure_params",
    "update_frequency": "measure_frequency",
}
_TARGET_COLUMNS = {
    "comparator": "measure_comparator",
    "value": "measure_target",
    "unit": "measure_unit",
    "period": "measure_period",
}
_MILESTONE_COLUMNS = {
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
class _Value:
    value: Any
    row: int
    column: str


@dataclass
class _ActionDraft:
    values: dict[str, _Value]
    milestones: list[MilestoneDoc] = field(default_factory=list)


@dataclass
class _Node:
    code: str
    row: int
    column: str
    values: dict[str, _Value] = field(default_factory=dict)
    parent: _Value | None = None
    aspiration_ref: _Value | None = None  # named in an aspiration column (row, column)
    actions: list[_ActionDraft] = field(default_factory=list)
    measures: list[MeasureDoc] = field(default_factory=list)
    milestones: list[MilestoneDoc] = field(default_factory=list)
    kind: ObjectiveKind = ObjectiveKind.objective


class _Row:
    """One table row's cells, with typed readers that note problems against row and column."""

    def __init__(self, number: int, cells: dict[str, str], problems: list[dict[str, Any]]):
        self.number = number
        self.cells = cells
        self.problems = problems

    def fail(self, column: str, msg: str, kind: str) -> None:
        self.problems.append(_problem(["file", "row", self.number, column], msg, kind))

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
            for issue in _pydantic_problems(exc, []):
                loc = issue["loc"]
                column = columns.get("", first) if not loc else first
                if loc and isinstance(loc[0], str):
                    column = columns.get(loc[0], first)
                    if loc[0] == "target" and len(loc) > 1 and isinstance(loc[1], str):
                        column = _TARGET_COLUMNS.get(loc[1], column)
                self.fail(column, issue["msg"], issue["type"])
            return None


class _TableReader:
    """Turns table rows into a plan document, collecting every problem on the way."""

    def __init__(self) -> None:
        self.problems: list[dict[str, Any]] = []
        self.nodes: dict[str, _Node] = {}
        self.aspirations_by_title: dict[str, str] = {}
        self.used_codes: set[str] = set()
        self.next_aspiration = 1

    # nodes

    def _node(self, code: str, row: _Row, column: str) -> _Node:
        node = self.nodes.get(code)
        if node is None:
            node = _Node(code=code, row=row.number, column=column)
            self.nodes[code] = node
        return node

    def _set(
        self, target: dict[str, _Value], name: str, value: Any, row: _Row, column: str, what: str
    ) -> None:
        if value is None:
            return
        old = target.get(name)
        if old is None:
            target[name] = _Value(value, row.number, column)
        elif old.value != value:
            row.fail(
                column,
                f"{what}: {value!r} conflicts with {old.value!r} in row {old.row}",
                "conflict",
            )

    def _auto_aspiration_code(self) -> str:
        while f"A{self.next_aspiration}" in self.used_codes | self.nodes.keys():
            self.next_aspiration += 1
        return f"A{self.next_aspiration}"

    def _aspiration(self, row: _Row) -> _Node | None:
        title = row.text("aspiration", 2000)
        code = row.code("aspiration_code")
        if title is None and code is None:
            return None
        if code is None:
            assert title is not None
            code = self.aspirations_by_title.get(title) or self._auto_aspiration_code()
        node = self._node(code, row, "aspiration")
        if node.aspiration_ref is None:
            node.aspiration_ref = _Value(code, row.number, "aspiration_code")
        self._set(node.values, "title", title, row, "aspiration", f"aspiration {code}")
        if title is not None:
            self.aspirations_by_title.setdefault(title, code)
        return node

    # one row

    def read(self, row: _Row) -> None:
        aspiration = self._aspiration(row)
        code = row.code("objective_code")
        if code is None:
            # still check the rest of the row, against an objective that is not kept
            if not row.has("objective_code"):
                filled = [c for c in row.cells if row.cells[c] and c not in _ASPIRATION_ONLY]
                if filled or aspiration is None:
                    row.fail("objective_code", "required", "missing")
                if not filled:
                    return
            code = row.cells.get("objective_code") or "?"
            node = _Node(code=code, row=row.number, column="objective")
        else:
            node = self._node(code, row, "objective")
        what = f"objective {code}"
        self._set(node.values, "title", row.text("objective", 2000), row, "objective", what)
        self._set(node.values, "kind", row.enum("kind", ObjectiveKind), row, "kind", what)
        for name, limit in [("description", 10_000), ("role_of_partners", 10_000)]:
            self._set(node.values, name, row.text(name, limit), row, name, what)
        group = row.text("responsible_group", 300)
        self._set(node.values, "responsible_group", group, row, "responsible_group", what)
        streams = row.workstreams("workstreams")
        self._set(node.values, "workstreams", streams, row, "workstreams", what)
        kind = node.values.get("kind")
        if kind and kind.value is ObjectiveKind.aspiration and "title" in node.values:
            self.aspirations_by_title.setdefault(node.values["title"].value, code)
        parent_code = row.code("parent_code")
        if parent_code is not None:
            parent = _Value(parent_code, row.number, "parent_code")
        elif aspiration is not None and aspiration.code != code:
            parent = _Value(aspiration.code, row.number, "aspiration")
        else:
            parent = None
        if parent is not None:
            if node.parent is None:
                node.parent = parent
            elif node.parent.value != parent.value:
                row.fail(
                    parent.column,
                    f"{what} is placed under {node.parent.value!r} in row {node.parent.row}",
                    "conflict",
                )
        action = self._action(node, row)
        self._measure(node, row)
        self._milestone(node, row, action)

    def _orphans(self, row: _Row, columns: Sequence[str], owner: str) -> None:
        for column in columns:
            if row.has(column):
                row.fail(column, f"needs {owner} in the same row", "orphan")

    def _action(self, node: _Node, row: _Row) -> _ActionDraft | None:
        description = row.text("action", 10_000)
        values = {
            "status": row.enum("action_status", ActionStatus),
            "owner_text": row.text("action_owner", 300),
            "start_on": row.day("action_start"),
            "due_on": row.day("action_due"),
        }
        if description is None:
            self._orphans(row, list(_ACTION_COLUMNS.values())[1:], "an action")
            return None
        draft = next(
            (a for a in node.actions if a.values["description"].value == description), None
        )
        if draft is None:
            draft = _ActionDraft({"description": _Value(description, row.number, "action")})
            node.actions.append(draft)
        for name, value in values.items():
            self._set(draft.values, name, value, row, _ACTION_COLUMNS[name], "this action")
        start, due = draft.values.get("start_on"), draft.values.get("due_on")
        if start and due and due.value < start.value:
            row.fail("action_due", "before action_start", "dates")
        return draft

    def _measure(self, node: _Node, row: _Row) -> None:
        description = row.text("measure", 10_000)
        comparator = row.enum("measure_comparator", Comparator)
        value = row.numeric("measure_target")
        unit = row.text("measure_unit", MAX_UNIT_LENGTH)
        period = row.enum("measure_period", TargetPeriod)
        source = row.text("measure_source", 40) or measure_rules.MANUAL
        params = row.params("measure_params")
        frequency = row.enum("measure_frequency", Frequency)
        if description is None:
            columns = [*_TARGET_COLUMNS.values(), *list(_MEASURE_COLUMNS.values())[2:]]
            self._orphans(row, columns, "a measure")
            return
        target = None
        if value is None:
            for column in ("measure_comparator", "measure_unit", "measure_period"):
                if row.has(column):
                    row.fail(column, "needs a measure_target", "missing")
        else:
            target = {
                "comparator": comparator or Comparator.at_least,
                "value": value,
                "unit": unit,
                "period": period or TargetPeriod.total,
            }
        normalised, issues = _source_problems(source, params)
        for where, msg, kind in issues:
            row.fail(f"measure_{where}", msg, kind)
        if frequency is not None and source != measure_rules.MANUAL:
            row.fail("measure_frequency", "only manual measures have one", "frequency")
        data = {
            "description": description,
            "target": target,
            "source": source,
            "params": normalised if normalised is not None else {},
            "update_frequency": frequency,
        }
        measure = row.build(MeasureDoc, data, _MEASURE_COLUMNS)
        if measure is not None:
            node.measures.append(measure)

    def _milestone(self, node: _Node, row: _Row, action: _ActionDraft | None) -> None:
        title = row.text("milestone", 2000)
        due = row.due("due")
        status = row.enum("milestone_status", MilestoneStatus)
        achieved_on = row.day("milestone_achieved_on")
        on_action = row.flag("milestone_action")
        if title is None:
            columns = [*list(_MILESTONE_COLUMNS.values())[1:], "milestone_action"]
            self._orphans(row, columns, "a milestone")
            return
        data = {
            "title": title,
            "due": due,
            "status": status or MilestoneStatus.pending,
            "achieved_on": achieved_on,
        }
        where = {**_MILESTONE_COLUMNS, "": "milestone_achieved_on"}
        milestone = row.build(MilestoneDoc, data, where)
        if on_action and action is None:
            row.fail("milestone_action", "needs an action in the same row", "orphan")
        elif milestone is not None:
            (action.milestones if on_action and action else node.milestones).append(milestone)

    # the tree

    def _resolve(self) -> dict[str | None, list[_Node]]:
        children: dict[str | None, list[_Node]] = {}
        for node in self.nodes.values():
            parent = node.parent
            key: str | None = None
            if parent is not None:
                if parent.value == node.code:
                    self._fail(parent, "an objective cannot be its own parent", "cycle")
                elif parent.value not in self.nodes:
                    self._fail(parent, f"unknown parent_code {parent.value!r}", "unknown_parent")
                else:
                    key = parent.value
            children.setdefault(key, []).append(node)
        # every node must reach the top without a loop
        for node in self.nodes.values():
            seen, current, depth = {node.code}, node, 0
            while (
                current.parent is not None
                and current.parent.value in self.nodes
                and current.parent.value != current.code
            ):
                current = self.nodes[current.parent.value]
                depth += 1
                if current.code in seen:
                    if current is node:
                        assert node.parent is not None
                        self._fail(node.parent, "objectives are placed under each other", "cycle")
                    break
                seen.add(current.code)
                if depth >= MAX_DEPTH:
                    self._fail(node.parent, f"nested more than {MAX_DEPTH} deep", "depth")
                    break
        return children

    def _fail(self, where: _Value | None, msg: str, kind: str) -> None:
        if where is not None:
            self.problems.append(_problem(["file", "row", where.row, where.column], msg, kind))

    def _kinds(self, children: dict[str | None, list[_Node]]) -> None:
        """Blank kinds: aspiration when named as one, else the parent's (below an objective or
        outcome), else objective. Top-down, so parents are settled first."""
        stack: list[tuple[_Node, _Node | None]] = [(n, None) for n in children.get(None, [])]
        while stack:
            node, parent = stack.pop()
            given = node.values.get("kind")
            if given is not None:
                node.kind = given.value
                ref = node.aspiration_ref
                if ref is not None and node.kind is not ObjectiveKind.aspiration:
                    self._fail(
                        ref, f"{node.code} is of kind {node.kind.value}, not an aspiration", "kind"
                    )
            elif node.aspiration_ref is not None:
                node.kind = ObjectiveKind.aspiration
            elif parent is not None and parent.kind is not ObjectiveKind.aspiration:
                node.kind = parent.kind
            stack.extend((child, node) for child in children.get(node.code, []))

    def finish(self) -> dict[str | None, list[_Node]]:
        """Place every objective and settle its kind; check that each has a title."""
        children = self._resolve()
        self._kinds(children)
        for node in self.nodes.values():
            if "title" not in node.values:
                where = _Value(None, node.row, node.column)
                self._fail(where, f"no title for objective {node.code}", "missing")
        return children

    def document(
        self, head: dict[str, Any], children: dict[str | None, list[_Node]]
    ) -> PlanDocument | None:
        by_path: dict[tuple[str | int, ...], _Node] = {}

        def build(node: _Node, path: tuple[str | int, ...]) -> dict[str, Any]:
            by_path[path] = node
            values = {name: v.value for name, v in node.values.items()}
            return {
                **values,
                "code": node.code,
                "kind": node.kind,
                "actions": [
                    {
                        **{name: v.value for name, v in a.values.items()},
                        "milestones": a.milestones,
                    }
                    for a in node.actions
                ],
                "measures": node.measures,
                "milestones": node.milestones,
                "children": [
                    build(child, (*path, "children", i))
                    for i, child in enumerate(children.get(node.code, []))
                ],
            }

        tops = [build(n, ("objectives", i)) for i, n in enumerate(children.get(None, []))]
        try:
            return PlanDocument.model_validate({**head, "objectives": tops})
        except ValidationError as exc:
            for issue in _pydantic_problems(exc, []):
                self.problems.append(self._locate(issue, by_path))
            return None

    def _locate(
        self, issue: dict[str, Any], by_path: dict[tuple[str | int, ...], _Node]
    ) -> dict[str, Any]:
        loc = tuple(issue["loc"])
        for cut in range(len(loc), 0, -1):
            node = by_path.get(loc[:cut])
            if node is not None:
                rest = loc[cut:]
                column = _OBJECTIVE_COLUMNS.get(str(rest[0]), "objective") if rest else "objective"
                if rest and rest[0] in ("actions", "measures", "milestones"):
                    column = {"actions": "action", "measures": "measure"}.get(
                        str(rest[0]), "milestone"
                    )
                return _problem(["file", "row", node.row, column], issue["msg"], issue["type"])
        return _problem(["file"], issue["msg"], issue["type"])


_ASPIRATION_ONLY = {"aspiration", "aspiration_code"}


def _row_of(problem: dict[str, Any]) -> int:
    loc = problem["loc"]
    return int(loc[2]) if len(loc) > 2 and loc[1] == "row" else 0


def _head(
    title: str, period_start: date, period_end: date, aim: str | None, status: PlanStatus
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    head = {
        "title": title,
        "aim": aim,
        "period_start": period_start,
        "period_end": period_end,
        "status": status,
    }
    found = []
    if period_end < period_start:
        found.append(_problem(["body", "period_end"], "before period_start", "period"))
    try:
        PlanDocument.model_validate({**head, "period_end": max(period_start, period_end)})
    except ValidationError as exc:
        found += [{**p, "loc": ["body", *p["loc"]]} for p in _pydantic_problems(exc, [])]
    return head, found


def _read_table(
    header: list[str],
    rows: list[tuple[int, list[str]]],
    *,
    head: dict[str, Any],
    problems: list[dict[str, Any]],
) -> PlanDocument:
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        key = re.sub(r"[\s-]+", "_", name.strip().lower())
        if not key:
            continue
        if key not in COLUMNS:
            problems.append(
                _problem(
                    ["file", "row", 1, name],
                    f"unknown column {name!r}; the columns are: {', '.join(COLUMNS)}",
                    "unknown_column",
                )
            )
        elif key in index:
            problems.append(_problem(["file", "row", 1, name], "a second such column", "duplicate"))
        else:
            index[key] = i
    missing = [c for c in REQUIRED_COLUMNS if c not in index]
    if missing:
        problems.append(
            _problem(["file"], f"missing required columns: {', '.join(missing)}", "columns")
        )
        raise _refuse(problems)
    unnamed = [i for i, name in enumerate(header) if not name.strip()]
    reader = _TableReader()
    table: list[_Row] = []
    for number, values in rows:
        cells = {name: values[i].strip() if i < len(values) else "" for name, i in index.items()}
        if any(i < len(values) and values[i].strip() for i in unnamed):
            problems.append(_problem(["file", "row", number], "a value under no header", "header"))
        if any(cells.values()):
            table.append(_Row(number, cells, reader.problems))
    for row in table:
        reader.used_codes.update(
            row.cells[c] for c in ("objective_code", "aspiration_code", "parent_code") if c in index
        )
    for row in table:
        reader.read(row)
    children = reader.finish()
    problems.extend(sorted(reader.problems, key=_row_of))
    if problems:
        raise _refuse(problems)
    doc = reader.document(head, children)
    if doc is None:
        raise _refuse(reader.problems)
    errors = document_errors(doc)
    if errors:
        raise _refuse(errors)
    return doc


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
    head, problems = _head(title, period_start, period_end, aim, status)
    if raw.startswith(b"PK\x03\x04"):
        raise _refuse([*problems, _problem(["file"], "an XLSX workbook, not CSV", "file_type")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(
            [*problems, _problem(["file"], "not UTF-8 text; save the CSV as UTF-8", "encoding")]
        ) from None
    if "\x00" in text:
        raise _refuse([*problems, _problem(["file"], "not a text file", "file_type")])
    first = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first.count)
    records = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    bounds = TableBounds(caps, "CSV file")
    try:
        header = next(records, None)
        if header is None:
            raise _refuse([*problems, _problem(["file"], "the file is empty", "empty")])
        header = bounds.row(header)
        for number, record in enumerate(records, start=2):
            rows.append((number, [_unescape_cell(v) for v in bounds.row(record)]))
    except csv.Error as exc:
        raise _refuse([*problems, _problem(["file"], f"not valid CSV: {exc}", "csv")]) from None
    return _read_table(header, rows, head=head, problems=problems)


def _format_number(value: float) -> str:
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
        "measure_target": _format_number(target.value) if target else "",
        "measure_unit": (target.unit or "") if target else "",
        "measure_period": target.period.value if target else "",
        "measure_source": measure.source,
        "measure_params": json.dumps(measure.params, sort_keys=True) if measure.params else "",
        "measure_frequency": measure.update_frequency.value if measure.update_frequency else "",
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
        return _format_number(value) if math.isfinite(value) else str(value)
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
    head, problems = _head(title, period_start, period_end, aim, status)
    not_xlsx = _problem(["file"], "not an XLSX workbook", "file_type")
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception:
        raise _refuse([*problems, not_xlsx]) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise _refuse([*problems, _problem(["file"], "the workbook has no sheet", "empty")])
        lines = sheet.iter_rows(max_col=caps.columns)
        first = next(lines, None)
        if first is None:
            raise _refuse([*problems, _problem(["file"], "the sheet is empty", "empty")])
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
    return _read_table(header, rows, head=head, problems=problems)


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


# --- Markdown -----------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_block(text: str) -> str:
    return "\n".join(_md(line.rstrip()) for line in text.strip().splitlines())


def _md_due(due: str | None) -> str:
    if due is None:
        return ""
    day, precision = parse_due(due)
    return f"{day:%B %Y}" if precision == "month" else f"{day.day} {day:%B %Y}"


def _md_target(target: Target) -> str:
    words = {"at_least": "at least", "at_most": "at most", "exactly": "exactly"}
    text = f"{words[target.comparator.value]} {_format_number(target.value)}"
    if target.unit:
        text += f" {_md(target.unit)}"
    if target.period is TargetPeriod.per_annum:
        text += " per year"
    elif target.period is TargetPeriod.per_group:
        text += " per group"
    return text


def _md_milestone(milestone: MilestoneDoc) -> str:
    parts = [_md(milestone.title)]
    if milestone.due:
        parts.append(f"due {_md_due(milestone.due)}")
    if milestone.status is not MilestoneStatus.pending:
        achieved = f" {milestone.achieved_on.isoformat()}" if milestone.achieved_on else ""
        parts.append(f"*{milestone.status.value}{achieved}*")
    return " — ".join(parts)


def to_markdown(doc: PlanDocument) -> str:
    """A readable plan: a heading per aspiration and objective, lists of actions, measures
    (with targets) and milestones (with due dates), responsible group and role of partners."""
    out = [f"# {_md(doc.title)}", ""]
    period = f"{doc.period_start.isoformat()} to {doc.period_end.isoformat()}"
    out += [f"*{period} · {doc.status.value}*", ""]
    if doc.aim:
        out += ["**Aim:** " + _md_block(doc.aim), ""]
    for _, depth, node in walk(doc):
        level = "#" * min(depth + 2, 6)
        out += [f"{level} {node.kind.value.title()} {_md(node.code)}: {_md(node.title)}", ""]
        if node.description:
            out += [_md_block(node.description), ""]
        if node.responsible_group:
            out += [f"**Responsible group:** {_md(node.responsible_group)}", ""]
        if node.workstreams:
            out += [f"**Workstreams:** {_md(', '.join(node.workstreams))}", ""]
        if node.actions:
            out += ["**Actions**", ""]
            for action in node.actions:
                notes = []
                if action.status is not ActionStatus.planned:
                    notes.append(action.status.value.replace("_", " "))
                if action.owner_text:
                    notes.append(f"owner: {_md(action.owner_text)}")
                if action.start_on:
                    notes.append(f"from {action.start_on.isoformat()}")
                if action.due_on:
                    notes.append(f"due {action.due_on.isoformat()}")
                extra = f" ({'; '.join(notes)})" if notes else ""
                out.append(f"- {_md(action.description)}{extra}")
                out += [f"  - Milestone: {_md_milestone(m)}" for m in action.milestones]
            out.append("")
        if node.measures:
            out += ["**Measures of success**", ""]
            for measure in node.measures:
                line = f"- {_md(measure.description)}"
                if measure.target:
                    line += f" — target: {_md_target(measure.target)}"
                if measure.source != measure_rules.MANUAL:
                    line += f" (from live data: {_md(measure.source)})"
                out.append(line)
            out.append("")
        if node.milestones:
            out += ["**Milestones**", ""]
            out += [f"- {_md_milestone(m)}" for m in node.milestones]
            out.append("")
        if node.role_of_partners:
            out += ["**Role of partners:**", "", _md_block(node.role_of_partners), ""]
    return "\n".join(out).rstrip() + "\n"


# --- to and from the database -------------------------------------------------------------


class PartnerRoles(Protocol):
    """Partners' roles in objectives, held elsewhere (the partnerships package registers it).

    In a document they travel in the "Role of Partners" text, one ``<partner name>: <role>``
    line per commitment after the free text; import turns such lines back into commitments
    when the name is one of the network's partnerships, and keeps every other line as text."""

    async def partner_names(self, session: AsyncSession, network_id: int) -> dict[str, int]:
        """Partner name (case-folded) → partnership id, for the network's live partnerships."""
        ...

    async def objective_roles(
        self, session: AsyncSession, plan_id: int
    ) -> dict[int, list[tuple[str, str]]]:
        """Objective id → (partner name, role) of the commitments on the plan's objectives."""
        ...

    async def add_objective_roles(
        self, session: AsyncSession, roles: list[tuple[int, int, str]]
    ) -> None:
        """Write (partnership id, objective id, role) commitments."""
        ...


_partner_roles: PartnerRoles | None = None


def register_partner_roles(impl: PartnerRoles) -> None:
    global _partner_roles
    _partner_roles = impl


def _role_line(name: str, role: str) -> str:
    return f"{name}: {' '.join(role.split())}"


def with_partner_roles(text: str | None, roles: list[tuple[str, str]]) -> str | None:
    """The "Role of Partners" text of an export: the free text, then a line per commitment."""
    lines = [text] if text else []
    lines += [_role_line(name, role) for name, role in roles]
    return "\n".join(lines) or None


def split_partner_roles(
    text: str | None, partners: dict[str, int]
) -> tuple[str | None, list[tuple[int, str]]]:
    """Lines naming a known partner (``<name>: <role>``) become (partnership id, role); the
    other lines stay as free text. The longest matching name wins."""
    if not text or not partners:
        return text, []
    names = sorted(partners, key=len, reverse=True)
    kept: list[str] = []
    found: list[tuple[int, str]] = []
    for line in text.split("\n"):
        folded = line.casefold()
        name = next((n for n in names if folded.startswith(n + ":")), None)
        role = line[len(name) + 1 :].strip() if name is not None else ""
        if name is not None and role:
            found.append((partners[name], role))
        else:
            kept.append(line)
    return "\n".join(kept).strip("\n") or None, found


async def create_from_document(
    session: AsyncSession, principal: Principal, network: Network, doc: PlanDocument
) -> Plan:
    """Write the plan and everything in it in the caller's transaction (no commit), after
    checking all of it; one audit event (``import``) records the plan and the counts."""
    authorize(principal, Permission.plan_write, network)
    errors = document_errors(doc)
    if errors:
        raise _refuse(errors)
    assert network.id is not None
    partners = await _partner_roles.partner_names(session, network.id) if _partner_roles else {}
    plan = Plan(
        network_id=network.id,
        title=doc.title,
        aim=doc.aim,
        period_start=doc.period_start,
        period_end=doc.period_end,
        status=doc.status.value,
    )
    session.add(plan)
    await session.flush()
    assert plan.id is not None
    plan_id = plan.id

    placed: list[tuple[ObjectiveDoc, Objective]] = []
    roles: list[tuple[Objective, list[tuple[int, str]]]] = []
    level: list[tuple[ObjectiveDoc, int | None, int]] = [
        (o, None, i) for i, o in enumerate(doc.objectives)
    ]
    while level:
        rows = []
        for o, parent_id, position in level:
            text, linked = split_partner_roles(o.role_of_partners, partners)
            row = Objective(
                plan_id=plan_id,
                parent_id=parent_id,
                code=o.code,
                kind=o.kind.value,
                title=o.title,
                description=o.description,
                position=position,
                workstreams=list(o.workstreams),
                responsible_group=o.responsible_group,
                role_of_partners=text,
            )
            rows.append(row)
            if linked:
                roles.append((row, linked))
        session.add_all(rows)
        await session.flush()
        placed.extend(zip([o for o, _, _ in level], rows, strict=True))
        level = [
            (child, row.id, i)
            for (o, _, _), row in zip(level, rows, strict=True)
            for i, child in enumerate(o.children)
        ]

    actions = [
        (
            a,
            Action(
                plan_id=plan_id,
                objective_id=objective.id,
                description=a.description,
                status=a.status.value,
                owner_text=a.owner_text,
                start_on=a.start_on,
                due_on=a.due_on,
                position=i,
            ),
        )
        for o, objective in placed
        if objective.id is not None
        for i, a in enumerate(o.actions)
    ]
    session.add_all([action for _, action in actions])
    await session.flush()

    # Nothing refers to these rows, so they go in as bulk inserts of plain values (one batched
    # statement per table; flushing objects would cost a statement per row on SQLite).
    now = utcnow()
    changes: list[dict[str, Any]] = []
    measures: list[dict[str, Any]] = []
    milestones: list[dict[str, Any]] = []
    for a, action in actions:
        assert action.id is not None
        changes.append(
            {
                "action_id": action.id,
                "from_status": None,
                "to_status": action.status,
                "note": None,
                "changed_at": now,
                "changed_by_kind": principal.actor_kind,
                "changed_by_id": principal.actor_id,
            }
        )
        milestones.extend(
            _milestone_values(m, plan_id, action.objective_id, action.id, i, now)
            for i, m in enumerate(a.milestones)
        )
    for o, objective in placed:
        assert objective.id is not None
        measures.extend(
            _measure_values(m, plan_id, objective.id, i, now) for i, m in enumerate(o.measures)
        )
        milestones.extend(
            _milestone_values(m, plan_id, objective.id, None, i, now)
            for i, m in enumerate(o.milestones)
        )
    leaves: list[tuple[Any, list[dict[str, Any]]]] = [
        (ActionStatusChange, changes),
        (Measure, measures),
        (Milestone, milestones),
    ]
    for model, values in leaves:
        if values:
            await session.execute(insert(model), values)
    commitments = [
        (partnership_id, objective.id, role)
        for objective, linked in roles
        if objective.id is not None
        for partnership_id, role in linked
    ]
    if commitments and _partner_roles is not None:
        await _partner_roles.add_objective_roles(session, commitments)
    await audit.record(
        session,
        principal,
        action="import",
        obj=plan,
        network_id=network.id,
        after={
            **audit.snapshot(plan),
            "imported": {**counts(doc), "partner_commitments": len(commitments)},
        },
    )
    return plan


def _record_values(now: datetime) -> dict[str, Any]:
    return {"version": 1, "created_at": now, "updated_at": now, "deleted_at": None}


def _measure_values(
    measure: MeasureDoc, plan_id: int, objective_id: int, position: int, now: datetime
) -> dict[str, Any]:
    target = measure.target
    return {
        **_record_values(now),
        "plan_id": plan_id,
        "objective_id": objective_id,
        "description": measure.description,
        "kind": (
            MeasureKind(measure.kind)
            if measure.kind
            else measure_rules.default_kind(target is not None, measure.source)
        ).value,
        "target_comparator": target.comparator.value if target else None,
        "target_value": target.value if target else None,
        "target_unit": target.unit if target else None,
        "target_period": target.period.value if target else None,
        "source": measure.source,
        "source_params": measure_rules.validate_source(measure.source, measure.params),
        "update_frequency": (measure.update_frequency.value if measure.update_frequency else None),
        "position": position,
    }


def _milestone_values(
    milestone: MilestoneDoc,
    plan_id: int,
    objective_id: int,
    action_id: int | None,
    position: int,
    now: datetime,
) -> dict[str, Any]:
    due_on, precision = parse_due(milestone.due) if milestone.due else (None, "day")
    achieved_on = milestone.achieved_on
    if milestone.status is MilestoneStatus.achieved and achieved_on is None:
        achieved_on = now.date()
    return {
        **_record_values(now),
        "plan_id": plan_id,
        "objective_id": objective_id,
        "action_id": action_id,
        "title": milestone.title,
        "due_on": due_on,
        "due_precision": precision,
        "status": milestone.status.value,
        "achieved_on": achieved_on,
        "position": position,
    }


async def load_document(session: AsyncSession, plan: Plan) -> PlanDocument:
    """The plan's live contents as a document, in five queries (four levels, and the partners'
    roles), each level ordered by position then id."""

    async def live(model: Any) -> list[Any]:
        stmt = (
            select(model)
            .where(col(model.plan_id) == plan.id, col(model.deleted_at).is_(None))
            .order_by(col(model.position), col(model.id))
        )
        return list((await session.scalars(stmt)).all())

    objectives: list[Objective] = await live(Objective)
    actions: list[Action] = await live(Action)
    measures: list[Measure] = await live(Measure)
    milestones: list[Milestone] = await live(Milestone)
    assert plan.id is not None
    partner_roles = await _partner_roles.objective_roles(session, plan.id) if _partner_roles else {}

    children: dict[int | None, list[Objective]] = {}
    for o in objectives:
        children.setdefault(o.parent_id, []).append(o)
    actions_of: dict[int, list[Action]] = {}
    for a in actions:
        actions_of.setdefault(a.objective_id, []).append(a)
    measures_of: dict[int, list[Measure]] = {}
    for m in measures:
        measures_of.setdefault(m.objective_id, []).append(m)
    on_objective: dict[int, list[Milestone]] = {}
    on_action: dict[int, list[Milestone]] = {}
    for s in milestones:
        if s.action_id is None:
            on_objective.setdefault(s.objective_id, []).append(s)
        else:
            on_action.setdefault(s.action_id, []).append(s)

    def milestone(s: Milestone) -> dict[str, Any]:
        return {
            "title": s.title,
            "due": format_due(s.due_on, s.due_precision),
            "status": s.status,
            "achieved_on": s.achieved_on,
        }

    def measure(m: Measure) -> dict[str, Any]:
        target = None
        if m.target_comparator is not None and m.target_value is not None:
            target = {
                "comparator": m.target_comparator,
                "value": m.target_value,
                "unit": m.target_unit,
                "period": m.target_period or TargetPeriod.total.value,
            }
        return {
            "description": m.description,
            "target": target,
            "source": m.source,
            "params": m.source_params or {},
            "update_frequency": m.update_frequency,
            # Written only when it is not what import would choose anyway.
            "kind": None
            if m.kind == measure_rules.default_kind(target is not None, m.source)
            else m.kind,
        }

    def action(a: Action) -> dict[str, Any]:
        assert a.id is not None
        return {
            "description": a.description,
            "status": a.status,
            "start_on": a.start_on,
            "due_on": a.due_on,
            "owner_text": a.owner_text,
            "milestones": [milestone(s) for s in on_action.get(a.id, [])],
        }

    seen: set[int] = set()

    def node(o: Objective) -> dict[str, Any]:
        assert o.id is not None
        seen.add(o.id)
        return {
            "code": o.code,
            "kind": o.kind,
            "title": o.title,
            "description": o.description,
            "workstreams": list(o.workstreams or []),
            "responsible_group": o.responsible_group,
            "role_of_partners": with_partner_roles(o.role_of_partners, partner_roles.get(o.id, [])),
            "actions": [action(a) for a in actions_of.get(o.id, [])],
            "measures": [measure(m) for m in measures_of.get(o.id, [])],
            "milestones": [milestone(s) for s in on_objective.get(o.id, [])],
            "children": [node(c) for c in children.get(o.id, []) if c.id not in seen],
        }

    data = {
        "title": plan.title,
        "aim": plan.aim,
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "status": plan.status,
        "objectives": [node(o) for o in children.get(None, [])],
    }
    try:
        return PlanDocument.model_validate(data)
    except ValidationError as exc:
        raise Unprocessable(
            f"plan {plan.id} does not fit the export format",
            errors=_pydantic_problems(exc, ["plan"]),
        ) from None
