"""Who may call every notifications route. Invitations: the network's own chair and platform
admins; other role holders 403; everyone else 404; anonymous 401. The caller's own feed,
settings and calendar feed: every signed-in person. Reset, accept and the personal calendar
are for anonymous callers (the token is the credential)."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from itertools import count
from typing import Any

import httpx

from tests.conftest import World

API = "/api/v1"
PRINCIPALS = (
    "anonymous",
    "admin",
    "chair",
    "executive",
    "facilitator",
    "member",
    "other_chair",
    "outsider",
)
Params = dict[str, Any]
_numbers = count()


@dataclass(frozen=True)
class Api:
    """What a row's setup is given: the test client and the world."""

    client: httpx.AsyncClient
    world: World


Setup = Callable[[Api], Awaitable[Params]]


def cols(ok: int) -> tuple[int, ...]:
    """Admin and A's chair ``ok``; A's other roles 403; B's chair and outsiders 404."""
    return (401, ok, ok, 403, 403, 403, 404, 404)


def signed_in(ok: int) -> tuple[int, ...]:
    return (401, ok, ok, ok, ok, ok, ok, ok)


def anyone(ok: int) -> tuple[int, ...]:
    return (ok,) * 8


async def network_a(h: Api) -> Params:
    world = h.world
    return {"network_id": world.network_a}


async def invitation(h: Api) -> Params:
    api, world = h.client, h.world
    email = f"invitee{next(_numbers)}@test.example"
    response = await api.post(
        f"{API}/networks/{world.network_a}/roles",
        json={"email": email, "role": "member"},
        headers=world.headers("admin"),
    )
    assert response.status_code == 202, response.text
    listed = await api.get(
        f"{API}/networks/{world.network_a}/invitations?status=pending&limit=1",
        headers=world.headers("admin"),
    )
    return {"network_id": world.network_a, "invitation_id": listed.json()["items"][0]["id"]}


async def notification(h: Api) -> Params:
    return {"notification_id": 999_999}


async def community(h: Api) -> Params:
    world = h.world
    from app.communities.models import Community

    async with world.app.state.cohesion.db.transaction() as session:
        made = Community(network_id=world.network_a, kind="working_group", title="Group")
        session.add(made)
        await session.flush()
        return {"community_id": made.id}


async def nothing(h: Api) -> Params:
    return {"feed_token": "x" * 43}


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    codes: tuple[int, ...]
    setup: Setup
    body: Callable[[Params], Any] | None = None
    label: str = ""  # tells apart two rows of one route (by id, by e-mail)

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}" + (f" ({self.label})" if self.label else "")


ROWS = [
    Row("POST", "/auth/password-reset", anyone(202), network_a, lambda p: {"email": "a@b.example"}),
    Row(
        "POST",
        "/auth/password-reset/confirm",
        anyone(422),
        network_a,
        lambda p: {"token": "x" * 43, "new_password": "long enough pass"},
    ),
    Row(
        "POST",
        "/invitations/accept",
        anyone(422),
        network_a,
        lambda p: {"token": "x" * 43, "name": "N", "password": "long enough pass"},
    ),
    Row("GET", "/networks/{network_id}/invitations", cols(200), network_a),
    # Appointing by e-mail: the chair's 202 receipt (the matrix has the rows by user id).
    Row(
        "POST",
        "/networks/{network_id}/roles",
        cols(202),
        network_a,
        lambda p: {"email": "invited.member@test.example", "role": "member"},
        label="by e-mail",
    ),
    Row("POST", "/networks/{network_id}/invitations/{invitation_id}/resend", cols(200), invitation),
    Row("DELETE", "/networks/{network_id}/invitations/{invitation_id}", cols(204), invitation),
    Row("GET", "/me/notifications", signed_in(200), network_a),
    Row("POST", "/me/notifications/{notification_id}/read", signed_in(404), notification),
    Row("POST", "/me/notifications/read-all", signed_in(204), network_a),
    Row("GET", "/me/notification-settings", signed_in(200), network_a),
    Row(
        "PUT",
        "/me/notification-settings",
        signed_in(200),
        network_a,
        lambda p: {"email": {"milestone_due_soon": "weekly"}},
    ),
    Row(
        "GET",
        "/communities/{community_id}/meetings.ics",
        (401, 200, 200, 200, 200, 200, 404, 404),
        community,
    ),
    Row("POST", "/me/calendar-feed", signed_in(201), network_a),
    Row("DELETE", "/me/calendar-feed", signed_in(204), network_a),
    Row("GET", "/calendar/{feed_token}.ics", anyone(404), nothing),
]
