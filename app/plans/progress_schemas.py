"""Response bodies for where a plan stands: the tree, progress, attention, changes, roll-up."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from app.core.pagination import Page
from app.core.schemas import Day
from app.plans.action_schemas import ActionRead
from app.plans.checkin_schemas import ReportedRating
from app.plans.measure_schemas import MeasureRead
from app.plans.milestone_schemas import MilestoneRead
from app.plans.objective_schemas import ObjectiveRead
from app.plans.schemas import MeasureKind, MeasureStatus, PlanRead, Rag

# --- tree and progress --------------------------------------------------------------------


class ActionNode(ActionRead):
    milestones: list[MilestoneRead] = Field(description="Milestones on this action.")


class ObjectiveNode(ObjectiveRead):
    actions: list[ActionNode] = Field(description="Actions, in order.")
    measures: list[MeasureRead] = Field(description="Measures of success, in order.")
    milestones: list[MilestoneRead] = Field(description="Milestones on the objective itself.")
    children: list["ObjectiveNode"] = Field(description="Sub-objectives, in order.")


class PlanTree(PlanRead):
    objectives: list[ObjectiveNode] = Field(description="Top-level objectives, in order.")


class ActionCounts(BaseModel):
    planned: int = Field(default=0, description="Planned.")
    in_progress: int = Field(default=0, description="In progress.")
    done: int = Field(default=0, description="Done.")
    blocked: int = Field(default=0, description="Blocked.")
    dropped: int = Field(default=0, description="Dropped.")
    overdue: int = Field(
        default=0, description="Planned or in progress past their due date (any status above)."
    )
    total: int = Field(default=0, description="All actions.")


class MilestoneCounts(BaseModel):
    achieved: int = Field(default=0, description="Achieved.")
    pending: int = Field(default=0, description="Pending (not yet due, or overdue).")
    overdue: int = Field(default=0, description="Pending past their due date.")
    missed: int = Field(default=0, description="Recorded as missed.")
    due: int = Field(default=0, description="Due by now (due date passed), whatever status.")
    total: int = Field(default=0, description="All milestones.")


class MeasureCounts(BaseModel):
    achieved: int = Field(default=0, description="Achieved.")
    on_track: int = Field(default=0, description="On track.")
    at_risk: int = Field(default=0, description="At risk.")
    off_track: int = Field(default=0, description="Off track.")
    no_data: int = Field(
        default=0,
        description="No value, no target (numeric), no reading (binary) or no check-in "
        "(qualitative).",
    )
    stale: int = Field(default=0, description="Measures whose reading or check-in is overdue.")
    current: int = Field(
        default=0,
        description="Measures with a current value: judged (not `no_data`) and not stale. "
        "`coverage` is `current / total`.",
    )
    total: int = Field(default=0, description="All measures.")


RATING_RULE = """Rating, first rule that applies (the same for an objective, counting its
sub-objectives, and for the whole plan; docs/plans.md):

1. **red**: a measure is `off_track`, or more than 25 % of the milestones already due are
   overdue or missed.
2. **grey** (not enough evidence to judge): it has measures and no more than half of them have
   a current value (`coverage` ≤ 0.5); or no measure has a current value, no milestone is
   decided (achieved or missed) and no action has started (in progress, done or blocked) —
   which includes having nothing to judge at all.
3. **amber**: a measure is `at_risk` or stale, a milestone is overdue or missed, or an action
   is blocked or past its due date.
4. **green**: otherwise — evidence covers most of what it is judged on and shows no problem.

So missing evidence is never green, and `off_track` is always red whatever the coverage."""


class PersonRef(BaseModel):
    id: int = Field(description="User id.")
    name: str = Field(description="Name.")


class CommunityRef(BaseModel):
    id: int = Field(description="Community id.")
    name: str = Field(description="Community title.")


class Owner(BaseModel):
    """Who answers for an item: an action's owner, else its objective's responsible community
    and group (inherited from the nearest ancestor objective that names one)."""

    community: CommunityRef | None = Field(description="The responsible community.")
    people: list[PersonRef] = Field(
        description="People responsible: an action's owner, else the responsible community's leads."
    )
    text: str | None = Field(
        description="Responsible, as written (an action's `owner_text` or the objective's "
        "`responsible_group`)."
    )


class AttentionKind(StrEnum):
    measure = "measure"
    milestone = "milestone"
    action = "action"
    objective = "objective"


class AttentionReason(StrEnum):
    """In order of severity (most severe first)."""

    off_track = "off_track"
    missed = "missed"
    overdue = "overdue"
    blocked = "blocked"
    at_risk = "at_risk"
    stale = "stale"
    no_data = "no_data"


class AttentionItem(BaseModel):
    kind: AttentionKind = Field(description="measure, milestone, action or objective.")
    id: int = Field(description="The item's id (of its kind).")
    objective_id: int = Field(description="Its objective.")
    objective_code: str = Field(description="Its objective's code.")
    title: str = Field(description="The measure's description, milestone's title, ...")
    reason: AttentionReason = Field(
        description="off_track, missed, overdue, blocked, at_risk, stale or no_data "
        "(most severe first)."
    )
    detail: str = Field(
        description="A readable sentence.", examples=["value 3 of target at least 8"]
    )
    owner: Owner = Field(description="Who answers for it.")
    due_on: Day | None = Field(
        description="Due date (a measure: the end of the window its target is judged in)."
    )
    days_overdue: int | None = Field(description="Days past `due_on`, when overdue or missed.")


class Actor(BaseModel):
    kind: str = Field(description="user or service_account.")
    id: int | None = Field(description="Id.")
    name: str | None = Field(description="Name (null if unknown).")


class ChangeKind(StrEnum):
    status = "status"
    milestone = "milestone"
    reading = "reading"
    evidence = "evidence"
    check_in = "check_in"
    plan = "plan"


class Change(BaseModel):
    occurred_at: datetime = Field(description="When (UTC).")
    kind: ChangeKind = Field(
        description="status (an action's), milestone (achieved, missed, reopened), reading, "
        "evidence, check_in, plan (its status)."
    )
    object_type: str = Field(description="Table of the object, as in the audit trail.")
    object_id: int = Field(description="Id of the object.")
    objective_code: str | None = Field(description="Objective's code, when on one.")
    title: str = Field(description="What it is about (action, milestone, measure, plan).")
    what: str = Field(description="What happened.", examples=["planned → in_progress"])
    who: Actor = Field(description="Who did it.")


class Progress(BaseModel):
    actions: ActionCounts = Field(description="Actions by status.")
    milestones: MilestoneCounts = Field(description="Milestones by state.")
    measures: MeasureCounts = Field(description="Measures by status.")
    rating: Rag = Field(description="green / amber / red / grey.\n\n" + RATING_RULE)
    computed_rating: Rag = Field(
        description="The rating computed from the evidence (the rule under `rating`); a "
        "rating people report in check-ins is shown next to it, never instead of it."
    )
    coverage: float | None = Field(
        ge=0,
        le=1,
        description="Share (0-1) of the measures with a current, non-stale value; null when "
        "there are no measures.",
    )
    reasons: list[str] = Field(
        description="Why the rating is what it is, in short sentences, most important first.",
        examples=[["2 of 4 measures have no data", "milestone 'MoU signed' is 40 days overdue"]],
    )
    rag: Rag = Field(deprecated=True, description="Same as `rating` (kept for old clients).")


class ObjectiveProgress(Progress):
    objective_id: int = Field(description="Objective.")
    parent_id: int | None = Field(description="Parent objective.")
    code: str = Field(description="Code.")
    title: str = Field(description="Title.")
    reported_rating: ReportedRating | None = Field(
        default=None,
        description="The latest check-in on this objective (on or before `as_of`), next to "
        "the computed rating, which it never replaces.",
    )


class MeasureProgress(BaseModel):
    """A measure's computed status, with the latest check-in people recorded on it beside
    it (never in its place)."""

    measure_id: int = Field(description="Measure.")
    objective_id: int = Field(description="Its objective.")
    objective_code: str = Field(description="Its objective's code.")
    description: str = Field(description="How the network will know.")
    kind: MeasureKind = Field(description="numeric, binary or qualitative.")
    status: MeasureStatus = Field(
        description="The computed status as of `as_of`: achieved, on_track, at_risk, "
        "off_track or no_data (docs/plans.md)."
    )
    is_stale: bool = Field(description="Its reading or check-in is overdue.")
    current_value: float | None = Field(
        description="The value it is judged on: the latest reading, or the derived value."
    )
    latest_check_in: ReportedRating | None = Field(
        description="The latest check-in on this measure on or before `as_of` (its rating, "
        "confidence, note, day and who recorded it), next to the computed status, which it "
        "never replaces; null when there is none."
    )


class PlanProgress(Progress):
    plan_id: int = Field(description="Plan.")
    as_of: Day = Field(description="The date the numbers are for.")
    objectives: list[ObjectiveProgress] = Field(
        description="Every objective, its numbers including its sub-objectives'."
    )
    measure_statuses: list[MeasureProgress] = Field(
        default_factory=list,
        description="Every measure in plan order (its objective's, then its own position), "
        "its computed status with its latest check-in next to it.",
    )
    attention: list[AttentionItem] = Field(
        description="What needs attention, most severe first (by reason, then most days "
        "overdue, then plan order)."
    )
    since: Day | None = Field(default=None, description="The `since` asked for.")
    changes: list[Change] | None = Field(
        default=None,
        description="With `since`: what happened from that day on (newest first), from the "
        "audit trail.",
    )
    changes_truncated: bool = Field(
        default=False, description="True when more changes happened than are listed."
    )


class PlanMilestoneRead(MilestoneRead):
    """A milestone in a plan-wide list, with what a chair needs to chase it."""

    objective_code: str = Field(description="Its objective's code.")
    owner: Owner = Field(description="Who answers for it.")
    reason: AttentionReason | None = Field(
        description="`overdue` or `missed` when it needs attention (as in `/progress`'s "
        "`attention`), else null."
    )
    detail: str | None = Field(
        description="A readable sentence when it needs attention, else null.",
        examples=["12 days overdue"],
    )
    days_overdue: int | None = Field(description="Days past due, when overdue or missed.")


class PlanMilestonePage(Page[PlanMilestoneRead]):
    """A page of a plan's milestones."""


# --- the network roll-up (GET /networks/{id}/progress) -------------------------------------


class PlanRollup(Progress):
    plan_id: int = Field(description="Plan.")
    title: str = Field(description="Title.")
    period_start: Day = Field(description="First day of the plan period.")
    period_end: Day = Field(description="Last day of the plan period.")
    as_of: Day = Field(description="The date this plan is judged at.")
    coverage: float | None = Field(
        description="Share (0-1) of the plan's measures with a current, non-stale value; null "
        "with no measures."
    )


class NetworkRollup(BaseModel):
    network_id: int = Field(description="Network.")
    name: str = Field(description="Name.")
    parent_id: int | None = Field(
        description="The parent it is shown under: a network in several parents below the "
        "network asked about appears once, under the first of them by name."
    )
    depth: int = Field(description="Levels below the network asked about (0 for itself).")
    plans: list[PlanRollup] = Field(description="Its active plans, by period start.")


class RollupTotals(BaseModel):
    networks: int = Field(description="Networks in the answer.")
    plans: int = Field(description="Active plans in the answer.")
    ratings: dict[str, int] = Field(
        description="Plans by rating (the plan /progress rating): green, amber, red, and "
        "grey for plans without enough evidence to judge (also those with nothing in them)."
    )
    actions: ActionCounts = Field(description="Actions of all the plans, by status.")
    milestones: MilestoneCounts = Field(description="Milestones of all the plans, by state.")
    measures: MeasureCounts = Field(description="Measures of all the plans, by status.")
    coverage: float | None = Field(
        description="Share (0-1) of all the plans' measures with a current, non-stale value."
    )


class NetworkProgress(BaseModel):
    network_id: int = Field(description="The network asked about.")
    as_of: Day | None = Field(
        description="The date asked for; null when each plan is judged at its own default "
        "(today, or its period end once the period is over)."
    )
    networks: list[NetworkRollup] = Field(
        description="The network and every descendant network the caller may read, "
        "depth-first, siblings by name."
    )
    totals: RollupTotals = Field(description="Sums over every plan in the answer.")
