"""Request and response bodies for networks."""

from enum import StrEnum

from pydantic import Field, model_validator

from app.core.i18n import LanguageList, LanguageTag
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
    parent_id: int | None = Field(description="Parent network, if any.")
    ancestor_ids: list[int] = Field(
        description="Ids from the top-level network down to the parent."
    )
    territory: str | None = Field(description="Area covered.")
    description: str | None = Field(description="What the network is for.")
    membership_criteria: str | None = Field(description="Criteria for joining.")
    languages: list[str] = Field(description="The languages its content is held in.")
    default_language: str = Field(description="The language of its content's own text.")


class NetworkPage(Page[NetworkRead]):
    """A page of networks."""
