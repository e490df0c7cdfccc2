"""The daily reminder run: milestones due soon and overdue, stale measures, partnerships due
for review, meetings in the coming week, terms of office ending (``term.ends_soon``); then the
daily and weekly digests. "Soon" is the network's lead time (``networks.reminder_days_ahead``),
or the server's default of 14 days.

Each (kind, item, due period) is handled once: a ``ReminderMark`` is inserted with ON CONFLICT
DO NOTHING before anything is published, so a second run, a restart or two workers at once
(the second waits for the first's row on PostgreSQL, and SQLite runs writers one at a time)
publish nothing twice. The same run publishes the webhook events ``milestone.due_soon``,
``milestone.overdue`` and ``measure.stale`` through the audit trail.
"""

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.models import RoleAssignment, User
from app.communities.models import Community, CommunityMember, Meeting
from app.core import audit
from app.core.config import Settings
from app.core.db import Database, utcnow
from app.core.i18n import served_to
from app.mail import service as mail
from app.networks.models import Network
from app.notifications import calendar, service
from app.notifications.models import Notification, ReminderMark
from app.notifications.schemas import EmailFrequency, NotificationKind
from app.notifications.wording import Compose, fixed, measure_text, meeting_text, milestone_text
from app.organisations.models import Organisation
from app.partnerships.models import Partnership
from app.plans.measures import is_stale
from app.plans.models import Action, Measure, MeasureReading, Milestone, Objective, Plan
from app.webhooks.service import SYSTEM

log = logging.getLogger("cohesion.reminders")

LEADING_ROLES = ("lead", "facilitator")
MEETING_DAYS_AHEAD = 7
# A term of office ending within this many days: time to plan the succession (seed 003).
TERM_DAYS_AHEAD = 60


@dataclass
class Summary:
    as_of: date
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def line(self) -> str:
        parts = ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items())) or "nothing new"
        return f"reminders as of {self.as_of.isoformat()}: {parts}"


def lead_days(settings: Settings, network: Network) -> int:
    """How many days ahead a network is reminded of what falls due: its own setting, or the
    server's default."""
    return network.reminder_days_ahead or settings.reminder_days_ahead


async def _horizon(session: AsyncSession, settings: Settings, as_of: date) -> date:
    """The farthest day any network is reminded of (each row is then checked against its
    network's own lead time)."""
    farthest = await session.scalar(select(func.max(col(Network.reminder_days_ahead))))
    return as_of + timedelta(days=max(settings.reminder_days_ahead, farthest or 0))


def _due_soon(settings: Settings, network: Network, day: date | None, as_of: date) -> bool:
    return day is not None and day <= as_of + timedelta(days=lead_days(settings, network))


async def _mark(session: AsyncSession, kind: str, object_id: int, period: str) -> bool:
    """Whether this run is the first to handle (kind, item, period)."""
    stmt = (
        service.insert_for(session)(ReminderMark)
        .values(kind=kind, object_id=object_id, period=period, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["kind", "object_id", "period"])
        .returning(col(ReminderMark.id))
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


async def _community_leaders(session: AsyncSession, community_ids: set[int]) -> dict[int, set[int]]:
    if not community_ids:
        return {}
    rows = await session.execute(
        select(col(CommunityMember.community_id), col(CommunityMember.user_id)).where(
            col(CommunityMember.community_id).in_(sorted(community_ids)),
            col(CommunityMember.role).in_(LEADING_ROLES),
            col(CommunityMember.left_on).is_(None),
            col(CommunityMember.user_id).is_not(None),
        )
    )
    found: dict[int, set[int]] = defaultdict(set)
    for community_id, user_id in rows.all():
        if user_id is not None:
            found[community_id].add(user_id)
    return found


async def _chairs(session: AsyncSession, network_ids: set[int]) -> dict[int, set[int]]:
    if not network_ids:
        return {}
    now = utcnow()
    rows = await session.execute(
        select(col(RoleAssignment.network_id), col(RoleAssignment.user_id)).where(
            col(RoleAssignment.network_id).in_(sorted(network_ids)),
            col(RoleAssignment.role) == "chair",
            col(RoleAssignment.since) <= now,
            (col(RoleAssignment.until).is_(None)) | (col(RoleAssignment.until) > now),
        )
    )
    found: dict[int, set[int]] = defaultdict(set)
    for network_id, user_id in rows.all():
        found[network_id].add(user_id)
    return found


async def _users(session: AsyncSession, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    rows = await session.scalars(
        select(User).where(col(User.id).in_(sorted(ids)), col(User.is_active).is_(True))
    )
    return {u.id: u for u in rows.all() if u.id is not None}


async def _tell(
    session: AsyncSession,
    settings: Settings,
    summary: Summary,
    people: set[int],
    *,
    network: Network,
    kind: NotificationKind,
    item: tuple[str, int, str],
    compose: Compose,
    attachments: tuple[mail.Attachment, ...] = (),
) -> None:
    """Notify each active person once for (kind, item, period); ``item`` is the table, the
    id and the due period. ``compose`` writes the title and body with the network's content
    in the language the person reads (``users.language``, where the network offers it)."""
    object_type, object_id, period = item
    for user in (await _users(session, people)).values():
        title, body = compose(served_to(network, user.language))
        await service.notify(
            session,
            settings,
            user=user,
            network=network,
            kind=kind,
            title=title,
            body=body,
            object_type=object_type,
            object_id=object_id,
            dedupe_key=f"{kind.value}:{object_id}:{period}",
            attachments=attachments,
        )
        summary.counts["notifications"] += 1


async def _milestones(
    session: AsyncSession, settings: Settings, as_of: date, summary: Summary
) -> None:
    horizon = await _horizon(session, settings, as_of)
    stmt = (
        select(Milestone, Plan, Network, Objective, Action)
        .join(Plan, col(Plan.id) == col(Milestone.plan_id))
        .join(Network, col(Network.id) == col(Plan.network_id))
        .join(Objective, col(Objective.id) == col(Milestone.objective_id))
        .outerjoin(Action, col(Action.id) == col(Milestone.action_id))
        .where(
            col(Milestone.deleted_at).is_(None),
            col(Milestone.status) == "pending",
            col(Milestone.due_on).is_not(None),
            col(Milestone.due_on) <= horizon,
            col(Plan.deleted_at).is_(None),
            col(Plan.status) != "closed",
            col(Network.deleted_at).is_(None),
            col(Objective.deleted_at).is_(None),
        )
        .order_by(col(Milestone.id))
    )
    rows = [
        r
        for r in (await session.execute(stmt)).all()
        if _due_soon(settings, r[2], r[0].due_on, as_of)
    ]
    communities = {
        c
        for _, _, _, objective, action in rows
        for c in (objective.responsible_community_id, action.owner_community_id if action else None)
        if c is not None
    }
    leaders = await _community_leaders(session, communities)
    chairs = await _chairs(session, {network.id for _, _, network, _, _ in rows if network.id})
    for milestone, plan, network, objective, action in rows:
        assert milestone.id is not None and milestone.due_on is not None
        overdue = milestone.due_on < as_of
        kind = (
            NotificationKind.milestone_overdue if overdue else NotificationKind.milestone_due_soon
        )
        event = "overdue" if overdue else "due_soon"
        if not await _mark(
            session, f"milestone.{event}", milestone.id, milestone.due_on.isoformat()
        ):
            continue
        people: set[int] = set()
        if action is not None and action.owner_user_id is not None:
            people.add(action.owner_user_id)
        for community_id in (
            objective.responsible_community_id,
            action.owner_community_id if action else None,
        ):
            if community_id is not None:
                people |= leaders.get(community_id, set())
        if overdue:
            people |= chairs.get(network.id or 0, set())
        await _tell(
            session,
            settings,
            summary,
            people,
            network=network,
            kind=kind,
            item=("milestones", milestone.id, milestone.due_on.isoformat()),
            compose=milestone_text(milestone, plan, objective.code, overdue=overdue),
        )
        await audit.record(
            session,
            SYSTEM,
            action=event,
            obj=milestone,
            network_id=network.id,
            before=None,
            after={**audit.snapshot(milestone), "as_of": as_of.isoformat()},
        )
        summary.counts[f"milestone.{event}"] += 1


async def _stale_measures(
    session: AsyncSession, settings: Settings, as_of: date, summary: Summary
) -> None:
    latest = (
        select(col(MeasureReading.measure_id), func.max(MeasureReading.observed_on).label("last"))
        .group_by(col(MeasureReading.measure_id))
        .subquery()
    )
    stmt = (
        select(Measure, Plan, Network, Objective, latest.c.last)
        .join(Plan, col(Plan.id) == col(Measure.plan_id))
        .join(Network, col(Network.id) == col(Plan.network_id))
        .join(Objective, col(Objective.id) == col(Measure.objective_id))
        .outerjoin(latest, latest.c.measure_id == col(Measure.id))
        .where(
            col(Measure.deleted_at).is_(None),
            col(Measure.update_frequency).is_not(None),
            col(Plan.deleted_at).is_(None),
            col(Plan.status) == "active",
            col(Network.deleted_at).is_(None),
            col(Objective.deleted_at).is_(None),
        )
        .order_by(col(Measure.id))
    )
    rows = [r for r in (await session.execute(stmt)).all() if is_stale(r[0], r[4], r[1], as_of)]
    leaders = await _community_leaders(
        session, {r[3].responsible_community_id for r in rows if r[3].responsible_community_id}
    )
    chairs = await _chairs(session, {r[2].id for r in rows if r[2].id})
    for measure, plan, network, objective, last in rows:
        assert measure.id is not None
        period = (last or plan.period_start).isoformat()
        if not await _mark(session, "measure.stale", measure.id, period):
            continue
        people = set(leaders.get(objective.responsible_community_id or 0, set()))
        people = people or chairs.get(network.id or 0, set())
        await _tell(
            session,
            settings,
            summary,
            people,
            network=network,
            kind=NotificationKind.measure_stale,
            item=("measures", measure.id, period),
            compose=measure_text(measure, plan, objective.code, last),
        )
        await audit.record(
            session,
            SYSTEM,
            action="stale",
            obj=measure,
            network_id=network.id,
            before=None,
            after={**audit.snapshot(measure), "as_of": as_of.isoformat()},
        )
        summary.counts["measure.stale"] += 1


async def _partnership_reviews(
    session: AsyncSession, settings: Settings, as_of: date, summary: Summary
) -> None:
    """Active partnerships whose review falls due within the network's lead time (or is
    past): the network's chairs and whoever recorded the partnership are told, once per
    partnership and review date."""
    horizon = await _horizon(session, settings, as_of)
    stmt = (
        select(Partnership, Organisation, Network)
        .join(Organisation, col(Organisation.id) == col(Partnership.organisation_id))
        .join(Network, col(Network.id) == col(Partnership.network_id))
        .where(
            col(Partnership.deleted_at).is_(None),
            col(Partnership.status) == "active",
            col(Partnership.review_on).is_not(None),
            col(Partnership.review_on) <= horizon,
            col(Network.deleted_at).is_(None),
        )
        .order_by(col(Partnership.id))
    )
    rows = [
        r
        for r in (await session.execute(stmt)).all()
        if _due_soon(settings, r[2], r[0].review_on, as_of)
    ]
    chairs = await _chairs(session, {network.id for _, _, network in rows if network.id})
    for partnership, organisation, network in rows:
        assert partnership.id is not None and partnership.review_on is not None
        period = partnership.review_on.isoformat()
        if not await _mark(session, "partnership.review", partnership.id, period):
            continue
        people = set(chairs.get(network.id or 0, set()))
        if partnership.created_by_user_id is not None:
            people.add(partnership.created_by_user_id)
        when = partnership.review_on.strftime("%-d %B %Y")
        late = partnership.review_on < as_of
        title = (
            f"{'Review overdue since' if late else 'Review due on'} {when}: the partnership "
            f"with {organisation.name}"
        )
        body = f"{network.name}'s {partnership.sector} partnership, since {partnership.start_on}."
        await _tell(
            session,
            settings,
            summary,
            people,
            network=network,
            kind=NotificationKind.partnership_review,
            item=("partnerships", partnership.id, period),
            compose=fixed(title, body),  # an organisation's name is one in every language
        )
        summary.counts["partnership.review"] += 1


async def _meetings(
    session: AsyncSession, settings: Settings, as_of: date, summary: Summary
) -> None:
    start = datetime.combine(as_of, datetime.min.time(), tzinfo=UTC)
    end = start + timedelta(days=MEETING_DAYS_AHEAD)
    stmt = (
        select(Meeting, Community, Network)
        .join(Community, col(Community.id) == col(Meeting.community_id))
        .join(Network, col(Network.id) == col(Community.network_id))
        .where(
            col(Meeting.deleted_at).is_(None),
            col(Meeting.starts_at) >= start,
            col(Meeting.starts_at) < end,
            col(Community.deleted_at).is_(None),
            col(Network.deleted_at).is_(None),
        )
        .order_by(col(Meeting.id))
    )
    rows = (await session.execute(stmt)).all()
    for meeting, community, network in rows:
        assert meeting.id is not None and meeting.starts_at is not None
        if not await _mark(session, "meeting.upcoming", meeting.id, meeting.starts_at.isoformat()):
            continue
        members = await session.scalars(
            select(col(CommunityMember.user_id)).where(
                col(CommunityMember.community_id) == community.id,
                col(CommunityMember.left_on).is_(None),
                col(CommunityMember.user_id).is_not(None),
            )
        )
        people = {u for u in members.all() if u is not None} | set(meeting.attendee_user_ids)
        invite = mail.Attachment(
            "meeting.ics", "text/calendar; method=PUBLISH", calendar.meeting_ics(meeting, community)
        )
        await _tell(
            session,
            settings,
            summary,
            people,
            network=network,
            kind=NotificationKind.meeting_upcoming,
            item=("community_meetings", meeting.id, meeting.starts_at.isoformat()),
            compose=meeting_text(meeting, community),
            attachments=(invite,),
        )
        summary.counts["meeting.upcoming"] += 1


async def _terms(session: AsyncSession, settings: Settings, as_of: date, summary: Summary) -> None:
    """Terms of office ending within ``TERM_DAYS_AHEAD`` days: the holder and the network's
    chairs are told once per role and term end (a term extended later is told again)."""
    now = utcnow()
    stmt = (
        select(RoleAssignment, Network)
        .join(Network, col(Network.id) == col(RoleAssignment.network_id))
        .where(
            col(RoleAssignment.term_ends_on) >= as_of,
            col(RoleAssignment.term_ends_on) <= as_of + timedelta(days=TERM_DAYS_AHEAD),
            col(RoleAssignment.since) <= now,
            (col(RoleAssignment.until).is_(None)) | (col(RoleAssignment.until) > now),
            col(Network.deleted_at).is_(None),
        )
        .order_by(col(RoleAssignment.id))
    )
    rows = (await session.execute(stmt)).all()
    chairs = await _chairs(session, {network.id for _, network in rows if network.id})
    for role, network in rows:
        assert role.id is not None and role.term_ends_on is not None
        period = role.term_ends_on.isoformat()
        if not await _mark(session, "term.ends_soon", role.id, period):
            continue
        people = await _users(session, {role.user_id} | chairs.get(network.id or 0, set()))
        holder = people.get(role.user_id)
        who = holder.name if holder else f"user {role.user_id}"
        for user in people.values():
            await service.notify(
                session,
                settings,
                user=user,
                network=network,
                kind=NotificationKind.term_ends_soon,
                title=f"{who}'s term as {role.role} of {network.name} ends on "
                f"{role.term_ends_on:%-d %B %Y}",
                body="Time to plan the succession.",
                object_type="role_assignments",
                object_id=role.id,
                dedupe_key=f"term_ends_soon:{role.id}:{period}",
            )
            summary.counts["notifications"] += 1
        summary.counts["term.ends_soon"] += 1


async def send_digests(
    session: AsyncSession, settings: Settings, as_of: date, summary: Summary
) -> None:
    """One mail per person with notifications waiting for a digest, grouped by network: the
    daily kinds every day, the weekly kinds on Mondays. Rows are claimed by an UPDATE, so two
    runs at once mail each row once."""
    waiting = await session.execute(
        select(col(Notification.user_id))
        .where(col(Notification.email_state) == "digest")
        .distinct()
    )
    for user_id in sorted(u for (u,) in waiting.all()):
        chosen = await service.frequencies(session, user_id)
        kinds = [
            k.value
            for k, f in chosen.items()
            if f is EmailFrequency.daily or (f is EmailFrequency.weekly and as_of.weekday() == 0)
        ]
        if not kinds:
            continue
        claimed: Any = await session.execute(
            update(Notification)
            .where(
                col(Notification.user_id) == user_id,
                col(Notification.email_state) == "digest",
                col(Notification.kind).in_(kinds),
            )
            .values(email_state="digested")
            .returning(col(Notification.id))
            .execution_options(synchronize_session=False)
        )
        ids = [i for (i,) in claimed.all()]
        user = (await _users(session, {user_id})).get(user_id)
        if not ids or user is None:
            continue
        rows = await session.execute(
            select(Notification, col(Network.name))
            .outerjoin(Network, col(Network.id) == col(Notification.network_id))
            .where(col(Notification.id).in_(ids))
            .order_by(col(Network.name), col(Notification.id))
        )
        groups: dict[str, list[dict[str, str]]] = defaultdict(list)
        for notification, network_name in rows.all():
            groups[network_name or mail.PLATFORM].append(
                {"title": notification.title, "text": notification.body or ""}
            )
        weekly = all(chosen[NotificationKind(k)] is EmailFrequency.weekly for k in kinds)
        await mail.enqueue(
            session,
            settings,
            kind="digest",
            to=user.email,
            user_id=user_id,
            network_name=next(iter(groups)) if len(groups) == 1 else None,
            name=user.name,
            period="weekly" if weekly else "daily",
            groups=[{"network_name": n, "entries": items} for n, items in groups.items()],
        )
        summary.counts["digests"] += 1


async def run(db: Database, settings: Settings, *, as_of: date, daily: bool = False) -> Summary:
    """``cohesion reminders --as-of``: one reminder run and the digests, in one transaction.
    ``daily``: the worker's run, done only if no run of that day was done yet."""
    summary = Summary(as_of)
    async with db.transaction() as session:
        if daily and not await _mark(session, "run", 0, as_of.isoformat()):
            return summary
        await _milestones(session, settings, as_of, summary)
        await _stale_measures(session, settings, as_of, summary)
        await _partnership_reviews(session, settings, as_of, summary)
        await _meetings(session, settings, as_of, summary)
        await _terms(session, settings, as_of, summary)
        await send_digests(session, settings, as_of, summary)
    log.info(summary.line())
    return summary


async def run_if_due(db: Database, settings: Settings, *, now: datetime) -> Summary | None:
    """The worker's daily run: once a day, from ``reminder_hour_utc`` on (the day's mark makes
    several workers, or a restart, run it once)."""
    if now.hour < settings.reminder_hour_utc:
        return None
    return await run(db, settings, as_of=now.date(), daily=True)


@contextlib.asynccontextmanager
async def in_background(db: Database, settings: Settings) -> AsyncIterator[None]:
    """Run the daily reminders beside the app (with the mail worker's setting)."""
    if not settings.mail_worker_enabled:
        yield
        return
    stop = asyncio.Event()

    async def loop() -> None:
        while not stop.is_set():
            try:
                await run_if_due(db, settings, now=utcnow())
            except Exception:
                log.exception("reminder run failed; trying again later")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 300)

    task = asyncio.create_task(loop(), name="reminders")
    try:
        yield
    finally:
        stop.set()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 30)
