"""The demo register loads on the demo networks and drives the staff-mobility measure."""

from sqlalchemy import select

from app.auth.policy import Principal
from app.demo import build
from app.demo.mobility import load as load_demo
from app.networks.models import Network
from tests.conftest import make_user
from tests.mobility.helpers import API


async def test_demo_counts_make_the_staff_measure_real(app, client) -> None:
    admin = await make_user(app, "admin@demo.example", is_admin=True)
    principal = Principal(kind="user", id=admin.id, is_admin=True)
    state = app.state.cohesion
    async with state.db.transaction() as session:
        await build(session, principal, state.passwords)
        networks = {n.name: n for n in (await session.scalars(select(Network))).all()}
        await load_demo(session, principal, networks)
        await load_demo(session, principal, networks)  # a second load changes nothing
    non = networks["Network of Networks"]
    headers = admin.headers
    summary = await client.get(
        f"{API}/networks/{non.id}/mobility-counts/summary"
        "?include_descendants=true&group_by=participant&from=2021-09&to=2022-08",
        headers=headers,
    )
    staff = {g["participant"]: g["count"] for g in summary.json()["groups"]}["staff"]
    assert staff == 28
    own = await client.get(
        f"{API}/networks/{non.id}/mobility-counts/summary?include_descendants=false",
        headers=headers,
    )
    assert own.json()["total"] == 0  # recorded by the regional networks
    default = await client.get(f"{API}/networks/{non.id}/mobility-counts/summary", headers=headers)
    assert default.json()["include_descendants"] is True  # as the mobility_sum measure reads
    opportunities = await client.get(
        f"{API}/networks/{non.id}/mobility-opportunities?sort=eqf_level", headers=headers
    )
    assert [o["eqf_level"] for o in opportunities.json()["items"]] == [3, 4, 5, 6]

    plan = await client.post(
        f"{API}/networks/{non.id}/plans",
        json={
            "title": "Networks of Networks Action Plan 2021-22",
            "period_start": "2021-09-01",
            "period_end": "2022-08-31",
            "status": "active",
        },
        headers=headers,
    )
    objective = await client.post(
        f"{API}/plans/{plan.json()['id']}/objectives",
        json={"code": "6", "title": "Facilitate professional knowledge sharing and discussion"},
        headers=headers,
    )
    measure = await client.post(
        f"{API}/objectives/{objective.json()['id']}/measures",
        json={
            "description": "Minimum 25 x staff mobilities per annum.",
            "source": "mobility_sum",
            "params": {"participant": "staff"},
            "target": {"comparator": "at_least", "value": 25, "period": "per_annum"},
        },
        headers=headers,
    )
    assert measure.status_code == 201, measure.text
    url = f"{API}/measures/{measure.json()['id']}"
    midway = (await client.get(f"{url}?as_of=2022-03-01", headers=headers)).json()
    assert (midway["current_value"], midway["status"]) == (16, "on_track")
    end = (await client.get(f"{url}?as_of=2022-08-31", headers=headers)).json()
    assert (end["current_value"], end["status"]) == (28, "achieved")
