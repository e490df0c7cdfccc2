"""An approved canvas's cadence and success measures (seed 002): the words read."""

import pytest

from app.badges import canvas


@pytest.mark.parametrize(
    ("words", "expected"),
    [("One hour", 60), ("1 h", 60), ("90 minutes", 90), ("half an hour", 30), ("weekly", None)],
)
def test_meeting_durations(words: str, expected: int | None) -> None:
    assert canvas.minutes(words) == expected


def test_formats_and_an_empty_section() -> None:
    assert canvas.meeting_format("Face-to-face meeting") == "in_person"
    assert canvas.meeting_format("On Teams") == "online"
    assert canvas.meeting_format("Hybrid") == "blended"
    assert canvas.cadence({"format": "somewhere"}) is None
    assert canvas.cadence(None) is None


def test_a_success_measure_with_a_number_takes_it_as_its_target() -> None:
    measure = canvas.success_measure("A minimum of 40 migrants earning badges per annum", 0)
    assert measure.source == "badge_earners"
    assert measure.target is not None
    assert (measure.target.comparator, measure.target.value, measure.target.period) == (
        "at_least",
        40,
        "per_annum",
    )
    awards = canvas.success_measure("At least 100 badges awarded", 1)
    assert awards.source == "badge_awards" and awards.target and awards.target.value == 100
