"""The application factory. ``app.main:app`` is what uvicorn serves."""

import gc
import re
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from app import models  # noqa: F401 - registers every table
from app.api import api_router
from app.core import idempotency, pagination, ratelimit
from app.core.config import Settings, get_settings
from app.core.db import Database
from app.core.errors import install_error_handlers
from app.core.limits import BodySizeLimitMiddleware
from app.core.logging import AccessLogMiddleware, configure_logging
from app.core.openapi import DESCRIPTION, install_docs, install_openapi
from app.core.secrets import data_ring
from app.core.security import PasswordHasher, TokenService
from app.core.state import AppState
from app.core.uploads import DocumentParser
from app.health.router import router as health_router
from app.mail import worker as mail_worker
from app.notifications import reminders
from app.operation_docs import EXAMPLES, describe
from app.webhooks import worker as webhook_worker

REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

TAGS = [
    {"name": "auth", "description": "Log in and find out who you are."},
    {"name": "users", "description": "People with a log-in."},
    {"name": "networks", "description": "The directory of networks and their hierarchy."},
    {"name": "roles", "description": "Who holds which role in which network, and since when."},
    {"name": "service-accounts", "description": "Credentials for automation scripts."},
    {"name": "organisations", "description": "Member institutions and stakeholders."},
    {"name": "memberships", "description": "Organisations' memberships of networks."},
    {
        "name": "plans",
        "description": "Plans, objectives, actions, measures, milestones, evidence and progress.",
    },
    {
        "name": "reports",
        "description": "Documents for people: a plan's or a network's standing as a "
        "self-contained HTML page, a PDF, a workbook or Markdown (use a plan's `/export` "
        "for its content, to edit and import again).",
    },
    {
        "name": "communities",
        "description": "Communities of practice, working groups and teams: members, meetings "
        "and the actions they own; cohorts of schools matched into collaborative learning teams.",
    },
    {
        "name": "mobility",
        "description": "The mobility register: opportunities at each EQF level, and counts of "
        "actual mobilities posted in batches by scripts.",
    },
    {
        "name": "webhooks",
        "description": "Signed HTTP callbacks for a network's events, with a delivery log.",
    },
    {
        "name": "partnerships",
        "description": "Partnerships with stakeholder organisations and their roles in plans; "
        "professional learning programmes, sessions, attendance and evaluations.",
    },
    {
        "name": "badges",
        "description": "Open Badge networks: canvas proposals and their approval, badges, awards "
        "as signed Open Badges 3.0 credentials, JWKS and public verification.",
    },
    {
        "name": "notifications",
        "description": "My notification feed (reminders of what is due, roles given) and how "
        "I am e-mailed about each kind; calendar feeds.",
    },
    {"name": "audit", "description": "Every change: who, when, before and after."},
    {"name": "health", "description": "Probes for load balancers and orchestrators."},
]


def settle_heap() -> None:
    """Move everything made at start-up (the app, its routes, models and schemas: several
    hundred thousand objects) out of the garbage collector's sight.

    CPython's cyclic collector walks every tracked object of a generation it collects, so a
    request that allocates much (a 1,000-objective tree or progress) paid for walking the whole
    app again in each older-generation collection: half of those requests' CPU time (measured in
    bench/RESULTS.md, round 3). Frozen objects are never collected, and were not garbage."""
    gc.collect()
    gc.freeze()


def _valid_request_id(value: str) -> bool:
    """Accept a caller's request id if it is short and plain (it is logged and echoed)."""
    return bool(REQUEST_ID.fullmatch(value))


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application for ``settings`` (the environment's by default)."""
    settings = settings or get_settings()
    pagination.configure_cursor_key(data_ring(settings).signing_key())
    state = AppState(
        settings=settings,
        db=Database(settings),
        tokens=TokenService(settings),
        passwords=PasswordHasher(settings),
        # The forkserver that uploaded documents are parsed under loads the whole app once.
        uploads=DocumentParser.from_settings(settings, preload=("app.main",)),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Started in the background so that the first upload does not wait for it.
        threading.Thread(target=state.uploads.start, name="forkserver", daemon=True).start()
        async with (
            webhook_worker.in_background(state.db, state.settings),
            mail_worker.in_background(state.db, state.settings),
            reminders.in_background(state.db, state.settings),
        ):
            settle_heap()
            yield
        await state.db.dispose()

    app = FastAPI(
        title="Cohesion API",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        swagger_ui_oauth2_redirect_url=None,
        servers=[{"url": "/", "description": "The server that serves this document."}],
        contact={"name": "Cohesion team", "email": "api@cohesion.example"},
        license_info={"name": "Proprietary"},
    )
    app.state.cohesion = state
    install_error_handlers(app)
    idempotency.install(app)
    app.include_router(health_router)
    app.include_router(api_router)
    install_openapi(app, describe=describe, examples=EXAMPLES)
    install_docs(app)

    # Outermost last: CORS answers preflights before anything else runs.
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        upload_bytes=settings.max_upload_bytes,
        # Plan files, and batches of up to 5,000 mobility counts, are larger than most bodies.
        upload_suffixes=("/plans/import", "/mobility-counts"),
    )
    ratelimit.install(app, settings, state.tokens, state.db)
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(
        CorrelationIdMiddleware,
        header_name="X-Request-ID",
        update_request_header=True,
        validator=_valid_request_id,
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "If-Match",
                "Idempotency-Key",
                "X-Request-ID",
            ],
            expose_headers=[
                "ETag",
                "Link",
                "Location",
                "X-Request-ID",
                "Idempotent-Replayed",
                "RateLimit",
                "RateLimit-Policy",
                "Retry-After",
            ],
            max_age=600,
        )
    return app


def _default_app() -> FastAPI:
    settings = get_settings()
    configure_logging(settings.log_level, json=settings.logs_as_json)
    return create_app(settings)


app = _default_app()
