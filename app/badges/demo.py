"""Demo badge network: the England migrant-skills canvas (seed 002), entered section by section
by a new demo user, submitted and approved under "Open Badge Networks England", with two
badges and a few awards.

The demo proposer ``badges@migrantskills.example`` is created without a password (it cannot
log in until one is set); it becomes the badge network's chair on approval.
"""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User
from app.auth.policy import Grant, Principal, Role
from app.badges import service
from app.badges.schemas import AwardCreate, BadgeCreate, BadgeProposalCreate, BadgeProposalUpdate
from app.badges.scope import FoundProposal, InBadge
from app.core.config import get_settings
from app.networks import service as network_service
from app.networks.models import Network
from app.networks.schemas import NetworkCreate, NetworkKind

PARENT_NAME = "Open Badge Networks England"
PROPOSER_EMAIL = "badges@migrantskills.example"

SECTIONS: list[dict[str, Any]] = [
    {"name": "Open Badges for Migrant Skills England"},
    {
        "drivers": "To help make migrants and employers aware of badge schemes that will help "
        "migrants showcase their skills and employers find the right people. To support uptake "
        "of the badges."
    },
    {"territory": "England"},
    {
        "business_strategy": "Network could help us deliver existing deliverables around "
        "supporting migrants gain employment"
    },
    {
        "policy_strategy": "Helping migrants to integrate into their new country and gain "
        "meaningful employment"
    },
    {
        "existing_resources": {
            "partnerships": "Could tap into existing agency network.",
            "funding": "Additional funding unlikely at moment",
        }
    },
    {"commitment": {"time": "One day per month to meetings and administration"}},
    {
        "network_composition": "Representatives from migrant groups. Issuers of badges that "
        "would be pertinent to migrants to help them showcase their skills: mostly third sector "
        "but some large corporate issuers. Employers who have committed to employing migrants."
    },
    {
        "communication": {
            "cadence": "Once every two months",
            "duration": "One hour",
            "format": "Face-to-face meeting",
        }
    },
    {"engagement_channels": "Direct contact with our existing agency network; social media"},
    {
        "engagement_plan": "We will create a web page for the group, providing information on "
        "upcoming meetings. We will ask all group members to disseminate information about the "
        "network to their networks and invite participation."
    },
    {
        "structure_theme": "It will focus on uptake of badges that are relevant to migrants in "
        "England"
    },
    {"sub_groups": [{"name": "Migrant badge uptake group", "lead": "Skills Development Officer"}]},
    {
        "underpinning_principles": "It is open to all those interested in supporting uptake of "
        "badges by migrants to help them gain meaningful employment. It will create a safe place "
        "for people to learn about badges and make connections to support migrants into "
        "employment."
    },
    {"duration": "It will run for one year initially."},
    {
        "success_measures": [
            "Active and sustained participation in the network by all key stakeholders, eg "
            "migrants, issuers and employers.",
            "Network members who are migrants, taking the badges and gaining employment as a "
            "result of sharing them with employers.",
        ]
    },
]

BADGES = [
    BadgeCreate(
        name="Customer Service Skills",
        description="Recognises customer service skills gained in work or volunteering.",
        criteria_narrative="Three documented examples of resolving a customer query, "
        "confirmed by a supervisor.",
        skill_tags=["customer service", "communication"],
        alignments=[
            {
                "target_name": "EQF level 3",
                "target_url": "https://europa.eu/europass/en/description-eight-eqf-levels",
                "target_framework": "EQF",
                "target_code": "3",
            }
        ],
    ),
    BadgeCreate(
        name="Workplace English (Spoken)",
        description="Recognises spoken English sufficient for everyday workplace tasks.",
        criteria_narrative="A recorded workplace role-play assessed by an ESOL tutor.",
        skill_tags=["English", "language"],
    ),
]

AWARDS = [
    (0, "Amina Yusuf", "amina.yusuf@example.org"),
    (0, "Tomasz Nowak", "tomasz.nowak@example.org"),
    (1, "Amina Yusuf", "amina.yusuf@example.org"),
]


async def load_demo(session: AsyncSession, admin: Principal, networks: dict[str, Network]) -> None:
    parent = await network_service.create(
        session,
        admin,
        data=NetworkCreate(
            name=PARENT_NAME,
            kind=NetworkKind.alliance,
            territory="England",
            description="Open Badge networks across England.",
        ),
    )
    networks[PARENT_NAME] = parent
    user = User(email=PROPOSER_EMAIL, name="Skills Development Officer")
    session.add(user)
    await session.flush()
    assert user.id is not None and parent.id is not None
    proposer = Principal(kind="user", id=user.id, name=user.name)

    proposal = await service.create_proposal(
        session, proposer, data=BadgeProposalCreate(parent_network_id=parent.id)
    )
    found = FoundProposal(proposal, parent)
    for section in SECTIONS:
        await service.update_proposal(
            session, proposer, found, data=BadgeProposalUpdate.model_validate(section)
        )
    await service.submit_proposal(session, proposer, found)
    await service.approve_proposal(session, admin, found)
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
    badges = [await service.create_badge(session, chair, network, data=data) for data in BADGES]
    for index, name, email in AWARDS:
        badge = badges[index]
        await service.award_badge(
            session,
            chair,
            InBadge(badge, badge, network),
            settings,
            data=AwardCreate(
                recipient_name=name,
                recipient_email=email,
                evidence=[{"narrative": "Assessed at the Skills Hub"}],
            ),
        )
