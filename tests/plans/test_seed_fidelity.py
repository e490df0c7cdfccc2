"""The demo holds what the seed documents say (issue 16, "Seed fidelity defects")."""

from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col

from app.auth.models import RoleAssignment, User
from app.communities.models import Community
from app.mobility.models import MobilityOpportunity
from app.networks.models import Network
from app.organisations.models import Organisation
from app.partnerships.models import Partnership
from app.partnerships.schemas import PartnershipStatus
from app.partnerships.service import computed_status, status_filter
from app.plans import progress
from app.plans.models import Evidence, Milestone, Objective, Plan
from app.plans.schemas import CLN_WORKSTREAMS
from app.plans.scope import load_in_plan
from app.programmes.models import Evaluation
from tests.conftest import World
from tests.demo_helpers import restore_demo
from tests.plans.helpers import PlanBuilder

NON_PLAN = "Networks of Networks Action Plan 2021-22"


@pytest.fixture(scope="module")
async def demo(app: FastAPI, engine: AsyncEngine) -> dict[str, Any]:
    """The whole demo, as `cohesion demo` loads it; the NoN plan's tree as of March 2022.

    Built once per module: the tests only read what it returns (loaded objects, detached), so
    the other tests' resets of the database do not touch it."""
    admin = await restore_demo(app)
    state = app.state.cohesion
    async with state.db.transaction() as session:
        plan_id = await session.scalar(select(Plan.id).where(col(Plan.title) == NON_PLAN))
        assert plan_id is not None
        found = await load_in_plan(session, admin, Plan, plan_id, "plan")
        tree = await progress.tree(session, found, date(2022, 3, 1))
        non = await session.scalar(
            select(Network).where(col(Network.name) == "Network of Networks")
        )
        assert non is not None
        communities = {
            c.id: c
            for c in (
                await session.scalars(select(Community).where(col(Community.network_id) == non.id))
            ).all()
        }
        objectives = (
            await session.scalars(select(Objective).where(col(Objective.plan_id) == plan_id))
        ).all()
        stem = await session.scalar(select(Network).where(col(Network.name) == "STEM CPD Alliance"))
        partnerships = (
            await session.execute(
                select(Partnership, Organisation)
                .join(Organisation, col(Organisation.id) == col(Partnership.organisation_id))
                .where(col(Partnership.network_id) == stem.id)  # type: ignore[union-attr]
            )
        ).all()
        ended = set(
            (
                await session.scalars(
                    select(Partnership.id).where(
                        status_filter(PartnershipStatus.ended, date(2026, 1, 1))
                    )
                )
            ).all()
        )
        cln = (
            await session.scalars(
                select(Objective)
                .join(Plan, col(Plan.id) == col(Objective.plan_id))
                .where(col(Plan.title).startswith("Collaborative Learning Networks"))
            )
        ).all()
        cited = (
            await session.execute(
                select(Evidence, Milestone, Evaluation)
                .join(Milestone, col(Milestone.id) == col(Evidence.milestone_id))
                .join(Evaluation, col(Evaluation.id) == col(Evidence.evaluation_id))
            )
        ).all()
        since = {
            email: started
            for email, started in (
                await session.execute(
                    select(User.email, RoleAssignment.since).join(
                        User, col(User.id) == col(RoleAssignment.user_id)
                    )
                )
            ).all()
        }
        levels = await session.scalar(
            select(func.count(func.distinct(MobilityOpportunity.eqf_level))).where(
                col(MobilityOpportunity.network_id) == non.id
            )
        )
    measures = {
        m.description: m
        for top in tree.objectives
        for node in [top, *top.children]
        for m in node.measures
    }
    return {
        "measures": measures,
        "communities": communities,
        "objectives": objectives,
        "levels": levels,
        "partnerships": partnerships,
        "ended": ended,
        "cln": cln,
        "since": since,
        "cited": cited,
    }


async def test_000_non_plan_reads_its_groups_and_registers(demo: dict[str, Any]) -> None:
    # "minimum 4 x people in each working group" counts people, not member colleges: each
    # demo working group has one person (its lead) besides its colleges.
    people = next(m for d, m in demo["measures"].items() if d.startswith("Number of participants"))
    assert people.params == {"kind": "working_group", "members": "users"}
    assert people.current_value == 1
    # The register of opportunities measure reads the register: EQF levels with an offer.
    register = next(m for d, m in demo["measures"].items() if d.startswith("Register of mobility"))
    assert register.source == "mobility_opportunities"
    assert register.current_value == demo["levels"] and demo["levels"] > 0
    assert register.target is not None and register.target.value == 8
    # Responsible groups link to the communities the demo holds.
    linked = {
        o.code: demo["communities"][o.responsible_community_id].title
        for o in demo["objectives"]
        if o.responsible_community_id is not None
    }
    steering = "Network of Networks Steering Committee"
    international = "International Cooperation Thematic Working Group"
    assert linked == {
        "1": steering,
        "2": steering,
        "4": international,
        "5": steering,  # "Steering Committee and future thematic Working Groups."
        "6": international,
        "7": steering,
        "8": steering,
    }  # 3, "Regional Network Leads", is no community


def test_mobility_summary_and_sources_share_one_descendants_default(app: FastAPI) -> None:
    from app.mobility.measures import MobilityOpportunitiesParams, MobilitySumParams
    from app.mobility.service import INCLUDE_DESCENDANTS

    assert MobilitySumParams().include_descendants is INCLUDE_DESCENDANTS
    assert MobilityOpportunitiesParams().include_descendants is INCLUDE_DESCENDANTS
    summary = app.openapi()["paths"]["/api/v1/networks/{network_id}/mobility-counts/summary"]
    (param,) = [p for p in summary["get"]["parameters"] if p["name"] == "include_descendants"]
    assert param["schema"]["default"] is INCLUDE_DESCENDANTS


async def test_001_booklet_partners_have_their_sector_and_country_and_end(
    demo: dict[str, Any],
) -> None:
    # The booklet's examples (seed 001): "Coordinator: Doris Arztmann, IMST, University of
    # Klagenfurt"; "2.c In France, a strong partnership with the Ministry of Education";
    # "2.d In Finland, LUMA centres organize CPD"; "2.e STEM Learning in UK".
    found = {org.name: (org.kind, org.country, p.sector) for p, org in demo["partnerships"]}
    assert found == {
        "IMST, University of Klagenfurt": ("university", "AT", "public"),
        "LUMA Centre Finland": ("university", "FI", "public"),
        "STEM Learning UK": ("cpd_provider", "GB", "third_sector"),
        "Ministry of National Education (France)": ("ministry", "FR", "public"),
    }
    # The LINKS partnerships ended on 31 December 2021: stored active, they read ended.
    for partnership, _ in demo["partnerships"]:
        assert partnership.status == "active" and partnership.end_on == date(2021, 12, 31)
        assert computed_status(partnership, date(2022, 1, 1)) is PartnershipStatus.ended
        assert computed_status(partnership, date(2021, 12, 31)) is PartnershipStatus.active
        assert partnership.id in demo["ended"]


async def test_004_outcomes_carry_the_workstreams_and_a_milestone_cites_an_evaluation(
    demo: dict[str, Any],
) -> None:
    tags = {o.code: o.workstreams for o in demo["cln"]}
    assert set(tags) == {"1", "2", "2a", "2b", "2c", "2d", "3"}
    for code, workstreams in tags.items():
        assert workstreams[0] == "CLN" and set(workstreams) <= set(CLN_WORKSTREAMS), code
    assert tags["3"] == ["CLN", "Evaluating and Reporting"]
    assert len({t for ws in tags.values() for t in ws}) > 1  # not every outcome "CLN" only
    ((evidence, milestone, evaluation),) = demo["cited"]
    assert milestone.title.startswith("Participant feedback evaluations will demonstrate")
    assert evidence.kind == "evaluation" and evaluation.phase == "post"
    assert evidence.text is not None and "confidence 2.5 → 4.0" in evidence.text


async def test_evidence_cites_only_an_evaluation_of_the_network(client, world: World) -> None:
    build = PlanBuilder(client, world)
    plan = await build.plan()
    objective = await build.objective(plan["id"], "1")
    milestone = await build.milestone(objective["id"], title="Feedback shows confidence")
    url = f"/api/v1/milestones/{milestone['id']}/evidence"
    for body in (
        {"kind": "evaluation"},
        {"kind": "note", "text": "x", "evaluation_id": 1},
        {"kind": "evaluation", "evaluation_id": 999_999},
    ):
        answer = await client.post(url, json=body, headers=world.headers("chair"))
        assert answer.status_code == 422, (body, answer.text)


async def test_demo_roles_start_in_the_seeds_years(demo: dict[str, Any]) -> None:
    since = demo["since"]
    assert since["chair@nonetwork.example"].date() == date(2021, 9, 1)
    assert since["facilitator@westpartnership.example"].date() == date(2019, 4, 1)
    assert since["seil@banyule.example"].year == 2022
