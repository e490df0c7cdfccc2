"""Request and response bodies for programmes, sessions, enrolments, attendance, evaluations
and responses."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, WithJsonSchema, model_validator

from app.core.models import Id
from app.core.pagination import Page
from app.core.resources import RecordRead, SoftDeleteRead
from app.core.schemas import Body, Day, Keep, Title
from app.core.schemas import LongText as Text

QuestionText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"\S", max_length=1000)
]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class Audience(StrEnum):
    practitioners = "practitioners"
    strategic_leaders = "strategic_leaders"
    trainers = "trainers"


class SessionMode(StrEnum):
    in_person = "in_person"
    online = "online"
    in_service_day = "in_service_day"


class Phase(StrEnum):
    pre = "pre"
    post = "post"


class QuestionKind(StrEnum):
    likert_1_5 = "likert_1_5"
    yes_no = "yes_no"
    free_text = "free_text"


# --- programmes, sessions, enrolments, attendance ----------------------------------------


PartnershipIds = Annotated[list[Id], Field(max_length=50)]


class ProgrammeCreate(Body):
    title: Title = Field(description="Title.", examples=["Collaborative Learning Programme"])
    audience: Audience = Field(description="practitioners, strategic_leaders or trainers.")
    description: Text | None = Field(default=None, description="About the programme.")
    partnership_ids: PartnershipIds = Field(
        default_factory=list, description="Partnerships (of this network) delivering it."
    )
    cohort_id: Id | None = Field(default=None, description="The cohort it serves, if any.")


class ProgrammeUpdate(Body):
    title: Keep[Title] = Field(default=None, description="Title.")
    audience: Keep[Audience] = Field(default=None, description="Audience.")
    description: Text | None = Field(default=None, description="Description.")
    partnership_ids: Keep[PartnershipIds] = Field(
        default=None, description="Replaces the delivering partnerships."
    )
    cohort_id: Id | None = Field(default=None, description="Cohort.")


class ProgrammeRead(SoftDeleteRead):
    network_id: int = Field(description="The network running it.")
    title: str = Field(description="Title.")
    audience: Audience = Field(description="Audience.")
    description: str | None = Field(description="Description.")
    partnership_ids: list[int] = Field(description="Delivering partnerships.")
    cohort_id: int | None = Field(description="Cohort.")


class ProgrammePage(Page[ProgrammeRead]):
    """A page of programmes."""


class SessionCreate(Body):
    held_on: Day = Field(description="Date.")
    mode: SessionMode = Field(description="in_person, online or in_service_day.")
    title: Title = Field(description="Title.", examples=["Introduction to collaborative enquiry"])


class SessionRead(RecordRead):
    programme_id: int = Field(description="Programme.")
    held_on: Day = Field(description="Date.")
    mode: SessionMode = Field(description="Mode.")
    title: str = Field(description="Title.")


class SessionPage(Page[SessionRead]):
    """A page of programme sessions."""


class ProgrammeEnrolmentCreate(Body):
    user_id: Id | None = Field(default=None, description="A person (or organisation_id).")
    organisation_id: Id | None = Field(default=None, description="An organisation (or user_id).")
    enrolled_on: Day | None = Field(default=None, description="Defaults to today.")

    @model_validator(mode="after")
    def _exactly_one(self) -> "ProgrammeEnrolmentCreate":
        if (self.user_id is None) == (self.organisation_id is None):
            raise ValueError("give exactly one of user_id and organisation_id")
        return self


class ProgrammeEnrolmentRead(RecordRead):
    programme_id: int = Field(description="Programme.")
    user_id: int | None = Field(description="The person, if a person.")
    organisation_id: int | None = Field(description="The organisation, if an organisation.")
    enrolled_on: Day = Field(description="Enrolled.")


class ProgrammeEnrolmentPage(Page[ProgrammeEnrolmentRead]):
    """A page of programme enrolments."""


class AttendanceWrite(Body):
    enrolment_ids: Annotated[list[Id], Field(max_length=2000)] = Field(
        description="Every enrolment present (replaces the list)."
    )


class AttendanceRead(BaseModel):
    session_id: int = Field(description="Session.")
    enrolment_ids: list[int] = Field(description="Enrolments present, in id order.")


# --- evaluations --------------------------------------------------------------------------


class Question(Body):
    key: Key = Field(description="A key unique in the form.", examples=["confidence"])
    text: QuestionText = Field(
        description="The question.", examples=["How confident are you leading enquiry?"]
    )
    kind: QuestionKind = Field(description="likert_1_5, yes_no or free_text.")


class EvaluationCreate(Body):
    title: Title = Field(description="Title.", examples=["End of programme evaluation"])
    phase: Phase = Field(description="pre or post.")
    questions: Annotated[list[Question], Field(min_length=1, max_length=100)] = Field(
        description="Questions, keys unique."
    )

    @model_validator(mode="after")
    def _unique_keys(self) -> "EvaluationCreate":
        keys = [q.key for q in self.questions]
        if len(keys) != len(set(keys)):
            raise ValueError("question keys must be unique")
        return self


class QuestionRead(BaseModel):
    key: str = Field(description="Key.")
    text: str = Field(description="Question.")
    kind: QuestionKind = Field(description="Kind.")


class EvaluationRead(RecordRead):
    programme_id: int = Field(description="Programme.")
    title: str = Field(description="Title.")
    phase: Phase = Field(description="pre or post.")
    questions: list[QuestionRead] = Field(description="Questions.")


class EvaluationPage(Page[EvaluationRead]):
    """A page of evaluations."""


# Checked against the question's kind by the service; documented here with its bounds.
Answer = Annotated[
    Any,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": 5},
                {"type": "boolean"},
                {"type": "string", "maxLength": 5000},
            ],
            "description": "1-5 (likert_1_5), true/false (yes_no) or text (free_text).",
        }
    ),
]


class ResponseCreate(Body):
    answers: dict[Key, Answer] = Field(
        max_length=100,
        json_schema_extra={"additionalProperties": False},
        description="Answers by question key: 1-5 (likert_1_5), true/false (yes_no), text "
        "(free_text); questions may be left out, unknown keys are refused.",
        examples=[{"confidence": 4}],
    )
    anonymous: bool = Field(
        default=False, description="Store no user id (you still answer only once)."
    )


class ResponseRead(BaseModel):
    id: int = Field(description="Response id.")
    evaluation_id: int = Field(description="Evaluation.")
    user_id: int | None = Field(description="Respondent; null when anonymous.")
    anonymous: bool = Field(description="Whether the response is anonymous.")
    answers: dict[str, Any] = Field(description="Answers by question key.")
    created_at: datetime = Field(description="Answered.")


class QuestionSummary(BaseModel):
    key: str = Field(description="Question key.")
    kind: QuestionKind = Field(description="Kind.")
    count: int = Field(description="How many answered it.")
    mean: float | None = Field(description="Mean answer (likert only; null without answers).")
    distribution: dict[str, int] | None = Field(
        description="Counts per answer: '1'..'5' (likert) or 'yes'/'no'; null for free text."
    )
    pre_mean: float | None = Field(
        description="Mean of the matching pre evaluation (post likert questions only)."
    )
    change: float | None = Field(description="mean - pre_mean, when both exist.")


class EvaluationSummary(BaseModel):
    evaluation_id: int = Field(description="Evaluation.")
    phase: Phase = Field(description="pre or post.")
    responses: int = Field(description="How many responses.")
    pre_evaluation_id: int | None = Field(
        description="The pre evaluation compared with (post only: the latest pre evaluation "
        "of the programme with the same question keys)."
    )
    questions: list[QuestionSummary] = Field(description="Per question.")
