"""Liveness and readiness probes (no authentication)."""

import asyncio

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import text

from app.core import responses
from app.core.errors import ServiceUnavailable
from app.core.state import app_state

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str = Field(description="`ok` when healthy.", examples=["ok"])


@router.get(
    "/healthz", operation_id="get_health", summary="Is the process up?", response_model=Health
)
async def get_health() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    operation_id="get_readiness",
    summary="Can the process reach its database?",
    response_model=Health,
    responses=responses.problems(503),
)
async def get_readiness(request: Request) -> Health:
    db = app_state(request).db
    try:
        async with asyncio.timeout(2):
            async with db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except Exception as exc:
        raise ServiceUnavailable("the database is not reachable") from exc
    return Health(status="ok")
