"""Request and response bodies for networks."""

from enum import StrEnum

from pydantic import Field

from app.core.models import Id
from app.core.pagination import Page
from app.core.resources import SoftDeleteRead
from app.core.schemas import Body, Keep, Name
from app.core.schemas import Line as ShortText
from app.core.schemas import Text as LongText


class NetworkKind(StrEnum):
    alliance = "alliance"
    regional = "regional"
    geographic = "geographic"
    thematic = "thematic"
    partnership = "partnership"
    badge = "badge"


class NetworkCreate(Body):
    name: Name = Field(description="Name.", examples=["Network of Networks"])
    kind: NetworkKind = Field(description="What sort of network.")
    parent_id: Id | None = Field(
        default=None, description="The network this one belongs to (e.g. an alliance)."
    )
    territory: ShortText | None = Field(
        default=None, description="Area covered.", examples=["Europe"]
    )
    description: LongText | None = Field(default=None, description="What the network is for.")
    membership_criteria: LongText | None = Field(
        default=None, description="Published criteria for organisations wishing to join."
    )
    reminder_days_ahead: int | None = Field(
        default=None,
        ge=1,
        le=365,
        description="Days ahead a milestone or a partnership review counts as due soon, for "
        "reminders; null: the server's default (14).",
        examples=[14],
    )


class NetworkUpdate(Body):
    name: Keep[Name] = Field(default=None, description="New name.")
    kind: Keep[NetworkKind] = Field(default=None, description="New kind.")
    territory: ShortText | None = Field(default=None, description="New territory.")
    description: LongText | None = Field(default=None, description="New description.")
    membership_criteria: LongText | None = Field(
        default=None, description="New membership criteria."
    )
    reminder_days_ahead: int | None = Field(
        default=None,
        ge=1,
        le=365,
        description="New: days ahead a milestone or a partnership review counts as due soon, for "
        "reminders; null returns to the server's default (14).",
        examples=[14],
    )


class NetworkRead(SoftDeleteRead):
    name: str = Field(description="Name.")
    kind: NetworkKind = Field(description="What sort of network.")
    parent_id: int | None = Field(description="Parent network, if any.")
    ancestor_ids: list[int] = Field(
        description="Ids from the top-level network down to the parent."
    )
    territory: str | None = Field(description="Area covered.")
    description: str | None = Field(description="What the network is for.")
    membership_criteria: str | None = Field(description="Criteria for joining.")
    reminder_days_ahead: int | None = Field(
        default=None,
        description="Days ahead a milestone or a partnership review counts as due soon, for "
        "reminders; null: the server's default (14).",
    )


class NetworkPage(Page[NetworkRead]):
    """A page of networks."""
