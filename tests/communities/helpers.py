"""Building communities, cohorts and their contents through the API for tests."""

from itertools import count
from typing import Any

import httpx

from tests.conftest import Person, World, make_user

API = "/api/v1"
IF_MATCH = {"If-Match": "*"}
_serial = count(1)


class Builder:
    """Creates things through the API (as the platform admin unless told otherwise),
    asserting each step."""

    def __init__(self, client: httpx.AsyncClient, world: World) -> None:
        self.client = client
        self.world = world

    async def call(
        self,
        method: str,
        path: str,
        who: str = "admin",
        json: Any = None,
        expect: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        all_headers = {**self.world.headers(who), **IF_MATCH, **(headers or {})}
        response = await self.client.request(method, API + path, json=json, headers=all_headers)
        if expect is not None:
            assert response.status_code == expect, (method, path, response.text)
        return response

    async def post(self, path: str, body: Any = None, who: str = "admin") -> dict[str, Any]:
        response = await self.call("POST", path, who, body)
        assert response.status_code in (200, 201), (path, response.text)
        return response.json()  # type: ignore[no-any-return]

    async def get(self, path: str, who: str = "admin") -> dict[str, Any]:
        response = await self.call("GET", path, who, expect=200)
        return response.json()  # type: ignore[no-any-return]

    async def community(
        self, network_id: int | None = None, who: str = "admin", **extra: Any
    ) -> dict[str, Any]:
        body = {"kind": "working_group", "title": f"Working group {next(_serial)}", **extra}
        network = network_id or self.world.network_a
        return await self.post(f"/networks/{network}/communities", body, who)

    async def person(self, name: str = "person") -> Person:
        """A signed-in user with no network role."""
        person = await make_user(self.world.app, f"{name}{next(_serial)}@test.example")
        self.world.people.setdefault(name, person)
        return person

    async def member(self, community_id: int, who: str = "admin", **body: Any) -> dict[str, Any]:
        return await self.post(f"/communities/{community_id}/members", body, who)

    async def lead(self, community_id: int, name: str = "lead") -> Person:
        """A user with no network role, made the community's lead (the world calls it ``name``)."""
        person = await make_user(self.world.app, f"{name}{next(_serial)}@test.example")
        self.world.people[name] = person
        await self.member(community_id, user_id=person.id, role="lead")
        return person

    async def organisation(
        self, name: str | None = None, local_authority: str | None = None, kind: str = "school"
    ) -> int:
        body = {
            "name": name or f"School {next(_serial)}",
            "kind": kind,
            "country": "GB",
            "local_authority": local_authority,
        }
        return int((await self.post("/organisations", body))["id"])

    async def meeting(self, community_id: int, who: str = "admin", **extra: Any) -> dict[str, Any]:
        body = {"held_on": "2021-10-05", "notes": "We reflected on the pilot.", **extra}
        return await self.post(f"/communities/{community_id}/meetings", body, who)

    async def cohort(
        self, network_id: int | None = None, who: str = "admin", **extra: Any
    ) -> dict[str, Any]:
        body = {
            "name": f"Cohort {next(_serial)}",
            "launch_on": "2019-05-01",
            "end_on": "2020-05-31",
            "target_size": {"min": 30, "max": 40},
            **extra,
        }
        return await self.post(f"/networks/{network_id or self.world.network_a}/cohorts", body, who)

    async def enrol(
        self, cohort_id: int, organisation_id: int, topics: list[str], who: str = "admin"
    ) -> dict[str, Any]:
        body = {"organisation_id": organisation_id, "topics": topics, "enquiry": "An enquiry"}
        return await self.post(f"/cohorts/{cohort_id}/enrolments", body, who)

    async def enrolled_cohort(
        self, schools: list[tuple[str, list[str]]], network_id: int | None = None
    ) -> tuple[dict[str, Any], list[int]]:
        """A cohort with one school per (local authority, topics) given, enrolled in order."""
        cohort = await self.cohort(network_id)
        ids = []
        for authority, topics in schools:
            org = await self.organisation(local_authority=authority)
            await self.enrol(cohort["id"], org, topics)
            ids.append(org)
        return cohort, ids
