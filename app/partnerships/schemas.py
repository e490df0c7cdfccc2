"""Request and response bodies for partnerships and partner commitments."""

from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    EmailStr,
    Field,
    model_validator,
)

from app.core.models import Id
from app.core.pagination import Page
from app.core.resources import RecordRead, SoftDeleteRead
from app.core.schemas import Body, Day, Keep, Name, ShortText
from app.core.schemas import LongText as Text
from app.core.schemas import Statement as Role


class Sector(StrEnum):
    public = "public"
    private = "private"
    third_sector = "third_sector"


class Direction(StrEnum):
    internal = "internal"
    external = "external"


class Scope(StrEnum):
    local = "local"
    regional = "regional"
    national = "national"
    international = "international"


class Purpose(StrEnum):
    cpd_provision = "cpd_provision"
    research = "research"
    critical_friend = "critical_friend"
    funding = "funding"
    policy = "policy"
    dissemination = "dissemination"


class StoredStatus(StrEnum):
    proposed = "proposed"
    active = "active"
    ended = "ended"


class PartnershipStatus(StrEnum):
    proposed = "proposed"
    active = "active"
    lapsed = "lapsed"
    ended = "ended"


Purposes = Annotated[list[Purpose], Field(max_length=6)]


# --- partnerships -------------------------------------------------------------------------


class Contact(Body):
    """The named contact at the partner organisation."""

    name: Name | None = Field(default=None, description="Name.", examples=["Prof. C. Chapman"])
    email: EmailStr | None = Field(default=None, description="Email.")
    role: ShortText | None = Field(default=None, description="Role.", examples=["Director"])


class PartnershipCreate(Body):
    organisation_id: Id = Field(
        description="The stakeholder organisation (its kind says what "
        "sort of stakeholder: ministry, university, cpd_provider…)."
    )
    sector: Sector = Field(description="public, private or third_sector.")
    direction: Direction = Field(
        default=Direction.external, description="internal (within the network) or external."
    )
    scope: Scope = Field(description="local, regional, national or international.")
    purposes: Purposes = Field(default_factory=list, description="What the partnership is for.")
    description: Text | None = Field(default=None, description="About the partnership.")
    start_on: Day = Field(description="Start date.")
    end_on: Day | None = Field(default=None, description="End date; null when open-ended.")
    review_on: Day | None = Field(
        default=None, description="Review date; an active partnership past it reads as lapsed."
    )
    status: StoredStatus = Field(
        default=StoredStatus.proposed, description="proposed, active or ended."
    )
    contact: Contact | None = Field(default=None, description="Named contact.")
    agreement_reference: ShortText | None = Field(
        default=None,
        description="The agreement, e.g. a Memorandum of Understanding reference.",
        examples=["MoU 2019/04"],
    )

    @model_validator(mode="after")
    def _dates(self) -> "PartnershipCreate":
        if self.end_on is not None and self.end_on < self.start_on:
            raise ValueError("end_on must not be before start_on")
        return self


class PartnershipUpdate(Body):
    sector: Keep[Sector] = Field(default=None, description="Sector.")
    direction: Keep[Direction] = Field(default=None, description="Direction.")
    scope: Keep[Scope] = Field(default=None, description="Scope.")
    purposes: Keep[Purposes] = Field(default=None, description="Replaces the purposes.")
    description: Text | None = Field(default=None, description="Description.")
    start_on: Keep[Day] = Field(default=None, description="Start date.")
    end_on: Day | None = Field(default=None, description="End date (null: open-ended).")
    review_on: Day | None = Field(default=None, description="Review date.")
    status: Keep[StoredStatus] = Field(default=None, description="proposed, active or ended.")
    contact: Contact | None = Field(default=None, description="Named contact (null clears).")
    agreement_reference: ShortText | None = Field(default=None, description="Agreement.")


class Renewal(Body):
    review_on: Day = Field(description="The next review date; must be later than today.")


class ContactRead(BaseModel):
    name: str | None = Field(description="Name.")
    email: str | None = Field(description="Email.")
    role: str | None = Field(description="Role.")


class PartnershipRead(SoftDeleteRead):
    network_id: int = Field(description="The network.")
    organisation_id: int = Field(description="The stakeholder organisation.")
    organisation_kind: str = Field(description="The organisation's kind: the stakeholder kind.")
    sector: Sector = Field(description="Sector.")
    direction: Direction = Field(description="internal or external.")
    scope: Scope = Field(description="Scope.")
    purposes: list[Purpose] = Field(description="Purposes.")
    description: str | None = Field(description="Description.")
    start_on: Day = Field(description="Start.")
    end_on: Day | None = Field(description="End; null when open-ended.")
    review_on: Day | None = Field(description="Next review.")
    status: PartnershipStatus = Field(
        description="As of today: ended when stored active and end_on has passed; lapsed "
        "when stored active and review_on has passed."
    )
    stored_status: StoredStatus = Field(description="The status as stored.")
    contact: ContactRead | None = Field(description="Named contact.")
    agreement_reference: str | None = Field(description="Agreement reference.")


class PartnershipFilters(BaseModel):
    """The filters of a network's partnership list (query parameters)."""

    status: PartnershipStatus | None = Field(
        default=None,
        description="Only this status as of today (ended: also active and past its end "
        "date; lapsed: active and past its review date).",
    )
    sector: Sector | None = Field(default=None, description="Only this sector.")
    scope: Scope | None = Field(default=None, description="Only this scope.")
    purpose: Purpose | None = Field(default=None, description="Only those with this purpose.")


class PartnershipPage(Page[PartnershipRead]):
    """A page of partnerships."""


# --- commitments --------------------------------------------------------------------------


class CommitmentCreate(Body):
    objective_id: Id | None = Field(default=None, description="An objective (or action_id).")
    action_id: Id | None = Field(default=None, description="An action (or objective_id).")
    role: Role = Field(description="The partner's role.", examples=["Critical friend"])

    @model_validator(mode="after")
    def _exactly_one(self) -> "CommitmentCreate":
        if (self.objective_id is None) == (self.action_id is None):
            raise ValueError("give exactly one of objective_id and action_id")
        return self


class CommitmentRead(RecordRead):
    partnership_id: int = Field(description="Partnership.")
    objective_id: int | None = Field(description="Objective, if committed to one.")
    action_id: int | None = Field(description="Action, if committed to one.")
    plan_id: int = Field(description="The plan of the objective or action.")
    plan_title: str = Field(description="The plan's title.")
    objective_code: str = Field(description="The objective's code (the action's objective).")
    role: str = Field(description="The partner's role.")


class CommitmentPage(Page[CommitmentRead]):
    """A page of partner commitments."""


def contact_fields(contact: dict[str, Any] | None) -> dict[str, Any]:
    contact = contact or {}
    return {
        "contact_name": contact.get("name"),
        "contact_email": contact.get("email"),
        "contact_role": contact.get("role"),
    }
