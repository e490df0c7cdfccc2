"""A plan's content in every language, and what is left to translate (app/core/i18n.py): the
plan's five tables read once each, whatever its size."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import i18n
from app.plans import progress
from app.plans.models import Action, Measure, Milestone, Objective, Plan
from app.plans.scope import InPlan
from app.plans.translation_schemas import (
    MissingTranslation,
    PlanMissingTranslations,
    PlanTranslations,
    TranslatedItem,
)

LABELS = {"plan": "title", "objective": "title", "milestone": "title"}


async def _items(session: AsyncSession, plan: Plan) -> list[tuple[str, Any, str | None]]:
    """(kind, row, objective code) for the plan and its live items, in the tree's order."""
    assert plan.id is not None
    objectives = sorted(
        await progress._live(session, Objective, plan.id), key=lambda o: (o.position, o.id)
    )
    codes = {o.id: o.code for o in objectives}
    order = {o.id: i for i, o in enumerate(objectives)}
    out: list[tuple[str, Any, str | None]] = [("plan", plan, None)]
    out += [("objective", o, o.code) for o in objectives]
    for kind, model in (("action", Action), ("measure", Measure), ("milestone", Milestone)):
        rows = await progress._live(session, model, plan.id)
        rows.sort(key=lambda r: (order.get(r.objective_id, 0), r.position, r.id))
        out += [(kind, r, codes.get(r.objective_id)) for r in rows]
    return out


def _name(kind: str, row: Any, code: str | None) -> dict[str, Any]:
    return {
        "kind": kind,
        "id": row.id,
        "objective_code": code,
        "position": None if kind == "plan" else row.position,
        "label": getattr(row, LABELS.get(kind, "description")),
    }


def _offers(found: InPlan[Any]) -> tuple[list[str], str]:
    return list(found.network.languages), found.network.default_language


def _head(found: InPlan[Plan]) -> dict[str, Any]:
    languages, default = _offers(found)
    return {
        "plan_id": found.plan.id or 0,
        "plan_title": found.plan.title,
        "default_language": default,
        "languages": languages,
    }


async def translations(session: AsyncSession, found: InPlan[Plan]) -> PlanTranslations:
    """The plan and every item with each translatable field's text in every language."""
    default = found.network.default_language
    items = [
        TranslatedItem(
            **_name(kind, row, code), version=row.version, fields=i18n.all_texts(row, default)
        )
        for kind, row, code in await _items(session, found.plan)
    ]
    return PlanTranslations(**_head(found), items=items)


async def missing(session: AsyncSession, found: InPlan[Plan]) -> PlanMissingTranslations:
    """Each text of the plan with no translation in a language the network offers."""
    languages, default = _offers(found)
    items: list[MissingTranslation] = []
    for kind, row, code in await _items(session, found.plan):
        for name, lang in i18n.missing(row, languages, default):
            items.append(
                MissingTranslation(
                    **_name(kind, row, code), field=name, language=lang, text=getattr(row, name)
                )
            )
    counts = {lang: 0 for lang in languages if lang != default}
    for item in items:
        counts[item.language] += 1
    return PlanMissingTranslations(
        **_head(found),
        missing_by_language=counts,
        complete=not items,
        items=items,
    )
