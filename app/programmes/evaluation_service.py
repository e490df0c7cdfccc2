"""Programme evaluations: forms, responses and their summaries.

Anonymous evaluation responses: every response stores ``respondent_key`` = HMAC-SHA256 of
``"<user id>:<evaluation id>"`` keyed by ``COHESION_RESPONDENT_HMAC_KEY`` (its own key, never
the token-signing one; ``rekey_respondents`` moves keys made under an older key). A unique
constraint on (evaluation, respondent_key) lets each user answer once, named or anonymous.
An anonymous response stores no user id, and its audit event is recorded against the
*evaluation* (actor: the user, after: ``{"anonymous": true}``), never against the response
row, so the audit log says who answered but not which answers are theirs.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.models import User
from app.auth.policy import Principal
from app.core import audit
from app.core.config import Settings
from app.core.errors import Conflict, Unprocessable
from app.core.keyrotation import Outcome, register_rekeyer
from app.core.resources import Scoped, audited_create
from app.core.secrets import hmac_hex, respondent_hmac
from app.networks.models import Network
from app.programmes.models import Evaluation, EvaluationResponse, Programme
from app.programmes.schemas import (
    EvaluationCreate,
    EvaluationSummary,
    Phase,
    QuestionKind,
    QuestionSummary,
    ResponseCreate,
)


def _issue(loc: Sequence[str | int], msg: str, kind: str) -> dict[str, Any]:
    return {"loc": list(loc), "msg": msg, "type": kind}


async def create_evaluation(
    session: AsyncSession,
    principal: Principal,
    found: Scoped[Programme, Network],
    *,
    data: EvaluationCreate,
) -> Evaluation:
    policy.require_partnership_write(principal, found.network)
    row = Evaluation.model_validate({**data.model_dump(mode="json"), "programme_id": found.obj.id})
    return await audited_create(session, principal, row, network_id=found.network.id)


def _respondent_message(user_id: int, evaluation_id: int) -> str:
    return f"evaluation-response:{user_id}:{evaluation_id}"


def respondent_key(settings: Settings, user_id: int, evaluation_id: int) -> str:
    """HMAC-SHA256 of user and evaluation under the respondent key (see module doc)."""
    return respondent_hmac(settings, _respondent_message(user_id, evaluation_id))


async def rekey_respondents(
    session: AsyncSession, settings: Settings, old_keys: list[str]
) -> Outcome:
    """Recompute respondent keys made under one of ``old_keys`` with the current key.

    An anonymous response names no user, so each evaluation's keys are matched against every
    user's key under each old key; the mapping lives only in this call."""
    outcome = Outcome("evaluation_responses.respondent_key")
    rows = (
        await session.execute(
            select(
                col(EvaluationResponse.id),
                col(EvaluationResponse.evaluation_id),
                col(EvaluationResponse.respondent_key),
            ).order_by(col(EvaluationResponse.evaluation_id), col(EvaluationResponse.id))
        )
    ).all()
    if not rows:
        return outcome
    user_ids = [uid for uid in (await session.scalars(select(col(User.id)))).all() if uid]
    by_evaluation: dict[int, list[tuple[int, str]]] = {}
    for response_id, evaluation_id, key in rows:
        assert response_id is not None
        by_evaluation.setdefault(evaluation_id, []).append((response_id, key))
    for evaluation_id, responses in by_evaluation.items():
        current = {respondent_key(settings, uid, evaluation_id) for uid in user_ids}
        old: dict[str, str] = {}
        for old_key in old_keys:
            for uid in user_ids:
                message = _respondent_message(uid, evaluation_id)
                old[hmac_hex(old_key, message)] = respondent_key(settings, uid, evaluation_id)
        taken = {key for _, key in responses}
        for response_id, key in responses:
            if key in current:
                outcome.current += 1
            elif key in old and old[key] not in taken:
                await session.execute(
                    update(EvaluationResponse)
                    .where(col(EvaluationResponse.id) == response_id)
                    .values(respondent_key=old[key])
                )
                taken.add(old[key])
                outcome.rotated += 1
            else:  # no old key made it, or the user answered again under the new key
                outcome.unreadable.append(response_id)
    return outcome


register_rekeyer(rekey_respondents)


def _check_answers(evaluation: Evaluation, answers: dict[str, Any]) -> dict[str, Any]:
    kinds = {q["key"]: q["kind"] for q in evaluation.questions}
    errors = []
    for key, value in answers.items():
        loc = ["body", "answers", key]
        kind = kinds.get(key)
        if kind is None:
            errors.append(_issue(loc, "no such question", "unknown_question"))
        elif kind == QuestionKind.likert_1_5.value:
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
                errors.append(_issue(loc, "an integer from 1 to 5", "likert"))
        elif kind == QuestionKind.yes_no.value:
            if not isinstance(value, bool):
                errors.append(_issue(loc, "true or false", "yes_no"))
        elif not isinstance(value, str) or len(value) > 5000:
            errors.append(_issue(loc, "text of at most 5000 characters", "free_text"))
    if not answers:
        errors.append(_issue(["body", "answers"], "answer at least one question", "empty"))
    if errors:
        raise Unprocessable("the answers do not fit the evaluation's questions", errors=errors)
    return answers


async def respond(
    session: AsyncSession,
    principal: Principal,
    found: Scoped[Evaluation, Network],
    settings: Settings,
    *,
    data: ResponseCreate,
) -> EvaluationResponse:
    user_id = policy.require_evaluation_answer(principal, found.network)
    evaluation = found.obj
    answers = _check_answers(evaluation, data.answers)
    key = respondent_key(settings, user_id, evaluation.id or 0)
    taken = await session.scalar(
        select(col(EvaluationResponse.id)).where(
            col(EvaluationResponse.evaluation_id) == evaluation.id,
            col(EvaluationResponse.respondent_key) == key,
        )
    )
    if taken is not None:
        raise Conflict(f"you have already answered evaluation {evaluation.id}")
    row = EvaluationResponse(
        evaluation_id=evaluation.id or 0,
        user_id=None if data.anonymous else user_id,
        respondent_key=key,
        anonymous=data.anonymous,
        answers=answers,
    )
    session.add(row)
    await session.flush()
    if data.anonymous:
        await audit.record(
            session,
            principal,
            action="respond",
            obj=evaluation,
            network_id=found.network.id,
            after={"anonymous": True},
        )
    else:
        await audit.record(
            session, principal, action="create", obj=row, network_id=found.network.id
        )
    return row


def _question_summary(question: dict[str, Any], answers: list[dict[str, Any]]) -> QuestionSummary:
    key, kind = question["key"], question["kind"]
    values = [a[key] for a in answers if key in a]
    mean = None
    distribution: dict[str, int] | None = None
    if kind == QuestionKind.likert_1_5.value:
        distribution = {str(i): sum(1 for v in values if v == i) for i in range(1, 6)}
        mean = sum(values) / len(values) if values else None
    elif kind == QuestionKind.yes_no.value:
        distribution = {
            "yes": sum(1 for v in values if v is True),
            "no": sum(1 for v in values if v is False),
        }
    return QuestionSummary(
        key=key,
        kind=kind,
        count=len(values),
        mean=mean,
        distribution=distribution,
        pre_mean=None,
        change=None,
    )


async def _answers(session: AsyncSession, evaluation_id: int | None) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(col(EvaluationResponse.answers)).where(
            col(EvaluationResponse.evaluation_id) == evaluation_id
        )
    )
    return list(rows.all())


async def summary(session: AsyncSession, evaluation: Evaluation) -> EvaluationSummary:
    answers = await _answers(session, evaluation.id)
    questions = [_question_summary(q, answers) for q in evaluation.questions]
    pre_id = None
    if evaluation.phase == Phase.post.value:
        keys = {q["key"] for q in evaluation.questions}
        candidates = await session.scalars(
            select(Evaluation)
            .where(
                col(Evaluation.programme_id) == evaluation.programme_id,
                col(Evaluation.phase) == Phase.pre.value,
            )
            .order_by(col(Evaluation.id).desc())
        )
        pre = next((e for e in candidates.all() if {q["key"] for q in e.questions} == keys), None)
        if pre is not None:
            pre_id = pre.id
            pre_answers = await _answers(session, pre.id)
            pre_kinds = {q["key"]: q for q in pre.questions}
            for item in questions:
                if item.kind is not QuestionKind.likert_1_5:
                    continue
                pre_mean = _question_summary(pre_kinds[item.key], pre_answers).mean
                item.pre_mean = pre_mean
                if pre_mean is not None and item.mean is not None:
                    item.change = item.mean - pre_mean
    return EvaluationSummary(
        evaluation_id=evaluation.id or 0,
        phase=Phase(evaluation.phase),
        responses=len(answers),
        pre_evaluation_id=pre_id,
        questions=questions,
    )
