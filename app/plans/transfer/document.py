"""The plan document: ``PlanDocument`` (the JSON format), its limits, its problems.

Every importer validates the whole file before anything is written and reports every problem
at once, naming the row and column.
"""

from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from app.core.errors import Unprocessable
from app.core.schemas import Day, ShortText, Title, refuse_control_characters
from app.core.schemas import Statement as LongTitle
from app.core.uploads import (
    DEFAULT_CAPS,
    UploadCaps,
    check_json,
)
from app.plans import measures as measure_rules
from app.plans.schemas import (
    ActionStatus,
    Code,
    DueText,
    Frequency,
    MeasureKind,
    MilestoneStatus,
    ObjectiveKind,
    PlanStatus,
    Target,
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


def make_problem(loc: list[str | int], msg: str, kind: str) -> dict[str, Any]:
    return {"loc": loc, "msg": msg, "type": kind}


def refuse(errors: list[dict[str, Any]]) -> Unprocessable:
    n = len(errors)
    shown = errors[:MAX_ERRORS]
    if n > MAX_ERRORS:
        shown.append(make_problem(["file"], f"{n - MAX_ERRORS} more problems not listed", "more"))
    return Unprocessable(
        f"the file has {n} problem{'s' if n != 1 else ''}; nothing was imported", errors=shown
    )


def pydantic_problems(exc: ValidationError, prefix: list[str | int]) -> list[dict[str, Any]]:
    found = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = [*prefix, *err["loc"]]
        msg = str(err["msg"]).removeprefix("Value error, ")
        kind = str(err["type"])
        if kind == "value_error" and loc and loc[-1] == "due":
            kind = "due_invalid"
        found.append(make_problem(loc, msg, kind))
    return found


def source_problems(
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
                make_problem(
                    ["file", *path, "code"],
                    f"code {node.code!r} is used twice (also at {where})",
                    "duplicate_code",
                )
            )
        else:
            seen[node.code] = path
        for i, measure in enumerate(node.measures):
            at: list[str | int] = ["file", *path, "measures", i]
            _, issues = source_problems(measure.source, measure.params)
            errors.extend(make_problem([*at, where], msg, kind) for where, msg, kind in issues)
            if measure.update_frequency and measure.source != measure_rules.MANUAL:
                errors.append(
                    make_problem(
                        [*at, "update_frequency"], "only manual measures have one", "frequency"
                    )
                )
            unit = measure.target.unit if measure.target else None
            if unit and len(unit) > MAX_UNIT_LENGTH:
                errors.append(
                    make_problem(
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
        raise refuse(pydantic_problems(exc, ["file"])) from None
    errors = document_errors(doc)
    if errors:
        raise refuse(errors)
    return doc


def to_json(doc: PlanDocument) -> bytes:
    return doc.model_dump_json(indent=2).encode() + b"\n"
