"""Invitations by e-mail, one mechanism for every domain that grants a person something.

A domain offers something to an e-mail address (a role in a network, a place in a community)
with ``invite``: a person with an account is granted it at once and told; one without is sent
an invitation, and accepting it creates the account and grants what was offered. The answer
to the caller is the same either way. What "grant" means for each kind of offer is registered
here by the domain that owns it (``register_grant``); the invitation itself (its table, token
and e-mail) is kept by ``app.notifications``, which installs itself with ``install`` on import.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import BaseModel, Field
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.models import Network, RoleAssignment, User
from app.auth.policy import Principal, Role
from app.core import audit
from app.core.config import Settings
from app.core.db import utcnow
from app.core.resources import audited_create


@dataclass(frozen=True)
class Offer:
    """What is offered: ``kind`` names the registered grant, ``terms`` (JSON) say exactly
    what to grant, ``title`` says it in words ("a facilitator", "a member of …")."""

    kind: str
    network: Network
    title: str
    terms: dict[str, Any] = field(default_factory=dict)


class InvitationReceipt(BaseModel):
    email: str = Field(description="Where the invitation or the notice was sent.")
    network_id: int = Field(description="The network.")
    offer: str = Field(description="What was offered: `role`, or `community_member`.")
    offer_title: str = Field(description="What was offered, in words.")
    role: Role | None = Field(default=None, description="The role offered (role offers).")
    status: str = Field(description="Always `sent`, whether or not the address had an account.")


class Grant(Protocol):
    """Grant an offer's ``terms`` to ``user``; False when the person holds it already."""

    def __call__(
        self,
        session: AsyncSession,
        actor: audit.Actor,
        user: User,
        network: Network,
        terms: dict[str, Any],
        *,
        by_user_id: int | None,
    ) -> Awaitable[bool]: ...


Inviter = Callable[[AsyncSession, Settings, Principal, Offer, str], Awaitable[InvitationReceipt]]

_grants: dict[str, Grant] = {}
_inviter: list[Inviter] = []


def register_grant(kind: str, grant: Grant) -> None:
    """What accepting (or offering to an existing account) an offer of ``kind`` does."""
    _grants[kind] = grant


def grant_for(kind: str) -> Grant:
    try:
        return _grants[kind]
    except KeyError:
        raise LookupError(f"no grant is registered for offers of {kind!r}") from None


def install(inviter: Inviter) -> None:
    """The invitation keeper (``app.notifications``) installs itself on import."""
    _inviter[:] = [inviter]


async def invite(
    session: AsyncSession, settings: Settings, principal: Principal, offer: Offer, email: str
) -> InvitationReceipt:
    """Offer ``offer`` to ``email`` (the caller has checked that ``principal`` may)."""
    if not _inviter:
        raise RuntimeError("no invitation keeper installed (import app.notifications)")
    return await _inviter[0](session, settings, principal, offer, email.strip().lower())


# --- the role offer (roles are kept here, in auth) -------------------------------------------

ROLE_NAMES = {
    "chair": "chair",
    "executive": "an executive member",
    "improvement_leader": "the senior education improvement leader (SEIL)",
    "facilitator": "a facilitator",
    "member": "a member",
}


def role_offer(network: Network, role: Role, functions: list[str]) -> Offer:
    return Offer(
        kind="role",
        network=network,
        title=ROLE_NAMES[role.value],
        terms={"role": role.value, "functions": list(functions)},
    )


async def grant_role(
    session: AsyncSession,
    actor: audit.Actor,
    user: User,
    network: Network,
    terms: dict[str, Any],
    *,
    by_user_id: int | None,
) -> bool:
    """The role in ``terms``, unless the person holds it (or is appointed to it) already."""
    assert user.id is not None and network.id is not None
    now = utcnow()
    held = await session.scalar(
        select(col(RoleAssignment.id)).where(
            col(RoleAssignment.network_id) == network.id,
            col(RoleAssignment.user_id) == user.id,
            col(RoleAssignment.role) == terms["role"],
            or_(col(RoleAssignment.until).is_(None), col(RoleAssignment.until) > now),
        )
    )
    if held is not None:
        return False
    assignment = RoleAssignment(
        network_id=network.id,
        user_id=user.id,
        role=terms["role"],
        functions=list(terms.get("functions") or []),
        since=now,
        appointed_by_user_id=by_user_id,
    )
    await audited_create(session, actor, assignment, network_id=network.id)
    return True


register_grant("role", grant_role)
