"""Partnerships and partners' commitments: rules and queries.

Who may do what is decided in ``app/auth/policy.py``; every write here calls its
``require_partnership_write`` first, records an audit event (the resource kit's ``audited_*``
helpers), and flushes, never commits.
"""

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import String, and_, cast, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.policy import Principal
from app.core import audit
from app.core.db import utcnow
from app.core.errors import Conflict, Unprocessable
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
from app.networks.models import Network
from app.organisations.models import Organisation
from app.partnerships.models import PartnerCommitment, Partnership
from app.partnerships.schemas import (
    CommitmentCreate,
    CommitmentRead,
    ContactRead,
    PartnershipCreate,
    PartnershipFilters,
    PartnershipRead,
    PartnershipStatus,
    PartnershipUpdate,
    Renewal,
    StoredStatus,
    contact_fields,
)
from app.plans.models import Action, Objective, Plan


def _issue(loc: Sequence[str | int], msg: str, kind: str) -> dict[str, Any]:
    return {"loc": list(loc), "msg": msg, "type": kind}


def cast_row(row: Any) -> tuple[Any, ...]:
    return tuple(row)


def today() -> date:
    return utcnow().date()


# --- partnerships -------------------------------------------------------------------------


def computed_status(partnership: Partnership, as_of: date) -> PartnershipStatus:
    """ended: stored active, past its end date; lapsed: stored active, with a review date that
    has passed without renewal (and not ended)."""
    if partnership.status == StoredStatus.active.value:
        if partnership.end_on is not None and partnership.end_on < as_of:
            return PartnershipStatus.ended
        if partnership.review_on is not None and partnership.review_on < as_of:
            return PartnershipStatus.lapsed
    return PartnershipStatus(partnership.status)


def status_filter(status: PartnershipStatus, as_of: date) -> Any:
    """The SQL condition for a computed status."""
    stored = col(Partnership.status)
    review = col(Partnership.review_on)
    end = col(Partnership.end_on)
    past_end = and_(end.is_not(None), end < as_of)
    running = and_(stored == "active", or_(end.is_(None), end >= as_of))
    if status is PartnershipStatus.ended:
        return or_(stored == "ended", and_(stored == "active", past_end))
    if status is PartnershipStatus.lapsed:
        return and_(running, review.is_not(None), review < as_of)
    if status is PartnershipStatus.active:
        return and_(running, or_(review.is_(None), review >= as_of))
    return stored == status.value


def partnership_read(partnership: Partnership, kind: str) -> PartnershipRead:
    contact = None
    if partnership.contact_name or partnership.contact_email or partnership.contact_role:
        contact = ContactRead(
            name=partnership.contact_name,
            email=partnership.contact_email,
            role=partnership.contact_role,
        )
    return PartnershipRead.model_validate(
        {
            **partnership.model_dump(),
            "organisation_kind": kind,
            "status": computed_status(partnership, today()),
            "stored_status": partnership.status,
            "contact": contact,
        }
    )


async def partnership_reads(
    session: AsyncSession, partnerships: Sequence[Partnership]
) -> list[PartnershipRead]:
    """Read models for a page of partnerships (one query for the organisations' kinds)."""
    ids = {p.organisation_id for p in partnerships}
    kinds: dict[int, str] = {}
    if ids:
        rows = await session.execute(
            select(col(Organisation.id), col(Organisation.kind)).where(
                col(Organisation.id).in_(ids)
            )
        )
        kinds = {int(i): str(k) for i, k in map(cast_row, rows.all())}
    return [partnership_read(p, kinds.get(p.organisation_id, "")) for p in partnerships]


async def live_organisation(session: AsyncSession, organisation_id: int) -> Organisation:
    org = await session.get(Organisation, organisation_id)
    if org is None or org.deleted_at is not None:
        raise Unprocessable(
            f"no such organisation: {organisation_id}",
            errors=[_issue(["body", "organisation_id"], "unknown organisation", "unknown")],
        )
    return org


def _check_dates(start_on: date, end_on: date | None) -> None:
    if end_on is not None and end_on < start_on:
        raise Unprocessable(
            "end_on must not be before start_on",
            errors=[_issue(["body", "end_on"], "before start_on", "date_order")],
        )


async def create_partnership(
    session: AsyncSession, principal: Principal, network: Network, *, data: PartnershipCreate
) -> tuple[Partnership, str]:
    policy.require_partnership_write(principal, network)
    org = await live_organisation(session, data.organisation_id)
    fields = data.model_dump(mode="json", exclude={"contact"})
    fields.update(contact_fields(data.contact.model_dump() if data.contact else None))
    partnership = Partnership.model_validate(
        {
            **fields,
            "start_on": data.start_on,
            "end_on": data.end_on,
            "review_on": data.review_on,
            "network_id": network.id,
            "created_by_user_id": principal.user_id,
        }
    )
    await audited_create(session, principal, partnership, network_id=network.id)
    return partnership, org.kind


async def partnership_view(session: AsyncSession, partnership: Partnership) -> PartnershipRead:
    """The read model of one partnership (with its organisation's kind)."""
    return (await partnership_reads(session, [partnership]))[0]


async def list_partnerships(
    session: AsyncSession,
    network: Network,
    *,
    filters: PartnershipFilters,
    params: ListParams,
) -> PageResult:
    stmt = select(Partnership).where(col(Partnership.network_id) == network.id)
    if filters.status is not None:
        stmt = stmt.where(status_filter(filters.status, today()))
    if filters.sector is not None:
        stmt = stmt.where(col(Partnership.sector) == filters.sector.value)
    if filters.scope is not None:
        stmt = stmt.where(col(Partnership.scope) == filters.scope.value)
    if filters.purpose is not None:
        # purposes is a JSON list of plain tags: match the quoted tag in its text.
        purpose = f'"{filters.purpose.value}"'
        stmt = stmt.where(cast(col(Partnership.purposes), String).contains(purpose))
    return await fetch_page(session, stmt, params)


async def update_partnership(
    session: AsyncSession,
    principal: Principal,
    found: Scoped[Partnership, Network],
    *,
    data: PartnershipUpdate,
) -> Partnership:
    policy.require_partnership_write(principal, found.network)
    partnership = found.obj
    changes = data.model_dump(exclude_unset=True)
    if "contact" in changes:
        changes.update(contact_fields(changes.pop("contact")))
    for key in ("sector", "direction", "scope", "status"):
        if key in changes:
            changes[key] = str(changes[key])
    if "purposes" in changes:
        changes["purposes"] = [str(p) for p in changes["purposes"]]
    _check_dates(
        changes.get("start_on", partnership.start_on), changes.get("end_on", partnership.end_on)
    )
    return await audited_update(
        session, principal, partnership, changes, network_id=found.network.id
    )


async def renew_partnership(
    session: AsyncSession,
    principal: Principal,
    found: Scoped[Partnership, Network],
    *,
    data: Renewal,
) -> Partnership:
    """Move the review date forward: an active (or lapsed) partnership reads active again."""
    policy.require_partnership_write(principal, found.network)
    partnership = found.obj
    if partnership.status != StoredStatus.active.value:
        raise Conflict(f"only an active or lapsed partnership is renewed, not {partnership.status}")
    if data.review_on <= today():
        raise Unprocessable(
            "review_on must be later than today",
            errors=[_issue(["body", "review_on"], "not in the future", "date_past")],
        )
    return await audited_update(
        session,
        principal,
        partnership,
        {"review_on": data.review_on},
        network_id=found.network.id,
        action="renew",
    )


async def delete_partnership(
    session: AsyncSession, principal: Principal, found: Scoped[Partnership, Network]
) -> None:
    policy.require_partnership_write(principal, found.network)
    await audited_delete(session, principal, found.obj, network_id=found.network.id)


async def restore_partnership(
    session: AsyncSession, principal: Principal, found: Scoped[Partnership, Network]
) -> Partnership:
    policy.require_partnership_write(principal, found.network)
    return await audited_restore(session, principal, found.obj, network_id=found.network.id)


# --- commitments --------------------------------------------------------------------------


async def commitment_reads(
    session: AsyncSession, commitments: Sequence[PartnerCommitment]
) -> list[CommitmentRead]:
    """Read models with plan and objective codes, in one query."""
    objective_ids = {c.objective_id for c in commitments if c.objective_id is not None}
    action_ids = {c.action_id for c in commitments if c.action_id is not None}
    by_objective: dict[int, tuple[int, str, str]] = {}
    by_action: dict[int, tuple[int, str, str]] = {}
    if objective_ids or action_ids:
        rows = await session.execute(
            select(
                col(Objective.id),
                col(Action.id),
                col(Plan.id),
                col(Plan.title),
                col(Objective.code),
            )
            .select_from(Objective)
            .join(Plan, col(Plan.id) == col(Objective.plan_id))
            .outerjoin(
                Action,
                and_(col(Action.objective_id) == col(Objective.id), col(Action.id).in_(action_ids)),
            )
            .where(or_(col(Objective.id).in_(objective_ids), col(Action.id).in_(action_ids)))
        )
        for row in rows.all():
            objective_id, action_id, plan_id, title, code = cast_row(row)
            info = (int(plan_id), str(title), str(code))
            by_objective[int(objective_id)] = info
            if action_id is not None:
                by_action[int(action_id)] = info
    reads = []
    for c in commitments:
        info = (
            by_objective.get(c.objective_id)
            if c.objective_id is not None
            else by_action.get(c.action_id or 0)
        ) or (0, "", "")
        reads.append(
            CommitmentRead.model_validate(
                {
                    **c.model_dump(),
                    "plan_id": info[0],
                    "plan_title": info[1],
                    "objective_code": info[2],
                }
            )
        )
    return reads


async def create_commitment(
    session: AsyncSession,
    principal: Principal,
    found: Scoped[Partnership, Network],
    *,
    data: CommitmentCreate,
) -> PartnerCommitment:
    """A partner's role in an objective or action of a live plan of the same network."""
    policy.require_partnership_write(principal, found.network)
    if data.objective_id is not None:
        stmt: Any = (
            select(col(Objective.id))
            .join(Plan, col(Plan.id) == col(Objective.plan_id))
            .where(col(Objective.id) == data.objective_id, col(Objective.deleted_at).is_(None))
        )
        field = "objective_id"
    else:
        stmt = (
            select(col(Action.id))
            .join(Plan, col(Plan.id) == col(Action.plan_id))
            .where(col(Action.id) == data.action_id, col(Action.deleted_at).is_(None))
        )
        field = "action_id"
    stmt = stmt.where(col(Plan.network_id) == found.network.id, col(Plan.deleted_at).is_(None))
    if (await session.execute(stmt)).first() is None:
        raise Unprocessable(
            f"no such {field[:-3]} in a plan of network {found.network.id}",
            errors=[_issue(["body", field], "unknown in this network's plans", "unknown")],
        )
    commitment = PartnerCommitment(
        partnership_id=found.obj.id or 0,
        objective_id=data.objective_id,
        action_id=data.action_id,
        role=data.role,
    )
    return await audited_create(session, principal, commitment, network_id=found.network.id)


async def list_commitments(
    session: AsyncSession,
    found: Scoped[Partnership, Network],
    *,
    params: ListParams,
) -> PageResult:
    stmt = select(PartnerCommitment).where(col(PartnerCommitment.partnership_id) == found.obj.id)
    return await fetch_page(session, stmt, params)


async def delete_commitment(
    session: AsyncSession, principal: Principal, found: Scoped[PartnerCommitment, Network]
) -> None:
    policy.require_partnership_write(principal, found.network)
    commitment = found.obj
    before = audit.snapshot(commitment)
    await audit.record(
        session,
        principal,
        action="delete",
        obj=commitment,
        network_id=found.network.id,
        before=before,
        after={},
    )
    await session.delete(commitment)
    await session.flush()


async def live_partnership_ids(
    session: AsyncSession, network: Network, partnership_ids: Iterable[int]
) -> list[int]:
    """``partnership_ids``, sorted and without repeats, if each is a live partnership of
    ``network``; else 422 naming the others."""
    wanted = sorted(set(partnership_ids))
    live: set[int] = set()
    if wanted:
        rows = await session.scalars(
            select(col(Partnership.id)).where(
                col(Partnership.id).in_(wanted),
                col(Partnership.network_id) == network.id,
                col(Partnership.deleted_at).is_(None),
            )
        )
        live = {int(i) for i in rows.all() if i is not None}
    unknown = [p for p in wanted if p not in live]
    if unknown:
        raise Unprocessable(
            f"no such partnerships of network {network.id}: {unknown}",
            errors=[_issue(["body", "partnership_ids"], "unknown partnership", "unknown")],
        )
    return wanted
