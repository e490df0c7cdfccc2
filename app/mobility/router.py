"""Routes for the mobility register: opportunities, and counts (batches, lists, sums, CSV)."""

from typing import Annotated, Literal

from fastapi import Body, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import SkipValidation
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.deps import CurrentPrincipal, NetworkForRead, ValidNetwork
from app.core import responses
from app.core.db import SessionDep
from app.core.resources import ListParams, ListQuery, PageResult, list_query
from app.core.routes import NESTED_LIST, Collection, ItemRoutes, api_router
from app.core.state import app_state
from app.mobility import count_service, service
from app.mobility import measures as measures
from app.mobility.deps import DeletedOpportunity, ValidOpportunity
from app.mobility.models import MobilityCount, MobilityOpportunity
from app.mobility.schemas import (
    PERIOD_PATTERN,
    CountBatch,
    CountBatchResult,
    CountFilters,
    CountPage,
    CountSummary,
    MobilityMode,
    OpportunityCreate,
    OpportunityFilters,
    OpportunityPage,
    OpportunityRead,
    OpportunityUpdate,
    Participant,
)
from app.networks.models import Network

router = api_router(tags=["mobility"])

_GROUP = "(?:participant|mode|eqf_level|receiving_country|period)"
# Known names only (distinct ones: the service says so when one repeats).
GROUP_BY_PATTERN = rf"^(?:\s*{_GROUP}\s*(?:,\s*{_GROUP}\s*)*)?$"

OpportunityList = Annotated[
    ListQuery,
    list_query(
        {
            "title": MobilityOpportunity.title,
            "eqf_level": MobilityOpportunity.eqf_level,
            "closes_on": MobilityOpportunity.closes_on,
            "updated_at": MobilityOpportunity.updated_at,
        },
        MobilityOpportunity.id,
    ),
]
CountList = Annotated[
    ListQuery,
    list_query(
        {
            "period": MobilityCount.period,
            "count": MobilityCount.count,
            "updated_at": MobilityCount.updated_at,
        },
        MobilityCount.id,
    ),
]

ModeQuery = Annotated[MobilityMode | None, Query(description="Only this mode.")]
ParticipantQuery = Annotated[Participant | None, Query(description="Only staff or learners.")]
FromQuery = Annotated[
    str | None,
    Query(alias="from", pattern=PERIOD_PATTERN, description="First month, `YYYY-MM`."),
]
ToQuery = Annotated[
    str | None,
    Query(alias="to", pattern=PERIOD_PATTERN, description="Last month, `YYYY-MM` (included)."),
]
SummaryDescendantsQuery = Annotated[
    bool,
    Query(
        description="Also the counts of the network's descendant networks (default true, the "
        "default of the mobility_sum measure source too)."
    ),
]


def _filters(found: CountFilters) -> service.CountFilter:
    """The service's filter from the query's (months checked to be in order)."""
    start, end = service.period_range(found.period_from, found.period_to)
    given = found.model_dump(exclude={"period_from", "period_to"})
    return service.CountFilter(period_from=start, period_to=end, **given)


async def _opportunities(
    session: AsyncSession, network: Network, *, filters: OpportunityFilters, params: ListParams
) -> PageResult:
    return await service.list_opportunities(session, network, **filters.model_dump(), params=params)


async def _counts(
    session: AsyncSession, network: Network, *, filters: CountFilters, params: ListParams
) -> PageResult:
    return await service.list_counts(session, network, filters=_filters(filters), params=params)


# --- opportunities ------------------------------------------------------------------------


register = Collection(
    router, "/networks/{network_id}/mobility-opportunities", "network_mobility_opportunity", None
)
register.scope, register.caller = NetworkForRead, CurrentPrincipal
register.list(
    "List a network's register of mobility opportunities",
    OpportunityList,
    OpportunityPage,
    _opportunities,
    filters=OpportunityFilters,
)
register.create(
    "Add a mobility opportunity to the register",
    OpportunityCreate,
    service.create_opportunity,
    OpportunityRead,
    location="/api/v1/mobility-opportunities/{id}",
)
opportunity = ItemRoutes(
    router, "/mobility-opportunities/{opportunity_id}", "mobility_opportunity", ValidOpportunity
)
opportunity.caller, opportunity.read, opportunity.deleted = (
    CurrentPrincipal,
    OpportunityRead,
    DeletedOpportunity,
)
opportunity.get("Get a mobility opportunity")
opportunity.update("Update a mobility opportunity", OpportunityUpdate, service.update_opportunity)
opportunity.delete("Delete a mobility opportunity (restorable)", service.delete_opportunity)
opportunity.restore("Restore a deleted mobility opportunity", service.restore_opportunity)


# --- counts -------------------------------------------------------------------------------


@router.post(
    "/networks/{network_id}/mobility-counts",
    summary="Post a batch of mobility counts (upsert on the natural key)",
    description=(
        "Up to 5,000 counts in one all-or-nothing transaction. A count's key is (period, "
        "sending_org, receiving_org, participant, mode, eqf_level): posting a key again sets "
        "its count to the new value, so replaying a batch changes nothing. Organisations are "
        "given by id (an integer) or by Erasmus OID / PIC (a string). Any invalid record "
        "answers 422 naming every bad record (`loc: [body, records, i, field]`) and nothing "
        "is written. A key given twice in one batch: the last one wins; the answer's numbers "
        "count distinct keys. Service accounts with the `mobility:write` scope post to their "
        "own network; so do its chair, executives and facilitators."
    ),
    responses=responses.problems(400, 401, 403, 404, 409, 413, 422),
)
async def post_network_mobility_counts(
    batch: Annotated[SkipValidation[CountBatch], Body()],
    network: ValidNetwork,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> CountBatchResult:
    # The body is validated by the service in one pass with the organisation look-up, so a
    # 422 names every bad record at once (shape problems and unknown organisations alike).
    return await count_service.post_counts(session, principal, network, payload=batch)


counts = Collection(router, "/networks/{network_id}/mobility-counts", "network_mobility_count", 0)
counts.scope = NetworkForRead
counts.list(
    "List a network's mobility counts",
    CountList,
    CountPage,
    _counts,
    filters=CountFilters,
    read=service.count_read,
)


@router.get(
    "/networks/{network_id}/mobility-counts/summary",
    summary="Sums of a network's mobility counts, grouped",
    responses=NESTED_LIST,
)
async def summarise_network_mobility_counts(
    network: NetworkForRead,
    session: SessionDep,
    period_from: FromQuery = None,
    period_to: ToQuery = None,
    group_by: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=GROUP_BY_PATTERN,
            description="Comma-separated: participant, mode, eqf_level, receiving_country, period.",
            examples=["participant,mode"],
        ),
    ] = None,
    participant: ParticipantQuery = None,
    mode: ModeQuery = None,
    include_descendants: SummaryDescendantsQuery = service.INCLUDE_DESCENDANTS,
) -> CountSummary:
    filters = service.CountFilter(
        *service.period_range(period_from, period_to),
        participant=participant,
        mode=mode,
        include_descendants=include_descendants,
    )
    return await service.summary(
        session, network, filters=filters, group_by=service.group_by_param(group_by)
    )


@router.get(
    "/networks/{network_id}/mobility-counts/export",
    summary="Download a network's mobility counts as CSV",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "CSV, one count per line; the first columns are the record fields.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        },
        **NESTED_LIST,
    },
)
async def export_network_mobility_counts(
    request: Request,
    network: NetworkForRead,
    export_format: Annotated[
        Literal["csv"], Query(alias="format", description="Only `csv` for now.")
    ] = "csv",
    *,
    found: Annotated[CountFilters, Query()],
) -> StreamingResponse:
    filters = _filters(found)
    # Streamed after the request's transaction ends, so it reads in a session of its own.
    rows = service.export_csv(app_state(request).db, network, filters)
    filename = f"mobility-counts-network-{network.id}.csv"
    return StreamingResponse(
        rows,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
