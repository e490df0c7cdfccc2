"""Request and response bodies for a plan's objectives."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from app.core.models import Id
from app.core.pagination import Page
from app.core.schemas import Body, Keep, ShortText, Statement, Text
from app.plans.schemas import CLN_WORKSTREAMS, Code, ObjectiveKind, Workstream

# --- objectives ---------------------------------------------------------------------------


class ObjectiveCreate(Body):
    code: Code = Field(description="Unique within the plan, e.g. `4` or `2a`.")
    kind: ObjectiveKind = Field(default=ObjectiveKind.objective, description="Node kind.")
    title: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"\S", max_length=2000)
    ] = Field(description="Title.")
    description: Text | None = Field(default=None, description="Longer text.")
    parent_id: Id | None = Field(default=None, description="Parent objective in this plan.")
    position: int = Field(default=0, ge=0, le=100_000, description="Order among siblings.")
    workstreams: list[Workstream] = Field(
        default_factory=list,
        max_length=20,
        description=f"Workstream tags, e.g. the CLN colour key: {', '.join(CLN_WORKSTREAMS)}.",
    )
    responsible_group: ShortText | None = Field(
        default=None, description="Who is responsible, as text (e.g. Steering Committee)."
    )
    responsible_community_id: Id | None = Field(
        default=None, description="The community responsible, once communities exist."
    )
    role_of_partners: Text | None = Field(default=None, description="What partners do.")


class ObjectiveUpdate(Body):
    code: Keep[Code] = Field(default=None, description="Code.")
    kind: Keep[ObjectiveKind] = Field(default=None, description="Kind.")
    title: Keep[Statement] = Field(default=None, description="Title.")
    description: Text | None = Field(default=None, description="Longer text.")
    parent_id: Id | None = Field(default=None, description="Move under another objective.")
    position: Keep[Annotated[int, Field(ge=0, le=100_000)]] = Field(
        default=None, description="Order among siblings."
    )
    workstreams: Keep[list[Workstream]] = Field(
        default=None, max_length=20, description="Workstream tags."
    )
    responsible_group: ShortText | None = Field(default=None, description="Responsible group.")
    responsible_community_id: Id | None = Field(default=None, description="Community.")
    role_of_partners: Text | None = Field(default=None, description="Role of partners.")


class ObjectiveRead(BaseModel):
    id: int = Field(description="Objective id.")
    plan_id: int = Field(description="Plan.")
    parent_id: int | None = Field(description="Parent objective.")
    code: str = Field(description="Code, unique in the plan.")
    kind: ObjectiveKind = Field(description="Kind.")
    title: str = Field(description="Title.")
    description: str | None = Field(description="Longer text.")
    position: int = Field(description="Order among siblings.")
    workstreams: list[str] = Field(description="Workstream tags.")
    responsible_group: str | None = Field(description="Responsible group (text).")
    responsible_community_id: int | None = Field(description="Responsible community.")
    role_of_partners: str | None = Field(description="Role of partners.")
    copied_from_id: int | None = Field(
        default=None,
        description="The objective it was carried over from (earlier plan).",
    )
    version: int = Field(description="Row version.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")
    deleted_at: datetime | None = Field(
        default=None, description="Set when deleted (a tombstone in `updated_since` lists)."
    )


class ObjectivePage(Page[ObjectiveRead]):
    """A page of objectives."""


class ObjectiveFilters(BaseModel):
    """A plan's objectives: below one objective, or only the top level."""

    parent_id: Id | None = Field(default=None, description="Only children of this objective.")
    top_level: bool = Field(default=False, description="Only objectives without a parent.")
