"""Open Badge networks: canvas proposals, badges, awards (credentials), endorsements and
issuer keys."""

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlmodel import Field

from app.core.db import UTCDateTime, utcnow
from app.core.i18n import TranslationsMixin, translatable
from app.core.models import IdMixin, IdType, JSONType, RecordMixin, SoftDeleteMixin


class BadgeProposal(RecordMixin, table=True):
    """A badge-network canvas: drafted by anyone, approved into a network of kind ``badge``."""

    __tablename__ = "badge_proposals"

    proposer_user_id: int = Field(sa_type=IdType, foreign_key="users.id", index=True)
    parent_network_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="networks.id", nullable=True, index=True
    )
    status: str = Field(default="draft", sa_type=String(10), index=True)
    name: str | None = Field(default=None, max_length=200)
    drivers: str | None = Field(default=None, sa_type=Text)
    territory: str | None = Field(default=None, max_length=200)
    business_strategy: str | None = Field(default=None, sa_type=Text)
    policy_strategy: str | None = Field(default=None, sa_type=Text)
    existing_resources: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    commitment: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    network_composition: str | None = Field(default=None, sa_type=Text)
    communication: dict[str, Any] | None = Field(default=None, sa_type=JSONType)
    engagement_channels: str | None = Field(default=None, sa_type=Text)
    engagement_plan: str | None = Field(default=None, sa_type=Text)
    structure_theme: str | None = Field(default=None, sa_type=Text)
    sub_groups: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    underpinning_principles: str | None = Field(default=None, sa_type=Text)
    duration: str | None = Field(default=None, max_length=200)
    success_measures: list[str] = Field(default_factory=list, sa_type=JSONType)
    initial_members: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    decided_by_user_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="users.id", nullable=True
    )
    rejection_reason: str | None = Field(default=None, sa_type=Text)
    network_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="networks.id", nullable=True
    )
    plan_id: int | None = Field(default=None, sa_type=IdType, foreign_key="plans.id", nullable=True)


class BadgeNetworkInvitation(IdMixin, table=True):
    """An initial member named on an approved canvas: someone to invite (no account needed)."""

    __tablename__ = "badge_network_invitations"

    network_id: int = Field(sa_type=IdType, foreign_key="networks.id", index=True)
    proposal_id: int = Field(sa_type=IdType, foreign_key="badge_proposals.id")
    group: str = Field(sa_type=String(10))
    name: str = Field(max_length=200)
    organisation: str | None = Field(default=None, max_length=300)
    contact: str | None = Field(default=None, max_length=300)
    status: str = Field(default="pending", sa_type=String(10))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


@translatable("name", "description", "criteria_narrative")
class Badge(RecordMixin, SoftDeleteMixin, TranslationsMixin, table=True):
    """An achievement a badge network issues (an Open Badges 3.0 ``Achievement``)."""

    __tablename__ = "badges"

    network_id: int = Field(sa_type=IdType, foreign_key="networks.id", index=True)
    name: str = Field(max_length=200)
    description: str = Field(sa_type=Text)
    criteria_narrative: str = Field(sa_type=Text)
    image_url: str | None = Field(default=None, max_length=8000)
    skill_tags: list[str] = Field(default_factory=list, sa_type=JSONType)
    alignments: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)


def new_share_token() -> str:
    """An award's share-page token: 128 random bits, URL-safe (the page's only handle)."""
    return secrets.token_urlsafe(16)


class BadgeAward(RecordMixin, table=True):
    """A badge awarded to one earner, with the credential and VC-JWT issued for it."""

    __tablename__ = "badge_awards"
    __table_args__ = (Index("ix_badge_awards_network_issued", "network_id", "issued_at"),)

    badge_id: int = Field(sa_type=IdType, foreign_key="badges.id", index=True)
    network_id: int = Field(sa_type=IdType, foreign_key="networks.id")
    credential_id: str = Field(max_length=100, unique=True)
    recipient_name: str = Field(max_length=200)
    recipient_email: str | None = Field(default=None, max_length=320)
    recipient_user_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="users.id", nullable=True
    )
    identity_salt: str = Field(max_length=64)
    identity_hash: str = Field(max_length=100, index=True)
    evidence: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    awarded_by_user_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="users.id", nullable=True
    )
    credential: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    credential_jwt: str = Field(sa_type=Text)
    key_id: str = Field(max_length=100)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    revocation_reason: str | None = Field(default=None, sa_type=Text)
    share_token: str = Field(default_factory=new_share_token, max_length=40, unique=True)


class BadgeEndorsement(RecordMixin, table=True):
    """A network's or an organisation's endorsement of a badge or of an issuer (a badge
    network): an Open Badges 3.0 ``EndorsementCredential`` signed with the endorser's key.
    Exactly one subject (``badge_id``, ``subject_network_id``) and one endorser column is set;
    ``network_id`` is the badge's network or the endorsed issuer (whose readers see it)."""

    __tablename__ = "badge_endorsements"
    __table_args__ = (
        CheckConstraint(
            "(badge_id IS NULL) <> (subject_network_id IS NULL)",
            name="ck_badge_endorsements_one_subject",
        ),
    )

    badge_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="badges.id", nullable=True, index=True
    )
    subject_network_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="networks.id", nullable=True, index=True
    )
    network_id: int = Field(sa_type=IdType, foreign_key="networks.id")
    endorser_network_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="networks.id", nullable=True, index=True
    )
    endorser_organisation_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="organisations.id", nullable=True, index=True
    )
    endorser_name: str = Field(max_length=200)
    comment: str = Field(sa_type=Text)
    credential_id: str = Field(max_length=100, unique=True)
    credential: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    credential_jwt: str = Field(sa_type=Text)
    key_id: str = Field(max_length=100)
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    endorsed_by_user_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="users.id", nullable=True
    )
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    withdrawal_reason: str | None = Field(default=None, sa_type=Text)


class IssuerKey(IdMixin, table=True):
    """A signing key of an issuer network, or of an organisation that endorses (exactly one of
    the two is set); the private half encrypted (Fernet)."""

    __tablename__ = "badge_issuer_keys"

    network_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="networks.id", nullable=True, index=True
    )
    organisation_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="organisations.id", nullable=True, index=True
    )
    kid: str = Field(max_length=100, unique=True)
    algorithm: str = Field(sa_type=String(10))
    public_jwk: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    public_pem: str = Field(sa_type=Text)
    private_encrypted: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
