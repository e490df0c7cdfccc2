"""The daily and weekly digests: one mail per person with notifications waiting for one,
each person in a short transaction of its own (see ``reminders.py`` on why)."""

from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.models import User
from app.core.config import Settings
from app.core.db import Database
from app.mail import service as mail
from app.networks.models import Network
from app.notifications import service
from app.notifications.models import Notification
from app.notifications.schemas import EmailFrequency, NotificationKind


async def send_digests(
    db: Database,
    settings: Settings,
    as_of: date,
    pause: Callable[[], Awaitable[None]],
) -> int:
    """One mail per person with notifications waiting for a digest, grouped by network: the
    daily kinds every day, the weekly kinds on Mondays. Rows are claimed by an UPDATE, so two
    runs at once mail each row once. Returns how many digests were queued."""
    async with db.transaction(write=False) as session:
        waiting = await session.execute(
            select(col(Notification.user_id))
            .where(col(Notification.email_state) == "digest")
            .distinct()
        )
        user_ids = sorted(u for (u,) in waiting.all())
    sent = 0
    for user_id in user_ids:
        async with db.transaction() as session:
            sent += await _digest(session, settings, as_of, user_id)
        await pause()
    return sent


async def _digest(session: AsyncSession, settings: Settings, as_of: date, user_id: int) -> int:
    chosen = await service.frequencies(session, user_id)
    kinds = [
        k.value
        for k, f in chosen.items()
        if f is EmailFrequency.daily or (f is EmailFrequency.weekly and as_of.weekday() == 0)
    ]
    if not kinds:
        return 0
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
    user = await session.scalar(
        select(User).where(col(User.id) == user_id, col(User.is_active).is_(True))
    )
    if not ids or user is None:
        return 0
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
    return 1
