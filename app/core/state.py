"""Process-wide singletons created once by ``create_app`` and reached through the request."""

from dataclasses import dataclass

from fastapi import Request

from app.core.config import Settings
from app.core.db import Database
from app.core.security import PasswordHasher, TokenService
from app.core.uploads import DocumentParser


@dataclass
class AppState:
    settings: Settings
    db: Database
    tokens: TokenService
    passwords: PasswordHasher
    uploads: DocumentParser


def app_state(request: Request) -> AppState:
    """The application's shared services."""
    state: AppState = request.app.state.cohesion
    return state


async def app_state_dependency(request: Request) -> AppState:
    """``app_state`` as a dependency: async, so FastAPI calls it inline instead of in its
    thread pool."""
    return app_state(request)
