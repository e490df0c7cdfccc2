"""Routes for partnerships and partners' commitments (programmes are in ``app/programmes``)."""

from typing import Annotated

from fastapi import Response, status

from app.auth.deps import CurrentPrincipal, NetworkForRead
from app.core import responses
from app.core.db import SessionDep
from app.core.resources import ListQuery, list_query, tagged
from app.core.routes import NESTED_LIST, Collection, ItemRoutes, api_router
from app.partnerships import service
from app.partnerships.deps import DeletedPartnership, ValidCommitment, ValidPartnership
from app.partnerships.models import PartnerCommitment, Partnership
from app.partnerships.schemas import (
    CommitmentCreate,
    CommitmentPage,
    CommitmentRead,
    PartnershipCreate,
    PartnershipFilters,
    PartnershipPage,
    PartnershipRead,
    PartnershipUpdate,
    Renewal,
)

router = api_router(tags=["partnerships"])

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


partnerships = Collection(
    router, "/networks/{network_id}/partnerships", "network_partnership", NetworkForRead
)
partnerships.list(
    "List a network's partnerships with stakeholder organisations",
    PartnershipList,
    PartnershipPage,
    service.list_partnerships,
    filters=PartnershipFilters,
    filters_first=True,
    reads=service.partnership_reads,
)


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


partnership = ItemRoutes(
    router, "/partnerships/{partnership_id}", "partnership", ValidPartnership, CurrentPrincipal
)
partnership.read, partnership.view = PartnershipRead, service.partnership_view
partnership.deleted = DeletedPartnership
partnership.get("Get a partnership")
partnership.update("Update or end a partnership", PartnershipUpdate, service.update_partnership)
partnership.delete("Delete a partnership (restorable)", service.delete_partnership)
partnership.restore("Restore a deleted partnership", service.restore_partnership)
partnership.action(
    "renew",
    "Renew a partnership: move its review date forward (clears lapsed)",
    service.renew_partnership,
    body=Renewal,
)


# --- commitments --------------------------------------------------------------------------


@router.get(
    "/partnerships/{partnership_id}/commitments",
    summary="List a partner's roles in plan objectives and actions",
    responses=NESTED_LIST,
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


commitment = ItemRoutes(
    router, "/partner-commitments/{commitment_id}", "partner_commitment", ValidCommitment
)
commitment.caller = CurrentPrincipal
commitment.delete("Remove a partner's commitment", service.delete_commitment)
