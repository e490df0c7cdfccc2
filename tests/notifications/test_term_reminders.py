"""A term of office ending soon: the holder and the network's chair are told once."""

from datetime import timedelta

import httpx
from fastapi import FastAPI

from app.core.config import Settings
from app.core.db import utcnow
from app.notifications import reminders
from tests.conftest import World

API = "/api/v1"


async def test_a_term_ending_soon_is_told_once_per_role_and_term(
    api: httpx.AsyncClient, notify_app: FastAPI, notify_settings: Settings, world: World
) -> None:
    today = utcnow().date()
    ends = today + timedelta(days=30)
    role = await api.post(
        f"{API}/networks/{world.network_a}/roles",
        json={
            "user_id": world["outsider"].id,
            "role": "executive",
            "term_ends_on": ends.isoformat(),
        },
        headers=world.headers("chair"),
    )
    assert role.status_code == 201, role.text
    far = await api.post(
        f"{API}/networks/{world.network_a}/roles",
        json={
            "user_id": world["outsider"].id,
            "role": "member",
            "term_ends_on": (today + timedelta(days=400)).isoformat(),
        },
        headers=world.headers("chair"),
    )
    assert far.status_code == 201, far.text
    db = notify_app.state.cohesion.db
    first = await reminders.run(db, notify_settings, as_of=today)
    assert first.counts["term.ends_soon"] == 1
    again = await reminders.run(db, notify_settings, as_of=today)
    assert again.counts.get("term.ends_soon", 0) == 0
    for who in ("outsider", "chair"):
        feed = await api.get(f"{API}/me/notifications", headers=world.headers(who))
        terms = [n for n in feed.json()["items"] if n["kind"] == "term_ends_soon"]
        assert len(terms) == 1, feed.text
        assert terms[0]["title"].startswith("Outsider's term as executive of Network of Networks")
