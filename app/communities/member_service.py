"""Community members: people and organisations joining and leaving a community (leaving keeps
the row as history). Who may run a community is ``require_run_community`` in the policy."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import invitations, policy
from app.auth.invitations import InvitationReceipt, Offer
from app.auth.models import Network, User
from app.auth.policy import Principal
from app.communities.models import Community, CommunityMember
from app.communities.schemas import MemberCreate, MemberEnd, MemberFilters
from app.communities.scope import InCommunity
from app.communities.service import issue, require_organisation, today
from app.core import audit
from app.core.config import Settings
from app.core.errors import Conflict, Unprocessable
from app.core.resources import ListParams, PageResult, audited_create, audited_update, fetch_page


async def _require_user(session: AsyncSession, user_id: int, loc: Sequence[str | int]) -> None:
    user = await session.get(User, user_id)
    if user is None or not user.is_active:
        raise Unprocessable(
            f"user {user_id} does not exist", errors=[issue(loc, "unknown user", "unknown_user")]
        )


async def insert_member(
    session: AsyncSession, principal: audit.Actor, community: Community, fields: dict[str, Any]
) -> CommunityMember:
    """A member row and its ``create`` event (no checks: callers make them)."""
    member = CommunityMember.model_validate({**fields, "community_id": community.id})
    return await audited_create(session, principal, member, network_id=community.network_id)


async def add_member(
    session: AsyncSession,
    principal: Principal,
    found: InCommunity[Community],
    *,
    data: MemberCreate,
) -> CommunityMember:
    policy.require_run_community(principal, found)
    if data.user_id is not None:
        await _require_user(session, data.user_id, ["body", "user_id"])
        same = col(CommunityMember.user_id) == data.user_id
        who = f"user {data.user_id}"
    else:
        assert data.organisation_id is not None
        await require_organisation(session, data.organisation_id, ["body", "organisation_id"])
        same = col(CommunityMember.organisation_id) == data.organisation_id
        who = f"organisation {data.organisation_id}"
    current = await session.scalar(
        select(col(CommunityMember.id)).where(
            col(CommunityMember.community_id) == found.community.id,
            same,
            col(CommunityMember.left_on).is_(None),
        )
    )
    if current is not None:
        raise Conflict(
            f"{who} is already a member of community {found.community.id} "
            f"(community member {current}); end that membership to change the role"
        )
    fields = data.model_dump(exclude={"email"})
    fields["joined_on"] = data.joined_on or today()
    fields["role"] = data.role.value
    return await insert_member(session, principal, found.community, fields)


ROLE_PHRASES = {
    "lead": "the lead",
    "facilitator": "a facilitator",
    "member": "a member",
    "critical_friend": "a critical friend",
}


async def invite_member(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    found: InCommunity[Community],
    *,
    data: MemberCreate,
) -> InvitationReceipt:
    """Add a person by e-mail (``invitations.invite``): one with an account joins at once
    and is told; one without is invited, and joins on accepting. The same answer either way."""
    policy.require_run_community(principal, found)
    assert data.email is not None and found.community.id is not None
    community = found.community
    offer = Offer(
        kind="community_member",
        network=found.network,
        title=f"{ROLE_PHRASES[data.role.value]} of the community \u201c{community.title}\u201d"[
            :300
        ],
        terms={"community_id": community.id, "role": data.role.value, "note": data.note},
    )
    return await invitations.invite(session, settings, principal, offer, data.email)


async def grant_membership(
    session: AsyncSession,
    actor: audit.Actor,
    user: User,
    network: Network,
    terms: dict[str, Any],
    *,
    by_user_id: int | None,
) -> bool:
    """The community place an invitation offered; nothing when the community is gone or the
    person is a current member already."""
    community = await session.get(Community, terms["community_id"])
    if community is None or community.deleted_at is not None or user.id is None:
        return False
    current = await session.scalar(
        select(col(CommunityMember.id)).where(
            col(CommunityMember.community_id) == community.id,
            col(CommunityMember.user_id) == user.id,
            col(CommunityMember.left_on).is_(None),
        )
    )
    if current is not None:
        return False
    fields = {
        "user_id": user.id,
        "role": terms["role"],
        "joined_on": today(),
        "note": terms.get("note"),
    }
    await insert_member(session, actor, community, fields)
    return True


invitations.register_grant("community_member", grant_membership)


async def list_members(
    session: AsyncSession,
    found: InCommunity[Community],
    *,
    filters: MemberFilters,
    params: ListParams,
) -> PageResult:
    stmt = select(CommunityMember).where(col(CommunityMember.community_id) == found.community.id)
    if not filters.include_ended and params.since is None:  # a sync reports endings too
        stmt = stmt.where(col(CommunityMember.left_on).is_(None))
    if filters.role is not None:
        stmt = stmt.where(col(CommunityMember.role) == filters.role.value)
    return await fetch_page(session, stmt, params)


async def end_member(
    session: AsyncSession,
    principal: Principal,
    found: InCommunity[CommunityMember],
    *,
    data: MemberEnd | None = None,
) -> CommunityMember:
    """End a membership (on ``data.left_on``, or today); the row stays as history."""
    policy.require_run_community(principal, found)
    member = found.obj
    if member.left_on is not None:
        raise Conflict(f"community member {member.id} has already left")
    end = (data.left_on if data else None) or today()
    if end < member.joined_on:
        raise Unprocessable(
            "a membership cannot end before it started",
            errors=[issue(["body", "left_on"], "before joined_on", "left_before_joined")],
        )
    return await audited_update(
        session, principal, member, {"left_on": end}, network_id=found.network.id, action="end"
    )
