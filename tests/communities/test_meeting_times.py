"""A meeting planned ahead changed with PATCH: start, end, place and link, the end after the
start, and ``held_on`` kept the day of ``starts_at``."""

import httpx

from tests.conftest import World

API = "/api/v1"


async def _patch(
    client: httpx.AsyncClient, world: World, meeting: int, body: dict[str, object]
) -> httpx.Response:
    current = await client.get(f"{API}/meetings/{meeting}", headers=world.headers("chair"))
    return await client.patch(
        f"{API}/meetings/{meeting}",
        json=body,
        headers={**world.headers("chair"), "If-Match": current.headers["ETag"]},
    )


async def test_meeting_times_change_together(client: httpx.AsyncClient, world: World) -> None:
    chair = world.headers("chair")
    community = await client.post(
        f"{API}/networks/{world.network_a}/communities",
        json={"kind": "community_of_practice", "title": "Numeracy Community of Practice"},
        headers=chair,
    )
    made = await client.post(
        f"{API}/communities/{community.json()['id']}/meetings",
        json={"title": "Data walk", "starts_at": "2026-12-08T15:30:00Z", "agenda": "Data walk"},
        headers=chair,
    )
    assert made.status_code == 201, made.text
    meeting = made.json()["id"]
    assert made.json()["held_on"] == "2026-12-08"

    moved = await _patch(
        client,
        world,
        meeting,
        {
            "starts_at": "2026-12-10T14:00:00+01:00",
            "ends_at": "2026-12-10T15:00:00+01:00",
            "location": "Room 4, Glasgow Kelvin College",
            "online_url": "https://meet.example.org/numeracy",
        },
    )
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert body["held_on"] == "2026-12-10"  # follows the start
    assert body["starts_at"].startswith("2026-12-10T13:00:00")
    assert body["ends_at"].startswith("2026-12-10T14:00:00")
    assert body["location"] == "Room 4, Glasgow Kelvin College"

    # The end after the start: checked against the stored start too.
    early = await _patch(client, world, meeting, {"ends_at": "2026-12-10T12:00:00Z"})
    assert early.status_code == 422
    assert early.json()["errors"][0]["loc"] == ["body", "ends_at"]
    late_start = await _patch(client, world, meeting, {"starts_at": "2026-12-10T16:00:00Z"})
    assert late_start.status_code == 422
    # held_on is the day of starts_at.
    other_day = await _patch(client, world, meeting, {"held_on": "2026-12-11"})
    assert other_day.status_code == 422
    assert other_day.json()["errors"][0]["loc"] == ["body", "held_on"]
    unchanged = await client.get(f"{API}/meetings/{meeting}", headers=chair)
    assert unchanged.json()["version"] == body["version"]
    # Clearing the planned time frees the day again.
    cleared = await _patch(
        client, world, meeting, {"starts_at": None, "ends_at": None, "held_on": "2026-12-11"}
    )
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["starts_at"], cleared.json()["held_on"]) == (None, "2026-12-11")
