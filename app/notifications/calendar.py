"""iCalendar (RFC 5545) feeds built with the ``icalendar`` library: a community's meetings,
and a person's feed of the meetings they attend and the milestones they own."""

import hashlib
from datetime import date, timedelta

from icalendar import Calendar, Event
from sqlalchemy import String, cast, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.models import User
from app.communities.models import Community, CommunityMember, Meeting
from app.core.db import utcnow
from app.core.errors import NotFound
from app.core.security import new_secret
from app.networks.models import Network
from app.notifications.models import CalendarFeed
from app.plans.models import Action, Milestone, Plan

PRODID = "-//Cohesion//Cohesion API//EN"
DEFAULT_LENGTH = timedelta(hours=1)
UID_DOMAIN = "cohesion"


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    return cal


def _meeting_event(meeting: Meeting, community: Community) -> Event:
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@{UID_DOMAIN}")
    event.add("dtstamp", meeting.updated_at)
    event.add("summary", meeting.title or f"{community.title} meeting")
    if meeting.starts_at is not None:
        event.add("dtstart", meeting.starts_at)
        event.add("dtend", meeting.ends_at or meeting.starts_at + DEFAULT_LENGTH)
    else:
        event.add("dtstart", meeting.held_on)
        event.add("dtend", meeting.held_on + timedelta(days=1))
    if meeting.location:
        event.add("location", meeting.location)
    if meeting.online_url:
        event.add("url", meeting.online_url)
    description = "\n\n".join(
        part
        for part in (meeting.agenda, meeting.online_url and f"Join: {meeting.online_url}")
        if part
    )
    if description:
        event.add("description", description)
    event.add("sequence", meeting.version)
    return event


def _milestone_event(milestone: Milestone, plan: Plan) -> Event:
    assert milestone.due_on is not None
    event = Event()
    event.add("uid", f"milestone-{milestone.id}@{UID_DOMAIN}")
    event.add("dtstamp", milestone.updated_at)
    event.add("summary", f"Due: {milestone.title[:200]}")
    event.add("dtstart", milestone.due_on)
    event.add("dtend", milestone.due_on + timedelta(days=1))
    event.add(
        "description", f"Milestone of the plan \u201c{plan.title}\u201d ({milestone.status})."
    )
    event.add("sequence", milestone.version)
    return event


def meeting_ics(meeting: Meeting, community: Community) -> bytes:
    """One meeting as a calendar file (the attachment of a meeting's e-mail)."""
    cal = _calendar(community.title)
    cal.add_component(_meeting_event(meeting, community))
    return bytes(cal.to_ical())


async def community_ics(
    session: AsyncSession, community: Community, *, since: date | None = None
) -> bytes:
    """A community's meetings (from a year back by default) as a calendar."""
    first = since or (utcnow().date() - timedelta(days=366))
    meetings = await session.scalars(
        select(Meeting)
        .where(
            col(Meeting.community_id) == community.id,
            col(Meeting.deleted_at).is_(None),
            col(Meeting.held_on) >= first,
        )
        .order_by(col(Meeting.held_on), col(Meeting.id))
    )
    cal = _calendar(community.title)
    for meeting in meetings.all():
        cal.add_component(_meeting_event(meeting, community))
    return bytes(cal.to_ical())


def feed_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_feed(session: AsyncSession, user_id: int) -> str:
    """A new personal feed token (the old one stops working); returned once."""
    token = new_secret()
    await session.execute(delete(CalendarFeed).where(col(CalendarFeed.user_id) == user_id))
    session.add(CalendarFeed(user_id=user_id, token_hash=feed_token_hash(token)))
    await session.flush()
    return token


async def revoke_feed(session: AsyncSession, user_id: int) -> None:
    await session.execute(delete(CalendarFeed).where(col(CalendarFeed.user_id) == user_id))


async def personal_ics(session: AsyncSession, token: str) -> bytes:
    """Everything the token's person attends or owns: meetings of their communities and those
    they are listed at as attendees (in any community), and due dates of milestones of the
    actions they own."""
    user = await session.scalar(
        select(User)
        .join(CalendarFeed, col(CalendarFeed.user_id) == col(User.id))
        .where(col(CalendarFeed.token_hash) == feed_token_hash(token), col(User.is_active))
    )
    if user is None or user.id is None:
        raise NotFound("no such calendar feed (it may have been revoked)")
    first = utcnow().date() - timedelta(days=366)
    communities = set(
        (
            await session.scalars(
                select(col(CommunityMember.community_id)).where(
                    col(CommunityMember.user_id) == user.id,
                    col(CommunityMember.left_on).is_(None),
                )
            )
        ).all()
    )
    # Attendees are a JSON list: its text narrows the rows on both databases, and the list
    # itself decides (so user 5 is not taken for user 15).
    listed = cast(col(Meeting.attendee_user_ids), String).contains(str(user.id))
    rows = await session.execute(
        select(Meeting, Community)
        .join(Community, col(Community.id) == col(Meeting.community_id))
        .join(Network, col(Network.id) == col(Community.network_id))
        .where(
            col(Meeting.deleted_at).is_(None),
            col(Community.deleted_at).is_(None),
            col(Network.deleted_at).is_(None),
            col(Meeting.held_on) >= first,
            or_(col(Meeting.community_id).in_(sorted(communities)), listed),
        )
        .order_by(col(Meeting.held_on), col(Meeting.id))
    )
    cal = _calendar(f"Cohesion: {user.name}")
    for meeting, community in rows.all():
        if meeting.community_id in communities or user.id in meeting.attendee_user_ids:
            cal.add_component(_meeting_event(meeting, community))
    milestones = await session.execute(
        select(Milestone, Plan)
        .join(Plan, col(Plan.id) == col(Milestone.plan_id))
        .join(Action, col(Action.id) == col(Milestone.action_id))
        .join(Network, col(Network.id) == col(Plan.network_id))
        .where(
            col(Action.owner_user_id) == user.id,
            col(Action.deleted_at).is_(None),
            col(Milestone.deleted_at).is_(None),
            col(Milestone.due_on).is_not(None),
            col(Milestone.due_on) >= first,
            col(Plan.deleted_at).is_(None),
            col(Network.deleted_at).is_(None),
        )
        .order_by(col(Milestone.due_on), col(Milestone.id))
    )
    for milestone, plan in milestones.all():
        cal.add_component(_milestone_event(milestone, plan))
    return bytes(cal.to_ical())
