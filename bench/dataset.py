"""The large data set for ``bench/run.py``, built in-process through the service layer.

60 networks (an alliance of 30 regional networks, and a region of 28 geographic networks),
2,000 organisations (members of those networks, with Erasmus OIDs), 200 communities, 40 plans of
up to 1,000 objectives (each objective with an action, a measure and a milestone; every tenth
measure derives its value from the mobility register), and 300,000 mobility counts.

Everything goes through our services (``network_service.create``, ``organisation_service.create``
and ``add_member``, ``communities.create_community``, the plan importer
``transfer.create_from_document``, and ``mobility.post_counts`` in batches of 5,000), so the rows
and their audit events are the ones the API would write; only the grouping into few large
transactions is the benchmark's. The schema must exist (``cohesion migrate``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from app import models  # noqa: F401 - registers every table (foreign keys between domains)
from app.auth import service as auth_service
from app.auth.models import User
from app.auth.policy import Principal, Role
from app.auth.schemas import RoleCreate
from app.communities import service as community_service
from app.communities.schemas import CommunityCreate, CommunityKind
from app.core.config import Settings
from app.core.db import Database
from app.core.security import PasswordHasher
from app.mobility import count_service
from app.networks import service as network_service
from app.networks.models import Network
from app.networks.schemas import NetworkCreate, NetworkKind
from app.organisations import service as organisation_service
from app.organisations.schemas import MembershipCreate, OrganisationCreate, OrganisationKind
from app.plans import transfer

N_REGIONAL = 30  # the alliance's members
N_GEOGRAPHIC = 28  # the region's geographic networks (57 Victorian networks is the target)
N_ORGS = 2_000
N_COMMUNITIES = 200
PLAN_SIZES = [1_000, 10] + [500, 250, 100, 50, 25, 10] * 6 + [100, 50]  # 40 plans
N_COUNTS = 300_000
COUNT_BATCH = 5_000
COUNT_MONTHS = [f"{2019 + m // 12}-{m % 12 + 1:02d}" for m in range(60)]  # 2019-2023


@dataclass
class Dataset:
    admin_id: int
    chair_email: str
    chair_password: str
    alliance_id: int
    region_id: int
    big_plan_id: int
    small_plan_id: int
    objective_ids: list[int] = field(default_factory=list)  # of the big plan
    org_ids: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _objective_doc(code: str, n_children: int, measure_source: str) -> dict[str, Any]:
    measure: dict[str, Any] = {
        "description": f"Measure of {code}",
        "target": {"comparator": "at_least", "value": 10, "unit": "things"},
    }
    if measure_source == "mobility_sum":
        measure.update(
            source="mobility_sum",
            params={"participant": "learner", "include_descendants": True},
            target={"comparator": "at_least", "value": 500, "unit": "mobilities"},
        )
    return {
        "code": code,
        "kind": "objective",
        "title": f"Objective {code}: raise the quality of vocational education together",
        "description": "Partner colleges share practice and evaluate it each term.",
        "workstreams": ["quality", "mobility"],
        "actions": [
            {
                "description": f"Action for {code}",
                "status": "in_progress",
                "start_on": "2023-01-01",
                "due_on": "2023-12-31",
                "milestones": [{"title": f"Milestone for {code}", "due": "2023-06-30"}],
            }
        ],
        "measures": [measure],
        "children": [_objective_doc(f"{code}.{i + 1}", 0, "manual") for i in range(n_children)],
    }


def plan_document(n_objectives: int, index: int) -> transfer.PlanDocument:
    """A plan of exactly ``n_objectives`` objectives: tops with up to 19 children each."""
    tops = max(1, n_objectives // 20)
    remaining = n_objectives - tops
    objectives = []
    for t in range(tops):
        children = remaining // tops + (1 if t < remaining % tops else 0)
        source = "mobility_sum" if t % 10 == 0 else "manual"
        objectives.append(_objective_doc(str(t + 1), children, source))
    return transfer.PlanDocument.model_validate(
        {
            "title": f"Benchmark plan {index} ({n_objectives} objectives)",
            "aim": "Measure the API under a network's year of data.",
            "period_start": "2023-01-01",
            "period_end": "2023-12-31",
            "status": "active",
            "objectives": objectives,
        }
    )


async def build(database_url: str, *, chair_password: str, log: Any = print) -> Dataset:
    started = time.perf_counter()
    settings = Settings(_env_file=None, database_url=database_url)  # type: ignore[call-arg]
    db = Database(settings)
    hasher = PasswordHasher(settings)
    try:
        async with db.transaction() as session:
            admin_user = User(email="bench-admin@cohesion.example", name="Bench admin")
            admin_user.is_admin = True
            admin_user.password_hash = await hasher.hash(chair_password)
            chair_user = User(
                email="bench-chair@cohesion.example",
                name="Bench chair",
                password_hash=await hasher.hash(chair_password),
            )
            session.add_all([admin_user, chair_user])
            await session.flush()
            assert admin_user.id is not None and chair_user.id is not None
            admin = Principal(kind="user", id=admin_user.id, is_admin=True, name="Bench admin")

            async def network(name: str, kind: NetworkKind, parent: Network | None) -> Network:
                return await network_service.create(
                    session,
                    admin,
                    data=NetworkCreate(
                        name=name, kind=kind, parent_id=parent.id if parent else None
                    ),
                )

            alliance = await network("Bench alliance", NetworkKind.alliance, None)
            regionals = [
                await network(f"Regional network {i}", NetworkKind.regional, alliance)
                for i in range(N_REGIONAL)
            ]
            region = await network("Bench region", NetworkKind.regional, None)
            geographics = [
                await network(f"Geographic network {i}", NetworkKind.geographic, region)
                for i in range(N_GEOGRAPHIC)
            ]
            networks = [alliance, *regionals, region, *geographics]
            await auth_service.appoint(
                session, admin, alliance, data=RoleCreate(user_id=chair_user.id, role=Role.chair)
            )
        log(f"  {len(networks)} networks")

        members: dict[int, list[int]] = {}
        org_ids: list[int] = []
        async with db.transaction() as session:
            for i in range(N_ORGS):
                home = networks[1 + i % (len(networks) - 1)]  # alliance/region: through members
                org = await organisation_service.create(
                    session,
                    admin,
                    data=OrganisationCreate(
                        name=f"Bench college {i}",
                        kind=OrganisationKind.vet_college
                        if home.kind == "regional"
                        else OrganisationKind.school,
                        country=["GB", "ES", "FI", "IT", "AU"][i % 5],
                        erasmus_oid=f"E8{i:07d}",
                        owner_network_id=home.id,
                    ),
                )
                assert org.id is not None and home.id is not None
                await organisation_service.add_member(
                    session, admin, home, data=MembershipCreate(organisation_id=org.id)
                )
                members.setdefault(home.id, []).append(org.id)
                org_ids.append(org.id)
        log(f"  {len(org_ids)} organisations")

        async with db.transaction() as session:
            for i in range(N_COMMUNITIES):
                home = networks[i % len(networks)]
                await community_service.create_community(
                    session,
                    admin,
                    home,
                    data=CommunityCreate(
                        kind=list(CommunityKind)[i % len(CommunityKind)],
                        title=f"Bench community {i}",
                        focus_area="Virtual and physical mobility",
                        status="active",  # type: ignore[arg-type]
                    ),
                )
        log(f"  {N_COMMUNITIES} communities")

        plan_ids: list[int] = []
        for i, size in enumerate(PLAN_SIZES):
            home = alliance if i < 30 else regionals[i % N_REGIONAL]
            async with db.transaction() as session:
                plan = await transfer.create_from_document(
                    session, admin, home, plan_document(size, i)
                )
                assert plan.id is not None
                plan_ids.append(plan.id)
        log(f"  {len(PLAN_SIZES)} plans, {sum(PLAN_SIZES):,} objectives")

        all_ids = org_ids
        posted = 0
        per_network = N_COUNTS // N_REGIONAL
        for k, regional in enumerate(regionals):
            assert regional.id is not None
            senders = members[regional.id]
            records: list[dict[str, Any]] = []
            j = 0
            while len(records) < per_network:
                for period in COUNT_MONTHS:
                    for participant in ("staff", "learner"):
                        for mode in ("physical", "virtual", "blended"):
                            for eqf in (None, 3, 4, 5):
                                if len(records) == per_network:
                                    break
                                s = senders[j % len(senders)]
                                r = all_ids[(j * 7 + k * 13) % len(all_ids)]
                                if r == s:
                                    r = all_ids[(j * 7 + k * 13 + 1) % len(all_ids)]
                                record: dict[str, Any] = {
                                    "period": period,
                                    "sending_org": s,
                                    "receiving_org": r,
                                    "participant": participant,
                                    "mode": mode,
                                    "count": 1 + (j + k) % 9,
                                }
                                if eqf is not None:
                                    record["eqf_level"] = eqf
                                records.append(record)
                j += 1
            for start in range(0, len(records), COUNT_BATCH):
                async with db.transaction() as session:
                    result = await count_service.post_counts(
                        session,
                        admin,
                        regional,
                        payload={"records": records[start : start + COUNT_BATCH]},
                    )
                    posted += result.inserted
        log(f"  {posted:,} mobility counts")

        async with db.transaction() as session:
            from sqlalchemy import select
            from sqlmodel import col

            from app.plans.models import Objective

            objective_ids = list(
                (
                    await session.execute(
                        select(col(Objective.id))
                        .where(col(Objective.plan_id) == plan_ids[0])
                        .order_by(col(Objective.id))
                    )
                ).scalars()
            )
        assert alliance.id is not None and region.id is not None
        return Dataset(
            admin_id=admin_user.id,
            chair_email=chair_user.email,
            chair_password=chair_password,
            alliance_id=alliance.id,
            region_id=region.id,
            big_plan_id=plan_ids[0],
            small_plan_id=plan_ids[1],
            objective_ids=objective_ids,
            org_ids=org_ids,
            counts={
                "networks": len(networks),
                "organisations": len(org_ids),
                "communities": N_COMMUNITIES,
                "plans": len(plan_ids),
                "objectives": sum(PLAN_SIZES),
                "mobility_counts": posted,
            },
            seconds=time.perf_counter() - started,
        )
    finally:
        await db.dispose()
