"""Partners' roles in objectives: a registry the partnerships package fills."""

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

# --- to and from the database -------------------------------------------------------------


class PartnerRoles(Protocol):
    """Partners' roles in objectives, held elsewhere (the partnerships package registers it).

    In a document they travel in the "Role of Partners" text, one ``<partner name>: <role>``
    line per commitment after the free text; import turns such lines back into commitments
    when the name is one of the network's partnerships, and keeps every other line as text."""

    async def partner_names(self, session: AsyncSession, network_id: int) -> dict[str, int]:
        """Partner name (case-folded) → partnership id, for the network's live partnerships."""
        ...

    async def objective_roles(
        self, session: AsyncSession, plan_id: int
    ) -> dict[int, list[tuple[str, str]]]:
        """Objective id → (partner name, role) of the commitments on the plan's objectives."""
        ...

    async def add_objective_roles(
        self, session: AsyncSession, roles: list[tuple[int, int, str]]
    ) -> None:
        """Write (partnership id, objective id, role) commitments."""
        ...


_partner_roles: PartnerRoles | None = None


def register_partner_roles(impl: PartnerRoles) -> None:
    global _partner_roles
    _partner_roles = impl


def registered() -> PartnerRoles | None:
    """The registered partner roles, if the partnerships package is installed."""
    return _partner_roles


def _role_line(name: str, role: str) -> str:
    return f"{name}: {' '.join(role.split())}"


def with_partner_roles(text: str | None, roles: list[tuple[str, str]]) -> str | None:
    """The "Role of Partners" text of an export: the free text, then a line per commitment."""
    lines = [text] if text else []
    lines += [_role_line(name, role) for name, role in roles]
    return "\n".join(lines) or None


def split_partner_roles(
    text: str | None, partners: dict[str, int]
) -> tuple[str | None, list[tuple[int, str]]]:
    """Lines naming a known partner (``<name>: <role>``) become (partnership id, role); the
    other lines stay as free text. The longest matching name wins."""
    if not text or not partners:
        return text, []
    names = sorted(partners, key=len, reverse=True)
    kept: list[str] = []
    found: list[tuple[int, str]] = []
    for line in text.split("\n"):
        folded = line.casefold()
        name = next((n for n in names if folded.startswith(n + ":")), None)
        role = line[len(name) + 1 :].strip() if name is not None else ""
        if name is not None and role:
            found.append((partners[name], role))
        else:
            kept.append(line)
    return "\n".join(kept).strip("\n") or None, found
