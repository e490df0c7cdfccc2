"""Derived measure sources over programmes (registered on import; the router imports this).

* ``programme_participants`` — how many enrolments the plan's network's live programmes
  have (one programme with ``programme_id``); ``kind`` counts ``people``, ``organisations``
  or ``all`` (default).
* ``evaluation_score`` — for one programme of the plan's network and one likert question
  key: ``post_mean`` is the mean answer over every response to the programme's ``post``
  evaluations that ask it; ``change`` is that minus the same mean over its ``pre``
  evaluations ("participant feedback will demonstrate an increase in confidence": target
  at_least 0.5). Null (no data) while a side has no answer.

Both read the live state (``as_of`` does not move them back in time). ``programme_participants``
issues one query and ``evaluation_score`` two, for all their measures in a plan.
"""

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.core.models import Id
from app.plans.measures import MeasureScope, MeasureSource, register
from app.plans.models import Measure
from app.programmes.models import Evaluation, EvaluationResponse, Programme, ProgrammeEnrolment
from app.programmes.schemas import Key, Phase, QuestionKind


class ParticipantKind(StrEnum):
    people = "people"
    organisations = "organisations"
    all = "all"


class ScoreMode(StrEnum):
    post_mean = "post_mean"
    change = "change"


class ParticipantsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    programme_id: Id | None = Field(
        default=None,
        description="Only this programme (every programme of the network when left out).",
    )
    kind: ParticipantKind = Field(
        default=ParticipantKind.all, description="Count people, organisations or all."
    )


class ScoreParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    programme_id: Id = Field(description="The programme whose evaluations are read.")
    question_key: Key = Field(description="A likert_1_5 question key, e.g. confidence.")
    mode: ScoreMode = Field(
        default=ScoreMode.change, description="post_mean, or change (post mean - pre mean)."
    )


async def _participants(
    session: AsyncSession, scope: MeasureScope, measures: list[Measure]
) -> dict[int, float | None]:
    rows = await session.execute(
        select(
            col(ProgrammeEnrolment.programme_id),
            func.count(col(ProgrammeEnrolment.user_id)),
            func.count(col(ProgrammeEnrolment.organisation_id)),
        )
        .join(Programme, col(Programme.id) == col(ProgrammeEnrolment.programme_id))
        .where(col(Programme.network_id) == scope.network.id, col(Programme.deleted_at).is_(None))
        .group_by(col(ProgrammeEnrolment.programme_id))
    )
    counts = {pid: (int(people), int(orgs)) for pid, people, orgs in rows.all()}
    values: dict[int, float | None] = {}
    for measure in measures:
        params = ParticipantsParams.model_validate(measure.source_params)
        total = 0
        for pid, (people, orgs) in counts.items():
            if params.programme_id is not None and pid != params.programme_id:
                continue
            if params.kind is not ParticipantKind.organisations:
                total += people
            if params.kind is not ParticipantKind.people:
                total += orgs
        if measure.id is not None:
            values[measure.id] = float(total)
    return values


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


async def _score(
    session: AsyncSession, scope: MeasureScope, measures: list[Measure]
) -> dict[int, float | None]:
    wanted = {m.id: ScoreParams.model_validate(m.source_params) for m in measures}
    programme_ids = {p.programme_id for p in wanted.values()}
    evaluations = (
        await session.scalars(
            select(Evaluation)
            .join(Programme, col(Programme.id) == col(Evaluation.programme_id))
            .where(
                col(Evaluation.programme_id).in_(programme_ids),
                col(Programme.network_id) == scope.network.id,
                col(Programme.deleted_at).is_(None),
            )
        )
    ).all()
    by_id = {e.id: e for e in evaluations}
    # answers[(programme, phase, key)] = likert values
    answers: dict[tuple[int, str, str], list[int]] = {}
    if by_id:
        rows = await session.execute(
            select(col(EvaluationResponse.evaluation_id), col(EvaluationResponse.answers)).where(
                col(EvaluationResponse.evaluation_id).in_(list(by_id))
            )
        )
        for evaluation_id, given in rows.all():
            evaluation = by_id[evaluation_id]
            likert = {
                q["key"] for q in evaluation.questions if q["kind"] == QuestionKind.likert_1_5.value
            }
            given_map: dict[str, Any] = given or {}
            for key, value in given_map.items():
                if key in likert:
                    answers.setdefault((evaluation.programme_id, evaluation.phase, key), []).append(
                        int(value)
                    )
    values: dict[int, float | None] = {}
    for measure_id, params in wanted.items():
        if measure_id is None:
            continue
        post = _mean(answers.get((params.programme_id, Phase.post.value, params.question_key), []))
        if params.mode is ScoreMode.post_mean:
            values[measure_id] = post
            continue
        pre = _mean(answers.get((params.programme_id, Phase.pre.value, params.question_key), []))
        values[measure_id] = None if post is None or pre is None else post - pre
    return values


register(
    MeasureSource(
        name="programme_participants",
        description="How many people and/or organisations are enrolled on the plan's "
        "network's professional learning programmes (or one programme).",
        params_model=ParticipantsParams,
        compute=_participants,
    )
)
register(
    MeasureSource(
        name="evaluation_score",
        description="A programme's post-evaluation mean of a likert question, or its change "
        "from the pre evaluation, e.g. 'participant feedback will demonstrate an increase in "
        "confidence' (change at_least 0.5).",
        params_model=ScoreParams,
        compute=_score,
    )
)
