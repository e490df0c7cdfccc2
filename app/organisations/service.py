"""Organisations (a directory every signed-in person reads) and network memberships."""

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.policy import Permission, Principal, authorize
from app.core.db import utcnow
from app.core.errors import Conflict, Unprocessable
from app.core.filters import WithEnded
from app.core.resources import (
    ListParams,
    PageResult,
    Scoped,
    audited_create,
    audited_delete,
    audited_restore,
    audited_update,
    fetch_page,
)
from app.networks import service as network_service
from app.networks.models import Network
from app.organisations.models import Membership, Organisation
from app.organisations.schemas import (
    MembershipCreate,
    MembershipEnd,
    OrganisationCreate,
    OrganisationKind,
    OrganisationUpdate,
)


def _issue(field: str, msg: str, kind: str) -> dict[str, object]:
    return {"loc": ["body", field], "msg": msg, "type": kind}


async def _owner_network_id(
    session: AsyncSession, principal: Principal, requested: int | None
) -> int | None:
    if requested is not None:
        network = await network_service.get(session, requested)
        if network is None:
            raise Unprocessable(
                f"network {requested} does not exist",
                errors=[_issue("owner_network_id", "unknown network", "unknown_network")],
            )
        policy.require_organisation_write(principal, network)
        return requested
    keepers = policy.organisation_keeper_network_ids(principal)
    if keepers is None:
        return None
    if len(keepers) > 1:
        raise Unprocessable(
            "you lead several networks; say which keeps this record",
            errors=[_issue("owner_network_id", "required", "missing")],
        )
    return keepers.pop()


async def _codes_free(
    session: AsyncSession, *, erasmus_oid: str | None, pic: str | None, except_id: int | None
) -> None:
    for field, value in (("erasmus_oid", erasmus_oid), ("pic", pic)):
        if value is None:
            continue
        stmt = select(col(Organisation.id)).where(getattr(Organisation, field) == value)
        if except_id is not None:
            stmt = stmt.where(col(Organisation.id) != except_id)
        if await session.scalar(stmt) is not None:
            raise Conflict(f"another organisation already has {field} {value}")


async def authorize_keeper(session: AsyncSession, principal: Principal, org: Organisation) -> None:
    """An admin, or a chair/executive of the network that keeps the record."""
    network = None
    if org.owner_network_id and not principal.is_admin:  # an admin needs no network: no read
        network = await session.get(Network, org.owner_network_id)
    policy.require_organisation_keeper(principal, network)


async def create(
    session: AsyncSession, principal: Principal, *, data: OrganisationCreate
) -> Organisation:
    owner = await _owner_network_id(session, principal, data.owner_network_id)
    await _codes_free(session, erasmus_oid=data.erasmus_oid, pic=data.pic, except_id=None)
    org = Organisation.model_validate(
        data,
        update={
            "owner_network_id": owner,
            "created_by_user_id": principal.user_id,
        },
    )
    return await audited_create(session, principal, org, network_id=owner)


async def list_organisations(
    session: AsyncSession,
    *,
    kind: OrganisationKind | None,
    country: str | None,
    local_authority: str | None,
    q: str | None,
    params: ListParams,
) -> PageResult:
    stmt = select(Organisation)
    if kind is not None:
        stmt = stmt.where(col(Organisation.kind) == kind.value)
    if country is not None:
        stmt = stmt.where(col(Organisation.country) == country)
    if local_authority is not None:
        stmt = stmt.where(col(Organisation.local_authority) == local_authority)
    if q:
        needle = q.lower()
        stmt = stmt.where(
            or_(
                func.lower(col(Organisation.name)).contains(needle, autoescape=True),
                col(Organisation.erasmus_oid) == q,
                col(Organisation.pic) == q,
            )
        )
    return await fetch_page(session, stmt, params)


async def update(
    session: AsyncSession, principal: Principal, org: Organisation, *, data: OrganisationUpdate
) -> Organisation:
    await authorize_keeper(session, principal, org)
    changes = data.model_dump(exclude_unset=True)
    await _codes_free(
        session, erasmus_oid=changes.get("erasmus_oid"), pic=changes.get("pic"), except_id=org.id
    )
    return await audited_update(session, principal, org, changes, network_id=org.owner_network_id)


async def set_deleted(
    session: AsyncSession, principal: Principal, org: Organisation, *, deleted: bool
) -> Organisation:
    await authorize_keeper(session, principal, org)
    change = audited_delete if deleted else audited_restore
    return await change(session, principal, org, network_id=org.owner_network_id)


# --- memberships -------------------------------------------------------------------------


async def list_members(
    session: AsyncSession,
    network: Network,
    *,
    filters: WithEnded,
    params: ListParams,
) -> PageResult:
    stmt = select(Membership).where(col(Membership.network_id) == network.id)
    if not filters.include_ended and params.since is None:  # a sync reports endings too
        stmt = stmt.where(col(Membership.left_on).is_(None))
    return await fetch_page(session, stmt, params)


async def add_member(
    session: AsyncSession, principal: Principal, network: Network, *, data: MembershipCreate
) -> Membership:
    org = await session.get(Organisation, data.organisation_id)
    if org is None or org.deleted_at is not None:
        raise Unprocessable(
            f"organisation {data.organisation_id} does not exist",
            errors=[_issue("organisation_id", "unknown organisation", "unknown_organisation")],
        )
    current = await session.scalar(
        select(col(Membership.id)).where(
            col(Membership.network_id) == network.id,
            col(Membership.organisation_id) == data.organisation_id,
            col(Membership.left_on).is_(None),
        )
    )
    if current is not None:
        raise Conflict(f"organisation {data.organisation_id} is already a member")
    assert network.id is not None
    membership = Membership(
        network_id=network.id,
        organisation_id=data.organisation_id,
        joined_on=data.joined_on or utcnow().date(),
        note=data.note,
    )
    return await audited_create(session, principal, membership, network_id=network.id)


async def end_membership(
    session: AsyncSession,
    principal: Principal,
    found: Scoped[Membership, Network],
    *,
    data: MembershipEnd | None = None,
) -> Membership:
    """End a membership (on ``data.left_on``, or today), kept as history."""
    membership, network = found.obj, found.network
    authorize(principal, Permission.membership_write, network)
    if membership.left_on is not None:
        raise Conflict(f"membership {membership.id} has already ended")
    end = (data.left_on if data else None) or utcnow().date()
    if end < membership.joined_on:
        raise Unprocessable(
            "a membership cannot end before it started",
            errors=[_issue("left_on", "before joined_on", "left_before_joined")],
        )
    return await audited_update(
        session, principal, membership, {"left_on": end}, network_id=network.id, action="end"
    )
