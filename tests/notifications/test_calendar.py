"""Meetings planned ahead and the iCalendar feeds, parsed back with ``icalendar``; the meeting
reminder carries the .ics attachment."""

import logging
from datetime import UTC, date, datetime

import httpx
import pytest
from fastapi import FastAPI
from icalendar import Calendar

from app.communities.models import Community, CommunityMember
from app.core.config import Settings
from app.mail.worker import MailWorker
from app.notifications import reminders
from tests.conftest import World
from tests.notifications.conftest import Inbox, deliver

API = "/api/v1"


async def community(app: FastAPI, world: World) -> int:
    async with app.state.cohesion.db.transaction() as session:
        made = Community(network_id=world.network_a, kind="working_group", title="Digital VET")
        session.add(made)
        await session.flush()
        assert made.id
        session.add(
            CommunityMember(
                community_id=made.id,
                user_id=world["member"].id,
                role="member",
                joined_on=date(2026, 9, 1),
            )
        )
        return made.id


async def plan_meeting(api: httpx.AsyncClient, world: World, community_id: int) -> dict:
    response = await api.post(
        f"{API}/communities/{community_id}/meetings",
        json={
            "title": "Autumn meeting",
            "starts_at": "2026-11-05T14:00:00Z",
            "ends_at": "2026-11-05T15:30:00Z",
            "location": "Room 4, Bilbao",
            "online_url": "https://meet.example.org/digital-vet",
            "agenda": "1. Welcome\n2. Pilots",
        },
        headers=world.headers("chair"),
    )
    assert response.status_code == 201, response.text
    return response.json()


def events(body: bytes) -> list:
    return list(Calendar.from_ical(body).walk("VEVENT"))


async def test_a_member_subscribes_to_the_communitys_meetings(
    api: httpx.AsyncClient, notify_app: FastAPI, world: World
) -> None:
    community_id = await community(notify_app, world)
    meeting = await plan_meeting(api, world, community_id)
    assert meeting["held_on"] == "2026-11-05"
    assert meeting["location"] == "Room 4, Bilbao"
    response = await api.get(
        f"{API}/communities/{community_id}/meetings.ics", headers=world.headers("member")
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    [event] = events(response.content)
    assert str(event["summary"]) == "Autumn meeting"
    assert event.decoded("dtstart") == datetime(2026, 11, 5, 14, 0, tzinfo=UTC)
    assert event.decoded("dtend") == datetime(2026, 11, 5, 15, 30, tzinfo=UTC)
    assert str(event["location"]) == "Room 4, Bilbao"
    assert str(event["uid"]) == f"meeting-{meeting['id']}@cohesion"
    hidden = await api.get(
        f"{API}/communities/{community_id}/meetings.ics", headers=world.headers("other_chair")
    )
    assert hidden.status_code == 404


async def test_a_meeting_needs_a_day_or_a_start(
    api: httpx.AsyncClient, notify_app: FastAPI, world: World
) -> None:
    community_id = await community(notify_app, world)
    for body in (
        {"title": "No date"},
        {
            "title": "Backwards",
            "starts_at": "2026-11-05T14:00:00Z",
            "ends_at": "2026-11-05T13:00:00Z",
        },
    ):
        response = await api.post(
            f"{API}/communities/{community_id}/meetings", json=body, headers=world.headers("chair")
        )
        assert response.status_code == 422, response.text


async def test_the_personal_feed_is_revocable_and_its_token_is_not_logged(
    api: httpx.AsyncClient, notify_app: FastAPI, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    community_id = await community(notify_app, world)
    await plan_meeting(api, world, community_id)
    member = world["member"]
    issued = await api.post(f"{API}/me/calendar-feed", headers=member.headers)
    assert issued.status_code == 201
    path, token = issued.json()["path"], issued.json()["token"]
    feed = await api.get(path)  # no bearer token: calendar clients cannot send one
    assert feed.status_code == 200
    [event] = events(feed.content)
    assert str(event["summary"]) == "Autumn meeting"
    # The server's log (not the test client's own "httpx" lines) never holds the token.
    server = [r for r in caplog.records if r.name != "httpx"]
    assert any("/calendar/***.ics" in str(r.__dict__) for r in server)
    assert all(token not in r.getMessage() + str(r.__dict__) for r in server)
    assert (await api.delete(f"{API}/me/calendar-feed", headers=member.headers)).status_code == 204
    assert (await api.get(path)).status_code == 404


async def test_the_meeting_reminder_carries_the_ics(
    api: httpx.AsyncClient,
    notify_app: FastAPI,
    notify_settings: Settings,
    world: World,
    inbox: Inbox,
    mailer: MailWorker,
) -> None:
    community_id = await community(notify_app, world)
    await plan_meeting(api, world, community_id)
    db = notify_app.state.cohesion.db
    summary = await reminders.run(db, notify_settings, as_of=date(2026, 11, 1))
    assert summary.counts["meeting.upcoming"] == 1
    await reminders.run(db, notify_settings, as_of=date(2026, 11, 2))
    await deliver(mailer)
    [message] = inbox.to(world["member"].email)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    [event] = events(attachment.get_payload(decode=True))
    assert str(event["summary"]) == "Autumn meeting"


async def test_the_personal_feed_has_meetings_attended_and_milestones_owned(
    api: httpx.AsyncClient, notify_app: FastAPI, world: World
) -> None:
    from tests.notifications.test_reminders import milestones

    community_id = await community(notify_app, world)
    attendee = world["outsider"]  # no role, not a member: listed at one meeting only
    attended = await api.post(
        f"{API}/communities/{community_id}/meetings",
        json={
            "title": "Pilot review",
            "starts_at": "2026-11-12T10:00:00Z",
            "attendee_user_ids": [attendee.id],
        },
        headers=world.headers("chair"),
    )
    assert attended.status_code == 201, attended.text
    await plan_meeting(api, world, community_id)  # not attended: not in the feed
    await milestones(notify_app, world, attendee.id)
    issued = await api.post(f"{API}/me/calendar-feed", headers=attendee.headers)
    feed = await api.get(issued.json()["path"])
    assert feed.status_code == 200
    assert sorted(str(e["summary"]) for e in events(feed.content)) == [
        "Due: Milestone later",
        "Due: Milestone overdue",
        "Due: Milestone soon",
        "Pilot review",
    ]
