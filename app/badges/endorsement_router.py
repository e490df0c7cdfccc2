"""Routes for endorsements of badges and of issuers (Open Badges 3.0
``EndorsementCredential``s); gathered into the badges router by ``app/badges/router.py``."""

from typing import Annotated

from fastapi import Request, Response, status

from app.auth.deps import CurrentPrincipal
from app.badges import endorsement_service
from app.badges.deps import ValidBadge, ValidEndorsement
from app.badges.endorsement_schemas import (
    EndorsementCreate,
    EndorsementPage,
    EndorsementRead,
    WithdrawBody,
)
from app.badges.endorsement_service import Subject
from app.badges.models import BadgeEndorsement
from app.badges.schemas import CredentialRead, Jwks
from app.core import responses
from app.core.db import SessionDep
from app.core.models import path_id
from app.core.resources import ListQuery, list_query, tagged
from app.core.routes import api_router
from app.core.state import app_state
from app.networks.deps import NetworkForRead

router = api_router(tags=["badges"])

EndorsementList = Annotated[
    ListQuery,
    list_query({"issued_at": BadgeEndorsement.issued_at}, BadgeEndorsement.id),
]


def _base(request: Request) -> str:
    return app_state(request).settings.jwt_issuer.rstrip("/")


async def _page(
    request: Request, session: SessionDep, query: ListQuery, subject: Subject
) -> EndorsementPage:
    """A page of the subject's endorsements (badge and issuer lists alike)."""
    result = await endorsement_service.list_endorsements(session, subject, params=query.params)
    base = _base(request)
    return query.page(
        EndorsementPage, result, lambda e: endorsement_service.read(e, subject.name, base)
    )


async def _endorse(
    request: Request,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    subject: Subject,
    data: EndorsementCreate,
) -> EndorsementRead:
    """Endorse the subject (badge and issuer alike): 201 with its Location and ETag."""
    made = await endorsement_service.endorse(
        session, principal, subject, app_state(request).settings, data=data
    )
    return tagged(response, made, f"/api/v1/endorsements/{made.id}")


@router.get(
    "/badges/{badge_id}/endorsements",
    summary="List a badge's endorsements (withdrawn ones too)",
    response_model=EndorsementPage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_badge_endorsements(
    found: ValidBadge, request: Request, session: SessionDep, query: EndorsementList
) -> EndorsementPage:
    return await _page(request, session, query, Subject(found.network, found.obj))


@router.post(
    "/badges/{badge_id}/endorsements",
    summary="Endorse a badge as a network or an organisation: issues a signed Open Badges 3.0 "
    "EndorsementCredential",
    status_code=status.HTTP_201_CREATED,
    response_model=EndorsementRead,
    responses=responses.CREATE,
)
async def endorse_badge(
    data: EndorsementCreate,
    request: Request,
    found: ValidBadge,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> EndorsementRead:
    return await _endorse(
        request, response, session, principal, Subject(found.network, found.obj), data
    )


@router.get(
    "/networks/{network_id}/endorsements",
    summary="List an issuer's (a badge network's) endorsements (withdrawn ones too)",
    response_model=EndorsementPage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_issuer_endorsements(
    network: NetworkForRead, request: Request, session: SessionDep, query: EndorsementList
) -> EndorsementPage:
    return await _page(request, session, query, Subject(network))


@router.post(
    "/networks/{network_id}/endorsements",
    summary="Endorse an issuer (a badge network) as another network or an organisation: "
    "issues a signed Open Badges 3.0 EndorsementCredential, carried by its later awards",
    status_code=status.HTTP_201_CREATED,
    response_model=EndorsementRead,
    responses=responses.CREATE,
)
async def endorse_issuer(
    data: EndorsementCreate,
    request: Request,
    network: NetworkForRead,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> EndorsementRead:
    return await _endorse(request, response, session, principal, Subject(network), data)


@router.get(
    "/endorsements/{endorsement_id}/credential",
    summary="The endorsement's EndorsementCredential and its VC-JWT",
    response_model=CredentialRead,
    responses=responses.READ,
)
async def get_endorsement_credential(found: ValidEndorsement, request: Request) -> CredentialRead:
    endorsement: BadgeEndorsement = found.obj
    return CredentialRead(
        credential=endorsement.credential,
        jwt=endorsement.credential_jwt,
        jwks_url=endorsement_service.jwks_url(_base(request), endorsement),
    )


@router.post(
    "/endorsements/{endorsement_id}/withdraw",
    summary="Withdraw an endorsement (it no longer verifies, nor goes into new awards)",
    response_model=EndorsementRead,
    responses=responses.ACTION,
)
async def withdraw_endorsement(
    data: WithdrawBody,
    request: Request,
    found: ValidEndorsement,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> EndorsementRead:
    made = await endorsement_service.withdraw(
        session, principal, found, _base(request), reason=data.reason
    )
    return tagged(response, made)


@router.get(
    "/organisations/{organisation_id}/jwks.json",
    summary="An endorsing organisation's public signing keys (JWKS; no sign-in)",
    response_model=Jwks,
    responses=responses.problems(404, 422),
)
async def get_organisation_jwks(
    organisation_id: Annotated[int, path_id("organisation")], session: SessionDep
) -> Jwks:
    return Jwks(keys=await endorsement_service.organisation_jwks(session, organisation_id))
