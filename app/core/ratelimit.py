"""Rate limiting: one budget per caller, counted in Redis when configured, in memory otherwise;
log-in attempts counted in Redis when configured, in the database otherwise.

Who is counted (``RateLimitMiddleware``, on every ``/api/v1`` request):

* a caller with a valid bearer token: its subject (``user:7``, ``sa:3``) — ``principal``;
* anyone else (no token, or a token that does not verify): the client IP — ``anonymous``;
* ``POST /api/v1/auth/token``: the client IP, with a stricter budget — ``token-ip``.

Inside the token endpoint (``login_attempt``), every attempt is counted *before* the password
is verified (an atomic increment that reserves a slot; over budget, the slot is given back and
the answer is ``429`` without verifying), so concurrent guesses cannot all be verified:

* ``login``: per account (username or client id) *and* client address. A right password from
  another address is never refused because of these failures: nobody can lock an account out.
  The budget is several windows in the ``limits`` notation ("5/minute;20/hour;100/day"), so
  repeated failures are slowed down progressively: ``Retry-After`` grows from the end of the
  minute to the end of the hour, then of the day. A success clears the count.
* ``login-address``: per client address, over all accounts (guessing many accounts' passwords
  from one address). A success gives its own slot back.

The client address is the ASGI peer (``scope["client"]``); behind a reverse proxy the server
takes it from ``X-Forwarded-For`` only when the peer is a trusted proxy
(``COHESION_FORWARDED_ALLOW_IPS``, passed to uvicorn by ``cohesion serve`` and the Dockerfile).

Windows are fixed and aligned to the clock (``floor(now / window)``), so each check is one
``INCR`` (with its expiry) and the reset time is known without asking the store: every process
sharing a Redis shares the budget, and the hot path costs one round trip. The token the
middleware verified is handed to ``current_principal`` (``verified_claims``), so it is not
verified twice.

If Redis cannot be reached the limiter fails open: the request is served unlimited and a
warning is logged (once per retry period, not per request). A rate limiter protects capacity;
turning a Redis outage into a full API outage (or 500s) would do more harm than the abuse it
guards against. Every later request within ``ratelimit_redis_retry_seconds`` skips Redis
altogether, so an outage does not add a timeout to every request. Log-in attempts do not fail
open: while Redis is unreachable (or slower than its timeout) they are counted in the database,
so a failing Redis can at most double a window's budget (once in each store), never lift it.
"""

import asyncio
import hashlib
import json
import logging
import math
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from fastapi import BackgroundTasks, FastAPI, Request
from limits import RateLimitItem, parse, parse_many
from limits.aio.storage import Storage
from limits.errors import StorageError
from limits.storage import storage_from_string
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, SQLModel
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.config import Settings
from app.core.db import Database, UTCDateTime, utcnow
from app.core.errors import PROBLEM_BASE, PROBLEM_MEDIA_TYPE, TooManyRequests, Unauthorized
from app.core.security import InvalidToken, TokenService

log = logging.getLogger("cohesion.ratelimit")

API_PREFIX = "/api/v1/"
TOKEN_PATH = "/api/v1/auth/token"  # noqa: S105 - a path, not a secret
_CLAIMS_KEY = "cohesion.verified_token"


@dataclass(frozen=True, slots=True)
class Policy:
    """A named budget: ``amount`` requests per ``window`` seconds."""

    name: str
    item: RateLimitItem

    @property
    def amount(self) -> int:
        return int(self.item.amount)

    @property
    def window(self) -> int:
        return int(self.item.get_expiry())

    @property
    def header(self) -> str:
        """The ``RateLimit-Policy`` field value (draft-ietf-httpapi-ratelimit-headers)."""
        return f'"{self.name}";q={self.amount};w={self.window}'


@dataclass(frozen=True, slots=True)
class Decision:
    policy: Policy
    allowed: bool
    remaining: int
    reset: int  # seconds until the window ends, at least 1

    def headers(self) -> dict[str, str]:
        values = {
            "RateLimit-Policy": self.policy.header,
            "RateLimit": f'"{self.policy.name}";r={self.remaining};t={self.reset}',
        }
        if not self.allowed:
            values["Retry-After"] = str(self.reset)
        return values


def _identity(value: str) -> str:
    """Usernames are hashed before they become keys: the store holds no email addresses."""
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]


class Counters(Protocol):
    """What the limiter needs of a store: the part of ``limits``' storage API it uses."""

    async def incr(self, key: str, expiry: int, amount: int = 1) -> int: ...
    async def get(self, key: str) -> int: ...
    async def clear(self, key: str) -> None: ...
    async def reset(self) -> int | None: ...


class MemoryCounters:
    """In-process counters that expire, at O(1) per request.

    Not ``limits.aio.storage.MemoryStorage``: it starts a scan of every key on each increment,
    so its cost grows with the number of callers (measured here: 27 µs per hit with one key,
    2.6 ms with 10,000 — a many-address flood would saturate the event loop). Here expired
    counters are swept at most once a second (less often when there are very many).
    """

    def __init__(self) -> None:
        self._counts: dict[str, tuple[int, float]] = {}
        self._next_sweep = 0.0

    async def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        if now >= self._next_sweep:
            self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
            self._next_sweep = now + max(1.0, len(self._counts) / 100_000)
        count, expires = self._counts.get(key, (0, 0.0))
        if expires <= now:
            count, expires = 0, now + expiry
        count += amount
        self._counts[key] = (count, expires)
        return count

    async def get(self, key: str) -> int:
        count, expires = self._counts.get(key, (0, 0.0))
        return count if expires > time.time() else 0

    async def clear(self, key: str) -> None:
        self._counts.pop(key, None)

    async def reset(self) -> int | None:
        self._counts.clear()
        return None


class RateLimiter:
    """Fixed, clock-aligned windows over a ``limits`` async storage."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.principal = Policy("principal", parse(settings.ratelimit_principal))
        self.anonymous = Policy("anonymous", parse(settings.ratelimit_anonymous))
        self.token_ip = Policy("token-ip", parse(settings.ratelimit_token_ip))
        self.login = [Policy("login", i) for i in parse_many(settings.ratelimit_login)]
        self.login_address = [
            Policy("login-address", i) for i in parse_many(settings.ratelimit_login_address)
        ]
        self.database = DatabaseCounters(db)
        # Where windows are placed in time (tests set a clock to reach a window's end at once).
        self.clock: Callable[[], float] = time.time
        self.timeout = settings.ratelimit_redis_timeout_seconds
        self.retry = settings.ratelimit_redis_retry_seconds
        self.prefix = settings.ratelimit_key_prefix
        self.storage: Counters
        if settings.redis_url:
            self.backend = "redis"
            storage = storage_from_string(
                "async+" + settings.redis_url.removeprefix("async+"),
                key_prefix=self.prefix,
                wrap_exceptions=True,
                connect_timeout=self.timeout,
                stream_timeout=self.timeout,
            )
            assert isinstance(storage, Storage)  # an async+ scheme gives an async storage
            self.storage = storage
        else:
            self.backend = "memory"
            self.storage = MemoryCounters()
        self._down_until = 0.0

    def _key(self, policy: Policy, identity: str, now: float) -> tuple[str, int]:
        window = policy.window
        index = int(now // window)
        reset = max(1, math.ceil((index + 1) * window - now))
        # The memory store has no prefix of its own; Redis adds ``key_prefix:``.
        return f"{policy.name}/{window}/{identity}/{index}", reset

    def _redis_up(self) -> bool:
        return self.backend == "redis" and time.time() >= self._down_until

    def _redis_down(self, exc: BaseException) -> None:
        self._down_until = time.time() + self.retry
        log.warning(
            "rate limit store unreachable: serving requests unlimited for %g s (%s)",
            self.retry,
            type(exc.__cause__ or exc).__name__,
        )

    async def hit(self, policy: Policy, identity: str) -> Decision | None:
        """Count one request in the caller's window; None when the store is down."""
        if self.backend == "redis" and not self._redis_up():
            return None
        key, reset = self._key(policy, identity, self.clock())
        try:
            async with asyncio.timeout(self.timeout if self.backend == "redis" else None):
                count = await self.storage.incr(key, policy.window + 1)
        except (StorageError, OSError, TimeoutError) as exc:
            self._redis_down(exc)
            return None
        return Decision(policy, count <= policy.amount, max(0, policy.amount - count), reset)

    async def reserve_login(self, account: str, address: str) -> "LoginSlot":
        """Count one log-in attempt for ``account`` from ``address`` in every ``login`` and
        ``login-address`` window, in Redis (the database while Redis is down, or without
        one). Over any budget: the slot is given back and ``TooManyRequests`` is raised with
        the latest reset of the budgets that are full as ``Retry-After``."""
        now = self.clock()
        pair = _identity(f"{account.strip().lower()}\n{address}")
        where = _identity(address)
        windows = [(p, *self._key(p, pair, now)) for p in self.login]
        windows += [(p, *self._key(p, where, now)) for p in self.login_address]
        changes = [(key, policy.window + 1, 1) for policy, key, _ in windows]
        store: Counters = self.database
        counts: list[int] = []
        if self._redis_up():
            try:
                async with asyncio.timeout(self.timeout * len(windows)):
                    counts = await _add_many(self.storage, changes)
                store = self.storage
            except (StorageError, OSError, TimeoutError) as exc:
                # Counted in the database instead (what Redis got, if anything, expires).
                self._redis_down(exc)
                counts = []
        if store is self.database:
            counts = await self.database.add_many(changes)
        split = len(self.login)
        slot = LoginSlot(
            store, [k for _, k, _ in windows[:split]], [k for _, k, _ in windows[split:]]
        )
        full = [
            Decision(policy, False, 0, reset)
            for (policy, _, reset), count in zip(windows, counts, strict=True)
            if count > policy.amount
        ]
        if full:
            await slot.release()
            decision = max(full, key=lambda d: d.reset)
            policy = decision.policy
            whom = "this account from this address" if policy.name == "login" else "this address"
            raise TooManyRequests(
                f"too many log-in attempts for {whom} ({policy.amount} per {policy.window} s); "
                f"retry in {decision.reset} s",
                headers=decision.headers(),  # with Retry-After
            )
        return slot

    async def reset(self) -> None:
        """Forget every count under this limiter's prefix, and the log-in counters (tests)."""
        await self.storage.reset()
        await self.database.reset()


def limiter_of(app: Any) -> RateLimiter | None:
    limiter: RateLimiter | None = getattr(app.state, "ratelimiter", None)
    return limiter


def verified_claims(request: Request, token: str) -> dict[str, Any] | None:
    """The claims of ``token`` if the middleware already verified it for this request."""
    found = request.scope.get("state", {}).get(_CLAIMS_KEY)
    if found is not None and found[0] == token:
        claims: dict[str, Any] = found[1]
        return claims
    return None


def _client_ip(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _bearer(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if scheme.lower() == "bearer" and token.strip() else None
    return None


class RateLimitMiddleware:
    """Counts every ``/api/v1`` request against its caller's budget; over it, ``429``."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter, tokens: TokenService) -> None:
        self.app = app
        self.limiter = limiter
        self.tokens = tokens

    def _classify(self, scope: Scope) -> tuple[Policy, str]:
        if scope["path"] == TOKEN_PATH and scope["method"] == "POST":
            return self.limiter.token_ip, _client_ip(scope)
        token = _bearer(scope)
        if token is not None:
            try:
                claims = self.tokens.verify(token)
            except InvalidToken:
                pass  # counted by address; current_principal answers 401
            else:
                scope.setdefault("state", {})[_CLAIMS_KEY] = (token, claims)
                return self.limiter.principal, str(claims["sub"])
        return self.limiter.anonymous, _client_ip(scope)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        policy, identity = self._classify(scope)
        decision = await self.limiter.hit(policy, identity)
        if decision is None:
            await self.app(scope, receive, send)
            return
        headers = [(k.lower().encode(), v.encode()) for k, v in decision.headers().items()]
        if not decision.allowed:
            await _reject(scope, send, decision, headers)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                if b"ratelimit" not in present:  # a login 429 carries its own
                    message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _reject(
    scope: Scope, send: Send, decision: Decision, headers: list[tuple[bytes, bytes]]
) -> None:
    body = json.dumps(
        {
            "type": PROBLEM_BASE + TooManyRequests.slug,
            "title": "Too Many Requests",
            "status": 429,
            "detail": _detail(decision),
            "instance": scope.get("path"),
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _detail(decision: Decision) -> str:
    policy = decision.policy
    return (
        f"rate limit {policy.name!r} ({policy.amount} requests per {policy.window} s) "
        f"exceeded; retry in {decision.reset} s"
    )


class LoginCounter(SQLModel, table=True):
    """One log-in counter window (``DatabaseCounters``): the key names the policy, the window
    and a hash of whom it counts; ``expires_at`` lets old windows be swept."""

    __tablename__ = "login_counters"

    key: str = Field(primary_key=True, max_length=120)
    count: int
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class DatabaseCounters:
    """Log-in counters in the database, for deployments without Redis.

    Log-in limits are a security control, so they must hold across every process of a
    deployment (``uvicorn --workers N``, several pods), which in-process memory does not.
    Each increment is one upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``) in its own
    short transaction, committed before the password is verified: atomic on PostgreSQL and
    SQLite alike, and cheap next to the Argon2 verification it guards. Expired windows are
    deleted at most once a minute per process.
    """

    SWEEP_SECONDS = 60.0

    def __init__(self, db: Database) -> None:
        self.db = db
        self._next_sweep = 0.0

    async def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return (await self.add_many([(key, expiry, amount)]))[0]

    async def add_many(self, changes: list[tuple[str, int, int]]) -> list[int]:
        """Add to several counters (key, expiry, amount) in one transaction; their counts."""
        now = time.time()
        insert = postgresql.insert if self.db.engine.dialect.name == "postgresql" else sqlite.insert
        counts = []
        async with self.db.transaction() as session:
            for key, expiry, amount in changes:
                upsert = (
                    insert(COUNTERS)
                    .values(
                        key=key, count=amount, expires_at=datetime.fromtimestamp(now + expiry, UTC)
                    )
                    .on_conflict_do_update(
                        index_elements=[COUNTERS.c.key], set_={"count": COUNTERS.c.count + amount}
                    )
                    .returning(COUNTERS.c.count)
                )
                counts.append(int((await session.execute(upsert)).scalar_one()))
            if now >= self._next_sweep:
                self._next_sweep = now + self.SWEEP_SECONDS
                expired = COUNTERS.c.expires_at < datetime.fromtimestamp(now, UTC)
                await session.execute(delete(COUNTERS).where(expired))
        return counts

    async def get(self, key: str) -> int:
        async with self.db.transaction(write=False) as session:
            count = await session.scalar(
                select(COUNTERS.c.count).where(
                    COUNTERS.c.key == key, COUNTERS.c.expires_at > utcnow()
                )
            )
        return int(count or 0)

    async def clear(self, key: str) -> None:
        async with self.db.transaction() as session:
            await session.execute(delete(COUNTERS).where(COUNTERS.c.key == key))

    async def clear_many(self, keys: list[str]) -> None:
        async with self.db.transaction() as session:
            await session.execute(delete(COUNTERS).where(COUNTERS.c.key.in_(keys)))

    async def reset(self) -> int | None:
        async with self.db.transaction() as session:
            await session.execute(delete(COUNTERS))
        return None


COUNTERS = LoginCounter.__table__  # type: ignore[attr-defined]


async def _add_many(store: Counters, changes: list[tuple[str, int, int]]) -> list[int]:
    """Several increments: one transaction in the database, one round trip each in Redis."""
    if isinstance(store, DatabaseCounters):
        return await store.add_many(changes)
    return [await store.incr(key, expiry, amount=amount) for key, expiry, amount in changes]


@dataclass(slots=True)
class LoginSlot:
    """The windows one log-in attempt was counted in, to give them back."""

    store: Counters
    account_keys: list[str]
    address_keys: list[str]

    async def release(self) -> None:
        """The attempt is not held against anyone (refused before verifying, or it failed
        for a reason that says nothing about the password)."""
        async with self._settling():
            keys = self.account_keys + self.address_keys
            await _add_many(self.store, [(key, 1, -1) for key in keys])

    async def succeeded(self) -> None:
        """The right password: this account's failures from this address are forgiven, and
        the address gets its slot back (only its own: logging in to one's own account must not
        clear a sprayer's count of failures against other accounts)."""
        async with self._settling():
            if isinstance(self.store, DatabaseCounters):
                await self.store.clear_many(self.account_keys)
            else:
                for key in self.account_keys:
                    await self.store.clear(key)
            await _add_many(self.store, [(key, 1, -1) for key in self.address_keys])

    @asynccontextmanager
    async def _settling(self) -> AsyncIterator[None]:
        """Giving back is best effort in Redis: if it went away meanwhile, the keys expire
        (the database's errors are the request's errors, as everywhere)."""
        if isinstance(self.store, DatabaseCounters):
            yield
            return
        try:
            async with asyncio.timeout(1.0):
                yield
        except (StorageError, OSError, TimeoutError):
            log.warning("rate limit store unreachable: a log-in slot was not given back")


@asynccontextmanager
async def login_attempt(
    request: Request, account: str, later: BackgroundTasks
) -> AsyncIterator[None]:
    """Count a log-in attempt for ``account`` (a username or client id) from the client's
    address *before* the block verifies the password, and refuse it with ``429`` if that
    fills the ``login`` budget (per account and address) or the ``login-address`` budget (per
    address). A success clears the account's count from this address; a failure
    (``Unauthorized``) stays counted; anything else gives the slot back.

    The success's bookkeeping runs in ``later`` (after the response, when the request's
    database connection is back in the pool): done here, every log-in would hold two
    connections at once, and a burst of log-ins could wait on each other for the pool."""
    limiter = limiter_of(request.app)
    if limiter is None:
        yield
        return
    slot = await limiter.reserve_login(account, _client_ip(request.scope))
    try:
        yield
    except Unauthorized:
        raise
    except BaseException:
        await slot.release()
        raise
    later.add_task(slot.succeeded)


async def spend(request: Request, name: str, rate: str, identity: str) -> bool:
    """Count one use of the budget ``name`` (``rate`` in the limits notation) for
    ``identity`` (hashed before it becomes a key); False once the budget is spent. True when
    rate limiting is off or its store is down."""
    limiter = limiter_of(request.app)
    if limiter is None:
        return True
    decision = await limiter.hit(Policy(name, parse(rate)), _identity(identity))
    return decision is None or decision.allowed


def client_ip(request: Request) -> str:
    """The client's address as the rate limits see it."""
    return _client_ip(request.scope)


def install(app: FastAPI, settings: Settings, tokens: TokenService, db: Database) -> None:
    """Add the middleware (when enabled) and keep the limiter on ``app.state.ratelimiter``."""
    if not settings.ratelimit_enabled:
        app.state.ratelimiter = None
        return
    limiter = RateLimiter(settings, db)
    app.state.ratelimiter = limiter
    app.add_middleware(RateLimitMiddleware, limiter=limiter, tokens=tokens)
