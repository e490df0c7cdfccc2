"""The route class every API router uses: one session and one transaction per request.

The transaction is committed after the endpoint and its response serialisation succeed and
*before* the response is sent, so a failed commit (a lost version race, a constraint) reaches
the client as an error instead of a success that did not happen. Any error rolls back.
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


class CohesionRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {m.upper() for m in (kwargs.get("methods") or ())}
        if "POST" in methods and getattr(endpoint, "cohesion_idempotent", True):
            from app.auth.deps import idempotency_guard  # the guard needs the principal

            kwargs["dependencies"] = [
                *(kwargs.get("dependencies") or []),
                Depends(idempotency_guard),
            ]
        self._write_override: bool | None = getattr(endpoint, "cohesion_write", None)
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        inner = super().get_route_handler()
        write_override = self._write_override

        async def handler(request: Request) -> Response:
            write = request.method not in READ_METHODS if write_override is None else write_override
            async with app_state(request).db.session(write=write) as session:
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
