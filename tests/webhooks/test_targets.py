"""Target URLs: no loopback, private, link-local… addresses (SSRF), https in production, and
bodies validated (event types from the documented list, unknown fields refused)."""

import ipaddress
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from app.main import create_app
from app.webhooks import targets
from tests.conftest import World, make_settings
from tests.webhooks.helpers import API, Hooks

PRIVATE_TARGETS = [
    "http://127.0.0.1/hook",
    "http://127.0.0.1:8080/hook",
    "http://10.0.0.1/hook",
    "http://172.16.5.4/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://[fe80::1]/hook",
    "http://[fd00::1]/hook",
    "http://0.0.0.0/hook",
    "http://100.64.0.1/hook",
    "http://224.0.0.1/hook",
    "http://localhost/hook",
    "http://127.1/hook",
    "http://2130706433/hook",
    "https://[2002:7f00:1::]/hook",
    "https://[64:ff9b::a9fe:a9fe]/hook",
    # cloud metadata endpoints, private ranges or not
    "http://168.63.129.16/machine?comp=goalstate",
    "http://100.100.100.200/latest/meta-data/",
    "http://[fd00:ec2::254]/latest/meta-data/",
    "http://[::ffff:168.63.129.16]/",
    "http://[64:ff9b::a83f:8110]/",
]


@pytest.fixture(scope="session")
async def production_app(database_url: str) -> AsyncIterator[FastAPI]:
    application = create_app(make_settings(database_url, environment="production"))
    yield application
    await application.state.cohesion.db.dispose()


@pytest.fixture
async def production_client(production_app: FastAPI, db: None) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=production_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def assert_url_refused(response: httpx.Response, kind: str | None = None) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    [error] = response.json()["errors"]
    assert error["loc"] == ["body", "url"]
    if kind is not None:
        assert error["type"] == kind, error


@pytest.mark.parametrize("url", PRIVATE_TARGETS)
async def test_private_targets_are_refused(client: httpx.AsyncClient, world: World, url: str):
    response = await client.post(
        f"{API}/networks/{world.network_a}/webhooks",
        json={"url": url, "event_types": ["*"]},
        headers=world.headers("chair"),
    )
    assert_url_refused(response, "url_private_address")


async def test_a_url_cannot_be_changed_to_a_private_target(
    client: httpx.AsyncClient, hook_client: httpx.AsyncClient, world: World
) -> None:
    allowed = Hooks(hook_client, world)
    webhook = await allowed.subscribe("http://127.0.0.1:9/hook")
    headers = {**world.headers("chair"), "If-Match": f'"{webhook["version"]}"'}
    for url in ("http://169.254.169.254/", "http://localhost:9/other"):
        response = await client.patch(
            f"{API}/webhooks/{webhook['id']}", json={"url": url}, headers=headers
        )
        assert_url_refused(response, "url_private_address")
    # Other fields may change while the stored URL stays as it was.
    response = await client.patch(
        f"{API}/webhooks/{webhook['id']}", json={"description": "CRM"}, headers=headers
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://partner.example/hook", "url_not_https"),
        ("https://127.0.0.1/hook", "url_private_address"),
        ("https://localhost/hook", "url_private_address"),
    ],
)
async def test_production_wants_https_to_public_addresses(
    production_client: httpx.AsyncClient, world: World, url: str, kind: str
) -> None:
    response = await production_client.post(
        f"{API}/networks/{world.network_a}/webhooks",
        json={"url": url, "event_types": ["plan.*"]},
        headers=world.headers("chair"),
    )
    assert_url_refused(response, kind)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://user:pass@partner.example/hook", "url_credentials"),
        ("https://nonexistent.invalid/hook", "url_unresolvable"),
        ("https://partner.example/hook#frag", "url_invalid"),
    ],
)
async def test_other_bad_urls(client: httpx.AsyncClient, world: World, url: str, kind: str):
    response = await client.post(
        f"{API}/networks/{world.network_a}/webhooks",
        json={"url": url, "event_types": ["*"]},
        headers=world.headers("chair"),
    )
    assert_url_refused(response, kind)


@pytest.mark.parametrize(
    "body",
    [
        {"url": "ftp://partner.example/hook", "event_types": ["*"]},
        {"url": "https://partner.example/hook", "event_types": []},
        {"url": "https://partner.example/hook", "event_types": ["plan.exploded"]},
        {"url": "https://partner.example/hook", "event_types": ["nothing.*"]},
        {"url": "https://partner.example/hook", "event_types": ["plan*"]},
        {"url": "https://partner.example/hook", "event_types": ["*"], "secret": "whsec_x"},
        {"url": "https://partner.example/hook", "event_types": ["*"], "active": None},
    ],
)
async def test_invalid_bodies_are_422(client: httpx.AsyncClient, world: World, body: dict):
    response = await client.post(
        f"{API}/networks/{world.network_a}/webhooks", json=body, headers=world.headers("chair")
    )
    assert response.status_code == 422, response.text


async def test_event_patterns_are_kept_once(hook_client: httpx.AsyncClient, world: World):
    webhook = await Hooks(hook_client, world).subscribe(
        "http://127.0.0.1:9/", event_types=["plan.*", "plan.*", "milestone.achieved"]
    )
    assert webhook["event_types"] == ["plan.*", "milestone.achieved"]
    assert webhook["include_descendants"] is False and webhook["active"] is True


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("8.8.8.8", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("169.254.169.254", False),
        ("::1", False),
        ("::", False),
        ("::ffff:10.0.0.1", False),
        ("::ffff:8.8.8.8", True),
        ("fe80::1", False),
        ("fc00::1", False),
        ("198.18.0.1", False),
        ("192.0.2.1", False),
        ("255.255.255.255", False),
        ("2001:0:4136:e378:8000:63bf:f7f7:f7f7", True),  # Teredo to 8.8.8.8
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", False),  # Teredo to 127.0.0.1
    ],
)
def test_forbidden_reason(address: str, allowed: bool) -> None:
    assert (targets.forbidden_reason(ipaddress.ip_address(address)) is None) is allowed


@pytest.mark.parametrize(
    "address",
    [
        "168.63.129.16",
        "100.100.100.200",
        "fd00:ec2::254",
        "169.254.169.254",
        "::ffff:168.63.129.16",
    ],
)
def test_cloud_metadata_addresses_are_refused_by_name(address: str) -> None:
    """168.63.129.16 is a global address: only the metadata list refuses it."""
    reason = targets.forbidden_reason(ipaddress.ip_address(address))
    assert reason is not None and "cloud metadata" in reason, reason


async def test_a_literal_public_address_passes_without_dns() -> None:
    policy = targets.TargetPolicy(require_https=True, allow_private=False)
    target = await targets.check("https://93.184.216.34:8443/x?y=1", policy)
    assert target.addresses == (ipaddress.ip_address("93.184.216.34"),)
    assert (target.host, target.port) == ("93.184.216.34", 8443)
