"""What each reminder says: the interface text in English, the network's content (titles of
milestones, measures, plans and communities) in the language the reader is served
(``app.core.i18n.served_to``)."""

from collections.abc import Callable
from datetime import date

from app.communities.models import Community, Meeting
from app.core.i18n import Served
from app.plans.models import Measure, Milestone, Plan

Compose = Callable[[Served], tuple[str, str]]


def fixed(title: str, body: str) -> Compose:
    """What says nothing a network translates: the same for every reader."""
    return lambda _served: (title, body)


def milestone_text(milestone: Milestone, plan: Plan, code: str, *, overdue: bool) -> Compose:
    assert milestone.due_on is not None
    when = milestone.due_on.strftime("%-d %B %Y")

    def compose(served: Served) -> tuple[str, str]:
        title = served.text(milestone, "title")
        return (
            f"Overdue since {when}: {title}" if overdue else f"Due on {when}: {title}",
            f"Plan \u201c{served.text(plan, 'title')}\u201d, objective {code}.",
        )

    return compose


def measure_text(measure: Measure, plan: Plan, code: str, last: date | None) -> Compose:
    def compose(served: Served) -> tuple[str, str]:
        latest = f"The latest reading is from {last.isoformat()}." if last else "No reading yet."
        return (
            f"A reading is due: {served.text(measure, 'description')[:200]}",
            f"{latest} Plan \u201c{served.text(plan, 'title')}\u201d, objective {code}.",
        )

    return compose


def meeting_text(meeting: Meeting, community: Community) -> Compose:
    assert meeting.starts_at is not None
    where = meeting.location or meeting.online_url or "see the agenda"

    def compose(served: Served) -> tuple[str, str]:
        named = served.text(community, "title")
        return (
            f"{meeting.title or named}: {meeting.starts_at:%A %-d %B, %H:%M} UTC",
            f"{named} meets ({where}).",
        )

    return compose
