"""Declared routes: a resource's routes written once, declared per resource.

* ``api_router(**kwargs)`` — an ``APIRouter`` with the request-scoped ``CohesionRoute`` whose
  operation ids are the endpoint names, so no route spells out ``operation_id=``.
* ``ItemRoutes(router, path, label, found, caller)`` — the routes of one record at ``path``
  (``get``, ``update``, ``delete``, ``restore``, ``action``: ``POST path/verb``), each declared
  in one line from its summary and service function, named ``{verb}_{label}``; the record
  comes from a path loader (``found``, ``deleted``).
* ``Collection(router, path, scope=…, caller=…)`` — a collection's ``list`` (list
  parameters, a model of filter query parameters, the service call that answers one page)
  and ``create`` (``201`` with ETag and ``Location``).

Service functions are called as ``await call(session, principal, found, **keywords)`` with
``found`` as the loader gives it (a record or a ``Scoped``); ``functools.partial`` binds the
rest.
"""

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession

from app.core import responses
from app.core.db import SessionDep
from app.core.i18n import Lang
from app.core.resources import ListQuery, tagged
from app.core.routing import CohesionRoute
from app.core.versioning import IfMatchHeader, check_if_match

Call = Callable[..., Awaitable[Any]]
View = Callable[..., Any]
NESTED_LIST = responses.problems(400, 401, 403, 404, 422)


def operation_name(route: APIRoute) -> str:
    """A route's operation id: its endpoint's name."""
    return route.name


def api_router(**kwargs: Any) -> APIRouter:
    """An API router: one transaction per request, operation ids from endpoint names."""
    return APIRouter(
        route_class=CohesionRoute, generate_unique_id_function=operation_name, **kwargs
    )


def endpoint(name: str, params: dict[str, Any], run: Callable[..., Awaitable[Any]]) -> Any:
    """An endpoint called ``name`` taking ``params`` (name -> annotation, or (annotation,
    default)) as keywords and answering ``await run(**kwargs)``."""

    async def answer(**kwargs: Any) -> Any:
        return await run(**kwargs)

    answer.__name__ = answer.__qualname__ = name
    answer.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(
                key,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=spec[0] if isinstance(spec, tuple) else spec,
                default=spec[1] if isinstance(spec, tuple) else inspect.Parameter.empty,
            )
            for key, spec in params.items()
        ]
    )
    return answer


def one(reads: Callable[[AsyncSession, list[Any]], Awaitable[list[Any]]]) -> View:
    """A view of one record from a view of many (``await reads(session, records)``)."""

    async def view(session: AsyncSession, record: Any) -> Any:
        return (await reads(session, [record]))[0]

    return view


async def present(view: View | None, session: AsyncSession, record: Any) -> Any:
    """``record`` as ``view`` answers it (``view(record)`` or ``await view(session, record)``)."""
    if view is None:
        return record
    if inspect.iscoroutinefunction(view):
        return await view(session, record)
    return view(record)


def _same(item: Any) -> Any:
    return item


def record_of(found: Any) -> Any:
    """The record a loader gave (the object of a ``Scoped`` or the like, or the record)."""
    return getattr(found, "obj", found)


def network_of(found: Any) -> Any:
    """The network whose languages a loaded record is served in (``Scoped.network``, or the
    network itself)."""
    return getattr(found, "network", found)


class ItemRoutes:
    """The routes of one record at ``path``, named ``{verb}_{label}``: ``found`` loads it
    live (``deleted``: deleted), ``caller`` is who writes, ``read`` the response model,
    ``view`` how it is answered (``view(record)``, or ``await view(session, record)``; the
    record itself by default), or ``viewer``: a dependency giving the caller's view."""

    def __init__(
        self,
        router: APIRouter,
        path: str,
        label: str,
        found: Any,
        caller: Any = None,
        *,
        read: Any = None,
        deleted: Any = None,
        view: View | None = None,
        translated: bool = False,
    ) -> None:
        self.router, self.path, self.label = router, path, label
        # Services that take the record itself rather than the loader's Scoped.
        self.unwrap = False
        # Human text in the network's languages: reads take ``Lang`` and answer in the
        # negotiated language; updates write in ``?lang=`` (``call(…, language=…)``).
        self.translated = translated
        # A dependency answering the request's view of a record (``viewer(record)``), where
        # the answer depends on who asks.
        self.viewer: Any = None
        self.found, self.caller, self.read, self.deleted, self.view = (
            found,
            caller,
            read,
            deleted,
            view,
        )

    def _arg(self, found: Any) -> Any:
        return record_of(found) if self.unwrap else found

    async def _answer(
        self, response: Response, session: AsyncSession, record: Any, viewer: Any = None
    ) -> Any:
        if viewer is not None:
            return viewer(tagged(response, record))
        return await present(self.view, session, tagged(response, record))

    def _with_viewer(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.viewer is not None:
            params["viewer"] = self.viewer
        return params

    async def _translated(
        self, lang: Any, served: Any, response: Response, session: AsyncSession, record: Any
    ) -> Any:
        """``record`` (its ``view``, when there is one) in the language ``served``."""
        tagged(response, record)
        if self.view is None:
            return lang.answer(served.read(self.read, record))
        made = await present(self.view, session, record)
        return lang.answer(served.read(self.read, record, made))

    def _add(
        self,
        method: str,
        verb: str,
        summary: str,
        params: dict[str, Any],
        run: Callable[..., Awaitable[Any]],
        *,
        suffix: str = "",
        **route: Any,
    ) -> None:
        name = route.pop("name", None) or f"{verb}_{self.label}"
        if method != "delete":
            route.setdefault("response_model", self.read)
        decorate = getattr(self.router, method)
        decorate(self.path + suffix, summary=summary, **route)(endpoint(name, params, run))

    def get(self, summary: str, *, caller: Any = None, **route: Any) -> None:
        """``GET path``: the record with its ETag (``caller``: who may read, where the
        loader's own caller is wider)."""

        async def run(
            found: Any,
            response: Response,
            session: AsyncSession,
            lang: Any = None,
            viewer: Any = None,
            **_: Any,
        ) -> Any:
            if self.translated:
                served = lang.read(network_of(found))
                return await self._translated(lang, served, response, session, record_of(found))
            return await self._answer(response, session, record_of(found), viewer)

        params = {"found": self.found, "response": Response, "session": SessionDep}
        if caller is not None:
            params["caller"] = caller
        self._with_viewer(params)
        if self.translated:
            params["lang"] = Lang
        route.setdefault("responses", responses.READ)
        self._add("get", "get", summary, params, run, **route)

    def update(self, summary: str, body: Any, call: Call, **route: Any) -> None:
        """``PATCH path``: ``call(…, data=body)`` under If-Match."""

        async def run(
            data: Any,
            found: Any,
            response: Response,
            session: AsyncSession,
            principal: Any,
            if_match: str | None,
            lang: Any = None,
        ) -> Any:
            check_if_match(if_match, record_of(found).version)
            if self.translated:
                served = lang.write(network_of(found))
                made = await call(
                    session, principal, self._arg(found), data=data, language=served.language
                )
                return await self._translated(lang, served, response, session, made)
            made = await call(session, principal, self._arg(found), data=data)
            return await self._answer(response, session, made)

        params: dict[str, Any] = {
            "data": body,
            "found": self.found,
            "response": Response,
            "session": SessionDep,
            "principal": self.caller,
        }
        if self.translated:
            params["lang"] = Lang
        params["if_match"] = (IfMatchHeader, None)
        route.setdefault("responses", responses.UPDATE)
        self._add("patch", "update", summary, params, run, **route)

    def delete(self, summary: str, call: Call, **route: Any) -> None:
        """``DELETE path``: ``call`` under If-Match; ``204``."""

        async def run(
            found: Any, session: AsyncSession, principal: Any, if_match: str | None
        ) -> None:
            check_if_match(if_match, record_of(found).version)
            await call(session, principal, self._arg(found))

        params = {
            "found": self.found,
            "session": SessionDep,
            "principal": self.caller,
            "if_match": (IfMatchHeader, None),
        }
        route.setdefault("responses", responses.DELETE)
        route.setdefault("status_code", status.HTTP_204_NO_CONTENT)
        self._add("delete", "delete", summary, params, run, **route)

    def action(
        self,
        verb: str,
        summary: str,
        call: Call,
        *,
        found: Any = None,
        body: Any = None,
        optional: bool = False,
        **route: Any,
    ) -> None:
        """``POST path/verb``: ``call`` on the record (``found``: another loader; ``body``:
        passed as ``data``, ``optional`` or not), answered as the record."""

        async def run(
            found: Any,
            response: Response,
            session: AsyncSession,
            principal: Any,
            viewer: Any = None,
            **data: Any,
        ) -> Any:
            made = await call(session, principal, self._arg(found), **data)
            return await self._answer(response, session, made, viewer)

        params: dict[str, Any] = self._with_viewer(
            {
                "found": found or self.found,
                "response": Response,
                "session": SessionDep,
                "principal": self.caller,
            }
        )
        if body is not None:
            params["data"] = (body | None, None) if optional else body
        route.setdefault("responses", responses.ACTION)
        self._add("post", verb, summary, params, run, suffix=f"/{verb}", **route)

    def restore(self, summary: str, call: Call, **route: Any) -> None:
        """``POST path/restore``: ``call`` on the deleted record."""
        self.action("restore", summary, call, found=self.deleted, **route)


def plural(label: str) -> str:
    """``opportunity`` -> ``opportunities``, ``session`` -> ``sessions``."""
    return label[:-1] + "ies" if label.endswith("y") else label + "s"


@dataclass
class Collection:
    """The routes of a collection at ``path`` below what ``scope`` loads (a network, a
    parent record): ``list`` (named ``list_{label}s``) and ``create`` (``create_{label}``);
    ``caller`` is who creates."""

    router: APIRouter
    path: str
    label: str
    scope: Any
    caller: Any = None

    def list(
        self,
        summary: str,
        query: Any,
        page: Any,
        call: Call,
        *,
        filters: Any = None,
        filters_first: bool = False,
        caller: Any = None,
        read: Callable[[Any], Any] | None = None,
        reads: Callable[[AsyncSession, list[Any]], Awaitable[list[Any]]] | None = None,
        translated: Any = None,
        lang_first: bool = True,
        **route: Any,
    ) -> None:
        """``GET path``: one page of ``await call(session, scope, params=…[, filters=…])``;
        ``filters`` is a model of query parameters (listed before the list parameters with
        ``filters_first``; ``caller``: who may list, where the scope's own caller is wider);
        items are made by ``read`` each, or ``await reads(session, rows)``, or (``translated``:
        the item model) read in the language the request negotiates with the scope's network (its
        ``lang`` parameter before the list parameters, or after them without ``lang_first``)."""

        async def run(
            scope: Any,
            session: AsyncSession,
            query: ListQuery,
            caller: Any = None,
            lang: Any = None,
            **extra: Any,
        ) -> Any:
            rows, next_cursor = await call(session, scope, params=query.params, **extra)
            if translated is not None:
                reader = lang.read(network_of(scope)).reader(translated)
                return lang.answer(query.page(page, (rows, next_cursor), reader))
            if reads is not None:
                return query.page(page, (await reads(session, rows), next_cursor), _same)
            return query.page(page, (rows, next_cursor), read)

        params: dict[str, Any] = {"scope": self.scope, "session": SessionDep}
        if caller is not None:
            params["caller"] = caller
        if filters is not None and filters_first:
            params["filters"] = Annotated[filters, Query()]
        if translated is not None and lang_first:
            params["lang"] = Lang
        params["query"] = query
        if translated is not None and not lang_first:
            params["lang"] = Lang
        if filters is not None and not filters_first:
            params["filters"] = Annotated[filters, Query()]
        route.setdefault("responses", NESTED_LIST)
        name = route.pop("name", None) or f"list_{plural(self.label)}"
        self.router.get(self.path, summary=summary, response_model=page, **route)(
            endpoint(name, params, run)
        )

    def create(
        self,
        summary: str,
        body: Any,
        call: Call,
        read: Any,
        *,
        location: str | None = None,
        view: View | None = None,
        **route: Any,
    ) -> None:
        """``POST path``: ``await call(session, principal, scope, data=body)``, answered
        ``201`` with its ETag and (``location``, formatted with ``id``) its ``Location``."""

        async def run(
            data: Any, scope: Any, response: Response, session: AsyncSession, principal: Any
        ) -> Any:
            made = await call(session, principal, scope, data=data)
            where = location.format(id=made.id) if location else None
            return await present(view, session, tagged(response, made, where))

        params = {
            "data": body,
            "scope": self.scope,
            "response": Response,
            "session": SessionDep,
            "principal": self.caller,
        }
        route.setdefault("responses", responses.CREATE)
        name = route.pop("name", None) or f"create_{self.label}"
        route.setdefault("status_code", status.HTTP_201_CREATED)
        self.router.post(self.path, summary=summary, response_model=read, **route)(
            endpoint(name, params, run)
        )
