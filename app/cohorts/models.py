"""Cohorts of a collaborative learning programme, their enrolled schools and the matching
proposals that turn them into collaborative learning teams (communities)."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Index, String, Text
from sqlmodel import Field

from app.core.db import UTCDateTime
from app.core.models import IdType, JSONType, RecordMixin, SoftDeleteMixin


class Cohort(RecordMixin, SoftDeleteMixin, table=True):
    """A round of a collaborative learning programme run by a network."""

    __tablename__ = "cohorts"

    network_id: int = Field(sa_type=IdType, foreign_key="networks.id", index=True)
    name: str = Field(max_length=200)
    description: str | None = Field(default=None, sa_type=Text)
    launch_on: date
    end_on: date | None = None
    target_size_min: int | None = Field(default=None, nullable=True)
    target_size_max: int | None = Field(default=None, nullable=True)


class Enrolment(RecordMixin, table=True):
    """A school in a cohort, with its enquiry interest; withdrawing keeps the row."""

    __tablename__ = "cohort_enrolments"
    __table_args__ = (Index("ix_cohort_enrolments_cohort_withdrawn", "cohort_id", "withdrawn_on"),)

    cohort_id: int = Field(sa_type=IdType, foreign_key="cohorts.id")
    organisation_id: int = Field(sa_type=IdType, foreign_key="organisations.id", index=True)
    enquiry: str | None = Field(default=None, sa_type=Text)
    topics: list[str] = Field(default_factory=list, sa_type=JSONType)
    enrolled_on: date
    withdrawn_on: date | None = Field(default=None, nullable=True)


class MatchingProposal(RecordMixin, table=True):
    """Teams proposed for a cohort's schools; accepting turns them into communities."""

    __tablename__ = "matching_proposals"

    cohort_id: int = Field(sa_type=IdType, foreign_key="cohorts.id", index=True)
    min_size: int
    max_size: int
    organisation_ids: list[int] = Field(default_factory=list, sa_type=JSONType)
    teams: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)
    summary: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
    status: str = Field(default="proposed", sa_type=String(10))
    accepted_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    accepted_by_user_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="users.id", nullable=True
    )
    community_ids: list[int] = Field(default_factory=list, sa_type=JSONType)
    created_by_user_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="users.id", nullable=True
    )
