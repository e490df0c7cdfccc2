"""Request and response bodies for a plan's actions and their status history."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from app.core.models import Id
from app.core.pagination import Page
from app.core.schemas import Body, Day, Keep, ShortText
from app.plans.schemas import ActionStatus

# --- actions ------------------------------------------------------------------------------


class ActionCreate(Body):
    description: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, pattern=r"\S", max_length=10_000),
    ] = Field(description="What will be done.", examples=["Set up a facilitator network group"])
    status: ActionStatus = Field(default=ActionStatus.planned, description="Status.")
    owner_user_id: Id | None = Field(default=None, description="Owner (a person).")
    owner_community_id: Id | None = Field(default=None, description="Owner (a community).")
    owner_text: ShortText | None = Field(default=None, description="Owner, as text.")
    start_on: Day | None = Field(default=None, description="Start.")
    due_on: Day | None = Field(default=None, description="Due.")
    position: int = Field(default=0, ge=0, le=100_000, description="Order.")

    @model_validator(mode="after")
    def _dates(self) -> "ActionCreate":
        if self.start_on and self.due_on and self.due_on < self.start_on:
            raise ValueError("due_on is before start_on")
        return self


class ActionUpdate(Body):
    description: Keep[
        Annotated[
            str,
            StringConstraints(
                strip_whitespace=True, min_length=1, pattern=r"\S", max_length=10_000
            ),
        ]
    ] = Field(default=None, description="What will be done.")
    status: Keep[ActionStatus] = Field(default=None, description="New status (kept in history).")
    status_note: Annotated[str, StringConstraints(max_length=2000)] | None = Field(
        default=None, description="Why the status changed (kept in history)."
    )
    owner_user_id: Id | None = Field(default=None, description="Owner (a person).")
    owner_community_id: Id | None = Field(default=None, description="Owner (a community).")
    owner_text: ShortText | None = Field(default=None, description="Owner, as text.")
    start_on: Day | None = Field(default=None, description="Start.")
    due_on: Day | None = Field(default=None, description="Due.")
    position: Keep[Annotated[int, Field(ge=0, le=100_000)]] = Field(
        default=None, description="Order."
    )


class ActionRead(BaseModel):
    id: int = Field(description="Action id.")
    plan_id: int = Field(description="Plan.")
    objective_id: int = Field(description="Objective.")
    description: str = Field(description="What will be done.")
    status: ActionStatus = Field(description="Status.")
    owner_user_id: int | None = Field(description="Owner (a person).")
    owner_community_id: int | None = Field(description="Owner (a community).")
    owner_text: str | None = Field(description="Owner, as text.")
    start_on: Day | None = Field(description="Start.")
    due_on: Day | None = Field(description="Due.")
    position: int = Field(description="Order.")
    copied_from_id: int | None = Field(
        default=None, description="The action it was carried over from (earlier plan)."
    )
    version: int = Field(description="Row version.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")
    deleted_at: datetime | None = Field(
        default=None, description="Set when deleted (a tombstone in `updated_since` lists)."
    )


class ActionPage(Page[ActionRead]):
    """A page of actions."""


class StatusChangeRead(BaseModel):
    id: int = Field(description="Change id.")
    from_status: ActionStatus | None = Field(description="Before (null when created).")
    to_status: ActionStatus = Field(description="After.")
    note: str | None = Field(description="Why.")
    changed_at: datetime = Field(description="When.")
    changed_by_kind: str = Field(description="user or service_account.")
    changed_by_id: int | None = Field(description="Who.")


class StatusChangePage(Page[StatusChangeRead]):
    """A page of status changes."""


class ActionFilters(BaseModel):
    """An objective's actions in one status."""

    status: ActionStatus | None = Field(default=None, description="Only this status.")
