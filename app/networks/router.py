"""Routes for networks."""

from typing import Annotated, Any

from fastapi import Query, Response, status

from app.auth.deps import CurrentUser
from app.core import responses
from app.core.db import SessionDep
from app.core.models import Id, columns_of
from app.core.resources import ListQuery, list_query, record_loader, tagged
from app.core.routes import Collection, ItemRoutes, api_router
from app.core.schemas import LINE_PATTERN
from app.networks import service
from app.networks.deps import DeletedNetwork, ValidNetwork
from app.networks.models import Network, NetworkLink
from app.networks.schemas import (
    ChairsForum,
    LinkFilters,
    NetworkCreate,
    NetworkKind,
    NetworkLinkCreate,
    NetworkLinkEnd,
    NetworkLinkPage,
    NetworkLinkRead,
    NetworkPage,
    NetworkRead,
    NetworkUpdate,
)

router = api_router(prefix="/networks", tags=["networks"])
links_router = api_router(tags=["networks"])

SORTS = {"name": Network.name, "created_at": Network.created_at, "updated_at": Network.updated_at}
NetworkList = Annotated[ListQuery, list_query(SORTS, Network.id)]


def read(network: Network) -> NetworkRead:
    return NetworkRead.model_validate({**columns_of(network), "ancestor_ids": network.ancestor_ids})


@router.get("", summary="List networks (the directory)", responses=responses.LIST)
async def list_networks(
    session: SessionDep,
    _: CurrentUser,
    query: NetworkList,
    kind: NetworkKind | None = None,
    parent_id: Annotated[Id | None, Query(description="Only children of this network.")] = None,
    q: Annotated[
        str | None, Query(max_length=200, pattern=LINE_PATTERN, description="Text in the name.")
    ] = None,
) -> NetworkPage:
    result = await service.list_networks(
        session, kind=kind, parent_id=parent_id, q=q, params=query.params
    )
    return query.page(NetworkPage, result, read)


@router.post(
    "", summary="Create a network", status_code=status.HTTP_201_CREATED, responses=responses.CREATE
)
async def create_network(
    data: NetworkCreate, response: Response, session: SessionDep, principal: CurrentUser
) -> NetworkRead:
    network = await service.create(session, principal, data=data)
    return read(tagged(response, network, f"/api/v1/networks/{network.id}"))


item = ItemRoutes(router, "/{network_id}", "network", ValidNetwork, CurrentUser, read=NetworkRead)
item.view, item.deleted = read, DeletedNetwork
item.get("Get a network's profile", caller=CurrentUser)
item.update("Update a network's profile", NetworkUpdate, service.update)
item.delete("Delete a network (restorable)", service.delete)
item.restore("Restore a deleted network", service.restore)


@router.get(
    "/{network_id}/children",
    summary="List a network's child networks",
    responses=responses.problems(400, 401, 404, 422),
)
async def list_network_children(
    query: NetworkList, network: ValidNetwork, session: SessionDep, _: CurrentUser
) -> NetworkPage:
    result = await service.list_networks(
        session, kind=None, parent_id=network.id, q=None, params=query.params
    )
    return query.page(NetworkPage, result, read)


@router.get(
    "/{network_id}/chairs-forum",
    summary="A network's chairs' forum: the chairs of its child networks, as they are now",
    responses=responses.READ,
)
async def get_network_chairs_forum(
    network: ValidNetwork, session: SessionDep, principal: CurrentUser
) -> ChairsForum:
    return ChairsForum.model_validate(await service.chairs_forum(session, principal, network))


# --- links: a network in several parents (alliances) -------------------------------------

LinkList = Annotated[ListQuery, list_query({"since": NetworkLink.since}, NetworkLink.id)]
LinkPath = Annotated[
    NetworkLink,
    record_loader(NetworkLink, label="network link", caller=CurrentUser, param="link_id"),
]


def read_link(row: Any) -> NetworkLinkRead:
    return NetworkLinkRead.model_validate(
        {
            **row.NetworkLink.model_dump(),
            "parent_name": row.parent_name,
            "child_name": row.child_name,
        }
    )


parents = Collection(router, "/{network_id}/parents", "network_parent", ValidNetwork)
parents.list(
    "List the parent networks (alliances) a network belongs to",
    LinkList,
    NetworkLinkPage,
    service.list_parents,
    filters=LinkFilters,
    read=read_link,
    responses=responses.problems(400, 401, 404, 422),
    caller=CurrentUser,
)


@router.post(
    "/{network_id}/parents",
    summary="Make a network a member of one more parent network (an alliance)",
    status_code=status.HTTP_201_CREATED,
    responses=responses.CREATE,
)
async def create_network_parent(
    data: NetworkLinkCreate,
    network: ValidNetwork,
    response: Response,
    session: SessionDep,
    principal: CurrentUser,
) -> NetworkLinkRead:
    row = await service.add_parent(session, principal, network, data=data)
    tagged(response, row.NetworkLink, f"/api/v1/network-links/{row.NetworkLink.id}")
    return read_link(row)


@links_router.get(
    "/network-links/{link_id}",
    summary="Get a network's membership of a parent network",
    responses=responses.READ,
)
async def get_network_link(
    link: LinkPath, response: Response, session: SessionDep
) -> NetworkLinkRead:
    assert link.id is not None
    row = await service.get_link_row(session, link.id)
    tagged(response, row.NetworkLink)
    return read_link(row)


@links_router.post(
    "/network-links/{link_id}/end",
    summary="End a network's membership of a parent network (kept as history)",
    responses=responses.ACTION,
)
async def end_network_link(
    link: LinkPath,
    response: Response,
    session: SessionDep,
    principal: CurrentUser,
    data: NetworkLinkEnd | None = None,
) -> NetworkLinkRead:
    row = await service.end_link(session, principal, link, until=data.until if data else None)
    tagged(response, row.NetworkLink)
    return read_link(row)
