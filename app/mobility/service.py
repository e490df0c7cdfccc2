"""The mobility register: opportunities, and reading the counts (lists, summaries, CSV).
Posting counts is in ``app/mobility/count_service.py``."""

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from app.auth import graph, policy
from app.auth.policy import Principal
from app.core.db import Database
from app.core.errors import Unprocessable
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
from app.mobility.models import (
    MobilityCount,
    MobilityOpportunity,
)
from app.mobility.schemas import (
    CountRead,
    CountSummary,
    GroupBy,
    MobilityMode,
    OpportunityCreate,
    OpportunityUpdate,
    Participant,
    SummaryGroup,
    format_period,
    period_start,
)
from app.networks.models import Network
from app.organisations.models import Organisation

# Whether a network's mobility figures include its descendant networks' unless asked
# otherwise: one default for the summary and the mobility_sum and mobility_opportunities
# measure sources (docs/mobility.md), so a network's summary and its measures read the same
# counts. A network of networks records its mobilities in its member networks.
INCLUDE_DESCENDANTS = True

Opportunity = Scoped[MobilityOpportunity, Network]


def field_issue(loc: list[str | int], msg: str, kind: str) -> dict[str, Any]:
    return {"loc": loc, "msg": msg, "type": kind}


async def _live_organisation(session: AsyncSession, organisation_id: int) -> None:
    found = await session.scalar(
        select(col(Organisation.id)).where(
            col(Organisation.id) == organisation_id, col(Organisation.deleted_at).is_(None)
        )
    )
    if found is None:
        raise Unprocessable(
            f"organisation {organisation_id} does not exist",
            errors=[field_issue(["body", "organisation_id"], "unknown organisation", "unknown")],
        )


# --- opportunities ------------------------------------------------------------------------


async def create_opportunity(
    session: AsyncSession, principal: Principal, network: Network, *, data: OpportunityCreate
) -> MobilityOpportunity:
    """Add an opportunity to the network's register (chair, executive, facilitator)."""
    policy.require_opportunity_write(principal, network)
    await _live_organisation(session, data.organisation_id)
    opportunity = MobilityOpportunity.model_validate(data, update={"network_id": network.id})
    return await audited_create(session, principal, opportunity, network_id=network.id)


async def list_opportunities(
    session: AsyncSession,
    network: Network,
    *,
    eqf_level: int | None,
    mode: MobilityMode | None,
    participant: Participant | None,
    organisation_id: int | None,
    open_on: date | None,
    q: str | None,
    params: ListParams,
) -> PageResult:
    stmt = select(MobilityOpportunity).where(col(MobilityOpportunity.network_id) == network.id)
    if eqf_level is not None:
        stmt = stmt.where(col(MobilityOpportunity.eqf_level) == eqf_level)
    if mode is not None:
        stmt = stmt.where(col(MobilityOpportunity.mode) == mode.value)
    if participant is not None:
        stmt = stmt.where(col(MobilityOpportunity.participant) == participant.value)
    if organisation_id is not None:
        stmt = stmt.where(col(MobilityOpportunity.organisation_id) == organisation_id)
    if open_on is not None:
        stmt = stmt.where(
            or_(
                col(MobilityOpportunity.opens_on).is_(None),
                col(MobilityOpportunity.opens_on) <= open_on,
            ),
            or_(
                col(MobilityOpportunity.closes_on).is_(None),
                col(MobilityOpportunity.closes_on) >= open_on,
            ),
        )
    if q:
        stmt = stmt.where(
            func.lower(col(MobilityOpportunity.title)).contains(q.lower(), autoescape=True)
        )
    return await fetch_page(session, stmt, params)


async def update_opportunity(
    session: AsyncSession, principal: Principal, found: Opportunity, *, data: OpportunityUpdate
) -> MobilityOpportunity:
    policy.require_opportunity_write(principal, found.network)
    opportunity = found.obj
    changes = data.model_dump(exclude_unset=True)
    opens = changes.get("opens_on", opportunity.opens_on)
    closes = changes.get("closes_on", opportunity.closes_on)
    if opens is not None and closes is not None and closes < opens:
        raise Unprocessable(
            "closes_on is before opens_on",
            errors=[field_issue(["body", "closes_on"], "before opens_on", "dates")],
        )
    if "organisation_id" in changes and changes["organisation_id"] != opportunity.organisation_id:
        await _live_organisation(session, changes["organisation_id"])
    return await audited_update(
        session, principal, opportunity, changes, network_id=found.network.id
    )


async def delete_opportunity(
    session: AsyncSession, principal: Principal, found: Opportunity
) -> None:
    policy.require_opportunity_write(principal, found.network)
    await audited_delete(session, principal, found.obj, network_id=found.network.id)


async def restore_opportunity(
    session: AsyncSession, principal: Principal, found: Opportunity
) -> MobilityOpportunity:
    policy.require_opportunity_write(principal, found.network)
    return await audited_restore(session, principal, found.obj, network_id=found.network.id)


# --- counts: reading ----------------------------------------------------------------------


@dataclass(frozen=True)
class CountFilter:
    period_from: date | None = None
    period_to: date | None = None
    participant: Participant | None = None
    mode: MobilityMode | None = None
    eqf_level: int | None = None
    organisation_id: int | None = None
    sending_org_id: int | None = None
    receiving_org_id: int | None = None
    include_descendants: bool = False


def _scope(column: Any, network: Network, include_descendants: bool) -> ColumnElement[bool]:
    if not include_descendants:
        return cast(ColumnElement[bool], column == network.id)
    assert network.id is not None
    return cast(ColumnElement[bool], column.in_(graph.descendant_ids(network.id)))


def network_scope(network: Network, include_descendants: bool) -> ColumnElement[bool]:
    """Counts of the network, or of it and its live descendants (over live links, each
    network once however many paths lead to it)."""
    return _scope(col(MobilityCount.network_id), network, include_descendants)


def opportunity_scope(network: Network, include_descendants: bool) -> ColumnElement[bool]:
    """Opportunities in the network's register, or in it and its live descendants'."""
    return _scope(col(MobilityOpportunity.network_id), network, include_descendants)


def _where(network: Network, f: CountFilter) -> list[ColumnElement[bool]]:
    clauses = [network_scope(network, f.include_descendants)]
    if f.period_from is not None:
        clauses.append(col(MobilityCount.period) >= f.period_from)
    if f.period_to is not None:
        clauses.append(col(MobilityCount.period) <= f.period_to)
    if f.participant is not None:
        clauses.append(col(MobilityCount.participant) == f.participant.value)
    if f.mode is not None:
        clauses.append(col(MobilityCount.mode) == f.mode.value)
    if f.eqf_level is not None:
        clauses.append(col(MobilityCount.eqf_level) == f.eqf_level)
    if f.organisation_id is not None:
        clauses.append(
            or_(
                col(MobilityCount.sending_org_id) == f.organisation_id,
                col(MobilityCount.receiving_org_id) == f.organisation_id,
            )
        )
    if f.sending_org_id is not None:
        clauses.append(col(MobilityCount.sending_org_id) == f.sending_org_id)
    if f.receiving_org_id is not None:
        clauses.append(col(MobilityCount.receiving_org_id) == f.receiving_org_id)
    return clauses


def count_read(row: MobilityCount) -> CountRead:
    assert row.id is not None
    return CountRead(
        id=row.id,
        network_id=row.network_id,
        period=format_period(row.period),
        sending_org_id=row.sending_org_id,
        receiving_org_id=row.receiving_org_id,
        participant=Participant(row.participant),
        mode=MobilityMode(row.mode),
        eqf_level=row.eqf_level or None,
        count=row.count,
        source_ref=row.source_ref,
        batch_id=row.batch_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def list_counts(
    session: AsyncSession,
    network: Network,
    *,
    filters: CountFilter,
    params: ListParams,
) -> PageResult:
    stmt = select(MobilityCount).where(*_where(network, filters))
    return await fetch_page(session, stmt, params)


async def summary(
    session: AsyncSession, network: Network, *, filters: CountFilter, group_by: list[GroupBy]
) -> CountSummary:
    """Sums of counts, grouped in SQL."""
    receiving = aliased(Organisation)
    columns: dict[GroupBy, Any] = {
        GroupBy.participant: col(MobilityCount.participant),
        GroupBy.mode: col(MobilityCount.mode),
        GroupBy.eqf_level: col(MobilityCount.eqf_level),
        GroupBy.receiving_country: col(receiving.country),
        GroupBy.period: col(MobilityCount.period),
    }
    keys = [columns[g] for g in group_by]
    stmt: Select[Any] = select(*keys, func.coalesce(func.sum(col(MobilityCount.count)), 0))
    if GroupBy.receiving_country in group_by:
        stmt = stmt.join(receiving, col(receiving.id) == col(MobilityCount.receiving_org_id))
    stmt = stmt.where(*_where(network, filters))
    if keys:
        stmt = stmt.group_by(*keys).order_by(*keys)
    groups: list[SummaryGroup] = []
    total = 0
    for row in (await session.execute(stmt)).all():
        values = dict(zip(group_by, row[:-1], strict=True))
        amount = int(row[-1])
        total += amount
        if not group_by:
            continue
        if GroupBy.period in values:
            values[GroupBy.period] = format_period(values[GroupBy.period])
        if GroupBy.eqf_level in values:
            values[GroupBy.eqf_level] = values[GroupBy.eqf_level] or None
        groups.append(SummaryGroup(**{g.value: v for g, v in values.items()}, count=amount))
    assert network.id is not None
    return CountSummary(
        network_id=network.id,
        include_descendants=filters.include_descendants,
        period_from=format_period(filters.period_from) if filters.period_from else None,
        period_to=format_period(filters.period_to) if filters.period_to else None,
        group_by=group_by,
        total=total,
        groups=groups,
    )


EXPORT_COLUMNS = [
    "period",
    "sending_org",
    "receiving_org",
    "participant",
    "mode",
    "eqf_level",
    "count",
    "source_ref",
    "network_id",
    "sending_org_name",
    "receiving_org_name",
    "receiving_country",
    "updated_at",
]
EXPORT_PAGE = 2_000


def _cell(value: Any) -> Any:
    """Text a spreadsheet would run as a formula is prefixed with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


async def export_csv(db: Database, network: Network, filters: CountFilter) -> AsyncIterator[bytes]:
    """The counts matching ``filters`` as CSV, read in keyset pages in one read transaction.

    The columns start with the record fields, so an export can be posted again as it is.
    """
    sending = aliased(Organisation)
    receiving = aliased(Organisation)
    base = (
        select(
            col(MobilityCount.id),
            col(MobilityCount.period),
            col(MobilityCount.sending_org_id),
            col(MobilityCount.receiving_org_id),
            col(MobilityCount.participant),
            col(MobilityCount.mode),
            col(MobilityCount.eqf_level),
            col(MobilityCount.count),
            col(MobilityCount.source_ref),
            col(MobilityCount.network_id),
            col(sending.name),
            col(receiving.name),
            col(receiving.country),
            col(MobilityCount.updated_at),
        )
        .join(sending, col(sending.id) == col(MobilityCount.sending_org_id))
        .join(receiving, col(receiving.id) == col(MobilityCount.receiving_org_id))
        .where(*_where(network, filters))
        .order_by(col(MobilityCount.id))
        .limit(EXPORT_PAGE)
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    yield buffer.getvalue().encode()
    last_id = 0
    async with db.session(write=False) as session, session.begin():
        while True:
            rows = (await session.execute(base.where(col(MobilityCount.id) > last_id))).all()
            if not rows:
                break
            buffer.seek(0)
            buffer.truncate()
            for row in rows:
                writer.writerow(
                    [
                        format_period(row[1]),
                        row[2],
                        row[3],
                        row[4],
                        row[5],
                        row[6] or "",
                        row[7],
                        _cell(row[8] or ""),
                        row[9],
                        _cell(row[10]),
                        _cell(row[11]),
                        row[12] or "",
                        row[13].isoformat(),
                    ]
                )
            yield buffer.getvalue().encode()
            last_id = int(rows[-1][0] or 0)
            if len(rows) < EXPORT_PAGE:
                break


def group_by_param(value: str | None) -> list[GroupBy]:
    """``participant,mode`` → [GroupBy.participant, GroupBy.mode]; 422 for anything else."""
    if not value:
        return []
    names = [part.strip() for part in value.split(",") if part.strip()]
    allowed = {g.value for g in GroupBy}
    unknown = [n for n in names if n not in allowed]
    if unknown or len(set(names)) != len(names):
        raise Unprocessable(
            f"group_by takes distinct names among: {', '.join(g.value for g in GroupBy)}",
            errors=[field_issue(["query", "group_by"], f"not valid: {value!r}", "group_by")],
        )
    return [GroupBy(n) for n in names]


def period_range(period_from: str | None, period_to: str | None) -> tuple[date | None, date | None]:
    """``from``/``to`` months as first days, checked to be in order."""
    start = period_start(period_from) if period_from else None
    end = period_start(period_to) if period_to else None
    if start and end and end < start:
        raise Unprocessable(
            "to is before from",
            errors=[field_issue(["query", "to"], "before from", "period_range")],
        )
    return start, end
