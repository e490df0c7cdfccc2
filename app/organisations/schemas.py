"""Request and response bodies for organisations and network memberships."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from app.core.filters import WithEnded
from app.core.models import Id
from app.core.pagination import Page
from app.core.resources import SoftDeleteRead
from app.core.schemas import REQUIRED_LINE_PATTERN, Body, Day, HttpUrlText, Keep, Name, Text
from app.core.schemas import Line as ShortText

Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Code = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, pattern=REQUIRED_LINE_PATTERN, max_length=20
    ),
]
Url = Annotated[str, HttpUrlText(500)]  # the column holds the normal form: 2000


class OrganisationKind(StrEnum):
    vet_college = "vet_college"
    school = "school"
    early_learning = "early_learning"
    university = "university"
    research_centre = "research_centre"
    local_authority = "local_authority"
    ministry = "ministry"
    cpd_provider = "cpd_provider"
    employer = "employer"
    agency = "agency"
    ngo = "ngo"
    community_group = "community_group"
    business = "business"


class OrganisationCreate(Body):
    name: Name = Field(description="Name.", examples=["Glasgow Kelvin College"])
    kind: OrganisationKind = Field(description="What sort of organisation.")
    owner_network_id: Id | None = Field(
        default=None,
        description="The network whose chair or executive keeps this record; required unless "
        "you are a platform admin or hold a chair/executive role in exactly one network.",
    )
    country: Country | None = Field(
        default=None, description="ISO 3166-1 alpha-2.", examples=["GB"]
    )
    region: ShortText | None = Field(default=None, description="Region.")
    local_authority: ShortText | None = Field(
        default=None, description="Local authority (schools).", examples=["Renfrewshire"]
    )
    erasmus_oid: Code | None = Field(
        default=None, description="Erasmus+ organisation id.", examples=["E10208620"]
    )
    pic: Code | None = Field(default=None, description="Participant identification code.")
    website: Url | None = Field(default=None, description="Web site.")
    description: Text | None = Field(default=None, description="About the organisation.")


class OrganisationUpdate(Body):
    name: Keep[Name] = Field(default=None, description="New name.")
    kind: Keep[OrganisationKind] = Field(default=None, description="New kind.")
    country: Country | None = Field(default=None, description="ISO 3166-1 alpha-2.")
    region: ShortText | None = Field(default=None, description="Region.")
    local_authority: ShortText | None = Field(default=None, description="Local authority.")
    erasmus_oid: Code | None = Field(default=None, description="Erasmus+ organisation id.")
    pic: Code | None = Field(default=None, description="Participant identification code.")
    website: Url | None = Field(default=None, description="Web site.")
    description: Text | None = Field(default=None, description="About the organisation.")


class OrganisationRead(SoftDeleteRead):
    name: str = Field(description="Name.")
    kind: OrganisationKind = Field(description="What sort of organisation.")
    owner_network_id: int | None = Field(description="Network that keeps this record.")
    country: str | None = Field(description="ISO 3166-1 alpha-2.")
    region: str | None = Field(description="Region.")
    local_authority: str | None = Field(description="Local authority.")
    erasmus_oid: str | None = Field(description="Erasmus+ organisation id.")
    pic: str | None = Field(description="Participant identification code.")
    website: str | None = Field(description="Web site.")
    description: str | None = Field(description="About the organisation.")


class OrganisationPage(Page[OrganisationRead]):
    """A page of organisations."""


class MembershipCreate(Body):
    organisation_id: Id = Field(description="The organisation joining.")
    joined_on: Day | None = Field(default=None, description="Joined; defaults to today.")
    note: Annotated[str, StringConstraints(max_length=500)] | None = Field(
        default=None, description="A note."
    )


class MembershipEnd(Body):
    left_on: Day | None = Field(default=None, description="Left; defaults to today.")


class MembershipRead(BaseModel):
    id: int = Field(description="Membership id.")
    network_id: int = Field(description="Network.")
    organisation_id: int = Field(description="Organisation.")
    joined_on: Day = Field(description="Joined.")
    left_on: Day | None = Field(description="Left; null while a member.")
    note: str | None = Field(description="A note.")
    version: int = Field(description="Row version.")
    updated_at: datetime = Field(description="Last changed.")


class MembershipFilters(WithEnded):
    """Which member organisations a network's list shows (query parameters)."""

    include_ended: bool = Field(default=False, description="Include past members.")


class MembershipPage(Page[MembershipRead]):
    """A page of memberships."""
