"""Path-object loaders for cohorts, enrolments and matching proposals (FastAPI dependencies):
a cohort through the resource kit's ``scoped`` loader, what is inside one through
``app/cohorts/scope.py``; who may see and do what is in ``app/auth/policy.py``."""

from typing import Annotated, Any

from fastapi import Depends

from app.auth.deps import CurrentPrincipal, scoped
from app.auth.policy import Permission
from app.cohorts.models import Cohort, Enrolment, MatchingProposal
from app.cohorts.scope import InCohort, load_in_cohort
from app.core.db import SessionDep
from app.core.models import path_id
from app.core.resources import Scoped, path_loader
from app.networks.models import Network


async def _enrolment(session: Any, principal: Any, obj_id: int) -> InCohort[Enrolment]:
    return await load_in_cohort(session, principal, Enrolment, obj_id, "enrolment")


async def valid_proposal(
    principal: CurrentPrincipal,
    session: SessionDep,
    cohort_id: Annotated[int, path_id("cohort")],
    proposal_id: Annotated[int, path_id("matching proposal")],
) -> InCohort[MatchingProposal]:
    return await load_in_cohort(
        session, principal, MatchingProposal, proposal_id, "matching proposal", cohort_id=cohort_id
    )


ValidCohort = Annotated[
    Scoped[Cohort, Network], scoped.loader(Cohort, Permission.network_read, label="cohort")
]
DeletedCohort = Annotated[
    Scoped[Cohort, Network],
    scoped.loader(Cohort, Permission.network_read, label="cohort", deleted=True),
]
ValidEnrolment = Annotated[
    InCohort[Enrolment], path_loader(_enrolment, label="enrolment", caller=CurrentPrincipal)
]
ValidProposal = Annotated[InCohort[MatchingProposal], Depends(valid_proposal)]
