"""Plans' routes, one module per sub-resource, included in the order they match."""

from fastapi import APIRouter

from app.plans import (
    action_router,
    measure_router,
    milestone_router,
    objective_router,
    plan_router,
    transfer_router,
    translation_router,
)

router = APIRouter()
for sub in (
    plan_router,
    objective_router,
    action_router,
    measure_router,
    milestone_router,
    transfer_router,
    translation_router,
):
    router.include_router(sub.router)
