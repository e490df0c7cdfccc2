"""Community meetings and their notes of reflective dialogue (deleted softly). Who may run a
community is ``require_run_community`` in the policy."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.policy import Principal
from app.communities.models import Community, Meeting
from app.communities.schemas import MeetingCreate, MeetingFilters, MeetingUpdate
from app.communities.scope import InCommunity
from app.communities.service import issue, require_users
from app.core.errors import Unprocessable
from app.core.resources import (
    ListParams,
    PageResult,
    audited_create,
    audited_delete,
    audited_restore,
    audited_update,
    fetch_page,
)


async def create_meeting(
    session: AsyncSession,
    principal: Principal,
    found: InCommunity[Community],
    *,
    data: MeetingCreate,
) -> Meeting:
    policy.require_run_community(principal, found)
    await require_users(session, data.attendee_user_ids, "attendee_user_ids")
    fields = data.model_dump()
    fields["attendee_user_ids"] = list(dict.fromkeys(data.attendee_user_ids))
    meeting = Meeting.model_validate({**fields, "community_id": found.community.id})
    return await audited_create(session, principal, meeting, network_id=found.network.id)


async def list_meetings(
    session: AsyncSession,
    found: InCommunity[Community],
    *,
    filters: MeetingFilters,
    params: ListParams,
) -> PageResult:
    community, held_from, held_to = found.community, filters.held_from, filters.held_to
    if held_from and held_to and held_to < held_from:
        raise Unprocessable(
            "`to` is before `from`", errors=[issue(["query", "to"], "before from", "dates")]
        )
    stmt = select(Meeting).where(col(Meeting.community_id) == community.id)
    if held_from is not None:
        stmt = stmt.where(col(Meeting.held_on) >= held_from)
    if held_to is not None:
        stmt = stmt.where(col(Meeting.held_on) <= held_to)
    return await fetch_page(session, stmt, params)


async def update_meeting(
    session: AsyncSession,
    principal: Principal,
    found: InCommunity[Meeting],
    *,
    data: MeetingUpdate,
) -> Meeting:
    policy.require_run_community(principal, found)
    changes = data.model_dump(exclude_unset=True)
    _keep_times_consistent(found.obj, changes)
    if "attendee_user_ids" in changes:
        await require_users(session, changes["attendee_user_ids"], "attendee_user_ids")
        changes["attendee_user_ids"] = list(dict.fromkeys(changes["attendee_user_ids"]))
    return await audited_update(session, principal, found.obj, changes, network_id=found.network.id)


def _keep_times_consistent(meeting: Meeting, changes: dict[str, Any]) -> None:
    """The end after the start, and ``held_on`` the day of ``starts_at`` (set from it when
    only the start is given), taking what is stored for what is not changed."""
    starts = changes.get("starts_at", meeting.starts_at)
    ends = changes.get("ends_at", meeting.ends_at)
    if ends is not None and (starts is None or ends <= starts):
        loc = "ends_at" if "ends_at" in changes else "starts_at"
        raise Unprocessable(
            "a meeting ends after it starts: `ends_at` needs a `starts_at` before it",
            errors=[issue(["body", loc], "not after starts_at", "ends_before_start")],
        )
    if starts is None:
        return
    if "starts_at" in changes and "held_on" not in changes:
        changes["held_on"] = starts.date()
    elif changes.get("held_on", starts.date()) != starts.date():
        raise Unprocessable(
            f"`held_on` must be the day of `starts_at` ({starts.date().isoformat()})",
            errors=[issue(["body", "held_on"], "not the day of starts_at", "held_on_mismatch")],
        )


async def delete_meeting(
    session: AsyncSession, principal: Principal, found: InCommunity[Meeting]
) -> None:
    policy.require_run_community(principal, found)
    await audited_delete(session, principal, found.obj, network_id=found.network.id)


async def restore_meeting(
    session: AsyncSession, principal: Principal, found: InCommunity[Meeting]
) -> Meeting:
    policy.require_run_community(principal, found)
    return await audited_restore(session, principal, found.obj, network_id=found.network.id)
