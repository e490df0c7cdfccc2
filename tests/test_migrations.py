"""Alembic: empty → head gives exactly the models; head → base leaves nothing behind."""

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import create_async_engine

from app.models import metadata
from tests.conftest import DB_KINDS, alembic_config


@pytest.fixture(params=DB_KINDS)
async def empty_database(request, tmp_path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'migrations.db'}"
        return
    base = make_url(os.environ["TEST_DATABASE_URL"])
    name = f"cohesion_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def _diff(connection) -> list:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return compare_metadata(context, metadata)


def _tables(connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_upgrade_matches_models_and_downgrade_cleans_up(empty_database: str) -> None:
    config = alembic_config(empty_database)
    await asyncio.to_thread(command.upgrade, config, "head")
    engine = create_async_engine(empty_database)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_diff) == []
            assert {t.name for t in metadata.sorted_tables} <= await conn.run_sync(_tables)
        await asyncio.to_thread(command.downgrade, config, "base")
        async with engine.connect() as conn:
            assert await conn.run_sync(_tables) == {"alembic_version"}
    finally:
        await engine.dispose()


async def test_0009e_normalises_stored_urls_and_clears_what_does_not_parse(
    empty_database: str,
) -> None:
    """Values stored under the old ``^https?://\\S+$`` check: normalised when they parse,
    cleared (optional columns) or dropped (alignments) when not; a webhook target that does not
    parse is kept for its owner to see; edited records get a new version."""
    config = alembic_config(empty_database)
    await asyncio.to_thread(command.upgrade, config, "0008")
    engine = create_async_engine(empty_database)
    at = datetime(2026, 1, 1)  # naive, as UTCDateTime stores it on SQLite
    alignments = [
        {"target_name": "Kept", "target_url": "HTTPS://ESCO.eu:443/skill"},
        {"target_name": "Dropped", "target_url": "http://[::1"},
    ]
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO networks (id, version, created_at, updated_at, name, kind, path)"
                    " VALUES (1, 1, :at, :at, 'N', 'alliance', '/1/')"
                ),
                {"at": at},
            )
            organisations = text(
                "INSERT INTO organisations (id, version, created_at, updated_at, name, kind,"
                " website) VALUES (:id, 1, :at, :at, 'O', 'school', :website)"
            )
            for row_id, website in [(1, "http://[::1"), (2, "https://Kelvin.AC.uk"), (3, None)]:
                await conn.execute(organisations, {"id": row_id, "at": at, "website": website})
            await conn.execute(
                text(
                    "INSERT INTO badges (id, version, created_at, updated_at, network_id, name,"
                    " description, criteria_narrative, skill_tags, alignments, image_url)"
                    " VALUES (1, 1, :at, :at, 1, 'B', 'd', 'c', '[]', :alignments, 'http://')"
                ),
                {"at": at, "alignments": json.dumps(alignments)},
            )
            hooks = text(
                "INSERT INTO webhook_subscriptions (id, version, created_at, updated_at,"
                " network_id, url, event_types, include_descendants, active)"
                " VALUES (:id, 1, :at, :at, 1, :url, '[\"*\"]', false, true)"
            )
            for row_id, url in [(1, "https://Hooks.example/in"), (2, "http://[::1")]:
                await conn.execute(hooks, {"id": row_id, "at": at, "url": url})
        await asyncio.to_thread(command.upgrade, config, "head")
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT id, website, version FROM organisations"))
            assert sorted(rows.all()) == [
                (1, None, 2),
                (2, "https://kelvin.ac.uk/", 2),
                (3, None, 1),
            ]
            badge = (
                await conn.execute(text("SELECT image_url, alignments, version FROM badges"))
            ).one()
            stored = badge[1] if isinstance(badge[1], list) else json.loads(badge[1])
            assert badge[0] is None and badge[2] > 1
            assert stored == [{"target_name": "Kept", "target_url": "https://esco.eu/skill"}]
            rows = await conn.execute(text("SELECT id, url, version FROM webhook_subscriptions"))
            assert sorted(rows.all()) == [
                (1, "https://hooks.example/in", 2),
                (2, "http://[::1", 1),
            ]
    finally:
        await engine.dispose()


async def test_0012a_links_every_parent_and_renames_only_the_seils(empty_database: str) -> None:
    """Each parent_id becomes a live link; a facilitator with SEIL functions (a role or an
    invitation) becomes an improvement_leader, one without stays a facilitator."""
    config = alembic_config(empty_database)
    await asyncio.to_thread(command.upgrade, config, "0011a")
    engine = create_async_engine(empty_database)
    at = datetime(2026, 1, 1)
    try:
        async with engine.begin() as conn:
            networks = text(
                "INSERT INTO networks (id, version, created_at, updated_at, name, kind, path,"
                " parent_id) VALUES (:id, 1, :at, :at, :name, 'regional', :path, :parent)"
            )
            for row_id, parent, path in [(1, None, "/1/"), (2, 1, "/1/2/"), (3, 2, "/1/2/3/")]:
                await conn.execute(
                    networks,
                    {"id": row_id, "at": at, "name": f"N{row_id}", "path": path, "parent": parent},
                )
            await conn.execute(
                text(
                    "INSERT INTO users (id, version, created_at, updated_at, email, name,"
                    " is_active, is_admin, token_generation)"
                    " VALUES (1, 1, :at, :at, 'a@x.example', 'A', true, false, 0)"
                ),
                {"at": at},
            )
            roles = text(
                "INSERT INTO role_assignments (id, version, created_at, updated_at, network_id,"
                " user_id, role, functions, since) VALUES (:id, 1, :at, :at, 2, 1, :role,"
                " :functions, :at)"
            )
            for row_id, role, functions in [
                (1, "facilitator", ["connector", "conduit"]),
                (2, "facilitator", []),
                (3, "chair", []),
            ]:
                await conn.execute(
                    roles,
                    {"id": row_id, "at": at, "role": role, "functions": json.dumps(functions)},
                )
            await conn.execute(
                text(
                    "INSERT INTO invitations (id, version, created_at, updated_at, network_id,"
                    " email, role, functions, token_hash, status, expires_at, sent_count,"
                    " last_sent_at) VALUES (1, 1, :at, :at, 2, 's@x.example', 'facilitator',"
                    " :functions, 'h', 'pending', :at, 1, :at)"
                ),
                {"at": at, "functions": json.dumps(["integrator"])},
            )
        await asyncio.to_thread(command.upgrade, config, "head")
        async with engine.connect() as conn:
            links = await conn.execute(
                text("SELECT child_id, parent_id, until FROM network_links ORDER BY child_id")
            )
            assert links.all() == [(2, 1, None), (3, 2, None)]
            rows = await conn.execute(text("SELECT id, role FROM role_assignments ORDER BY id"))
            assert rows.all() == [(1, "improvement_leader"), (2, "facilitator"), (3, "chair")]
            invitation = await conn.execute(text("SELECT role FROM invitations"))
            assert invitation.scalar_one() == "improvement_leader"
        await asyncio.to_thread(command.downgrade, config, "0011a")
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT id, role FROM role_assignments ORDER BY id"))
            assert rows.all() == [(1, "facilitator"), (2, "facilitator"), (3, "chair")]
    finally:
        await engine.dispose()


async def test_0014e_keeps_badge_subjects_and_allows_exactly_one_subject(
    empty_database: str,
) -> None:
    """Existing endorsements keep their badge; afterwards an endorsement has a badge or an
    issuer (subject_network_id), never both nor neither; downgrading drops issuer ones."""
    config = alembic_config(empty_database)
    await asyncio.to_thread(command.upgrade, config, "0013a")
    engine = create_async_engine(empty_database)
    at = datetime(2026, 1, 1)
    endorsement = text(
        "INSERT INTO badge_endorsements (id, version, created_at, updated_at, badge_id,"
        " subject_network_id, network_id, endorser_network_id, endorser_name, comment,"
        " credential_id, credential, credential_jwt, key_id, issued_at)"
        " VALUES (:id, 1, :at, :at, :badge, :subject, 1, 2, 'E', 'c', :cid, '{}', 'j', 'k', :at)"
    )
    try:
        async with engine.begin() as conn:
            networks = text(
                "INSERT INTO networks (id, version, created_at, updated_at, name, kind, path,"
                " languages, default_language)"
                " VALUES (:id, 1, :at, :at, :name, 'badge', :path, '[\"en\"]', 'en')"
            )
            for row_id in (1, 2):
                await conn.execute(
                    networks, {"id": row_id, "at": at, "name": f"N{row_id}", "path": f"/{row_id}/"}
                )
            await conn.execute(
                text(
                    "INSERT INTO badges (id, version, created_at, updated_at, network_id, name,"
                    " description, criteria_narrative, skill_tags, alignments)"
                    " VALUES (1, 1, :at, :at, 1, 'B', 'd', 'c', '[]', '[]')"
                ),
                {"at": at},
            )
            await conn.execute(
                text(
                    "INSERT INTO badge_endorsements (id, version, created_at, updated_at,"
                    " badge_id, network_id, endorser_network_id, endorser_name, comment,"
                    " credential_id, credential, credential_jwt, key_id, issued_at)"
                    " VALUES (1, 1, :at, :at, 1, 1, 2, 'E', 'c', 'u1', '{}', 'j', 'k', :at)"
                ),
                {"at": at},
            )
        await asyncio.to_thread(command.upgrade, config, "head")
        async with engine.begin() as conn:
            rows = await conn.execute(
                text("SELECT id, badge_id, subject_network_id FROM badge_endorsements")
            )
            assert rows.all() == [(1, 1, None)]
            await conn.execute(
                endorsement, {"id": 2, "at": at, "badge": None, "subject": 1, "cid": "u2"}
            )
        for row_id, badge, subject in [(3, None, None), (4, 1, 1)]:
            with pytest.raises(IntegrityError):
                async with engine.begin() as conn:
                    await conn.execute(
                        endorsement,
                        {
                            "id": row_id,
                            "at": at,
                            "badge": badge,
                            "subject": subject,
                            "cid": f"u{row_id}",
                        },
                    )
        await asyncio.to_thread(command.downgrade, config, "0013a")
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT id, badge_id FROM badge_endorsements"))
            assert rows.all() == [(1, 1)]
    finally:
        await engine.dispose()
