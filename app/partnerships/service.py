"""Partnerships, partner commitments, programmes, sessions, enrolments, attendance,
evaluations and responses: rules and queries.

Who may do what is decided in ``app/auth/policy.py``; every write here calls one of its
partnership ``require_*`` functions first, records an audit event, and flushes, never commits.

Anonymous evaluation responses: every response stores ``respondent_key`` = HMAC-SHA256 of
``"<user id>:<evaluation id>"`` keyed by ``COHESION_RESPONDENT_HMAC_KEY`` (its own key, never
the token-signing one; ``rekey_respondents`` moves keys made under an older key). A unique
constraint on (evaluation, respondent_key) lets each user answer once, named or anonymous.
An anonymous response stores no user id, and its audit event is recorded against the
*evaluation* (actor: the user, after: ``{"anonymous": true}``), never against the response
row, so the audit log says who answered but not which answers are theirs.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, and_, cast, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.models import User
from app.auth.policy import Principal
from app.cohorts.models import Cohort
from app.core import audit, softdelete
from app.core.config import Settings
from app.core.db import utcnow
from app.core.errors import Conflict, Unprocessable
from app.core.keyrotation import Outcome, register_rekeyer
from app.core.pagination import Sort, paginate
from app.core.secrets import hmac_hex, respondent_hmac
from app.networks.models import Network
from app.organisations.models import Organisation
from app.partnerships.models import (
    Evaluation,
    EvaluationResponse,
    PartnerCommitment,
    Partnership,
    Programme,
    ProgrammeEnrolment,
    ProgrammeSession,
    SessionAttendance,
)
from app.partnerships.schemas import (
    AttendanceRead,
    CommitmentCreate,
    CommitmentRead,
    ContactRead,
    EvaluationCreate,
    EvaluationSummary,
    PartnershipCreate,
    PartnershipRead,
    PartnershipStatus,
    PartnershipUpdate,
    Phase,
    ProgrammeCreate,
    ProgrammeEnrolmentCreate,
    ProgrammeUpdate,
    Purpose,
    QuestionKind,
    QuestionSummary,
    Renewal,
    ResponseCreate,
    Scope,
    Sector,
    SessionCreate,
    StoredStatus,
    contact_fields,
)
from app.partnerships.scope import InNetwork
from app.plans.models import Action, Objective, Plan


def _issue(loc: Sequence[str | int], msg: str, kind: str) -> dict[str, Any]:
    return {"loc": list(loc), "msg": msg, "type": kind}


def cast_row(row: Any) -> tuple[Any, ...]:
    return tuple(row)


def today() -> date:
    return utcnow().date()


# --- partnerships -------------------------------------------------------------------------


def computed_status(partnership: Partnership, as_of: date) -> PartnershipStatus:
    """ended: stored active, past its end date; lapsed: stored active, with a review date that
    has passed without renewal (and not ended)."""
    if partnership.status == StoredStatus.active.value:
        if partnership.end_on is not None and partnership.end_on < as_of:
            return PartnershipStatus.ended
        if partnership.review_on is not None and partnership.review_on < as_of:
            return PartnershipStatus.lapsed
    return PartnershipStatus(partnership.status)


def status_filter(status: PartnershipStatus, as_of: date) -> Any:
    """The SQL condition for a computed status."""
    stored = col(Partnership.status)
    review = col(Partnership.review_on)
    end = col(Partnership.end_on)
    past_end = and_(end.is_not(None), end < as_of)
    running = and_(stored == "active", or_(end.is_(None), end >= as_of))
    if status is PartnershipStatus.ended:
        return or_(stored == "ended", and_(stored == "active", past_end))
    if status is PartnershipStatus.lapsed:
        return and_(running, review.is_not(None), review < as_of)
    if status is PartnershipStatus.active:
        return and_(running, or_(review.is_(None), review >= as_of))
    return stored == status.value


def partnership_read(partnership: Partnership, kind: str) -> PartnershipRead:
    contact = None
    if partnership.contact_name or partnership.contact_email or partnership.contact_role:
        contact = ContactRead(
            name=partnership.contact_name,
            email=partnership.contact_email,
            role=partnership.contact_role,
        )
    return PartnershipRead.model_validate(
        {
            **partnership.model_dump(),
            "organisation_kind": kind,
            "status": computed_status(partnership, today()),
            "stored_status": partnership.status,
            "contact": contact,
        }
    )


async def partnership_reads(
    session: AsyncSession, partnerships: Sequence[Partnership]
) -> list[PartnershipRead]:
    """Read models for a page of partnerships (one query for the organisations' kinds)."""
    ids = {p.organisation_id for p in partnerships}
    kinds: dict[int, str] = {}
    if ids:
        rows = await session.execute(
            select(col(Organisation.id), col(Organisation.kind)).where(
                col(Organisation.id).in_(ids)
            )
        )
        kinds = {int(i): str(k) for i, k in map(cast_row, rows.all())}
    return [partnership_read(p, kinds.get(p.organisation_id, "")) for p in partnerships]


async def _live_organisation(session: AsyncSession, organisation_id: int) -> Organisation:
    org = await session.get(Organisation, organisation_id)
    if org is None or org.deleted_at is not None:
        raise Unprocessable(
            f"no such organisation: {organisation_id}",
            errors=[_issue(["body", "organisation_id"], "unknown organisation", "unknown")],
        )
    return org


def _check_dates(start_on: date, end_on: date | None) -> None:
    if end_on is not None and end_on < start_on:
        raise Unprocessable(
            "end_on must not be before start_on",
            errors=[_issue(["body", "end_on"], "before start_on", "date_order")],
        )


async def create_partnership(
    session: AsyncSession, principal: Principal, network: Network, *, data: PartnershipCreate
) -> tuple[Partnership, str]:
    policy.require_partnership_write(principal, network)
    org = await _live_organisation(session, data.organisation_id)
    fields = data.model_dump(mode="json", exclude={"contact"})
    fields.update(contact_fields(data.contact.model_dump() if data.contact else None))
    partnership = Partnership.model_validate(
        {
            **fields,
            "start_on": data.start_on,
            "end_on": data.end_on,
            "review_on": data.review_on,
            "network_id": network.id,
            "created_by_user_id": principal.user_id,
        }
    )
    session.add(partnership)
    await audit.record(session, principal, action="create", obj=partnership, network_id=network.id)
    return partnership, org.kind


async def organisation_kind(session: AsyncSession, partnership: Partnership) -> str:
    org = await session.get(Organisation, partnership.organisation_id)
    return org.kind if org else ""


async def list_partnerships(
    session: AsyncSession,
    network: Network,
    *,
    status: PartnershipStatus | None,
    sector: Sector | None,
    scope: Scope | None,
    purpose: Purpose | None,
    sort: Sort,
    limit: int,
    cursor: str | None,
    since: datetime | None,
) -> tuple[list[Partnership], str | None]:
    stmt = select(Partnership).where(col(Partnership.network_id) == network.id)
    if status is not None:
        stmt = stmt.where(status_filter(status, today()))
    if sector is not None:
        stmt = stmt.where(col(Partnership.sector) == sector.value)
    if scope is not None:
        stmt = stmt.where(col(Partnership.scope) == scope.value)
    if purpose is not None:
        # purposes is a JSON list of plain tags: match the quoted tag in its text.
        stmt = stmt.where(cast(col(Partnership.purposes), String).contains(f'"{purpose.value}"'))
    return await paginate(session, stmt, sort=sort, limit=limit, cursor=cursor, since=since)


async def update_partnership(
    session: AsyncSession,
    principal: Principal,
    found: InNetwork[Partnership],
    *,
    data: PartnershipUpdate,
) -> Partnership:
    policy.require_partnership_write(principal, found.network)
    partnership = found.obj
    changes = data.model_dump(exclude_unset=True)
    if "contact" in changes:
        changes.update(contact_fields(changes.pop("contact")))
    for key in ("sector", "direction", "scope", "status"):
        if key in changes:
            changes[key] = str(changes[key])
    if "purposes" in changes:
        changes["purposes"] = [str(p) for p in changes["purposes"]]
    _check_dates(
        changes.get("start_on", partnership.start_on), changes.get("end_on", partnership.end_on)
    )
    before = audit.snapshot(partnership)
    partnership.sqlmodel_update(changes)
    session.add(partnership)
    await audit.record(
        session,
        principal,
        action="update",
        obj=partnership,
        network_id=found.network.id,
        before=before,
    )
    return partnership


async def renew_partnership(
    session: AsyncSession, principal: Principal, found: InNetwork[Partnership], *, data: Renewal
) -> Partnership:
    """Move the review date forward: an active (or lapsed) partnership reads active again."""
    policy.require_partnership_write(principal, found.network)
    partnership = found.obj
    if partnership.status != StoredStatus.active.value:
        raise Conflict(f"only an active or lapsed partnership is renewed, not {partnership.status}")
    if data.review_on <= today():
        raise Unprocessable(
            "review_on must be later than today",
            errors=[_issue(["body", "review_on"], "not in the future", "date_past")],
        )
    before = audit.snapshot(partnership)
    partnership.review_on = data.review_on
    session.add(partnership)
    await audit.record(
        session,
        principal,
        action="renew",
        obj=partnership,
        network_id=found.network.id,
        before=before,
    )
    return partnership


async def delete_partnership(
    session: AsyncSession, principal: Principal, found: InNetwork[Partnership]
) -> None:
    policy.require_partnership_write(principal, found.network)
    await softdelete.soft_delete(session, principal, found.obj, network_id=found.network.id)


async def restore_partnership(
    session: AsyncSession, principal: Principal, found: InNetwork[Partnership]
) -> Partnership:
    policy.require_partnership_write(principal, found.network)
    await softdelete.restore(session, principal, found.obj, network_id=found.network.id)
    return found.obj


# --- commitments --------------------------------------------------------------------------


async def commitment_reads(
    session: AsyncSession, commitments: Sequence[PartnerCommitment]
) -> list[CommitmentRead]:
    """Read models with plan and objective codes, in one query."""
    objective_ids = {c.objective_id for c in commitments if c.objective_id is not None}
    action_ids = {c.action_id for c in commitments if c.action_id is not None}
    by_objective: dict[int, tuple[int, str, str]] = {}
    by_action: dict[int, tuple[int, str, str]] = {}
    if objective_ids or action_ids:
        rows = await session.execute(
            select(
                col(Objective.id),
                col(Action.id),
                col(Plan.id),
                col(Plan.title),
                col(Objective.code),
            )
            .select_from(Objective)
            .join(Plan, col(Plan.id) == col(Objective.plan_id))
            .outerjoin(
                Action,
                and_(col(Action.objective_id) == col(Objective.id), col(Action.id).in_(action_ids)),
            )
            .where(or_(col(Objective.id).in_(objective_ids), col(Action.id).in_(action_ids)))
        )
        for row in rows.all():
            objective_id, action_id, plan_id, title, code = cast_row(row)
            info = (int(plan_id), str(title), str(code))
            by_objective[int(objective_id)] = info
            if action_id is not None:
                by_action[int(action_id)] = info
    reads = []
    for c in commitments:
        info = (
            by_objective.get(c.objective_id)
            if c.objective_id is not None
            else by_action.get(c.action_id or 0)
        ) or (0, "", "")
        reads.append(
            CommitmentRead.model_validate(
                {
                    **c.model_dump(),
                    "plan_id": info[0],
                    "plan_title": info[1],
                    "objective_code": info[2],
                }
            )
        )
    return reads


async def create_commitment(
    session: AsyncSession,
    principal: Principal,
    found: InNetwork[Partnership],
    *,
    data: CommitmentCreate,
) -> PartnerCommitment:
    """A partner's role in an objective or action of a live plan of the same network."""
    policy.require_partnership_write(principal, found.network)
    if data.objective_id is not None:
        stmt: Any = (
            select(col(Objective.id))
            .join(Plan, col(Plan.id) == col(Objective.plan_id))
            .where(col(Objective.id) == data.objective_id, col(Objective.deleted_at).is_(None))
        )
        field = "objective_id"
    else:
        stmt = (
            select(col(Action.id))
            .join(Plan, col(Plan.id) == col(Action.plan_id))
            .where(col(Action.id) == data.action_id, col(Action.deleted_at).is_(None))
        )
        field = "action_id"
    stmt = stmt.where(col(Plan.network_id) == found.network.id, col(Plan.deleted_at).is_(None))
    if (await session.execute(stmt)).first() is None:
        raise Unprocessable(
            f"no such {field[:-3]} in a plan of network {found.network.id}",
            errors=[_issue(["body", field], "unknown in this network's plans", "unknown")],
        )
    commitment = PartnerCommitment(
        partnership_id=found.obj.id or 0,
        objective_id=data.objective_id,
        action_id=data.action_id,
        role=data.role,
    )
    session.add(commitment)
    await audit.record(
        session, principal, action="create", obj=commitment, network_id=found.network.id
    )
    return commitment


async def list_commitments(
    session: AsyncSession,
    found: InNetwork[Partnership],
    *,
    limit: int,
    cursor: str | None,
    since: datetime | None,
    sort: Sort,
) -> tuple[list[PartnerCommitment], str | None]:
    stmt = select(PartnerCommitment).where(col(PartnerCommitment.partnership_id) == found.obj.id)
    return await paginate(session, stmt, sort=sort, limit=limit, cursor=cursor, since=since)


async def delete_commitment(
    session: AsyncSession, principal: Principal, found: InNetwork[PartnerCommitment]
) -> None:
    policy.require_partnership_write(principal, found.network)
    commitment = found.obj
    before = audit.snapshot(commitment)
    await audit.record(
        session,
        principal,
        action="delete",
        obj=commitment,
        network_id=found.network.id,
        before=before,
        after={},
    )
    await session.delete(commitment)
    await session.flush()


# --- programmes ---------------------------------------------------------------------------


async def _check_programme_links(
    session: AsyncSession,
    network: Network,
    partnership_ids: Iterable[int] | None,
    cohort_id: int | None,
) -> list[int] | None:
    wanted = None
    if partnership_ids is not None:
        wanted = sorted(set(partnership_ids))
        live = (
            set(
                (
                    await session.scalars(
                        select(col(Partnership.id)).where(
                            col(Partnership.id).in_(wanted),
                            col(Partnership.network_id) == network.id,
                            col(Partnership.deleted_at).is_(None),
                        )
                    )
                ).all()
            )
            if wanted
            else set()
        )
        unknown = [p for p in wanted if p not in live]
        if unknown:
            raise Unprocessable(
                f"no such partnerships of network {network.id}: {unknown}",
                errors=[_issue(["body", "partnership_ids"], "unknown partnership", "unknown")],
            )
    if cohort_id is not None:
        cohort = await session.get(Cohort, cohort_id)
        if cohort is None or cohort.deleted_at is not None or cohort.network_id != network.id:
            raise Unprocessable(
                f"no such cohort of network {network.id}: {cohort_id}",
                errors=[_issue(["body", "cohort_id"], "unknown cohort", "unknown")],
            )
    return wanted


async def create_programme(
    session: AsyncSession, principal: Principal, network: Network, *, data: ProgrammeCreate
) -> Programme:
    policy.require_partnership_write(principal, network)
    ids = await _check_programme_links(session, network, data.partnership_ids, data.cohort_id)
    programme = Programme.model_validate(
        {
            **data.model_dump(mode="json"),
            "partnership_ids": ids or [],
            "network_id": network.id,
            "created_by_user_id": principal.user_id,
        }
    )
    session.add(programme)
    await audit.record(session, principal, action="create", obj=programme, network_id=network.id)
    return programme


async def list_programmes(
    session: AsyncSession,
    network: Network,
    *,
    sort: Sort,
    limit: int,
    cursor: str | None,
    since: datetime | None,
) -> tuple[list[Programme], str | None]:
    stmt = select(Programme).where(col(Programme.network_id) == network.id)
    return await paginate(session, stmt, sort=sort, limit=limit, cursor=cursor, since=since)


async def update_programme(
    session: AsyncSession,
    principal: Principal,
    found: InNetwork[Programme],
    *,
    data: ProgrammeUpdate,
) -> Programme:
    policy.require_partnership_write(principal, found.network)
    changes = data.model_dump(exclude_unset=True, mode="json")
    ids = await _check_programme_links(
        session, found.network, changes.get("partnership_ids"), changes.get("cohort_id")
    )
    if ids is not None:
        changes["partnership_ids"] = ids
    programme = found.obj
    before = audit.snapshot(programme)
    programme.sqlmodel_update(changes)
    session.add(programme)
    await audit.record(
        session,
        principal,
        action="update",
        obj=programme,
        network_id=found.network.id,
        before=before,
    )
    return programme


async def delete_programme(
    session: AsyncSession, principal: Principal, found: InNetwork[Programme]
) -> None:
    policy.require_partnership_write(principal, found.network)
    await softdelete.soft_delete(session, principal, found.obj, network_id=found.network.id)


async def create_session(
    session: AsyncSession,
    principal: Principal,
    found: InNetwork[Programme],
    *,
    data: SessionCreate,
) -> ProgrammeSession:
    policy.require_partnership_write(principal, found.network)
    row = ProgrammeSession.model_validate(
        {**data.model_dump(mode="json"), "held_on": data.held_on, "programme_id": found.obj.id}
    )
    session.add(row)
    await audit.record(session, principal, action="create", obj=row, network_id=found.network.id)
    return row


async def list_children(
    session: AsyncSession,
    model: Any,
    programme_id: int | None,
    *,
    sort: Sort,
    limit: int,
    cursor: str | None,
    since: datetime | None,
) -> tuple[list[Any], str | None]:
    stmt = select(model).where(col(model.programme_id) == programme_id)
    return await paginate(session, stmt, sort=sort, limit=limit, cursor=cursor, since=since)


async def create_enrolment(
    session: AsyncSession,
    principal: Principal,
    found: InNetwork[Programme],
    *,
    data: ProgrammeEnrolmentCreate,
) -> ProgrammeEnrolment:
    policy.require_partnership_write(principal, found.network)
    if data.user_id is not None:
        user = await session.get(User, data.user_id)
        if user is None:
            raise Unprocessable(
                f"no such user: {data.user_id}",
                errors=[_issue(["body", "user_id"], "unknown user", "unknown")],
            )
        same = col(ProgrammeEnrolment.user_id) == data.user_id
    else:
        await _live_organisation(session, data.organisation_id or 0)
        same = col(ProgrammeEnrolment.organisation_id) == data.organisation_id
    taken = await session.scalar(
        select(col(ProgrammeEnrolment.id)).where(
            col(ProgrammeEnrolment.programme_id) == found.obj.id, same
        )
    )
    if taken is not None:
        raise Conflict(f"already enrolled on programme {found.obj.id} (enrolment {taken})")
    row = ProgrammeEnrolment(
        programme_id=found.obj.id or 0,
        user_id=data.user_id,
        organisation_id=data.organisation_id,
        enrolled_on=data.enrolled_on or today(),
    )
    session.add(row)
    await audit.record(session, principal, action="create", obj=row, network_id=found.network.id)
    return row


async def attendance(session: AsyncSession, session_id: int | None) -> AttendanceRead:
    ids = await session.scalars(
        select(col(SessionAttendance.enrolment_id))
        .where(col(SessionAttendance.session_id) == session_id)
        .order_by(col(SessionAttendance.enrolment_id))
    )
    return AttendanceRead(session_id=session_id or 0, enrolment_ids=list(ids.all()))


async def set_attendance(
    session: AsyncSession,
    principal: Principal,
    found: InNetwork[ProgrammeSession],
    *,
    enrolment_ids: list[int],
) -> AttendanceRead:
    policy.require_partnership_write(principal, found.network)
    wanted = sorted(set(enrolment_ids))
    known = (
        set(
            (
                await session.scalars(
                    select(col(ProgrammeEnrolment.id)).where(
                        col(ProgrammeEnrolment.programme_id) == found.obj.programme_id,
                        col(ProgrammeEnrolment.id).in_(wanted),
                    )
                )
            ).all()
        )
        if wanted
        else set()
    )
    unknown = [e for e in wanted if e not in known]
    if unknown:
        raise Unprocessable(
            f"not enrolments of programme {found.obj.programme_id}: {unknown}",
            errors=[_issue(["body", "enrolment_ids"], "unknown enrolment", "unknown")],
        )
    before = await attendance(session, found.obj.id)
    await session.execute(
        delete(SessionAttendance).where(col(SessionAttendance.session_id) == found.obj.id)
    )
    session.add_all(SessionAttendance(session_id=found.obj.id or 0, enrolment_id=e) for e in wanted)
    after = AttendanceRead(session_id=found.obj.id or 0, enrolment_ids=wanted)
    await audit.record(
        session,
        principal,
        action="attendance",
        obj=found.obj,
        network_id=found.network.id,
        before=before.model_dump(),
        after=after.model_dump(),
    )
    return after


# --- evaluations --------------------------------------------------------------------------


async def create_evaluation(
    session: AsyncSession,
    principal: Principal,
    found: InNetwork[Programme],
    *,
    data: EvaluationCreate,
) -> Evaluation:
    policy.require_partnership_write(principal, found.network)
    row = Evaluation.model_validate({**data.model_dump(mode="json"), "programme_id": found.obj.id})
    session.add(row)
    await audit.record(session, principal, action="create", obj=row, network_id=found.network.id)
    return row


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
    found: InNetwork[Evaluation],
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
