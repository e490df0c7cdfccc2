"""Demo communities and a matched cohort, built from the seed documents with the service
functions (so every row has its audit event):

* Network of Networks (seed 000): the Steering Committee, spanning the regional networks, and
  three thematic working groups (International Cooperation, Leveraging EU Funds, Flexible
  Learning Pathways), each with a development plan and at least four members.
* Banyule Network (seed 003): its community of practice, led by the chair with the executive
  and the SEIL, meeting every two months for an hour, face to face.
* West Partnership (seed 004): the CLN facilitator network with the Robert Owen Centre as
  critical friend, and CLN Cohort 1 (May 2019 - May 2020): 36 schools across the eight local
  authorities enrolled with their enquiry, matched into teams of 3-4 and accepted.

``load_demo`` expects the networks, organisations and people of ``app/demo.py``; it finds
people by email and organisations by name.
"""

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.models import User
from app.auth.policy import Principal
from app.communities import service
from app.communities.deps import InCohort, InCommunity
from app.communities.models import Community
from app.communities.schemas import (
    CohortCreate,
    CommunityCreate,
    EnrolmentCreate,
    MatchingRequest,
    MeetingCreate,
    MemberCreate,
)
from app.networks.models import Network
from app.organisations import service as organisation_service
from app.organisations.models import Organisation
from app.organisations.schemas import MembershipCreate, OrganisationCreate, OrganisationKind
from app.plans import objective_service
from app.plans.models import Objective, Plan
from app.plans.objective_schemas import ObjectiveUpdate
from app.plans.scope import load_in_plan

NON = "Network of Networks"
WEST = "West Partnership"
BANYULE = "Banyule Network"

# The 16 schools app/demo.py creates, two per authority, and 20 more for a cohort of 36.
EXISTING_SCHOOLS = {
    "East Dunbartonshire": ["Bishopbriggs Academy", "Lenzie Primary School"],
    "East Renfrewshire": ["Eastwood High School", "Busby Primary School"],
    "Glasgow City": ["Hillhead High School", "St Mungo's Academy"],
    "Inverclyde": ["Port Glasgow High School", "Inverkip Primary School"],
    "North Lanarkshire": ["Coatbridge High School", "Chryston Primary School"],
    "Renfrewshire": ["Paisley Grammar School", "Houston Primary School"],
    "South Lanarkshire": ["Calderglen High School", "Hamilton Grammar School"],
    "West Dunbartonshire": ["Clydebank High School", "Dalmuir Primary School"],
}
EXTRA_SCHOOLS = {
    "East Dunbartonshire": ["Douglas Academy", "Kirkintilloch High School", "Milngavie Primary"],
    "East Renfrewshire": ["Williamwood High School", "Mearns Primary School", "Giffnock Primary"],
    "Glasgow City": ["Shawlands Academy", "Notre Dame High School", "Govan High School"],
    "Inverclyde": ["Inverclyde Academy", "Clydeview Academy"],
    "North Lanarkshire": ["Cumbernauld Academy", "Airdrie Academy"],
    "Renfrewshire": ["Castlehead High School", "Johnstone High School", "Park Mains High School"],
    "South Lanarkshire": ["Uddingston Grammar School", "Lanark Grammar School"],
    "West Dunbartonshire": ["Vale of Leven Academy", "Our Lady and St Patrick's High School"],
}

ENQUIRIES = [
    ("How can number talks build fluency and confidence in P4-P7?", ["numeracy", "mental maths"]),
    ("Does structured peer feedback improve extended writing?", ["literacy", "feedback"]),
    (
        "Can daily check-ins improve wellbeing and attendance?",
        ["health and wellbeing", "attendance"],
    ),
    (
        "How can digital tools support independent learning at home and in class?",
        ["digital learning", "independent learning"],
    ),
    (
        "Does play-based learning in P1 improve early language?",
        ["play-based learning", "literacy"],
    ),
    (
        "How do we close the poverty-related attainment gap in reading?",
        ["literacy", "equity", "reading"],
    ),
    ("How can families support numeracy at home?", ["numeracy", "family learning"]),
    ("Can outdoor learning raise engagement in science?", ["outdoor learning", "STEM"]),
]


async def _users(session: AsyncSession, emails: list[str]) -> dict[str, int]:
    rows = await session.execute(
        select(col(User.email), col(User.id)).where(col(User.email).in_(emails))
    )
    return {email: uid for email, uid in rows.all() if uid is not None}


async def _organisations(session: AsyncSession, names: list[str]) -> dict[str, int]:
    rows = await session.execute(
        select(col(Organisation.name), col(Organisation.id)).where(
            col(Organisation.name).in_(names), col(Organisation.deleted_at).is_(None)
        )
    )
    return {name: oid for name, oid in rows.all() if oid is not None}


async def _community(
    session: AsyncSession,
    admin: Principal,
    network: Network,
    members: list[dict[str, Any]],
    **fields: Any,
) -> InCommunity[Community]:
    community, network_ids = await service.create_community(
        session, admin, network, data=CommunityCreate.model_validate(fields)
    )
    participating = [await session.get(Network, n) for n in network_ids]
    found = InCommunity(
        obj=community,
        community=community,
        network=network,
        participating=[n for n in participating if n is not None],
        member_roles=frozenset(),
    )
    for member in members:
        await service.add_member(session, admin, found, data=MemberCreate.model_validate(member))
    return found


async def _network_of_networks(
    session: AsyncSession, admin: Principal, networks: dict[str, Network]
) -> None:
    non = networks[NON]
    regional = [n for name, n in networks.items() if n.parent_id == non.id]
    people = await _users(
        session,
        [
            "chair@nonetwork.example",
            "executive@nonetwork.example",
            "facilitator@nonetwork.example",
            "member@nonetwork.example",
        ],
    )
    colleges = await _organisations(
        session,
        [
            "Glasgow Kelvin College",
            "Edinburgh College",
            "Fife College",
            "Tknika Innovation Centre",
            "Cebanc Centre of Studies",
            "Tampere Vocational College Tredu",
            "Sastamala Vocational College",
            "IIS Aldini Valeriani",
            "Istituto Belluzzi-Fioravanti",
            "Belfast Metropolitan College",
            "South West College",
        ],
    )

    def person(email: str, role: str) -> dict[str, Any]:
        return {"user_id": people[email], "role": role, "joined_on": date(2021, 9, 1)}

    def college(name: str, role: str = "member") -> dict[str, Any]:
        return {"organisation_id": colleges[name], "role": role, "joined_on": date(2021, 9, 1)}

    await _community(
        session,
        admin,
        non,
        [
            person("chair@nonetwork.example", "lead"),
            person("executive@nonetwork.example", "member"),
            person("facilitator@nonetwork.example", "facilitator"),
        ],
        kind="steering_committee",
        title="Network of Networks Steering Committee",
        focus_area="Coherence, governance and the joint strategy of the alliance",
        purpose="Brings long-term coherence and direction to the Network of Networks: the "
        "five-year cooperation strategy, the annual action plan and the network governance "
        "structure, with a representative of every regional network.",
        status="active",
        participating_network_ids=[n.id for n in regional],
        cadence={
            "frequency": "quarterly, plus the annual meeting",
            "duration_minutes": 120,
            "format": "blended",
        },
        development_plan="2021-22: agree the five-year strategy and a Memorandum of "
        "Understanding; establish three thematic working groups; adopt the internal and "
        "external communication plans.",
    )
    groups = [
        (
            "International Cooperation Thematic Working Group",
            "Virtual and physical mobility for students at all EQF levels; joint online "
            "student projects",
            "facilitator@nonetwork.example",
            [
                "Glasgow Kelvin College",
                "Tknika Innovation Centre",
                "Tampere Vocational College Tredu",
                "IIS Aldini Valeriani",
            ],
            "Register of mobility opportunities at each EQF level; at least 25 staff "
            "mobilities a year; a list of NoN study programmes and contact persons.",
        ),
        (
            "Leveraging EU Funds Working Group",
            "Joint Erasmus+ applications and collaborative projects",
            "executive@nonetwork.example",
            ["Edinburgh College", "Cebanc Centre of Studies", "Sastamala Vocational College"],
            "Map the calls of the year; pair partners for two joint applications; capture "
            "outcomes at the annual meeting and in one news article.",
        ),
        (
            "Flexible Learning Pathways Working Group",
            "Flexible and individualised learning pathways using ECVET and the EQF",
            "member@nonetwork.example",
            [
                "Fife College",
                "Istituto Belluzzi-Fioravanti",
                "Belfast Metropolitan College",
                "South West College",
            ],
            "Map partner qualifications to EQF levels; review individualised pathways and "
            "transnational mobility under ECVET; share the map on Teams.",
        ),
    ]
    for title, focus, lead, members, plan in groups:
        found = await _community(
            session,
            admin,
            non,
            [person(lead, "lead"), *(college(name) for name in members)],
            kind="working_group",
            title=title,
            focus_area=focus,
            status="active",
            participating_network_ids=[n.id for n in regional],
            cadence={"frequency": "every two months", "duration_minutes": 60, "format": "online"},
            development_plan=plan,
        )
        if title.startswith("International"):
            await service.create_meeting(
                session,
                admin,
                found,
                data=MeetingCreate(
                    held_on=date(2021, 11, 16),
                    title="Mobility register kick-off",
                    attendee_user_ids=[people[lead]],
                    attendee_names=["Mobility officers of four colleges"],
                    agenda="1. What each college offers at which EQF level\n2. Virtual mobility",
                    notes="Partners compared how they record mobilities; agreed one register "
                    "on Teams and a common definition of a virtual mobility.",
                    evaluative_statements=[
                        "Seeing each other's offers made gaps at EQF levels 3-4 obvious.",
                    ],
                ),
            )


def responsible_community(text: str, communities: list[Community]) -> Community | None:
    """The community a plan's responsible-group text names: its title, or the text's first
    named group ("Steering Committee and future thematic Working Groups." names the Steering
    Committee), matched without case or the final full stop."""
    wanted = text.strip().rstrip(".").lower()
    for phrase in (wanted, wanted.split(" and ")[0]):
        for community in communities:
            title = community.title.lower()
            if phrase == title or (len(phrase) > 10 and phrase in title):
                return community
    return None


async def link_responsible_groups(
    session: AsyncSession, admin: Principal, network: Network
) -> None:
    """Point the objectives of the network's plans at the community their responsible-group
    text names (seed 000 names the Steering Committee and the working groups)."""
    communities = list(
        (
            await session.scalars(
                select(Community).where(
                    col(Community.network_id) == network.id, col(Community.deleted_at).is_(None)
                )
            )
        ).all()
    )
    rows = await session.execute(
        select(col(Objective.id), col(Objective.responsible_group))
        .join(Plan, col(Plan.id) == col(Objective.plan_id))
        .where(
            col(Plan.network_id) == network.id,
            col(Objective.deleted_at).is_(None),
            col(Objective.responsible_group).is_not(None),
            col(Objective.responsible_community_id).is_(None),
        )
    )
    for objective_id, text in rows.all():
        community = responsible_community(text or "", communities)
        if community is None or objective_id is None:
            continue
        found = await load_in_plan(session, admin, Objective, objective_id, "objective")
        await objective_service.update_objective(
            session, admin, found, data=ObjectiveUpdate(responsible_community_id=community.id)
        )


async def _banyule(session: AsyncSession, admin: Principal, network: Network) -> None:
    people = await _users(
        session, ["chair@banyule.example", "executive@banyule.example", "seil@banyule.example"]
    )
    found = await _community(
        session,
        admin,
        network,
        [
            {"user_id": people["chair@banyule.example"], "role": "lead"},
            {"user_id": people["executive@banyule.example"], "role": "facilitator"},
            {"user_id": people["seil@banyule.example"], "role": "critical_friend"},
        ],
        kind="community_of_practice",
        title="Banyule Network Community of Practice",
        focus_area="FISO priority: excellence in teaching and learning (building practice "
        "excellence)",
        purpose="Principals learn together to improve student outcomes in each member's "
        "school and in their peers' schools, with mutual accountability and collective "
        "responsibility.",
        status="active",
        cadence={"frequency": "every two months", "duration_minutes": 60, "format": "in_person"},
        development_plan="Term 1: share school performance data and agree the focus; "
        "Term 2: peer observations; Term 3: evaluate impact against the improvement cycle.",
    )
    await service.create_meeting(
        session,
        admin,
        found,
        data=MeetingCreate(
            held_on=date(2022, 3, 8),
            title="Data conversation",
            attendee_user_ids=list(people.values()),
            agenda="Reading data across the network; choosing a shared focus",
            notes="Principals shared NAPLAN reading trends openly; the SEIL challenged the "
            "group to look past averages to the students below benchmark.",
            evaluative_statements=["We trusted each other enough to show weak results."],
        ),
    )


async def _west(session: AsyncSession, admin: Principal, west: Network) -> None:
    people = await _users(
        session, ["chair@westpartnership.example", "facilitator@westpartnership.example"]
    )
    partners = await _organisations(session, ["Robert Owen Centre, University of Glasgow"])
    await _community(
        session,
        admin,
        west,
        [
            {"user_id": people["chair@westpartnership.example"], "role": "lead"},
            {"user_id": people["facilitator@westpartnership.example"], "role": "critical_friend"},
            *({"organisation_id": oid, "role": "critical_friend"} for oid in partners.values()),
        ],
        kind="community_of_practice",
        title="CLN Facilitator Network",
        focus_area="Supporting and challenging Collaborative Learning Teams",
        purpose="Local authority facilitators support and challenge CLN teams and share "
        "their learning; the Robert Owen Centre acts as critical friend.",
        status="active",
        cadence={"frequency": "once a term", "duration_minutes": 90, "format": "blended"},
    )

    names = {la: [*EXISTING_SCHOOLS[la], *EXTRA_SCHOOLS[la]] for la in EXISTING_SCHOOLS}
    known = await _organisations(session, [n for group in names.values() for n in group])
    for authority, schools in EXTRA_SCHOOLS.items():
        for school in schools:
            if school in known:
                continue
            org = await organisation_service.create(
                session,
                admin,
                data=OrganisationCreate(
                    name=school,
                    kind=OrganisationKind.school,
                    owner_network_id=west.id,
                    country="GB",
                    local_authority=authority,
                ),
            )
            assert org.id is not None
            known[school] = org.id
            await organisation_service.add_member(
                session, admin, west, data=MembershipCreate(organisation_id=org.id)
            )

    cohort = await service.create_cohort(
        session,
        admin,
        west,
        data=CohortCreate.model_validate(
            {
                "name": "CLN Cohort 1",
                "description": "Schools matched into Collaborative Learning Teams to work on a "
                "shared enquiry across local authorities, supported by linked facilitators.",
                "launch_on": date(2019, 5, 1),
                "end_on": date(2020, 5, 31),
                "target_size": {"min": 30, "max": 40},
            }
        ),
    )
    in_cohort = InCohort(obj=cohort, cohort=cohort, network=west)
    # Interleave authorities so enquiries spread across them.
    order = [
        names[la][i]
        for i in range(max(len(v) for v in names.values()))
        for la in sorted(names)
        if i < len(names[la])
    ]
    for number, school in enumerate(order):
        enquiry, topics = ENQUIRIES[(number * 3) % len(ENQUIRIES)]
        await service.enrol(
            session,
            admin,
            in_cohort,
            data=EnrolmentCreate(
                organisation_id=known[school],
                enquiry=enquiry,
                topics=topics,
                enrolled_on=date(2019, 4, 15),
            ),
        )
    proposal = await service.propose_matching(
        session, admin, in_cohort, data=MatchingRequest(min_size=3, max_size=4)
    )
    await service.accept_proposal(
        session, admin, InCohort(obj=proposal, cohort=cohort, network=west)
    )


async def load_demo(session: AsyncSession, admin: Principal, networks: dict[str, Network]) -> None:
    """Add the demo communities, cohort and teams (the networks of app/demo.py must exist)."""
    await _network_of_networks(session, admin, networks)
    await link_responsible_groups(session, admin, networks[NON])
    await _banyule(session, admin, networks[BANYULE])
    await _west(session, admin, networks[WEST])
