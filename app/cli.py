"""The ``cohesion`` command: serve, migrate, create-admin, load-demo, worker, reminders,
generate-secrets, rotate-keys."""

import argparse
import asyncio
import errno
import logging
import os
import socket
import sys
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

from app.core.config import Settings, get_settings

ROOT = Path(__file__).resolve().parent.parent


def _alembic_config() -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return config


class _UpgradeSteps(logging.Handler):
    """Collects Alembic's "Running upgrade A -> B, message" records."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.steps: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("Running upgrade "):
            step = message.removeprefix("Running upgrade ")
            self.steps.append(f"(empty) {step.lstrip()}" if step.startswith(" ->") else step)


def migrate() -> None:
    """Bring the configured database to the newest schema, and say what was done."""
    settings = get_settings()
    if settings.is_sqlite:
        path = settings.database_url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    where = make_url(settings.database_url).render_as_string(hide_password=True)
    steps = _UpgradeSteps()
    alembic_log = logging.getLogger("alembic.runtime.migration")
    level = alembic_log.level
    alembic_log.addHandler(steps)
    alembic_log.setLevel(logging.INFO)
    try:
        command.upgrade(_alembic_config(), "head")
    finally:
        alembic_log.removeHandler(steps)
        alembic_log.setLevel(level)
    if not steps.steps:
        print(f"{where}: already at the newest schema, nothing to do")
        return
    print(f"{where}: applied {len(steps.steps)} migration(s)")
    for step in steps.steps:
        print(f"  {step}")


def _port_free(host: str, port: int) -> bool:
    """Whether ``host:port`` can be bound now (uvicorn would otherwise say "Error 3")."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return False
            raise
    return True


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How uvicorn is told whom to believe about the client's address: the forwarded headers
    only from ``COHESION_FORWARDED_ALLOW_IPS`` (none at all when it is empty)."""
    trusted = settings.forwarded_allow_ips
    return {
        "access_log": False,
        "log_config": None,
        "use_colors": False,
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or None,
    }


def _serve(host: str, port: int, reload: bool) -> None:
    import uvicorn

    if not _port_free(host, port):
        sys.exit(
            f"port {port} on {host} is already in use: stop what holds it, or choose another "
            f"port with PORT= (make run PORT={port + 1}) or --port"
        )

    uvicorn.run(
        "app.main:app", host=host, port=port, reload=reload, **uvicorn_options(get_settings())
    )


async def _create_admin(email: str, password: str, name: str) -> None:
    from app.demo import ensure_admin

    await ensure_admin(email=email, password=password, name=name)


async def _worker(once: bool) -> None:
    from app.core.db import Database
    from app.core.logging import configure_logging
    from app.core.outbox import stop_on_signals
    from app.mail.worker import MailWorker
    from app.mail.worker import run_forever as run_mail
    from app.notifications import reminders
    from app.webhooks.worker import WebhookWorker, run_forever

    settings = get_settings()
    configure_logging(settings.log_level, json=settings.logs_as_json)
    if once:
        sent = await run_forever(settings, once=True)
        print(f"attempted {sent} webhook deliveries")
        mailed = await run_mail(settings, once=True)
        print(f"attempted {mailed} mail messages")
        return
    db = Database(settings)
    hooks, mails = WebhookWorker(db, settings), MailWorker(db, settings)

    def stop() -> None:
        hooks.stop()
        mails.stop()

    stop_on_signals(stop)
    try:
        # The daily reminder run is scheduled beside the two senders.
        enabled = settings.model_copy(update={"mail_worker_enabled": True})
        async with reminders.in_background(db, enabled):
            await asyncio.gather(hooks.run(), mails.run())
    finally:
        await hooks.aclose()
        await db.dispose()


async def _reminders(as_of: str | None) -> None:
    from datetime import date

    from app.core.db import Database, utcnow
    from app.core.logging import configure_logging
    from app.notifications import reminders

    settings = get_settings()
    configure_logging(settings.log_level, json=settings.logs_as_json)
    try:
        day = date.fromisoformat(as_of) if as_of else utcnow().date()
    except ValueError:
        sys.exit(f"--as-of takes a date as YYYY-MM-DD, not {as_of!r}")
    db = Database(settings)
    try:
        summary = await reminders.run(db, settings, as_of=day)
    finally:
        await db.dispose()
    print(summary.line())


async def _load_demo() -> None:
    from app.demo import load_demo

    await load_demo(verbose=True)


LEGACY_JWT_SECRET_ENV = "COHESION_LEGACY_JWT_SECRET"  # noqa: S105 - a variable's name

ROTATE_HELP = f"""\
Re-encrypt every value encrypted at rest under the newest key of COHESION_DATA_KEYS, and
re-key respondent keys. To rotate: put a new key first in COHESION_DATA_KEYS (keep the old
ones after it), restart, run this, then drop the old keys. Data written before
COHESION_DATA_KEYS existed was encrypted under the JWT secret: set {LEGACY_JWT_SECRET_ENV} to
that old secret (docs/deployment.md) and pass --legacy-jwt-secret. Exits 1 if
some value opens with none of the keys."""


async def _rotate_keys(legacy: bool) -> int:
    from app import api  # noqa: F401 - every domain registers what it keeps under a key
    from app.core.db import Database
    from app.core.keyrotation import rotate

    legacy_secret = None
    if legacy:
        legacy_secret = os.environ.get(LEGACY_JWT_SECRET_ENV)
        if not legacy_secret:
            sys.exit(f"--legacy-jwt-secret reads the old secret from {LEGACY_JWT_SECRET_ENV}")
    settings = get_settings()
    db = Database(settings)
    try:
        outcomes = await rotate(db, settings, legacy_jwt_secret=legacy_secret)
    finally:
        await db.dispose()
    for outcome in outcomes:
        print(outcome.line())
    if any(outcome.unreadable for outcome in outcomes):
        print(
            "some values open with no configured key: add the key they were written with to "
            f"COHESION_DATA_KEYS (or {LEGACY_JWT_SECRET_ENV} with --legacy-jwt-secret) and rerun",
            file=sys.stderr,
        )
        return 1
    return 0


def _generate_secrets() -> None:
    from app.core.secrets import generate_local_secrets

    values = generate_local_secrets()
    print(f"COHESION_JWT_SECRET={values['jwt_secret']}")
    print(f"COHESION_DATA_KEYS={values['data_keys']}")
    print(f"COHESION_RESPONDENT_HMAC_KEY={values['respondent_hmac_key']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="cohesion", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve the API with uvicorn")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--reload", action="store_true")
    sub.add_parser("migrate", help="apply database migrations (alembic upgrade head)")
    admin = sub.add_parser("create-admin", help="create or update a platform admin")
    admin.add_argument("--email", required=True)
    admin.add_argument("--password", help="defaults to $COHESION_ADMIN_PASSWORD")
    admin.add_argument("--name", default="Platform admin")
    sub.add_parser("load-demo", help="load the demo networks, people and plans (idempotent)")
    worker = sub.add_parser(
        "worker",
        help="send webhook deliveries and mail, and run the daily reminders, until stopped",
    )
    worker.add_argument("--once", action="store_true", help="send what is due now, then exit")
    reminders = sub.add_parser(
        "reminders",
        help="run the reminders (due and overdue milestones, stale measures, meetings ahead) and "
        "the digests once, for cron and tests",
    )
    reminders.add_argument("--as-of", help="the day to run for, YYYY-MM-DD (default: today, UTC)")
    sub.add_parser(
        "generate-secrets", help="print new random secrets as COHESION_* lines for an .env file"
    )
    rotate = sub.add_parser(
        "rotate-keys",
        help="re-encrypt data at rest under the newest data key",
        description=ROTATE_HELP,
    )
    rotate.add_argument(
        "--legacy-jwt-secret",
        action="store_true",
        help=f"also open data encrypted under the old JWT secret in ${LEGACY_JWT_SECRET_ENV}",
    )
    args = parser.parse_args(argv)

    if args.command == "serve":
        _serve(args.host, args.port, args.reload)
    elif args.command == "migrate":
        migrate()
    elif args.command == "create-admin":
        password = args.password or os.environ.get("COHESION_ADMIN_PASSWORD")
        if not password:
            sys.exit("give --password or set COHESION_ADMIN_PASSWORD")
        asyncio.run(_create_admin(args.email, password, args.name))
        print(f"admin {args.email} is ready")
    elif args.command == "load-demo":
        asyncio.run(_load_demo())
    elif args.command == "worker":
        asyncio.run(_worker(args.once))
    elif args.command == "reminders":
        asyncio.run(_reminders(args.as_of))
    elif args.command == "generate-secrets":
        _generate_secrets()
    elif args.command == "rotate-keys":
        sys.exit(asyncio.run(_rotate_keys(args.legacy_jwt_secret)))


if __name__ == "__main__":
    main()
