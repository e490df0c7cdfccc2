"""Routes for badge-network proposals, badges, awards, credentials, JWKS and verification."""

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import Depends, Path, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import policy
from app.auth.deps import CurrentPrincipal, NetworkForRead
from app.auth.policy import Principal
from app.badges import (  # noqa: F401
    credentials,
    endorsement_router,
    keys,
    measures,
    proposal_service,
    service,
    share,
    share_router,
)
from app.badges.deps import ValidAward, ValidBadge, ValidProposal
from app.badges.models import Badge, BadgeAward, BadgeProposal
from app.badges.schemas import (
    AwardCreate,
    AwardPage,
    AwardRead,
    BadgeCreate,
    BadgePage,
    BadgeProposalCreate,
    BadgeProposalPage,
    BadgeProposalRead,
    BadgeProposalStatus,
    BadgeProposalUpdate,
    BadgeRead,
    BadgeUpdate,
    Completeness,
    CredentialRead,
    Jwks,
    RecipientCheck,
    RejectBody,
    RevokeBody,
    VerificationRead,
    VerifyBody,
)
from app.core import responses
from app.core.db import SessionDep
from app.core.errors import NotFound
from app.core.models import path_id
from app.core.resources import ListQuery, Scoped, list_query, tagged
from app.core.routes import Collection, ItemRoutes, api_router
from app.core.routing import route_options
from app.core.state import AppState, app_state, app_state_dependency
from app.networks import service as network_service
from app.networks.models import Network

router = api_router(tags=["badges"])

ProposalList = Annotated[
    ListQuery,
    list_query(
        {"updated_at": BadgeProposal.updated_at, "name": BadgeProposal.name}, BadgeProposal.id
    ),
]
BadgeList = Annotated[
    ListQuery, list_query({"name": Badge.name, "updated_at": Badge.updated_at}, Badge.id)
]
AwardList = Annotated[ListQuery, list_query({"issued_at": BadgeAward.issued_at}, BadgeAward.id)]


def award_read(
    award: BadgeAward, principal: Principal, found: Scoped[Any, Network], request: Request
) -> AwardRead:
    """The award; the earner's email only for those who may award the network's badges."""
    email = (
        award.recipient_email if policy.may_see_recipient_email(principal, found.network) else None
    )
    return AwardRead.model_validate(
        {
            **award.model_dump(),
            "credential_uuid": credentials.credential_uuid(award.credential_id),
            "recipient_hash": award.identity_hash,
            "recipient_email": email,
            "share_url": credentials.share_url(
                app_state(request).settings.jwt_issuer, award.share_token
            ),
        }
    )


# --- proposals ----------------------------------------------------------------------------


@router.get(
    "/badge-onboarding",
    summary="List badge-network proposals (own, or under networks you chair)",
    response_model=BadgeProposalPage,
    responses=responses.LIST,
)
async def list_badge_proposals(
    session: SessionDep,
    principal: CurrentPrincipal,
    query: ProposalList,
    proposal_status: Annotated[
        BadgeProposalStatus | None, Query(alias="status", description="Only this status.")
    ] = None,
) -> BadgeProposalPage:
    result = await proposal_service.list_proposals(
        session, principal, status=proposal_status, params=query.params
    )
    return query.page(BadgeProposalPage, result)


@router.post(
    "/badge-onboarding",
    summary="Draft a badge-network proposal (any section may be left for later)",
    status_code=status.HTTP_201_CREATED,
    response_model=BadgeProposalRead,
    responses=responses.CREATE,
)
async def create_badge_proposal(
    data: BadgeProposalCreate, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> BadgeProposal:
    proposal = await proposal_service.create_proposal(session, principal, data=data)
    tagged(response, proposal, f"/api/v1/badge-onboarding/{proposal.id}")
    return proposal


proposal = ItemRoutes(
    router, "/badge-onboarding/{proposal_id}", "badge_proposal", ValidProposal, CurrentPrincipal
)
proposal.read = BadgeProposalRead
proposal.get("Get a badge-network proposal")
proposal.update(
    "Fill or change sections of a draft proposal",
    BadgeProposalUpdate,
    proposal_service.update_proposal,
)


@router.get(
    "/badge-onboarding/{proposal_id}/completeness",
    summary="Which required sections are still empty",
    response_model=Completeness,
    responses=responses.READ,
)
async def get_badge_proposal_completeness(found: ValidProposal) -> Completeness:
    return proposal_service.completeness(found.proposal)


proposal.action("submit", "Submit a complete draft for approval", proposal_service.submit_proposal)


@router.post(
    "/badge-onboarding/{proposal_id}/approve",
    summary="Approve: create the badge network, its chair, sub-groups and plan",
    response_model=BadgeProposalRead,
    responses=responses.ACTION,
)
async def approve_badge_proposal(
    found: ValidProposal,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    state: Annotated[AppState, Depends(app_state_dependency)],
) -> BadgeProposal:
    proposal = await proposal_service.approve_proposal(session, state.settings, principal, found)
    tagged(response, proposal)
    return proposal


def with_reason(call: Any) -> Any:
    """``call(session, principal, found, reason=…)`` answering a body with a ``reason``."""

    async def run(session: AsyncSession, principal: Principal, found: Any, *, data: Any) -> Any:
        return await call(session, principal, found, reason=data.reason)

    return run


proposal.action(
    "reject",
    "Reject a submitted proposal, with a reason",
    with_reason(proposal_service.reject_proposal),
    body=RejectBody,
)
proposal.action("reopen", "Return a rejected proposal to draft", proposal_service.reopen_proposal)


# --- badges -------------------------------------------------------------------------------

badges = Collection(
    router, "/networks/{network_id}/badges", "network_badge", NetworkForRead, CurrentPrincipal
)
badges.list(
    "List a badge network's badges", BadgeList, BadgePage, service.list_badges, translated=BadgeRead
)
badges.create(
    "Create a badge (chair or executive of the badge network)",
    BadgeCreate,
    service.create_badge,
    BadgeRead,
    location="/api/v1/badges/{id}",
)

badge = ItemRoutes(router, "/badges/{badge_id}", "badge", ValidBadge, CurrentPrincipal)
badge.read, badge.translated = BadgeRead, True
badge.get("Get a badge")
badge.update("Update a badge", BadgeUpdate, service.update_badge)


# --- awards -------------------------------------------------------------------------------


@router.get(
    "/badges/{badge_id}/awards",
    summary="List a badge's awards",
    response_model=AwardPage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_badge_awards(
    found: ValidBadge,
    request: Request,
    session: SessionDep,
    principal: CurrentPrincipal,
    query: AwardList,
) -> AwardPage:
    result = await service.list_awards(session, found.obj, params=query.params)
    return query.page(AwardPage, result, lambda a: award_read(a, principal, found, request))


@router.post(
    "/badges/{badge_id}/awards",
    summary="Award a badge: issues a signed Open Badges 3.0 credential",
    status_code=status.HTTP_201_CREATED,
    response_model=AwardRead,
    responses=responses.CREATE,
)
async def award_badge(
    data: AwardCreate,
    request: Request,
    found: ValidBadge,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> AwardRead:
    award = await service.award_badge(
        session, principal, found, app_state(request).settings, data=data
    )
    tagged(response, award, f"/api/v1/awards/{award.id}")
    return award_read(award, principal, found, request)


def award_viewer(
    found: ValidAward, request: Request, principal: CurrentPrincipal
) -> Callable[[BadgeAward], AwardRead]:
    """The caller's view of an award of the loaded award's network (see ``award_read``)."""
    return lambda award: award_read(award, principal, found, request)


award = ItemRoutes(router, "/awards/{award_id}", "award", ValidAward, CurrentPrincipal)
award.read, award.viewer = AwardRead, Annotated[Any, Depends(award_viewer)]
award.get("Get an award", caller=CurrentPrincipal)


@router.get(
    "/awards/{award_id}/credential",
    summary="The award's OpenBadgeCredential and its VC-JWT",
    response_model=CredentialRead,
    responses=responses.READ,
)
async def get_award_credential(found: ValidAward, request: Request) -> CredentialRead:
    award: BadgeAward = found.obj
    base = app_state(request).settings.jwt_issuer.rstrip("/")
    return CredentialRead(
        credential=award.credential,
        jwt=award.credential_jwt,
        jwks_url=f"{base}/api/v1/networks/{award.network_id}/jwks.json",
    )


award.action(
    "revoke",
    "Revoke an award (verification fails from now on)",
    with_reason(service.revoke_award),
    body=RevokeBody,
)
award.action(
    "share-token",
    "Replace the award's share link (the old link stops working)",
    share.replace_token,
    name="replace_award_share_token",
)


@router.post(
    "/awards/{award_id}/share-link",
    summary="Replace your own award's share link (the earner; the old link stops working)",
    response_model=AwardRead,
    responses=responses.ACTION,
)
async def replace_my_award_share_link(
    award_id: Annotated[int, path_id("award")],
    request: Request,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> AwardRead:
    found = await share.replace_own_token(session, principal, award_id)
    tagged(response, found.obj)
    return award_read(found.obj, principal, found, request)


# --- public: verification and keys ---------------------------------------------------------


@router.get(
    "/awards/{award_id}/verify",
    summary="Verify an award's credential, by award id (for those who read the award)",
    response_model=VerificationRead,
    responses=responses.READ,
)
async def verify_award(
    found: ValidAward, request: Request, session: SessionDep
) -> VerificationRead:
    """Award ids are sequential, so this needs a sign-in and read access to the issuing
    network; anyone else verifies by the credential's UUID."""
    award: BadgeAward = found.obj
    return await service.verify_token(session, award.credential_jwt, app_state(request).settings)


CredentialUUIDPath = Annotated[
    str,
    Path(
        min_length=36,
        max_length=36,
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        description="The credential's UUID: its id (`urn:uuid:…`) without the prefix.",
    ),
]


@router.get(
    "/credentials/{credential_uuid}/verify",
    summary="Verify a credential by its UUID (no sign-in; never shows the email)",
    response_model=VerificationRead,
    responses=responses.problems(404, 422),
)
async def verify_credential_by_uuid(
    credential_uuid: CredentialUUIDPath, request: Request, session: SessionDep
) -> VerificationRead:
    award = await service.award_by_credential_uuid(session, UUID(credential_uuid))
    return await service.verify_token(session, award.credential_jwt, app_state(request).settings)


@router.post(
    "/credentials/{credential_uuid}/verify",
    summary="Verify a credential by its UUID and whether it was issued to an email (no sign-in)",
    response_model=VerificationRead,
    responses=responses.problems(400, 404, 413, 422),
)
@route_options(idempotent=False, write=False)
async def verify_credential_recipient(
    credential_uuid: CredentialUUIDPath,
    data: RecipientCheck,
    request: Request,
    session: SessionDep,
) -> VerificationRead:
    """The email travels in the body (not the URL, which logs keep); the answer is
    ``recipient_matches``, computed with the credential's salt, which is never sent."""
    award = await service.award_by_credential_uuid(session, UUID(credential_uuid))
    return await service.verify_token(
        session, award.credential_jwt, app_state(request).settings, email=data.email
    )


@router.post(
    "/credentials/verify",
    summary="Verify any VC-JWT issued here (no sign-in)",
    response_model=VerificationRead,
    responses=responses.problems(400, 413, 422),
)
@route_options(idempotent=False, write=False)
async def verify_credential(
    data: VerifyBody, request: Request, session: SessionDep
) -> VerificationRead:
    return await service.verify_token(
        session, data.jwt, app_state(request).settings, email=data.email
    )


@router.get(
    "/networks/{network_id}/jwks.json",
    summary="The issuer network's public signing keys (JWKS; no sign-in)",
    response_model=Jwks,
    responses=responses.problems(404, 422),
)
async def get_network_jwks(
    network_id: Annotated[int, path_id("network")], session: SessionDep
) -> Jwks:
    if await network_service.get(session, network_id) is None:
        raise NotFound(f"network {network_id} does not exist")
    return Jwks(keys=[k.public_jwk for k in await keys.network_keys(session, network_id)])


router.include_router(endorsement_router.router)
router.include_router(share_router.router)
