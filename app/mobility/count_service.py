"""Mobility counts posted in batches by scripts and people.

Counts are upserted on their natural key (network, period, sending, receiving, participant,
mode, eqf_level) with one ``INSERT … ON CONFLICT DO UPDATE … WHERE count IS DISTINCT FROM
excluded.count`` per chunk, so posting the same batch again changes nothing. A batch is one
transaction: any invalid record and nothing is written.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, literal_column, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.policy import Principal
from app.core import audit
from app.core.db import utcnow
from app.core.errors import BadRequest, Unprocessable
from app.mobility.models import (
    EQF_NOT_GIVEN,
    MobilityCount,
    MobilityCountBatch,
)
from app.mobility.schemas import (
    COUNT_BATCH,
    CountBatch,
    CountBatchResult,
    org_ref,
    period_start,
)
from app.mobility.service import field_issue
from app.networks.models import Network
from app.organisations.models import Organisation

# The Core table: batches never build an ORM object per row.
COUNTS = MobilityCount.metadata.tables["mobility_counts"]
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
                errors=[field_issue(["body"], "invalid JSON", "json_invalid")],
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
                found.append(
                    field_issue(["body", "records", i, field], why, "unknown_organisation")
                )
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
    return field_issue(
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
            field_issue(["body", *e["loc"]], e["msg"], e["type"])
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
