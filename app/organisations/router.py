"""Routes for organisations and network memberships."""

from functools import partial
from typing import Annotated

from fastapi import Query, Response, status

from app.auth.deps import CurrentUser, NetworkForMembers, NetworkForRead, scoped
from app.auth.policy import Permission
from app.core import responses
from app.core.db import SessionDep
from app.core.resources import ListQuery, Scoped, list_query, record_loader, tagged
from app.core.routes import Collection, ItemRoutes, api_router
from app.core.schemas import LINE_PATTERN
from app.networks.models import Network
from app.organisations import service
from app.organisations.models import Membership, Organisation
from app.organisations.schemas import (
    MembershipCreate,
    MembershipEnd,
    MembershipFilters,
    MembershipPage,
    MembershipRead,
    OrganisationCreate,
    OrganisationKind,
    OrganisationPage,
    OrganisationRead,
    OrganisationUpdate,
)

router = api_router(prefix="/organisations", tags=["organisations"])
members_router = api_router(tags=["memberships"])

OrganisationList = Annotated[
    ListQuery,
    list_query(
        {
            "name": Organisation.name,
            "created_at": Organisation.created_at,
            "updated_at": Organisation.updated_at,
        },
        Organisation.id,
    ),
]
ValidOrganisation = Annotated[
    Organisation, record_loader(Organisation, label="organisation", caller=CurrentUser)
]
DeletedOrganisation = Annotated[
    Organisation,
    record_loader(Organisation, label="organisation", caller=CurrentUser, deleted=True),
]


@router.get("", summary="List organisations", responses=responses.LIST)
async def list_organisations(
    session: SessionDep,
    _: CurrentUser,
    query: OrganisationList,
    kind: OrganisationKind | None = None,
    country: Annotated[str | None, Query(pattern="^[A-Z]{2}$", description="ISO code.")] = None,
    local_authority: Annotated[
        str | None, Query(max_length=200, pattern=LINE_PATTERN, description="Exact match.")
    ] = None,
    q: Annotated[
        str | None,
        Query(max_length=200, pattern=LINE_PATTERN, description="Text in the name, or a code."),
    ] = None,
) -> OrganisationPage:
    result = await service.list_organisations(
        session,
        kind=kind,
        country=country,
        local_authority=local_authority,
        q=q,
        params=query.params,
    )
    return query.page(OrganisationPage, result)


@router.post(
    "",
    summary="Create an organisation",
    status_code=status.HTTP_201_CREATED,
    response_model=OrganisationRead,
    responses=responses.CREATE,
)
async def create_organisation(
    data: OrganisationCreate, response: Response, session: SessionDep, principal: CurrentUser
) -> Organisation:
    org = await service.create(session, principal, data=data)
    return tagged(response, org, f"/api/v1/organisations/{org.id}")


organisation = ItemRoutes(
    router, "/{organisation_id}", "organisation", ValidOrganisation, CurrentUser
)
organisation.read, organisation.deleted = OrganisationRead, DeletedOrganisation
organisation.get("Get an organisation", caller=CurrentUser)
organisation.update("Update an organisation", OrganisationUpdate, service.update)
delete, restore = (partial(service.set_deleted, deleted=d) for d in (True, False))
organisation.delete("Delete an organisation (restorable)", delete)
organisation.restore("Restore a deleted organisation", restore)


# --- memberships -------------------------------------------------------------------------

MembershipList = Annotated[
    ListQuery, list_query({"joined_on": Membership.joined_on}, Membership.id)
]
MembershipForRead = Annotated[
    Scoped[Membership, Network],
    scoped.loader(Membership, Permission.network_read, label="membership", caller=CurrentUser),
]


members = Collection(members_router, "/networks/{network_id}/members", "network_member", None)
members.scope = NetworkForRead
members.list(
    "List a network's member organisations",
    MembershipList,
    MembershipPage,
    service.list_members,
    filters=MembershipFilters,
)


@members_router.post(
    "/networks/{network_id}/members",
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
    return tagged(response, membership, f"/api/v1/memberships/{membership.id}")


membership = ItemRoutes(members_router, "/memberships/{membership_id}", "membership", None)
membership.found, membership.caller, membership.read = (
    MembershipForRead,
    CurrentUser,
    MembershipRead,
)
membership.get("Get a membership")
membership.action(
    "end",
    "End a membership (kept as history)",
    service.end_membership,
    body=MembershipEnd,
    optional=True,
)
