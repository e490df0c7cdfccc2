"""Every write operation of the API records exactly one audit event.

The cases are not written by hand: each write route (POST/PUT/PATCH/DELETE under /api/v1) is
taken from the authorization matrices (``tests/test_authz_matrix.py`` and the domain matrices it
joins), which already know how to build the state in which the call succeeds. For each route
the first row in which a signed-in principal gets a 2xx is replayed as that principal (the
platform admin when it may), and the audit rows written by that one request are read back from
the table: exactly one, naming the caller as actor, with ``before`` and ``after`` as the action
implies. A write route with no matrix row, and none in ``NO_AUDIT``, fails the walk.

The append-only guard (UPDATE/DELETE on ``audit_events`` refused on both databases) is tested
in ``tests/core/test_conventions.py::test_audit_table_refuses_update_and_delete``; here it is
checked again on the rows the operations below just wrote.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from app.core.audit import AuditEvent
from tests import test_authz_matrix as matrix
from tests.badges.helpers import full_canvas
from tests.conftest import World, make_user, one_world_per_module

API = matrix.API
WRITES = {"POST", "PUT", "PATCH", "DELETE"}

# Write routes that by design record no audit event, and why.
NO_AUDIT: dict[tuple[str, str], str] = {
    ("POST", "/auth/token"): "issues a token; nothing in the database changes",
    ("POST", "/credentials/verify"): "checks a credential someone shows; a read sent as POST",
    ("POST", "/credentials/{credential_uuid}/verify"): "checks a credential and an email; a read",
    # The caller's own messaging state: nobody else's data changes (documented as such).
    ("POST", "/auth/password-reset"): "stores a hashed reset token and queues the e-mail",
    ("POST", "/me/notifications/read-all"): "the caller's own read marks",
    ("PUT", "/me/notification-settings"): "the caller's own e-mail preferences",
    ("POST", "/me/calendar-feed"): "the caller's own calendar feed token",
    ("DELETE", "/me/calendar-feed"): "the caller's own calendar feed token",
}

# Writes no authorization row can make succeed (they need a token only an e-mail carries, or a
# notification made for the caller): what they record is asserted in the tests named here.
BY_EMAILED_TOKEN: dict[tuple[str, str], str] = {
    ("POST", "/auth/password-reset/confirm"): "tests/notifications/test_reset.py",
    ("POST", "/invitations/accept"): "tests/notifications/test_invitations.py",
    # the caller's own read mark: not audited (documented), checked in the feed tests
    ("POST", "/me/notifications/{notification_id}/read"): "tests/notifications/test_reminders.py",
}

Key = tuple[str, str]

# Operations that create other objects as part of one decision: the decision records its one
# event, and every object it creates records its own "create" (same actor, same request), so
# each new row has a trail of its own from its first moment.
COMPOSITE: dict[tuple[str, str], tuple[str, str]] = {
    # a badge network is born with its chair, community, plan, measures and invitations
    ("POST", "/badge-onboarding/{proposal_id}/approve"): ("badge_proposals", "approve"),
    # each proposed group becomes a community with its members
    ("POST", "/cohorts/{cohort_id}/matching/{proposal_id}/accept"): (
        "matching_proposals",
        "accept",
    ),
}
Mark = Callable[[], Awaitable[None]]
# A case builds its state, awaits ``mark`` just before its one call, and returns the answer and
# who called.
Run = Callable[[httpx.AsyncClient, World, Mark], Awaitable[tuple[httpx.Response, str]]]


@dataclass(frozen=True)
class Case:
    label: str
    run: Run


def _ok_principal(row: matrix.Row) -> str | None:
    """The platform admin when it may make the call, else the first person who may (callers
    that are no person of the world, such as a service account, are left out)."""
    allowed = [
        who
        for who in row.callers()
        if 200 <= row.expected(who) < 300 and who != "anonymous" and who not in matrix.CALLERS
    ]
    if not allowed:
        return None
    return "admin" if "admin" in allowed else allowed[0]


def _matrix_case(row: matrix.Row, who: str) -> Case:
    async def run(
        client: httpx.AsyncClient, world: World, mark: Mark
    ) -> tuple[httpx.Response, str]:
        ctx = matrix.Ctx(client, world, who)
        params = await row.setup(ctx)
        headers = await matrix.caller_headers(ctx)
        await mark()
        return await matrix.call(client, row, headers, params), who

    return Case(f"matrix {row.name} as {who}", run)


def _proposer_case(path: str, state: str) -> Case:
    """Badge proposals are changed by their proposer alone, who is in no matrix column."""

    async def run(
        client: httpx.AsyncClient, world: World, mark: Mark
    ) -> tuple[httpx.Response, str]:
        proposer = await make_user(world.app, f"audited.proposer.{state}@test.example")
        world.people["proposer"] = proposer
        made = await client.post(
            f"{API}/badge-onboarding", json=full_canvas(world.network_a), headers=proposer.headers
        )
        assert made.status_code == 201, made.text
        pid = made.json()["id"]
        if state != "draft":
            submit = f"{API}/badge-onboarding/{pid}/submit"
            assert (await client.post(submit, headers=proposer.headers)).status_code == 200
            reject = f"{API}/badge-onboarding/{pid}/reject"
            response = await client.post(
                reject, json={"reason": "not now"}, headers=world.headers("admin")
            )
            assert response.status_code == 200, response.text
        headers = {**proposer.headers, "If-Match": "*"}
        body = {} if path == "/badge-onboarding/{proposal_id}" else None
        method = "PATCH" if body is not None else "POST"
        await mark()
        response = await client.request(
            method, API + path.format(proposal_id=pid), json=body, headers=headers
        )
        return response, "proposer"

    return Case(f"badges {path} as the proposer", run)


PROPOSER_CASES: dict[Key, Case] = {
    ("PATCH", "/badge-onboarding/{proposal_id}"): _proposer_case(
        "/badge-onboarding/{proposal_id}", "draft"
    ),
    ("POST", "/badge-onboarding/{proposal_id}/submit"): _proposer_case(
        "/badge-onboarding/{proposal_id}/submit", "draft"
    ),
    ("POST", "/badge-onboarding/{proposal_id}/reopen"): _proposer_case(
        "/badge-onboarding/{proposal_id}/reopen", "rejected"
    ),
}


def write_cases() -> dict[Key, Case]:
    """One succeeding call per write route, taken from the authorization table."""
    cases: dict[Key, Case] = {}
    for row in matrix.TABLE:
        key = (row.method, row.path)
        if row.method not in WRITES or key in cases:
            continue
        who = _ok_principal(row)
        if who is not None:
            cases[key] = _matrix_case(row, who)
    for key, case in PROPOSER_CASES.items():
        cases.setdefault(key, case)
    return cases


CASES = write_cases()
AUDITED = sorted(set(CASES) - set(NO_AUDIT))


def test_every_write_route_has_a_case(app: Any) -> None:
    writes = {(m, p) for m, p in matrix.api_routes(app) if m in WRITES}
    assert len(writes) >= 50, f"the route walk found too few write routes: {sorted(writes)}"
    missing = sorted(writes - set(CASES) - set(BY_EMAILED_TOKEN))
    assert not missing, f"write routes without an audit case: {missing}"
    stale = sorted((set(CASES) | set(NO_AUDIT) | set(BY_EMAILED_TOKEN)) - writes)
    assert not stale, f"audit cases for routes that do not exist: {stale}"
    # Non-API write routes (none today) would need a case too.
    others = {
        (method, route.path)
        for route in app.routes
        for method in getattr(route, "methods", None) or ()
        if method in WRITES and not getattr(route, "path", "").startswith(API + "/")
    }
    assert not others, f"write routes outside {API}: {sorted(others)}"


# The world is built once for the module and every test's writes are rolled back at its end
# (tests/conftest.py ``one_world_per_module``): the audit table is read, and its guard tried,
# through the app's sessions, which join the test's transaction.
world, client = one_world_per_module()


async def _last_event_id(world: World) -> int:
    async with world.app.state.cohesion.db.transaction(write=False) as session:
        return int((await session.execute(select(func.max(AuditEvent.id)))).scalar() or 0)


async def _events_after(world: World, last: int) -> list[Any]:
    async with world.app.state.cohesion.db.transaction(write=False) as session:
        query = select(AuditEvent.__table__).where(AuditEvent.id > last)  # type: ignore[attr-defined]
        return list((await session.execute(query.order_by(AuditEvent.id))).mappings().all())


@pytest.mark.parametrize("key", AUDITED, ids=[f"{m} {p}" for m, p in AUDITED])
async def test_write_records_one_audit_event(
    client: httpx.AsyncClient, world: World, key: Key
) -> None:
    case = CASES[key]
    marks: list[int] = []

    async def mark() -> None:  # the setup writes events of its own: count only the call's
        marks.append(await _last_event_id(world))

    response, who = await case.run(client, world, mark)
    [last] = marks
    assert 200 <= response.status_code < 300, (case.label, response.status_code, response.text)
    events = await _events_after(world, last)
    written = [f"{e['object_type']}.{e['action']}" for e in events]
    actor = world[who]
    for other in events:
        assert (other["actor_kind"], other["actor_id"]) == ("user", actor.id), (case.label, other)
    assert len({e["request_id"] for e in events}) == 1, (case.label, written)
    assert events[0]["request_id"], case.label
    if key in COMPOSITE:
        object_type, action = COMPOSITE[key]
        primary = [e for e in events if (e["object_type"], e["action"]) == (object_type, action)]
        assert len(primary) == 1, f"{case.label}: {', '.join(written)}"
        extra = [e for e in events if e is not primary[0]]
        assert extra, f"{case.label} created nothing: no longer composite?"
        for created in extra:
            assert created["action"] == "create" and created["before"] is None, created
            assert isinstance(created["after"], dict), created
        events = primary
    assert len(events) == 1, f"{case.label}: {', '.join(written)}"
    [event] = events
    assert event["object_type"] and event["object_id"], event
    if event["action"] == "create":
        assert event["before"] is None, (case.label, event["before"])
    elif key[0] in {"PATCH", "PUT", "DELETE"}:
        assert isinstance(event["before"], dict), (case.label, event["action"])
    assert isinstance(event["after"], dict), (case.label, event["action"])

    # What was just written cannot be rewritten or removed.
    db = world.app.state.cohesion.db
    for statement in (
        "UPDATE audit_events SET action = 'x' WHERE id = :id",
        "DELETE FROM audit_events WHERE id = :id",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            async with db.transaction() as session:
                await session.execute(text(statement), {"id": event["id"]})


@pytest.mark.parametrize("key", sorted(NO_AUDIT), ids=[f"{m} {p}" for m, p in sorted(NO_AUDIT)])
async def test_routes_without_audit_write_none(
    client: httpx.AsyncClient, world: World, key: Key
) -> None:
    case = CASES[key]
    marks: list[int] = []

    async def mark() -> None:
        marks.append(await _last_event_id(world))

    response, _ = await case.run(client, world, mark)
    [last] = marks
    assert 200 <= response.status_code < 300, (case.label, response.text)
    assert await _events_after(world, last) == []
