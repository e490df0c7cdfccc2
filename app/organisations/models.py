"""Organisations and their memberships of networks."""

from datetime import date

from sqlalchemy import Index, String, Text
from sqlmodel import Field

from app.core.models import IdType, RecordMixin, SoftDeleteMixin


class Organisation(RecordMixin, SoftDeleteMixin, table=True):
    __tablename__ = "organisations"

    name: str = Field(max_length=200, index=True)
    kind: str = Field(sa_type=String(30), index=True)
    country: str | None = Field(default=None, sa_type=String(2))
    region: str | None = Field(default=None, max_length=200)
    local_authority: str | None = Field(default=None, max_length=200, index=True)
    erasmus_oid: str | None = Field(default=None, max_length=20, unique=True)
    pic: str | None = Field(default=None, max_length=20, unique=True)
    website: str | None = Field(default=None, max_length=2000)
    description: str | None = Field(default=None, sa_type=Text)
    owner_network_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="networks.id", nullable=True, index=True
    )
    created_by_user_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="users.id", nullable=True
    )


class Membership(RecordMixin, table=True):
    """An organisation's membership of a network; leaving sets ``left_on`` and keeps the row."""

    __tablename__ = "network_memberships"
    __table_args__ = (Index("ix_network_memberships_network_left", "network_id", "left_on"),)

    network_id: int = Field(sa_type=IdType, foreign_key="networks.id")
    organisation_id: int = Field(sa_type=IdType, foreign_key="organisations.id", index=True)
    joined_on: date
    left_on: date | None = Field(default=None, nullable=True)
    note: str | None = Field(default=None, max_length=500)
