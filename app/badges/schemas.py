"""Request and response bodies for badge-network proposals, badges and awards."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, EmailStr, Field, StringConstraints, model_validator

from app.core.models import Id
from app.core.pagination import Page
from app.core.schemas import Body, Keep, Line, Name, ShortText, Text, Url, UTCDatetime
from app.core.schemas import Statement as SuccessMeasure

Tag = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"\S", max_length=100)
]


class BadgeProposalStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"
    approved = "approved"
    rejected = "rejected"


class MemberGroup(StrEnum):
    earner = "earner"
    issuer = "issuer"
    consumer = "consumer"


# --- canvas sections ----------------------------------------------------------------------


class ExistingResources(Body):
    partnerships: Text | None = Field(default=None, description="Partnerships or networks.")
    funding: Text | None = Field(default=None, description="Access to funds.")


class Commitment(Body):
    time: Text | None = Field(default=None, description="Time the proposers can commit.")
    resources: Text | None = Field(default=None, description="Other resources committed.")


class Communication(Body):
    cadence: ShortText | None = Field(default=None, description="How often the network meets.")
    duration: ShortText | None = Field(default=None, description="How long a meeting lasts.")
    format: ShortText | None = Field(default=None, description="Face-to-face, online or blended.")


class SubGroup(Body):
    name: Name = Field(description="Name of the sub-group.")
    lead: ShortText | None = Field(default=None, description="Who leads it (as text).")


class InitialMember(Body):
    group: MemberGroup = Field(description="earner, issuer or consumer.")
    name: Name = Field(description="Person or representative.")
    organisation: ShortText | None = Field(default=None, description="Organisation.")
    contact: ShortText | None = Field(default=None, description="How to reach them.")
    email: EmailStr | None = Field(
        default=None,
        max_length=254,
        description="Their e-mail: on approval they are invited to the badge network as members "
        "(without it, a `contact` that is an e-mail address is used; with neither, the "
        "network's chair invites them by hand).",
    )


# Sections a proposal must fill before it may be submitted.
REQUIRED_SECTIONS = (
    "name",
    "parent_network_id",
    "drivers",
    "territory",
    "business_strategy",
    "policy_strategy",
    "existing_resources",
    "commitment",
    "network_composition",
    "communication",
    "engagement_channels",
    "structure_theme",
    "underpinning_principles",
    "duration",
    "success_measures",
)


class BadgeProposalFields(Body):
    name: Name | None = Field(default=None, description="Name of the proposed badge network.")
    parent_network_id: Id | None = Field(
        default=None, description="The network the badge network will sit under."
    )
    drivers: Text | None = Field(
        default=None, description="What Open Badge need the network addresses."
    )
    territory: Line | None = Field(default=None, description="Geographical area covered.")
    business_strategy: Text | None = Field(
        default=None, description="Business aims the network helps achieve."
    )
    policy_strategy: Text | None = Field(
        default=None, description="Benefit at policy or government level."
    )
    existing_resources: ExistingResources | None = Field(
        default=None, description="Partnerships and funding to leverage."
    )
    commitment: Commitment | None = Field(
        default=None, description="Time and resource the proposers commit."
    )
    network_composition: Text | None = Field(
        default=None, description="Who will be in the network (earners, issuers, consumers)."
    )
    communication: Communication | None = Field(
        default=None, description="How, where and when the network communicates."
    )
    engagement_channels: Text | None = Field(
        default=None, description="How members are engaged (events, social media, contact)."
    )
    engagement_plan: Text | None = Field(
        default=None, description="How people will learn what the network is and offers."
    )
    structure_theme: Text | None = Field(
        default=None, description="Theme, badge tools or territory the network centres on."
    )
    sub_groups: list[SubGroup] | None = Field(
        default=None, max_length=50, description="Sub-groups and their leads."
    )
    underpinning_principles: Text | None = Field(
        default=None, description="The principles that define the network."
    )
    duration: Line | None = Field(default=None, description="How long it will run.")
    success_measures: list[SuccessMeasure] | None = Field(
        default=None, max_length=50, description="What success will look like."
    )
    initial_members: list[InitialMember] | None = Field(
        default=None, max_length=500, description="Initial members to invite."
    )


class BadgeProposalCreate(BadgeProposalFields):
    """A new draft; every section may be left empty and filled later."""


class BadgeProposalUpdate(BadgeProposalFields):
    """Fills or changes sections of a draft (null empties a section)."""


class BadgeProposalRead(BaseModel):
    id: int = Field(description="Proposal id.")
    proposer_user_id: int = Field(description="Who drafted it.")
    status: BadgeProposalStatus = Field(description="draft, submitted, approved or rejected.")
    name: str | None = Field(description="Name of the proposed network.")
    parent_network_id: int | None = Field(description="Parent network.")
    drivers: str | None = Field(description="Drivers.")
    territory: str | None = Field(description="Territory.")
    business_strategy: str | None = Field(description="Business strategy.")
    policy_strategy: str | None = Field(description="Policy strategy.")
    existing_resources: dict[str, Any] | None = Field(description="Partnerships and funding.")
    commitment: dict[str, Any] | None = Field(description="Time and resource.")
    network_composition: str | None = Field(description="Who will be in the network.")
    communication: dict[str, Any] | None = Field(description="Cadence, duration and format.")
    engagement_channels: str | None = Field(description="Engagement channels.")
    engagement_plan: str | None = Field(description="Engagement plan.")
    structure_theme: str | None = Field(description="Structure or theme.")
    sub_groups: list[dict[str, Any]] = Field(description="Sub-groups with leads.")
    underpinning_principles: str | None = Field(description="Underpinning principles.")
    duration: str | None = Field(description="Duration.")
    success_measures: list[str] = Field(description="Success measures.")
    initial_members: list[dict[str, Any]] = Field(description="Initial members.")
    submitted_at: datetime | None = Field(description="Last submitted.")
    decided_at: datetime | None = Field(description="Approved or rejected at.")
    decided_by_user_id: int | None = Field(description="Who approved or rejected it.")
    rejection_reason: str | None = Field(description="Why it was rejected.")
    network_id: int | None = Field(description="The badge network created on approval.")
    plan_id: int | None = Field(description="The plan made from the success measures.")
    version: int = Field(description="Row version; send it back in If-Match.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")


class BadgeProposalPage(Page[BadgeProposalRead]):
    """A page of proposals."""


class Completeness(BaseModel):
    complete: bool = Field(description="Whether every required section is filled.")
    missing: list[str] = Field(description="Required sections still empty.")
    required: list[str] = Field(description="All required sections.")


Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"\S", max_length=5000)
]


class RejectBody(Body):
    reason: Reason = Field(description="Why the proposal is rejected.")


# --- badges -------------------------------------------------------------------------------


class Alignment(Body):
    target_name: Name = Field(description="Name of the aligned skill or standard.")
    target_url: Url = Field(description="Its URL, e.g. an ESCO skill URI.")
    target_framework: ShortText | None = Field(default=None, description="e.g. EQF, ESCO.")
    target_code: ShortText | None = Field(default=None, description="Code in the framework.")


class BadgeCreate(Body):
    name: Name = Field(description="Badge name.")
    description: Annotated[str, StringConstraints(min_length=1, max_length=10_000)] = Field(
        description="What the badge recognises."
    )
    criteria_narrative: Annotated[str, StringConstraints(min_length=1, max_length=10_000)] = Field(
        description="What an earner must do."
    )
    image_url: Url | None = Field(default=None, description="Image URL.")
    skill_tags: list[Tag] = Field(default_factory=list, max_length=50, description="Tags.")
    alignments: list[Alignment] = Field(
        default_factory=list, max_length=50, description="Alignments to skills frameworks."
    )


class BadgeUpdate(Body):
    name: Keep[Name] = Field(default=None, description="Badge name.")
    description: Keep[Annotated[str, StringConstraints(min_length=1, max_length=10_000)]] = Field(
        default=None, description="Description."
    )
    criteria_narrative: Keep[Annotated[str, StringConstraints(min_length=1, max_length=10_000)]] = (
        Field(default=None, description="Criteria.")
    )
    image_url: Url | None = Field(default=None, description="Image URL.")
    skill_tags: Keep[list[Tag]] = Field(default=None, max_length=50, description="Tags.")
    alignments: Keep[list[Alignment]] = Field(
        default=None, max_length=50, description="Alignments."
    )


class BadgeRead(BaseModel):
    id: int = Field(description="Badge id.")
    network_id: int = Field(description="The issuing badge network.")
    name: str = Field(description="Name.")
    description: str = Field(description="Description.")
    criteria_narrative: str = Field(description="Criteria narrative.")
    image_url: str | None = Field(description="Image URL.")
    skill_tags: list[str] = Field(description="Skill tags.")
    alignments: list[dict[str, Any]] = Field(description="Alignments.")
    version: int = Field(description="Row version; send it back in If-Match.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")
    deleted_at: datetime | None = Field(
        default=None, description="Set when deleted (a tombstone in `updated_since` lists)."
    )


class BadgePage(Page[BadgeRead]):
    """A page of badges."""


# --- awards -------------------------------------------------------------------------------


class EvidenceItem(Body):
    narrative: Text | None = Field(default=None, description="What was done.")
    url: Url | None = Field(default=None, description="Where the evidence is.")


class AwardCreate(Body):
    recipient_name: Name = Field(description="The earner's name.")
    recipient_email: EmailStr | None = Field(
        default=None, description="The earner's email (hashed, salted, in the credential)."
    )
    user_id: Id | None = Field(default=None, description="Or the earner's user account.")
    evidence: list[EvidenceItem] = Field(
        default_factory=list, max_length=20, description="Evidence of the achievement."
    )
    valid_until: UTCDatetime | None = Field(
        default=None, description="When the credential expires."
    )

    @model_validator(mode="after")
    def _one_identity(self) -> "AwardCreate":
        if (self.recipient_email is None) == (self.user_id is None):
            raise ValueError("give exactly one of recipient_email and user_id")
        return self


class AwardRead(BaseModel):
    id: int = Field(description="Award id.")
    badge_id: int = Field(description="Badge.")
    network_id: int = Field(description="Issuing network.")
    credential_id: str = Field(description="The credential's id (urn:uuid).")
    credential_uuid: UUID = Field(
        description="The UUID of `credential_id`: the public handle for "
        "`/credentials/{credential_uuid}/verify`."
    )
    recipient_name: str = Field(description="Earner's name.")
    recipient_email: str | None = Field(
        description="Earner's email: shown only to those who may award the badge."
    )
    recipient_user_id: int | None = Field(description="Earner's account.")
    recipient_hash: str = Field(description="Salted SHA-256 identity hash.")
    evidence: list[dict[str, Any]] = Field(description="Evidence.")
    issued_at: datetime = Field(description="Issued.")
    expires_at: datetime | None = Field(description="Expires.")
    revoked_at: datetime | None = Field(description="Revoked.")
    revocation_reason: str | None = Field(description="Why revoked.")
    share_url: str = Field(
        description="The award's public share page (no sign-in; unguessable): the link the "
        "earner adds to a professional profile. `POST /awards/{award_id}/share-token` "
        "replaces it (the old link stops working)."
    )
    version: int = Field(description="Row version.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")


class AwardPage(Page[AwardRead]):
    """A page of awards."""


class CredentialRead(BaseModel):
    credential: dict[str, Any] = Field(
        description="The OpenBadgeCredential (an award) or EndorsementCredential (JSON-LD)."
    )
    jwt: str = Field(description="The credential as a compact VC-JWT (ES256).")
    jwks_url: str = Field(
        description="Where the issuer's (or endorser's) public keys are published."
    )


class RevokeBody(Body):
    reason: Reason = Field(description="Why the award is revoked (kept on the award).")


class VerifyBody(Body):
    jwt: Annotated[str, StringConstraints(min_length=1, max_length=100_000)] = Field(
        description="A compact VC-JWT to verify."
    )
    email: EmailStr | None = Field(
        default=None,
        description="The email the holder gave you: the answer says whether the credential "
        "was issued to it (`recipient_matches`).",
    )


class RecipientCheck(Body):
    email: EmailStr = Field(
        description="The email the holder gave you: the answer says whether the credential "
        "was issued to it (`recipient_matches`)."
    )


class VerificationRead(BaseModel):
    valid: bool = Field(description="Signature good, not expired, not revoked or withdrawn.")
    reason: str | None = Field(description="Why not valid.")
    credential_type: str | None = Field(
        default=None,
        description="`OpenBadgeCredential` (an award) or `EndorsementCredential`; null when "
        "the credential is not known here.",
    )
    badge: str | None = Field(description="Badge name (for an endorsement: the badge endorsed).")
    endorsed_issuer: str | None = Field(
        default=None,
        description="For an endorsement of an issuer: the issuer (badge network) endorsed.",
    )
    issuer: str | None = Field(
        description="Issuer name: the awarding network, or the endorsing network or organisation."
    )
    issued_on: datetime | None = Field(description="When issued.")
    recipient_hash: str | None = Field(description="The salted identity hash (never the email).")
    recipient_matches: bool | None = Field(
        default=None,
        description="Whether the email sent with the request is the one the credential was "
        "issued to; null when no email was sent or the credential is not known here.",
    )
    endorsement_comment: str | None = Field(
        default=None, description="An endorsement's comment; null for an award."
    )

    @classmethod
    def failed(cls, reason: str, **known: Any) -> "VerificationRead":
        """Not valid, for ``reason``, with what is known of the credential."""
        return cls(valid=False, reason=reason, **{f: known.get(f) for f in FIELDS})


class Jwks(BaseModel):
    keys: list[dict[str, Any]] = Field(description="Public keys (JWK).")


FIELDS = frozenset(VerificationRead.model_fields) - {"valid", "reason"}
