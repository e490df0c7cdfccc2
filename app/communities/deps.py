"""Path-object loaders for communities and cohorts (FastAPI dependencies). The loading is in
``app/communities/scope.py``, who may see and do what in ``app/auth/policy.py``."""

from typing import Annotated

from fastapi import Depends

from app.auth import policy
from app.auth.deps import CurrentPrincipal
from app.communities.models import (
    Cohort,
    Community,
    CommunityMember,
    Enrolment,
    MatchingProposal,
    Meeting,
)
from app.communities.scope import InCohort, InCommunity, load_in_cohort, load_in_community
from app.core.db import SessionDep
from app.core.models import path_id
from app.networks import service as network_service
from app.networks.models import Network


async def readable_network(
    principal: CurrentPrincipal, session: SessionDep, network_id: Annotated[int, path_id("network")]
) -> Network:
    """The path's network, whose private data the caller reads (the caller is checked first,
    so an anonymous caller learns nothing about which ids exist)."""
    network = await network_service.get_or_404(session, network_id)
    policy.require_read(principal, network)
    return network


async def valid_community(
    principal: CurrentPrincipal,
    session: SessionDep,
    community_id: Annotated[int, path_id("community")],
) -> InCommunity[Community]:
    return await load_in_community(session, principal, Community, community_id, "community")


async def valid_member(
    principal: CurrentPrincipal,
    session: SessionDep,
    community_member_id: Annotated[int, path_id("community member")],
) -> InCommunity[CommunityMember]:
    return await load_in_community(
        session, principal, CommunityMember, community_member_id, "community member"
    )


async def valid_meeting(
    principal: CurrentPrincipal,
    session: SessionDep,
    meeting_id: Annotated[int, path_id("meeting")],
) -> InCommunity[Meeting]:
    return await load_in_community(session, principal, Meeting, meeting_id, "meeting")


async def valid_cohort(
    principal: CurrentPrincipal,
    session: SessionDep,
    cohort_id: Annotated[int, path_id("cohort")],
) -> InCohort[Cohort]:
    return await load_in_cohort(session, principal, Cohort, cohort_id, "cohort")


async def valid_enrolment(
    principal: CurrentPrincipal,
    session: SessionDep,
    enrolment_id: Annotated[int, path_id("enrolment")],
) -> InCohort[Enrolment]:
    return await load_in_cohort(session, principal, Enrolment, enrolment_id, "enrolment")


async def valid_proposal(
    principal: CurrentPrincipal,
    session: SessionDep,
    cohort_id: Annotated[int, path_id("cohort")],
    proposal_id: Annotated[int, path_id("matching proposal")],
) -> InCohort[MatchingProposal]:
    return await load_in_cohort(
        session, principal, MatchingProposal, proposal_id, "matching proposal", cohort_id=cohort_id
    )


ReadableNetwork = Annotated[Network, Depends(readable_network)]
ValidCommunity = Annotated[InCommunity[Community], Depends(valid_community)]
ValidMember = Annotated[InCommunity[CommunityMember], Depends(valid_member)]
ValidMeeting = Annotated[InCommunity[Meeting], Depends(valid_meeting)]
ValidCohort = Annotated[InCohort[Cohort], Depends(valid_cohort)]
ValidEnrolment = Annotated[InCohort[Enrolment], Depends(valid_enrolment)]
ValidProposal = Annotated[InCohort[MatchingProposal], Depends(valid_proposal)]
