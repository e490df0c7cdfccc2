"""Routes for the mobility register: opportunities, and counts (batches, lists, sums, CSV)."""

from typing import Annotated, Literal

from fastapi import Body, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from pydantic import SkipValidation

from app.auth.deps import CurrentPrincipal, NetworkForRead, ValidNetwork
from app.core import responses
from app.core.db import SessionDep
from app.core.models import Id
from app.core.resources import ListQuery, list_query, tagged
from app.core.routes import NESTED_LIST, api_router
from app.core.schemas import LINE_PATTERN, Day
from app.core.state import app_state
from app.core.versioning import IfMatchHeader, check_if_match
from app.mobility import count_service, service
from app.mobility import measures as measures
from app.mobility.deps import DeletedOpportunity, ValidOpportunity
from app.mobility.models import MobilityCount, MobilityOpportunity
from app.mobility.schemas import (
    PERIOD_PATTERN,
    CountBatch,
    CountBatchResult,
    CountPage,
    CountSummary,
    MobilityMode,
    OpportunityCreate,
    OpportunityPage,
    OpportunityRead,
    OpportunityUpdate,
    Participant,
)

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
EqfQuery = Annotated[int | None, Query(ge=1, le=8, description="Only this EQF level.")]
FromQuery = Annotated[
    str | None,
    Query(alias="from", pattern=PERIOD_PATTERN, description="First month, `YYYY-MM`."),
]
ToQuery = Annotated[
    str | None,
    Query(alias="to", pattern=PERIOD_PATTERN, description="Last month, `YYYY-MM` (included)."),
]
DescendantsQuery = Annotated[
    bool, Query(description="Also the counts of the network's descendant networks.")
]
SummaryDescendantsQuery = Annotated[
    bool,
    Query(
        description="Also the counts of the network's descendant networks (default true, the "
        "default of the mobility_sum measure source too)."
    ),
]
OrganisationQuery = Annotated[
    Id | None, Query(description="Only counts this organisation sent or received.")
]
SendingQuery = Annotated[Id | None, Query(description="Only counts this organisation sent.")]
ReceivingQuery = Annotated[Id | None, Query(description="Only counts this organisation received.")]


def _filters(
    period_from: str | None,
    period_to: str | None,
    participant: Participant | None,
    mode: MobilityMode | None,
    eqf_level: int | None,
    organisation_id: int | None,
    sending_org_id: int | None,
    receiving_org_id: int | None,
    include_descendants: bool,
) -> service.CountFilter:
    start, end = service.period_range(period_from, period_to)
    return service.CountFilter(
        period_from=start,
        period_to=end,
        participant=participant,
        mode=mode,
        eqf_level=eqf_level,
        organisation_id=organisation_id,
        sending_org_id=sending_org_id,
        receiving_org_id=receiving_org_id,
        include_descendants=include_descendants,
    )


# --- opportunities ------------------------------------------------------------------------


@router.get(
    "/networks/{network_id}/mobility-opportunities",
    summary="List a network's register of mobility opportunities",
    responses=NESTED_LIST,
)
async def list_network_mobility_opportunities(
    network: NetworkForRead,
    session: SessionDep,
    query: OpportunityList,
    eqf_level: EqfQuery = None,
    mode: ModeQuery = None,
    participant: ParticipantQuery = None,
    organisation_id: Annotated[
        Id | None, Query(description="Only those this organisation offers.")
    ] = None,
    open_on: Annotated[
        Day | None, Query(description="Only those open for applications on this day.")
    ] = None,
    q: Annotated[
        str | None, Query(max_length=200, pattern=LINE_PATTERN, description="Text in the title.")
    ] = None,
) -> OpportunityPage:
    result = await service.list_opportunities(
        session,
        network,
        eqf_level=eqf_level,
        mode=mode,
        participant=participant,
        organisation_id=organisation_id,
        open_on=open_on,
        q=q,
        params=query.params,
    )
    return query.page(OpportunityPage, result)


@router.post(
    "/networks/{network_id}/mobility-opportunities",
    summary="Add a mobility opportunity to the register",
    status_code=status.HTTP_201_CREATED,
    response_model=OpportunityRead,
    responses=responses.CREATE,
)
async def create_network_mobility_opportunity(
    data: OpportunityCreate,
    network: NetworkForRead,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> MobilityOpportunity:
    opportunity = await service.create_opportunity(session, principal, network, data=data)
    return tagged(response, opportunity, f"/api/v1/mobility-opportunities/{opportunity.id}")


@router.get(
    "/mobility-opportunities/{opportunity_id}",
    summary="Get a mobility opportunity",
    response_model=OpportunityRead,
    responses=responses.READ,
)
async def get_mobility_opportunity(
    found: ValidOpportunity, response: Response
) -> MobilityOpportunity:
    return tagged(response, found.obj)


@router.patch(
    "/mobility-opportunities/{opportunity_id}",
    summary="Update a mobility opportunity",
    response_model=OpportunityRead,
    responses=responses.UPDATE,
)
async def update_mobility_opportunity(
    data: OpportunityUpdate,
    found: ValidOpportunity,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> MobilityOpportunity:
    check_if_match(if_match, found.obj.version)
    opportunity = await service.update_opportunity(session, principal, found, data=data)
    return tagged(response, opportunity)


@router.delete(
    "/mobility-opportunities/{opportunity_id}",
    summary="Delete a mobility opportunity (restorable)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=responses.DELETE,
)
async def delete_mobility_opportunity(
    found: ValidOpportunity,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> None:
    check_if_match(if_match, found.obj.version)
    await service.delete_opportunity(session, principal, found)


@router.post(
    "/mobility-opportunities/{opportunity_id}/restore",
    summary="Restore a deleted mobility opportunity",
    response_model=OpportunityRead,
    responses=responses.ACTION,
)
async def restore_mobility_opportunity(
    found: DeletedOpportunity,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> MobilityOpportunity:
    return tagged(response, await service.restore_opportunity(session, principal, found))


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


@router.get(
    "/networks/{network_id}/mobility-counts",
    summary="List a network's mobility counts",
    responses=NESTED_LIST,
)
async def list_network_mobility_counts(
    network: NetworkForRead,
    session: SessionDep,
    query: CountList,
    period_from: FromQuery = None,
    period_to: ToQuery = None,
    participant: ParticipantQuery = None,
    mode: ModeQuery = None,
    eqf_level: EqfQuery = None,
    organisation_id: OrganisationQuery = None,
    sending_org_id: SendingQuery = None,
    receiving_org_id: ReceivingQuery = None,
    include_descendants: DescendantsQuery = False,
) -> CountPage:
    filters = _filters(
        period_from,
        period_to,
        participant,
        mode,
        eqf_level,
        organisation_id,
        sending_org_id,
        receiving_org_id,
        include_descendants,
    )
    result = await service.list_counts(session, network, filters=filters, params=query.params)
    return query.page(CountPage, result, service.count_read)


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
    filters = _filters(
        period_from, period_to, participant, mode, None, None, None, None, include_descendants
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
    period_from: FromQuery = None,
    period_to: ToQuery = None,
    participant: ParticipantQuery = None,
    mode: ModeQuery = None,
    eqf_level: EqfQuery = None,
    organisation_id: OrganisationQuery = None,
    sending_org_id: SendingQuery = None,
    receiving_org_id: ReceivingQuery = None,
    include_descendants: DescendantsQuery = False,
) -> StreamingResponse:
    filters = _filters(
        period_from,
        period_to,
        participant,
        mode,
        eqf_level,
        organisation_id,
        sending_org_id,
        receiving_org_id,
        include_descendants,
    )
    # Streamed after the request's transaction ends, so it reads in a session of its own.
    rows = service.export_csv(app_state(request).db, network, filters)
    filename = f"mobility-counts-network-{network.id}.csv"
    return StreamingResponse(
        rows,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
