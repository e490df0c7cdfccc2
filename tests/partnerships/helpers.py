"""Building partnerships, programmes and evaluations through the API for tests."""

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from app.auth.policy import Principal, Role
from tests.communities.helpers import Builder
from tests.conftest import appoint

_serial = count(1)


def day(offset: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


class PartnerBuilder(Builder):
    """Builder (as the platform admin unless told otherwise) with partnership helpers."""

    async def partnership(
        self, network_id: int | None = None, who: str = "admin", **extra: Any
    ) -> dict[str, Any]:
        org = await self.organisation(f"University {next(_serial)}", kind="university")
        body = {
            "organisation_id": org,
            "sector": "public",
            "scope": "regional",
            "purposes": ["critical_friend", "research"],
            "start_on": "2019-05-01",
            "status": "active",
            "review_on": day(30),
            "contact": {"name": "Prof. C. Chapman", "email": "c@uni.example", "role": "Director"},
            "agreement_reference": "MoU 2019/04",
            **extra,
        }
        network = network_id or self.world.network_a
        return await self.post(f"/networks/{network}/partnerships", body, who)

    async def programme(
        self, network_id: int | None = None, who: str = "admin", **extra: Any
    ) -> dict[str, Any]:
        body = {"title": f"Programme {next(_serial)}", "audience": "practitioners", **extra}
        network = network_id or self.world.network_a
        return await self.post(f"/networks/{network}/programmes", body, who)

    async def evaluation(
        self, programme_id: int, phase: str = "post", who: str = "admin", **extra: Any
    ) -> dict[str, Any]:
        body = {
            "title": f"{phase} evaluation",
            "phase": phase,
            "questions": [
                {"key": "confidence", "text": "How confident are you?", "kind": "likert_1_5"},
                {"key": "useful", "text": "Was it useful?", "kind": "yes_no"},
                {"key": "comments", "text": "Comments", "kind": "free_text"},
            ],
            **extra,
        }
        return await self.post(f"/programmes/{programme_id}/evaluations", body, who)

    async def answer(
        self,
        evaluation_id: int,
        answers: dict[str, Any],
        who: str | None = None,
        anonymous: bool = False,
    ) -> dict[str, Any]:
        if who is None:
            who = await self.respondent()
        body = {"answers": answers, "anonymous": anonymous}
        return await self.post(f"/evaluations/{evaluation_id}/responses", body, who)

    async def respondent(self) -> str:
        """A new member of network A (who may answer its evaluations); returns their name."""
        name = f"respondent{next(_serial)}"
        person = await self.person(name)
        self.world.people[name] = person
        admin = Principal(kind="user", id=self.world.admin.id, is_admin=True)
        await appoint(self.world.app, admin, self.world.network_a, person.id, Role.member)
        return name
