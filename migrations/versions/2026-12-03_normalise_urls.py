"""normalise stored URLs: what parses as an http(s) URL is kept in its normal form, what does not
is cleared

Until now URL fields were checked only against ``^https?://\\S+$``, so a value such as
``http://[::1`` was stored and served back. The API now parses every URL (WHATWG, pydantic's
HttpUrl) and stores its normal form; this brings stored values into the same shape:

* optional URL columns (organisations.website, badges.image_url, milestone_evidence.url):
  normalised, or NULL when they do not parse or are too long once normalised;
* badges.alignments (JSON): each target_url normalised; an alignment whose URL does not parse
  is dropped (an alignment is its URL);
* webhook_subscriptions.url (required): normalised when it parses; otherwise left as it is
  (the target check refuses it at every delivery, and the owner sees the failures);
* badge_awards.evidence is left alone: an award is an issued, signed credential.

Edited records get a new version and updated_at, so ETags and incremental sync see the change.
Not reversible (the original spellings are not kept): downgrade does nothing.

Revision ID: 0009e
Revises: 0008
Create Date: 2026-12-03 10:00:00
"""
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op
from pydantic import HttpUrl, TypeAdapter, ValidationError


revision: str = '0009e'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_URL: TypeAdapter[HttpUrl] = TypeAdapter(HttpUrl)


def normal_url(value: Any, max_length: int) -> str | None:
    """``value`` in its normal form, or None when it is not an http(s) URL that fits."""
    if not isinstance(value, str) or len(value) > max_length:
        return None
    try:
        normal = str(_URL.validate_python(value))
    except ValidationError:
        return None
    return normal if len(normal) <= max_length else None


def _now(conn: sa.Connection) -> datetime:
    """Now, as UTCDateTime stores it (naive on SQLite)."""
    now = datetime.now(UTC)
    return now.replace(tzinfo=None) if conn.dialect.name == 'sqlite' else now


def _columns(table: str, *names: str) -> sa.TableClause:
    return sa.table(table, *(sa.column(name) for name in names))


def _edit(conn: sa.Connection, table: sa.TableClause, row_id: int, values: dict[str, Any]) -> None:
    conn.execute(sa.update(table).where(table.c.id == row_id).values(**values))


def _optional_column(conn: sa.Connection, table: str, column: str, size: int, record: bool) -> None:
    names = ('id', column, 'version', 'updated_at') if record else ('id', column)
    t = _columns(table, *names)
    now = _now(conn)
    for row_id, value in conn.execute(sa.select(t.c.id, t.c[column]).where(t.c[column].is_not(None))):
        normal = normal_url(value, size)
        if normal != value:
            changes: dict[str, Any] = {column: normal}
            if record:
                changes.update(version=t.c.version + 1, updated_at=now)
            _edit(conn, t, row_id, changes)


def upgrade() -> None:
    conn = op.get_bind()
    _optional_column(conn, 'organisations', 'website', 500, record=True)
    _optional_column(conn, 'badges', 'image_url', 2000, record=True)
    _optional_column(conn, 'milestone_evidence', 'url', 2000, record=False)

    now = _now(conn)
    hooks = _columns('webhook_subscriptions', 'id', 'url', 'version', 'updated_at')
    for row_id, value in conn.execute(sa.select(hooks.c.id, hooks.c.url)):
        normal = normal_url(value, 2000)
        if normal is not None and normal != value:
            _edit(conn, hooks, row_id, {'url': normal, 'version': hooks.c.version + 1, 'updated_at': now})

    badges = sa.table(
        'badges', sa.column('id'), sa.column('alignments', sa.JSON), sa.column('version'),
        sa.column('updated_at'),
    )
    for row_id, alignments in conn.execute(sa.select(badges.c.id, badges.c.alignments)):
        if not isinstance(alignments, list):
            continue
        kept = []
        for alignment in alignments:
            normal = normal_url(alignment.get('target_url'), 2000) if isinstance(alignment, dict) else None
            if normal is not None:
                kept.append({**alignment, 'target_url': normal})
        if kept != alignments:
            _edit(conn, badges, row_id, {'alignments': kept, 'version': badges.c.version + 1, 'updated_at': now})


def downgrade() -> None:
    pass
