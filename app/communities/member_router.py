"""Routes for a community's members: joining, listing, and ending a membership."""

from typing import Annotated

from fastapi import Depends, Query, Response, status

from app.auth.deps import CurrentPrincipal
from app.auth.invitations import InvitationReceipt
from app.communities import member_service
from app.communities.community_router import LIST_ERRORS
from app.communities.deps import ValidCommunity, ValidMember
from app.communities.models import CommunityMember
from app.communities.schemas import CommunityRole, MemberCreate, MemberEnd, MemberPage, MemberRead
from app.core import responses
from app.core.db import SessionDep
from app.core.resources import ListQuery, list_query, tagged
from app.core.routes import api_router
from app.core.state import AppState, app_state_dependency

router = api_router(tags=["communities"])

MemberList = Annotated[
    ListQuery, list_query({"joined_on": CommunityMember.joined_on}, CommunityMember.id)
]


@router.get(
    "/communities/{community_id}/members",
    summary="List a community's members (current; with include_ended, past ones too)",
    responses=LIST_ERRORS,
)
async def list_community_members(
    found: ValidCommunity,
    session: SessionDep,
    include_ended: Annotated[bool, Query(description="Include members who left.")] = False,
    role: Annotated[CommunityRole | None, Query(description="Only this role.")] = None,
    *,
    query: MemberList,
) -> MemberPage:
    result = await member_service.list_members(
        session, found.community, include_ended=include_ended, role=role, params=query.params
    )
    return query.page(MemberPage, result)


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


@router.get(
    "/community-members/{community_member_id}",
    summary="Get a community member",
    response_model=MemberRead,
    responses=responses.READ,
)
async def get_community_member(found: ValidMember, response: Response) -> CommunityMember:
    return tagged(response, found.obj)


@router.post(
    "/community-members/{community_member_id}/end",
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
    left_on = data.left_on if data else None
    member = await member_service.end_member(session, principal, found, left_on=left_on)
    return tagged(response, member)
