"""Communities (working groups, communities of practice, teams…), their members and meetings."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlmodel import Field, SQLModel

from app.core.db import UTCDateTime
from app.core.i18n import TranslationsMixin, translatable
from app.core.models import IdType, JSONType, RecordMixin, SoftDeleteMixin


@translatable("title", "focus_area", "purpose", "development_plan")
class Community(RecordMixin, SoftDeleteMixin, TranslationsMixin, table=True):
    """A group working together, at home in one network and possibly spanning others."""

    __tablename__ = "communities"
    __table_args__ = (Index("ix_communities_network_kind_status", "network_id", "kind", "status"),)

    network_id: int = Field(sa_type=IdType, foreign_key="networks.id")
    kind: str = Field(sa_type=String(30))
    title: str = Field(max_length=300)
    focus_area: str | None = Field(default=None, max_length=300)
    purpose: str | None = Field(default=None, sa_type=Text)
    status: str = Field(default="forming", sa_type=String(10))
    meeting_frequency: str | None = Field(default=None, max_length=200)
    meeting_duration_minutes: int | None = Field(default=None, nullable=True)
    meeting_format: str | None = Field(default=None, sa_type=String(10))
    development_plan: str | None = Field(default=None, sa_type=Text)
    cohort_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="cohorts.id", nullable=True, index=True
    )
    created_by_user_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="users.id", nullable=True
    )


class CommunityNetwork(SQLModel, table=True):
    """A network taking part in a community besides its home network."""

    __tablename__ = "community_networks"

    community_id: int = Field(sa_type=IdType, foreign_key="communities.id", primary_key=True)
    network_id: int = Field(sa_type=IdType, foreign_key="networks.id", primary_key=True, index=True)


class CommunityMember(RecordMixin, table=True):
    """A person or an organisation in a community; leaving sets ``left_on`` and keeps the row."""

    __tablename__ = "community_members"
    __table_args__ = (
        CheckConstraint(
            "(user_id IS NULL) <> (organisation_id IS NULL)", name="ck_community_members_one"
        ),
        Index("ix_community_members_community_left", "community_id", "left_on"),
    )

    community_id: int = Field(sa_type=IdType, foreign_key="communities.id")
    user_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="users.id", nullable=True, index=True
    )
    organisation_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="organisations.id", nullable=True, index=True
    )
    role: str = Field(sa_type=String(20))
    joined_on: date
    left_on: date | None = Field(default=None, nullable=True)
    note: str | None = Field(default=None, max_length=500)


class Meeting(RecordMixin, SoftDeleteMixin, table=True):
    """A meeting of a community, with its notes of reflective dialogue."""

    __tablename__ = "community_meetings"
    __table_args__ = (Index("ix_community_meetings_community_held", "community_id", "held_on"),)

    community_id: int = Field(sa_type=IdType, foreign_key="communities.id")
    held_on: date
    title: str | None = Field(default=None, max_length=300)
    attendee_user_ids: list[int] = Field(default_factory=list, sa_type=JSONType)
    attendee_names: list[str] = Field(default_factory=list, sa_type=JSONType)
    agenda: str | None = Field(default=None, sa_type=Text)
    notes: str | None = Field(default=None, sa_type=Text)
    evaluative_statements: list[str] = Field(default_factory=list, sa_type=JSONType)
    # A meeting planned ahead (calendars, app/notifications/calendar.py); held_on is then
    # the day of starts_at.
    starts_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    location: str | None = Field(default=None, max_length=300)
    online_url: str | None = Field(default=None, max_length=8000)
