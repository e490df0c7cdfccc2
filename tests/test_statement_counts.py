"""The number of SQL statements a list or summary route issues does not grow with the page
size, with the depth of the page, or with the amount of data behind a summary (issue #10).

Plans' ``/tree`` and ``/progress`` are covered in tests/plans/test_progress.py, community lists
in tests/communities, a mobility batch's writes in tests/mobility/test_counts.py.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from app.auth.policy import Principal
from app.mobility import count_service as mobility_count_service
from app.networks import service as network_service
from app.networks.schemas import NetworkCreate, NetworkKind
from app.organisations import service as organisation_service
from app.organisations.schemas import MembershipCreate, OrganisationCreate, OrganisationKind
from app.plans import action_service, measure_service, milestone_service, transfer
from tests.conftest import World

N = 45  # items behind every list: a page of 2, a page of 40 and the page after the first


@contextmanager
def statements(world: World) -> Iterator[list[str]]:
    seen: list[str] = []

    def listener(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    engine = world.app.state.cohesion.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def _records(orgs: list[int], n: int, year: int) -> list[dict[str, Any]]:
    records = []
    for i in range(n):
        records.append(
            {
                "period": f"{year}-{i % 12 + 1:02d}",
                "sending_org": orgs[i % len(orgs)],
                "receiving_org": orgs[(i + 1) % len(orgs)],
                "participant": ("staff", "learner")[i % 2],
                "mode": ("physical", "virtual", "blended")[i % 3],
                "eqf_level": 3 + (i // 12) % 5,
                "count": 1 + i % 4,
            }
        )
    return records


@pytest.fixture
async def data(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    """Through the services: N child networks, N member organisations, a plan of N objectives
    (the first with N actions, measures and milestones), N mobility counts in each of the
    child network and network A (the summary's larger data set)."""
    admin = Principal(kind="user", id=world.admin.id, is_admin=True, name="admin")
    async with world.app.state.cohesion.db.transaction() as session:
        network_a = await network_service.get_or_404(session, world.network_a)
        for i in range(N):
            await network_service.create(
                session,
                admin,
                data=NetworkCreate(
                    name=f"Child {i}", kind=NetworkKind.geographic, parent_id=world.network_a
                ),
            )
        orgs = []
        for i in range(N):
            org = await organisation_service.create(
                session,
                admin,
                data=OrganisationCreate(
                    name=f"College {i}",
                    kind=OrganisationKind.vet_college,
                    owner_network_id=world.network_a,
                ),
            )
            assert org.id is not None
            await organisation_service.add_member(
                session, admin, network_a, data=MembershipCreate(organisation_id=org.id)
            )
            orgs.append(org.id)
        many = [
            {"description": f"thing {i}", "milestones": [{"title": f"ms {i}"}]} for i in range(N)
        ]
        document = transfer.PlanDocument.model_validate(
            {
                "title": "Counted",
                "period_start": "2024-01-01",
                "period_end": "2024-12-31",
                "objectives": [
                    {
                        "code": str(i),
                        "title": f"Objective {i}",
                        "actions": many if i == 0 else [],
                        "measures": [{"description": f"m {j}"} for j in range(N)] if i == 0 else [],
                        "milestones": [{"title": f"own {j}"} for j in range(N)] if i == 0 else [],
                    }
                    for i in range(N)
                ],
            }
        )
        plan = await transfer.create_from_document(session, admin, network_a, document)
        for year in (2023, 2024):
            await mobility_count_service.post_counts(
                session, admin, network_a, payload={"records": _records(orgs, N, year)}
            )
    async with world.app.state.cohesion.db.transaction() as session:
        from sqlalchemy import select

        from app.plans.models import Objective

        first = await session.scalar(
            select(Objective.id).where(Objective.plan_id == plan.id, Objective.code == "0")  # type: ignore[arg-type]
        )
    return {"plan": plan.id, "objective": first, "network": world.network_a}


LISTS = {
    "networks": "/api/v1/networks?parent_id={network}",
    "plans_objectives": "/api/v1/plans/{plan}/objectives",
    "objective_actions": "/api/v1/objectives/{objective}/actions",
    "objective_measures": "/api/v1/objectives/{objective}/measures",
    "objective_milestones": "/api/v1/objectives/{objective}/milestones",
    "plan_milestones": "/api/v1/plans/{plan}/milestones",
    "organisations": "/api/v1/organisations?owner_network_id={network}",
    "members": "/api/v1/networks/{network}/members",
    "mobility_counts": "/api/v1/networks/{network}/mobility-counts",
    "audit_events": "/api/v1/audit-events?network_id={network}",
}


async def _get(
    client: httpx.AsyncClient, world: World, url: str
) -> tuple[dict[str, Any], list[str]]:
    with statements(world) as seen:
        answer = await client.get(url, headers=world.headers("chair"))
    assert answer.status_code == 200, answer.text
    return answer.json(), list(seen)


@pytest.mark.parametrize("name", sorted(LISTS))
async def test_list_statements_do_not_grow_with_page_size_or_depth(
    client: httpx.AsyncClient, world: World, data: dict[str, Any], name: str
) -> None:
    url = LISTS[name].format(**data)
    glue = "&" if "?" in url else "?"
    small, small_seen = await _get(client, world, f"{url}{glue}limit=2")
    large, large_seen = await _get(client, world, f"{url}{glue}limit=40")
    assert len(small["items"]) == 2 and len(large["items"]) == 40, (name, len(large["items"]))
    assert small["next_cursor"] and large["next_cursor"]
    deeper, deeper_seen = await _get(
        client, world, f"{url}{glue}limit=40&cursor={large['next_cursor']}"
    )
    assert deeper["items"], name
    assert len(small_seen) == len(large_seen) == len(deeper_seen), (
        name,
        small_seen,
        large_seen,
        deeper_seen,
    )


async def test_summary_statements_do_not_grow_with_the_data(
    client: httpx.AsyncClient, world: World, data: dict[str, Any]
) -> None:
    base = f"/api/v1/networks/{data['network']}/mobility-counts/summary"
    groups = "group_by=participant,mode,eqf_level,receiving_country,period"
    one_month, one_seen = await _get(client, world, f"{base}?from=2024-01&to=2024-01&{groups}")
    all_years, all_seen = await _get(client, world, f"{base}?{groups}&include_descendants=true")
    assert one_month["total"] < all_years["total"]
    assert len(all_years["groups"]) > len(one_month["groups"]) > 0
    assert len(one_seen) == len(all_seen), (one_seen, all_seen)


async def _busy_plan(world: World, size: int, changed: int) -> int:
    """A plan of ``size`` objectives (each with an action, a measure and a milestone), and
    ``changed`` of each kind of change recorded through the services: an action's status, a
    milestone achieved, a reading, evidence."""
    from sqlalchemy import select

    from app.plans.action_schemas import ActionUpdate
    from app.plans.measure_schemas import ReadingCreate
    from app.plans.milestone_schemas import EvidenceCreate, MilestoneUpdate
    from app.plans.models import Action, Measure, Milestone
    from app.plans.schemas import ActionStatus, EvidenceKind, MilestoneStatus
    from app.plans.scope import InPlan

    chair = Principal(kind="user", id=world.admin.id, is_admin=True, name="admin")
    async with world.app.state.cohesion.db.transaction() as session:
        network = await network_service.get_or_404(session, world.network_a)
        document = transfer.PlanDocument.model_validate(
            {
                "title": f"Busy {size}",
                "period_start": "2024-01-01",
                "period_end": "2030-12-31",
                "status": "active",
                "objectives": [
                    {
                        "code": str(i),
                        "title": f"Objective {i}",
                        "responsible_group": "Steering Committee",
                        "actions": [{"description": f"a {i}", "due_on": "2025-01-01"}],
                        "measures": [
                            {
                                "description": f"m {i}",
                                "target": {"comparator": "at_least", "value": 10},
                            }
                        ],
                        "milestones": [{"title": f"ms {i}", "due": "2025-01-01"}],
                    }
                    for i in range(size)
                ],
            }
        )
        plan = await transfer.create_from_document(session, chair, network, document)
        assert plan.id is not None

        async def first(model: Any) -> list[Any]:
            rows = await session.execute(
                select(model).where(model.plan_id == plan.id).order_by(model.id).limit(changed)
            )
            return list(rows.scalars().all())

        for action in await first(Action):
            await action_service.update_action(
                session,
                chair,
                InPlan(action, plan, network),
                data=ActionUpdate(status=ActionStatus.in_progress),
            )
        for milestone in await first(Milestone):
            found = InPlan(milestone, plan, network)
            await milestone_service.update_milestone(
                session, chair, found, data=MilestoneUpdate(status=MilestoneStatus.achieved)
            )
            await milestone_service.add_evidence(
                session, chair, found, data=EvidenceCreate(kind=EvidenceKind.note, text="done")
            )
        for measure in await first(Measure):
            await measure_service.add_reading(
                session, chair, InPlan(measure, plan, network), data=ReadingCreate(value=3)
            )
        return plan.id


async def test_progress_with_changes_statements_do_not_grow_with_the_plan(
    client: httpx.AsyncClient, world: World
) -> None:
    """``/progress?since=`` (ratings, attention with owners, changes with who) issues as many
    statements for 10 objectives and 2 changes of each kind as for 1,000 and 60."""
    seen: list[int] = []
    bodies = []
    for size, changed in ((10, 2), (1000, 60)):
        plan_id = await _busy_plan(world, size, changed)
        body, statements_seen = await _get(
            client, world, f"/api/v1/plans/{plan_id}/progress?since=2024-01-01&as_of=2026-01-01"
        )
        seen.append(len(statements_seen))
        bodies.append(body)
    small, large = bodies
    assert len(small["changes"]) == 4 * 2 and len(large["changes"]) == 4 * 60
    assert {c["who"]["name"] for c in large["changes"]} == {"Admin"}
    assert len(large["attention"]) > len(small["attention"]) >= 10
    assert large["attention"][0]["owner"]["text"] == "Steering Committee"
    assert seen[0] == seen[1], seen
