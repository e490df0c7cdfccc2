"""The route class every API router uses: one session and one transaction per request.

The transaction is committed after the endpoint and its response serialisation succeed and
*before* the response is sent, so a failed commit (a lost version race, a constraint) reaches
the client as an error instead of a success that did not happen. Any error rolls back.

Every POST also gets the Idempotency-Key guard, a dependency that needs to know who is calling,
so it belongs to the auth layer, which hands it over when imported (``use_idempotency_guard``
in ``app/auth/__init__.py``): a router imports the auth layer before it declares a route.
"""

from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute

from app.core import idempotency
from app.core.state import app_state

F = TypeVar("F", bound=Callable[..., Any])

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def route_options(*, idempotent: bool = True, write: bool | None = None) -> Callable[[F], F]:
    """Opt an endpoint out of Idempotency-Key handling, or mark a POST as read-only."""

    def mark(fn: F) -> F:
        fn.cohesion_idempotent = idempotent  # type: ignore[attr-defined]
        fn.cohesion_write = write  # type: ignore[attr-defined]
        return fn

    return mark


_guard: list[Callable[..., Any]] = []


def use_idempotency_guard(guard: Callable[..., Any]) -> None:
    """The dependency every POST route built from now on runs (replays or refuses a reused
    Idempotency-Key)."""
    _guard[:] = [guard]


class MissingGuard(RuntimeError):
    """A POST route was declared before the auth layer handed over its guard."""


class CohesionRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {m.upper() for m in (kwargs.get("methods") or ())}
        if "POST" in methods and getattr(endpoint, "cohesion_idempotent", True):
            if not _guard:
                raise MissingGuard(f"POST {path}: import app.auth before declaring routes")
            dependencies = list(kwargs.get("dependencies") or [])
            # A route copied by include_router (older FastAPI) already carries it.
            if not any(d.dependency is _guard[0] for d in dependencies):
                dependencies.append(Depends(_guard[0]))
            kwargs["dependencies"] = dependencies
        self._write_override: bool | None = getattr(endpoint, "cohesion_write", None)
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        inner = super().get_route_handler()
        write_override = self._write_override

        async def handler(request: Request) -> Response:
            read_only = request.method in READ_METHODS
            write = not read_only if write_override is None else write_override
            # GET/HEAD routes only read (a route that writes on GET would say so with
            # route_options(write=True)): on PostgreSQL, no BEGIN/COMMIT round trips.
            autocommit = read_only and write_override is None
            db = app_state(request).db
            async with db.session(write=write, autocommit=autocommit) as session:
                request.state.session = session
                try:
                    response = await inner(request)
                except BaseException:
                    await session.rollback()
                    raise
                if response.status_code >= 400:
                    await session.rollback()
                    return response
                idempotency.finish(session, request, response)
                await session.commit()
                return response

        return handler
