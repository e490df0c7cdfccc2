"""Routes for an award's public share page and its link; gathered into the badges router by
``app/badges/router.py``."""

from typing import Annotated

from fastapi import Path, Request, Response

from app.badges import share
from app.core import responses
from app.core.db import SessionDep
from app.core.routes import api_router
from app.core.state import app_state

router = api_router(tags=["badges"])

ShareToken = Annotated[
    str,
    Path(
        min_length=22,
        max_length=40,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The award's share token (the last part of its `share_url`).",
    ),
]

# The page needs nothing from anywhere; its one form goes to this service's verification.
PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"


@router.get(
    "/awards/share/{share_token}",
    summary="An award's public share page (HTML; no sign-in): badge, issuer, criteria, "
    "endorsements and a verify button",
    response_class=Response,
    responses={
        200: {
            "description": "A self-contained HTML page (inline CSS, no script, nothing "
            "fetched): the link an earner adds to a professional profile.",
            "content": {"text/html": {}},
        },
        **responses.problems(404, 422),
    },
)
async def get_award_share_page(
    share_token: ShareToken, request: Request, session: SessionDep
) -> Response:
    body = await share.page(session, share_token, app_state(request).settings)
    return Response(
        body,
        media_type="text/html; charset=utf-8",
        headers={
            "Content-Security-Policy": PAGE_CSP,
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "no-store",
        },
    )
