"""The demo partnerships, programme and evaluations load on top of app/demo.py."""

from fastapi import FastAPI
from sqlalchemy import func, select
from sqlmodel import col

from app.communities.models import Community
from app.demo import communities as communities_demo
from app.demo import partnerships as demo
from app.networks.models import Network
from app.partnerships.models import PartnerCommitment, Partnership
from app.plans import transfer
from app.plans.models import Plan
from app.programmes import evaluation_service
from app.programmes.models import Evaluation, EvaluationResponse, Programme, ProgrammeEnrolment
from tests.demo_helpers import restore_demo


async def test_demo_loads_partnerships_a_programme_and_its_evaluations(
    app: FastAPI, db: None
) -> None:
    state = app.state.cohesion
    admin = await restore_demo(app)
    async with state.db.transaction() as session:
        networks = {n.name: n for n in (await session.scalars(select(Network))).all()}
        if await session.scalar(select(func.count()).select_from(Community)) == 0:
            await communities_demo.load(session, admin, networks)
        if await session.scalar(select(func.count()).select_from(Partnership)) == 0:
            await demo.load(session, admin, networks)
        assert "STEM CPD Alliance" in networks

    async with state.db.transaction() as session:
        rows = (
            await session.execute(
                select(Partnership, Network)
                .join(Network, col(Network.id) == col(Partnership.network_id))
                .order_by(col(Partnership.id))
            )
        ).all()
        by_network: dict[str, list[Partnership]] = {}
        for partnership, network in rows:
            by_network.setdefault(network.name, []).append(partnership)
        assert len(by_network["West Partnership"]) == 2
        assert "critical_friend" in by_network["West Partnership"][0].purposes
        roles = await session.scalars(
            select(PartnerCommitment.role).order_by(col(PartnerCommitment.id))
        )
        assert list(roles) == [
            "Attend meetings and act as a critical friend",
            "Lead the professional learning programme",
            "Advisors co-deliver the professional learning programme",
        ]
        cln = await session.scalar(
            select(Plan).where(col(Plan.network_id) == networks["West Partnership"].id)
        )
        assert cln is not None
        document = await transfer.load_document(session, cln)
        outcome_2a = next(c for c in document.objectives[1].children if c.code == "2a")
        assert outcome_2a.role_of_partners is not None
        assert outcome_2a.role_of_partners.endswith(
            "\nRobert Owen Centre, University of Glasgow: Lead the professional learning programme"
            "\nEducation Scotland: Advisors co-deliver the professional learning programme"
        )
        assert len(by_network["STEM CPD Alliance"]) == 4  # the LINKS booklet's partners
        programme = await session.scalar(select(Programme))
        assert programme is not None and programme.cohort_id is not None
        enrolled = await session.scalar(select(func.count()).select_from(ProgrammeEnrolment))
        assert enrolled and enrolled > 8
        post = await session.scalar(select(Evaluation).where(col(Evaluation.phase) == "post"))
        assert post is not None
        summary = await evaluation_service.summary(session, post)
        assert summary.responses > 0
        assert summary.questions[0].change is not None and summary.questions[0].change >= 0.5
        anonymous = await session.scalar(
            select(func.count())
            .select_from(EvaluationResponse)
            .where(col(EvaluationResponse.user_id).is_(None))
        )
        assert anonymous and anonymous > 0
