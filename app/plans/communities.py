"""What plans need to know of communities, registered by the communities package so that plans
never import it (communities build on plans, not the other way round): whether a community may
be responsible for an objective or own an action of a plan, and the titles that name owners."""

from collections.abc import Iterable
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Unprocessable


class CommunityDirectory(Protocol):
    async def check(
        self, session: AsyncSession, community_id: int, network_id: int, field: str
    ) -> None:
        """422 unless ``community_id`` is a live community of the plan's network."""

    async def titles(self, session: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
        """Community id -> title, in one statement."""

    async def leads(self, session: AsyncSession, ids: Iterable[int]) -> dict[int, list[int]]:
        """Community id -> user ids of its current leads, in one statement."""


_directory: CommunityDirectory | None = None


def register_community_directory(directory: CommunityDirectory) -> None:
    global _directory
    _directory = directory


async def check_plan_community(
    session: AsyncSession, community_id: int, network_id: int, field: str
) -> None:
    if _directory is None:  # no communities package: no community can be named
        raise Unprocessable(
            f"community {community_id} is not a community of this plan's network",
            errors=[
                {"loc": ["body", field], "msg": "unknown community", "type": "unknown_community"}
            ],
        )
    await _directory.check(session, community_id, network_id, field)


async def community_titles(session: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
    wanted = set(ids)
    if _directory is None or not wanted:
        return {}
    return await _directory.titles(session, wanted)


async def community_leads(session: AsyncSession, ids: Iterable[int]) -> dict[int, list[int]]:
    wanted = set(ids)
    if _directory is None or not wanted:
        return {}
    return await _directory.leads(session, wanted)
