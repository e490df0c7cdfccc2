"""Plans: objectives (a tree), actions, measures of success, milestones and their evidence."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Float, Index, String, Text
from sqlmodel import Field

from app.core.db import UTCDateTime, utcnow
from app.core.i18n import TranslationsMixin, translatable
from app.core.models import IdMixin, IdType, JSONType, RecordMixin, SoftDeleteMixin


@translatable("title", "aim")
class Plan(RecordMixin, SoftDeleteMixin, TranslationsMixin, table=True):
    __tablename__ = "plans"

    network_id: int = Field(sa_type=IdType, foreign_key="networks.id", index=True)
    title: str = Field(max_length=300)
    aim: str | None = Field(default=None, sa_type=Text)
    period_start: date
    period_end: date
    status: str = Field(default="draft", sa_type=String(10))
    # Lifecycle (app/plans/lifecycle.py): the plan it was copied from; when it was closed and
    # the /progress answer kept at that moment.
    copied_from_id: int | None = Field(default=None, sa_type=IdType, nullable=True)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    final_progress: dict[str, Any] | None = Field(default=None, sa_type=JSONType, nullable=True)


@translatable("title", "description", "responsible_group", "role_of_partners")
class Objective(RecordMixin, SoftDeleteMixin, TranslationsMixin, table=True):
    """A node of a plan's tree: aspiration → objective, outcome → sub-outcome."""

    __tablename__ = "objectives"
    __table_args__ = (Index("ix_objectives_plan_code", "plan_id", "code"),)

    plan_id: int = Field(sa_type=IdType, foreign_key="plans.id", index=True)
    parent_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="objectives.id", nullable=True, index=True
    )
    code: str = Field(max_length=20)
    kind: str = Field(sa_type=String(20))
    title: str = Field(sa_type=Text)
    description: str | None = Field(default=None, sa_type=Text)
    position: int = Field(default=0)
    workstreams: list[str] = Field(default_factory=list, sa_type=JSONType)
    responsible_group: str | None = Field(default=None, max_length=300)
    responsible_community_id: int | None = Field(default=None, sa_type=IdType, nullable=True)
    role_of_partners: str | None = Field(default=None, sa_type=Text)
    copied_from_id: int | None = Field(default=None, sa_type=IdType, nullable=True)


@translatable("description", "owner_text")
class Action(RecordMixin, SoftDeleteMixin, TranslationsMixin, table=True):
    __tablename__ = "actions"
    __table_args__ = (Index("ix_actions_plan_status", "plan_id", "status"),)

    plan_id: int = Field(sa_type=IdType, foreign_key="plans.id")
    objective_id: int = Field(sa_type=IdType, foreign_key="objectives.id", index=True)
    description: str = Field(sa_type=Text)
    status: str = Field(default="planned", sa_type=String(20))
    owner_user_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="users.id", nullable=True
    )
    owner_community_id: int | None = Field(default=None, sa_type=IdType, nullable=True)
    owner_text: str | None = Field(default=None, max_length=300)
    start_on: date | None = None
    due_on: date | None = None
    position: int = Field(default=0)
    copied_from_id: int | None = Field(default=None, sa_type=IdType, nullable=True)


class ActionStatusChange(IdMixin, table=True):
    __tablename__ = "action_status_changes"

    action_id: int = Field(sa_type=IdType, foreign_key="actions.id", index=True)
    from_status: str | None = Field(default=None, sa_type=String(20))
    to_status: str = Field(sa_type=String(20))
    note: str | None = Field(default=None, max_length=2000)
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    changed_by_kind: str = Field(sa_type=String(20))
    changed_by_id: int | None = Field(default=None, sa_type=IdType, nullable=True)


@translatable("description")
class Measure(RecordMixin, SoftDeleteMixin, TranslationsMixin, table=True):
    """A measure of success: a target, and a value read by hand or derived from live data."""

    __tablename__ = "measures"

    plan_id: int = Field(sa_type=IdType, foreign_key="plans.id", index=True)
    objective_id: int = Field(sa_type=IdType, foreign_key="objectives.id", index=True)
    description: str = Field(sa_type=Text)
    kind: str = Field(default="numeric", sa_type=String(12))
    target_comparator: str | None = Field(default=None, sa_type=String(10))
    target_value: float | None = Field(default=None, sa_type=Float)
    target_unit: str | None = Field(default=None, max_length=100)
    target_period: str | None = Field(default=None, sa_type=String(10))
    source: str = Field(default="manual", sa_type=String(40))
    source_params: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    update_frequency: str | None = Field(default=None, sa_type=String(10))
    position: int = Field(default=0)
    copied_from_id: int | None = Field(default=None, sa_type=IdType, nullable=True)


class MeasureReading(IdMixin, table=True):
    __tablename__ = "measure_readings"
    __table_args__ = (Index("ix_measure_readings_measure_observed", "measure_id", "observed_on"),)

    measure_id: int = Field(sa_type=IdType, foreign_key="measures.id")
    value: float = Field(sa_type=Float)
    observed_on: date
    note: str | None = Field(default=None, max_length=2000)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    recorded_by_kind: str = Field(sa_type=String(20))
    recorded_by_id: int | None = Field(default=None, sa_type=IdType, nullable=True)


@translatable("title")
class Milestone(RecordMixin, SoftDeleteMixin, TranslationsMixin, table=True):
    """A dated point of planned evidence, on an objective or on one of its actions."""

    __tablename__ = "milestones"
    __table_args__ = (Index("ix_milestones_plan_status_due", "plan_id", "status", "due_on"),)

    plan_id: int = Field(sa_type=IdType, foreign_key="plans.id")
    objective_id: int = Field(sa_type=IdType, foreign_key="objectives.id", index=True)
    action_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="actions.id", nullable=True, index=True
    )
    title: str = Field(sa_type=Text)
    due_on: date | None = None
    due_precision: str = Field(default="day", sa_type=String(5))
    status: str = Field(default="pending", sa_type=String(10))
    achieved_on: date | None = None
    position: int = Field(default=0)
    copied_from_id: int | None = Field(default=None, sa_type=IdType, nullable=True)


class Evidence(IdMixin, table=True):
    __tablename__ = "milestone_evidence"

    milestone_id: int = Field(sa_type=IdType, foreign_key="milestones.id", index=True)
    kind: str = Field(sa_type=String(10))
    text: str | None = Field(default=None, sa_type=Text)
    url: str | None = Field(default=None, max_length=8000)
    # An evaluation of one of the network's programmes (app/plans/evidence.py checks it).
    evaluation_id: int | None = Field(default=None, sa_type=IdType, nullable=True)
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    recorded_by_kind: str = Field(sa_type=String(20))
    recorded_by_id: int | None = Field(default=None, sa_type=IdType, nullable=True)


class CheckIn(IdMixin, table=True):
    """A person's judgement of an objective or a measure: a rating, how sure, and why."""

    __tablename__ = "check_ins"
    __table_args__ = (
        Index("ix_check_ins_plan_recorded_on", "plan_id", "recorded_on"),
        Index("ix_check_ins_objective_recorded_on", "objective_id", "recorded_on"),
        Index("ix_check_ins_measure_recorded_on", "measure_id", "recorded_on"),
    )

    plan_id: int = Field(sa_type=IdType, foreign_key="plans.id")
    objective_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="objectives.id", nullable=True
    )
    measure_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="measures.id", nullable=True
    )
    rating: str = Field(sa_type=String(5))
    confidence: int | None = Field(default=None, nullable=True)
    note: str | None = Field(default=None, max_length=2000)
    recorded_on: date
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    recorded_by_kind: str = Field(sa_type=String(20))
    recorded_by_id: int | None = Field(default=None, sa_type=IdType, nullable=True)
