"""Mobility register: opportunities offered at an EQF level, and counts of actual mobilities."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, SmallInteger, String, Text, UniqueConstraint
from sqlmodel import Field

from app.core.db import UTCDateTime, utcnow
from app.core.models import IdMixin, IdType, RecordMixin, SoftDeleteMixin

# ``eqf_level`` of a count whose level was not given: a real value, so that the natural key's
# UNIQUE constraint also holds for it (NULLs are all distinct in UNIQUE constraints).
EQF_NOT_GIVEN = 0


class MobilityOpportunity(RecordMixin, SoftDeleteMixin, table=True):
    """An offer of a mobility (a placement, a job shadowing, a virtual exchange) by one
    organisation, kept in a network's register."""

    __tablename__ = "mobility_opportunities"
    __table_args__ = (
        Index("ix_mobility_opportunities_network_eqf", "network_id", "eqf_level"),
        CheckConstraint("eqf_level BETWEEN 1 AND 8", name="ck_mobility_opportunities_eqf"),
    )

    network_id: int = Field(sa_type=IdType, foreign_key="networks.id")
    organisation_id: int = Field(sa_type=IdType, foreign_key="organisations.id", index=True)
    title: str = Field(max_length=300)
    description: str | None = Field(default=None, sa_type=Text)
    eqf_level: int = Field(sa_type=SmallInteger)
    participant: str = Field(sa_type=String(10))
    mode: str = Field(sa_type=String(10))
    field_of_study: str | None = Field(default=None, max_length=200)
    places: int | None = Field(default=None, nullable=True)
    opens_on: date | None = Field(default=None, nullable=True)
    closes_on: date | None = Field(default=None, nullable=True)


class MobilityCountBatch(IdMixin, table=True):
    """One accepted POST of counts: who sent it, when, and what it changed (audited)."""

    __tablename__ = "mobility_count_batches"

    network_id: int = Field(sa_type=IdType, foreign_key="networks.id", index=True)
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    posted_by_kind: str = Field(sa_type=String(20))
    posted_by_id: int | None = Field(default=None, sa_type=IdType, nullable=True)
    records: int = Field(default=0)
    inserted: int = Field(default=0)
    updated: int = Field(default=0)
    unchanged: int = Field(default=0)


class MobilityCount(IdMixin, table=True):
    """How many staff or learners moved from one organisation to another in a month.

    The natural key is (network, period, sending, receiving, participant, mode, eqf_level);
    posting a key again replaces its count. ``period`` is the first day of the month.
    """

    __tablename__ = "mobility_counts"
    __table_args__ = (
        UniqueConstraint(
            "network_id",
            "period",
            "sending_org_id",
            "receiving_org_id",
            "participant",
            "mode",
            "eqf_level",
            name="uq_mobility_counts_key",
        ),
        Index("ix_mobility_counts_receiving_org", "receiving_org_id"),
        Index("ix_mobility_counts_sending_org", "sending_org_id"),
        Index("ix_mobility_counts_network_updated", "network_id", "updated_at"),
        # Covering, grouping columns first: a summary by participant and mode reads its
        # groups in index order (on SQLite a skip-scan, no temporary B-tree); 0014p.
        Index(
            "ix_mobility_counts_summary",
            "participant",
            "mode",
            "network_id",
            "period",
            "eqf_level",
            "count",
        ),
        CheckConstraint("eqf_level BETWEEN 0 AND 8", name="ck_mobility_counts_eqf"),
        CheckConstraint("count >= 0", name="ck_mobility_counts_count"),
    )

    network_id: int = Field(sa_type=IdType, foreign_key="networks.id")
    period: date
    sending_org_id: int = Field(sa_type=IdType, foreign_key="organisations.id")
    receiving_org_id: int = Field(sa_type=IdType, foreign_key="organisations.id")
    participant: str = Field(sa_type=String(10))
    mode: str = Field(sa_type=String(10))
    eqf_level: int = Field(default=EQF_NOT_GIVEN, sa_type=SmallInteger)
    count: int
    source_ref: str | None = Field(default=None, max_length=200)
    batch_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="mobility_count_batches.id", nullable=True
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=False)
    # Upserts set it themselves (ON CONFLICT DO UPDATE runs no onupdate); other UPDATEs get it.
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_type=UTCDateTime,
        nullable=False,
        sa_column_kwargs={"onupdate": utcnow},
    )
