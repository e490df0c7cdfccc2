"""Path dependencies for plans and what is inside them (see ``app/plans/scope.py``)."""

from typing import Annotated, Any

from fastapi import Depends

from app.auth.deps import CurrentPrincipal
from app.auth.policy import Principal
from app.core.db import SessionDep
from app.core.resources import path_dependency
from app.plans.models import Action, Measure, Milestone, Objective, Plan
from app.plans.scope import InPlan, load_in_plan


def in_plan(model: Any, label: str, *, deleted: bool = False) -> Any:
    """A path dependency ``{label}_id`` -> ``InPlan[model]`` (a deleted one with ``deleted``)."""
    what = f"deleted {label}" if deleted else label

    async def load(obj_id: int, session: Any, principal: Principal) -> InPlan[Any]:
        return await load_in_plan(session, principal, model, obj_id, what, deleted=deleted)

    extra = {"session": SessionDep, "principal": CurrentPrincipal}
    return Depends(path_dependency(f"{label}_id", label, extra, load))


ValidPlan = Annotated[InPlan[Plan], in_plan(Plan, "plan")]
ValidObjective = Annotated[InPlan[Objective], in_plan(Objective, "objective")]
ValidAction = Annotated[InPlan[Action], in_plan(Action, "action")]
ValidMeasure = Annotated[InPlan[Measure], in_plan(Measure, "measure")]
ValidMilestone = Annotated[InPlan[Milestone], in_plan(Milestone, "milestone")]
DeletedPlan = Annotated[InPlan[Plan], in_plan(Plan, "plan", deleted=True)]
DeletedObjective = Annotated[InPlan[Objective], in_plan(Objective, "objective", deleted=True)]
DeletedAction = Annotated[InPlan[Action], in_plan(Action, "action", deleted=True)]
DeletedMeasure = Annotated[InPlan[Measure], in_plan(Measure, "measure", deleted=True)]
DeletedMilestone = Annotated[InPlan[Milestone], in_plan(Milestone, "milestone", deleted=True)]
