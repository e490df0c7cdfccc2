"""Routes for partnerships and partners' commitments (programmes are in ``app/programmes``)."""

from typing import Annotated

from fastapi import Query, Response, status

from app.auth.deps import CurrentPrincipal, NetworkForRead
from app.core import responses
from app.core.db import SessionDep
from app.core.resources import ListQuery, list_query, tagged
from app.core.routes import api_router
from app.core.versioning import IfMatchHeader, check_if_match
from app.partnerships import service
from app.partnerships.deps import DeletedPartnership, ValidCommitment, ValidPartnership
from app.partnerships.models import PartnerCommitment, Partnership
from app.partnerships.schemas import (
    CommitmentCreate,
    CommitmentPage,
    CommitmentRead,
    PartnershipCreate,
    PartnershipPage,
    PartnershipRead,
    PartnershipStatus,
    PartnershipUpdate,
    Purpose,
    Renewal,
    Scope,
    Sector,
)

router = api_router(tags=["partnerships"])

LIST_ERRORS = responses.problems(400, 401, 403, 404, 422)
PartnershipList = Annotated[
    ListQuery,
    list_query(
        {
            "start_on": Partnership.start_on,
            "review_on": Partnership.review_on,
            "updated_at": Partnership.updated_at,
        },
        Partnership.id,
    ),
]
CommitmentList = Annotated[ListQuery, list_query({}, PartnerCommitment.id, sortable=False)]


# --- partnerships -------------------------------------------------------------------------


@router.get(
    "/networks/{network_id}/partnerships",
    summary="List a network's partnerships with stakeholder organisations",
    responses=LIST_ERRORS,
)
async def list_network_partnerships(
    network: NetworkForRead,
    session: SessionDep,
    partnership_status: Annotated[
        PartnershipStatus | None,
        Query(
            alias="status",
            description="Only this status as of today (ended: also active and past its end "
            "date; lapsed: active and past its review date).",
        ),
    ] = None,
    sector: Annotated[Sector | None, Query(description="Only this sector.")] = None,
    scope: Annotated[Scope | None, Query(description="Only this scope.")] = None,
    purpose: Annotated[Purpose | None, Query(description="Only those with this purpose.")] = None,
    *,
    query: PartnershipList,
) -> PartnershipPage:
    items, next_cursor = await service.list_partnerships(
        session,
        network,
        status=partnership_status,
        sector=sector,
        scope=scope,
        purpose=purpose,
        params=query.params,
    )
    reads = await service.partnership_reads(session, items)
    return query.page(PartnershipPage, (reads, next_cursor), lambda read: read)


@router.post(
    "/networks/{network_id}/partnerships",
    summary="Record a network's partnership with a stakeholder organisation",
    status_code=status.HTTP_201_CREATED,
    responses=responses.CREATE,
)
async def create_network_partnership(
    data: PartnershipCreate,
    network: NetworkForRead,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> PartnershipRead:
    made, kind = await service.create_partnership(session, principal, network, data=data)
    tagged(response, made, f"/api/v1/partnerships/{made.id}")
    return service.partnership_read(made, kind)


@router.get("/partnerships/{partnership_id}", summary="Get a partnership", responses=responses.READ)
async def get_partnership(
    found: ValidPartnership, response: Response, session: SessionDep
) -> PartnershipRead:
    return tagged(response, await service.partnership_view(session, found.obj))


@router.patch(
    "/partnerships/{partnership_id}",
    summary="Update or end a partnership",
    responses=responses.UPDATE,
)
async def update_partnership(
    data: PartnershipUpdate,
    found: ValidPartnership,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> PartnershipRead:
    check_if_match(if_match, found.obj.version)
    made = await service.update_partnership(session, principal, found, data=data)
    return tagged(response, await service.partnership_view(session, made))


@router.delete(
    "/partnerships/{partnership_id}",
    summary="Delete a partnership (restorable)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses.DELETE,
)
async def delete_partnership(
    found: ValidPartnership,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> None:
    check_if_match(if_match, found.obj.version)
    await service.delete_partnership(session, principal, found)


@router.post(
    "/partnerships/{partnership_id}/restore",
    summary="Restore a deleted partnership",
    responses=responses.ACTION,
)
async def restore_partnership(
    found: DeletedPartnership,
    session: SessionDep,
    principal: CurrentPrincipal,
    response: Response,
) -> PartnershipRead:
    made = await service.restore_partnership(session, principal, found)
    return tagged(response, await service.partnership_view(session, made))


@router.post(
    "/partnerships/{partnership_id}/renew",
    summary="Renew a partnership: move its review date forward (clears lapsed)",
    responses=responses.ACTION,
)
async def renew_partnership(
    data: Renewal,
    found: ValidPartnership,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> PartnershipRead:
    made = await service.renew_partnership(session, principal, found, data=data)
    return tagged(response, await service.partnership_view(session, made))


# --- commitments --------------------------------------------------------------------------


@router.get(
    "/partnerships/{partnership_id}/commitments",
    summary="List a partner's roles in plan objectives and actions",
    responses=LIST_ERRORS,
)
async def list_partner_commitments(
    found: ValidPartnership, session: SessionDep, query: CommitmentList
) -> CommitmentPage:
    items, next_cursor = await service.list_commitments(session, found, params=query.params)
    reads = await service.commitment_reads(session, items)
    return query.page(CommitmentPage, (reads, next_cursor), lambda read: read)


@router.post(
    "/partnerships/{partnership_id}/commitments",
    summary="Record a partner's role in a plan objective or action",
    status_code=status.HTTP_201_CREATED,
    responses=responses.CREATE,
)
async def create_partner_commitment(
    data: CommitmentCreate,
    found: ValidPartnership,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> CommitmentRead:
    made = await service.create_commitment(session, principal, found, data=data)
    tagged(response, made)
    return (await service.commitment_reads(session, [made]))[0]


@router.delete(
    "/partner-commitments/{commitment_id}",
    summary="Remove a partner's commitment",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses.DELETE,
)
async def delete_partner_commitment(
    found: ValidCommitment,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> None:
    check_if_match(if_match, found.obj.version)
    await service.delete_commitment(session, principal, found)
