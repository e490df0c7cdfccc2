"""Request and response bodies for networks."""

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

from app.core.filters import WithEnded
from app.core.i18n import LanguageList, LanguageTag
from app.core.models import Id
from app.core.pagination import Page
from app.core.resources import RecordRead, SoftDeleteRead
from app.core.schemas import Body, EndBody, Keep, Name, UTCDatetime
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
        default=None,
        description="The network this one belongs to (e.g. an alliance); more parents are "
        "added with `POST /networks/{id}/parents`.",
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
    languages: LanguageList = Field(
        default_factory=lambda: ["en"],
        description="The languages its content is held in (BCP 47 tags).",
        examples=[["en", "fi"]],
    )
    default_language: LanguageTag = Field(
        default="en",
        description="The language of its content's own text; one of `languages`.",
        examples=["en"],
    )

    @model_validator(mode="after")
    def _default_offered(self) -> "NetworkCreate":
        if self.default_language not in self.languages:
            raise ValueError("default_language must be one of languages")
        return self


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
    languages: Keep[LanguageList] = Field(
        default=None,
        description="The languages its content is held in; must keep the default language. "
        "Removing one keeps its stored translations, unserved.",
    )
    default_language: Keep[LanguageTag] = Field(
        default=None,
        description="The language of its content's own text; one of `languages`. Changing it "
        "says the records' own text is in that language (it does not translate anything).",
    )


class NetworkRead(SoftDeleteRead):
    name: str = Field(description="Name.")
    kind: NetworkKind = Field(description="What sort of network.")
    parent_id: int | None = Field(
        description="The primary parent: the parent of its first-made live link (null "
        "without one; a link added later never displaces it). A network may belong to "
        "several parents: `GET /networks/{id}/parents` lists them all."
    )
    ancestor_ids: list[int] = Field(
        description="Ids from the top-level network down to the primary parent (along primary "
        "parents only)."
    )
    territory: str | None = Field(description="Area covered.")
    description: str | None = Field(description="What the network is for.")
    membership_criteria: str | None = Field(description="Criteria for joining.")
    reminder_days_ahead: int | None = Field(
        default=None,
        description="Days ahead a milestone or a partnership review counts as due soon, for "
        "reminders; null: the server's default (14).",
    )
    languages: list[str] = Field(description="The languages its content is held in.")
    default_language: str = Field(description="The language of its content's own text.")


class NetworkPage(Page[NetworkRead]):
    """A page of networks."""


class NetworkLinkCreate(Body):
    parent_id: Id = Field(description="The parent network (e.g. an alliance) to join.")
    since: UTCDatetime | None = Field(
        default=None, description="Member from (UTC when no offset is given); defaults to now."
    )


class NetworkLinkEnd(EndBody):
    """When a network's membership of a parent ends."""


class NetworkLinkRead(RecordRead):
    child_id: int = Field(description="The member network.")
    child_name: str = Field(description="Its name.")
    parent_id: int = Field(description="The parent network it belongs to.")
    parent_name: str = Field(description="Its name.")
    since: datetime = Field(description="Member from.")
    until: datetime | None = Field(description="Member until; null while current.")
    created_by_user_id: int | None = Field(description="Who linked it.")
    ended_by_user_id: int | None = Field(description="Who ended the link.")


class LinkFilters(WithEnded):
    """Which of a network's parent links the list shows (query parameters)."""

    include_ended: bool = Field(default=False, description="Include ended links (history).")


class NetworkLinkPage(Page[NetworkLinkRead]):
    """A page of a network's links to its parents."""


class ForumChair(BaseModel):
    role_id: int = Field(description="The chair's role assignment.")
    user_id: int = Field(description="Who holds it.")
    name: str = Field(description="Their name.")
    since: datetime = Field(description="Chair from.")
    term_ends_on: date | None = Field(description="The last day of the term; null: no term.")


class ForumSeat(BaseModel):
    network_id: int = Field(description="A child network.")
    network_name: str = Field(description="Its name.")
    chairs: list[ForumChair] = Field(
        description="Its current chairs; empty when it has none (the seat is vacant)."
    )


class ChairsForum(BaseModel):
    network_id: int = Field(description="The network whose forum this is.")
    network_name: str = Field(description="Its name.")
    seats: list[ForumSeat] = Field(
        description="One seat per live child network (over links live now), by name."
    )
    vacant: list[str] = Field(description="Names of the child networks without a chair now.")
