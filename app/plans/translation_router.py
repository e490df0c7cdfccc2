"""Routes for a plan's content in every language (docs/languages.md)."""

from app.core import responses
from app.core.db import SessionDep
from app.core.routes import api_router
from app.plans import translations
from app.plans.deps import ValidPlan
from app.plans.translation_schemas import PlanMissingTranslations, PlanTranslations

router = api_router(tags=["plans"])


@router.get(
    "/plans/{plan_id}/translations",
    summary="A plan's text in every language, for a translator",
    description="The plan and each objective, action, measure and milestone with every "
    "translatable field's text in each language the network offers. Change one language's "
    "text with the item's PATCH and `?lang=`.",
    response_model=PlanTranslations,
    responses=responses.READ,
)
async def get_plan_translations(found: ValidPlan, session: SessionDep) -> PlanTranslations:
    return await translations.translations(session, found)


@router.get(
    "/plans/{plan_id}/translations/missing",
    summary="What is left to translate in a plan",
    description="Each text of the plan (in the network's default language) that has no "
    "translation in another language the network offers, with counts per language.",
    response_model=PlanMissingTranslations,
    responses=responses.READ,
)
async def list_plan_missing_translations(
    found: ValidPlan, session: SessionDep
) -> PlanMissingTranslations:
    return await translations.missing(session, found)
