"""Request and response bodies for endorsements of badges and of issuers."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field, model_validator

from app.badges.schemas import Reason
from app.core.models import Id
from app.core.pagination import Page
from app.core.schemas import Body
from app.core.schemas import Statement as Comment


class EndorsementCreate(Body):
    endorser_network_id: Id | None = Field(
        default=None, description="The endorsing network (its chair endorses)."
    )
    endorser_organisation_id: Id | None = Field(
        default=None,
        description="Or the endorsing organisation (those who keep its record endorse).",
    )
    comment: Comment = Field(
        description="What the endorser says about the badge or issuer (Markdown; the "
        "credential's `endorsementComment`)."
    )

    @model_validator(mode="after")
    def _one_endorser(self) -> "EndorsementCreate":
        if (self.endorser_network_id is None) == (self.endorser_organisation_id is None):
            raise ValueError("give exactly one of endorser_network_id and endorser_organisation_id")
        return self


class EndorsementRead(BaseModel):
    id: int = Field(description="Endorsement id.")
    subject_kind: Literal["badge", "issuer"] = Field(
        description="What is endorsed: a `badge` or an `issuer` (a badge network)."
    )
    subject_name: str = Field(description="The endorsed badge's or issuer's name.")
    badge_id: int | None = Field(description="The endorsed badge; null for an issuer.")
    badge_name: str | None = Field(description="The endorsed badge's name; null for an issuer.")
    subject_network_id: int | None = Field(
        description="The endorsed issuer (badge network); null for a badge."
    )
    network_id: int = Field(
        description="The badge's (issuing) network, or the endorsed issuer: its readers see "
        "the endorsement."
    )
    endorser_kind: str = Field(description="`network` or `organisation`.")
    endorser_network_id: int | None = Field(description="The endorsing network, if a network.")
    endorser_organisation_id: int | None = Field(
        description="The endorsing organisation, if an organisation."
    )
    endorser_name: str = Field(description="The endorser's name, as signed.")
    comment: str = Field(description="The endorsement comment.")
    credential_id: str = Field(description="The EndorsementCredential's id (urn:uuid).")
    credential_uuid: UUID = Field(
        description="Its UUID: verify it at `/credentials/{credential_uuid}/verify`."
    )
    jwt: str = Field(description="The EndorsementCredential as a compact VC-JWT (ES256).")
    jwks_url: str = Field(description="Where the endorser's public keys are published.")
    issued_at: datetime = Field(description="Endorsed at.")
    endorsed_by_user_id: int | None = Field(description="Who endorsed, for the endorser.")
    withdrawn_at: datetime | None = Field(
        description="Withdrawn at; a withdrawn endorsement no longer verifies."
    )
    withdrawal_reason: str | None = Field(description="Why it was withdrawn.")
    version: int = Field(description="Row version.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")


class EndorsementPage(Page[EndorsementRead]):
    """A page of endorsements."""


class WithdrawBody(Body):
    reason: Reason = Field(description="Why the endorsement is withdrawn (kept on it).")
