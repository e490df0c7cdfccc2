"""``Idempotency-Key`` on POST: the same key and request replays the first response.

Keys live in the database per principal, written in the same transaction as the change
they protect, so a crash after commit cannot lose the record and several server processes
agree. On PostgreSQL a transaction-scoped advisory lock on the key answers a concurrent
duplicate with ``409`` while the first is still in flight; SQLite's single writer (BEGIN
IMMEDIATE) makes the duplicate wait and then replay.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import FastAPI, Header, Request, Response
from sqlalchemy import UniqueConstraint, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import Field, Text, col
from starlette.datastructures import UploadFile

from app.core.db import UTCDateTime, utcnow
from app.core.errors import Conflict, Unprocessable
from app.core.models import IdMixin, JSONType

RETENTION = timedelta(hours=24)
REPLAYED_HEADER = "Idempotent-Replayed"
_KEPT_HEADERS = ("content-type", "location", "etag")

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description=(
            "Any unique string (a UUID is ideal). Sending the same key with the same request "
            "again returns the first response instead of repeating the change."
        ),
    ),
]


class IdempotencyRecord(IdMixin, table=True):
    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("principal", "key", name="uq_idempotency_principal_key"),)

    principal: str = Field(max_length=80)
    key: str = Field(max_length=255)
    fingerprint: str = Field(max_length=64)
    status_code: int
    response_body: str = Field(sa_type=Text)
    response_headers: dict[str, str] = Field(default_factory=dict, sa_type=JSONType)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)


@dataclass(slots=True)
class PendingKey:
    principal: str
    key: str
    fingerprint: str


class IdempotentReplay(Exception):
    """Raised to answer with the stored response of an earlier identical request."""

    def __init__(self, record: IdempotencyRecord) -> None:
        # Copied now: the session rolls back (expiring the row) before the handler runs.
        self.status_code = record.status_code
        self.body = record.response_body
        self.headers = dict(record.response_headers)


async def _fingerprint(request: Request) -> str:
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.url.path}?{request.url.query}\n".encode())
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        form = await request.form()
        for name, value in form.multi_items():
            digest.update(name.encode() + b"=")
            if isinstance(value, UploadFile):
                data = await value.read()
                await value.seek(0)
                digest.update(f"{value.filename}:".encode() + data)
            else:
                digest.update(value.encode())
            digest.update(b"\n")
    else:
        digest.update(await request.body())
    return digest.hexdigest()


def _lock_id(principal: str, key: str) -> int:
    raw = hashlib.sha256(f"{principal}\n{key}".encode()).digest()[:8]
    return int.from_bytes(raw, "big", signed=True)


async def begin(session: AsyncSession, request: Request, principal: str, key: str) -> None:
    """Check ``key`` before the endpoint runs: replay, refuse, or remember it for commit."""
    fingerprint = await _fingerprint(request)
    if session.get_bind().dialect.name == "postgresql":
        locked = await session.scalar(
            select(func.pg_try_advisory_xact_lock(_lock_id(principal, key)))
        )
        if not locked:
            raise Conflict("a request with this Idempotency-Key is still in progress; retry later")
    record = await session.scalar(
        select(IdempotencyRecord).where(
            col(IdempotencyRecord.principal) == principal, col(IdempotencyRecord.key) == key
        )
    )
    if record is not None and record.created_at < utcnow() - RETENTION:
        await session.execute(
            delete(IdempotencyRecord).where(col(IdempotencyRecord.id) == record.id)
        )
        record = None
    if record is not None:
        if record.fingerprint != fingerprint:
            raise Unprocessable(
                "this Idempotency-Key was already used with a different request",
                errors=[
                    {
                        "loc": ["header", "Idempotency-Key"],
                        "msg": "key reused with another request",
                        "type": "idempotency_key_reused",
                    }
                ],
            )
        raise IdempotentReplay(record)
    request.state.idempotency = PendingKey(principal, key, fingerprint)


def finish(session: AsyncSession, request: Request, response: Response) -> None:
    """Store a successful response under the pending key, in the request's transaction."""
    pending: PendingKey | None = getattr(request.state, "idempotency", None)
    body = getattr(response, "body", None)
    if pending is None or body is None:
        return
    headers = {k: v for k, v in response.headers.items() if k in _KEPT_HEADERS}
    session.add(
        IdempotencyRecord(
            principal=pending.principal,
            key=pending.key,
            fingerprint=pending.fingerprint,
            status_code=response.status_code,
            response_body=bytes(body).decode(),
            response_headers=headers,
        )
    )


async def _replay(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, IdempotentReplay)
    headers: dict[str, Any] = dict(exc.headers)
    media_type = headers.pop("content-type", "application/json")
    headers[REPLAYED_HEADER] = "true"
    return Response(
        exc.body.encode(),
        status_code=exc.status_code,
        headers=headers,
        media_type=media_type,
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(IdempotentReplay, _replay)


__all__ = ["IdempotencyKeyHeader", "begin", "finish", "install"]
