"""Demo badge network (demo/badges.yaml): the seed 002 canvas entered section by section by a
new demo user, submitted and approved under the parent network, with badges, an employer's
endorsement of a badge, the parent's endorsement of the badge network as an issuer, and
awards."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User
from app.auth.policy import Grant, Principal, Role
from app.badges import endorsement_service, proposal_service, service
from app.badges.endorsement_schemas import EndorsementCreate
from app.badges.endorsement_service import Subject
from app.badges.schemas import AwardCreate, BadgeCreate, BadgeProposalCreate, BadgeProposalUpdate
from app.badges.scope import FoundProposal
from app.core.config import get_settings
from app.core.resources import Scoped
from app.demo import documents
from app.networks import service as network_service
from app.networks.models import Network
from app.networks.schemas import NetworkCreate
from app.organisations import service as organisation_service
from app.organisations.schemas import OrganisationCreate


async def load(session: AsyncSession, admin: Principal, networks: dict[str, Network]) -> None:
    """Create the parent network and the approved badge network (both added to ``networks``);
    the proposer, who has no password, chairs it and issues its badges."""
    doc = documents.load("badges")
    parent = await network_service.create(
        session, admin, data=NetworkCreate.model_validate(doc["parent"])
    )
    networks[parent.name] = parent
    user = User(**doc["proposer"])
    session.add(user)
    await session.flush()
    assert user.id is not None and parent.id is not None
    proposer = Principal(kind="user", id=user.id, name=user.name)

    proposal = await proposal_service.create_proposal(
        session, proposer, data=BadgeProposalCreate(parent_network_id=parent.id)
    )
    found = FoundProposal(proposal, parent)
    for section in doc["sections"]:
        await proposal_service.update_proposal(
            session, proposer, found, data=BadgeProposalUpdate.model_validate(section)
        )
    await proposal_service.submit_proposal(session, proposer, found)
    await proposal_service.approve_proposal(session, get_settings(), admin, found)
    assert proposal.network_id is not None
    network = await session.get(Network, proposal.network_id)
    assert network is not None
    networks[network.name] = network

    chair = Principal(
        kind="user",
        id=user.id,
        name=user.name,
        grants=[Grant(network_id=proposal.network_id, role=Role.chair)],
    )
    settings = get_settings()
    badges = [
        await service.create_badge(
            session,
            chair,
            network,
            data=BadgeCreate.model_validate({k: v for k, v in entry.items() if k != "awards"}),
        )
        for entry in doc["badges"]
    ]
    by_name = {badge.name: badge for badge in badges}
    for entry in doc["endorsements"]:
        org = await organisation_service.create(
            session,
            admin,
            data=OrganisationCreate.model_validate(
                {**entry["organisation"], "owner_network_id": network.id}
            ),
        )
        await endorsement_service.endorse(
            session,
            admin,
            Subject(network, by_name[entry["badge"]]),
            settings,
            data=EndorsementCreate(endorser_organisation_id=org.id, comment=entry["comment"]),
        )
    for entry in doc["issuer_endorsements"]:
        await endorsement_service.endorse(
            session,
            admin,
            Subject(network),
            settings,
            data=EndorsementCreate(
                endorser_network_id=networks[entry["endorser"]].id, comment=entry["comment"]
            ),
        )
    for badge, entry in zip(badges, doc["badges"], strict=True):
        for award in entry["awards"]:
            await service.award_badge(
                session,
                chair,
                Scoped(obj=badge, network=network),
                settings,
                data=AwardCreate.model_validate({**award, "evidence": doc["evidence"]}),
            )
