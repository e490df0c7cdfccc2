"""What plans' routers share: the ``as_of`` parameter and each list's parameters."""

from typing import Annotated

from fastapi import Query

from app.core.resources import ListQuery, list_query
from app.core.schemas import Day
from app.plans import checkins
from app.plans.models import (
    Action,
    ActionStatusChange,
    CheckIn,
    Evidence,
    Measure,
    MeasureReading,
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
PlanList = Annotated[
    ListQuery,
    list_query(
        {"title": Plan.title, "period_start": Plan.period_start, "updated_at": Plan.updated_at},
        Plan.id,
    ),
]
ObjectiveList = Annotated[
    ListQuery,
    list_query(
        {
            "position": Objective.position,
            "code": Objective.code,
            "updated_at": Objective.updated_at,
        },
        Objective.id,
    ),
]
ActionList = Annotated[
    ListQuery,
    list_query(
        {"position": Action.position, "due_on": Action.due_on, "updated_at": Action.updated_at},
        Action.id,
    ),
]
MeasureList = Annotated[
    ListQuery,
    list_query({"position": Measure.position, "updated_at": Measure.updated_at}, Measure.id),
]
MilestoneList = Annotated[
    ListQuery,
    list_query(
        {
            "due_on": Milestone.due_on,
            "position": Milestone.position,
            "updated_at": Milestone.updated_at,
        },
        Milestone.id,
    ),
]
CheckInList = Annotated[
    ListQuery,
    list_query(checkins.SORTS, CheckIn.id, default=checkins.DEFAULT_SORT),
]
ReadingList = Annotated[ListQuery, list_query({}, MeasureReading.id, sortable=False)]
EvidenceList = Annotated[ListQuery, list_query({}, Evidence.id, sortable=False)]
StatusChangeList = Annotated[ListQuery, list_query({}, ActionStatusChange.id, sortable=False)]
