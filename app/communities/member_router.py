"""Routes for a community's members: joining, listing, and ending a membership."""

from typing import Annotated

from fastapi import Depends, Response, status

from app.auth.deps import CurrentPrincipal
from app.auth.invitations import InvitationReceipt
from app.communities import member_service
from app.communities.community_router import LIST_ERRORS
from app.communities.deps import ValidCommunity, ValidMember
from app.communities.models import CommunityMember
from app.communities.schemas import MemberCreate, MemberEnd, MemberFilters, MemberPage, MemberRead
from app.core import responses
from app.core.db import SessionDep
from app.core.resources import ListQuery, list_query, tagged
from app.core.routes import Collection, ItemRoutes, api_router
from app.core.state import AppState, app_state_dependency

router = api_router(tags=["communities"])

MemberList = Annotated[
    ListQuery, list_query({"joined_on": CommunityMember.joined_on}, CommunityMember.id)
]


Collection(router, "/communities/{community_id}/members", "community_member", ValidCommunity).list(
    "List a community's members (current; with include_ended, past ones too)",
    MemberList,
    MemberPage,
    member_service.list_members,
    filters=MemberFilters,
    filters_first=True,
    responses=LIST_ERRORS,
)


@router.post(
    "/communities/{community_id}/members",
    summary="Add a person or an organisation to a community (a person by id, or by e-mail)",
    description="With `user_id` or `organisation_id`: `201` and the membership. With `email` "
    "instead: `202` and the same receipt whether or not the address has an account; a person "
    "with one joins at once and is told by e-mail, a person without one is sent an invitation "
    "(`POST /api/v1/invitations/accept` creates the account and the membership).",
    status_code=status.HTTP_201_CREATED,
    response_model=MemberRead | InvitationReceipt,
    responses={**responses.CREATE, 202: {"model": InvitationReceipt, "description": "Sent."}},
)
async def create_community_member(
    data: MemberCreate,
    found: ValidCommunity,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    state: Annotated[AppState, Depends(app_state_dependency)],
) -> CommunityMember | InvitationReceipt:
    if data.email is not None:
        response.status_code = status.HTTP_202_ACCEPTED
        return await member_service.invite_member(
            session, state.settings, principal, found, data=data
        )
    member = await member_service.add_member(session, principal, found, data=data)
    return tagged(response, member, f"/api/v1/community-members/{member.id}")


member = ItemRoutes(router, "/community-members/{community_member_id}", "community_member", None)
member.found, member.caller, member.read = ValidMember, CurrentPrincipal, MemberRead
member.get("Get a community member")
member.action(
    "end",
    "End a community membership (kept as history)",
    member_service.end_member,
    body=MemberEnd,
    optional=True,
)
