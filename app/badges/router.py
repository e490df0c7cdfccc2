"""Routes for badge-network proposals, badges, awards, credentials, JWKS and verification."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

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
from app.core.i18n import Lang
from app.core.models import path_id
from app.core.resources import ListQuery, Scoped, list_query, tagged
from app.core.routing import CohesionRoute, route_options
from app.core.state import AppState, app_state, app_state_dependency
from app.core.versioning import IfMatchHeader, check_if_match
from app.networks import service as network_service
from app.networks.models import Network

router = APIRouter(tags=["badges"], route_class=CohesionRoute)

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
    operation_id="list_badge_proposals",
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
    operation_id="create_badge_proposal",
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


@router.get(
    "/badge-onboarding/{proposal_id}",
    operation_id="get_badge_proposal",
    summary="Get a badge-network proposal",
    response_model=BadgeProposalRead,
    responses=responses.READ,
)
async def get_badge_proposal(found: ValidProposal, response: Response) -> BadgeProposal:
    tagged(response, found.proposal)
    return found.proposal


@router.patch(
    "/badge-onboarding/{proposal_id}",
    operation_id="update_badge_proposal",
    summary="Fill or change sections of a draft proposal",
    response_model=BadgeProposalRead,
    responses=responses.UPDATE,
)
async def update_badge_proposal(
    data: BadgeProposalUpdate,
    found: ValidProposal,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatchHeader = None,
) -> BadgeProposal:
    check_if_match(if_match, found.proposal.version)
    proposal = await proposal_service.update_proposal(session, principal, found, data=data)
    tagged(response, proposal)
    return proposal


@router.get(
    "/badge-onboarding/{proposal_id}/completeness",
    operation_id="get_badge_proposal_completeness",
    summary="Which required sections are still empty",
    response_model=Completeness,
    responses=responses.READ,
)
async def get_badge_proposal_completeness(found: ValidProposal) -> Completeness:
    return proposal_service.completeness(found.proposal)


@router.post(
    "/badge-onboarding/{proposal_id}/submit",
    operation_id="submit_badge_proposal",
    summary="Submit a complete draft for approval",
    response_model=BadgeProposalRead,
    responses=responses.ACTION,
)
async def submit_badge_proposal(
    found: ValidProposal, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> BadgeProposal:
    proposal = await proposal_service.submit_proposal(session, principal, found)
    tagged(response, proposal)
    return proposal


@router.post(
    "/badge-onboarding/{proposal_id}/approve",
    operation_id="approve_badge_proposal",
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


@router.post(
    "/badge-onboarding/{proposal_id}/reject",
    operation_id="reject_badge_proposal",
    summary="Reject a submitted proposal, with a reason",
    response_model=BadgeProposalRead,
    responses=responses.ACTION,
)
async def reject_badge_proposal(
    data: RejectBody,
    found: ValidProposal,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> BadgeProposal:
    proposal = await proposal_service.reject_proposal(session, principal, found, reason=data.reason)
    tagged(response, proposal)
    return proposal


@router.post(
    "/badge-onboarding/{proposal_id}/reopen",
    operation_id="reopen_badge_proposal",
    summary="Return a rejected proposal to draft",
    response_model=BadgeProposalRead,
    responses=responses.ACTION,
)
async def reopen_badge_proposal(
    found: ValidProposal, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> BadgeProposal:
    proposal = await proposal_service.reopen_proposal(session, principal, found)
    tagged(response, proposal)
    return proposal


# --- badges -------------------------------------------------------------------------------


@router.get(
    "/networks/{network_id}/badges",
    operation_id="list_network_badges",
    summary="List a badge network's badges",
    response_model=BadgePage,
    responses=responses.problems(400, 401, 403, 404, 422),
)
async def list_network_badges(
    network: NetworkForRead, session: SessionDep, lang: Lang, query: BadgeList
) -> BadgePage:
    result = await service.list_badges(session, network, params=query.params)
    return lang.answer(query.page(BadgePage, result, read=lang.read(network).reader(BadgeRead)))


@router.post(
    "/networks/{network_id}/badges",
    operation_id="create_network_badge",
    summary="Create a badge (chair or executive of the badge network)",
    status_code=status.HTTP_201_CREATED,
    response_model=BadgeRead,
    responses=responses.CREATE,
)
async def create_network_badge(
    data: BadgeCreate,
    network: NetworkForRead,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> Badge:
    badge = await service.create_badge(session, principal, network, data=data)
    tagged(response, badge, f"/api/v1/badges/{badge.id}")
    return badge


@router.get(
    "/badges/{badge_id}",
    operation_id="get_badge",
    summary="Get a badge",
    response_model=BadgeRead,
    responses=responses.READ,
)
async def get_badge(found: ValidBadge, response: Response, lang: Lang) -> Badge | BadgeRead:
    return lang.answer(tagged(response, lang.read(found.network).read(BadgeRead, found.obj)))


@router.patch(
    "/badges/{badge_id}",
    operation_id="update_badge",
    summary="Update a badge",
    response_model=BadgeRead,
    responses=responses.UPDATE,
)
async def update_badge(
    data: BadgeUpdate,
    found: ValidBadge,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    lang: Lang,
    if_match: IfMatchHeader = None,
) -> Badge | BadgeRead:
    check_if_match(if_match, found.obj.version)
    served = lang.write(found.network)
    badge = await service.update_badge(
        session, principal, found, data=data, language=served.language
    )
    return lang.answer(tagged(response, served.read(BadgeRead, badge)))


# --- awards -------------------------------------------------------------------------------


@router.get(
    "/badges/{badge_id}/awards",
    operation_id="list_badge_awards",
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
    operation_id="award_badge",
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


@router.get(
    "/awards/{award_id}",
    operation_id="get_award",
    summary="Get an award",
    response_model=AwardRead,
    responses=responses.READ,
)
async def get_award(
    found: ValidAward, request: Request, response: Response, principal: CurrentPrincipal
) -> AwardRead:
    tagged(response, found.obj)
    return award_read(found.obj, principal, found, request)


@router.get(
    "/awards/{award_id}/credential",
    operation_id="get_award_credential",
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


@router.post(
    "/awards/{award_id}/revoke",
    operation_id="revoke_award",
    summary="Revoke an award (verification fails from now on)",
    response_model=AwardRead,
    responses=responses.ACTION,
)
async def revoke_award(
    data: RevokeBody,
    request: Request,
    found: ValidAward,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> AwardRead:
    award = await service.revoke_award(session, principal, found, reason=data.reason)
    tagged(response, award)
    return award_read(award, principal, found, request)


@router.post(
    "/awards/{award_id}/share-token",
    operation_id="replace_award_share_token",
    summary="Replace the award's share link (the old link stops working)",
    response_model=AwardRead,
    responses=responses.ACTION,
)
async def replace_award_share_token(
    request: Request,
    found: ValidAward,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> AwardRead:
    award = await share.replace_token(session, principal, found)
    tagged(response, award)
    return award_read(award, principal, found, request)


@router.post(
    "/awards/{award_id}/share-link",
    operation_id="replace_my_award_share_link",
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
    operation_id="verify_award",
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
    operation_id="verify_credential_by_uuid",
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
    operation_id="verify_credential_recipient",
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
    operation_id="verify_credential",
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
    operation_id="get_network_jwks",
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
