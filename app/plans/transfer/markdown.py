"""The plan as Markdown, for reading (not re-importable)."""

import re

from app.plans import measures as measure_rules
from app.plans.schemas import ActionStatus, MilestoneStatus, Target, TargetPeriod, parse_due
from app.plans.transfer.csvfile import format_number
from app.plans.transfer.document import MilestoneDoc, PlanDocument, walk

# --- Markdown -----------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def _md_block(text: str) -> str:
    return "\n".join(_md(line.rstrip()) for line in text.strip().splitlines())


def _md_due(due: str | None) -> str:
    if due is None:
        return ""
    day, precision = parse_due(due)
    return f"{day:%B %Y}" if precision == "month" else f"{day.day} {day:%B %Y}"


def _md_target(target: Target) -> str:
    words = {"at_least": "at least", "at_most": "at most", "exactly": "exactly"}
    text = f"{words[target.comparator.value]} {format_number(target.value)}"
    if target.unit:
        text += f" {_md(target.unit)}"
    if target.period is TargetPeriod.per_annum:
        text += " per year"
    elif target.period is TargetPeriod.per_group:
        text += " per group"
    return text


def _md_milestone(milestone: MilestoneDoc) -> str:
    parts = [_md(milestone.title)]
    if milestone.due:
        parts.append(f"due {_md_due(milestone.due)}")
    if milestone.status is not MilestoneStatus.pending:
        achieved = f" {milestone.achieved_on.isoformat()}" if milestone.achieved_on else ""
        parts.append(f"*{milestone.status.value}{achieved}*")
    return " — ".join(parts)


def to_markdown(doc: PlanDocument) -> str:
    """A readable plan: a heading per aspiration and objective, lists of actions, measures
    (with targets) and milestones (with due dates), responsible group and role of partners."""
    out = [f"# {_md(doc.title)}", ""]
    period = f"{doc.period_start.isoformat()} to {doc.period_end.isoformat()}"
    out += [f"*{period} · {doc.status.value}*", ""]
    if doc.aim:
        out += ["**Aim:** " + _md_block(doc.aim), ""]
    for _, depth, node in walk(doc):
        level = "#" * min(depth + 2, 6)
        out += [f"{level} {node.kind.value.title()} {_md(node.code)}: {_md(node.title)}", ""]
        if node.description:
            out += [_md_block(node.description), ""]
        if node.responsible_group:
            out += [f"**Responsible group:** {_md(node.responsible_group)}", ""]
        if node.workstreams:
            out += [f"**Workstreams:** {_md(', '.join(node.workstreams))}", ""]
        if node.actions:
            out += ["**Actions**", ""]
            for action in node.actions:
                notes = []
                if action.status is not ActionStatus.planned:
                    notes.append(action.status.value.replace("_", " "))
                if action.owner_text:
                    notes.append(f"owner: {_md(action.owner_text)}")
                if action.start_on:
                    notes.append(f"from {action.start_on.isoformat()}")
                if action.due_on:
                    notes.append(f"due {action.due_on.isoformat()}")
                extra = f" ({'; '.join(notes)})" if notes else ""
                out.append(f"- {_md(action.description)}{extra}")
                out += [f"  - Milestone: {_md_milestone(m)}" for m in action.milestones]
            out.append("")
        if node.measures:
            out += ["**Measures of success**", ""]
            for measure in node.measures:
                line = f"- {_md(measure.description)}"
                if measure.target:
                    line += f" — target: {_md_target(measure.target)}"
                if measure.source != measure_rules.MANUAL:
                    line += f" (from live data: {_md(measure.source)})"
                out.append(line)
            out.append("")
        if node.milestones:
            out += ["**Milestones**", ""]
            out += [f"- {_md_milestone(m)}" for m in node.milestones]
            out.append("")
        if node.role_of_partners:
            out += ["**Role of partners:**", "", _md_block(node.role_of_partners), ""]
    return "\n".join(out).rstrip() + "\n"
