"""A plan document in another language, read into an existing plan as translations.

Items are matched as the plan's table is laid out: objectives by code, and under each
objective its actions, measures and milestones (and an action's milestones) by position. Any
item of the file with no counterpart is a 422 listing every one of them, and nothing is
written; items of the plan that the file leaves out stay untranslated (GET
/plans/{id}/translations/missing lists them).
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import policy
from app.auth.policy import Principal
from app.core import audit, i18n
from app.core.errors import Conflict, NotFound, Unprocessable
from app.networks.models import Network
from app.plans.models import Action, Measure, Milestone, Objective, Plan
from app.plans.schemas import PlanStatus
from app.plans.transfer.document import PlanDocument, document_errors, make_problem, refuse, walk
from app.plans.transfer.roles import registered, split_partner_roles


async def _plan(session: AsyncSession, network: Network, plan_id: int) -> Plan:
    plan = await session.scalar(
        select(Plan).where(
            col(Plan.id) == plan_id,
            col(Plan.network_id) == network.id,
            col(Plan.deleted_at).is_(None),
        )
    )
    if plan is None:
        raise NotFound(f"plan {plan_id} is not a plan of network {network.id}")
    if plan.status == PlanStatus.closed:
        raise Conflict(f"plan {plan_id} is closed and read-only; reopen it first")
    return plan


async def _live(session: AsyncSession, model: Any, plan_id: int) -> list[Any]:
    stmt = (
        select(model)
        .where(col(model.plan_id) == plan_id, col(model.deleted_at).is_(None))
        .order_by(col(model.position), col(model.id))
    )
    return list((await session.scalars(stmt)).all())


async def translate_from_document(
    session: AsyncSession,
    principal: Principal,
    network: Network,
    doc: PlanDocument,
    *,
    plan_id: int,
    language: str,
) -> tuple[Plan, dict[str, int]]:
    """Write ``doc``'s text as the ``language`` translation of plan ``plan_id`` (matched by
    code and position); one audit event (``translate``) on the plan with the counts."""
    policy.authorize_plan_write(principal, network)
    default = network.default_language
    language = i18n.check_offered(network, language)
    if language == default:
        raise Unprocessable(
            f"{language} is the network's default language: a file in it is a new plan "
            "(leave out plan_id), and its text is changed with PATCH",
            errors=[{"loc": ["query", "lang"], "msg": "the default language", "type": "lang"}],
        )
    errors = document_errors(doc)
    if errors:
        raise refuse(errors)
    plan = await _plan(session, network, plan_id)
    assert plan.id is not None and network.id is not None
    objectives = {o.code: o for o in await _live(session, Objective, plan.id)}
    under: dict[str, dict[int, list[Any]]] = {}
    for kind, model in (("actions", Action), ("measures", Measure), ("milestones", Milestone)):
        by_objective: dict[int, list[Any]] = {}
        for row in await _live(session, model, plan.id):
            by_objective.setdefault(row.objective_id, []).append(row)
        under[kind] = by_objective
    registry = registered()
    partners = await registry.partner_names(session, network.id) if registry else {}

    pairs: list[tuple[Any, dict[str, Any]]] = [(plan, {"title": doc.title, "aim": doc.aim})]
    problems: list[dict[str, Any]] = []

    def match(rows: list[Any], docs: list[Any], loc: list[str | int], what: str) -> list[Any]:
        for i in range(len(rows), len(docs)):
            problems.append(make_problem([*loc, what, i], f"no {what[:-1]} {i + 1} here", "match"))
        return rows[: len(docs)]

    for loc, _, node in walk(doc):
        objective = objectives.get(node.code)
        if objective is None:
            problems.append(make_problem(loc, f"no objective {node.code!r} in the plan", "match"))
            continue
        text, _ = split_partner_roles(node.role_of_partners, partners)
        pairs.append(
            (
                objective,
                {
                    "title": node.title,
                    "description": node.description,
                    "responsible_group": node.responsible_group,
                    "role_of_partners": text,
                },
            )
        )
        oid = objective.id or 0
        actions = match(under["actions"].get(oid, []), node.actions, loc, "actions")
        on_objective = [m for m in under["milestones"].get(oid, []) if m.action_id is None]
        for i, (a, row) in enumerate(zip(node.actions, actions, strict=False)):
            pairs.append((row, {"description": a.description, "owner_text": a.owner_text}))
            own = [m for m in under["milestones"].get(oid, []) if m.action_id == row.id]
            milestone_loc = [*loc, "actions", i]
            for am, am_row in zip(
                a.milestones, match(own, a.milestones, milestone_loc, "milestones"), strict=False
            ):
                pairs.append((am_row, {"title": am.title}))
        measures = match(under["measures"].get(oid, []), node.measures, loc, "measures")
        for m, m_row in zip(node.measures, measures, strict=False):
            pairs.append((m_row, {"description": m.description}))
        for s, s_row in zip(
            node.milestones, match(on_objective, node.milestones, loc, "milestones"), strict=False
        ):
            pairs.append((s_row, {"title": s.title}))
    if problems:
        raise refuse(problems)

    texts = 0
    for row, values in pairs:
        # Only text the file has, the record has in the default language, and that differs
        # from it (an export in a language falls back to the default's text where there is no
        # translation: reading it back must not store that text as a translation).
        wanted = {
            k: v
            for k, v in values.items()
            if v is not None and getattr(row, k, None) not in (None, v)
        }
        if not wanted:
            continue
        before = (row.translations or {}).get(language, {})
        changed = {k: v for k, v in wanted.items() if before.get(k) != v}
        if not changed:
            continue
        texts += len(changed)
        row.sqlmodel_update(
            i18n.localised_changes(row, changed, language=language, default=default)
        )
        session.add(row)
    summary = {"items": len(pairs), "texts": texts}
    await audit.record(
        session,
        principal,
        action="translate",
        obj=plan,
        network_id=network.id,
        after={**audit.snapshot(plan), "translated": {"language": language, **summary}},
    )
    return plan, summary
