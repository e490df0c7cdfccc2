"""Targets read from the words of a measure, for tables imported without target columns.

The networks' own plan tables (the 8-column tables of the seeds) state their targets in the
text: "A minimum of 5 regional networks", "Minimum 25 x staff mobilities per annum". A
measure imported from a CSV/XLSX table with no target gets one inferred from its text (rules
in docs/plans.md, "Targets read from the text"); a target given in the columns always wins.
Every inference is listed in the import answer so a chair can correct it.

Rules, first match wins for the number:

1. ``minimum [of] N`` / ``at least N`` / ``no fewer than N`` → ``at_least N``;
2. ``maximum [of] N`` / ``at most N`` / ``no more than N`` / ``up to N`` → ``at_most N``;
3. ``N x thing`` ("1 x overall network governance structure") → ``at_least N``;
4. a text starting with a number ("1 network wide cooperation strategy") → ``at_least N``
   (a year, 1900-2100, does not count).

The period: "per annum", "per year", "each year", "a year", "annually" → ``per_annum``;
"per group", "in/for each … group" → ``per_group``; otherwise ``total``.

No number at all: a text naming a count ("Number of …", "Quantity of …") stays a ``numeric``
measure without a target (it needs one from a person); anything else ("A Memorandum of
Understanding", "List of NoN study programs created") is ``binary``: achieved once a reading
of 1 is recorded.
"""

import re
from dataclasses import dataclass
from typing import Any

from app.plans.schemas import Comparator, MeasureKind, Target, TargetPeriod

_NUMBER = r"(\d+(?:\.\d+)?)"
_RULES: list[tuple[re.Pattern[str], Comparator, str]] = [
    (
        re.compile(
            rf"\b(?:minimum|min\.?|at\s+least|no\s+fewer\s+than)\s+(?:of\s+)?{_NUMBER}", re.I
        ),
        Comparator.at_least,
        "'minimum N'",
    ),
    (
        re.compile(
            rf"\b(?:maximum|max\.?|at\s+most|no\s+more\s+than|up\s+to)\s+(?:of\s+)?{_NUMBER}",
            re.I,
        ),
        Comparator.at_most,
        "'maximum N'",
    ),
    (re.compile(rf"(?<![\w.]){_NUMBER}\s*[x\u00d7]\s+\w", re.I), Comparator.at_least, "'N x'"),
    (re.compile(rf"^\W*{_NUMBER}\s+[^\W\d]", re.I), Comparator.at_least, "a leading number"),
]
_PER_ANNUM = re.compile(r"\b(?:per\s+(?:annum|year)|each\s+year|a\s+year|annually)\b", re.I)
_PER_GROUP = re.compile(r"\b(?:per\s+group|(?:in|for)\s+each\b[^.;]*?\bgroups?)\b", re.I)
_COUNT = re.compile(r"^\W*(?:number|quantity|amount|count)\s+of\b", re.I)
_NUMBERS = re.compile(_NUMBER)


@dataclass(frozen=True)
class Inference:
    kind: str  # numeric | binary (the measure kinds of docs/plans.md)
    target: Target | None
    rule: str


def _is_year(value: float) -> bool:
    return value.is_integer() and 1900 <= value <= 2100


def infer(text: str) -> Inference:
    """The kind and target the words of a measure state (rules in the module docstring)."""
    for pattern, comparator, name in _RULES:
        for match in pattern.finditer(text):
            value = float(match.group(1))
            if _is_year(value):
                continue
            period = TargetPeriod.total
            if _PER_ANNUM.search(text):
                period = TargetPeriod.per_annum
            elif _PER_GROUP.search(text):
                period = TargetPeriod.per_group
            target = Target(comparator=comparator, value=value, period=period)
            return Inference("numeric", target, f"{name} in the text")
    if _COUNT.search(text):
        return Inference("numeric", None, "a count with no number in the text: set a target")
    if any(not _is_year(float(n)) for n in _NUMBERS.findall(text)):
        return Inference("numeric", None, "no target found in the text: set one")
    return Inference("binary", None, "no number in the text: achieved once a reading of 1")


def infer_targets(measures: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """Give each measure without a target the one its text states, in place; ``measures`` are
    ``(objective code, MeasureDoc)``. Returns what was inferred, one entry per measure
    considered, for the import answer. A measure with a target is left alone."""
    report = []
    for code, measure in measures:
        given = measure.kind.value if measure.kind is not None else None
        # Explicit columns win: a target, or a kind that takes none (binary, qualitative).
        if measure.target is not None or given not in (None, "numeric"):
            continue
        found = infer(measure.description)
        if found.target is not None and (given is None or found.kind == given):
            measure.target = found.target
        measure.kind = MeasureKind(given or found.kind)
        report.append(
            {
                "objective_code": code,
                "measure": measure.description,
                "kind": measure.kind.value,
                "target": found.target,
                "rule": found.rule,
            }
        )
    return report
