"""The mobility register: opportunities, and counts posted in batches by scripts and people.

Counts are upserted on their natural key (network, period, sending, receiving, participant,
mode, eqf_level) with one ``INSERT … ON CONFLICT DO UPDATE … WHERE count IS DISTINCT FROM
excluded.count`` per chunk, so posting the same batch again changes nothing. A batch is one
transaction: any invalid record and nothing is written.
"""

import csv
import io
import json
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import ColumnElement, Select, func, literal_column, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlmodel import col

from app.auth import policy
from app.auth.policy import Principal
from app.core import audit
from app.core.db import Database, utcnow
from app.core.errors import BadRequest, Unprocessable
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
    EQF_NOT_GIVEN,
    MobilityCount,
    MobilityCountBatch,
    MobilityOpportunity,
)
from app.mobility.schemas import (
    COUNT_BATCH,
    CountBatch,
    CountBatchResult,
    CountRead,
    CountSummary,
    GroupBy,
    MobilityMode,
    OpportunityCreate,
    OpportunityUpdate,
    Participant,
    SummaryGroup,
    format_period,
    org_ref,
    period_start,
)
from app.networks.models import Network
from app.organisations.models import Organisation

# The Core table: batches never build an ORM object per row.
COUNTS = MobilityCount.metadata.tables["mobility_counts"]
# Whether a network's mobility figures include its descendant networks' unless asked
# otherwise: one default for the summary and the mobility_sum and mobility_opportunities
# measure sources (docs/mobility.md), so a network's summary and its measures read the same
# counts. A network of networks records its mobilities in its member networks.
INCLUDE_DESCENDANTS = True
KEY_COLUMNS = (
    "network_id",
    "period",
    "sending_org_id",
    "receiving_org_id",
    "participant",
    "mode",
    "eqf_level",
)
CHUNK = 1_000
ORG_FIELDS = ("sending_org", "receiving_org")

Key = tuple[date, int, int, str, str, int]


Opportunity = Scoped[MobilityOpportunity, Network]


def _issue(loc: list[str | int], msg: str, kind: str) -> dict[str, Any]:
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
            errors=[_issue(["body", "organisation_id"], "unknown organisation", "unknown")],
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
            errors=[_issue(["body", "closes_on"], "before opens_on", "dates")],
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


# --- counts: posting ----------------------------------------------------------------------


@dataclass
class _Resolved:
    """Organisation references of a batch, resolved in one query."""

    ids: set[int]
    codes: dict[str, set[int]]

    def lookup(self, ref: int | str) -> tuple[int | None, str | None]:
        """(organisation id, None) or (None, why not)."""
        if isinstance(ref, int):
            return (ref, None) if ref in self.ids else (None, f"no organisation with id {ref}")
        found = self.codes.get(ref, set())
        if len(found) == 1:
            return next(iter(found)), None
        if not found:
            return None, f"no organisation with Erasmus OID or PIC {ref!r}"
        return None, f"the code {ref!r} names more than one organisation; give the id"


async def _resolve(session: AsyncSession, refs: Iterable[int | str]) -> _Resolved:
    ids = {r for r in refs if isinstance(r, int)}
    codes = {r for r in refs if isinstance(r, str)}
    resolved = _Resolved(ids=set(), codes={})
    if not ids and not codes:
        return resolved
    rows = await session.execute(
        select(col(Organisation.id), col(Organisation.erasmus_oid), col(Organisation.pic)).where(
            col(Organisation.deleted_at).is_(None),
            or_(
                col(Organisation.id).in_(ids),
                col(Organisation.erasmus_oid).in_(codes),
                col(Organisation.pic).in_(codes),
            ),
        )
    )
    for org_id, oid, pic in rows.all():
        assert org_id is not None
        if org_id in ids:
            resolved.ids.add(org_id)
        for code in (oid, pic):
            if code in codes:
                resolved.codes.setdefault(code, set()).add(org_id)
    return resolved


def _raw_records(payload: Any) -> list[Any]:
    records = payload.get("records") if isinstance(payload, dict) else None
    return records if isinstance(records, list) else []


def _decode(payload: Any) -> Any:
    if isinstance(payload, bytes | str):
        try:
            return json.loads(payload)
        except ValueError as exc:
            raise BadRequest(
                "the body is not valid JSON",
                errors=[_issue(["body"], "invalid JSON", "json_invalid")],
            ) from exc
    return payload


def _record_index(error: dict[str, Any]) -> int:
    loc = error["loc"]
    return loc[2] if len(loc) > 2 and isinstance(loc[2], int) else -1


def _record_errors(
    payload: Any, errors: list[dict[str, Any]], resolved: _Resolved
) -> list[dict[str, Any]]:
    """Unresolvable organisations of the raw records whose references are well-formed."""
    bad_locs = {tuple(e["loc"]) for e in errors}
    found: list[dict[str, Any]] = []
    for i, raw in enumerate(_raw_records(payload)):
        if not isinstance(raw, dict):
            continue
        ids: list[int | None] = []
        for field in ORG_FIELDS:
            ref = _well_formed(raw.get(field))
            if ("body", "records", i, field) in bad_locs or ref is None:
                ids.append(None)
                continue
            org_id, why = resolved.lookup(ref)
            ids.append(org_id)
            if why is not None:
                found.append(_issue(["body", "records", i, field], why, "unknown_organisation"))
        if ids[0] is not None and ids[0] == ids[1]:
            found.append(_same_organisation(i))
    return found


def _well_formed(value: Any) -> int | str | None:
    """A raw reference as the schema reads it, or None when the schema refuses it."""
    try:
        return org_ref(value)
    except ValueError:
        return None


def _same_organisation(i: int) -> dict[str, Any]:
    return _issue(
        ["body", "records", i, "receiving_org"],
        "sending and receiving organisation are the same",
        "same_organisation",
    )


def _refuse(payload: Any, errors: list[dict[str, Any]]) -> Unprocessable:
    errors.sort(key=_record_index)
    bad = len({_record_index(e) for e in errors} - {-1})
    total = len(_raw_records(payload))
    detail = (
        f"{bad} of {total} records are not valid; nothing was written"
        if bad
        else "the batch is not valid; nothing was written"
    )
    return Unprocessable(detail, errors=errors)


async def _validate_batch(
    session: AsyncSession, payload: Any
) -> tuple[CountBatch, list[tuple[int, int]]]:
    """The batch and each record's (sending, receiving) ids, or a 422 naming every bad record.

    Shapes are checked by one TypeAdapter, organisation references by one query; both kinds
    of problem are reported together, so one round trip shows everything to fix.
    """
    payload = _decode(payload)
    try:
        batch = COUNT_BATCH.validate_python(payload)
    except ValidationError as exc:
        errors = [
            _issue(["body", *e["loc"]], e["msg"], e["type"])
            for e in exc.errors(include_url=False, include_input=False, include_context=False)
        ]
        raw = _raw_records(payload)
        well_formed = (
            _well_formed(r.get(f)) for r in raw if isinstance(r, dict) for f in ORG_FIELDS
        )
        resolved = await _resolve(session, {ref for ref in well_formed if ref is not None})
        raise _refuse(payload, errors + _record_errors(payload, errors, resolved)) from exc
    records = batch.records
    refs = {r.sending_org for r in records} | {r.receiving_org for r in records}
    resolved = await _resolve(session, refs)
    ids: dict[int | str, int] = {}
    for ref in refs:
        org_id, _ = resolved.lookup(ref)
        if org_id is not None:
            ids[ref] = org_id
    pairs: list[tuple[int, int]] = []
    for record in records:
        sending = ids.get(record.sending_org)
        receiving = ids.get(record.receiving_org)
        if sending is None or receiving is None or sending == receiving:
            raise _refuse(payload, _record_errors(payload, [], resolved))
        pairs.append((sending, receiving))
    return batch, pairs


def _upsert(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(COUNTS)
    excluded = stmt.excluded
    return stmt.on_conflict_do_update(
        index_elements=list(KEY_COLUMNS),
        set_={
            "count": excluded.count,
            "source_ref": excluded.source_ref,
            "batch_id": excluded.batch_id,
            "updated_at": excluded.updated_at,
        },
        where=COUNTS.c.count.is_distinct_from(excluded.count),
    )


async def post_counts(
    session: AsyncSession, principal: Principal, network: Network, *, payload: Any
) -> CountBatchResult:
    """Upsert a batch of counts into the network's register, all or nothing."""
    policy.require_mobility_count_write(principal, network)
    assert network.id is not None
    batch, org_ids = await _validate_batch(session, payload)
    now = utcnow()
    receipt = MobilityCountBatch(
        network_id=network.id,
        received_at=now,
        posted_by_kind=principal.actor_kind,
        posted_by_id=principal.actor_id,
        records=len(batch.records),
    )
    session.add(receipt)
    await session.flush()
    # A key given twice in one batch: the last one wins (and the statement must not touch
    # a row twice). Sorted, so concurrent batches lock rows in the same order (no deadlock).
    rows: dict[Key, dict[str, Any]] = {}
    months: dict[str, date] = {}
    for record, (sending, receiving) in zip(batch.records, org_ids, strict=True):
        eqf = record.eqf_level if record.eqf_level is not None else EQF_NOT_GIVEN
        month = months.get(record.period)
        if month is None:
            month = months[record.period] = period_start(record.period)
        key = (
            month,
            sending,
            receiving,
            record.participant.value,
            record.mode.value,
            eqf,
        )
        rows[key] = {
            "network_id": network.id,
            "period": key[0],
            "sending_org_id": sending,
            "receiving_org_id": receiving,
            "participant": key[3],
            "mode": key[4],
            "eqf_level": eqf,
            "count": record.count,
            "source_ref": record.source_ref,
            "batch_id": receipt.id,
            "created_at": now,
            "updated_at": now,
        }
    ordered = [rows[key] for key in sorted(rows)]
    dialect = session.get_bind().dialect.name
    stmt = _upsert(dialect)
    conn = await session.connection()
    inserted = changed = 0
    if dialect == "postgresql":
        # xmax is 0 on a row version this statement inserted and our transaction id on one it
        # updated; rows the WHERE left alone are not returned.
        returning = stmt.returning(literal_column("(xmax = 0)").label("inserted"))
        for start in range(0, len(ordered), CHUNK):
            result = await conn.execute(returning, ordered[start : start + CHUNK])
            flags = [bool(flag) for (flag,) in result.all()]
            inserted += sum(flags)
            changed += len(flags)
    else:
        # SQLite: this transaction holds the write lock (BEGIN IMMEDIATE) and gives a new row
        # the largest rowid plus one, so the rows above the largest id before the statement
        # are the inserted ones; the changes count covers inserted and updated rows (those
        # the WHERE left alone are not changes).
        last_id = await session.scalar(select(func.coalesce(func.max(COUNTS.c.id), 0)))
        for start in range(0, len(ordered), CHUNK):
            result = await conn.execute(stmt, ordered[start : start + CHUNK])
            changed += result.rowcount
        inserted = int(await session.scalar(select(func.count()).where(COUNTS.c.id > last_id)) or 0)
    updated = changed - inserted
    result_counts = CountBatchResult(
        inserted=inserted, updated=updated, unchanged=len(rows) - inserted - updated
    )
    receipt.inserted = result_counts.inserted
    receipt.updated = result_counts.updated
    receipt.unchanged = result_counts.unchanged
    session.add(receipt)
    await audit.record(session, principal, action="post_counts", obj=receipt, network_id=network.id)
    return result_counts


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
    subtree = select(col(Network.id)).where(
        col(Network.path).startswith(network.path, autoescape=True),
        col(Network.deleted_at).is_(None),
    )
    return cast(ColumnElement[bool], column.in_(subtree))


def network_scope(network: Network, include_descendants: bool) -> ColumnElement[bool]:
    """Counts of the network, or of it and its live descendants (by materialized path)."""
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
            errors=[_issue(["query", "group_by"], f"not valid: {value!r}", "group_by")],
        )
    return [GroupBy(n) for n in names]


def period_range(period_from: str | None, period_to: str | None) -> tuple[date | None, date | None]:
    """``from``/``to`` months as first days, checked to be in order."""
    start = period_start(period_from) if period_from else None
    end = period_start(period_to) if period_to else None
    if start and end and end < start:
        raise Unprocessable(
            "to is before from",
            errors=[_issue(["query", "to"], "before from", "period_range")],
        )
    return start, end
