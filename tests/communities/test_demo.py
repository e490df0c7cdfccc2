"""The demo communities and the matched West Partnership cohort load on top of app/demo.py."""

from fastapi import FastAPI
from sqlalchemy import func, select
from sqlmodel import col

from app.auth.models import User
from app.cohorts.models import Enrolment, MatchingProposal
from app.communities.models import Community, CommunityMember
from app.demo import communities as demo
from app.networks.models import Network
from app.organisations.models import Organisation
from tests.demo_helpers import restore_demo


async def test_demo_loads_communities_and_a_matched_cohort(app: FastAPI, db: None) -> None:
    state = app.state.cohesion
    admin = await restore_demo(app)
    async with state.db.transaction() as session:
        if await session.scalar(select(func.count()).select_from(Community)) == 0:
            networks = {n.name: n for n in (await session.scalars(select(Network))).all()}
            await demo.load(session, admin, networks)

    async with state.db.transaction() as session:
        rows = (
            await session.execute(
                select(Community, Network).join(
                    Network, col(Network.id) == col(Community.network_id)
                )
            )
        ).all()
        by_network: dict[str, list[Community]] = {}
        for community, network in rows:
            by_network.setdefault(network.name, []).append(community)
        non = by_network["Network of Networks"]
        assert sorted(c.kind for c in non) == ["steering_committee"] + ["working_group"] * 3
        assert any(c.title.startswith("International Cooperation") for c in non)
        banyule = by_network["Banyule Network"]
        assert [c.kind for c in banyule] == ["community_of_practice"]
        roles = (
            await session.execute(
                select(User.email, CommunityMember.role)
                .join(User, col(User.id) == col(CommunityMember.user_id))
                .where(col(CommunityMember.community_id) == banyule[0].id)
            )
        ).all()
        assert dict(roles) == {
            "chair@banyule.example": "lead",
            "executive@banyule.example": "facilitator",
            "seil@banyule.example": "critical_friend",
        }

        enrolled = (
            await session.execute(
                select(Organisation.local_authority, func.count())
                .join(Enrolment, col(Enrolment.organisation_id) == col(Organisation.id))
                .group_by(Organisation.local_authority)
            )
        ).all()
        assert sum(n for _, n in enrolled) == 36
        assert len(enrolled) == 8
        proposal = await session.scalar(select(MatchingProposal))
        assert proposal is not None and proposal.status == "accepted"
        assert proposal.summary["single_authority_teams"] == 0
        teams = [
            c for c in by_network["West Partnership"] if c.kind == "collaborative_learning_team"
        ]
        assert len(teams) == len(proposal.teams) == len(proposal.community_ids) == 9
        sizes = (
            (
                await session.execute(
                    select(func.count())
                    .select_from(CommunityMember)
                    .where(col(CommunityMember.community_id).in_([t.id for t in teams]))
                    .group_by(CommunityMember.community_id)
                )
            )
            .scalars()
            .all()
        )
        assert sorted(sizes) == [4] * 9
