"""The kinds of reminder (milestones due soon and overdue, stale measures, partnerships due
for review, meetings in the coming week, terms of office ending), each a ``Source``: which of a
network's rows are candidates, the key a row is handled once under (kind, item, due period),
and what a batch of due rows publishes. ``reminders.py`` runs them."""

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.models import RoleAssignment, User
from app.communities.models import Community, CommunityMember, Meeting
from app.core import audit
from app.core.config import Settings
from app.core.db import utcnow
from app.core.i18n import served_to
from app.mail import service as mail
from app.networks.models import Network
from app.notifications import calendar, service
from app.notifications.models import ReminderMark
from app.notifications.schemas import NotificationKind
from app.notifications.wording import Compose, fixed, measure_text, meeting_text, milestone_text
from app.organisations.models import Organisation
from app.partnerships.models import Partnership
from app.plans.measures import is_stale
from app.plans.models import Action, Measure, MeasureReading, Milestone, Objective, Plan
from app.webhooks.service import SYSTEM

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


async def mark(session: AsyncSession, kind: str, object_id: int, period: str) -> bool:
    """Whether this run is the first to handle (kind, item, period)."""
    stmt = (
        service.insert_for(session)(ReminderMark)
        .values(kind=kind, object_id=object_id, period=period, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["kind", "object_id", "period"])
        .returning(col(ReminderMark.id))
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


Key = tuple[str, int, str]


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


Row = Sequence[Any]


@dataclass(frozen=True)
class Source:
    """One kind of reminder: its candidates in a network (a select of whole rows, ordered by
    ``id``), the columns a candidate's key is read from (read alone, cheaply), the key itself
    (``None``: not due after all), and what a batch of due rows publishes."""

    select: Callable[[Settings, Network, date], Any]
    id: Any
    key_columns: Callable[[], tuple[Any, ...]]
    key: Callable[[Row, date], Key | None]
    send: Callable[[AsyncSession, Settings, date, Summary, Sequence[Row]], Awaitable[None]]


def _milestones_select(settings: Settings, network: Network, as_of: date) -> Any:
    return (
        select(Milestone, Plan, Network, Objective, Action)
        .join(Plan, col(Plan.id) == col(Milestone.plan_id))
        .join(Network, col(Network.id) == col(Plan.network_id))
        .join(Objective, col(Objective.id) == col(Milestone.objective_id))
        .outerjoin(Action, col(Action.id) == col(Milestone.action_id))
        .where(
            col(Plan.network_id) == network.id,
            col(Milestone.deleted_at).is_(None),
            col(Milestone.status) == "pending",
            col(Milestone.due_on).is_not(None),
            col(Milestone.due_on) <= as_of + timedelta(days=lead_days(settings, network)),
            col(Plan.deleted_at).is_(None),
            col(Plan.status) != "closed",
            col(Network.deleted_at).is_(None),
            col(Objective.deleted_at).is_(None),
        )
        .order_by(col(Milestone.id))
    )


def _milestone_key(row: Row, as_of: date) -> Key:
    milestone_id, due_on = row
    return (
        f"milestone.{'overdue' if due_on < as_of else 'due_soon'}",
        milestone_id,
        due_on.isoformat(),
    )


async def _send_milestones(
    session: AsyncSession, settings: Settings, as_of: date, summary: Summary, rows: Sequence[Row]
) -> None:
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
        if not await mark(
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


def _last_reading() -> Any:
    return (
        select(func.max(MeasureReading.observed_on))
        .where(col(MeasureReading.measure_id) == col(Measure.id))
        .correlate(Measure)
        .scalar_subquery()
    )


def _measures_select(_settings: Settings, network: Network, as_of: date) -> Any:
    return (
        select(Measure, Plan, Network, Objective, _last_reading())
        .join(Plan, col(Plan.id) == col(Measure.plan_id))
        .join(Network, col(Network.id) == col(Plan.network_id))
        .join(Objective, col(Objective.id) == col(Measure.objective_id))
        .where(
            col(Plan.network_id) == network.id,
            col(Measure.deleted_at).is_(None),
            col(Measure.update_frequency).is_not(None),
            col(Plan.deleted_at).is_(None),
            col(Plan.status) == "active",
            col(Network.deleted_at).is_(None),
            col(Objective.deleted_at).is_(None),
        )
        .order_by(col(Measure.id))
    )


def _measure_key(row: Row, as_of: date) -> Key | None:
    measure, plan, last = row
    if measure.id is None or not is_stale(measure, last, plan, as_of):
        return None
    return ("measure.stale", measure.id, (last or plan.period_start).isoformat())


async def _send_measures(
    session: AsyncSession, settings: Settings, as_of: date, summary: Summary, rows: Sequence[Row]
) -> None:
    rows = [r for r in rows if is_stale(r[0], r[4], r[1], as_of)]
    leaders = await _community_leaders(
        session, {r[3].responsible_community_id for r in rows if r[3].responsible_community_id}
    )
    chairs = await _chairs(session, {r[2].id for r in rows if r[2].id})
    for measure, plan, network, objective, last in rows:
        assert measure.id is not None
        period = (last or plan.period_start).isoformat()
        if not await mark(session, "measure.stale", measure.id, period):
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


def _partnerships_select(settings: Settings, network: Network, as_of: date) -> Any:
    """Active partnerships whose review falls due within the network's lead time (or is
    past)."""
    return (
        select(Partnership, Organisation, Network)
        .join(Organisation, col(Organisation.id) == col(Partnership.organisation_id))
        .join(Network, col(Network.id) == col(Partnership.network_id))
        .where(
            col(Partnership.network_id) == network.id,
            col(Partnership.deleted_at).is_(None),
            col(Partnership.status) == "active",
            col(Partnership.review_on).is_not(None),
            col(Partnership.review_on) <= as_of + timedelta(days=lead_days(settings, network)),
            col(Network.deleted_at).is_(None),
        )
        .order_by(col(Partnership.id))
    )


async def _send_partnerships(
    session: AsyncSession, settings: Settings, as_of: date, summary: Summary, rows: Sequence[Row]
) -> None:
    """The network's chairs and whoever recorded the partnership are told, once per
    partnership and review date."""
    chairs = await _chairs(session, {network.id for _, _, network in rows if network.id})
    for partnership, organisation, network in rows:
        assert partnership.id is not None and partnership.review_on is not None
        period = partnership.review_on.isoformat()
        if not await mark(session, "partnership.review", partnership.id, period):
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


def _meetings_select(_settings: Settings, network: Network, as_of: date) -> Any:
    start = datetime.combine(as_of, datetime.min.time(), tzinfo=UTC)
    return (
        select(Meeting, Community, Network)
        .join(Community, col(Community.id) == col(Meeting.community_id))
        .join(Network, col(Network.id) == col(Community.network_id))
        .where(
            col(Community.network_id) == network.id,
            col(Meeting.deleted_at).is_(None),
            col(Meeting.starts_at) >= start,
            col(Meeting.starts_at) < start + timedelta(days=MEETING_DAYS_AHEAD),
            col(Community.deleted_at).is_(None),
            col(Network.deleted_at).is_(None),
        )
        .order_by(col(Meeting.id))
    )


async def _send_meetings(
    session: AsyncSession, settings: Settings, as_of: date, summary: Summary, rows: Sequence[Row]
) -> None:
    found = await session.execute(
        select(col(CommunityMember.community_id), col(CommunityMember.user_id)).where(
            col(CommunityMember.community_id).in_(sorted({c.id for _, c, _ in rows if c.id})),
            col(CommunityMember.left_on).is_(None),
            col(CommunityMember.user_id).is_not(None),
        )
    )
    members: dict[int, set[int]] = defaultdict(set)
    for community_id, user_id in found.all():
        if user_id is not None:
            members[community_id].add(user_id)
    for meeting, community, network in rows:
        assert meeting.id is not None and meeting.starts_at is not None
        if not await mark(session, "meeting.upcoming", meeting.id, meeting.starts_at.isoformat()):
            continue
        people = members.get(community.id or 0, set()) | set(meeting.attendee_user_ids)
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


def _terms_select(_settings: Settings, network: Network, as_of: date) -> Any:
    """Terms of office ending within ``TERM_DAYS_AHEAD`` days."""
    now = utcnow()
    return (
        select(RoleAssignment, Network)
        .join(Network, col(Network.id) == col(RoleAssignment.network_id))
        .where(
            col(RoleAssignment.network_id) == network.id,
            col(RoleAssignment.term_ends_on) >= as_of,
            col(RoleAssignment.term_ends_on) <= as_of + timedelta(days=TERM_DAYS_AHEAD),
            col(RoleAssignment.since) <= now,
            (col(RoleAssignment.until).is_(None)) | (col(RoleAssignment.until) > now),
            col(Network.deleted_at).is_(None),
        )
        .order_by(col(RoleAssignment.id))
    )


async def _send_terms(
    session: AsyncSession, settings: Settings, as_of: date, summary: Summary, rows: Sequence[Row]
) -> None:
    """The holder and the network's chairs are told once per role and term end (a term
    extended later is told again)."""
    chairs = await _chairs(session, {network.id for _, network in rows if network.id})
    for role, network in rows:
        assert role.id is not None and role.term_ends_on is not None
        period = role.term_ends_on.isoformat()
        if not await mark(session, "term.ends_soon", role.id, period):
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


def _dated(kind: str) -> Callable[[Row, date], Key]:
    """The key of an item handled once per the date (or time) in its second column."""
    return lambda row, _as_of: (kind, row[0], row[1].isoformat())


SOURCES = (
    Source(
        _milestones_select,
        Milestone.id,
        lambda: (col(Milestone.id), col(Milestone.due_on)),
        _milestone_key,
        _send_milestones,
    ),
    Source(
        _measures_select,
        Measure.id,
        # Only measures with a cadence; their own rule (``is_stale``) reads the rows.
        lambda: (Measure, Plan, _last_reading()),
        _measure_key,
        _send_measures,
    ),
    Source(
        _partnerships_select,
        Partnership.id,
        lambda: (col(Partnership.id), col(Partnership.review_on)),
        _dated("partnership.review"),
        _send_partnerships,
    ),
    Source(
        _meetings_select,
        Meeting.id,
        lambda: (col(Meeting.id), col(Meeting.starts_at)),
        _dated("meeting.upcoming"),
        _send_meetings,
    ),
    Source(
        _terms_select,
        RoleAssignment.id,
        lambda: (col(RoleAssignment.id), col(RoleAssignment.term_ends_on)),
        _dated("term.ends_soon"),
        _send_terms,
    ),
)
