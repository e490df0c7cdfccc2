"""Every outbound call has a timeout: the HTTP client's phases each have one, a receiver that
answers a byte at a time (so no single read ever times out) is cut off by the overall deadline,
and no module in app/ builds an HTTP client or resolves a name without a bound."""

import ast
import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from app.core.config import Settings
from app.webhooks.worker import WebhookWorker
from tests.webhooks.helpers import Hooks

APP = Path(__file__).resolve().parents[2] / "app"
HTTP_CLIENTS = {"AsyncClient", "Client"}
SHORTCUTS = {"get", "post", "put", "patch", "delete", "head", "options", "request", "stream"}


def _outbound_calls() -> list[tuple[str, int, ast.Call]]:
    found = []
    for path in sorted(APP.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "httpx"
            ):
                found.append((str(path.relative_to(APP)), node.lineno, node))
    return found


def test_every_http_client_in_the_app_is_built_with_a_timeout() -> None:
    calls = _outbound_calls()
    clients = [(f, line, c) for f, line, c in calls if c.func.attr in HTTP_CLIENTS]  # type: ignore[attr-defined]
    assert clients, "the webhook worker's client was not found: is this test still looking?"
    for file, line, call in clients:
        timeout = next((k.value for k in call.keywords if k.arg == "timeout"), None)
        assert timeout is not None, f"{file}:{line} builds an httpx client without timeout="
        assert not (isinstance(timeout, ast.Constant) and timeout.value is None), (file, line)
    # Module-level shortcuts (httpx.get …) would bypass the configured client and its limits.
    shortcuts = [(f, line) for f, line, c in calls if c.func.attr in SHORTCUTS]  # type: ignore[attr-defined]
    assert shortcuts == []


def test_name_resolution_is_bounded() -> None:
    """Every getaddrinfo is awaited inside asyncio.wait_for(…, timeout)."""
    seen = 0
    for path in sorted(APP.rglob("*.py")):
        tree = ast.parse(path.read_text())
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
        bounded = {
            id(arg)
            for call in calls
            if getattr(call.func, "attr", "") == "wait_for" and len(call.args) == 2
            for arg in call.args[:1]
        }
        for call in calls:
            if getattr(call.func, "attr", "") == "getaddrinfo":
                seen += 1
                assert id(call) in bounded, f"{path}:{call.lineno}: unbounded getaddrinfo"
    assert seen, "no getaddrinfo found: is this test still looking?"


async def test_the_worker_client_bounds_every_phase(
    hook_app: FastAPI, hook_settings: Settings
) -> None:
    worker = WebhookWorker(hook_app.state.cohesion.db, hook_settings)
    try:
        timeout = worker.client.timeout
        limit = hook_settings.webhooks_timeout_seconds
        assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (limit,) * 4
    finally:
        await worker.aclose()


@pytest.fixture
async def dripping_server() -> AsyncIterator[str]:
    """Answers every connection with a status line and headers one byte every 50 ms: each
    read succeeds quickly, so only an overall deadline stops the client."""

    async def drip(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = b"HTTP/1.1 200 OK\r\n" + b"X-Slow: " + b"x" * 2000 + b"\r\n\r\n"
        try:
            for byte in head:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(0.05)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(drip, "127.0.0.1", 0)
    host, port = server.sockets[0].getsockname()[:2]
    yield f"http://{host}:{port}/hook"
    server.close()


async def test_a_receiver_that_answers_byte_by_byte_hits_the_overall_deadline(
    hook_app: FastAPI, hooks: Hooks, hook_settings: Settings, dripping_server: str
) -> None:
    quick = hook_settings.model_copy(update={"webhooks_timeout_seconds": 0.3})
    worker = WebhookWorker(hook_app.state.cohesion.db, quick)
    try:
        webhook = await hooks.subscribe(dripping_server)
        await hooks.plan()
        # The safety net only turns a hang (the defect under test) into a failure.
        async with asyncio.timeout(60):
            assert await worker.process_due() == 1
    finally:
        await worker.aclose()
    [entry] = await hooks.deliveries(webhook["id"])
    assert entry["status"] == "pending" and entry["last_status_code"] is None
    assert entry["last_error"] == "timed out after 0.3 s"


async def test_an_unanswered_connection_times_out(
    hook_app: FastAPI, hooks: Hooks, hook_settings: Settings
) -> None:
    """A server that accepts and never says a word: the read timeout (and the deadline)."""
    accepted: list[asyncio.StreamWriter] = []

    async def silent(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    host, port = server.sockets[0].getsockname()[:2]
    quick = hook_settings.model_copy(update={"webhooks_timeout_seconds": 0.3})
    worker = WebhookWorker(hook_app.state.cohesion.db, quick)
    try:
        webhook = await hooks.subscribe(f"http://{host}:{port}/hook")
        await hooks.plan()
        async with asyncio.timeout(60):
            assert await worker.process_due() == 1
    finally:
        await worker.aclose()
        for writer in accepted:
            writer.close()
        server.close()
    assert accepted, "the worker never connected"
    [entry] = await hooks.deliveries(webhook["id"])
    assert entry["last_error"] == "timed out after 0.3 s"


def test_httpx_is_what_the_scan_expects() -> None:
    # The scan above recognises clients by these names; fail loudly if httpx renames them.
    assert all(hasattr(httpx, name) for name in HTTP_CLIENTS)
