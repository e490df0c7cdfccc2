"""Routes for a community's meetings (deleted softly, restorable)."""

from typing import Annotated

from app.auth.deps import CurrentPrincipal
from app.communities import meeting_service
from app.communities.community_router import LIST_ERRORS
from app.communities.deps import DeletedMeeting, ValidCommunity, ValidMeeting
from app.communities.models import Meeting
from app.communities.schemas import (
    MeetingCreate,
    MeetingFilters,
    MeetingPage,
    MeetingRead,
    MeetingUpdate,
)
from app.core.resources import ListQuery, list_query
from app.core.routes import Collection, ItemRoutes, api_router

router = api_router(tags=["communities"])

MeetingList = Annotated[
    ListQuery,
    list_query(
        {"held_on": Meeting.held_on, "updated_at": Meeting.updated_at},
        Meeting.id,
        default="held_on",
    ),
]


meetings = Collection(router, "/communities/{community_id}/meetings", "community_meeting", None)
meetings.scope, meetings.caller = ValidCommunity, CurrentPrincipal
meetings.list(
    "List a community's meetings",
    MeetingList,
    MeetingPage,
    meeting_service.list_meetings,
    filters=MeetingFilters,
    filters_first=True,
    responses=LIST_ERRORS,
)
meetings.create(
    "Record a meeting of a community",
    MeetingCreate,
    meeting_service.create_meeting,
    MeetingRead,
    location="/api/v1/meetings/{id}",
)
meeting = ItemRoutes(router, "/meetings/{meeting_id}", "meeting", ValidMeeting, CurrentPrincipal)
meeting.read, meeting.deleted = MeetingRead, DeletedMeeting
meeting.get("Get a meeting")
meeting.update("Update a meeting's record", MeetingUpdate, meeting_service.update_meeting)
meeting.delete("Delete a meeting (restorable)", meeting_service.delete_meeting)
meeting.restore("Restore a deleted meeting", meeting_service.restore_meeting)
