"""``cohesion rotate-keys``: move every secret-dependent value onto the configured keys.

Domains register what they keep under a key when their package is imported:

* ``register_encrypted(Model.column)``: a column of ``KeyRing`` tokens (``app/core/secrets.py``).
  Each value not yet under the ring's newest key is re-encrypted with it (``MultiFernet.rotate``).
* ``register_rekeyer(fn)``: values derived from a key that can be recomputed, such as the
  respondent HMACs; ``fn(session, settings, old_keys)`` moves values made under one of
  ``old_keys`` onto the current key.

Data written before ``COHESION_DATA_KEYS`` existed was encrypted under a key derived from the
JWT secret: give that secret in ``COHESION_LEGACY_JWT_SECRET`` and it is tried last.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from app.core.config import Settings
from app.core.db import Database
from app.core.secrets import InvalidToken, KeyRing, legacy_data_key, parse_data_keys


@dataclass
class Outcome:
    """What rotation did to one kind of value."""

    what: str
    rotated: int = 0
    current: int = 0
    unreadable: list[Any] = field(default_factory=list)  # ids of values no key opens

    def line(self) -> str:
        text = f"{self.what}: {self.rotated} re-keyed, {self.current} already current"
        if self.unreadable:
            shown = ", ".join(str(i) for i in self.unreadable[:20])
            text += f", {len(self.unreadable)} UNREADABLE with the given keys (ids {shown})"
        return text


Rekeyer = Callable[[AsyncSession, Settings, list[str]], Awaitable[Outcome]]

_ENCRYPTED: list[InstrumentedAttribute[str]] = []
_REKEYERS: list[Rekeyer] = []


def register_encrypted(column: InstrumentedAttribute[str]) -> None:
    if column not in _ENCRYPTED:
        _ENCRYPTED.append(column)


def register_rekeyer(rekeyer: Rekeyer) -> None:
    if rekeyer not in _REKEYERS:
        _REKEYERS.append(rekeyer)


async def _rotate_column(
    session: AsyncSession, column: InstrumentedAttribute[str], ring: KeyRing, current: KeyRing
) -> Outcome:
    entity = column.class_
    table = entity.__table__
    primary = table.primary_key.columns.values()[0]
    outcome = Outcome(f"{table.name}.{column.key}")
    rows = await session.execute(select(primary, column).order_by(primary))
    for row_id, token in rows.all():
        if current.is_current(token):
            outcome.current += 1
            continue
        try:
            rotated = ring.rotate(token)
        except InvalidToken:
            outcome.unreadable.append(row_id)
            continue
        await session.execute(update(table).where(primary == row_id).values({column.key: rotated}))
        outcome.rotated += 1
    return outcome


async def rotate(
    db: Database, settings: Settings, *, legacy_jwt_secret: str | None = None
) -> list[Outcome]:
    """Re-encrypt and re-key everything registered, in one transaction (the caller imports the
    domains first: ``app.api`` imports every domain, and each registers what it keeps)."""
    assert settings.data_keys is not None
    keys = parse_data_keys(settings.data_keys.get_secret_value())
    current = KeyRing(keys[:1])
    old_keys: list[str] = []
    if legacy_jwt_secret:
        keys = [*keys, legacy_data_key(legacy_jwt_secret)]
        old_keys.append(legacy_jwt_secret)
    ring = KeyRing(keys)
    outcomes = []
    async with db.transaction() as session:
        for column in _ENCRYPTED:
            outcomes.append(await _rotate_column(session, column, ring, current))
        for rekeyer in _REKEYERS:
            outcomes.append(await rekeyer(session, settings, old_keys))
    return outcomes
