"""Core knows no domain: the audit trail calls the subscribers registered with it, and the
route class runs the Idempotency-Key guard the auth layer hands it. These check that the
hand-over happens, once, and that a route declared without it fails loudly."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from app.auth.deps import idempotency_guard
from app.auth.policy import COMMUNITY_RUNNING_ROLES
from app.communities.schemas import CommunityRole
from app.core import audit, routing
from app.webhooks.service import enqueue_for_audit


def _api_routes(router: Any) -> Iterator[APIRoute]:
    for route in router.routes:
        if hasattr(route, "original_router"):  # an included router (FastAPI keeps a reference)
            yield from _api_routes(route.original_router)
        elif isinstance(route, APIRoute):
            yield route


def _guards(route: APIRoute) -> int:
    return sum(1 for d in route.dependencies if d.dependency is idempotency_guard)


def test_every_post_route_runs_the_guard_once_unless_it_opts_out(app: FastAPI) -> None:
    posts = [r for r in _api_routes(app.router) if "POST" in r.methods]
    assert len(posts) > 50
    for route in posts:
        expected = 1 if getattr(route.endpoint, "cohesion_idempotent", True) else 0
        assert _guards(route) == expected, route.path
    assert any(_guards(r) == 0 for r in posts)  # e.g. POST /auth/token opts out


def test_a_post_route_declared_before_the_guard_is_handed_over_fails() -> None:
    saved = list(routing._guard)
    routing._guard.clear()
    try:
        router = APIRouter(route_class=routing.CohesionRoute)
        with pytest.raises(routing.MissingGuard, match="POST /things"):

            @router.post("/things")
            async def create_thing() -> None: ...

        @router.get("/things")  # reads need no guard
        async def list_things() -> None: ...

        @router.post("/search")
        @routing.route_options(idempotent=False)
        async def search() -> None: ...
    finally:
        routing._guard[:] = saved


def test_a_route_built_again_from_its_dependencies_keeps_one_guard() -> None:
    router = APIRouter(route_class=routing.CohesionRoute)

    @router.post("/things")
    async def create_thing() -> None: ...

    first = router.routes[-1]
    assert isinstance(first, APIRoute)
    again = routing.CohesionRoute(
        "/things", create_thing, methods=["POST"], dependencies=first.dependencies
    )
    assert _guards(first) == _guards(again) == 1


def test_the_webhooks_outbox_is_subscribed_to_the_audit_trail_once(app: FastAPI) -> None:
    audit.subscribe(enqueue_for_audit)
    assert audit._subscribers.count(enqueue_for_audit) == 1


def test_the_community_running_roles_are_community_roles() -> None:
    assert {CommunityRole.lead.value, CommunityRole.facilitator.value} == COMMUNITY_RUNNING_ROLES
