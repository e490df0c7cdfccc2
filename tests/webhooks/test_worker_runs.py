"""The worker as it runs for real: beside the app (lifespan), alone (`cohesion worker`), and
connecting to the address it checked rather than resolving the name again."""

import asyncio
import ipaddress
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from app.main import create_app
from app.webhooks import targets
from app.webhooks.worker import WebhookWorker, _pinned_request
from tests.conftest import World, make_settings
from tests.webhooks.helpers import API, Hooks, Receiver, verify

ROOT = Path(__file__).resolve().parents[2]


async def wait_for(receiver: Receiver, count: int, seconds: float = 15.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if len(receiver.requests) >= count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the receiver got {len(receiver.requests)} requests, not {count}")


async def test_the_app_runs_the_worker_in_its_lifespan(
    database_url: str, world: World, receiver: Receiver, db: None
) -> None:
    settings = make_settings(
        database_url, webhooks_allow_private_targets=True, webhooks_poll_seconds=0.05
    )
    assert settings.webhooks_worker_enabled
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            hooks = Hooks(client, world)
            webhook = await hooks.subscribe(receiver.url())
            await hooks.plan()
            await wait_for(receiver, 1)
    [received] = receiver.requests
    assert received.json["type"] == "plan.created"
    assert verify(webhook["secret"], received.headers, received.body)


def cli_env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "COHESION_DATABASE_URL": database_url,
        "COHESION_WEBHOOKS_ALLOW_PRIVATE_TARGETS": "true",
        "COHESION_WEBHOOKS_POLL_SECONDS": "0.1",
        "COHESION_LOG_LEVEL": "WARNING",
    }


async def test_cohesion_worker_once(database_url: str, hooks: Hooks, receiver: Receiver) -> None:
    webhook = await hooks.subscribe(receiver.url())
    await hooks.plan()
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "app.cli", "worker", "--once"],
        cwd=ROOT,
        env=cli_env(database_url),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "attempted 1 webhook deliveries" in done.stdout
    [received] = receiver.requests
    assert verify(webhook["secret"], received.headers, received.body)
    [entry] = await hooks.deliveries(webhook["id"])
    assert entry["status"] == "delivered"


async def test_cohesion_worker_runs_until_sigterm(
    database_url: str, hooks: Hooks, receiver: Receiver
) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "app.cli",
        "worker",
        cwd=ROOT,
        env=cli_env(database_url),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await hooks.subscribe(receiver.url())
        await hooks.plan()
        await wait_for(receiver, 1, seconds=30)
        await hooks.plan()
        await wait_for(receiver, 2, seconds=30)
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
        assert process.returncode == 0, stderr.decode()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert len({r.webhook_id for r in receiver.requests}) == 2


async def test_a_send_goes_to_the_checked_address_with_the_original_host(
    receiver: Receiver,
) -> None:
    """The request is made to the address that passed the check (here 127.0.0.1) while
    Host (and, for https, the TLS server name) stays the URL's host name."""
    port = int(urlsplit(receiver.base).port or 0)
    url = f"http://hooks.partner.test:{port}/pinned?x=1"
    parts = urlsplit(url)
    target = targets.Target(
        url, parts, "hooks.partner.test", port, (ipaddress.ip_address("127.0.0.1"),)
    )
    async with httpx.AsyncClient(trust_env=False) as client:
        request = _pinned_request(client, target, {"Webhook-Id": "msg_1"}, b"{}")
        assert request.extensions["sni_hostname"] == "hooks.partner.test"
        response = await client.send(request)
    assert response.status_code == 200
    [received] = receiver.requests
    assert received.path == "/pinned?x=1"
    assert received.headers["host"] == f"hooks.partner.test:{port}"


async def test_the_worker_refuses_an_address_that_resolves_privately(
    hook_app, hooks: Hooks, receiver: Receiver, hook_settings
) -> None:
    """`localhost` resolves to loopback: refused at send time like any rebound name."""
    webhook = await hooks.subscribe(receiver.url().replace("127.0.0.1", "localhost"))
    await hooks.plan()
    strict = hook_settings.model_copy(update={"webhooks_allow_private_targets": False})
    worker = WebhookWorker(hook_app.state.cohesion.db, strict)
    try:
        assert await worker.process_due() == 1
    finally:
        await worker.aclose()
    assert receiver.requests == []
    [entry] = await hooks.deliveries(webhook["id"])
    assert "is a loopback address" in entry["last_error"]
    response = await hooks.client.get(
        f"{API}/webhooks/{webhook['id']}", headers=hooks.world.headers("chair")
    )
    assert response.json()["failing_since"] is not None
