"""Routes for communities, their members, meetings and actions; cohorts, enrolments and
matching schools into collaborative learning teams."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from app.auth.deps import CurrentPrincipal
from app.communities import measures as _measures  # noqa: F401  (registers measure sources)
from app.communities import service
from app.communities.deps import (
    ReadableNetwork,
    ValidCohort,
    ValidCommunity,
    ValidEnrolment,
    ValidMeeting,
    ValidMember,
    ValidProposal,
)
from app.communities.models import (
    Cohort,
    Community,
    CommunityMember,
    Enrolment,
    MatchingProposal,
    Meeting,
)
from app.communities.schemas import (
    CohortCreate,
    CohortPage,
    CohortRead,
    CohortUpdate,
    CommunityCreate,
    CommunityKind,
    CommunityPage,
    CommunityRead,
    CommunityRole,
    CommunityStatus,
    CommunityUpdate,
    EnrolmentCreate,
    EnrolmentPage,
    EnrolmentRead,
    EnrolmentUpdate,
    MatchingProposalPage,
    MatchingProposalRead,
    MatchingProposalStatus,
    MatchingRequest,
    MeetingCreate,
    MeetingPage,
    MeetingRead,
    MeetingUpdate,
    MemberCreate,
    MemberEnd,
    MemberPage,
    MemberRead,
    NetworkScope,
)
from app.communities.scope import load_in_cohort, load_in_community
from app.core import responses
from app.core.db import SessionDep
from app.core.models import Id, path_id
from app.core.pagination import CursorQuery, LimitQuery, SyncQuery, link_next, sort_from_param
from app.core.resources import tagged
from app.core.routing import CohesionRoute
from app.core.schemas import LINE_PATTERN, Day
from app.core.versioning import IfMatchHeader, check_if_match
from app.plans.action_schemas import ActionPage, ActionRead
from app.plans.models import Action

router = APIRouter(tags=["communities"], route_class=CohesionRoute)

SortQuery = Annotated[str | None, Query(max_length=30, description="A field; - to reverse.")]
LIST_ERRORS = responses.problems(400, 401, 403, 404, 422)
COMMUNITY_SORTS: dict[str, Any] = {
    "title": Community.title,
    "kind": Community.kind,
    "updated_at": Community.updated_at,
}
MEMBER_SORTS: dict[str, Any] = {"joined_on": CommunityMember.joined_on}
MEETING_SORTS: dict[str, Any] = {"held_on": Meeting.held_on, "updated_at": Meeting.updated_at}
COHORT_SORTS: dict[str, Any] = {"name": Cohort.name, "launch_on": Cohort.launch_on}
ENROLMENT_SORTS: dict[str, Any] = {"enrolled_on": Enrolment.enrolled_on}
ACTION_SORTS: dict[str, Any] = {"due_on": Action.due_on, "updated_at": Action.updated_at}


# --- communities --------------------------------------------------------------------------


@router.get(
    "/networks/{network_id}/communities",
    operation_id="list_network_communities",
    summary="List the communities a network is home to or takes part in",
    response_model=CommunityPage,
    responses=LIST_ERRORS,
)
async def list_network_communities(
    request: Request,
    response: Response,
    network: ReadableNetwork,
    session: SessionDep,
    scope: Annotated[
        NetworkScope,
        Query(description="home: at home here; participating: hosted elsewhere; all: both."),
    ] = NetworkScope.all,
    kind: Annotated[CommunityKind | None, Query(description="Only this kind.")] = None,
    community_status: Annotated[
        CommunityStatus | None, Query(alias="status", description="Only this status.")
    ] = None,
    cohort_id: Annotated[Id | None, Query(description="Only teams matched in this cohort.")] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, pattern=LINE_PATTERN, description="Text in title or focus."),
    ] = None,
    sort: SortQuery = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> CommunityPage:
    order = sort_from_param(sort, COMMUNITY_SORTS, Community.id)
    items, next_cursor = await service.list_communities(
        session,
        network,
        scope=scope,
        kind=kind,
        status=community_status,
        cohort_id=cohort_id,
        q=q,
        sort=order,
        limit=limit,
        cursor=cursor,
        since=since,
    )
    link_next(request, response, next_cursor)
    return CommunityPage(
        items=await service.community_reads(session, items), next_cursor=next_cursor
    )


@router.post(
    "/networks/{network_id}/communities",
    operation_id="create_network_community",
    summary="Create a community at home in a network",
    status_code=status.HTTP_201_CREATED,
    response_model=CommunityRead,
    responses=responses.CREATE,
)
async def create_network_community(
    data: CommunityCreate,
    network: ReadableNetwork,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> CommunityRead:
    community, networks = await service.create_community(session, principal, network, data=data)
    tagged(response, community, f"/api/v1/communities/{community.id}")
    return service.community_read(community, networks)


@router.get(
    "/communities/{community_id}",
    operation_id="get_community",
    summary="Get a community",
    response_model=CommunityRead,
    responses=responses.READ,
)
async def get_community(found: ValidCommunity, response: Response) -> CommunityRead:
    tagged(response, found.community)
    return service.community_read(
        found.community, [n.id for n in found.participating if n.id is not None]
    )


@router.patch(
    "/communities/{community_id}",
    operation_id="update_community",
    summary="Update or close a community",
    response_model=CommunityRead,
    responses=responses.UPDATE,
)
async def update_community(
    data: CommunityUpdate,
    found: ValidCommunity,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> CommunityRead:
    check_if_match(if_match, found.community.version)
    community, networks = await service.update_community(session, principal, found, data=data)
    tagged(response, community)
    return service.community_read(community, networks)


@router.delete(
    "/communities/{community_id}",
    operation_id="delete_community",
    summary="Delete a community (restorable)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses.DELETE,
)
async def delete_community(
    found: ValidCommunity,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> None:
    check_if_match(if_match, found.community.version)
    await service.delete_community(session, principal, found)


@router.post(
    "/communities/{community_id}/restore",
    operation_id="restore_community",
    summary="Restore a deleted community",
    response_model=CommunityRead,
    responses=responses.ACTION,
)
async def restore_community(
    principal: CurrentPrincipal,
    session: SessionDep,
    community_id: Annotated[int, path_id("community")],
    response: Response,
) -> CommunityRead:
    found = await load_in_community(
        session, principal, Community, community_id, "deleted community", deleted=True
    )
    community = await service.restore_community(session, principal, found)
    tagged(response, community)
    return service.community_read(
        community, [n.id for n in found.participating if n.id is not None]
    )


@router.get(
    "/communities/{community_id}/actions",
    operation_id="list_community_actions",
    summary="List the plan actions a community owns or is responsible for",
    response_model=ActionPage,
    responses=LIST_ERRORS,
)
async def list_community_actions(
    request: Request,
    response: Response,
    found: ValidCommunity,
    session: SessionDep,
    principal: CurrentPrincipal,
    sort: SortQuery = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> ActionPage:
    order = sort_from_param(sort, ACTION_SORTS, Action.id)
    items, next_cursor = await service.list_community_actions(
        session, principal, found, sort=order, limit=limit, cursor=cursor, since=since
    )
    link_next(request, response, next_cursor)
    return ActionPage(
        items=[ActionRead.model_validate(a, from_attributes=True) for a in items],
        next_cursor=next_cursor,
    )


# --- members ------------------------------------------------------------------------------


@router.get(
    "/communities/{community_id}/members",
    operation_id="list_community_members",
    summary="List a community's members (current; with include_ended, past ones too)",
    response_model=MemberPage,
    responses=LIST_ERRORS,
)
async def list_community_members(
    request: Request,
    response: Response,
    found: ValidCommunity,
    session: SessionDep,
    include_ended: Annotated[bool, Query(description="Include members who left.")] = False,
    role: Annotated[CommunityRole | None, Query(description="Only this role.")] = None,
    sort: Annotated[str | None, Query(max_length=30, description="joined_on or id.")] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> MemberPage:
    order = sort_from_param(sort, MEMBER_SORTS, CommunityMember.id)
    items, next_cursor = await service.list_members(
        session,
        found.community,
        include_ended=include_ended,
        role=role,
        sort=order,
        limit=limit,
        cursor=cursor,
        since=since,
    )
    link_next(request, response, next_cursor)
    return MemberPage(
        items=[MemberRead.model_validate(m, from_attributes=True) for m in items],
        next_cursor=next_cursor,
    )


@router.post(
    "/communities/{community_id}/members",
    operation_id="create_community_member",
    summary="Add a person or an organisation to a community",
    status_code=status.HTTP_201_CREATED,
    response_model=MemberRead,
    responses=responses.CREATE,
)
async def create_community_member(
    data: MemberCreate,
    found: ValidCommunity,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> CommunityMember:
    member = await service.add_member(session, principal, found, data=data)
    tagged(response, member, f"/api/v1/community-members/{member.id}")
    return member


@router.get(
    "/community-members/{community_member_id}",
    operation_id="get_community_member",
    summary="Get a community member",
    response_model=MemberRead,
    responses=responses.READ,
)
async def get_community_member(found: ValidMember, response: Response) -> CommunityMember:
    tagged(response, found.obj)
    return found.obj


@router.post(
    "/community-members/{community_member_id}/end",
    operation_id="end_community_member",
    summary="End a community membership (kept as history)",
    response_model=MemberRead,
    responses=responses.ACTION,
)
async def end_community_member(
    found: ValidMember,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    data: MemberEnd | None = None,
) -> CommunityMember:
    member = await service.end_member(
        session, principal, found, left_on=data.left_on if data else None
    )
    tagged(response, member)
    return member


# --- meetings -----------------------------------------------------------------------------


@router.get(
    "/communities/{community_id}/meetings",
    operation_id="list_community_meetings",
    summary="List a community's meetings",
    response_model=MeetingPage,
    responses=LIST_ERRORS,
)
async def list_community_meetings(
    request: Request,
    response: Response,
    found: ValidCommunity,
    session: SessionDep,
    held_from: Annotated[
        Day | None, Query(alias="from", description="Held on or after (YYYY-MM-DD).")
    ] = None,
    held_to: Annotated[
        Day | None, Query(alias="to", description="Held on or before (YYYY-MM-DD).")
    ] = None,
    sort: Annotated[
        str | None, Query(max_length=30, description="held_on, updated_at or id; - reverses.")
    ] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> MeetingPage:
    order = sort_from_param(sort, MEETING_SORTS, Meeting.id, default="held_on")
    items, next_cursor = await service.list_meetings(
        session,
        found.community,
        held_from=held_from,
        held_to=held_to,
        sort=order,
        limit=limit,
        cursor=cursor,
        since=since,
    )
    link_next(request, response, next_cursor)
    return MeetingPage(
        items=[MeetingRead.model_validate(m, from_attributes=True) for m in items],
        next_cursor=next_cursor,
    )


@router.post(
    "/communities/{community_id}/meetings",
    operation_id="create_community_meeting",
    summary="Record a meeting of a community",
    status_code=status.HTTP_201_CREATED,
    response_model=MeetingRead,
    responses=responses.CREATE,
)
async def create_community_meeting(
    data: MeetingCreate,
    found: ValidCommunity,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> Meeting:
    meeting = await service.create_meeting(session, principal, found, data=data)
    tagged(response, meeting, f"/api/v1/meetings/{meeting.id}")
    return meeting


@router.get(
    "/meetings/{meeting_id}",
    operation_id="get_meeting",
    summary="Get a meeting",
    response_model=MeetingRead,
    responses=responses.READ,
)
async def get_meeting(found: ValidMeeting, response: Response) -> Meeting:
    tagged(response, found.obj)
    return found.obj


@router.patch(
    "/meetings/{meeting_id}",
    operation_id="update_meeting",
    summary="Update a meeting's record",
    response_model=MeetingRead,
    responses=responses.UPDATE,
)
async def update_meeting(
    data: MeetingUpdate,
    found: ValidMeeting,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> Meeting:
    check_if_match(if_match, found.obj.version)
    meeting = await service.update_meeting(session, principal, found, data=data)
    tagged(response, meeting)
    return meeting


@router.delete(
    "/meetings/{meeting_id}",
    operation_id="delete_meeting",
    summary="Delete a meeting (restorable)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses.DELETE,
)
async def delete_meeting(
    found: ValidMeeting,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> None:
    check_if_match(if_match, found.obj.version)
    await service.delete_meeting(session, principal, found)


@router.post(
    "/meetings/{meeting_id}/restore",
    operation_id="restore_meeting",
    summary="Restore a deleted meeting",
    response_model=MeetingRead,
    responses=responses.ACTION,
)
async def restore_meeting(
    principal: CurrentPrincipal,
    session: SessionDep,
    meeting_id: Annotated[int, path_id("meeting")],
    response: Response,
) -> Meeting:
    found = await load_in_community(
        session, principal, Meeting, meeting_id, "deleted meeting", deleted=True
    )
    meeting = await service.restore_meeting(session, principal, found)
    tagged(response, meeting)
    return meeting


# --- cohorts ------------------------------------------------------------------------------


@router.get(
    "/networks/{network_id}/cohorts",
    operation_id="list_network_cohorts",
    summary="List a network's cohorts",
    response_model=CohortPage,
    responses=LIST_ERRORS,
)
async def list_network_cohorts(
    request: Request,
    response: Response,
    network: ReadableNetwork,
    session: SessionDep,
    q: Annotated[
        str | None, Query(max_length=200, pattern=LINE_PATTERN, description="Text in the name.")
    ] = None,
    sort: Annotated[
        str | None, Query(max_length=30, description="name, launch_on or id; - reverses.")
    ] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> CohortPage:
    order = sort_from_param(sort, COHORT_SORTS, Cohort.id)
    items, next_cursor = await service.list_cohorts(
        session, network, q=q, sort=order, limit=limit, cursor=cursor, since=since
    )
    link_next(request, response, next_cursor)
    return CohortPage(items=await service.cohort_reads(session, items), next_cursor=next_cursor)


@router.post(
    "/networks/{network_id}/cohorts",
    operation_id="create_network_cohort",
    summary="Create a cohort of a collaborative learning programme",
    status_code=status.HTTP_201_CREATED,
    response_model=CohortRead,
    responses=responses.CREATE,
)
async def create_network_cohort(
    data: CohortCreate,
    network: ReadableNetwork,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> CohortRead:
    cohort = await service.create_cohort(session, principal, network, data=data)
    tagged(response, cohort, f"/api/v1/cohorts/{cohort.id}")
    return service.cohort_read(cohort, 0)


async def _cohort_read(session: Any, cohort: Cohort) -> CohortRead:
    return (await service.cohort_reads(session, [cohort]))[0]


@router.get(
    "/cohorts/{cohort_id}",
    operation_id="get_cohort",
    summary="Get a cohort",
    response_model=CohortRead,
    responses=responses.READ,
)
async def get_cohort(found: ValidCohort, response: Response, session: SessionDep) -> CohortRead:
    tagged(response, found.cohort)
    return await _cohort_read(session, found.cohort)


@router.patch(
    "/cohorts/{cohort_id}",
    operation_id="update_cohort",
    summary="Update a cohort",
    response_model=CohortRead,
    responses=responses.UPDATE,
)
async def update_cohort(
    data: CohortUpdate,
    found: ValidCohort,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> CohortRead:
    check_if_match(if_match, found.cohort.version)
    cohort = await service.update_cohort(session, principal, found, data=data)
    read = await _cohort_read(session, cohort)
    tagged(response, cohort)
    return read


@router.delete(
    "/cohorts/{cohort_id}",
    operation_id="delete_cohort",
    summary="Delete a cohort (restorable)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses.DELETE,
)
async def delete_cohort(
    found: ValidCohort,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> None:
    check_if_match(if_match, found.cohort.version)
    await service.delete_cohort(session, principal, found)


@router.post(
    "/cohorts/{cohort_id}/restore",
    operation_id="restore_cohort",
    summary="Restore a deleted cohort",
    response_model=CohortRead,
    responses=responses.ACTION,
)
async def restore_cohort(
    principal: CurrentPrincipal,
    session: SessionDep,
    cohort_id: Annotated[int, path_id("cohort")],
    response: Response,
) -> CohortRead:
    found = await load_in_cohort(
        session, principal, Cohort, cohort_id, "deleted cohort", deleted=True
    )
    cohort = await service.restore_cohort(session, principal, found)
    read = await _cohort_read(session, cohort)
    tagged(response, cohort)
    return read


# --- enrolments ---------------------------------------------------------------------------


@router.get(
    "/cohorts/{cohort_id}/enrolments",
    operation_id="list_cohort_enrolments",
    summary="List a cohort's enrolled schools",
    response_model=EnrolmentPage,
    responses=LIST_ERRORS,
)
async def list_cohort_enrolments(
    request: Request,
    response: Response,
    found: ValidCohort,
    session: SessionDep,
    include_withdrawn: Annotated[bool, Query(description="Include withdrawn schools.")] = False,
    sort: Annotated[str | None, Query(max_length=30, description="enrolled_on or id.")] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> EnrolmentPage:
    order = sort_from_param(sort, ENROLMENT_SORTS, Enrolment.id)
    items, next_cursor = await service.list_enrolments(
        session,
        found.cohort,
        include_withdrawn=include_withdrawn,
        sort=order,
        limit=limit,
        cursor=cursor,
        since=since,
    )
    link_next(request, response, next_cursor)
    return EnrolmentPage(
        items=await service.enrolment_reads(session, items), next_cursor=next_cursor
    )


@router.post(
    "/cohorts/{cohort_id}/enrolments",
    operation_id="create_cohort_enrolment",
    summary="Enrol a school in a cohort with its enquiry interest",
    status_code=status.HTTP_201_CREATED,
    response_model=EnrolmentRead,
    responses=responses.CREATE,
)
async def create_cohort_enrolment(
    data: EnrolmentCreate,
    found: ValidCohort,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> EnrolmentRead:
    enrolment = await service.enrol(session, principal, found, data=data)
    tagged(response, enrolment, f"/api/v1/enrolments/{enrolment.id}")
    return (await service.enrolment_reads(session, [enrolment]))[0]


@router.get(
    "/enrolments/{enrolment_id}",
    operation_id="get_enrolment",
    summary="Get an enrolment",
    response_model=EnrolmentRead,
    responses=responses.READ,
)
async def get_enrolment(
    found: ValidEnrolment, response: Response, session: SessionDep
) -> EnrolmentRead:
    tagged(response, found.obj)
    return (await service.enrolment_reads(session, [found.obj]))[0]


@router.patch(
    "/enrolments/{enrolment_id}",
    operation_id="update_enrolment",
    summary="Update a school's enquiry interest",
    response_model=EnrolmentRead,
    responses=responses.UPDATE,
)
async def update_enrolment(
    data: EnrolmentUpdate,
    found: ValidEnrolment,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> EnrolmentRead:
    check_if_match(if_match, found.obj.version)
    enrolment = await service.update_enrolment(session, principal, found, data=data)
    read = (await service.enrolment_reads(session, [enrolment]))[0]
    tagged(response, enrolment)
    return read


@router.delete(
    "/enrolments/{enrolment_id}",
    operation_id="withdraw_enrolment",
    summary="Withdraw a school from a cohort (kept as history)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses.DELETE,
)
async def withdraw_enrolment(
    found: ValidEnrolment,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> None:
    check_if_match(if_match, found.obj.version)
    await service.withdraw(session, principal, found)


# --- matching -----------------------------------------------------------------------------


@router.post(
    "/cohorts/{cohort_id}/matching",
    operation_id="create_cohort_matching",
    summary="Propose collaborative learning teams for a cohort's schools",
    status_code=status.HTTP_201_CREATED,
    response_model=MatchingProposalRead,
    responses=responses.CREATE,
)
async def create_cohort_matching(
    data: MatchingRequest,
    found: ValidCohort,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> MatchingProposalRead:
    proposal = await service.propose_matching(session, principal, found, data=data)
    tagged(response, proposal, f"/api/v1/cohorts/{found.cohort.id}/matching/{proposal.id}")
    return service.proposal_read(proposal)


@router.get(
    "/cohorts/{cohort_id}/matching",
    operation_id="list_cohort_matchings",
    summary="List a cohort's matching proposals",
    response_model=MatchingProposalPage,
    responses=LIST_ERRORS,
)
async def list_cohort_matchings(
    request: Request,
    response: Response,
    found: ValidCohort,
    session: SessionDep,
    proposal_status: Annotated[
        MatchingProposalStatus | None, Query(alias="status", description="Only this status.")
    ] = None,
    sort: Annotated[str | None, Query(max_length=30, description="id; - reverses.")] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> MatchingProposalPage:
    order = sort_from_param(sort, {}, MatchingProposal.id)
    items, next_cursor = await service.list_proposals(
        session,
        found.cohort,
        status=proposal_status,
        sort=order,
        limit=limit,
        cursor=cursor,
        since=since,
    )
    link_next(request, response, next_cursor)
    return MatchingProposalPage(
        items=[service.proposal_read(p) for p in items], next_cursor=next_cursor
    )


@router.get(
    "/cohorts/{cohort_id}/matching/{proposal_id}",
    operation_id="get_cohort_matching",
    summary="Get a matching proposal",
    response_model=MatchingProposalRead,
    responses=responses.READ,
)
async def get_cohort_matching(found: ValidProposal, response: Response) -> MatchingProposalRead:
    tagged(response, found.obj)
    return service.proposal_read(found.obj)


@router.post(
    "/cohorts/{cohort_id}/matching/{proposal_id}/accept",
    operation_id="accept_cohort_matching",
    summary="Accept a proposal: create its collaborative learning teams",
    response_model=MatchingProposalRead,
    responses=responses.ACTION,
)
async def accept_cohort_matching(
    found: ValidProposal,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> MatchingProposalRead:
    proposal = await service.accept_proposal(session, principal, found)
    tagged(response, proposal)
    return service.proposal_read(proposal)
