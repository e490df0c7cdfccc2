"""Routes for a community's meetings (deleted softly, restorable)."""

from typing import Annotated

from fastapi import Query, Response, status

from app.auth.deps import CurrentPrincipal
from app.communities import meeting_service
from app.communities.community_router import LIST_ERRORS
from app.communities.deps import DeletedMeeting, ValidCommunity, ValidMeeting
from app.communities.models import Meeting
from app.communities.schemas import MeetingCreate, MeetingPage, MeetingRead, MeetingUpdate
from app.core import responses
from app.core.db import SessionDep
from app.core.resources import ListQuery, list_query, tagged
from app.core.routes import api_router
from app.core.schemas import Day
from app.core.versioning import IfMatchHeader, check_if_match

router = api_router(tags=["communities"])

MeetingList = Annotated[
    ListQuery,
    list_query(
        {"held_on": Meeting.held_on, "updated_at": Meeting.updated_at},
        Meeting.id,
        default="held_on",
    ),
]


@router.get(
    "/communities/{community_id}/meetings",
    summary="List a community's meetings",
    responses=LIST_ERRORS,
)
async def list_community_meetings(
    found: ValidCommunity,
    session: SessionDep,
    held_from: Annotated[
        Day | None, Query(alias="from", description="Held on or after (YYYY-MM-DD).")
    ] = None,
    held_to: Annotated[
        Day | None, Query(alias="to", description="Held on or before (YYYY-MM-DD).")
    ] = None,
    *,
    query: MeetingList,
) -> MeetingPage:
    result = await meeting_service.list_meetings(
        session, found.community, held_from=held_from, held_to=held_to, params=query.params
    )
    return query.page(MeetingPage, result)


@router.post(
    "/communities/{community_id}/meetings",
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
    meeting = await meeting_service.create_meeting(session, principal, found, data=data)
    return tagged(response, meeting, f"/api/v1/meetings/{meeting.id}")


@router.get(
    "/meetings/{meeting_id}",
    summary="Get a meeting",
    response_model=MeetingRead,
    responses=responses.READ,
)
async def get_meeting(found: ValidMeeting, response: Response) -> Meeting:
    return tagged(response, found.obj)


@router.patch(
    "/meetings/{meeting_id}",
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
    meeting = await meeting_service.update_meeting(session, principal, found, data=data)
    return tagged(response, meeting)


@router.delete(
    "/meetings/{meeting_id}",
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
    await meeting_service.delete_meeting(session, principal, found)


@router.post(
    "/meetings/{meeting_id}/restore",
    summary="Restore a deleted meeting",
    response_model=MeetingRead,
    responses=responses.ACTION,
)
async def restore_meeting(
    found: DeletedMeeting, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> Meeting:
    return tagged(response, await meeting_service.restore_meeting(session, principal, found))
