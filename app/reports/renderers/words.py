"""How numbers, shares, ratings and owners are written in every format."""

from typing import Any

from app.plans.attention import number
from app.reports.schemas import RATING_WORDS, STATE_WORDS


def num(value: float | None) -> str:
    return "—" if value is None else number(value)


def pct(value: float | None) -> str:
    """A share as a percentage; ``no measures`` when there was nothing to cover."""
    return "no measures" if value is None else f"{round(value * 100)} %"


def rating_words(value: Any) -> str:
    return RATING_WORDS[str(getattr(value, "value", value))]


def state(value: str) -> str:
    return STATE_WORDS.get(value, value.replace("_", " "))


def owner_text(owner: Any) -> str | None:
    """An attention item's owner (community, people, text) in one line."""
    names = [owner.community.name] if owner.community else []
    names += [p.name for p in owner.people]
    if owner.text:
        names.append(owner.text)
    return "; ".join(names) or None


CHANGE_COLUMNS = ["When", "Objective", "About", "What happened", "Who"]


def change_row(change: Any) -> list[str]:
    """One line of "what changed since": the columns of ``CHANGE_COLUMNS``."""
    return [
        f"{change.occurred_at:%Y-%m-%d}",
        change.objective_code or "plan",
        change.title,
        change.what,
        change.who.name or change.who.kind,
    ]


ACTION_COLUMNS = ["Action", "Status", "Owner", "Due"]


def action_row(action: Any) -> list[Any]:
    """One line of an objective's actions: the columns of ``ACTION_COLUMNS``."""
    overdue = " (overdue)" if action.overdue else ""
    return [action.description, state(action.status) + overdue, action.owner, action.due_on]
