"""Demo communities and a matched cohort (demo/communities.yaml), made with the community
services, so every row has its audit event. Expects the networks, organisations and people of
networks.yaml and people.yaml."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.policy import Principal
from app.cohorts import matching_service
from app.cohorts import service as cohort_service
from app.cohorts.schemas import CohortCreate, EnrolmentCreate, MatchingRequest
from app.cohorts.scope import InCohort
from app.communities import meeting_service, member_service, service
from app.communities.models import Community
from app.communities.schemas import CommunityCreate, MeetingCreate, MemberCreate
from app.communities.scope import InCommunity
from app.core.resources import Scoped
from app.demo import documents, lookups
from app.networks.models import Network
from app.organisations import service as organisation_service
from app.organisations.schemas import MembershipCreate, OrganisationCreate
from app.plans import objective_service
from app.plans.models import Objective, Plan
from app.plans.objective_schemas import ObjectiveUpdate
from app.plans.scope import load_in_plan


def _named(entries: list[dict[str, Any]], key: str) -> list[str]:
    return [e[key] for e in entries if key in e]


async def _community(
    session: AsyncSession,
    admin: Principal,
    network: Network,
    networks: dict[str, Network],
    entry: dict[str, Any],
    joined_on: Any,
) -> None:
    """A community with its members (people by email, organisations by name) and meetings."""
    members, meetings = entry.get("members", []), entry.get("meetings", [])
    fields = {k: v for k, v in entry.items() if k not in ("members", "meetings", "participating")}
    if entry.get("participating") == "regional":
        regional = [n.id for n in networks.values() if n.parent_id == network.id]
        fields["participating_network_ids"] = regional
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
    emails = _named(members, "user") + [e for m in meetings for e in m.get("attendees", [])]
    people = await lookups.users(session, emails)
    organisations = await lookups.organisations(session, _named(members, "organisation"))
    for member in members:
        body: dict[str, Any] = {"role": member["role"]}
        if "user" in member:
            body["user_id"] = people[member["user"]]
        else:
            body["organisation_id"] = organisations[member["organisation"]]
        if joined_on is not None:
            body["joined_on"] = joined_on
        await member_service.add_member(
            session, admin, found, data=MemberCreate.model_validate(body)
        )
    for meeting in meetings:
        body = {k: v for k, v in meeting.items() if k != "attendees"}
        body["attendee_user_ids"] = [people[email] for email in meeting.get("attendees", [])]
        await meeting_service.create_meeting(
            session, admin, found, data=MeetingCreate.model_validate(body)
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


async def _cohort(
    session: AsyncSession, admin: Principal, network: Network, doc: dict[str, Any]
) -> None:
    """The cohort: its schools (created where missing), enrolled with their enquiries, matched
    into teams and the proposal accepted."""
    authorities = next(e for e in documents.load("networks") if e["name"] == network.name)
    names = {
        authority: [*schools, *doc["more_schools"].get(authority, [])]
        for authority, schools in authorities["authorities"].items()
    }
    known = await lookups.organisations(session, [n for group in names.values() for n in group])
    for authority, schools in doc["more_schools"].items():
        for school in schools:
            if school in known:
                continue
            org = await organisation_service.create(
                session,
                admin,
                data=OrganisationCreate.model_validate(
                    {
                        "name": school,
                        "kind": "school",
                        "owner_network_id": network.id,
                        "country": "GB",
                        "local_authority": authority,
                    }
                ),
            )
            assert org.id is not None
            known[school] = org.id
            await organisation_service.add_member(
                session, admin, network, data=MembershipCreate(organisation_id=org.id)
            )
    cohort = await cohort_service.create_cohort(
        session, admin, network, data=CohortCreate.model_validate(doc["cohort"])
    )
    in_cohort = Scoped(obj=cohort, network=network)
    # Interleave authorities so enquiries spread across them.
    order = [
        names[la][i]
        for i in range(max(len(v) for v in names.values()))
        for la in sorted(names)
        if i < len(names[la])
    ]
    enquiries = doc["enquiries"]
    for number, school in enumerate(order):
        enquiry = enquiries[(number * 3) % len(enquiries)]
        await cohort_service.enrol(
            session,
            admin,
            in_cohort,
            data=EnrolmentCreate.model_validate(
                {**enquiry, "organisation_id": known[school], "enrolled_on": doc["enrolled_on"]}
            ),
        )
    proposal = await matching_service.propose_matching(
        session, admin, in_cohort, data=MatchingRequest.model_validate(doc["matching"])
    )
    await matching_service.accept_proposal(
        session, admin, InCohort(obj=proposal, cohort=cohort, network=network)
    )


async def load(session: AsyncSession, admin: Principal, networks: dict[str, Network]) -> None:
    """Add the demo communities, cohort and teams (the networks of networks.yaml must exist)."""
    for network_name, doc in documents.load("communities").items():
        network = networks[network_name]
        for entry in doc["communities"]:
            await _community(session, admin, network, networks, entry, doc.get("joined_on"))
        if doc.get("link_responsible_groups"):
            await link_responsible_groups(session, admin, network)
        if "cohort" in doc:
            await _cohort(session, admin, network, doc["cohort"])
