"""The ``cohesion`` command: serve, migrate, create-admin, load-demo, worker."""

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config

from app.core.config import Settings, get_settings

ROOT = Path(__file__).resolve().parent.parent


def _alembic_config() -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return config


def migrate() -> None:
    """Bring the configured database to the newest schema."""
    settings = get_settings()
    if settings.is_sqlite:
        path = settings.database_url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(_alembic_config(), "head")


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How uvicorn is told whom to believe about the client's address: the forwarded headers
    only from ``COHESION_FORWARDED_ALLOW_IPS`` (none at all when it is empty)."""
    trusted = settings.forwarded_allow_ips
    return {
        "access_log": False,
        "log_config": None,
        "proxy_headers": bool(trusted),
        "forwarded_allow_ips": trusted or None,
    }


def _serve(host: str, port: int, reload: bool) -> None:
    import uvicorn

    uvicorn.run(
        "app.main:app", host=host, port=port, reload=reload, **uvicorn_options(get_settings())
    )


async def _create_admin(email: str, password: str, name: str) -> None:
    from app.demo import ensure_admin

    await ensure_admin(email=email, password=password, name=name)


async def _worker(once: bool) -> None:
    from app.core.logging import configure_logging
    from app.webhooks.worker import run_forever

    settings = get_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    sent = await run_forever(settings, once=once)
    if once:
        print(f"attempted {sent} webhook deliveries")


async def _load_demo() -> None:
    from app.demo import load_demo

    await load_demo(verbose=True)


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
    worker = sub.add_parser("worker", help="send webhook deliveries until stopped")
    worker.add_argument("--once", action="store_true", help="send what is due now, then exit")
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


if __name__ == "__main__":
    main()
