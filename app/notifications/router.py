"""Routes: password reset, invitations, the notification feed and its settings."""

from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request, Response, status

from app.auth import service as auth_service
from app.auth.deps import CurrentUser
from app.auth.models import RoleAssignment
from app.auth.schemas import RoleCreate, RoleRead
from app.communities.deps import ValidCommunity
from app.core import ratelimit, responses
from app.core.db import SessionDep
from app.core.errors import TooManyRequests
from app.core.models import path_id
from app.core.pagination import CursorQuery, LimitQuery, SyncQuery, link_next
from app.core.resources import tagged
from app.core.routes import NESTED_LIST, api_router
from app.core.routing import route_options
from app.core.state import AppState, app_state_dependency
from app.networks.deps import ValidNetwork
from app.notifications import calendar, invitations, service
from app.notifications.models import Invitation
from app.notifications.schemas import (
    AcceptedInvitation,
    CalendarFeedRead,
    InvitationAccept,
    InvitationPage,
    InvitationRead,
    InvitationReceipt,
    InvitationStatus,
    NotificationPage,
    NotificationRead,
    NotificationSettings,
    NotificationSettingsUpdate,
    PasswordResetConfirm,
    PasswordResetRequest,
    RoleInvite,
)

router = api_router()
State = Annotated[AppState, Depends(app_state_dependency)]
InvitationIdPath = Annotated[int, path_id("invitation")]
NotificationIdPath = Annotated[int, path_id("notification")]


def invitation_read(invitation: Invitation) -> InvitationRead:
    data = invitation.model_dump()
    data["status"] = invitations.effective_status(invitation)
    return InvitationRead.model_validate(data)


# --- password reset -------------------------------------------------------------------------


@router.post(
    "/auth/password-reset",
    tags=["auth"],
    summary="Ask for a password-reset e-mail",
    description="Always `202`, whether or not the address has an account: a reset link is "
    "e-mailed to an active account with this address (valid for 60 minutes, once). Rate "
    "limited per client address (`429`) and per e-mail address (further requests send "
    "nothing).",
    status_code=status.HTTP_202_ACCEPTED,
    response_class=Response,
    responses=responses.problems(400, 422, 429),
)
@route_options(idempotent=False)
async def request_password_reset(
    data: PasswordResetRequest, request: Request, session: SessionDep, state: State
) -> Response:
    settings = state.settings
    if not await ratelimit.spend(
        request,
        "password-reset-ip",
        settings.ratelimit_password_reset_ip,
        ratelimit.client_ip(request),
    ):
        raise TooManyRequests("too many password-reset requests from your address; try later")
    if await ratelimit.spend(
        request, "password-reset-address", settings.ratelimit_password_reset_address, data.email
    ):
        await service.request_password_reset(session, settings, email=data.email)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post(
    "/auth/password-reset/confirm",
    tags=["auth"],
    summary="Set a new password with the e-mailed token",
    description="Every earlier token of the person stops working: access tokens, and other "
    "reset links. An invalid, used or expired token is a `422`.",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses.problems(400, 422, 429),
)
@route_options(idempotent=False)
async def confirm_password_reset(
    data: PasswordResetConfirm, session: SessionDep, state: State
) -> None:
    await service.confirm_password_reset(session, state.passwords, data=data)


# --- invitations ----------------------------------------------------------------------------


@router.post(
    "/invitations/accept",
    tags=["roles"],
    summary="Accept an invitation: create your account and take what was offered",
    status_code=status.HTTP_201_CREATED,
    responses=responses.problems(400, 409, 422, 429),
)
@route_options(idempotent=False)
async def accept_invitation(
    data: InvitationAccept, session: SessionDep, state: State
) -> AcceptedInvitation:
    user, invitation = await invitations.accept_invitation(session, state.passwords, data=data)
    assert user.id is not None
    return AcceptedInvitation.model_validate(
        {
            "user_id": user.id,
            "email": user.email,
            "network_id": invitation.network_id,
            "offer": invitation.offer,
            "offer_title": invitation.offer_title,
            "role": invitation.role,
        }
    )


@router.get(
    "/networks/{network_id}/invitations",
    tags=["roles"],
    summary="List a network's invitations (chair)",
    responses=NESTED_LIST,
)
async def list_network_invitations(
    request: Request,
    response: Response,
    network: ValidNetwork,
    session: SessionDep,
    principal: CurrentUser,
    status_: Annotated[
        InvitationStatus | None, Query(alias="status", description="Only this status.")
    ] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> InvitationPage:
    items, next_cursor = await invitations.list_invitations(
        session,
        principal,
        network,
        status=status_.value if status_ else None,
        limit=limit,
        cursor=cursor,
        since=since,
    )
    link_next(request, response, next_cursor)
    return InvitationPage(items=[invitation_read(i) for i in items], next_cursor=next_cursor)


@router.post(
    "/networks/{network_id}/invitations/{invitation_id}/resend",
    tags=["roles"],
    summary="Send an invitation again, with a new link (the old one stops working)",
    responses=responses.ACTION,
)
async def resend_invitation(
    invitation_id: InvitationIdPath,
    network: ValidNetwork,
    session: SessionDep,
    principal: CurrentUser,
    state: State,
) -> InvitationRead:
    invitation = await invitations.get_invitation_or_404(session, principal, network, invitation_id)
    invitation = await invitations.resend_invitation(
        session, state.settings, principal, network, invitation
    )
    return invitation_read(invitation)


@router.delete(
    "/networks/{network_id}/invitations/{invitation_id}",
    tags=["roles"],
    summary="Revoke a pending invitation (its link stops working)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses.problems(401, 403, 404, 409),
)
async def revoke_invitation(
    invitation_id: InvitationIdPath,
    network: ValidNetwork,
    session: SessionDep,
    principal: CurrentUser,
) -> None:
    invitation = await invitations.get_invitation_or_404(session, principal, network, invitation_id)
    await invitations.revoke_invitation(session, principal, network, invitation)


# --- the notification feed ------------------------------------------------------------------


def _me(principal: CurrentUser) -> int:
    assert principal.user_id is not None
    return principal.user_id


@router.get(
    "/me/notifications",
    tags=["notifications"],
    summary="My notifications, unread first",
    responses=responses.LIST,
)
async def list_my_notifications(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: CurrentUser,
    unread: Annotated[bool, Query(description="Only unread notifications.")] = False,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> NotificationPage:
    items, next_cursor = await service.list_notifications(
        session, _me(principal), unread_only=unread, limit=limit, cursor=cursor, since=since
    )
    link_next(request, response, next_cursor)
    return NotificationPage(
        items=[NotificationRead.model_validate(n, from_attributes=True) for n in items],
        next_cursor=next_cursor,
    )


@router.post(
    "/me/notifications/{notification_id}/read",
    tags=["notifications"],
    summary="Mark one of my notifications read",
    responses=responses.problems(401, 404, 422),
)
async def read_my_notification(
    notification_id: NotificationIdPath, session: SessionDep, principal: CurrentUser
) -> NotificationRead:
    notification = await service.mark_read(session, _me(principal), notification_id)
    return NotificationRead.model_validate(notification, from_attributes=True)


@router.post(
    "/me/notifications/read-all",
    tags=["notifications"],
    summary="Mark all my notifications read",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses.problems(401),
)
async def read_all_my_notifications(session: SessionDep, principal: CurrentUser) -> None:
    await service.mark_all_read(session, _me(principal))


@router.get(
    "/me/notification-settings",
    tags=["notifications"],
    summary="How I am e-mailed about each kind of notification",
    responses=responses.problems(401),
)
async def get_my_notification_settings(
    session: SessionDep, principal: CurrentUser
) -> NotificationSettings:
    return await service.settings_of(session, _me(principal))


@router.put(
    "/me/notification-settings",
    tags=["notifications"],
    summary="Choose how I am e-mailed about each kind: immediately, daily, weekly or off",
    responses=responses.problems(400, 401, 413, 422),
)
async def set_my_notification_settings(
    data: NotificationSettingsUpdate, session: SessionDep, principal: CurrentUser
) -> NotificationSettings:
    return await service.update_settings(session, _me(principal), data)


# --- calendars --------------------------------------------------------------------------------

ICS = "text/calendar; charset=utf-8"
ICS_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/calendar": {}}, "description": "An iCalendar file."}
}


@router.get(
    "/communities/{community_id}/meetings.ics",
    tags=["communities"],
    summary="A community's meetings as an iCalendar file",
    response_class=Response,
    responses={**ICS_RESPONSE, **responses.READ},
)
async def get_community_meetings_calendar(found: ValidCommunity, session: SessionDep) -> Response:
    body = await calendar.community_ics(session, found.community)
    return Response(body, media_type=ICS)


@router.post(
    "/me/calendar-feed",
    tags=["notifications"],
    summary="Get a personal calendar-feed address (a new one ends the old one)",
    description="Calendar clients cannot send bearer tokens, so the address carries a token of "
    "its own: keep it private. It lists the meetings of your communities and the due dates of "
    "milestones of the actions you own.",
    status_code=status.HTTP_201_CREATED,
    responses=responses.problems(401),
)
@route_options(idempotent=False)
async def issue_my_calendar_feed(session: SessionDep, principal: CurrentUser) -> CalendarFeedRead:
    token = await calendar.issue_feed(session, _me(principal))
    return CalendarFeedRead(path=f"/api/v1/calendar/{token}.ics", token=token)


@router.delete(
    "/me/calendar-feed",
    tags=["notifications"],
    summary="Revoke my calendar-feed address",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses.problems(401),
)
async def revoke_my_calendar_feed(session: SessionDep, principal: CurrentUser) -> None:
    await calendar.revoke_feed(session, _me(principal))


@router.get(
    "/calendar/{feed_token}.ics",
    tags=["notifications"],
    summary="A personal calendar feed (the token is the credential)",
    response_class=Response,
    responses={**ICS_RESPONSE, **responses.problems(404, 422)},
)
async def get_personal_calendar(
    feed_token: Annotated[str, Path(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")],
    session: SessionDep,
) -> Response:
    body = await calendar.personal_ics(session, feed_token)
    return Response(body, media_type=ICS, headers={"Cache-Control": "private, max-age=300"})


# Appointing by e-mail is an invitation, so the appointment route lives here (auth knows no
# notifications); it keeps its `roles` tag and operation id.
@router.post(
    "/networks/{network_id}/roles",
    tags=["roles"],
    summary="Appoint a user to a role in a network (by user id, or by e-mail)",
    description="With `user_id`: `201` and the role assignment. With `email` instead: `202` "
    "and the same receipt whether or not the address has an account; a person with one is "
    "given the role and told by e-mail, a person without one is sent an invitation "
    "(`POST /api/v1/invitations/accept`).",
    status_code=status.HTTP_201_CREATED,
    response_model=RoleRead | InvitationReceipt,
    responses={**responses.CREATE, 202: {"model": InvitationReceipt, "description": "Sent."}},
)
async def create_network_role(
    data: RoleCreate | RoleInvite,
    network: ValidNetwork,
    response: Response,
    session: SessionDep,
    principal: CurrentUser,
    state: State,
) -> RoleAssignment | InvitationReceipt:
    if isinstance(data, RoleInvite):
        response.status_code = status.HTTP_202_ACCEPTED
        return await invitations.invite_to_role(
            session, state.settings, principal, network, data=data
        )
    assignment = await auth_service.appoint(session, principal, network, data=data)
    return tagged(response, assignment, f"/api/v1/roles/{assignment.id}")
