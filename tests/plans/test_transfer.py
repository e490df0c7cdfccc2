"""Plan import and export: JSON, CSV, XLSX and Markdown, through the service layer."""

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi import FastAPI
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.policy import Grant, Principal, Role
from app.core.audit import AuditEvent
from app.core.errors import Forbidden, Unprocessable
from app.networks.models import Network
from app.plans import measures as measure_rules
from app.plans import transfer
from app.plans.models import Action, ActionStatusChange, Measure, Milestone, Objective, Plan
from app.plans.schemas import ObjectiveKind, TargetPeriod
from app.plans.transfer.cells import COLUMN_TITLES, COLUMNS
from app.plans.transfer.document import PlanDocument
from tests.conftest import World

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NON_CSV = EXAMPLES / "non-action-plan-2021-22.csv"
CLN_JSON = EXAMPLES / "cln-outcome-planner-2019-20.json"
CLN_CSV = EXAMPLES / "cln-outcome-planner-2019-20.csv"
NON_TITLE = "Networks of Networks Action Plan 2021-22"
NON_PERIOD = {"period_start": date(2021, 9, 1), "period_end": date(2022, 8, 31)}


def non_doc() -> PlanDocument:
    return transfer.parse_csv(NON_CSV.read_bytes(), title=NON_TITLE, **NON_PERIOD)


def cln_doc() -> PlanDocument:
    return transfer.parse_json(CLN_JSON.read_bytes())


def stored_kinds(doc: PlanDocument) -> PlanDocument:
    """``doc`` as a stored plan exports it: a measure without a target says its kind (the
    default one where the document gave none), since a table import would infer it."""
    doc = doc.model_copy(deep=True)
    for _, _, node in transfer.walk(doc):
        for measure in node.measures:
            if measure.target is None and measure.kind is None:
                measure.kind = measure_rules.default_kind(False, measure.source)
    return doc


def table_kwargs(doc: PlanDocument) -> dict[str, Any]:
    return {
        "title": doc.title,
        "aim": doc.aim,
        "period_start": doc.period_start,
        "period_end": doc.period_end,
        "status": doc.status,
    }


def chair(world: World) -> Principal:
    return Principal(kind="user", id=world["chair"].id, grants=[Grant(world.network_a, Role.chair)])


async def network(session: AsyncSession, world: World) -> Network:
    found = await session.get(Network, world.network_a)
    assert found is not None
    return found


async def count(session: AsyncSession, model: Any, plan_id: int | None = None) -> int:
    stmt = select(func.count()).select_from(model)
    if plan_id is not None:
        stmt = stmt.where(col(model.plan_id) == plan_id)
    return int(await session.scalar(stmt) or 0)


async def import_doc(app: FastAPI, world: World, doc: PlanDocument) -> int:
    async with app.state.cohesion.db.transaction() as session:
        plan = await transfer.create_from_document(
            session, chair(world), await network(session, world), doc
        )
        assert plan.id is not None
        return plan.id


async def load(app: FastAPI, plan_id: int) -> PlanDocument:
    async with app.state.cohesion.db.transaction(write=False) as session:
        plan = await session.get(Plan, plan_id)
        assert plan is not None
        return await transfer.load_document(session, plan)


def problems(exc: pytest.ExceptionInfo[Unprocessable]) -> list[tuple[Any, ...]]:
    assert exc.value.errors is not None
    return [(*e["loc"], e["type"]) for e in exc.value.errors]


# --- the examples -------------------------------------------------------------------------


def test_examples_hold_the_seed_plans() -> None:
    non, cln = non_doc(), cln_doc()
    assert transfer.counts(non) == {
        "aspirations": 4,
        "objectives": 12,
        "actions": 14,
        "measures": 23,
        "milestones": 0,
    }
    assert [o.code for o in non.objectives] == ["A1", "A2", "A3", "A4"]
    assert [[c.code for c in a.children] for a in non.objectives] == [
        ["1", "2"],
        ["3", "4"],
        ["5", "6"],
        ["7", "8"],
    ]
    first = non.objectives[0].children[0]
    assert first.responsible_group == "Network of Networks Steering Committee."
    networks = first.measures[0]
    assert networks.source == "child_networks"
    assert networks.target is not None and networks.target.value == 5
    mobilities = non.objectives[2].children[1].measures[0]
    assert mobilities.target is not None
    assert (mobilities.target.value, mobilities.target.period, mobilities.target.unit) == (
        25,
        TargetPeriod.per_annum,
        "staff mobilities",
    )
    per_group = non.objectives[2].children[0].measures[1]
    assert per_group.target is not None and per_group.target.period is TargetPeriod.per_group

    assert transfer.counts(cln) == {
        "aspirations": 0,
        "objectives": 7,
        "actions": 18,
        "measures": 0,
        "milestones": 29,
    }
    assert [o.code for o in cln.objectives] == ["1", "2", "3"]
    assert [c.code for c in cln.objectives[1].children] == ["2a", "2b", "2c", "2d"]
    assert all(n.kind is ObjectiveKind.outcome for _, _, n in transfer.walk(cln))
    # Every outcome is a CLN one; the colour key's other workstreams tag them too (seed 004).
    assert all(n.workstreams[0] == "CLN" for _, _, n in transfer.walk(cln))
    assert {w for _, _, n in transfer.walk(cln) for w in n.workstreams} == {
        "CLN",
        "CLPL",
        "Evaluating and Reporting",
        "Leadership",
        "Systems Improvement",
    }
    two_b = cln.objectives[1].children[1]
    assert [(m.title, m.due) for m in two_b.milestones[:3]] == [
        ("Identify local authorities", "2019-10"),
        ("Professional learning programme agreed with local authority strategic leads", "2019-12"),
        (
            "Professional learning programme implemented December 2019-June 2020 "
            "(including Feb 2020 Inservice)",
            "2020-06",
        ),
    ]
    assert two_b.milestones[3].due is None


def test_committed_cln_csv_is_the_export_of_the_json() -> None:
    doc = cln_doc()
    assert CLN_CSV.read_bytes() == transfer.to_csv(doc)
    assert transfer.parse_csv(CLN_CSV.read_bytes(), **table_kwargs(doc)) == doc


@pytest.mark.parametrize("example", ["non", "cln-json", "cln-csv"])
async def test_examples_import_with_their_counts(app: FastAPI, world: World, example: str) -> None:
    if example == "non":
        doc = non_doc()
    elif example == "cln-json":
        doc = cln_doc()
    else:
        doc = transfer.parse_csv(CLN_CSV.read_bytes(), **table_kwargs(cln_doc()))
    plan_id = await import_doc(app, world, doc)
    expected = transfer.counts(doc)
    async with app.state.cohesion.db.transaction(write=False) as session:
        assert await count(session, Objective, plan_id) == expected["objectives"]
        aspirations = await session.scalar(
            select(func.count())
            .select_from(Objective)
            .where(col(Objective.plan_id) == plan_id, col(Objective.kind) == "aspiration")
        )
        assert aspirations == expected["aspirations"]
        assert await count(session, Action, plan_id) == expected["actions"]
        assert await count(session, Measure, plan_id) == expected["measures"]
        assert await count(session, Milestone, plan_id) == expected["milestones"]
        assert await count(session, ActionStatusChange) == expected["actions"]
        events = (
            await session.scalars(select(AuditEvent).where(col(AuditEvent.action) == "import"))
        ).all()
        assert len(events) == 1
        assert events[0].object_type == "plans" and events[0].object_id == plan_id
        assert events[0].network_id == world.network_a
        assert events[0].after is not None
        assert events[0].after["imported"] == {**expected, "partner_commitments": 0}
        per_row = await session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(col(AuditEvent.object_type).in_(["objectives", "actions", "measures"]))
        )
        assert per_row == 0
        month = await session.scalar(
            select(Milestone).where(
                col(Milestone.plan_id) == plan_id,
                col(Milestone.title) == "Identify local authorities",
            )
        )
        if example != "non":
            assert month is not None
            assert (month.due_on, month.due_precision) == (date(2019, 10, 31), "month")
    assert await load(app, plan_id) == stored_kinds(doc)


@contextmanager
def statements(app: FastAPI) -> Iterator[list[str]]:
    seen: list[str] = []

    def listener(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    engine = app.state.cohesion.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


async def test_load_document_takes_five_queries_and_skips_deleted_rows(
    app: FastAPI, world: World
) -> None:
    plan_id = await import_doc(app, world, cln_doc())
    async with app.state.cohesion.db.transaction() as session:
        plan = await session.get(Plan, plan_id)
        assert plan is not None
        with statements(app) as seen:
            before = await transfer.load_document(session, plan)
        # Four levels, and the partners' roles.
        assert len([s for s in seen if s.lstrip().upper().startswith("SELECT")]) == 5
        action = await session.scalar(
            select(Action).where(col(Action.plan_id) == plan_id).order_by(col(Action.id))
        )
        assert action is not None
        action.deleted_at = datetime(2020, 1, 1)
        session.add(action)
        await session.flush()
        after = await transfer.load_document(session, plan)
    assert len(after.objectives[0].actions) == len(before.objectives[0].actions) - 1


# --- round trips --------------------------------------------------------------------------


@pytest.mark.parametrize("example", ["non", "cln"])
async def test_export_import_round_trips(app: FastAPI, world: World, example: str) -> None:
    plan_id = await import_doc(app, world, non_doc() if example == "non" else cln_doc())
    doc = await load(app, plan_id)
    kwargs = table_kwargs(doc)
    again = {
        "json": transfer.parse_json(transfer.to_json(doc)),
        "csv": transfer.parse_csv(transfer.to_csv(doc), **kwargs),
        "xlsx": transfer.parse_xlsx(transfer.to_xlsx(doc), **kwargs),
    }
    for fmt, parsed in again.items():
        assert parsed == doc, fmt
    # and through the database once more
    assert await load(app, await import_doc(app, world, again["xlsx"])) == doc


def test_table_round_trip_keeps_every_field() -> None:
    doc = PlanDocument.model_validate(
        {
            "title": "Everything",
            "aim": "All fields",
            "period_start": "2021-09-01",
            "period_end": "2022-08-31",
            "status": "active",
            "objectives": [
                {
                    "code": "P",
                    "kind": "aspiration",
                    "title": "A bare aspiration",
                    "children": [{"code": "1", "title": "Under the aspiration"}],
                },
                {
                    "code": "A1",
                    "kind": "aspiration",
                    "title": "An aspiration with its own actions",
                    "description": "=1+1 is not a formula\nand two lines",
                    "actions": [{"description": "-starts like a formula"}],
                    "children": [
                        {
                            "code": "1.1",
                            "kind": "outcome",
                            "title": "An outcome",
                            "workstreams": ["CLN", "Curriculum"],
                            "responsible_group": "'quoted group",
                            "role_of_partners": "- partner one\n- partner two",
                            "actions": [
                                {
                                    "description": "Act",
                                    "status": "in_progress",
                                    "start_on": "2021-10-01",
                                    "due_on": "2022-01-31",
                                    "owner_text": "@someone",
                                    "milestones": [
                                        {"title": "First", "due": "October 2021"},
                                        {
                                            "title": "Second",
                                            "due": "2021-11-15",
                                            "status": "achieved",
                                            "achieved_on": "2021-11-10",
                                        },
                                    ],
                                },
                                {"description": "Act again"},
                            ],
                            "measures": [
                                {
                                    "description": "Counted",
                                    "target": {
                                        "comparator": "at_most",
                                        "value": 2.5,
                                        "unit": "days",
                                        "period": "per_annum",
                                    },
                                    "update_frequency": "termly",
                                },
                                {
                                    "description": "Derived",
                                    "target": {"comparator": "exactly", "value": 3},
                                    "source": "child_networks",
                                    "params": {"kind": "regional"},
                                },
                            ],
                            "milestones": [{"title": "Missed", "status": "missed"}],
                            "children": [{"code": "1.1.1", "title": "Deeper", "kind": "outcome"}],
                        }
                    ],
                },
                {"code": "Z", "title": "Alone"},
            ],
        }
    )
    kwargs = table_kwargs(doc)
    assert transfer.parse_csv(transfer.to_csv(doc), **kwargs) == doc
    assert transfer.parse_xlsx(transfer.to_xlsx(doc), **kwargs) == doc
    assert transfer.parse_json(transfer.to_json(doc)) == doc
    assert doc.objectives[1].children[0].actions[0].milestones[0].due == "2021-10"
    assert b"'=1+1" in transfer.to_csv(doc)
    sheet = openpyxl.load_workbook(io.BytesIO(transfer.to_xlsx(doc))).worksheets[0]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def _headed(raw: bytes, header: list[str]) -> bytes:
    """The workbook ``raw`` with ``header`` written over its first row."""
    workbook = openpyxl.load_workbook(io.BytesIO(raw))
    for number, name in enumerate(header, start=1):
        workbook.worksheets[0].cell(1, number).value = name
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_export_workbook_has_a_titled_bold_frozen_header_and_sized_columns() -> None:
    doc = cln_doc()
    sheet = openpyxl.load_workbook(io.BytesIO(transfer.to_xlsx(doc))).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header == [COLUMN_TITLES[c] for c in COLUMNS]
    assert header[:3] == ["Aspiration", "Objective code", "Objective"]
    assert all(cell.font.bold for cell in sheet[1])
    assert not any(cell.font.bold for cell in sheet[2])
    assert sheet.freeze_panes == "A2"
    widths = {
        name: sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].width
        for i, name in enumerate(COLUMNS, start=1)
    }
    assert all(8 <= w <= 50 for w in widths.values()), widths
    assert widths["objective"] == 50  # long titles: as wide as allowed
    assert widths["kind"] < widths["objective"]
    assert widths["objective_code"] >= len("Objective code")


def test_export_workbook_round_trips_with_titles_and_with_old_snake_case_headers() -> None:
    doc = cln_doc()
    kwargs = table_kwargs(doc)
    titled = transfer.to_xlsx(doc)
    assert transfer.parse_xlsx(titled, **kwargs) == doc
    old = _headed(titled, list(COLUMNS))
    assert [c.value for c in openpyxl.load_workbook(io.BytesIO(old)).worksheets[0][1]][:2] == [
        "aspiration",
        "objective_code",
    ]
    assert transfer.parse_xlsx(old, **kwargs) == doc
    shouted = _headed(titled, [COLUMN_TITLES[c].upper() for c in COLUMNS])
    assert transfer.parse_xlsx(shouted, **kwargs) == doc
    non = non_doc()
    assert transfer.parse_xlsx(transfer.to_xlsx(non), **table_kwargs(non)) == non


def test_an_unknown_title_is_still_an_unknown_column() -> None:
    raw = _headed(transfer.to_xlsx(cln_doc()), ["Aspiration", "Objective number"])
    with pytest.raises(Unprocessable) as exc:
        transfer.parse_xlsx(raw, **table_kwargs(cln_doc()))
    found = problems(exc)
    assert ("file", "row", 1, "Objective number", "unknown_column") in found


# --- hand-made tables ---------------------------------------------------------------------


def test_hand_made_csv_aspirations_parents_and_action_milestones() -> None:
    raw = (
        b"Objective Code;Aspiration;Objective;Action;Measure;Measure_Target;Responsible Group;"
        b"Milestone;Due;Parent_Code;Milestone_Action;Kind\n"
        b"2a;;Sub-outcome;Pilot;;;;Pilot ready;Jan 2020;2;yes;\n"
        b"1;Grow;First;Recruit;At least 5 members;5;Steering Committee;;;;;\n"
        b"1;Grow;First;Recruit;;;Steering Committee;Recruited;2020-03-31;;yes;\n"
        b"2;;Second;;;;;Launch;June 2020;;;outcome\n"
        b"3;Reach out;Third;;;;;;;;;\n"
        b"\n"
    )
    doc = transfer.parse_csv(raw, title="Hand made", **NON_PERIOD)
    assert [(o.code, o.kind) for o in doc.objectives] == [
        ("A1", ObjectiveKind.aspiration),
        ("2", ObjectiveKind.outcome),
        ("A2", ObjectiveKind.aspiration),
    ]
    grow = doc.objectives[0]
    assert grow.title == "Grow"
    first = grow.children[0]
    assert (first.code, first.kind, first.responsible_group) == (
        "1",
        ObjectiveKind.objective,
        "Steering Committee",
    )
    assert [a.description for a in first.actions] == ["Recruit"]
    assert [(m.title, m.due) for m in first.actions[0].milestones] == [("Recruited", "2020-03-31")]
    assert first.measures[0].target is not None and first.measures[0].target.value == 5
    second = doc.objectives[1]
    sub = second.children[0]
    assert (sub.code, sub.kind) == ("2a", ObjectiveKind.outcome)  # kind from its parent
    assert sub.actions[0].milestones[0].due == "2020-01"
    assert second.milestones[0].due == "2020-06"
    assert doc.objectives[2].children[0].code == "3"


def test_xlsx_typed_cells() -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "objective_code",
            "objective",
            "aspiration",
            "action",
            "measure",
            "responsible_group",
            "milestone",
            "due",
            "measure_target",
        ]
    )
    sheet.append([None] * 9)
    sheet.append([1, "First", None, None, "Count", None, "Month", datetime(2019, 10, 1), 25])
    sheet.cell(3, 8).number_format = "mmmm yyyy"
    sheet.append([2, "Second", None, None, None, None, "Day", datetime(2019, 10, 15)])
    sheet.cell(4, 8).number_format = "yyyy-mm-dd"
    out = io.BytesIO()
    workbook.save(out)
    doc = transfer.parse_xlsx(out.getvalue(), title="Typed", **NON_PERIOD)
    first, second = doc.objectives
    assert first.code == "1" and first.milestones[0].due == "2019-10"
    assert first.measures[0].target is not None and first.measures[0].target.value == 25
    assert second.milestones[0].due == "2019-10-15"


# --- refusals -----------------------------------------------------------------------------

HEADER = (
    "aspiration,objective_code,objective,action,measure,responsible_group,milestone,due,"
    "parent_code,measure_target,kind,action_status\n"
)


async def test_bad_csv_names_every_row_and_column_and_writes_nothing(
    app: FastAPI, world: World
) -> None:
    raw = (
        HEADER
        + ",1,First,Act,,,,,,,,\n"  # row 2: fine
        + ",,Orphan,Do,,,,,,,,\n"  # row 3: no code
        + ",2,Second,,,,,,9,,,\n"  # row 4: unknown parent
        + ",3,Third,,,,Identify,Octobr 2019,,,,\n"  # row 5: bad due
        + ",4,Fourth,,Count,,,,,five,,\n"  # row 6: not a number
        + ",1,Another title,,,,,,,,,\n"  # row 7: conflicting title
        + ",5,Fifth,Act,,,,,,,goal,someday\n"  # row 8: two bad enums
        + ",6,Sixth,,,,,2020-01,,,,\n"  # row 9: a due without a milestone
        + ",bad code!,Seventh,,,,,,,,,\n"  # row 10: not a code
    ).encode()
    async with app.state.cohesion.db.transaction(write=False) as session:
        plans_before = await count(session, Plan)
    with pytest.raises(Unprocessable) as exc:
        transfer.parse_csv(raw, title="Bad", **NON_PERIOD)
    assert exc.value.detail == "the file has 9 problems; nothing was imported"
    assert problems(exc) == [
        ("file", "row", 3, "objective_code", "missing"),
        ("file", "row", 4, "parent_code", "unknown_parent"),
        ("file", "row", 5, "due", "due_invalid"),
        ("file", "row", 6, "measure_target", "number"),
        ("file", "row", 7, "objective", "conflict"),
        ("file", "row", 8, "kind", "enum"),
        ("file", "row", 8, "action_status", "enum"),
        ("file", "row", 9, "due", "orphan"),
        ("file", "row", 10, "objective_code", "code_invalid"),
    ]
    assert exc.value.errors is not None
    assert exc.value.errors[2]["msg"] == "not a date or month: 'Octobr 2019'"
    async with app.state.cohesion.db.transaction(write=False) as session:
        assert await count(session, Plan) == plans_before


def test_tree_and_orphan_problems() -> None:
    raw = (
        b"objective_code,objective,aspiration,action,measure,responsible_group,milestone,due,"
        b"parent_code,milestone_action,measure_target,aspiration_code\n"
        b"1,One,,,,,,,2,,,\n"
        b"2,Two,,,,,,,1,,,\n"
        b"3,Three,,,,,,,3,,,\n"
        b"4,Four,,,,,Alone,,,yes,,\n"
        b"5,Five,,,,,,,,,7,\n"
        b"6,Six,Not an aspiration,,,,,,,,,4\n"
    )
    with pytest.raises(Unprocessable) as exc:
        transfer.parse_csv(raw, title="Tree", **NON_PERIOD)
    assert problems(exc) == [
        ("file", "row", 2, "parent_code", "cycle"),
        ("file", "row", 3, "parent_code", "cycle"),
        ("file", "row", 4, "parent_code", "cycle"),
        ("file", "row", 5, "milestone_action", "orphan"),
        ("file", "row", 6, "measure_target", "orphan"),
        ("file", "row", 7, "aspiration", "conflict"),
    ]


def test_table_refusals_at_file_level() -> None:
    kwargs: dict[str, Any] = {"title": "T", **NON_PERIOD}
    xlsx = transfer.to_xlsx(cln_doc())
    cases: list[tuple[Any, bytes, str]] = [
        (transfer.parse_csv, xlsx, "file_type"),
        (transfer.parse_csv, b"\xff\xfe\x00garbage", "encoding"),
        (transfer.parse_csv, b"", "empty"),
        (transfer.parse_csv, b"objective_code,objective\n1,x\n", "columns"),
        (transfer.parse_xlsx, b"not a workbook", "file_type"),
        (transfer.parse_xlsx, transfer.to_csv(cln_doc()), "file_type"),
    ]
    for parse, raw, kind in cases:
        with pytest.raises(Unprocessable) as exc:
            parse(raw, **kwargs)
        assert problems(exc) == [("file", kind)], (parse, kind)
    with pytest.raises(Unprocessable) as exc:
        transfer.parse_csv(
            (HEADER.rstrip("\n") + ",colour\n,1,x,,,,,,,,,,red\n").encode(), **kwargs
        )
    assert problems(exc) == [("file", "row", 1, "colour", "unknown_column")]
    with pytest.raises(Unprocessable) as exc:
        transfer.parse_csv(
            HEADER.encode(), title="", period_start=date(2022, 1, 1), period_end=date(2021, 1, 1)
        )
    assert problems(exc) == [
        ("body", "period_end", "period"),
        ("body", "title", "string_too_short"),
    ]


def test_bad_json_is_refused_with_paths() -> None:
    with pytest.raises(Unprocessable) as exc:
        transfer.parse_json(b"{not json")
    assert problems(exc) == [("file", "json_invalid")]
    doc = cln_doc().model_dump(mode="json")
    doc["objectives"][1]["children"][0]["milestones"][0]["due"] = "Octobr 2019"
    doc["objectives"][1]["children"][1]["code"] = "1"
    doc["objectives"][0]["measures"] = [{"description": "m", "source": "nope"}]
    doc["colour"] = "red"

    with pytest.raises(Unprocessable) as exc:
        transfer.parse_json(json.dumps(doc).encode())
    assert problems(exc) == [
        ("file", "objectives", 1, "children", 0, "milestones", 0, "due", "due_invalid"),
        ("file", "colour", "extra_forbidden"),
    ]
    del doc["colour"]
    doc["objectives"][1]["children"][0]["milestones"][0]["due"] = "2019-10"
    with pytest.raises(Unprocessable) as exc:
        transfer.parse_json(json.dumps(doc).encode())
    assert problems(exc) == [
        ("file", "objectives", 0, "measures", 0, "source", "enum"),
        ("file", "objectives", 1, "children", 1, "code", "duplicate_code"),
    ]


async def test_duplicate_codes_are_refused_before_any_write(app: FastAPI, world: World) -> None:
    doc = cln_doc()
    doc.objectives[2].code = "2a"
    async with app.state.cohesion.db.transaction() as session:
        plans_before = await count(session, Plan)
        with pytest.raises(Unprocessable) as exc:
            await transfer.create_from_document(
                session, chair(world), await network(session, world), doc
            )
        assert problems(exc) == [("file", "objectives", 2, "code", "duplicate_code")]
        assert await count(session, Plan) == plans_before
        assert await count(session, Objective) == 0


async def test_a_member_may_not_import(app: FastAPI, world: World) -> None:
    member = Principal(
        kind="user", id=world["member"].id, grants=[Grant(world.network_a, Role.member)]
    )
    async with app.state.cohesion.db.transaction() as session:
        with pytest.raises(Forbidden):
            await transfer.create_from_document(
                session, member, await network(session, world), cln_doc()
            )
        assert await count(session, Plan) == 0


# --- Markdown -----------------------------------------------------------------------------


def test_markdown_reads_like_the_plan() -> None:
    cln = transfer.to_markdown(cln_doc())
    assert cln.startswith("# Collaborative Learning Networks (CLNs) Outcome Planner 2019-2020\n")
    assert "\n## Outcome 2: The West Partnership will be effectively supporting" in cln
    assert "\n### Outcome 2b: To offer professional learning opportunities" in cln
    assert "- Identify local authorities — due October 2019\n" in cln
    assert "- Collation of Change Survey results — due November 2019\n" in cln
    assert "**Role of partners:**\n\nSupport from Glasgow University, Robert Owen Centre" in cln
    assert "**Aim:** To empower staff" in cln
    non = transfer.to_markdown(non_doc())
    assert "\n## Aspiration A1: Bring coherence, and enhance effectiveness and efficiency\n" in non
    assert "\n### Objective 6: Facilitate professional knowledge sharing and discussion\n" in non
    mobilities = "- Minimum 25 x staff mobilities per annum. — target: at least 25 staff mobilities"
    assert f"{mobilities} per year (from live data: mobility\\_sum)\n" in non
    assert "**Responsible group:** Regional Network Leads" in non
    assert "(from live data: child\\_networks)" in non
