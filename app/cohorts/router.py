"""Cohorts' routes, one module per sub-resource, included in the order they match."""

from fastapi import APIRouter

from app.cohorts import cohort_router, matching_router

router = APIRouter()
for sub in (cohort_router, matching_router):
    router.include_router(sub.router)
