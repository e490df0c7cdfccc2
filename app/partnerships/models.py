"""Partnerships with stakeholder organisations and partners' commitments to plan objectives
and actions (programmes, which partnerships deliver, are in ``app/programmes``)."""

from datetime import date

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlmodel import Field

from app.core.models import IdType, JSONType, RecordMixin, SoftDeleteMixin


class Partnership(RecordMixin, SoftDeleteMixin, table=True):
    """A network's relationship with a stakeholder organisation. ``status`` stores proposed,
    active or ended; *lapsed* is computed (active and past ``review_on``)."""

    __tablename__ = "partnerships"
    __table_args__ = (Index("ix_partnerships_network_status", "network_id", "status"),)

    network_id: int = Field(sa_type=IdType, foreign_key="networks.id")
    organisation_id: int = Field(sa_type=IdType, foreign_key="organisations.id", index=True)
    sector: str = Field(sa_type=String(20))
    direction: str = Field(sa_type=String(10))
    scope: str = Field(sa_type=String(20))
    purposes: list[str] = Field(default_factory=list, sa_type=JSONType)
    description: str | None = Field(default=None, sa_type=Text)
    start_on: date
    end_on: date | None = Field(default=None, nullable=True)
    review_on: date | None = Field(default=None, nullable=True)
    status: str = Field(default="proposed", sa_type=String(10))
    contact_name: str | None = Field(default=None, max_length=200)
    contact_email: str | None = Field(default=None, max_length=320)
    contact_role: str | None = Field(default=None, max_length=200)
    agreement_reference: str | None = Field(default=None, max_length=300)
    created_by_user_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="users.id", nullable=True
    )


class PartnerCommitment(RecordMixin, table=True):
    """The role a partner plays in a plan objective or action ("Role of Partners")."""

    __tablename__ = "partner_commitments"
    __table_args__ = (
        CheckConstraint(
            "(objective_id IS NULL) <> (action_id IS NULL)", name="ck_partner_commitments_one"
        ),
    )

    partnership_id: int = Field(sa_type=IdType, foreign_key="partnerships.id", index=True)
    objective_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="objectives.id", nullable=True, index=True
    )
    action_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="actions.id", nullable=True, index=True
    )
    role: str = Field(sa_type=Text)
