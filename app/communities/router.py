"""Communities' routes, one module per sub-resource, included in the order they match."""

from fastapi import APIRouter

from app.communities import community_router, meeting_router, member_router
from app.communities import measures as _measures  # noqa: F401  (registers measure sources)

router = APIRouter()
for sub in (community_router, member_router, meeting_router):
    router.include_router(sub.router)
