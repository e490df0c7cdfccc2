"""What an approved badge-network canvas becomes (seed 002).

* The canvas's communication section ("Once every two months", "One hour", "Face-to-face
  meeting") becomes the cadence of the network's meeting, a ``forum`` community: the
  frequency in the canvas's words, the duration in minutes, the format as ``in_person``,
  ``online`` or ``blended`` (each left out when the words do not say).
* Each success measure becomes a measure of the network's plan. One about earners taking or
  earning badges reads the ``badge_earners`` source, one about badges awarded or issued the
  ``badge_awards`` source; others are recorded by hand. A target the text states ("50 migrants
  taking the badges") is read as a table import reads it (``app/plans/inference.py``).
"""

import re
from typing import Any

from app.communities.schemas import Cadence, MeetingFormat
from app.plans import inference
from app.plans.measure_schemas import MeasureCreate

_WORD_NUMBERS = {"one": 1, "an": 1, "a": 1, "two": 2, "three": 3, "four": 4, "ninety": 90}
_DURATION = re.compile(
    r"\b(half\s+an?|\d+(?:\.\d+)?|one|an|a|two|three|four|ninety)\s*"
    r"(h|hrs?|hours?|mins?|minutes?)\b",
    re.I,
)
_FORMATS = [
    (re.compile(r"blended|hybrid|mixed", re.I), MeetingFormat.blended),
    (re.compile(r"online|virtual|remote|video|teams|zoom", re.I), MeetingFormat.online),
    (
        re.compile(r"face[\s-]*to[\s-]*face|in[\s-]person|on[\s-]site", re.I),
        MeetingFormat.in_person,
    ),
]
_EARNERS = re.compile(r"\b(?:taking|earning|earn|earned|gaining)\b[^.]*\bbadges?\b", re.I)
_AWARDS = re.compile(r"\bbadges?\b[^.]*\b(?:awarded|issued)\b", re.I)


def minutes(text: str | None) -> int | None:
    """'One hour' → 60, '90 minutes' → 90, '1 h' → 60, 'half an hour' → 30."""
    match = _DURATION.search(text or "")
    if match is None:
        return None
    amount, unit = match.group(1).lower(), match.group(2).lower()
    value = 0.5 if amount.startswith("half") else float(_WORD_NUMBERS.get(amount, 0) or amount)
    total = value * 60 if unit.startswith("h") else value
    return int(total) if 1 <= total <= 24 * 60 else None


def meeting_format(text: str | None) -> MeetingFormat | None:
    for pattern, found in _FORMATS:
        if pattern.search(text or ""):
            return found
    return None


def cadence(communication: dict[str, Any] | None) -> Cadence | None:
    """The meeting cadence the canvas's communication section describes; None when it says
    nothing about meetings."""
    if not communication:
        return None
    frequency = communication.get("cadence")
    found = Cadence(
        frequency=frequency[:200] if frequency else None,
        duration_minutes=minutes(communication.get("duration")),
        format=meeting_format(communication.get("format")),
    )
    return found if found.model_dump(exclude_none=True) else None


def success_measure(text: str, position: int) -> MeasureCreate:
    """A measure of the network's plan for one success measure of the canvas."""
    source = "manual"
    if _EARNERS.search(text):
        source = "badge_earners"
    elif _AWARDS.search(text):
        source = "badge_awards"
    target = inference.infer(text).target
    return MeasureCreate.model_validate(
        {
            "description": text,
            "position": position,
            "source": source,
            "target": target.model_dump() if target else None,
        }
    )
