"""What plans' routers share: query parameters, sort fields, page and ETag helpers."""

from typing import Annotated, Any

from fastapi import Query, Response

from app.core.pagination import Page
from app.core.schemas import Day
from app.core.versioning import set_etag
from app.plans.models import (
    Action,
    Measure,
    Milestone,
    Objective,
    Plan,
)

AsOf = Annotated[
    Day | None,
    Query(
        description="The date to judge against (YYYY-MM-DD). By default today, or the plan's "
        "period_end once its period is over (a closed plan: the day it was closed for)."
    ),
]
SortQuery = Annotated[str | None, Query(max_length=30, description="A field; - to reverse.")]
PLAN_SORTS = {"title": Plan.title, "period_start": Plan.period_start, "updated_at": Plan.updated_at}
POSITION_SORTS: dict[str, dict[str, Any]] = {
    "objectives": {
        "position": Objective.position,
        "code": Objective.code,
        "updated_at": Objective.updated_at,
    },
    "actions": {
        "position": Action.position,
        "due_on": Action.due_on,
        "updated_at": Action.updated_at,
    },
    "measures": {"position": Measure.position, "updated_at": Measure.updated_at},
    "milestones": {
        "due_on": Milestone.due_on,
        "position": Milestone.position,
        "updated_at": Milestone.updated_at,
    },
}


def page_of(model: type[Page[Any]], read: Any, items: list[Any], cursor: str | None) -> Any:
    """A page of ``model`` with each item made by ``read``."""
    return model(items=[read(i) for i in items], next_cursor=cursor)


def read_as(schema: Any) -> Any:
    """A function making ``schema`` from a row."""
    return lambda row: schema.model_validate(row, from_attributes=True)


def set_tag(response: Response, obj: Any, location: str | None = None) -> None:
    """Set the ETag (and ``Location`` of a created object)."""
    set_etag(response, obj.version)
    if location:
        response.headers["Location"] = location
