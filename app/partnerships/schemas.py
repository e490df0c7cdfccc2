"""Request and response bodies for partnerships, partner commitments, programmes, sessions,
enrolments, attendance, evaluations and responses."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    EmailStr,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from app.core.models import Id
from app.core.pagination import Page
from app.core.schemas import Body, Day, Keep, Name, ShortText, Title
from app.core.schemas import LongText as Text
from app.core.schemas import Statement as Role

QuestionText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, pattern=r"\S", max_length=1000)
]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class Sector(StrEnum):
    public = "public"
    private = "private"
    third_sector = "third_sector"


class Direction(StrEnum):
    internal = "internal"
    external = "external"


class Scope(StrEnum):
    local = "local"
    regional = "regional"
    national = "national"
    international = "international"


class Purpose(StrEnum):
    cpd_provision = "cpd_provision"
    research = "research"
    critical_friend = "critical_friend"
    funding = "funding"
    policy = "policy"
    dissemination = "dissemination"


class StoredStatus(StrEnum):
    proposed = "proposed"
    active = "active"
    ended = "ended"


class PartnershipStatus(StrEnum):
    proposed = "proposed"
    active = "active"
    lapsed = "lapsed"
    ended = "ended"


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


Purposes = Annotated[list[Purpose], Field(max_length=6)]


# --- partnerships -------------------------------------------------------------------------


class Contact(Body):
    """The named contact at the partner organisation."""

    name: Name | None = Field(default=None, description="Name.", examples=["Prof. C. Chapman"])
    email: EmailStr | None = Field(default=None, description="Email.")
    role: ShortText | None = Field(default=None, description="Role.", examples=["Director"])


class PartnershipCreate(Body):
    organisation_id: Id = Field(
        description="The stakeholder organisation (its kind says what "
        "sort of stakeholder: ministry, university, cpd_provider…)."
    )
    sector: Sector = Field(description="public, private or third_sector.")
    direction: Direction = Field(
        default=Direction.external, description="internal (within the network) or external."
    )
    scope: Scope = Field(description="local, regional, national or international.")
    purposes: Purposes = Field(default_factory=list, description="What the partnership is for.")
    description: Text | None = Field(default=None, description="About the partnership.")
    start_on: Day = Field(description="Start date.")
    end_on: Day | None = Field(default=None, description="End date; null when open-ended.")
    review_on: Day | None = Field(
        default=None, description="Review date; an active partnership past it reads as lapsed."
    )
    status: StoredStatus = Field(
        default=StoredStatus.proposed, description="proposed, active or ended."
    )
    contact: Contact | None = Field(default=None, description="Named contact.")
    agreement_reference: ShortText | None = Field(
        default=None,
        description="The agreement, e.g. a Memorandum of Understanding reference.",
        examples=["MoU 2019/04"],
    )

    @model_validator(mode="after")
    def _dates(self) -> "PartnershipCreate":
        if self.end_on is not None and self.end_on < self.start_on:
            raise ValueError("end_on must not be before start_on")
        return self


class PartnershipUpdate(Body):
    sector: Keep[Sector] = Field(default=None, description="Sector.")
    direction: Keep[Direction] = Field(default=None, description="Direction.")
    scope: Keep[Scope] = Field(default=None, description="Scope.")
    purposes: Keep[Purposes] = Field(default=None, description="Replaces the purposes.")
    description: Text | None = Field(default=None, description="Description.")
    start_on: Keep[Day] = Field(default=None, description="Start date.")
    end_on: Day | None = Field(default=None, description="End date (null: open-ended).")
    review_on: Day | None = Field(default=None, description="Review date.")
    status: Keep[StoredStatus] = Field(default=None, description="proposed, active or ended.")
    contact: Contact | None = Field(default=None, description="Named contact (null clears).")
    agreement_reference: ShortText | None = Field(default=None, description="Agreement.")


class Renewal(Body):
    review_on: Day = Field(description="The next review date; must be later than today.")


class ContactRead(BaseModel):
    name: str | None = Field(description="Name.")
    email: str | None = Field(description="Email.")
    role: str | None = Field(description="Role.")


class PartnershipRead(BaseModel):
    id: int = Field(description="Partnership id.")
    network_id: int = Field(description="The network.")
    organisation_id: int = Field(description="The stakeholder organisation.")
    organisation_kind: str = Field(description="The organisation's kind: the stakeholder kind.")
    sector: Sector = Field(description="Sector.")
    direction: Direction = Field(description="internal or external.")
    scope: Scope = Field(description="Scope.")
    purposes: list[Purpose] = Field(description="Purposes.")
    description: str | None = Field(description="Description.")
    start_on: Day = Field(description="Start.")
    end_on: Day | None = Field(description="End; null when open-ended.")
    review_on: Day | None = Field(description="Next review.")
    status: PartnershipStatus = Field(
        description="As of today: ended when stored active and end_on has passed; lapsed "
        "when stored active and review_on has passed."
    )
    stored_status: StoredStatus = Field(description="The status as stored.")
    contact: ContactRead | None = Field(description="Named contact.")
    agreement_reference: str | None = Field(description="Agreement reference.")
    version: int = Field(description="Row version; send it back in If-Match.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")
    deleted_at: datetime | None = Field(description="Set when deleted (restorable).")


class PartnershipPage(Page[PartnershipRead]):
    """A page of partnerships."""


# --- commitments --------------------------------------------------------------------------


class CommitmentCreate(Body):
    objective_id: Id | None = Field(default=None, description="An objective (or action_id).")
    action_id: Id | None = Field(default=None, description="An action (or objective_id).")
    role: Role = Field(description="The partner's role.", examples=["Critical friend"])

    @model_validator(mode="after")
    def _exactly_one(self) -> "CommitmentCreate":
        if (self.objective_id is None) == (self.action_id is None):
            raise ValueError("give exactly one of objective_id and action_id")
        return self


class CommitmentRead(BaseModel):
    id: int = Field(description="Commitment id.")
    partnership_id: int = Field(description="Partnership.")
    objective_id: int | None = Field(description="Objective, if committed to one.")
    action_id: int | None = Field(description="Action, if committed to one.")
    plan_id: int = Field(description="The plan of the objective or action.")
    plan_title: str = Field(description="The plan's title.")
    objective_code: str = Field(description="The objective's code (the action's objective).")
    role: str = Field(description="The partner's role.")
    version: int = Field(description="Row version.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")


class CommitmentPage(Page[CommitmentRead]):
    """A page of partner commitments."""


# --- programmes ---------------------------------------------------------------------------


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


class ProgrammeRead(BaseModel):
    id: int = Field(description="Programme id.")
    network_id: int = Field(description="The network running it.")
    title: str = Field(description="Title.")
    audience: Audience = Field(description="Audience.")
    description: str | None = Field(description="Description.")
    partnership_ids: list[int] = Field(description="Delivering partnerships.")
    cohort_id: int | None = Field(description="Cohort.")
    version: int = Field(description="Row version; send it back in If-Match.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")
    deleted_at: datetime | None = Field(description="Set when deleted.")


class ProgrammePage(Page[ProgrammeRead]):
    """A page of programmes."""


class SessionCreate(Body):
    held_on: Day = Field(description="Date.")
    mode: SessionMode = Field(description="in_person, online or in_service_day.")
    title: Title = Field(description="Title.", examples=["Introduction to collaborative enquiry"])


class SessionRead(BaseModel):
    id: int = Field(description="Session id.")
    programme_id: int = Field(description="Programme.")
    held_on: Day = Field(description="Date.")
    mode: SessionMode = Field(description="Mode.")
    title: str = Field(description="Title.")
    version: int = Field(description="Row version.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")


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


class ProgrammeEnrolmentRead(BaseModel):
    id: int = Field(description="Enrolment id.")
    programme_id: int = Field(description="Programme.")
    user_id: int | None = Field(description="The person, if a person.")
    organisation_id: int | None = Field(description="The organisation, if an organisation.")
    enrolled_on: Day = Field(description="Enrolled.")
    version: int = Field(description="Row version.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")


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


class EvaluationRead(BaseModel):
    id: int = Field(description="Evaluation id.")
    programme_id: int = Field(description="Programme.")
    title: str = Field(description="Title.")
    phase: Phase = Field(description="pre or post.")
    questions: list[QuestionRead] = Field(description="Questions.")
    version: int = Field(description="Row version.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")


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


def contact_fields(contact: dict[str, Any] | None) -> dict[str, Any]:
    contact = contact or {}
    return {
        "contact_name": contact.get("name"),
        "contact_email": contact.get("email"),
        "contact_role": contact.get("role"),
    }
