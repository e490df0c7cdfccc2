"""Demo plans: the two seed plans from examples/, with a year of progress recorded."""

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.policy import Principal
from app.networks.models import Network
from app.plans import checkins, lifecycle, measure_service, milestone_service
from app.plans.checkin_schemas import CheckInCreate
from app.plans.measure_schemas import ReadingCreate
from app.plans.milestone_schemas import MilestoneCreate
from app.plans.models import Action, Evidence, Measure, MeasureReading, Milestone, Objective, Plan
from app.plans.schemas import CarryOver, MilestoneStatus, PlanCopy, PlanStatus
from app.plans.scope import InPlan
from app.plans.transfer.csvfile import parse_csv
from app.plans.transfer.document import PlanDocument, parse_json
from app.plans.transfer.store import create_from_document

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NON_PLAN = EXAMPLES / "non-action-plan-2021-22.csv"
CLN_PLAN = EXAMPLES / "cln-outcome-planner-2019-20.json"

# (milestone title, achieved on, evidence) for the CLN planner's first months.
CLN_ACHIEVED = [
    (
        "Identify local authorities",
        date(2019, 10, 24),
        "Six of the eight authorities volunteered to pilot cross-authority alliances.",
    ),
    (
        "Annual Conditions for Change Survey sent out to all staff",
        date(2019, 8, 29),
        "Survey issued to all staff through authority newsletters.",
    ),
    (
        "Cohort 1 launched May 2019 - session run May 2019 - May 2020",
        date(2019, 5, 15),
        "Launch event at the City Chambers; 34 schools attended.",
    ),
]
# (measure description starts with, readings) for the NoN plan.
NON_READINGS = [
    ("1 x dedicated internationalization working group", [(date(2021, 11, 30), 1.0)]),
    ("1 network wide cooperation strategy", [(date(2022, 3, 31), 0.0)]),
]


# The current year's plan, rolled over from 2021-22 (POST /plans/{id}/copy), with a term of
# progress, so that /progress today (December 2026) shows every rating and reason: objective 1
# green (evidence, targets met), 2 amber (a measure stale: no reading this term), 4 red (a
# measure off track, a milestone missed; its people report amber), 5 amber (a measure at risk,
# one stale), 3 amber (an action blocked), 6 red (mobilities off track, a milestone overdue),
# 7 and 8 grey (nothing recorded yet). Check-ins sit beside the computed ratings.
CURRENT = PlanCopy(
    title="Networks of Networks Action Plan 2026-27",
    period_start=date(2026, 9, 1),
    period_end=date(2027, 8, 31),
    carry_over=CarryOver.unfinished,
    status=PlanStatus.active,
)
# (objective code, measure description starts with, value, observed on)
CURRENT_READINGS = [
    ("1", "1 network wide cooperation strategy", 1.0, date(2026, 10, 20)),
    ("1", "1 annual action plan", 1.0, date(2026, 11, 10)),
    ("1", "A Memorandum of Understanding", 1.0, date(2026, 10, 20)),
    ("2", "1 x overall network governance structure", 1.0, date(2026, 10, 5)),
    ("2", "1 x future network steering committee", 1.0, date(2026, 10, 5)),
    ("4", "1 x dedicated internationalization working group", 0.0, date(2026, 11, 30)),
    ("5", "Quantity of EU applications", 2.0, date(2026, 11, 25)),
    ("5", "Outcomes of each thematic working group", 1.0, date(2026, 9, 20)),
]
# (objective code, measure description starts with, or None for the objective, check-in)
CURRENT_CHECK_INS: list[tuple[str, str | None, dict[str, Any]]] = [
    (
        "1",
        None,
        {
            "rating": "amber",
            "confidence": 5,
            "recorded_on": date(2026, 9, 30),
            "note": "Two regional networks still to confirm.",
        },
    ),
    (
        "1",
        None,
        {
            "rating": "green",
            "confidence": 8,
            "recorded_on": date(2026, 11, 12),
            "note": "All regional networks renewed their commitment at the steering committee.",
        },
    ),
    (
        "2",
        None,
        {
            "rating": "amber",
            "confidence": 6,
            "recorded_on": date(2026, 11, 20),
            "note": "Terms of reference still in draft.",
        },
    ),
    (
        "4",
        None,
        {
            "rating": "amber",
            "confidence": 4,
            "recorded_on": date(2026, 11, 30),
            "note": "The group is forming; first meeting planned for January.",
        },
    ),
    (
        "4",
        "Register of mobility opportunities",
        {
            "rating": "red",
            "confidence": 7,
            "recorded_on": date(2026, 11, 30),
            "note": "No partner has sent entries yet.",
        },
    ),
    (
        "5",
        None,
        {
            "rating": "green",
            "confidence": 3,
            "recorded_on": date(2026, 11, 25),
            "note": "Two applications in; the spring call should bring more.",
        },
    ),
]
# (objective code, milestone, due, status, achieved on)
CURRENT_MILESTONES = [
    (
        "1",
        "Cooperation strategy signed by all partners",
        "2026-10-31",
        "achieved",
        date(2026, 10, 20),
    ),
    ("2", "Steering committee terms of reference agreed", "2027-01", "pending", None),
    ("4", "Internationalization working group first meeting", "2026-10-31", "missed", None),
    ("6", "Staff mobility call published", "2026-11-15", "pending", None),
]


async def _current_year(
    session: AsyncSession, admin: Principal, network: Network, source: Plan
) -> Plan:
    plan = await lifecycle.copy(
        session, admin, InPlan(obj=source, plan=source, network=network), data=CURRENT
    )
    await session.flush()

    async def rows(model: Any) -> list[Any]:
        result = await session.execute(select(model).where(col(model.plan_id) == plan.id))
        return list(result.scalars().all())

    objectives = {o.code: o for o in await rows(Objective)}
    measures = await rows(Measure)
    actions = await rows(Action)

    def in_plan(obj: Any) -> InPlan[Any]:
        return InPlan(obj=obj, plan=plan, network=network)

    def measure(code: str, prefix: str) -> Measure:
        objective_id = objectives[code].id
        return next(
            m
            for m in measures
            if m.objective_id == objective_id and m.description.startswith(prefix)
        )

    # Targets the 2021-22 text left open, and a cadence, set by the chair for this year.
    measure("5", "Quantity of EU applications").sqlmodel_update(
        {"target_comparator": "at_least", "target_value": 8.0, "target_unit": "applications"}
    )
    measure("5", "Outcomes of each thematic working group").update_frequency = "monthly"
    measure("2", "1 x internal communication strategy").update_frequency = "monthly"
    for code, prefix, value, observed_on in CURRENT_READINGS:
        found = in_plan(measure(code, prefix))
        if found.obj.source == "manual":
            await measure_service.add_reading(
                session,
                admin,
                found,
                data=ReadingCreate(value=value, observed_on=observed_on, note="Steering committee"),
            )
    for code, on_measure, body in CURRENT_CHECK_INS:
        target = objectives[code] if on_measure is None else measure(code, on_measure)
        await checkins.record(
            session, admin, in_plan(target), data=CheckInCreate.model_validate(body)
        )
    for code, title, due, status, achieved_on in CURRENT_MILESTONES:
        await milestone_service.create_milestone(
            session,
            admin,
            in_plan(objectives[code]),
            data=MilestoneCreate(
                title=title, due=due, status=MilestoneStatus(status), achieved_on=achieved_on
            ),
        )
    by_objective = {a.objective_id: a for a in actions}
    for code, status in (("1", "in_progress"), ("2", "in_progress"), ("3", "blocked")):
        action = by_objective.get(objectives[code].id)
        if action is not None:
            action.status = status
    return plan


async def _plan(
    session: AsyncSession, admin: Principal, network: Network, document: PlanDocument
) -> Plan:
    document.status = PlanStatus.active
    return await create_from_document(session, admin, network, document)


async def load_demo(session: AsyncSession, admin: Principal, networks: dict[str, Network]) -> None:
    non = await _plan(
        session,
        admin,
        networks["Network of Networks"],
        parse_csv(
            NON_PLAN.read_bytes(),
            title="Networks of Networks Action Plan 2021-22",
            period_start=date(2021, 9, 1),
            period_end=date(2022, 8, 31),
            aim="Bring coherence to the alliance, raise the quality of VET, develop staff and "
            "raise awareness of the Network of Networks.",
        ),
    )
    cln = await _plan(
        session, admin, networks["West Partnership"], parse_json(CLN_PLAN.read_bytes())
    )
    await session.flush()
    await _current_year(session, admin, networks["Network of Networks"], non)

    milestones = (
        (await session.execute(select(Milestone).where(col(Milestone.plan_id) == cln.id)))
        .scalars()
        .all()
    )
    for title, achieved_on, note in CLN_ACHIEVED:
        for milestone in milestones:
            if milestone.title.startswith(title):
                milestone.status = "achieved"
                milestone.achieved_on = achieved_on
                assert milestone.id is not None
                session.add(
                    Evidence(
                        milestone_id=milestone.id,
                        kind="note",
                        text=note,
                        recorded_by_kind=admin.actor_kind,
                        recorded_by_id=admin.actor_id,
                    )
                )
    measures = (
        (await session.execute(select(Measure).where(col(Measure.plan_id) == non.id)))
        .scalars()
        .all()
    )
    for prefix, readings in NON_READINGS:
        for measure in measures:
            if measure.description.startswith(prefix) and measure.source == "manual":
                assert measure.id is not None
                for observed_on, value in readings:
                    session.add(
                        MeasureReading(
                            measure_id=measure.id,
                            value=value,
                            observed_on=observed_on,
                            note="Recorded at the steering committee",
                            recorded_by_kind="user",
                            recorded_by_id=admin.actor_id,
                        )
                    )
