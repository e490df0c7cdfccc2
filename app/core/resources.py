"""The resource kit: what every resource's routes share, written once.

A resource declares only what differs (its model, Read schema, sort keys, permission); the kit
gives it:

* ``list_query(sorts, id_column)`` — the list-parameters dependency (``sort`` as an enum in the
  schema, ``limit``, ``cursor``, ``updated_since``); services take its ``ListParams`` and call
  ``fetch_page``; the endpoint answers ``query.page(PageModel, result)`` (body, ``Link``).
* ``RecordRead`` / ``SoftDeleteRead`` — the record fields of every Read schema.
* ``audited_create`` / ``audited_update`` / ``audited_delete`` / ``audited_restore`` — the write,
  its snapshot and its audit event in one call (services); ``tagged`` sets the ETag (and
  ``Location``) on the response (routers).
* ``ScopeKit`` — "this object, its live network, and the permission the caller needs" in one
  statement, ``404`` when invisible; bound once (``app/networks/deps.py``) to the policy's
  ``authorize`` so core knows nothing of auth or of any domain.
"""

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Generic, TypeVar, get_args

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel, Field, WithJsonSchema
from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel

from app.core import audit, softdelete
from app.core.db import SessionDep, utcnow
from app.core.errors import Conflict, NotFound, Unprocessable
from app.core.models import path_id
from app.core.pagination import (
    DEFAULT_LIMIT,
    CursorQuery,
    LimitQuery,
    Page,
    Sort,
    SyncQuery,
    link_next,
    paginate,
    sort_from_param,
)
from app.core.versioning import set_etag

T = TypeVar("T")
M = TypeVar("M", bound=SQLModel)
N = TypeVar("N")
P = TypeVar("P", bound=Page[Any])

# --- lists --------------------------------------------------------------------------------

PageResult = tuple[list[Any], str | None]


@dataclass(frozen=True, slots=True)
class ListParams:
    """A list's order, page size, cursor and ``updated_since``: plain data for services."""

    sort: Sort
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    since: datetime | None = None


async def fetch_page(
    session: AsyncSession,
    stmt: Select[Any],
    params: ListParams,
    *,
    changed: Any = None,
    scalars: bool = True,
) -> PageResult:
    """One page of ``stmt`` as ``params`` ask (see ``app.core.pagination.paginate``)."""
    return await paginate(
        session,
        stmt,
        sort=params.sort,
        limit=params.limit,
        cursor=params.cursor,
        since=params.since,
        changed=changed,
        scalars=scalars,
    )


@dataclass(frozen=True, slots=True)
class ListQuery:
    """What a list endpoint receives: the parameters, and the page response helper."""

    params: ListParams
    request: Request
    response: Response

    def page(
        self, page_model: type[P], result: PageResult, read: Callable[[Any], Any] | None = None
    ) -> P:
        """The page body (items as ``read`` makes them, or validated from their attributes)
        and the ``Link`` header of the next page."""
        rows, next_cursor = result
        if read is None:
            item = get_args(page_model.model_fields["items"].annotation)[0]

            def read(row: Any) -> Any:
                return item.model_validate(row, from_attributes=True)

        link_next(self.request, self.response, next_cursor)
        return page_model(items=[read(r) for r in rows], next_cursor=next_cursor)


def sort_param(names: Sequence[str], default: str = "id") -> Any:
    """The ``sort`` query parameter over ``names`` (id last): its values an enum in the schema.
    Any other value is still the ``400`` of ``sort_from_param`` (clients rely on it)."""
    values = [v for name in names for v in (name, f"-{name}")]
    listed = ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else names[0]
    description = f"{listed}; prefix - to reverse."
    if default != "id":
        description += f" Default: {default}."
    schema = {"type": "string", "maxLength": 30, "enum": values}
    return Annotated[
        Annotated[str, WithJsonSchema(schema)] | None,
        Query(max_length=30, description=description),
    ]


def list_query(
    sorts: dict[str, Any], id_column: Any, *, default: str = "id", sortable: bool = True
) -> Any:
    """The list-parameters dependency (``Annotated[ListQuery, list_query(...)]``) of a
    resource sortable by ``sorts`` (name -> column) and id; a list that is not ``sortable``
    has its one order (``default``) and no ``sort``."""
    if not sortable:

        def fixed(
            request: Request,
            response: Response,
            limit: LimitQuery = DEFAULT_LIMIT,
            cursor: CursorQuery = None,
            since: SyncQuery = None,
        ) -> ListQuery:
            order = sort_from_param(None, {}, id_column, default)
            return ListQuery(ListParams(order, limit, cursor, since), request, response)

        return Depends(fixed)

    SortParam = sort_param([*sorts, "id"], default)

    def dependency(
        request: Request,
        response: Response,
        sort: SortParam = None,  # type: ignore[valid-type]
        limit: LimitQuery = DEFAULT_LIMIT,
        cursor: CursorQuery = None,
        since: SyncQuery = None,
    ) -> ListQuery:
        order = sort_from_param(sort, sorts, id_column, default)
        return ListQuery(ListParams(order, limit, cursor, since), request, response)

    return Depends(dependency)


# --- the record fields of every Read schema ---------------------------------------------------


class RecordRead(BaseModel):
    """id, version and timestamps: the fields every stored record shows."""

    id: int = Field(description="Id.")
    version: int = Field(description="Row version; send it back in If-Match.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")


class SoftDeleteRead(RecordRead):
    """A record that is deleted softly and can be restored."""

    deleted_at: datetime | None = Field(
        description="Set when deleted (restorable; a tombstone in `updated_since` lists)."
    )


# --- audited writes (services) and their ETag (routers) -------------------------------------


async def audited_create(
    session: AsyncSession, actor: audit.Actor, obj: M, *, network_id: int | None
) -> M:
    """Add ``obj`` and its ``create`` event (flushed: it has its id)."""
    session.add(obj)
    await audit.record(session, actor, action="create", obj=obj, network_id=network_id)
    return obj


async def audited_update(
    session: AsyncSession,
    actor: audit.Actor,
    obj: M,
    changes: dict[str, Any] | BaseModel,
    *,
    network_id: int | None,
    action: str = "update",
) -> M:
    """Apply ``changes`` (a dict, or a body's set fields) to ``obj`` and record ``action``
    with the snapshot from before."""
    if isinstance(changes, BaseModel):
        changes = changes.model_dump(exclude_unset=True)
    before = audit.snapshot(obj)
    obj.sqlmodel_update(changes)
    session.add(obj)
    await audit.record(session, actor, action=action, obj=obj, network_id=network_id, before=before)
    return obj


async def audited_delete(
    session: AsyncSession, actor: audit.Actor, obj: M, *, network_id: int | None
) -> M:
    """Soft-delete ``obj`` and record it."""
    await softdelete.soft_delete(session, actor, obj, network_id=network_id)
    return obj


async def audited_restore(
    session: AsyncSession, actor: audit.Actor, obj: M, *, network_id: int | None
) -> M:
    """Restore a soft-deleted ``obj`` and record it (flushed: its new version is known)."""
    await softdelete.restore(session, actor, obj, network_id=network_id)
    return obj


async def audited_end(
    session: AsyncSession,
    actor: audit.Actor,
    obj: M,
    *,
    until: datetime | None,
    ended_by_user_id: int | None,
    network_id: int | None,
    label: str,
) -> M:
    """End a span (``since``/``until``: a role, a link) at ``until`` or now, kept as history:
    409 when it has ended already, 422 for an end before its start; records ``end``."""
    now = utcnow()
    ended: datetime | None = getattr(obj, "until", None)
    if ended is not None and ended <= now:
        raise Conflict(f"{label} {getattr(obj, 'id', '')} has already ended")
    end = until or now
    if end < getattr(obj, "since", end):
        raise Unprocessable(
            f"a {label} cannot end before it started",
            errors=[
                {"loc": ["body", "until"], "msg": "before since", "type": "until_before_since"}
            ],
        )
    changes = {"until": end, "ended_by_user_id": ended_by_user_id}
    return await audited_update(session, actor, obj, changes, network_id=network_id, action="end")


def tagged(response: Response, obj: T, location: str | None = None) -> T:
    """``obj`` with its ``ETag`` (and ``Location`` for a creation) set on ``response``."""
    set_etag(response, obj.version)  # type: ignore[attr-defined]
    if location:
        response.headers["Location"] = location
    return obj


# --- loading path objects ----------------------------------------------------------------


def path_dependency(
    param: str, label: str, extra: dict[str, Any], load: Callable[..., Any]
) -> Callable[..., Any]:
    """A FastAPI dependency taking the path id ``param`` and the ``extra`` dependencies and
    answering ``await load(id, **extra)``: for loaders the kit's own do not cover."""

    async def dependency(**kwargs: Any) -> Any:
        return await load(kwargs.pop(param), **kwargs)

    parameters = [
        inspect.Parameter(
            param, inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[int, path_id(label)]
        ),
        *(
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation)
            for name, annotation in extra.items()
        ),
    ]
    dependency.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    return dependency


def _live(model: Any, deleted: bool) -> list[Any]:
    column = getattr(model, "deleted_at", None)
    if column is None:
        return []
    return [column.is_not(None) if deleted else column.is_(None)]


def _missing(label: str, obj_id: int, deleted: bool) -> NotFound:
    what = f"deleted {label}" if deleted else label
    return NotFound(f"{what} {obj_id} does not exist or is not visible to you")


async def load_record(
    session: AsyncSession, model: type[M], obj_id: int, *, label: str, deleted: bool = False
) -> M:
    """A live record by id (a deleted one with ``deleted``), or 404."""
    id_column: Any = model.id  # type: ignore[attr-defined]
    stmt: Any = select(model).where(id_column == obj_id, *_live(model, deleted))
    obj = await session.scalar(stmt)
    if obj is None:
        raise _missing(label, obj_id, deleted)
    return obj


def record_loader(
    model: type[M], *, label: str, caller: Any, deleted: bool = False, param: str | None = None
) -> Any:
    """A path dependency ``{label}_id`` -> the live record (``caller`` authenticates first):
    ``Annotated[Model, record_loader(Model, ...)]``."""

    async def load(obj_id: int, session: AsyncSession, caller: Any) -> M:
        return await load_record(session, model, obj_id, label=label, deleted=deleted)

    param = param or label.replace(" ", "_") + "_id"
    return Depends(path_dependency(param, label, {"session": SessionDep, "caller": caller}, load))


@dataclass(frozen=True, slots=True)
class Scoped(Generic[T, N]):
    """An object and the live network it belongs to."""

    obj: T
    network: N


class ScopeKit(Generic[N]):
    """Scoped loaders for objects that belong to a network, bound once to the network table,
    the caller dependency and the policy's ``authorize(principal, permission, network)``."""

    def __init__(
        self,
        *,
        network: type[N],
        principal: Any,
        authorize: Callable[[Any, Any, N], None],
    ) -> None:
        self.network = network
        self.principal = principal
        self.authorize = authorize

    async def load(
        self,
        session: AsyncSession,
        principal: Any,
        model: type[M],
        obj_id: int,
        *,
        permission: Any,
        label: str,
        network_id: Any = None,
        deleted: bool = False,
    ) -> Scoped[M, N]:
        """``model`` ``obj_id`` with its live network in one statement, if the caller holds
        ``permission`` there: 404 when missing, deleted or invisible, 403 when only visible."""
        network: Any = self.network
        link = network_id if network_id is not None else model.network_id  # type: ignore[attr-defined]
        stmt = (
            select(model, network)
            .join(network, network.id == link)
            .where(model.id == obj_id, network.deleted_at.is_(None), *_live(model, deleted))  # type: ignore[attr-defined]
        )
        row = (await session.execute(stmt)).first()
        if row is None:
            raise _missing(label, obj_id, deleted)
        found: Scoped[M, N] = Scoped(obj=row[0], network=row[1])
        self.authorize(principal, permission, found.network)
        return found

    def loader(
        self,
        model: type[M],
        permission: Any,
        *,
        label: str,
        network_id: Any = None,
        deleted: bool = False,
        param: str | None = None,
        caller: Any = None,
    ) -> Any:
        """A path dependency ``{label}_id`` -> ``Scoped[model, network]`` (see ``load``), used
        as ``Annotated[Scoped[Model, Network], scoped.loader(Model, ...)]``;
        ``caller`` narrows who may ask (the kit's principal dependency by default)."""

        async def load(obj_id: int, session: AsyncSession, principal: Any) -> Scoped[M, N]:
            return await self.load(
                session,
                principal,
                model,
                obj_id,
                permission=permission,
                label=label,
                network_id=network_id,
                deleted=deleted,
            )

        param = param or label.replace(" ", "_") + "_id"
        extra = {"session": SessionDep, "principal": caller or self.principal}
        return Depends(path_dependency(param, label, extra, load))


def path_loader(
    load: Callable[[AsyncSession, Any, int], Any],
    *,
    label: str,
    caller: Any,
    param: str | None = None,
) -> Any:
    """A path dependency ``{label}_id`` -> ``await load(session, principal, obj_id)``, for a
    domain whose objects hang below another (a community, a cohort) and whose scope function
    (its ``scope.py``) loads them with their parent and network in one statement."""

    async def dependency(obj_id: int, session: AsyncSession, principal: Any) -> Any:
        return await load(session, principal, obj_id)

    param = param or label.replace(" ", "_") + "_id"
    extra = {"session": SessionDep, "principal": caller}
    return Depends(path_dependency(param, label, extra, dependency))
