"""The demo subscriptions load on the demo networks, once, paused."""

from sqlalchemy import func, select

from app.auth.policy import Principal
from app.demo import build
from app.demo.webhooks import load as load_demo
from app.networks.models import Network
from app.webhooks.models import WebhookDelivery
from tests.conftest import make_user
from tests.webhooks.helpers import API


async def test_demo_subscriptions(app, client) -> None:
    admin = await make_user(app, "admin@demo.example", is_admin=True)
    principal = Principal(kind="user", id=admin.id, is_admin=True)
    state = app.state.cohesion
    async with state.db.transaction() as session:
        await build(session, principal, state.passwords)
        networks = {n.name: n for n in (await session.scalars(select(Network))).all()}
        await load_demo(session, principal, networks)
        await load_demo(session, principal, networks)  # a second load changes nothing
    non = networks["Network of Networks"]
    response = await client.get(f"{API}/networks/{non.id}/webhooks", headers=admin.headers)
    [webhook] = response.json()["items"]
    assert webhook["include_descendants"] is True and webhook["active"] is False
    assert "secret" not in webhook
    west = networks["West Partnership"]
    response = await client.get(f"{API}/networks/{west.id}/webhooks", headers=admin.headers)
    assert len(response.json()["items"]) == 1
    # Paused: the plan written next queues nothing.
    plan = {"title": "Plan", "period_start": "2021-09-01", "period_end": "2022-08-31"}
    response = await client.post(f"{API}/networks/{non.id}/plans", json=plan, headers=admin.headers)
    assert response.status_code == 201
    async with state.db.transaction(write=False) as session:
        assert await session.scalar(select(func.count()).select_from(WebhookDelivery)) == 0
