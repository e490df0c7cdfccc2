"""Routes for matching a cohort's schools into collaborative learning teams."""

from typing import Annotated

from fastapi import Query, Response, status

from app.auth.deps import CurrentPrincipal
from app.cohorts import matching_service as service
from app.cohorts.cohort_router import LIST_ERRORS
from app.cohorts.deps import ValidCohort, ValidProposal
from app.cohorts.models import MatchingProposal
from app.cohorts.schemas import (
    MatchingProposalPage,
    MatchingProposalRead,
    MatchingProposalStatus,
    MatchingRequest,
)
from app.core import responses
from app.core.db import SessionDep
from app.core.resources import ListQuery, list_query, tagged
from app.core.routes import api_router

router = api_router(tags=["communities"])

ProposalList = Annotated[ListQuery, list_query({}, MatchingProposal.id)]


@router.post(
    "/cohorts/{cohort_id}/matching",
    summary="Propose collaborative learning teams for a cohort's schools",
    status_code=status.HTTP_201_CREATED,
    responses=responses.CREATE,
)
async def create_cohort_matching(
    data: MatchingRequest,
    found: ValidCohort,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> MatchingProposalRead:
    proposal = await service.propose_matching(session, principal, found, data=data)
    tagged(response, proposal, f"/api/v1/cohorts/{found.obj.id}/matching/{proposal.id}")
    return service.proposal_read(proposal)


@router.get(
    "/cohorts/{cohort_id}/matching",
    summary="List a cohort's matching proposals",
    responses=LIST_ERRORS,
)
async def list_cohort_matchings(
    found: ValidCohort,
    session: SessionDep,
    proposal_status: Annotated[
        MatchingProposalStatus | None, Query(alias="status", description="Only this status.")
    ] = None,
    *,
    query: ProposalList,
) -> MatchingProposalPage:
    result = await service.list_proposals(
        session, found.obj, status=proposal_status, params=query.params
    )
    return query.page(MatchingProposalPage, result, read=service.proposal_read)


@router.get(
    "/cohorts/{cohort_id}/matching/{proposal_id}",
    summary="Get a matching proposal",
    responses=responses.READ,
)
async def get_cohort_matching(found: ValidProposal, response: Response) -> MatchingProposalRead:
    return service.proposal_read(tagged(response, found.obj))


@router.post(
    "/cohorts/{cohort_id}/matching/{proposal_id}/accept",
    summary="Accept a proposal: create its collaborative learning teams",
    responses=responses.ACTION,
)
async def accept_cohort_matching(
    found: ValidProposal,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> MatchingProposalRead:
    proposal = await service.accept_proposal(session, principal, found)
    return service.proposal_read(tagged(response, proposal))
