"""Demo plans (demo/plans.yaml): the seed plans of examples/ imported, a year of progress, and
the current year's plan rolled over from 2021-22 with a term of progress."""

from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.policy import Principal
from app.demo import documents
from app.networks.models import Network
from app.plans import checkins, lifecycle, measure_service, milestone_service, transfer
from app.plans.checkin_schemas import CheckInCreate
from app.plans.measure_schemas import ReadingCreate
from app.plans.milestone_schemas import MilestoneCreate
from app.plans.models import Action, Evidence, Measure, MeasureReading, Milestone, Objective, Plan
from app.plans.schemas import PlanCopy, PlanStatus
from app.plans.scope import InPlan
from app.plans.transfer.translate import translate_from_document


def _parse(entry: dict[str, Any]) -> transfer.PlanDocument:
    """An import's plan document, from CSV (with the head the entry gives) or JSON."""
    path = documents.project_file(entry["file"])
    if Path(entry["file"]).suffix == ".csv":
        head = {k: entry[k] for k in ("title", "period_start", "period_end", "aim")}
        return transfer.parse_csv(path.read_bytes(), **head)
    return transfer.parse_json(path.read_bytes())


async def _rows(session: AsyncSession, model: Any, plan: Plan) -> list[Any]:
    result = await session.execute(select(model).where(col(model.plan_id) == plan.id))
    return list(result.scalars().all())


async def _current_year(
    session: AsyncSession, admin: Principal, network: Network, source: Plan, doc: dict[str, Any]
) -> Plan:
    plan = await lifecycle.copy(
        session,
        admin,
        InPlan(obj=source, plan=source, network=network),
        data=PlanCopy.model_validate(doc["copy"]),
    )
    await session.flush()
    objectives = {o.code: o for o in await _rows(session, Objective, plan)}
    measures = await _rows(session, Measure, plan)
    actions = await _rows(session, Action, plan)

    def in_plan(obj: Any) -> InPlan[Any]:
        return InPlan(obj=obj, plan=plan, network=network)

    def measure(code: str, prefix: str) -> Measure:
        objective_id = objectives[code].id
        return next(
            m
            for m in measures
            if m.objective_id == objective_id and m.description.startswith(prefix)
        )

    for change in doc["measure_changes"]:
        measure(change["objective"], change["measure"]).sqlmodel_update(change["set"])
    readings = doc["readings"]
    for reading in readings["values"]:
        found = in_plan(measure(reading["objective"], reading["measure"]))
        if found.obj.source == "manual":
            data = ReadingCreate(
                value=reading["value"], observed_on=reading["observed_on"], note=readings["note"]
            )
            await measure_service.add_reading(session, admin, found, data=data)
    for entry in doc["check_ins"]:
        objective = objectives[entry["objective"]]
        target = measure(entry["objective"], entry["measure"]) if "measure" in entry else objective
        await checkins.record(
            session, admin, in_plan(target), data=CheckInCreate.model_validate(entry["check_in"])
        )
    for entry in doc["milestones"]:
        await milestone_service.create_milestone(
            session,
            admin,
            in_plan(objectives[entry["objective"]]),
            data=MilestoneCreate.model_validate(entry["milestone"]),
        )
    by_objective = {a.objective_id: a for a in actions}
    for code, status in doc["action_status"].items():
        action = by_objective.get(objectives[code].id)
        if action is not None:
            action.status = status
    return plan


async def _achieved(
    session: AsyncSession, admin: Principal, plan: Plan, milestones: list[dict[str, Any]]
) -> None:
    """Milestones achieved, each with a note as evidence (recorded as it was at the time)."""
    rows = await _rows(session, Milestone, plan)
    for entry in milestones:
        for milestone in rows:
            if milestone.title.startswith(entry["title"]):
                milestone.status = "achieved"
                milestone.achieved_on = entry["achieved_on"]
                assert milestone.id is not None
                session.add(
                    Evidence(
                        milestone_id=milestone.id,
                        kind="note",
                        text=entry["evidence"],
                        recorded_by_kind=admin.actor_kind,
                        recorded_by_id=admin.actor_id,
                    )
                )


async def _readings(
    session: AsyncSession, admin: Principal, plan: Plan, readings: dict[str, Any]
) -> None:
    """Readings of the plan's manual measures whose description starts as given."""
    measures = await _rows(session, Measure, plan)
    for entry in readings["values"]:
        for measure in measures:
            if measure.description.startswith(entry["measure"]) and measure.source == "manual":
                assert measure.id is not None
                session.add(
                    MeasureReading(
                        measure_id=measure.id,
                        value=entry["value"],
                        observed_on=entry["observed_on"],
                        note=readings["note"],
                        recorded_by_kind="user",
                        recorded_by_id=admin.actor_id,
                    )
                )


async def load(session: AsyncSession, admin: Principal, networks: dict[str, Network]) -> None:
    """Import the seed plans, roll the 2021-22 plan over and record their progress."""
    doc = documents.load("plans")
    plans: dict[str, Plan] = {}
    for entry in doc["imports"]:
        parsed = _parse(entry)
        parsed.status = PlanStatus.active
        network = networks[entry["network"]]
        plan = await transfer.create_from_document(session, admin, network, parsed)
        assert plan.id is not None
        for translation in entry.get("translations", []):
            raw = documents.project_file(translation["file"]).read_bytes()
            await translate_from_document(
                session,
                admin,
                network,
                transfer.parse_json(raw),
                plan_id=plan.id,
                language=translation["lang"],
            )
        plans[plan.title] = plan
    await session.flush()
    current = doc["current"]
    source = plans[current["from"]]
    network = next(n for n in networks.values() if n.id == source.network_id)
    await _current_year(session, admin, network, source, current)
    await _achieved(session, admin, plans[doc["achieved"]["plan"]], doc["achieved"]["milestones"])
    await _readings(session, admin, plans[doc["readings"]["plan"]], doc["readings"])
