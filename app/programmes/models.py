"""Professional learning programmes run by a network and delivered by its partnerships: their
sessions, enrolments and attendance, and their evaluations (forms and responses)."""

from datetime import date
from typing import Any

from sqlalchemy import CheckConstraint, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.core.i18n import TranslationsMixin, translatable
from app.core.models import IdType, JSONType, RecordMixin, SoftDeleteMixin


@translatable("title", "description")
class Programme(RecordMixin, SoftDeleteMixin, TranslationsMixin, table=True):
    """A professional learning programme run by a network, delivered by partnerships."""

    __tablename__ = "programmes"

    network_id: int = Field(sa_type=IdType, foreign_key="networks.id", index=True)
    title: str = Field(max_length=300)
    audience: str = Field(sa_type=String(20))
    description: str | None = Field(default=None, sa_type=Text)
    partnership_ids: list[int] = Field(default_factory=list, sa_type=JSONType)
    cohort_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="cohorts.id", nullable=True, index=True
    )
    created_by_user_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="users.id", nullable=True
    )


class ProgrammeSession(RecordMixin, table=True):
    """One session of a programme."""

    __tablename__ = "programme_sessions"

    programme_id: int = Field(sa_type=IdType, foreign_key="programmes.id", index=True)
    held_on: date
    mode: str = Field(sa_type=String(20))
    title: str = Field(max_length=300)


class ProgrammeEnrolment(RecordMixin, table=True):
    """A person or an organisation enrolled on a programme."""

    __tablename__ = "programme_enrolments"
    __table_args__ = (
        CheckConstraint(
            "(user_id IS NULL) <> (organisation_id IS NULL)", name="ck_programme_enrolments_one"
        ),
    )

    programme_id: int = Field(sa_type=IdType, foreign_key="programmes.id", index=True)
    user_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="users.id", nullable=True, index=True
    )
    organisation_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="organisations.id", nullable=True, index=True
    )
    enrolled_on: date


class SessionAttendance(SQLModel, table=True):
    """An enrolment present at a session."""

    __tablename__ = "programme_attendance"

    session_id: int = Field(sa_type=IdType, foreign_key="programme_sessions.id", primary_key=True)
    enrolment_id: int = Field(
        sa_type=IdType, foreign_key="programme_enrolments.id", primary_key=True, index=True
    )


class Evaluation(RecordMixin, table=True):
    """An evaluation form of a programme, given before (pre) or after (post) it."""

    __tablename__ = "evaluations"

    programme_id: int = Field(sa_type=IdType, foreign_key="programmes.id", index=True)
    title: str = Field(max_length=300)
    phase: str = Field(sa_type=String(4))
    questions: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONType)


class EvaluationResponse(RecordMixin, table=True):
    """One respondent's answers. ``respondent_key`` is an HMAC of the user id and evaluation
    id (keyed by the server secret), stored for named and anonymous answers alike, so a
    respondent answers once; anonymous answers leave ``user_id`` null."""

    __tablename__ = "evaluation_responses"
    __table_args__ = (
        UniqueConstraint(
            "evaluation_id", "respondent_key", name="uq_evaluation_responses_respondent"
        ),
    )

    evaluation_id: int = Field(sa_type=IdType, foreign_key="evaluations.id", index=True)
    user_id: int | None = Field(default=None, sa_type=IdType, foreign_key="users.id", nullable=True)
    respondent_key: str = Field(sa_type=String(64))
    anonymous: bool = False
    answers: dict[str, Any] = Field(default_factory=dict, sa_type=JSONType)
