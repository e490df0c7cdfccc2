"""Reading the flat table (CSV and XLSX) into a plan document.

One line per action, measure or milestone, the objective's fields repeated, for people who
keep their plans in spreadsheets. Table rules (a header is a column's name or its title in
``COLUMN_TITLES``, case-insensitive, in any order):

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

from collections.abc import Sequence
from datetime import date
from typing import Any

from pydantic import (
    ValidationError,
)

from app.plans import measures as measure_rules
from app.plans.schemas import (
    ActionStatus,
    Comparator,
    Frequency,
    MeasureKind,
    MilestoneStatus,
    ObjectiveKind,
    PlanStatus,
    TargetPeriod,
)
from app.plans.transfer.cells import (
    ACTION_COLUMNS,
    COLUMNS,
    MEASURE_COLUMNS,
    MILESTONE_COLUMNS,
    OBJECTIVE_COLUMNS,
    REQUIRED_COLUMNS,
    TARGET_COLUMNS,
    ActionDraft,
    CellValue,
    NodeDraft,
    TableRow,
    column_key,
)
from app.plans.transfer.document import (
    MAX_DEPTH,
    MAX_UNIT_LENGTH,
    MeasureDoc,
    MilestoneDoc,
    PlanDocument,
    document_errors,
    make_problem,
    pydantic_problems,
    refuse,
    source_problems,
)


class _TableReader:
    """Turns table rows into a plan document, collecting every problem on the way."""

    def __init__(self) -> None:
        self.problems: list[dict[str, Any]] = []
        self.nodes: dict[str, NodeDraft] = {}
        self.aspirations_by_title: dict[str, str] = {}
        self.used_codes: set[str] = set()
        self.next_aspiration = 1

    # nodes

    def _node(self, code: str, row: TableRow, column: str) -> NodeDraft:
        node = self.nodes.get(code)
        if node is None:
            node = NodeDraft(code=code, row=row.number, column=column)
            self.nodes[code] = node
        return node

    def _set(
        self,
        target: dict[str, CellValue],
        name: str,
        value: Any,
        row: TableRow,
        column: str,
        what: str,
    ) -> None:
        if value is None:
            return
        old = target.get(name)
        if old is None:
            target[name] = CellValue(value, row.number, column)
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

    def _aspiration(self, row: TableRow) -> NodeDraft | None:
        title = row.text("aspiration", 2000)
        code = row.code("aspiration_code")
        if title is None and code is None:
            return None
        if code is None:
            assert title is not None
            code = self.aspirations_by_title.get(title) or self._auto_aspiration_code()
        node = self._node(code, row, "aspiration")
        if node.aspiration_ref is None:
            node.aspiration_ref = CellValue(code, row.number, "aspiration_code")
        self._set(node.values, "title", title, row, "aspiration", f"aspiration {code}")
        if title is not None:
            self.aspirations_by_title.setdefault(title, code)
        return node

    # one row

    def read(self, row: TableRow) -> None:
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
            node = NodeDraft(code=code, row=row.number, column="objective")
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
            parent = CellValue(parent_code, row.number, "parent_code")
        elif aspiration is not None and aspiration.code != code:
            parent = CellValue(aspiration.code, row.number, "aspiration")
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

    def _orphans(self, row: TableRow, columns: Sequence[str], owner: str) -> None:
        for column in columns:
            if row.has(column):
                row.fail(column, f"needs {owner} in the same row", "orphan")

    def _action(self, node: NodeDraft, row: TableRow) -> ActionDraft | None:
        description = row.text("action", 10_000)
        values = {
            "status": row.enum("action_status", ActionStatus),
            "owner_text": row.text("action_owner", 300),
            "start_on": row.day("action_start"),
            "due_on": row.day("action_due"),
        }
        if description is None:
            self._orphans(row, list(ACTION_COLUMNS.values())[1:], "an action")
            return None
        draft = next(
            (a for a in node.actions if a.values["description"].value == description), None
        )
        if draft is None:
            draft = ActionDraft({"description": CellValue(description, row.number, "action")})
            node.actions.append(draft)
        for name, value in values.items():
            self._set(draft.values, name, value, row, ACTION_COLUMNS[name], "this action")
        start, due = draft.values.get("start_on"), draft.values.get("due_on")
        if start and due and due.value < start.value:
            row.fail("action_due", "before action_start", "dates")
        return draft

    def _measure(self, node: NodeDraft, row: TableRow) -> None:
        description = row.text("measure", 10_000)
        comparator = row.enum("measure_comparator", Comparator)
        value = row.numeric("measure_target")
        unit = row.text("measure_unit", MAX_UNIT_LENGTH)
        period = row.enum("measure_period", TargetPeriod)
        source = row.text("measure_source", 40) or measure_rules.MANUAL
        params = row.params("measure_params")
        frequency = row.enum("measure_frequency", Frequency)
        measure_kind = row.enum("measure_kind", MeasureKind)
        if description is None:
            columns = [*TARGET_COLUMNS.values(), *list(MEASURE_COLUMNS.values())[2:]]
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
        normalised, issues = source_problems(source, params)
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
            "kind": measure_kind,
        }
        measure = row.build(MeasureDoc, data, MEASURE_COLUMNS)
        if measure is not None:
            node.measures.append(measure)

    def _milestone(self, node: NodeDraft, row: TableRow, action: ActionDraft | None) -> None:
        title = row.text("milestone", 2000)
        due = row.due("due")
        status = row.enum("milestone_status", MilestoneStatus)
        achieved_on = row.day("milestone_achieved_on")
        on_action = row.flag("milestone_action")
        if title is None:
            columns = [*list(MILESTONE_COLUMNS.values())[1:], "milestone_action"]
            self._orphans(row, columns, "a milestone")
            return
        data = {
            "title": title,
            "due": due,
            "status": status or MilestoneStatus.pending,
            "achieved_on": achieved_on,
        }
        where = {**MILESTONE_COLUMNS, "": "milestone_achieved_on"}
        milestone = row.build(MilestoneDoc, data, where)
        if on_action and action is None:
            row.fail("milestone_action", "needs an action in the same row", "orphan")
        elif milestone is not None:
            (action.milestones if on_action and action else node.milestones).append(milestone)

    # the tree

    def _resolve(self) -> dict[str | None, list[NodeDraft]]:
        children: dict[str | None, list[NodeDraft]] = {}
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

    def _fail(self, where: CellValue | None, msg: str, kind: str) -> None:
        if where is not None:
            self.problems.append(make_problem(["file", "row", where.row, where.column], msg, kind))

    def _kinds(self, children: dict[str | None, list[NodeDraft]]) -> None:
        """Blank kinds: aspiration when named as one, else the parent's (below an objective or
        outcome), else objective. Top-down, so parents are settled first."""
        stack: list[tuple[NodeDraft, NodeDraft | None]] = [
            (n, None) for n in children.get(None, [])
        ]
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

    def finish(self) -> dict[str | None, list[NodeDraft]]:
        """Place every objective and settle its kind; check that each has a title."""
        children = self._resolve()
        self._kinds(children)
        for node in self.nodes.values():
            if "title" not in node.values:
                where = CellValue(None, node.row, node.column)
                self._fail(where, f"no title for objective {node.code}", "missing")
        return children

    def document(
        self, head: dict[str, Any], children: dict[str | None, list[NodeDraft]]
    ) -> PlanDocument | None:
        by_path: dict[tuple[str | int, ...], NodeDraft] = {}

        def build(node: NodeDraft, path: tuple[str | int, ...]) -> dict[str, Any]:
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
            for issue in pydantic_problems(exc, []):
                self.problems.append(self._locate(issue, by_path))
            return None

    def _locate(
        self, issue: dict[str, Any], by_path: dict[tuple[str | int, ...], NodeDraft]
    ) -> dict[str, Any]:
        loc = tuple(issue["loc"])
        for cut in range(len(loc), 0, -1):
            node = by_path.get(loc[:cut])
            if node is not None:
                rest = loc[cut:]
                column = OBJECTIVE_COLUMNS.get(str(rest[0]), "objective") if rest else "objective"
                if rest and rest[0] in ("actions", "measures", "milestones"):
                    column = {"actions": "action", "measures": "measure"}.get(
                        str(rest[0]), "milestone"
                    )
                return make_problem(["file", "row", node.row, column], issue["msg"], issue["type"])
        return make_problem(["file"], issue["msg"], issue["type"])


_ASPIRATION_ONLY = {"aspiration", "aspiration_code"}


def _row_of(problem: dict[str, Any]) -> int:
    loc = problem["loc"]
    return int(loc[2]) if len(loc) > 2 and loc[1] == "row" else 0


def table_head(
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
        found.append(make_problem(["body", "period_end"], "before period_start", "period"))
    try:
        PlanDocument.model_validate({**head, "period_end": max(period_start, period_end)})
    except ValidationError as exc:
        found += [{**p, "loc": ["body", *p["loc"]]} for p in pydantic_problems(exc, [])]
    return head, found


def read_table(
    header: list[str],
    rows: list[tuple[int, list[str]]],
    *,
    head: dict[str, Any],
    problems: list[dict[str, Any]],
) -> PlanDocument:
    index: dict[str, int] = {}
    for i, name in enumerate(header):
        key = column_key(name)
        if not key:
            continue
        if key not in COLUMNS:
            problems.append(
                make_problem(
                    ["file", "row", 1, name],
                    f"unknown column {name!r}; the columns are: {', '.join(COLUMNS)}",
                    "unknown_column",
                )
            )
        elif key in index:
            problems.append(
                make_problem(["file", "row", 1, name], "a second such column", "duplicate")
            )
        else:
            index[key] = i
    missing = [c for c in REQUIRED_COLUMNS if c not in index]
    if missing:
        problems.append(
            make_problem(["file"], f"missing required columns: {', '.join(missing)}", "columns")
        )
        raise refuse(problems)
    unnamed = [i for i, name in enumerate(header) if not name.strip()]
    reader = _TableReader()
    table: list[TableRow] = []
    for number, values in rows:
        cells = {name: values[i].strip() if i < len(values) else "" for name, i in index.items()}
        if any(i < len(values) and values[i].strip() for i in unnamed):
            problems.append(
                make_problem(["file", "row", number], "a value under no header", "header")
            )
        if any(cells.values()):
            table.append(TableRow(number, cells, reader.problems))
    for row in table:
        reader.used_codes.update(
            row.cells[c] for c in ("objective_code", "aspiration_code", "parent_code") if c in index
        )
    for row in table:
        reader.read(row)
    children = reader.finish()
    problems.extend(sorted(reader.problems, key=_row_of))
    if problems:
        raise refuse(problems)
    doc = reader.document(head, children)
    if doc is None:
        raise refuse(reader.problems)
    errors = document_errors(doc)
    if errors:
        raise refuse(errors)
    return doc
