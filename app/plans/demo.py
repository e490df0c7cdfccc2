"""Demo plans: the two seed plans from examples/, with a year of progress recorded."""

from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.policy import Principal
from app.networks.models import Network
from app.plans import transfer
from app.plans.models import Evidence, Measure, MeasureReading, Milestone, Plan
from app.plans.schemas import PlanStatus

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


async def _plan(
    session: AsyncSession, admin: Principal, network: Network, document: transfer.PlanDocument
) -> Plan:
    document.status = PlanStatus.active
    return await transfer.create_from_document(session, admin, network, document)


async def load_demo(session: AsyncSession, admin: Principal, networks: dict[str, Network]) -> None:
    non = await _plan(
        session,
        admin,
        networks["Network of Networks"],
        transfer.parse_csv(
            NON_PLAN.read_bytes(),
            title="Networks of Networks Action Plan 2021-22",
            period_start=date(2021, 9, 1),
            period_end=date(2022, 8, 31),
            aim="Bring coherence to the alliance, raise the quality of VET, develop staff and "
            "raise awareness of the Network of Networks.",
        ),
    )
    cln = await _plan(
        session, admin, networks["West Partnership"], transfer.parse_json(CLN_PLAN.read_bytes())
    )
    await session.flush()

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
