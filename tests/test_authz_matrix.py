"""The authorization table: every /api/v1 route, as every kind of caller. ONE harness.

How to add a route: append a ``Row`` to ``MATRIX`` below (or to your domain's ``ROWS`` in
tests/<domain>/test_authz.py, which ``DOMAIN_ROWS`` folds in) -- name, method, the path template
exactly as declared, one expected status per ``PRINCIPALS`` entry (the constants such as
``READ_A``/``plan_write(201)`` cover most routes), and a ``setup`` that builds, as the admin,
the state in which the call would succeed. A caller beyond the eight (a service account...)
goes in ``extra={"name": code}`` with a factory in ``CALLERS``. ``test_every_api_route_has_a_row``
fails naming any route without a row.

How it runs: one test per row (``test_route``); inside it every caller is checked in turn,
each on a clean slate: the world (tests/conftest.py ``build_world``) is built and committed
once per module, and each cell (setup + call) runs inside ``rolled_back(app)``: one outer
transaction the app's sessions join through SAVEPOINTs, rolled back at the end of the cell.
PATCH/DELETE send ``If-Match: *`` so the precondition never masks the answer; an anonymous
caller that gets 401 is asked again with ids that do not exist, and must get 401 again. A cell
listed in ``Row.bugs`` must fail (a known bug); once it passes, the test says to drop it.

Principals (see ``tests/conftest.py``): ``anonymous``; ``admin``; ``chair``, ``executive``,
``facilitator``, ``member`` of network A (a top-level alliance with a child network);
``other_chair``, chair of network B; ``outsider``, signed in with no role.

The rules the rows express:

* Network profiles (list, get, children) are a directory every signed-in person reads.
* A network's private data (roles, members, memberships, audit) is visible to role holders of
  the network or of an ancestor; anyone else gets 404. Visible but not allowed: 403.
* Writes need a role on the network itself. Top-level networks: admin only. A child: the
  parent's chair (the parent's profile is public, so refusals are 403, never 404). PATCH: the
  network's chair or admin. DELETE/restore is decided one level up.
* Roles: admin appoints chairs of top-level networks, a parent's chair appoints a child's
  chair, a chair appoints executive/facilitator/member in its own network.
* Memberships: chair and executive write. Organisations: every signed-in person reads; any
  chair or executive creates one (kept by their network); admin or the keeper network's
  chair/executive changes it. Audit: the network's chair (inherited downwards) and admin;
  admin alone may leave ``network_id`` out (others 422).
* Service accounts (credentials for scripts): the network's own chair, and admin, list,
  create, read, rotate and revoke them; other role holders 403; everyone else 404.
* Users: admin lists and creates platform users; a chair creates people joining its network
  with a role it may appoint; a person reads, edits and deactivates themselves (others 404,
  as if they did not exist); only an admin reactivates. An admin cannot deactivate itself
  (409, a business rule, not authorization).
* Plans and everything in them (objectives, actions, measures, milestones, readings, evidence,
  tree, progress, export, report; a network's progress and report) are the network's private
  data: read by its role holders and those of an ancestor, 404 for everyone else. The
  measure-source registry is read by everyone signed in.
* Plan writes (plans, import, objectives, actions, measures, milestones; delete and restore)
  need chair or executive on the plan's network itself (not inherited: A's chair gets 403 in
  A's child); so do closing a plan and copying it into a new one. Recording progress (an
  action's status alone, a milestone's status alone, readings, evidence, check-ins) is open to
  the facilitator too. Members only read.
* Anonymous callers get 401 everywhere except the token endpoint.
"""

import json as jsonlib
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field, replace
from itertools import count
from string import Formatter
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.badges import test_authz as badges_authz
from tests.communities import test_authz as communities_authz
from tests.communities.helpers import Builder as CommunityBuilder
from tests.conftest import TEST_PASSWORD, World, rolled_back, token_headers
from tests.mobility import test_authz as mobility_authz
from tests.mobility.helpers import make_orgs, service_account
from tests.notifications import test_authz as notifications_authz
from tests.partnerships import test_authz as partnerships_authz
from tests.partnerships.helpers import PartnerBuilder
from tests.webhooks import test_authz as webhooks_authz
from tests.webhooks.helpers import Hooks

API = "/api/v1"
PROBLEM = "application/problem+json"
IF_MATCH = {"If-Match": "*"}
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
MISSING_ID = 999_999


# --- the state a cell runs against --------------------------------------------------------


@dataclass
class Ctx:
    """One cell: the client, the world, who is calling, and setup helpers run as admin."""

    client: httpx.AsyncClient
    world: World
    caller: str
    serial: Iterator[int] = field(default_factory=lambda: count(1))
    asked_who: bool = False  # did the setup depend on the caller? (then it runs per caller)

    @property
    def who(self) -> str:
        self.asked_who = True
        return self.caller

    @property
    def a(self) -> int:
        return self.world.network_a

    @property
    def child(self) -> int:
        return self.world.child_a

    @property
    def b(self) -> int:
        return self.world.network_b

    async def as_admin(self, method: str, path: str, json: Any = None) -> Any:
        headers = {**self.world.headers("admin"), **IF_MATCH}
        response = await self.client.request(method, API + path, json=json, headers=headers)
        assert response.status_code < 300, (method, path, response.status_code, response.text)
        return response.json() if response.content else None

    async def network(self, parent_id: int | None = None) -> int:
        body = {"name": f"Fresh network {next(self.serial)}", "kind": "thematic"}
        if parent_id is not None:
            body["parent_id"] = parent_id
        return int((await self.as_admin("POST", "/networks", body))["id"])

    async def deleted_network(self, parent_id: int | None = None) -> int:
        network_id = await self.network(parent_id)
        await self.as_admin("DELETE", f"/networks/{network_id}")
        return network_id

    async def user(self) -> int:
        n = next(self.serial)
        body = {"email": f"fresh{n}@test.example", "name": f"Fresh {n}", "password": "x" * 12}
        return int((await self.as_admin("POST", "/users", body))["id"])

    async def role(self, network_id: int, role: str) -> int:
        body = {"user_id": await self.user(), "role": role}
        return int((await self.as_admin("POST", f"/networks/{network_id}/roles", body))["id"])

    async def service_account(self, network_id: int) -> int:
        body = {"name": f"Script {next(self.serial)}", "scopes": ["mobility:write"]}
        path = f"/networks/{network_id}/service-accounts"
        return int((await self.as_admin("POST", path, body))["id"])

    async def organisation(self, owner_network_id: int | None) -> int:
        body = {
            "name": f"Fresh organisation {next(self.serial)}",
            "kind": "school",
            "owner_network_id": owner_network_id,
        }
        return int((await self.as_admin("POST", "/organisations", body))["id"])

    async def membership(self, network_id: int) -> int:
        body = {"organisation_id": await self.organisation(network_id)}
        path = f"/networks/{network_id}/members"
        return int((await self.as_admin("POST", path, body))["id"])

    async def plan(self, network_id: int) -> int:
        body = {**PLAN_BODY, "title": f"Fresh plan {next(self.serial)}"}
        return int((await self.as_admin("POST", f"/networks/{network_id}/plans", body))["id"])


Params = dict[str, Any]
Setup = Callable[[Ctx], Awaitable[Params]]
Body = Callable[[Params], Any]
Inspect = Callable[[Ctx, Params, httpx.Response], None]


async def nothing(ctx: Ctx) -> Params:
    return {}


def at(which: str) -> Setup:
    """The path's network is one of the world's: "a", "child" or "b"."""

    async def setup(ctx: Ctx) -> Params:
        return {"network_id": getattr(ctx, which)}

    return setup


def fresh_network(parent: str | None, *, deleted: bool = False) -> Setup:
    """A new network (top level, or a child of the world's "a"/"child"), maybe deleted."""

    async def setup(ctx: Ctx) -> Params:
        parent_id = getattr(ctx, parent) if parent else None
        if deleted:
            return {"network_id": await ctx.deleted_network(parent_id)}
        return {"network_id": await ctx.network(parent_id)}

    return setup


def new_user_for(which: str) -> Setup:
    """The path's network, and a fresh user (no role) to appoint there."""

    async def setup(ctx: Ctx) -> Params:
        return {"network_id": getattr(ctx, which), "user_id": await ctx.user()}

    return setup


def role_in(which: str, role: str) -> Setup:
    """A fresh user appointed (by admin) to ``role`` in the network."""

    async def setup(ctx: Ctx) -> Params:
        return {"role_id": await ctx.role(getattr(ctx, which), role)}

    return setup


def organisation_of(which: str | None, *, deleted: bool = False) -> Setup:
    async def setup(ctx: Ctx) -> Params:
        organisation_id = await ctx.organisation(getattr(ctx, which) if which else None)
        if deleted:
            await ctx.as_admin("DELETE", f"/organisations/{organisation_id}")
        return {"organisation_id": organisation_id}

    return setup


def new_organisation_for(which: str) -> Setup:
    """The path's network, and an organisation (kept by nobody) that may join it."""

    async def setup(ctx: Ctx) -> Params:
        return {"network_id": getattr(ctx, which), "organisation_id": await ctx.organisation(None)}

    return setup


def membership_in(which: str) -> Setup:
    async def setup(ctx: Ctx) -> Params:
        return {"membership_id": await ctx.membership(getattr(ctx, which))}

    return setup


def service_account_of(which: str) -> Setup:
    async def setup(ctx: Ctx) -> Params:
        return {"service_account_id": await ctx.service_account(getattr(ctx, which))}

    return setup


PLAN_BODY = {"title": "Matrix plan", "period_start": "2025-09-01", "period_end": "2026-08-31"}
# What each thing in a plan hangs on, the path that creates it, and a minimal body.
PLAN_PARTS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "objective": ("plan", "/plans/{plan_id}/objectives", {"code": "1", "title": "Objective 1"}),
    "action": ("objective", "/objectives/{objective_id}/actions", {"description": "Do it"}),
    "measure": ("objective", "/objectives/{objective_id}/measures", {"description": "Count it"}),
    "milestone": ("objective", "/objectives/{objective_id}/milestones", {"title": "Reach it"}),
}


def in_plan(which: str, thing: str = "plan", *, deleted: bool = False, **fixed: Any) -> Setup:
    """A plan in the world's network ``which`` ("a" or "child") with the objects down to
    ``thing`` (a manual measure; a milestone on the objective), that one deleted if asked.
    ``fixed``: more params, e.g. for ``Row.query``."""
    chain: list[str] = []
    while thing != "plan":
        chain.insert(0, thing)
        thing = PLAN_PARTS[thing][0]

    async def setup(ctx: Ctx) -> Params:
        params: Params = {"plan_id": await ctx.plan(getattr(ctx, which))}
        for part in chain:
            _, path, body = PLAN_PARTS[part]
            params[f"{part}_id"] = int(
                (await ctx.as_admin("POST", path.format(**params), body))["id"]
            )
        if deleted:
            last = chain[-1] if chain else "plan"
            await ctx.as_admin("DELETE", f"/{last}s/{params[f'{last}_id']}")
        return params | fixed

    return setup


async def self_user(ctx: Ctx) -> Params:
    """The caller's own account (anonymous has none: any user's id)."""
    if ctx.who == "anonymous":
        return {"user_id": await ctx.user()}
    return {"user_id": ctx.world[ctx.who].id}


async def other_user(ctx: Ctx) -> Params:
    return {"user_id": await ctx.user()}


async def deactivated_user(ctx: Ctx) -> Params:
    user_id = await ctx.user()
    await ctx.as_admin("POST", f"/users/{user_id}/deactivate")
    return {"user_id": user_id}


# --- the matrix ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    name: str  # unique; the first half of each test id
    method: str
    path: str  # the route's path template under /api/v1, exactly as declared
    codes: tuple[int, ...]  # one per PRINCIPALS entry, in that order
    setup: Setup = nothing
    body: Body | None = None
    form: Body | None = None
    files: Body | None = None  # multipart uploads, sent with ``form`` as their fields
    query: tuple[str, ...] = ()  # setup params sent as query parameters, not in the path
    bugs: dict[str, str] = field(default_factory=dict)  # principal -> why the app disagrees
    check: Callable[["Ctx", Any], None] | None = None  # more about a 2xx answer's body
    extra: dict[str, int] = field(default_factory=dict)  # callers beyond PRINCIPALS -> code
    inspect: "Inspect | None" = None  # more about any answer, for every caller

    def __post_init__(self) -> None:
        assert len(self.codes) == len(PRINCIPALS), self.name
        assert set(self.bugs) <= set(self.callers()), self.name
        assert not set(self.extra) & set(PRINCIPALS), self.name

    def callers(self) -> list[str]:
        return [*PRINCIPALS, *self.extra]

    def expected(self, who: str) -> int:
        if who in self.extra:
            return self.extra[who]
        return self.codes[PRINCIPALS.index(who)]


def joining(parent: str) -> Setup:
    """A fresh top-level network (the path's) and the world's network it would join."""

    async def setup(ctx: Ctx) -> Params:
        return {"network_id": await ctx.network(None), "parent_id": getattr(ctx, parent)}

    return setup


async def b_under_a_chaired_by_chair(ctx: Ctx) -> Params:
    """A fresh network above A and B: their chairs sit in its forum; nobody else of A or B
    reads it (reads pass down, not up)."""
    top = await ctx.network(None)
    for child in (ctx.a, ctx.b):
        await ctx.as_admin("POST", f"/networks/{child}/parents", {"parent_id": top})
    return {"network_id": top}


def link_to(parent: str) -> Setup:
    """The link of a fresh child network to the world's ``parent``."""

    async def setup(ctx: Ctx) -> Params:
        child = await ctx.network(getattr(ctx, parent))
        links = await ctx.as_admin("GET", f"/networks/{child}/parents")
        return {"link_id": links["items"][0]["id"]}

    return setup


def role_body(role: str) -> Body:
    return lambda p: {"user_id": p["user_id"], "role": role}


def network_body(parent: str | None) -> Body:
    return lambda p: {"name": "New network", "kind": "regional", "parent_id": p.get(parent or "")}


def user_body(role: str | None) -> Body:
    def body(p: Params) -> Any:
        data: dict[str, Any] = {
            "email": "new.person@test.example",
            "name": "New Person",
            "password": "a long enough password",
        }
        if role is not None:
            data |= {"network_id": p["network_id"], "role": role}
        return data

    return body


async def parent_ids(ctx: Ctx) -> Params:
    return {"a": ctx.a, "child": ctx.child}


def kept_by_callers_network(ctx: Ctx, data: Any) -> None:
    expected = {"admin": None, "other_chair": ctx.b}.get(ctx.who, ctx.a)
    assert data["owner_network_id"] == expected, data


NET_PATCH: Body = lambda p: {"description": "Changed by the matrix"}  # noqa: E731
ORG_PATCH: Body = lambda p: {"description": "Changed by the matrix"}  # noqa: E731
ORG_CREATE: Body = lambda p: {"name": "Matrix College", "kind": "vet_college"}  # noqa: E731
JOIN: Body = lambda p: {"organisation_id": p["organisation_id"]}  # noqa: E731
TOKEN: Body = lambda p: {  # noqa: E731
    "grant_type": "password",
    "username": "admin@test.example",
    "password": TEST_PASSWORD,
}

# Columns:      anon admin chair exec  fac  memb other outsider
EVERYONE_200 = (401, 200, 200, 200, 200, 200, 200, 200)
READ_A = (401, 200, 200, 200, 200, 200, 404, 404)  # private data of A (or of its child)
ADMIN_ONLY = (401, 200, 403, 403, 403, 403, 403, 403)
SELF = (401, 200, 200, 200, 200, 200, 200, 200)
ADMIN_OR_404 = (401, 200, 404, 404, 404, 404, 404, 404)
CHAIR_OF_A = (401, 200, 200, 403, 403, 403, 404, 404)  # a chair's right, on A itself


def plan_write(ok: int) -> tuple[int, ...]:
    """Chair and executive of the plan's network A; visible to the others in A, not outside."""
    return (401, ok, ok, ok, 403, 403, 404, 404)


def progress_record(ok: int) -> tuple[int, ...]:
    """As a plan write, and the facilitator too."""
    return (401, ok, ok, ok, ok, 403, 404, 404)


def plan_write_child(ok: int) -> tuple[int, ...]:
    """In A's child: A's people read there (403), but write nothing; admin alone may."""
    return (401, ok, 403, 403, 403, 403, 404, 404)


PLAN_CREATE: Body = lambda p: PLAN_BODY  # noqa: E731
PLAN_FILE = jsonlib.dumps(
    {
        **PLAN_BODY,
        "title": "Imported plan",
        "objectives": [
            {
                "code": "1",
                "title": "Imported objective",
                "actions": [{"description": "Imported action"}],
                "measures": [{"description": "Imported measure"}],
                "milestones": [{"title": "Imported milestone", "due": "2026-03"}],
            }
        ],
    }
).encode()
IMPORT_JSON: Body = lambda p: {"file": ("plan.json", PLAN_FILE, "application/json")}  # noqa: E731
RETITLE: Body = lambda p: {"title": "Changed by the matrix"}  # noqa: E731
REDESCRIBE: Body = lambda p: {"description": "Changed by the matrix"}  # noqa: E731


def opportunity_in(which: str, *, deleted: bool = False) -> Setup:
    """A mobility opportunity in the network (deleted for restore rows)."""

    async def setup(ctx: Ctx) -> Params:
        network_id = getattr(ctx, which)
        body = {
            "organisation_id": await ctx.organisation(None),
            "title": "Matrix placement",
            "eqf_level": 4,
            "participant": "learner",
            "mode": "physical",
        }
        created = await ctx.as_admin("POST", f"/networks/{network_id}/mobility-opportunities", body)
        if deleted:
            await ctx.as_admin("DELETE", f"/mobility-opportunities/{created['id']}")
        return {"opportunity_id": created["id"], "network_id": network_id}

    return setup


def two_organisations(which: str) -> Setup:
    async def setup(ctx: Ctx) -> Params:
        return {
            "network_id": getattr(ctx, which),
            "s": await ctx.organisation(None),
            "r": await ctx.organisation(None),
        }

    return setup


COUNTS: Body = lambda p: {  # noqa: E731
    "records": [
        {
            "period": "2021-10",
            "sending_org": p["s"],
            "receiving_org": p["r"],
            "participant": "staff",
            "mode": "physical",
            "count": 2,
        }
    ]
}
OPPORTUNITY: Body = lambda p: {  # noqa: E731
    "organisation_id": p["s"],
    "title": "Matrix exchange",
    "eqf_level": 3,
    "participant": "learner",
    "mode": "virtual",
}


MATRIX: list[Row] = [
    # --- auth -----------------------------------------------------------------------------
    # The token endpoint is public: whoever calls it, the credentials decide.
    Row("token", "POST", "/auth/token", (200,) * 8, form=TOKEN),
    Row("me", "GET", "/me", EVERYONE_200),
    # --- users ----------------------------------------------------------------------------
    Row("users.list", "GET", "/users", ADMIN_ONLY),
    Row(
        "users.create.platform",
        "POST",
        "/users",
        (401, 201, 403, 403, 403, 403, 403, 403),
        body=user_body(None),
    ),
    Row(
        "users.create.member:A",
        "POST",
        "/users",
        (401, 201, 201, 403, 403, 403, 404, 404),
        setup=at("a"),
        body=user_body("member"),
    ),
    Row(
        "users.create.chair:A",
        "POST",
        "/users",
        (401, 201, 403, 403, 403, 403, 404, 404),
        setup=at("a"),
        body=user_body("chair"),
    ),
    Row(
        "users.create.member:child",
        "POST",
        "/users",
        (401, 201, 403, 403, 403, 403, 404, 404),
        setup=at("child"),
        body=user_body("member"),
    ),
    Row(
        "users.create.chair:child",
        "POST",
        "/users",
        (401, 201, 201, 403, 403, 403, 404, 404),
        setup=at("child"),
        body=user_body("chair"),
    ),
    Row("users.get.self", "GET", "/users/{user_id}", SELF, setup=self_user),
    Row("users.get.other", "GET", "/users/{user_id}", ADMIN_OR_404, setup=other_user),
    Row(
        "users.patch.self",
        "PATCH",
        "/users/{user_id}",
        SELF,
        setup=self_user,
        body=lambda p: {"name": "Renamed"},
    ),
    Row(
        "users.patch.other",
        "PATCH",
        "/users/{user_id}",
        ADMIN_OR_404,
        setup=other_user,
        body=lambda p: {"name": "Renamed"},
    ),
    Row(
        "users.deactivate.self",
        "POST",
        "/users/{user_id}/deactivate",
        (401, 409, 200, 200, 200, 200, 200, 200),  # an admin may not lock itself out
        setup=self_user,
    ),
    Row(
        "users.deactivate.other",
        "POST",
        "/users/{user_id}/deactivate",
        ADMIN_OR_404,
        setup=other_user,
    ),
    Row(
        "users.reactivate",
        "POST",
        "/users/{user_id}/reactivate",
        ADMIN_ONLY,
        setup=deactivated_user,
    ),
    Row(
        "users.password",
        "POST",
        "/users/me/password",
        (401, 204, 204, 204, 204, 204, 204, 204),
        body=lambda p: {"current_password": TEST_PASSWORD, "new_password": "a new password"},
    ),
    # --- networks -------------------------------------------------------------------------
    Row("networks.list", "GET", "/networks", EVERYONE_200),
    Row(
        "networks.create.top",
        "POST",
        "/networks",
        (401, 201, 403, 403, 403, 403, 403, 403),
        body=network_body(None),
    ),
    Row(
        "networks.create.child:A",
        "POST",
        "/networks",
        (401, 201, 201, 403, 403, 403, 403, 403),
        setup=parent_ids,
        body=network_body("a"),
    ),
    Row(
        "networks.create.child:child",  # a grandchild: the chair of A is not the parent's chair
        "POST",
        "/networks",
        (401, 201, 403, 403, 403, 403, 403, 403),
        setup=parent_ids,
        body=network_body("child"),
    ),
    Row("networks.get:A", "GET", "/networks/{network_id}", EVERYONE_200, setup=at("a")),
    Row("networks.get:B", "GET", "/networks/{network_id}", EVERYONE_200, setup=at("b")),
    Row(
        "networks.children:A",
        "GET",
        "/networks/{network_id}/children",
        EVERYONE_200,
        setup=at("a"),
    ),
    Row(
        "networks.parents.list:child",
        "GET",
        "/networks/{network_id}/parents",
        EVERYONE_200,
        setup=at("child"),
    ),
    Row(
        "networks.parents.create:A",  # a top-level network joins A: decided by A's chair
        "POST",
        "/networks/{network_id}/parents",
        (401, 201, 201, 403, 403, 403, 403, 403),
        setup=joining("a"),
        body=lambda p: {"parent_id": p["parent_id"]},
    ),
    Row(
        "networks.chairs_forum:A",  # the parent's role holders read it; B's chair does not
        "GET",
        "/networks/{network_id}/chairs-forum",
        READ_A,
        setup=at("a"),
    ),
    Row(
        "networks.chairs_forum:above",  # the chairs of the children are its members
        "GET",
        "/networks/{network_id}/chairs-forum",
        (401, 200, 200, 404, 404, 404, 200, 404),
        setup=b_under_a_chaired_by_chair,
    ),
    Row("roles.kinds", "GET", "/role-kinds", EVERYONE_200),
    Row("network_links.get", "GET", "/network-links/{link_id}", EVERYONE_200, setup=link_to("a")),
    Row(
        "network_links.end:A",  # A's chair ends a child's membership of A
        "POST",
        "/network-links/{link_id}/end",
        (401, 200, 200, 403, 403, 403, 403, 403),
        setup=link_to("a"),
    ),
    Row(
        "networks.patch:A",
        "PATCH",
        "/networks/{network_id}",
        (401, 200, 200, 403, 403, 403, 403, 403),
        setup=at("a"),
        body=NET_PATCH,
    ),
    Row(
        "networks.patch:child",
        "PATCH",
        "/networks/{network_id}",
        (401, 200, 403, 403, 403, 403, 403, 403),
        setup=at("child"),
        body=NET_PATCH,
    ),
    Row(
        "networks.patch:B",
        "PATCH",
        "/networks/{network_id}",
        (401, 200, 403, 403, 403, 403, 200, 403),
        setup=at("b"),
        body=NET_PATCH,
    ),
    Row(
        "networks.delete.top",
        "DELETE",
        "/networks/{network_id}",
        (401, 204, 403, 403, 403, 403, 403, 403),
        setup=fresh_network(None),
    ),
    Row(
        "networks.delete.child:A",
        "DELETE",
        "/networks/{network_id}",
        (401, 204, 204, 403, 403, 403, 403, 403),
        setup=fresh_network("a"),
    ),
    Row(
        "networks.restore.top",
        "POST",
        "/networks/{network_id}/restore",
        (401, 200, 403, 403, 403, 403, 403, 403),
        setup=fresh_network(None, deleted=True),
    ),
    Row(
        "networks.restore.child:A",
        "POST",
        "/networks/{network_id}/restore",
        (401, 200, 200, 403, 403, 403, 403, 403),
        setup=fresh_network("a", deleted=True),
    ),
    # --- roles ----------------------------------------------------------------------------
    Row("roles.list:A", "GET", "/networks/{network_id}/roles", READ_A, setup=at("a")),
    Row("roles.list:child", "GET", "/networks/{network_id}/roles", READ_A, setup=at("child")),
    Row(
        "roles.list:B",
        "GET",
        "/networks/{network_id}/roles",
        (401, 200, 404, 404, 404, 404, 200, 404),
        setup=at("b"),
    ),
    *[
        Row(
            f"roles.create.{role}:A",
            "POST",
            "/networks/{network_id}/roles",
            (401, 201, 201, 403, 403, 403, 404, 404),
            setup=new_user_for("a"),
            body=role_body(role),
        )
        for role in ("executive", "facilitator", "member")
    ],
    Row(
        "roles.create.chair:A",  # top level: only an admin appoints its chair
        "POST",
        "/networks/{network_id}/roles",
        (401, 201, 403, 403, 403, 403, 404, 404),
        setup=new_user_for("a"),
        body=role_body("chair"),
    ),
    Row(
        "roles.create.chair:child",  # the parent's chair appoints the child's chair
        "POST",
        "/networks/{network_id}/roles",
        (401, 201, 201, 403, 403, 403, 404, 404),
        setup=new_user_for("child"),
        body=role_body("chair"),
    ),
    Row(
        "roles.create.member:child",  # only the child's own chair appoints its members
        "POST",
        "/networks/{network_id}/roles",
        (401, 201, 403, 403, 403, 403, 404, 404),
        setup=new_user_for("child"),
        body=role_body("member"),
    ),
    Row(
        "roles.create.member:B",
        "POST",
        "/networks/{network_id}/roles",
        (401, 201, 404, 404, 404, 404, 201, 404),
        setup=new_user_for("b"),
        body=role_body("member"),
    ),
    Row("roles.get:A", "GET", "/roles/{role_id}", READ_A, setup=role_in("a", "member")),
    Row(
        "roles.get:child",
        "GET",
        "/roles/{role_id}",
        READ_A,
        setup=role_in("child", "member"),
    ),
    Row(
        "roles.end.member:A",
        "POST",
        "/roles/{role_id}/end",
        (401, 200, 200, 403, 403, 403, 404, 404),
        setup=role_in("a", "member"),
    ),
    Row(
        "roles.end.chair:A",
        "POST",
        "/roles/{role_id}/end",
        (401, 200, 403, 403, 403, 403, 404, 404),
        setup=role_in("a", "chair"),
    ),
    Row(
        "roles.end.chair:child",
        "POST",
        "/roles/{role_id}/end",
        (401, 200, 200, 403, 403, 403, 404, 404),
        setup=role_in("child", "chair"),
    ),
    # --- service accounts (managed by the network's own chair) ------------------------------
    Row(
        "service_accounts.list:A",
        "GET",
        "/networks/{network_id}/service-accounts",
        CHAIR_OF_A,
        setup=at("a"),
    ),
    Row(
        "service_accounts.list:child",  # managing is a write right: not inherited
        "GET",
        "/networks/{network_id}/service-accounts",
        (401, 200, 403, 403, 403, 403, 404, 404),
        setup=at("child"),
    ),
    Row(
        "service_accounts.create:A",
        "POST",
        "/networks/{network_id}/service-accounts",
        (401, 201, 201, 403, 403, 403, 404, 404),
        setup=at("a"),
        body=lambda p: {"name": "Nightly sync", "scopes": ["mobility:write"]},
    ),
    *[
        Row(
            f"service_accounts.{name}:A",
            "GET" if name == "get" else "POST",
            "/service-accounts/{service_account_id}" + ("" if name == "get" else f"/{name}"),
            CHAIR_OF_A,
            setup=service_account_of("a"),
        )
        for name in ("get", "rotate", "revoke")
    ],
    # --- organisations --------------------------------------------------------------------
    Row("organisations.list", "GET", "/organisations", EVERYONE_200),
    Row(
        "organisations.create.own-network",  # kept by the network the caller leads
        "POST",
        "/organisations",
        (401, 201, 201, 201, 403, 403, 201, 403),
        body=ORG_CREATE,
        check=kept_by_callers_network,
    ),
    Row(
        "organisations.create.owner:A",
        "POST",
        "/organisations",
        (401, 201, 201, 201, 403, 403, 403, 403),
        setup=at("a"),
        body=lambda p: {
            "name": "Matrix College",
            "kind": "school",
            "owner_network_id": p["network_id"],
        },
    ),
    Row(
        "organisations.get:A",
        "GET",
        "/organisations/{organisation_id}",
        EVERYONE_200,
        setup=organisation_of("a"),
    ),
    Row(
        "organisations.patch:A",
        "PATCH",
        "/organisations/{organisation_id}",
        (401, 200, 200, 200, 403, 403, 403, 403),
        setup=organisation_of("a"),
        body=ORG_PATCH,
    ),
    Row(
        "organisations.patch:B",
        "PATCH",
        "/organisations/{organisation_id}",
        (401, 200, 403, 403, 403, 403, 200, 403),
        setup=organisation_of("b"),
        body=ORG_PATCH,
    ),
    Row(
        "organisations.delete:A",
        "DELETE",
        "/organisations/{organisation_id}",
        (401, 204, 204, 204, 403, 403, 403, 403),
        setup=organisation_of("a"),
    ),
    Row(
        "organisations.restore:A",
        "POST",
        "/organisations/{organisation_id}/restore",
        (401, 200, 200, 200, 403, 403, 403, 403),
        setup=organisation_of("a", deleted=True),
    ),
    # --- memberships ----------------------------------------------------------------------
    Row("members.list:A", "GET", "/networks/{network_id}/members", READ_A, setup=at("a")),
    Row(
        "members.list:child",
        "GET",
        "/networks/{network_id}/members",
        READ_A,
        setup=at("child"),
    ),
    Row(
        "members.create:A",
        "POST",
        "/networks/{network_id}/members",
        (401, 201, 201, 201, 403, 403, 404, 404),
        setup=new_organisation_for("a"),
        body=JOIN,
    ),
    Row(
        "members.create:child",  # writes are not inherited: A's chair may only look
        "POST",
        "/networks/{network_id}/members",
        (401, 201, 403, 403, 403, 403, 404, 404),
        setup=new_organisation_for("child"),
        body=JOIN,
    ),
    Row(
        "memberships.get:A",
        "GET",
        "/memberships/{membership_id}",
        READ_A,
        setup=membership_in("a"),
    ),
    Row(
        "memberships.end:A",
        "POST",
        "/memberships/{membership_id}/end",
        (401, 200, 200, 200, 403, 403, 404, 404),
        setup=membership_in("a"),
    ),
    # --- audit ----------------------------------------------------------------------------
    Row(
        "audit.list:A",
        "GET",
        "/audit-events",
        (401, 200, 200, 403, 403, 403, 404, 404),
        setup=at("a"),
        query=("network_id",),
    ),
    Row(
        "audit.list:child",  # the chair's audit right is inherited downwards
        "GET",
        "/audit-events",
        (401, 200, 200, 403, 403, 403, 404, 404),
        setup=at("child"),
        query=("network_id",),
    ),
    Row(
        "audit.list:B",
        "GET",
        "/audit-events",
        (401, 200, 404, 404, 404, 404, 200, 404),
        setup=at("b"),
        query=("network_id",),
    ),
    Row(
        "audit.list.everything",
        "GET",
        "/audit-events",
        (401, 200, 422, 422, 422, 422, 422, 422),
    ),
    # --- plans: reads ---------------------------------------------------------------------
    Row("plans.list:A", "GET", "/networks/{network_id}/plans", READ_A, setup=at("a")),
    Row("plans.list:child", "GET", "/networks/{network_id}/plans", READ_A, setup=at("child")),
    Row("networks.progress:A", "GET", "/networks/{network_id}/progress", READ_A, setup=at("a")),
    Row(
        "networks.progress:child",
        "GET",
        "/networks/{network_id}/progress",
        READ_A,
        setup=at("child"),
    ),
    Row("plans.get:child", "GET", "/plans/{plan_id}", READ_A, setup=in_plan("child")),
    *[
        Row(f"{name}:A", "GET", path, READ_A, setup=in_plan("a", thing))
        for name, path, thing in [
            ("plans.get", "/plans/{plan_id}", "plan"),
            ("plans.tree", "/plans/{plan_id}/tree", "objective"),
            ("plans.translations", "/plans/{plan_id}/translations", "objective"),
            ("plans.translations.missing", "/plans/{plan_id}/translations/missing", "objective"),
            ("plans.progress", "/plans/{plan_id}/progress", "objective"),
            ("plans.milestones", "/plans/{plan_id}/milestones", "milestone"),
            ("plans.objectives", "/plans/{plan_id}/objectives", "objective"),
            ("objectives.get", "/objectives/{objective_id}", "objective"),
            ("objectives.actions", "/objectives/{objective_id}/actions", "action"),
            ("objectives.measures", "/objectives/{objective_id}/measures", "measure"),
            ("objectives.milestones", "/objectives/{objective_id}/milestones", "milestone"),
            ("actions.get", "/actions/{action_id}", "action"),
            ("actions.history", "/actions/{action_id}/history", "action"),
            ("actions.milestones", "/actions/{action_id}/milestones", "action"),
            ("measures.get", "/measures/{measure_id}", "measure"),
            ("measures.readings", "/measures/{measure_id}/readings", "measure"),
            ("objectives.check_ins", "/objectives/{objective_id}/check-ins", "objective"),
            ("measures.check_ins", "/measures/{measure_id}/check-ins", "measure"),
            ("milestones.get", "/milestones/{milestone_id}", "milestone"),
            ("milestones.evidence", "/milestones/{milestone_id}/evidence", "milestone"),
        ]
    ],
    *[
        Row(
            f"plans.export.{fmt}:A",
            "GET",
            "/plans/{plan_id}/export",
            READ_A,
            setup=in_plan("a", "objective", format=fmt),
            query=("format",),
        )
        for fmt in ("json", "csv")
    ],
    *[
        Row(
            f"plans.report.{fmt}:A",
            "GET",
            "/plans/{plan_id}/report",
            READ_A,
            setup=in_plan("a", "measure", format=fmt),
            query=("format",),
        )
        for fmt in ("html", "md")
    ],
    Row("plans.report:child", "GET", "/plans/{plan_id}/report", READ_A, setup=in_plan("child")),
    Row("networks.report:A", "GET", "/networks/{network_id}/report", READ_A, setup=at("a")),
    Row(
        "networks.report:child",
        "GET",
        "/networks/{network_id}/report",
        READ_A,
        setup=at("child"),
    ),
    Row("measure_sources.list", "GET", "/measure-sources", EVERYONE_200),
    # --- plans: writes (chair and executive of the plan's own network) --------------------
    Row(
        "plans.create:A",
        "POST",
        "/networks/{network_id}/plans",
        plan_write(201),
        setup=at("a"),
        body=PLAN_CREATE,
    ),
    Row(
        "plans.create:child",  # reads are inherited downwards, writes are not
        "POST",
        "/networks/{network_id}/plans",
        plan_write_child(201),
        setup=at("child"),
        body=PLAN_CREATE,
    ),
    Row(
        "plans.import.json:A",
        "POST",
        "/networks/{network_id}/plans/import",
        plan_write(201),
        setup=at("a"),
        files=IMPORT_JSON,
    ),
    Row(
        "plans.patch:A",
        "PATCH",
        "/plans/{plan_id}",
        plan_write(200),
        setup=in_plan("a"),
        body=RETITLE,
    ),
    Row(
        "plans.patch:child",
        "PATCH",
        "/plans/{plan_id}",
        plan_write_child(200),
        setup=in_plan("child"),
        body=RETITLE,
    ),
    Row("plans.delete:A", "DELETE", "/plans/{plan_id}", plan_write(204), setup=in_plan("a")),
    Row(
        "plans.restore:A",
        "POST",
        "/plans/{plan_id}/restore",
        plan_write(200),
        setup=in_plan("a", deleted=True),
    ),
    Row(
        "objectives.create:A",
        "POST",
        "/plans/{plan_id}/objectives",
        plan_write(201),
        setup=in_plan("a"),
        body=lambda p: {"code": "2", "title": "Objective 2"},
    ),
    Row(
        "objectives.create:child",
        "POST",
        "/plans/{plan_id}/objectives",
        plan_write_child(201),
        setup=in_plan("child"),
        body=lambda p: {"code": "2", "title": "Objective 2"},
    ),
    Row(
        "actions.create:A",
        "POST",
        "/objectives/{objective_id}/actions",
        plan_write(201),
        setup=in_plan("a", "objective"),
        body=lambda p: {"description": "Another action"},
    ),
    Row(
        "measures.create:A",
        "POST",
        "/objectives/{objective_id}/measures",
        plan_write(201),
        setup=in_plan("a", "objective"),
        body=lambda p: {"description": "Another measure"},
    ),
    Row(
        "milestones.create.objective:A",
        "POST",
        "/objectives/{objective_id}/milestones",
        plan_write(201),
        setup=in_plan("a", "objective"),
        body=lambda p: {"title": "Another milestone", "due": "2026-06"},
    ),
    Row(
        "milestones.create.action:A",
        "POST",
        "/actions/{action_id}/milestones",
        plan_write(201),
        setup=in_plan("a", "action"),
        body=lambda p: {"title": "Another milestone", "due": "2026-06-30"},
    ),
    *[
        Row(
            f"{thing}s.{name}:A",
            method,
            f"/{thing}s/{{{thing}_id}}" + suffix,
            plan_write(ok),
            setup=in_plan("a", thing, deleted=name == "restore"),
            body=body,
        )
        for thing, patch in [
            ("objective", RETITLE),
            ("action", REDESCRIBE),
            ("measure", REDESCRIBE),
            ("milestone", RETITLE),
        ]
        for name, method, suffix, ok, body in [
            ("patch", "PATCH", "", 200, patch),
            ("delete", "DELETE", "", 204, None),
            ("restore", "POST", "/restore", 200, None),
        ]
    ],
    # --- plans: recording progress (the facilitator too) ----------------------------------
    Row(
        "actions.patch.status:A",
        "PATCH",
        "/actions/{action_id}",
        progress_record(200),
        setup=in_plan("a", "action"),
        body=lambda p: {"status": "in_progress"},
    ),
    Row(
        "actions.patch.status:child",
        "PATCH",
        "/actions/{action_id}",
        plan_write_child(200),
        setup=in_plan("child", "action"),
        body=lambda p: {"status": "in_progress"},
    ),
    Row(
        "measures.readings.create:A",
        "POST",
        "/measures/{measure_id}/readings",
        progress_record(201),
        setup=in_plan("a", "measure"),
        body=lambda p: {"value": 3},
    ),
    Row(
        "milestones.patch.achieved:A",
        "PATCH",
        "/milestones/{milestone_id}",
        progress_record(200),
        setup=in_plan("a", "milestone"),
        body=lambda p: {"status": "achieved"},
    ),
    *[
        Row(
            f"{thing}s.check_ins.create:A",
            "POST",
            f"/{thing}s/{{{thing}_id}}/check-ins",
            progress_record(201),
            setup=in_plan("a", thing),
            body=lambda p: {"rating": "amber", "confidence": 6, "note": "slower than hoped"},
        )
        for thing in ("objective", "measure")
    ],
    Row(
        "plans.close:A",
        "POST",
        "/plans/{plan_id}/close",
        plan_write(200),
        setup=in_plan("a", "milestone"),
    ),
    Row(
        "plans.close:child",
        "POST",
        "/plans/{plan_id}/close",
        plan_write_child(200),
        setup=in_plan("child"),
    ),
    Row(
        "plans.copy:A",
        "POST",
        "/plans/{plan_id}/copy",
        plan_write(201),
        setup=in_plan("a", "milestone"),
        body=lambda p: {
            "title": "Matrix plan 2026-27",
            "period_start": "2026-09-01",
            "period_end": "2027-08-31",
        },
    ),
    Row(
        "milestones.evidence.create:A",
        "POST",
        "/milestones/{milestone_id}/evidence",
        progress_record(201),
        setup=in_plan("a", "milestone"),
        body=lambda p: {"kind": "note", "text": "Minutes of the meeting"},
    ),
    # --- mobility register ------------------------------------------------------------------
    # Facilitators keep the register and post counts (progress recording); members read.
    Row(
        "mobility.opps.list",
        "GET",
        "/networks/{network_id}/mobility-opportunities",
        READ_A,
        setup=at("a"),
    ),
    Row(
        "mobility.opps.create",
        "POST",
        "/networks/{network_id}/mobility-opportunities",
        progress_record(201),
        setup=two_organisations("a"),
        body=OPPORTUNITY,
    ),
    Row(
        "mobility.opps.get",
        "GET",
        "/mobility-opportunities/{opportunity_id}",
        READ_A,
        setup=opportunity_in("a"),
    ),
    Row(
        "mobility.opps.update",
        "PATCH",
        "/mobility-opportunities/{opportunity_id}",
        progress_record(200),
        setup=opportunity_in("a"),
        body=lambda p: {"places": 3},
    ),
    Row(
        "mobility.opps.delete",
        "DELETE",
        "/mobility-opportunities/{opportunity_id}",
        progress_record(204),
        setup=opportunity_in("a"),
    ),
    Row(
        "mobility.opps.restore",
        "POST",
        "/mobility-opportunities/{opportunity_id}/restore",
        progress_record(200),
        setup=opportunity_in("a", deleted=True),
    ),
    Row(
        "mobility.counts.post",
        "POST",
        "/networks/{network_id}/mobility-counts",
        progress_record(200),
        setup=two_organisations("a"),
        body=COUNTS,
    ),
    Row(
        "mobility.counts.list",
        "GET",
        "/networks/{network_id}/mobility-counts",
        READ_A,
        setup=at("a"),
    ),
    Row(
        "mobility.counts.summary",
        "GET",
        "/networks/{network_id}/mobility-counts/summary",
        READ_A,
        setup=at("a"),
    ),
    Row(
        "mobility.counts.export",
        "GET",
        "/networks/{network_id}/mobility-counts/export",
        READ_A,
        setup=at("a"),
    ),
]

# --- the domains' tables, in the same rows ------------------------------------------------
#
# badges, communities, mobility, partnerships and webhooks declare their rows next to their own
# builders (tests/<domain>/test_authz.py, in their own Row shape); here they become rows of the
# one table. Their extra callers (a community's lead, a mobility service account) are columns of
# ``Row.extra``.


def _via(make: Callable[[httpx.AsyncClient, World], Any], setup: Any, *, fresh_user: bool) -> Setup:
    """A domain's setup run with its own builder; ``fresh_user``: a user_id for the body."""

    async def run(ctx: Ctx) -> Params:
        builder = make(ctx.client, ctx.world)
        params: Params = await setup(builder)
        if fresh_user:
            params.setdefault("user_id", (await builder.person("fresh")).id)
        return params

    return run


def _domain(
    domain: str,
    rows: list[Any],
    principals: tuple[str, ...],
    make: Callable[[httpx.AsyncClient, World], Any],
    *,
    fresh_user: bool = False,
    inspect: Callable[[Any], Inspect] | None = None,
) -> list[Row]:
    converted = []
    for r in rows:
        codes = dict(zip(principals, r.codes, strict=True))
        main = tuple(codes.pop(who) for who in PRINCIPALS)
        converted.append(
            Row(
                f"{domain}: {r.method} {r.path}"
                + (f" ({r.label})" if getattr(r, "label", "") else ""),
                r.method,
                r.path,
                main,
                setup=_via(make, r.setup, fresh_user=fresh_user),
                body=r.body,
                extra=codes,
                inspect=inspect(r) if inspect else None,
            )
        )
    return converted


def _badge_inspect(r: Any) -> Inspect:
    public = r.codes == badges_authz.PUBLIC

    def inspect(ctx: Ctx, params: Params, response: httpx.Response) -> None:
        if public:
            assert "email" not in response.text, "a public answer mentions an email"
        assert "r@example.org" not in response.text or ctx.who != "anonymous"

    return inspect


def _webhook_inspect(r: Any) -> Inspect:
    def inspect(ctx: Ctx, params: Params, response: httpx.Response) -> None:
        if response.status_code < 300 and r.method == "GET" and "webhook_id" in params:
            assert "secret" not in response.text

    return inspect


def _mobility(rows: list[Any]) -> list[Row]:
    """Mobility's rows name the path with ``{a}``/``{id}`` and a fixed query string."""
    converted = []
    for r in rows:
        template, _, query = r.path.partition("?")
        path = template.replace("{a}", "{network_id}").replace("{id}", "{opportunity_id}")
        fixed = dict(pair.split("=") for pair in query.split("&") if pair)

        async def setup(ctx: Ctx, r: Any = r, fixed: dict[str, str] = fixed) -> Params:
            orgs = await make_orgs(ctx.client, ctx.world)
            mctx = mobility_authz.Ctx(ctx.client, ctx.world, orgs.ids)
            made = await r.setup(mctx) if r.setup else {}
            params: Params = {"network_id": ctx.a, "mobility": mctx, **fixed}
            if "id" in made:
                params["opportunity_id"] = made["id"]
            return params

        codes = dict(r.expected)
        converted.append(
            Row(
                f"mobility: {r.method} {r.path}",
                r.method,
                path,
                tuple(codes.pop(who) for who in PRINCIPALS),
                setup=setup,
                body=(lambda p, r=r: r.body(p["mobility"])) if r.body else None,
                query=tuple(fixed),
                extra=codes,
            )
        )
    return converted


DOMAIN_ROWS: dict[str, list[Row]] = {
    "badges": _domain(
        "badges",
        badges_authz.ROWS,
        badges_authz.PRINCIPALS,
        badges_authz.Builder,
        inspect=_badge_inspect,
    ),
    "communities": _domain(
        "communities",
        communities_authz.ROWS,
        communities_authz.PRINCIPALS,
        CommunityBuilder,
        fresh_user=True,
    ),
    "mobility": _mobility(mobility_authz.ROWS),
    "partnerships": _domain(
        "partnerships",
        partnerships_authz.ROWS,
        partnerships_authz.PRINCIPALS,
        PartnerBuilder,
        fresh_user=True,
    ),
    "webhooks": _domain(
        "webhooks",
        webhooks_authz.ROWS,
        webhooks_authz.PRINCIPALS,
        Hooks,
        inspect=_webhook_inspect,
    ),
    "notifications": _domain(
        "notifications",
        notifications_authz.ROWS,
        notifications_authz.PRINCIPALS,
        notifications_authz.Api,
    ),
}
TABLE = MATRIX + [row for rows in DOMAIN_ROWS.values() for row in rows]
ROWS = {row.name: row for row in TABLE}
assert len(ROWS) == len(TABLE), "row names must be unique"


# --- the callers ----------------------------------------------------------------------------


async def _mobility_service_account(ctx: Ctx) -> dict[str, str]:
    return dict((await service_account(ctx.client, ctx.world))["headers"])


# Callers who are not people of the world: made for the cell. (A community's ``lead`` is a
# person the row's setup adds to the cell's world.)
CALLERS: dict[str, Callable[[Ctx], Awaitable[dict[str, str]]]] = {
    "service_account": _mobility_service_account,
}


async def caller_headers(ctx: Ctx) -> dict[str, str]:
    make = CALLERS.get(ctx.who)
    return await make(ctx) if make else dict(ctx.world.headers(ctx.who))


async def call(
    client: httpx.AsyncClient, row: Row, headers: dict[str, str], params: Params
) -> httpx.Response:
    path_params = {k: v for k, v in params.items() if k not in row.query}
    query = {k: params[k] for k in row.query}
    kwargs: dict[str, Any] = {"params": query, "headers": {**headers, **IF_MATCH}}
    if row.body is not None:
        kwargs["json"] = row.body(params)
    if row.form is not None:
        kwargs["data"] = row.form(params)
    if row.files is not None:
        kwargs["files"] = row.files(params)
    url = API + row.path.format_map(defaultdict(lambda: MISSING_ID, path_params))
    return await client.request(row.method, url, **kwargs)


def assert_answer(response: httpx.Response, expected: int) -> None:
    assert response.status_code == expected, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith(PROBLEM), response.headers
        assert response.json()["status"] == expected
    if response.status_code == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")


def missing_ids(row: Row, params: Params) -> Params:
    """The same call, every id (in the path or the query) one that does not exist."""
    ids = {k for k in params if k.endswith("_id")} | {
        name for _, name, _, _ in Formatter().parse(row.path) if name
    }
    return {**params, **dict.fromkeys(ids, MISSING_ID)}


async def check_cell(ctx: Ctx, row: Row, params: Params) -> None:
    """One caller on one route (the state built by the row's setup)."""
    who = ctx.caller
    headers = await caller_headers(ctx)
    response = await call(ctx.client, row, headers, params)
    assert_answer(response, row.expected(who))
    if row.check is not None and response.is_success:
        row.check(ctx, response.json())
    if row.inspect is not None:
        row.inspect(ctx, params, response)
    if who == "anonymous" and row.expected(who) == 401:
        # Anonymous callers learn nothing, not even whether an id exists.
        assert_answer(await call(ctx.client, row, headers, missing_ids(row, params)), 401)


async def check_row(app: FastAPI, client: httpx.AsyncClient, world: World, row: Row) -> list[str]:
    """Every caller of the row, each on the same fresh state: the setup runs once (again per
    caller only if it depends on who is calling), and each caller's call is rolled back to it."""
    failures = []
    async with rolled_back(app):
        first = Ctx(client, replace(world, people=dict(world.people)), row.callers()[0])
        params = await row.setup(first)
        for i, who in enumerate(row.callers()):
            async with rolled_back(app):
                ctx = replace(first, caller=who)
                cell_params = params
                if first.asked_who and i > 0:
                    ctx = Ctx(client, replace(world, people=dict(world.people)), who)
                    cell_params = await row.setup(ctx)
                try:
                    await check_cell(ctx, row, cell_params)
                except AssertionError as error:
                    if who not in row.bugs:
                        failures.append(f"{who}: {error}")
                else:
                    if who in row.bugs:
                        failures.append(f"{who}: fixed ({row.bugs[who]}): drop it from bugs")
    return failures


@pytest.mark.parametrize("row", TABLE, ids=[row.name for row in TABLE])
async def test_route(app: FastAPI, module_world: World, row: Row) -> None:
    """Every caller of the route gets the row's answer."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        failures = await check_row(app, client, module_world, row)
    assert not failures, "\n".join(failures)


# --- isolation between sibling networks ---------------------------------------------------


async def items(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> list[Any]:
    """Every item of a list, following next_cursor."""
    found: list[Any] = []
    cursor = None
    while True:
        url = httpx.URL(API + path)
        params = url.params.merge({"limit": 100, **({"cursor": cursor} if cursor else {})})
        response = await client.get(url.copy_with(params=params), headers=headers)
        assert response.status_code == 200, (path, response.text)
        page = response.json()
        found += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return found


async def test_chair_of_b_cannot_reach_a_private_data(
    rollback_client: httpx.AsyncClient, module_world: World
) -> None:
    client, world = rollback_client, module_world
    ctx = Ctx(client, world, "admin")
    admin = world.headers("admin")
    b_chair = world.headers("other_chair")
    a_side = (world.network_a, world.child_a)

    # Private rows on A's side (A and its child) and some on B's, so B's lists are not empty.
    a_memberships = [await ctx.membership(n) for n in a_side]
    a_member_role = await ctx.role(world.network_a, "member")
    child_chair_role = await ctx.role(world.child_a, "chair")
    b_membership = await ctx.membership(world.network_b)
    b_role = await ctx.role(world.network_b, "member")

    a_roles = {r["id"] for n in a_side for r in await items(client, f"/networks/{n}/roles", admin)}
    assert {a_member_role, child_chair_role} <= a_roles
    a_events = [
        e for n in a_side for e in await items(client, f"/audit-events?network_id={n}", admin)
    ]
    assert a_events
    a_objects = (
        {("role_assignments", i) for i in a_roles}
        | {("memberships", i) for i in a_memberships}
        | {("networks", n) for n in a_side}
    )

    async def snapshot() -> list[Any]:
        return [
            await items(client, f"/networks/{n}/{what}?include_ended=true", admin)
            for n in a_side
            for what in ("roles", "members")
        ] + [len(await items(client, f"/audit-events?network_id={n}", admin)) for n in a_side]

    before = await snapshot()

    # Reading A's private data: 404, as if it did not exist.
    reads = [
        *(f"/networks/{n}/roles" for n in a_side),
        *(f"/networks/{n}/roles?include_ended=true" for n in a_side),
        *(f"/networks/{n}/members" for n in a_side),
        *(f"/networks/{n}/members?include_ended=true" for n in a_side),
        *(f"/audit-events?network_id={n}" for n in a_side),
        *(f"/roles/{i}" for i in sorted(a_roles)),
        *(f"/memberships/{i}" for i in a_memberships),
    ]
    for path in reads:
        response = await client.get(API + path, headers=b_chair)
        assert (path, response.status_code) == (path, 404), response.text
        assert response.headers["content-type"].startswith(PROBLEM)

    # Changing it: 404 too, and nothing changes.
    outsider_id = world["outsider"].id
    spare_org = await ctx.organisation(None)
    writes: list[tuple[str, dict[str, Any] | None]] = [
        *(
            (f"/networks/{n}/roles", {"user_id": outsider_id, "role": role})
            for n in a_side
            for role in ("chair", "executive", "facilitator", "member")
        ),
        *((f"/roles/{i}/end", None) for i in sorted(a_roles)),
        *((f"/networks/{n}/members", {"organisation_id": spare_org}) for n in a_side),
        *((f"/memberships/{i}/end", None) for i in a_memberships),
    ]
    for path, body in writes:
        response = await client.post(API + path, json=body, headers=b_chair)
        assert (path, response.status_code) == (path, 404), response.text
        assert response.headers["content-type"].startswith(PROBLEM)
    assert await snapshot() == before

    # Every list it can reach holds B's rows and none of A's.
    b = world.network_b
    roles = await items(client, f"/networks/{b}/roles?include_ended=true", b_chair)
    assert b_role in {r["id"] for r in roles}
    assert {r["network_id"] for r in roles} == {b}
    assert not {r["id"] for r in roles} & a_roles
    members = await items(client, f"/networks/{b}/members?include_ended=true", b_chair)
    assert [m["id"] for m in members] == [b_membership]
    assert {m["network_id"] for m in members} == {b}
    events = await items(client, f"/audit-events?network_id={b}", b_chair)
    assert events
    assert {e["network_id"] for e in events} == {b}
    assert not {(e["object_type"], e["object_id"]) for e in events} & a_objects
    assert not {e["id"] for e in events} & {e["id"] for e in a_events}
    for object_type, object_id in sorted(a_objects):
        path = f"/audit-events?network_id={b}&object_type={object_type}&object_id={object_id}"
        assert await items(client, path, b_chair) == [], path
    children = await items(client, f"/networks/{b}/children", b_chair)
    assert not {n["id"] for n in children} & set(a_side)
    me = (await client.get(API + "/me", headers=b_chair)).json()
    assert {r["network_id"] for r in me["roles"]} == {b}
    # Without network_id the whole trail stays closed.
    response = await client.get(API + "/audit-events", headers=b_chair)
    assert response.status_code == 422


async def test_a_role_in_the_child_gives_nothing_on_the_parent(
    app: FastAPI, rollback_client: httpx.AsyncClient, module_world: World
) -> None:
    """Reads are inherited downwards only: the child's chair is an outsider to A."""
    client, world = rollback_client, module_world
    ctx = Ctx(client, world, "admin")
    user_id = await ctx.user()
    role = {"user_id": user_id, "role": "chair"}
    await ctx.as_admin("POST", f"/networks/{world.child_a}/roles", role)
    headers = token_headers(app, f"user:{user_id}")
    a, child = world.network_a, world.child_a

    response = await client.get(f"{API}/networks/{child}/roles", headers=headers)
    assert response.status_code == 200, response.text
    organisation_id = await ctx.organisation(None)
    answers = [
        ("GET", f"/networks/{a}/roles", None, 404),
        ("GET", f"/networks/{a}/members", None, 404),
        ("GET", f"/networks/{a}/service-accounts", None, 404),
        ("GET", f"/audit-events?network_id={a}", None, 404),
        ("POST", f"/networks/{a}/roles", {"user_id": world["outsider"].id, "role": "member"}, 404),
        ("POST", f"/networks/{a}/members", {"organisation_id": organisation_id}, 404),
        ("PATCH", f"/networks/{a}", {"description": "Changed"}, 403),
        ("POST", "/networks", {"name": "Sibling", "kind": "regional", "parent_id": a}, 403),
        ("DELETE", f"/networks/{child}", None, 403),
    ]
    for method, path, body, expected in answers:
        response = await client.request(
            method, API + path, json=body, headers={**headers, **IF_MATCH}
        )
        assert (method, path, response.status_code) == (method, path, expected), response.text
        assert response.headers["content-type"].startswith(PROBLEM)


# --- no route escapes the matrix ----------------------------------------------------------


def api_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every /api/v1 route, flattening included routers."""
    try:  # FastAPI versions that keep included routers nested
        from fastapi.routing import iter_route_contexts

        routes: Any = list(iter_route_contexts(app.routes))
    except ImportError:  # older versions flatten them into app.routes
        routes = app.routes
    found = set()
    for route in routes:
        path = getattr(route, "path", None) or ""
        if not path.startswith(API + "/"):
            continue
        for method in getattr(route, "methods", None) or ():
            if method not in {"HEAD", "OPTIONS"}:
                found.add((method, path.removeprefix(API)))
    return found


def test_every_api_route_has_a_row(app: FastAPI) -> None:
    """The single route-coverage check: every route of the app is in the table, and every
    row names a route that exists."""
    routes = api_routes(app)
    covered = {(row.method, row.path) for row in TABLE}
    assert len(routes) >= 30, f"the route walk found too few routes: {sorted(routes)}"
    missing = sorted(routes - covered)
    assert not missing, f"routes without a row in the authorization table: {missing}"
    stale = sorted(covered - routes)
    assert not stale, f"table rows for routes that do not exist: {stale}"
