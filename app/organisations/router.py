"""Routes for organisations and network memberships."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from app.auth.deps import CurrentUser, NetworkForMembers, NetworkForRead
from app.auth.policy import Permission, authorize
from app.core import responses
from app.core.db import SessionDep
from app.core.errors import NotFound
from app.core.models import path_id
from app.core.pagination import CursorQuery, LimitQuery, SyncQuery, link_next, sort_from_param
from app.core.routing import CohesionRoute
from app.core.schemas import LINE_PATTERN
from app.core.versioning import IfMatchHeader, check_if_match, set_etag
from app.networks import service as network_service
from app.networks.models import Network
from app.organisations import service
from app.organisations.models import Membership, Organisation
from app.organisations.schemas import (
    MembershipCreate,
    MembershipEnd,
    MembershipPage,
    MembershipRead,
    OrganisationCreate,
    OrganisationKind,
    OrganisationPage,
    OrganisationRead,
    OrganisationUpdate,
)

router = APIRouter(prefix="/organisations", tags=["organisations"], route_class=CohesionRoute)
members_router = APIRouter(tags=["memberships"], route_class=CohesionRoute)

OrganisationIdPath = Annotated[int, path_id("organisation")]
MembershipIdPath = Annotated[int, path_id("membership")]
SORTS = {
    "name": Organisation.name,
    "created_at": Organisation.created_at,
    "updated_at": Organisation.updated_at,
}


async def valid_organisation(
    organisation_id: OrganisationIdPath, session: SessionDep, _: CurrentUser
) -> Organisation:
    return await service.get_or_404(session, organisation_id)


ValidOrganisation = Annotated[Organisation, Depends(valid_organisation)]


@router.get(
    "",
    operation_id="list_organisations",
    summary="List organisations",
    response_model=OrganisationPage,
    responses=responses.LIST,
)
async def list_organisations(
    request: Request,
    response: Response,
    session: SessionDep,
    _: CurrentUser,
    kind: OrganisationKind | None = None,
    country: Annotated[str | None, Query(pattern="^[A-Z]{2}$", description="ISO code.")] = None,
    local_authority: Annotated[
        str | None, Query(max_length=200, pattern=LINE_PATTERN, description="Exact match.")
    ] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, pattern=LINE_PATTERN, description="Text in the name, or a code."),
    ] = None,
    sort: Annotated[
        str | None,
        Query(
            max_length=30, description="name, created_at, updated_at or id; prefix - to reverse."
        ),
    ] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> OrganisationPage:
    order = sort_from_param(sort, SORTS, Organisation.id)
    items, next_cursor = await service.list_organisations(
        session,
        kind=kind,
        country=country,
        local_authority=local_authority,
        q=q,
        sort=order,
        limit=limit,
        cursor=cursor,
        since=since,
    )
    link_next(request, response, next_cursor)
    return OrganisationPage(
        items=[OrganisationRead.model_validate(o, from_attributes=True) for o in items],
        next_cursor=next_cursor,
    )


@router.post(
    "",
    operation_id="create_organisation",
    summary="Create an organisation",
    status_code=status.HTTP_201_CREATED,
    response_model=OrganisationRead,
    responses=responses.CREATE,
)
async def create_organisation(
    data: OrganisationCreate, response: Response, session: SessionDep, principal: CurrentUser
) -> Organisation:
    org = await service.create(session, principal, data=data)
    set_etag(response, org.version)
    response.headers["Location"] = f"/api/v1/organisations/{org.id}"
    return org


@router.get(
    "/{organisation_id}",
    operation_id="get_organisation",
    summary="Get an organisation",
    response_model=OrganisationRead,
    responses=responses.READ,
)
async def get_organisation(
    org: ValidOrganisation, response: Response, _: CurrentUser
) -> Organisation:
    set_etag(response, org.version)
    return org


@router.patch(
    "/{organisation_id}",
    operation_id="update_organisation",
    summary="Update an organisation",
    response_model=OrganisationRead,
    responses=responses.UPDATE,
)
async def update_organisation(
    data: OrganisationUpdate,
    org: ValidOrganisation,
    response: Response,
    session: SessionDep,
    principal: CurrentUser,
    if_match: IfMatchHeader = None,
) -> Organisation:
    check_if_match(if_match, org.version)
    org = await service.update(session, principal, org, data=data)
    set_etag(response, org.version)
    return org


@router.delete(
    "/{organisation_id}",
    operation_id="delete_organisation",
    summary="Delete an organisation (restorable)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses.DELETE,
)
async def delete_organisation(
    org: ValidOrganisation,
    session: SessionDep,
    principal: CurrentUser,
    if_match: IfMatchHeader = None,
) -> None:
    check_if_match(if_match, org.version)
    await service.set_deleted(session, principal, org, deleted=True)


@router.post(
    "/{organisation_id}/restore",
    operation_id="restore_organisation",
    summary="Restore a deleted organisation",
    response_model=OrganisationRead,
    responses=responses.ACTION,
)
async def restore_organisation(
    organisation_id: OrganisationIdPath,
    response: Response,
    session: SessionDep,
    principal: CurrentUser,
) -> Organisation:
    org = await service.get_or_404(session, organisation_id, deleted=True)
    org = await service.set_deleted(session, principal, org, deleted=False)
    set_etag(response, org.version)
    return org


# --- memberships -------------------------------------------------------------------------

MEMBER_SORTS = {"joined_on": Membership.joined_on}


@members_router.get(
    "/networks/{network_id}/members",
    operation_id="list_network_members",
    summary="List a network's member organisations",
    response_model=MembershipPage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_network_members(
    request: Request,
    response: Response,
    network: NetworkForRead,
    session: SessionDep,
    include_ended: Annotated[bool, Query(description="Include past members.")] = False,
    sort: Annotated[str | None, Query(max_length=30, description="joined_on or id.")] = None,
    limit: LimitQuery = 50,
    cursor: CursorQuery = None,
    since: SyncQuery = None,
) -> MembershipPage:
    order = sort_from_param(sort, MEMBER_SORTS, Membership.id)
    items, next_cursor = await service.list_members(
        session,
        network,
        include_ended=include_ended,
        sort=order,
        limit=limit,
        cursor=cursor,
        since=since,
    )
    link_next(request, response, next_cursor)
    return MembershipPage(
        items=[MembershipRead.model_validate(m, from_attributes=True) for m in items],
        next_cursor=next_cursor,
    )


@members_router.post(
    "/networks/{network_id}/members",
    operation_id="create_network_member",
    summary="Add an organisation to a network",
    status_code=status.HTTP_201_CREATED,
    response_model=MembershipRead,
    responses=responses.CREATE,
)
async def create_network_member(
    data: MembershipCreate,
    network: NetworkForMembers,
    response: Response,
    session: SessionDep,
    principal: CurrentUser,
) -> Membership:
    membership = await service.add_member(session, principal, network, data=data)
    set_etag(response, membership.version)
    response.headers["Location"] = f"/api/v1/memberships/{membership.id}"
    return membership


async def _membership(
    membership_id: MembershipIdPath, session: SessionDep, principal: CurrentUser
) -> tuple[Membership, Network]:
    membership = await session.get(Membership, membership_id)
    network = await network_service.get(session, membership.network_id) if membership else None
    if membership is None or network is None:
        raise NotFound(f"membership {membership_id} does not exist or is not visible to you")
    authorize(principal, Permission.network_read, network)
    return membership, network


MembershipWithNetwork = Annotated[tuple[Membership, Network], Depends(_membership)]


@members_router.get(
    "/memberships/{membership_id}",
    operation_id="get_membership",
    summary="Get a membership",
    response_model=MembershipRead,
    responses=responses.READ,
)
async def get_membership(found: MembershipWithNetwork, response: Response) -> Membership:
    membership, _ = found
    set_etag(response, membership.version)
    return membership


@members_router.post(
    "/memberships/{membership_id}/end",
    operation_id="end_membership",
    summary="End a membership (kept as history)",
    response_model=MembershipRead,
    responses=responses.ACTION,
)
async def end_membership(
    found: MembershipWithNetwork,
    response: Response,
    session: SessionDep,
    principal: CurrentUser,
    data: MembershipEnd | None = None,
) -> Membership:
    membership, network = found
    membership = await service.end_membership(
        session, principal, membership, network, left_on=data.left_on if data else None
    )
    set_etag(response, membership.version)
    return membership
