"""Matching a cohort's enrolled schools into collaborative learning teams (the algorithm is
``app/cohorts/matching.py``), and accepting a proposal: one community per team, its schools as
members. Writing is ``require_community_write`` on the cohort's network."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.policy import Principal
from app.cohorts import matching
from app.cohorts.models import Cohort, Enrolment, MatchingProposal
from app.cohorts.schemas import MatchingProposalRead, MatchingProposalStatus, MatchingRequest
from app.cohorts.scope import InCohort
from app.cohorts.service import FoundCohort
from app.communities.member_service import insert_member
from app.communities.schemas import CommunityKind, CommunityRole, CommunityStatus
from app.communities.service import insert_community, issue, today
from app.core.db import utcnow
from app.core.errors import Conflict, Unprocessable
from app.core.resources import ListParams, PageResult, audited_create, audited_update, fetch_page
from app.organisations.models import Organisation


async def _candidates(session: AsyncSession, cohort_id: int) -> list[matching.Candidate]:
    rows = await session.execute(
        select(
            col(Enrolment.organisation_id), col(Organisation.local_authority), col(Enrolment.topics)
        )
        .join(Organisation, col(Organisation.id) == col(Enrolment.organisation_id))
        .where(col(Enrolment.cohort_id) == cohort_id, col(Enrolment.withdrawn_on).is_(None))
        .order_by(col(Enrolment.organisation_id))
    )
    return [matching.Candidate.of(oid, la, topics or []) for oid, la, topics in rows.all()]


def _team_json(team: matching.Team) -> dict[str, Any]:
    return {
        "organisation_ids": list(team.organisation_ids),
        "score": team.score,
        "shared_topics": list(team.shared_topics),
        "local_authorities": list(team.local_authorities),
        "reasons": [
            {
                "organisation_id": p.organisation_id,
                "shared_topics": list(p.shared_topics),
                "reason": p.reason,
            }
            for p in team.placements
        ],
    }


def _summary_json(summary: matching.Summary) -> dict[str, Any]:
    return {
        "schools": summary.schools,
        "teams": summary.teams,
        "size_distribution": {str(k): v for k, v in summary.size_distribution.items()},
        "mean_topic_overlap": summary.mean_topic_overlap,
        "teams_with_shared_topic": summary.teams_with_shared_topic,
        "cross_authority_teams": summary.cross_authority_teams,
        "single_authority_teams": summary.single_authority_teams,
        "cross_authority_share": summary.cross_authority_share,
        "cross_authority_possible": summary.cross_authority_possible,
    }


def proposal_read(proposal: MatchingProposal) -> MatchingProposalRead:
    return MatchingProposalRead.model_validate(proposal, from_attributes=True)


def _only(
    candidates: list[matching.Candidate], cohort_id: int, wanted: list[int]
) -> list[matching.Candidate]:
    """The candidates named (422 for a school not enrolled, or named twice)."""
    enrolled = {c.organisation_id for c in candidates}
    unknown = sorted({i for i in wanted if i not in enrolled})
    if unknown:
        raise Unprocessable(
            f"not enrolled in cohort {cohort_id}: {unknown}",
            errors=[issue(["body", "organisation_ids"], "not an enrolled school", "not_enrolled")],
        )
    if len(set(wanted)) != len(wanted):
        raise Unprocessable(
            "organisation_ids lists a school twice",
            errors=[issue(["body", "organisation_ids"], "duplicate school", "duplicate")],
        )
    return [c for c in candidates if c.organisation_id in set(wanted)]


async def propose_matching(
    session: AsyncSession, principal: Principal, found: FoundCohort, *, data: MatchingRequest
) -> MatchingProposal:
    """Split the cohort's enrolled schools (or the ones named) into teams, as a proposal."""
    policy.require_community_write(principal, found.network)
    cohort_id = found.obj.id
    assert cohort_id is not None
    candidates = await _candidates(session, cohort_id)
    if data.organisation_ids is not None:
        candidates = _only(candidates, cohort_id, data.organisation_ids)
    try:
        result = matching.propose(candidates, data.min_size, data.max_size)
    except matching.MatchingError as exc:
        loc = ["path", "cohort_id"] if exc.field == "cohort" else ["body", exc.field]
        raise Unprocessable(exc.message, errors=[issue(loc, exc.message, exc.kind)]) from exc
    proposal = MatchingProposal(
        cohort_id=cohort_id,
        min_size=data.min_size,
        max_size=data.max_size,
        organisation_ids=[c.organisation_id for c in candidates],
        teams=[_team_json(t) for t in result.teams],
        summary=_summary_json(result.summary),
        created_by_user_id=principal.user_id,
    )
    return await audited_create(session, principal, proposal, network_id=found.network.id)


async def list_proposals(
    session: AsyncSession,
    cohort: Cohort,
    *,
    status: MatchingProposalStatus | None,
    params: ListParams,
) -> PageResult:
    stmt = select(MatchingProposal).where(col(MatchingProposal.cohort_id) == cohort.id)
    if status is not None:
        stmt = stmt.where(col(MatchingProposal.status) == status.value)
    return await fetch_page(session, stmt, params)


async def _check_acceptable(
    session: AsyncSession, proposal: MatchingProposal, cohort_id: int
) -> None:
    """409 when accepted already, or when a school is in an accepted team or not enrolled."""
    if proposal.status == MatchingProposalStatus.accepted:
        raise Conflict(f"matching proposal {proposal.id} has already been accepted")
    accepted = await session.scalars(
        select(MatchingProposal).where(
            col(MatchingProposal.cohort_id) == cohort_id,
            col(MatchingProposal.status) == MatchingProposalStatus.accepted.value,
        )
    )
    placed = {i for p in accepted.all() for i in p.organisation_ids}
    overlap = sorted(placed & set(proposal.organisation_ids))
    if overlap:
        raise Conflict(
            f"schools {overlap} are already in teams of an accepted proposal for this cohort"
        )
    enrolled = {c.organisation_id for c in await _candidates(session, cohort_id)}
    gone = sorted(set(proposal.organisation_ids) - enrolled)
    if gone:
        raise Conflict(
            f"schools {gone} are no longer enrolled; propose a new matching for the cohort"
        )


async def accept_proposal(
    session: AsyncSession, principal: Principal, found: InCohort[MatchingProposal]
) -> MatchingProposal:
    """Create one collaborative learning team per proposed team, its schools as members."""
    policy.require_community_write(principal, found.network)
    proposal, cohort = found.obj, found.cohort
    assert cohort.id is not None
    await _check_acceptable(session, proposal, cohort.id)
    start = today()
    status = CommunityStatus.active if cohort.launch_on <= start else CommunityStatus.forming
    community_ids = []
    for number, team in enumerate(proposal.teams, start=1):
        shared = ", ".join(team["shared_topics"])
        fields = {
            "kind": CommunityKind.collaborative_learning_team.value,
            "title": f"{cohort.name}: team {number}",
            "focus_area": shared[:300] or None,
            "purpose": f"Collaborative learning team of {cohort.name}, matched on shared enquiry "
            f"topics across local authorities (matching proposal {proposal.id}).",
            "status": status.value,
            "cohort_id": cohort.id,
        }
        community = await insert_community(session, principal, found.network, fields, [])
        for organisation_id in team["organisation_ids"]:
            member = {
                "organisation_id": organisation_id,
                "role": CommunityRole.member.value,
                "joined_on": max(start, cohort.launch_on),
            }
            await insert_member(session, principal, community, member)
        assert community.id is not None
        community_ids.append(community.id)
    changes = {
        "status": MatchingProposalStatus.accepted.value,
        "accepted_at": utcnow(),
        "accepted_by_user_id": principal.user_id,
        "community_ids": community_ids,
    }
    return await audited_update(
        session, principal, proposal, changes, network_id=found.network.id, action="accept"
    )
