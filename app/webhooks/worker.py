"""The delivery worker: claims due deliveries, POSTs them signed, records what happened.

Claiming is a short write transaction: ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL (so
several workers share the queue), serialised by SQLite's BEGIN IMMEDIATE there. It gives each
row a lease (``claimed_until``) instead of holding a lock while sending, so no transaction stays
open during HTTP calls. A worker killed after claiming leaves its rows to be sent again once the
lease has passed; one killed after sending but before recording sends them again with the same
``Webhook-Id``. Delivery is at least once: receivers dedupe on ``Webhook-Id``.

Retries back off (5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, then every 4 h) until an attempt
fails 24 hours or more after the first one; the delivery is then ``failed``. A subscription
whose attempts have all failed for 24 hours is disabled, with the reason in its ``GET``.
"""

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.core import audit, outbox
from app.core.config import Settings
from app.core.db import Database, utcnow
from app.core.outbox import RETRY_WINDOW, backoff, poll
from app.webhooks import signing, targets
from app.webhooks.models import WebhookDelivery, WebhookSecret, WebhookSubscription
from app.webhooks.service import SYSTEM

log = logging.getLogger("cohesion.webhooks")

DISABLE_AFTER = timedelta(hours=24)
SEND_CONCURRENCY = 10
USER_AGENT = "Cohesion-Webhooks/1.0"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")

D = WebhookDelivery
S = WebhookSubscription


@dataclass(frozen=True, slots=True)
class Job:
    """A claimed delivery, with what sending it needs."""

    delivery_id: int
    subscription_id: int
    message_id: str
    payload: str
    url: str
    secrets: tuple[str, ...]
    attempts: int
    first_attempt_at: datetime | None
    token: str


@dataclass(frozen=True, slots=True)
class Outcome:
    job: Job
    ok: bool
    status_code: int | None
    duration_ms: int
    error: str | None


def _due(now: datetime) -> list[ColumnElement[bool]]:
    return [
        col(D.status) == "pending",
        col(D.next_attempt_at) <= now,
        or_(col(D.claimed_until).is_(None), col(D.claimed_until) <= now),
        col(S.active).is_(True),
        col(S.deleted_at).is_(None),
    ]


async def any_due(session: AsyncSession, *, now: datetime) -> bool:
    """Whether anything is due (a read, so an idle worker never takes SQLite's write lock)."""
    stmt = select(col(D.id)).join(S, col(S.id) == col(D.subscription_id)).where(*_due(now))
    return await session.scalar(stmt.limit(1)) is not None


async def claim_due(
    session: AsyncSession, *, now: datetime, limit: int, lease_seconds: int
) -> list[Job]:
    """Claim up to ``limit`` due deliveries of active subscriptions for a lease."""
    stmt = (
        select(
            col(D.id),
            col(D.subscription_id),
            col(D.message_id),
            col(D.payload),
            col(D.attempts),
            col(D.first_attempt_at),
            col(S.url),
        )
        .join(S, col(S.id) == col(D.subscription_id))
        .where(*_due(now))
        .order_by(col(D.next_attempt_at), col(D.id))
        .limit(limit)
        .with_for_update(skip_locked=True, of=D)
    )
    rows = (await session.execute(stmt)).all()
    if not rows:
        return []
    token = uuid.uuid4().hex
    ids = [row[0] for row in rows]
    await session.execute(
        update(D)
        .where(col(D.id).in_(ids))
        .values(claimed_until=now + timedelta(seconds=lease_seconds), claim_token=token)
    )
    subscription_ids = sorted({row[1] for row in rows})
    secret_rows = await session.execute(
        select(col(WebhookSecret.subscription_id), col(WebhookSecret.secret))
        .where(
            col(WebhookSecret.subscription_id).in_(subscription_ids),
            or_(col(WebhookSecret.expires_at).is_(None), col(WebhookSecret.expires_at) > now),
        )
        .order_by(col(WebhookSecret.id).desc())
    )
    secrets: dict[int, list[str]] = {}
    for subscription_id, secret in secret_rows.all():
        secrets.setdefault(subscription_id, []).append(secret)
    jobs = []
    for delivery_id, subscription_id, message_id, payload, attempts, first, url in rows:
        assert delivery_id is not None
        jobs.append(
            Job(
                delivery_id=delivery_id,
                subscription_id=subscription_id,
                message_id=message_id,
                payload=payload,
                url=url,
                secrets=tuple(secrets.get(subscription_id, ())),
                attempts=attempts,
                first_attempt_at=first,
                token=token,
            )
        )
    return jobs


def _clean(text: str, limit: int = 500) -> str:
    return _CONTROL.sub(" ", text).strip()[:limit]


def _pinned_request(
    client: httpx.AsyncClient, target: targets.Target, headers: dict[str, str], body: bytes
) -> httpx.Request:
    """A POST to the checked address itself, with the original Host and TLS server name."""
    if not target.addresses:
        return client.build_request("POST", target.url, headers=headers, content=body)
    address = target.addresses[0]
    host = f"[{address}]" if address.version == 6 else str(address)
    default_port = 443 if target.parts.scheme == "https" else 80
    netloc = host if target.port == default_port else f"{host}:{target.port}"
    url = target.parts._replace(netloc=netloc).geturl()
    host_header = target.parts.netloc.rsplit("@", 1)[-1]
    return client.build_request(
        "POST",
        url,
        headers={**headers, "Host": host_header},
        content=body,
        extensions={"sni_hostname": target.host},
    )


async def send(
    client: httpx.AsyncClient, job: Job, *, policy: targets.TargetPolicy, time_limit: float
) -> Outcome:
    """One attempt: check the target again, POST the signed body, and report the result."""
    body = job.payload.encode()
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signing.headers(job.secrets, job.message_id, timestamp, body),
    }
    started = time.perf_counter()

    def outcome(ok: bool, status_code: int | None, error: str | None) -> Outcome:
        elapsed = int((time.perf_counter() - started) * 1000)
        return Outcome(job, ok, status_code, elapsed, _clean(error) if error else None)

    try:
        target = await targets.check(job.url, policy)
    except targets.TargetRefused as exc:
        return outcome(False, None, f"refused: {exc.message}")
    try:
        request = _pinned_request(client, target, headers, body)
        async with asyncio.timeout(time_limit):
            response = await client.send(request, stream=True)
            try:
                code = response.status_code
                if 200 <= code < 300:
                    return outcome(True, code, None)
                if response.is_redirect:
                    where = response.headers.get("location", "")
                    return outcome(False, code, f"HTTP {code}: redirect to {where} not followed")
                snippet = b""
                # The start of the answer helps the chair; an encoded one is not unpacked.
                if "content-encoding" not in response.headers:
                    async for chunk in response.aiter_raw():
                        snippet += chunk
                        if len(snippet) >= 300:
                            break
                text = snippet[:300].decode("utf-8", "replace")
                return outcome(False, code, f"HTTP {code}: {text}" if text else f"HTTP {code}")
            finally:
                await response.aclose()
    except (TimeoutError, httpx.TimeoutException):
        return outcome(False, None, f"timed out after {time_limit:g} s")
    except httpx.HTTPError as exc:
        return outcome(False, None, f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # one bad target must not stop the batch
        log.exception("unexpected error sending webhook", extra={"delivery_id": job.delivery_id})
        return outcome(False, None, f"{type(exc).__name__}: {exc}")


async def record_outcomes(
    session: AsyncSession, outcomes: Sequence[Outcome], *, now: datetime
) -> None:
    """Store each attempt's result, schedule retries, and disable subscriptions failing for a
    day. A row whose lease was taken over by another worker is left to that worker."""
    for result in outcomes:
        job = result.job
        attempts = job.attempts + 1
        first = job.first_attempt_at or now
        values: dict[str, object] = {
            "attempts": attempts,
            "first_attempt_at": first,
            "last_attempt_at": now,
            "last_status_code": result.status_code,
            "last_duration_ms": result.duration_ms,
            "last_error": result.error,
            "claimed_until": None,
            "claim_token": None,
        }
        if result.ok:
            values.update(status="delivered", delivered_at=now, next_attempt_at=None)
        elif now - first >= RETRY_WINDOW:
            values.update(status="failed", next_attempt_at=None)
        else:
            values.update(next_attempt_at=now + backoff(attempts))
        await session.execute(
            update(D)
            .where(col(D.id) == job.delivery_id, col(D.claim_token) == job.token)
            .values(**values)
        )
    healthy = {r.job.subscription_id for r in outcomes if r.ok}
    failing = {r.job.subscription_id for r in outcomes if not r.ok} - healthy
    if healthy:
        await session.execute(
            update(S)
            .where(col(S.id).in_(sorted(healthy)), col(S.failing_since).is_not(None))
            .values(failing_since=None)
        )
    if not failing:
        return
    await session.execute(
        update(S)
        .where(col(S.id).in_(sorted(failing)), col(S.failing_since).is_(None))
        .values(failing_since=now)
    )
    stale = await session.scalars(
        select(S).where(
            col(S.id).in_(sorted(failing)),
            col(S.active).is_(True),
            col(S.failing_since) <= now - DISABLE_AFTER,
        )
    )
    last_errors: dict[int | None, str | None] = {
        r.job.subscription_id: r.error for r in outcomes if not r.ok
    }
    for subscription in stale.all():
        await _disable(session, subscription, now=now, last_error=last_errors.get(subscription.id))


async def _disable(
    session: AsyncSession,
    subscription: WebhookSubscription,
    *,
    now: datetime,
    last_error: str | None,
) -> None:
    before = audit.snapshot(subscription)
    since = subscription.failing_since or now
    reason = (
        f"disabled automatically: every delivery attempt has failed since "
        f"{since:%Y-%m-%d %H:%M} UTC (24 hours or more); last error: {last_error or 'unknown'}. "
        "Fix the receiver, then PATCH active: true (queued deliveries are sent then)."
    )
    subscription.active = False
    subscription.disabled_reason = reason[:1000]
    subscription.disabled_at = now
    session.add(subscription)
    await audit.record(
        session,
        SYSTEM,
        action="disable",
        obj=subscription,
        network_id=subscription.network_id,
        before=before,
    )
    log.warning(
        "webhook disabled after failing for a day",
        extra={"webhook_id": subscription.id, "network_id": subscription.network_id},
    )


class WebhookWorker:
    """Sends due deliveries; one httpx client for the worker's life."""

    def __init__(
        self, db: Database, settings: Settings, *, client: httpx.AsyncClient | None = None
    ) -> None:
        self.db = db
        self.settings = settings
        self.policy = targets.TargetPolicy.from_settings(settings)
        self.timeout = settings.webhooks_timeout_seconds
        self.client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(self.timeout),
            follow_redirects=False,
            trust_env=False,  # no proxies from the environment: we connect to checked addresses
            # No kept-alive connections: a connection is made to a checked address with one
            # host's TLS name, and must not be reused for another host on the same address.
            limits=httpx.Limits(max_connections=SEND_CONCURRENCY * 2, max_keepalive_connections=0),
        )
        self._stop = asyncio.Event()
        self._limit = asyncio.Semaphore(SEND_CONCURRENCY)

    async def _send(self, job: Job) -> Outcome:
        async with self._limit:
            return await send(self.client, job, policy=self.policy, time_limit=self.timeout)

    async def claim(self, *, now: datetime) -> list[Job]:
        """Claim a batch in its own short transaction."""
        async with self.db.transaction(write=False) as session:
            if not await any_due(session, now=now):
                return []
        async with self.db.transaction() as session:
            return await claim_due(
                session,
                now=now,
                limit=self.settings.webhooks_batch_size,
                lease_seconds=self.settings.webhooks_lease_seconds,
            )

    async def send_all(self, jobs: Sequence[Job]) -> list[Outcome]:
        return list(await asyncio.gather(*(self._send(job) for job in jobs)))

    async def record(self, outcomes: Sequence[Outcome], *, now: datetime) -> None:
        async with self.db.transaction() as session:
            await record_outcomes(session, outcomes, now=now)

    async def process_due(self, *, now: datetime | None = None) -> int:
        """Send every delivery due at ``now`` (default: the current time) once; returns how
        many were attempted. Tests pass a later ``now`` to make retries due."""
        moment = now or utcnow()
        jobs = await self.claim(now=moment)
        if not jobs:
            return 0
        outcomes = await self.send_all(jobs)
        await self.record(outcomes, now=now or utcnow())
        return len(jobs)

    async def run(self) -> None:
        """Process batches until ``stop()``; an error is logged and the loop goes on."""
        await poll(
            self.process_due,
            self._stop,
            batch_size=self.settings.webhooks_batch_size,
            poll_seconds=self.settings.webhooks_poll_seconds,
            log=log,
            name="webhook worker",
        )

    def stop(self) -> None:
        self._stop.set()

    async def aclose(self) -> None:
        await self.client.aclose()


def in_background(db: Database, settings: Settings) -> AbstractAsyncContextManager[None]:
    """Run a worker beside the app while the context is open (when the settings enable it)."""
    return outbox.in_background(
        lambda: WebhookWorker(db, settings),
        enabled=settings.webhooks_worker_enabled,
        name="webhook-worker",
        stop_seconds=settings.webhooks_timeout_seconds + 5,
        log=log,
    )


async def run_forever(settings: Settings, *, once: bool = False) -> int:
    """``cohesion worker``: process deliveries until SIGINT/SIGTERM (or one pass with once)."""
    return await outbox.run_forever(settings, WebhookWorker, once=once)
