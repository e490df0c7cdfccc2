"""Routes for communities themselves, and the plan actions they own or are responsible for."""

from typing import Annotated

from fastapi import Query, Response, status

from app.auth.deps import CurrentPrincipal, NetworkForRead
from app.communities import service
from app.communities.deps import DeletedCommunity, ValidCommunity
from app.communities.models import Community
from app.communities.schemas import (
    CommunityCreate,
    CommunityKind,
    CommunityPage,
    CommunityRead,
    CommunityStatus,
    CommunityUpdate,
    NetworkScope,
)
from app.communities.scope import InCommunity
from app.core import responses
from app.core.db import SessionDep
from app.core.i18n import Lang, Served
from app.core.models import Id
from app.core.resources import ListQuery, list_query, tagged
from app.core.routes import NESTED_LIST, api_router
from app.core.schemas import LINE_PATTERN
from app.core.versioning import IfMatchHeader, check_if_match
from app.plans.action_schemas import ActionPage
from app.plans.models import Action

router = api_router(tags=["communities"])

LIST_ERRORS = NESTED_LIST
CommunityList = Annotated[
    ListQuery,
    list_query(
        {"title": Community.title, "kind": Community.kind, "updated_at": Community.updated_at},
        Community.id,
    ),
]
ActionList = Annotated[
    ListQuery,
    list_query({"due_on": Action.due_on, "updated_at": Action.updated_at}, Action.id),
]


def _read(found: InCommunity[Community], served: Served | None = None) -> CommunityRead:
    participating = [n.id for n in found.participating if n.id is not None]
    return service.community_read(found.community, participating, served)


@router.get(
    "/networks/{network_id}/communities",
    summary="List the communities a network is home to or takes part in",
    responses=LIST_ERRORS,
)
async def list_network_communities(
    network: NetworkForRead,
    session: SessionDep,
    lang: Lang,
    scope: Annotated[
        NetworkScope,
        Query(description="home: at home here; participating: hosted elsewhere; all: both."),
    ] = NetworkScope.all,
    kind: Annotated[CommunityKind | None, Query(description="Only this kind.")] = None,
    community_status: Annotated[
        CommunityStatus | None, Query(alias="status", description="Only this status.")
    ] = None,
    cohort_id: Annotated[Id | None, Query(description="Only teams matched in this cohort.")] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, pattern=LINE_PATTERN, description="Text in title or focus."),
    ] = None,
    *,
    query: CommunityList,
) -> CommunityPage:
    rows, next_cursor = await service.list_communities(
        session,
        network,
        scope=scope,
        kind=kind,
        status=community_status,
        cohort_id=cohort_id,
        q=q,
        params=query.params,
    )
    # A community at home elsewhere is read in this network's negotiated language too (its
    # text falls back to its own default where that language has no translation).
    reads = await service.community_reads(session, rows, lang.read(network))
    return lang.answer(query.page(CommunityPage, (reads, next_cursor), read=lambda r: r))


@router.post(
    "/networks/{network_id}/communities",
    summary="Create a community at home in a network",
    status_code=status.HTTP_201_CREATED,
    responses=responses.CREATE,
)
async def create_network_community(
    data: CommunityCreate,
    network: NetworkForRead,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> CommunityRead:
    community, networks = await service.create_community(session, principal, network, data=data)
    tagged(response, community, f"/api/v1/communities/{community.id}")
    return service.community_read(community, networks)


@router.get("/communities/{community_id}", summary="Get a community", responses=responses.READ)
async def get_community(found: ValidCommunity, response: Response, lang: Lang) -> CommunityRead:
    tagged(response, found.community)
    return lang.answer(_read(found, lang.read(found.network)))


@router.patch(
    "/communities/{community_id}", summary="Update or close a community", responses=responses.UPDATE
)
async def update_community(
    data: CommunityUpdate,
    found: ValidCommunity,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    lang: Lang,
    if_match: IfMatchHeader = None,
) -> CommunityRead:
    check_if_match(if_match, found.community.version)
    served = lang.write(found.network)
    community, networks = await service.update_community(
        session, principal, found, data=data, language=served.language
    )
    tagged(response, community)
    return lang.answer(service.community_read(community, networks, served))


@router.delete(
    "/communities/{community_id}",
    summary="Delete a community (restorable)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses.DELETE,
)
async def delete_community(
    found: ValidCommunity,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> None:
    check_if_match(if_match, found.community.version)
    await service.delete_community(session, principal, found)


@router.post(
    "/communities/{community_id}/restore",
    summary="Restore a deleted community",
    responses=responses.ACTION,
)
async def restore_community(
    found: DeletedCommunity, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> CommunityRead:
    tagged(response, await service.restore_community(session, principal, found))
    return _read(found)


@router.get(
    "/communities/{community_id}/actions",
    summary="List the plan actions a community owns or is responsible for",
    responses=LIST_ERRORS,
)
async def list_community_actions(
    found: ValidCommunity, session: SessionDep, principal: CurrentPrincipal, query: ActionList
) -> ActionPage:
    result = await service.list_community_actions(session, principal, found, params=query.params)
    return query.page(ActionPage, result)
