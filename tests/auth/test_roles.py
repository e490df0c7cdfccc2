"""Role assignments: who appoints whom where, history, conflicts and the audit trail."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.auth.helpers import API, assert_problem, assert_unauthorized, error_locs
from tests.conftest import World, make_user, one_world_per_module

# One world per module, a rollback per test (see tests/conftest.py).
world, client = one_world_per_module()


ROLE_READ_FIELDS = {
    "id",
    "network_id",
    "user_id",
    "role",
    "functions",
    "since",
    "until",
    "appointed_by_user_id",
    "ended_by_user_id",
    "term_ends_on",
    "deputy_of",
    "succeeded",
    "version",
    "updated_at",
}


def roles_url(network_id: int) -> str:
    return f"{API}/networks/{network_id}/roles"


async def appoint(
    client: httpx.AsyncClient,
    world: World,
    by: str,
    network_id: int,
    user_id: int,
    role: str,
    **extra: Any,
) -> httpx.Response:
    return await client.post(
        roles_url(network_id),
        json={"user_id": user_id, "role": role, **extra},
        headers=world.headers(by),
    )


async def listing(
    client: httpx.AsyncClient, world: World, network_id: int, *, include_ended: bool = False
) -> list[dict[str, Any]]:
    params = {"include_ended": "true"} if include_ended else {}
    response = await client.get(
        roles_url(network_id), params=params, headers=world.headers("admin")
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def role_id_of(client: httpx.AsyncClient, world: World, network_id: int, name: str) -> int:
    [role] = [r for r in await listing(client, world, network_id) if r["user_id"] == world[name].id]
    return int(role["id"])


def held(items: list[dict[str, Any]]) -> set[tuple[int, str]]:
    return {(r["user_id"], r["role"]) for r in items}


# --- appointing -------------------------------------------------------------------------------


async def test_admin_appoints_chair_of_top_level_network(
    client: httpx.AsyncClient, world: World
) -> None:
    outsider = world["outsider"]
    before = datetime.now(UTC) - timedelta(seconds=5)
    response = await appoint(client, world, "admin", world.network_a, outsider.id, "chair")
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == ROLE_READ_FIELDS
    assert body["network_id"] == world.network_a
    assert body["user_id"] == outsider.id
    assert body["role"] == "chair"
    assert body["functions"] == []
    assert body["until"] is None
    assert body["appointed_by_user_id"] == world["admin"].id
    assert body["ended_by_user_id"] is None
    assert datetime.fromisoformat(body["since"]) >= before
    assert response.headers["location"] == f"/api/v1/roles/{body['id']}"
    assert response.headers["etag"] == f'"{body["version"]}"'

    me = await client.get(f"{API}/me", headers=world.headers("outsider"))
    assert [(r["network_id"], r["role"]) for r in me.json()["roles"]] == [
        (world.network_a, "chair")
    ]
    got = await client.get(f"{API}/roles/{body['id']}", headers=world.headers("outsider"))
    assert got.status_code == 200, got.text
    assert got.json() == body


async def test_chair_cannot_appoint_chair_of_own_top_level_network(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await appoint(client, world, "chair", world.network_a, world["outsider"].id, "chair")
    assert_problem(response, 403)
    assert (world["outsider"].id, "chair") not in held(
        await listing(client, world, world.network_a)
    )


@pytest.mark.parametrize("role", ["executive", "member"])
async def test_chair_appoints_in_own_network(
    client: httpx.AsyncClient, world: World, role: str
) -> None:
    outsider = world["outsider"]
    response = await appoint(client, world, "chair", world.network_a, outsider.id, role)
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["role"], body["user_id"], body["network_id"]) == (
        role,
        outsider.id,
        world.network_a,
    )
    assert body["appointed_by_user_id"] == world["chair"].id
    assert (outsider.id, role) in held(await listing(client, world, world.network_a))


async def test_chair_appoints_improvement_leader_with_functions(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await appoint(
        client,
        world,
        "chair",
        world.network_a,
        world["outsider"].id,
        "improvement_leader",
        functions=["connector", "challenge_partner"],
    )
    assert response.status_code == 201, response.text
    assert response.json()["role"] == "improvement_leader"
    assert response.json()["functions"] == ["connector", "challenge_partner"]


@pytest.mark.parametrize("role", ["member", "executive", "chair", "facilitator"])
async def test_functions_on_non_improvement_leader_are_422(
    client: httpx.AsyncClient, world: World, role: str
) -> None:
    by = "admin" if role == "chair" else "chair"
    response = await appoint(
        client, world, by, world.network_a, world["outsider"].id, role, functions=["connector"]
    )
    body = assert_problem(response, 422)
    assert ["body", "functions"] in error_locs(body)
    assert world["outsider"].id not in {
        r["user_id"] for r in await listing(client, world, world.network_a)
    }


async def test_unknown_function_is_422(client: httpx.AsyncClient, world: World) -> None:
    response = await appoint(
        client,
        world,
        "chair",
        world.network_a,
        world["outsider"].id,
        "facilitator",
        functions=["wizard"],
    )
    assert_problem(response, 422)


async def test_chair_appoints_chair_of_child_network(
    client: httpx.AsyncClient, world: World
) -> None:
    outsider = world["outsider"]
    response = await appoint(client, world, "chair", world.child_a, outsider.id, "chair")
    assert response.status_code == 201, response.text
    assert response.json()["network_id"] == world.child_a
    assert response.json()["appointed_by_user_id"] == world["chair"].id
    assert (outsider.id, "chair") in held(await listing(client, world, world.child_a))


@pytest.mark.parametrize("role", ["executive", "facilitator", "member"])
async def test_chair_cannot_appoint_other_roles_in_child_network(
    client: httpx.AsyncClient, world: World, role: str
) -> None:
    """Writes are on the chair's own network only; the child's chair appoints there."""
    response = await appoint(client, world, "chair", world.child_a, world["outsider"].id, role)
    assert_problem(response, 403)
    assert await listing(client, world, world.child_a) == []


async def test_child_chair_appoints_in_child_but_not_in_parent(
    client: httpx.AsyncClient, world: World
) -> None:
    child_chair = world["outsider"]
    made = await appoint(client, world, "chair", world.child_a, child_chair.id, "chair")
    assert made.status_code == 201, made.text
    newcomer = await make_user(world.app, "newcomer@test.example")

    response = await appoint(client, world, "outsider", world.child_a, newcomer.id, "member")
    assert response.status_code == 201, response.text
    # the child's chair cannot see the parent's private data
    response = await appoint(client, world, "outsider", world.network_a, newcomer.id, "member")
    assert_problem(response, 404)
    # nor appoint a fellow chair of its own network
    response = await appoint(client, world, "outsider", world.child_a, newcomer.id, "chair")
    assert_problem(response, 403)


async def test_other_networks_chair_gets_404(client: httpx.AsyncClient, world: World) -> None:
    assert_problem(
        await client.get(roles_url(world.network_a), headers=world.headers("other_chair")), 404
    )
    for role in ("member", "chair"):
        response = await appoint(
            client, world, "other_chair", world.network_a, world["outsider"].id, role
        )
        assert_problem(response, 404)
    role_id = await role_id_of(client, world, world.network_a, "member")
    assert_problem(
        await client.get(f"{API}/roles/{role_id}", headers=world.headers("other_chair")), 404
    )
    assert_problem(
        await client.post(f"{API}/roles/{role_id}/end", headers=world.headers("other_chair")), 404
    )
    assert (world["member"].id, "member") in held(await listing(client, world, world.network_a))


@pytest.mark.parametrize("name", ["outsider", "anonymous"])
async def test_no_role_cannot_see_roles(client: httpx.AsyncClient, world: World, name: str) -> None:
    response = await client.get(roles_url(world.network_a), headers=world.headers(name))
    if name == "anonymous":
        assert_unauthorized(response)
    else:
        assert_problem(response, 404)


@pytest.mark.parametrize("name", ["executive", "facilitator", "member"])
async def test_non_chair_cannot_appoint(client: httpx.AsyncClient, world: World, name: str) -> None:
    response = await appoint(client, world, name, world.network_a, world["outsider"].id, "member")
    assert_problem(response, 403)
    assert world["outsider"].id not in {
        r["user_id"] for r in await listing(client, world, world.network_a)
    }


async def test_member_reads_child_roles_but_cannot_appoint_there(
    client: httpx.AsyncClient, world: World
) -> None:
    child_chair = await appoint(
        client, world, "admin", world.child_a, world["outsider"].id, "chair"
    )
    assert child_chair.status_code == 201, child_chair.text

    response = await client.get(roles_url(world.child_a), headers=world.headers("member"))
    assert response.status_code == 200, response.text
    assert held(response.json()["items"]) == {(world["outsider"].id, "chair")}

    newcomer = await make_user(world.app, "newcomer@test.example")
    for role in ("member", "chair"):
        response = await appoint(client, world, "member", world.child_a, newcomer.id, role)
        assert_problem(response, 403)


async def test_appointing_unknown_user_is_422(client: httpx.AsyncClient, world: World) -> None:
    response = await appoint(client, world, "chair", world.network_a, 999_999, "member")
    body = assert_problem(response, 422)
    assert ["body", "user_id"] in error_locs(body)


async def test_appointing_deactivated_user_is_422(client: httpx.AsyncClient, world: World) -> None:
    outsider = world["outsider"]
    deactivated = await client.post(
        f"{API}/users/{outsider.id}/deactivate", headers=world.headers("admin")
    )
    assert deactivated.status_code == 200, deactivated.text
    response = await appoint(client, world, "chair", world.network_a, outsider.id, "member")
    assert_problem(response, 422)


async def test_appointing_in_unknown_network_is_404(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await appoint(client, world, "admin", 999_999, world["outsider"].id, "member")
    assert_problem(response, 404)


@pytest.mark.parametrize(
    "body",
    [
        {"role": "member"},
        {"user_id": 1, "role": "overlord"},
        {"user_id": 1, "role": "member", "until": "2030-01-01T00:00:00Z"},
        {"user_id": 0, "role": "member"},
    ],
)
async def test_invalid_role_body_is_422(
    client: httpx.AsyncClient, world: World, body: dict[str, Any]
) -> None:
    response = await client.post(
        roles_url(world.network_a), json=body, headers=world.headers("chair")
    )
    assert_problem(response, 422)


async def test_duplicate_active_role_is_409(client: httpx.AsyncClient, world: World) -> None:
    response = await appoint(client, world, "chair", world.network_a, world["member"].id, "member")
    assert_problem(response, 409)
    members = [r for r in await listing(client, world, world.network_a) if r["role"] == "member"]
    assert len(members) == 1


async def test_same_user_may_hold_two_different_roles(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await appoint(
        client, world, "chair", world.network_a, world["member"].id, "facilitator"
    )
    assert response.status_code == 201, response.text
    assert {"member", "facilitator"} == {
        r["role"]
        for r in await listing(client, world, world.network_a)
        if r["user_id"] == world["member"].id
    }


async def test_role_may_be_given_again_after_it_ended(
    client: httpx.AsyncClient, world: World
) -> None:
    role_id = await role_id_of(client, world, world.network_a, "member")
    ended = await client.post(f"{API}/roles/{role_id}/end", headers=world.headers("chair"))
    assert ended.status_code == 200, ended.text
    again = await appoint(client, world, "chair", world.network_a, world["member"].id, "member")
    assert again.status_code == 201, again.text
    assert again.json()["id"] != role_id


# --- listing and ending ------------------------------------------------------------------------


async def test_list_current_and_ended_roles(client: httpx.AsyncClient, world: World) -> None:
    chair_headers = world.headers("chair")
    current = await client.get(roles_url(world.network_a), headers=chair_headers)
    assert current.status_code == 200, current.text
    assert held(current.json()["items"]) == {
        (world["chair"].id, "chair"),
        (world["executive"].id, "executive"),
        (world["facilitator"].id, "facilitator"),
        (world["member"].id, "member"),
    }
    assert all(set(r) == ROLE_READ_FIELDS for r in current.json()["items"])

    role_id = await role_id_of(client, world, world.network_a, "member")
    ended = await client.post(f"{API}/roles/{role_id}/end", headers=chair_headers)
    assert ended.status_code == 200, ended.text
    body = ended.json()
    assert body["id"] == role_id
    assert body["until"] is not None
    assert body["ended_by_user_id"] == world["chair"].id
    assert body["version"] == 2
    assert ended.headers["etag"] == '"2"'

    current = await client.get(roles_url(world.network_a), headers=chair_headers)
    assert role_id not in [r["id"] for r in current.json()["items"]]
    assert len(current.json()["items"]) == 3

    everything = await client.get(
        roles_url(world.network_a), params={"include_ended": "true"}, headers=chair_headers
    )
    assert everything.status_code == 200, everything.text
    items = everything.json()["items"]
    assert len(items) == 4
    [old] = [r for r in items if r["id"] == role_id]
    assert old["until"] == body["until"]
    assert old["ended_by_user_id"] == world["chair"].id


async def test_ending_twice_is_409(client: httpx.AsyncClient, world: World) -> None:
    role_id = await role_id_of(client, world, world.network_a, "member")
    first = await client.post(f"{API}/roles/{role_id}/end", headers=world.headers("chair"))
    assert first.status_code == 200, first.text
    second = await client.post(f"{API}/roles/{role_id}/end", headers=world.headers("chair"))
    assert_problem(second, 409)
    got = await client.get(f"{API}/roles/{role_id}", headers=world.headers("chair"))
    assert got.json()["until"] == first.json()["until"]


async def test_end_role_until_before_since_is_422(client: httpx.AsyncClient, world: World) -> None:
    role_id = await role_id_of(client, world, world.network_a, "member")
    response = await client.post(
        f"{API}/roles/{role_id}/end",
        json={"until": "2000-01-01T00:00:00Z"},
        headers=world.headers("chair"),
    )
    body = assert_problem(response, 422)
    assert ["body", "until"] in error_locs(body)
    got = await client.get(f"{API}/roles/{role_id}", headers=world.headers("chair"))
    assert got.json()["until"] is None


async def test_end_role_with_naive_until_before_since_is_422(
    client: httpx.AsyncClient, world: World
) -> None:
    role_id = await role_id_of(client, world, world.network_a, "member")
    response = await client.post(
        f"{API}/roles/{role_id}/end",
        json={"until": "2000-01-01T00:00:00"},
        headers=world.headers("chair"),
    )
    assert_problem(response, 422)


async def test_end_role_with_naive_until_is_not_a_server_error(
    client: httpx.AsyncClient, world: World
) -> None:
    """A naive time is either read as UTC (200) or refused (422), never a 500."""
    role_id = await role_id_of(client, world, world.network_a, "member")
    later = (datetime.now(UTC) + timedelta(days=30)).replace(tzinfo=None)
    response = await client.post(
        f"{API}/roles/{role_id}/end",
        json={"until": later.isoformat()},
        headers=world.headers("chair"),
    )
    assert response.status_code in (200, 422), response.text


async def test_appoint_with_naive_since_never_answers_a_naive_time(
    client: httpx.AsyncClient, world: World
) -> None:
    made = await appoint(
        client,
        world,
        "chair",
        world.network_a,
        world["outsider"].id,
        "member",
        since="2020-01-01T00:00:00",
    )
    if made.status_code == 422:  # refusing naive times is a correct fix too
        return
    assert made.status_code == 201, made.text
    got = await client.get(f"{API}/roles/{made.json()['id']}", headers=world.headers("chair"))
    assert datetime.fromisoformat(made.json()["since"]).tzinfo is not None
    assert made.json()["since"] == got.json()["since"]


async def test_end_role_at_a_given_past_time(client: httpx.AsyncClient, world: World) -> None:
    since = datetime.now(UTC) - timedelta(days=10)
    until = since + timedelta(days=3)
    made = await appoint(
        client,
        world,
        "chair",
        world.network_a,
        world["outsider"].id,
        "member",
        since=since.isoformat(),
    )
    assert made.status_code == 201, made.text
    role_id = made.json()["id"]
    ended = await client.post(
        f"{API}/roles/{role_id}/end",
        json={"until": until.isoformat()},
        headers=world.headers("chair"),
    )
    assert ended.status_code == 200, ended.text
    assert datetime.fromisoformat(ended.json()["until"]) == until
    assert role_id not in [r["id"] for r in await listing(client, world, world.network_a)]


async def test_chair_cannot_end_own_top_level_chair(
    client: httpx.AsyncClient, world: World
) -> None:
    role_id = await role_id_of(client, world, world.network_a, "chair")
    response = await client.post(f"{API}/roles/{role_id}/end", headers=world.headers("chair"))
    assert_problem(response, 403)
    admin = await client.post(f"{API}/roles/{role_id}/end", headers=world.headers("admin"))
    assert admin.status_code == 200, admin.text


@pytest.mark.parametrize("name", ["executive", "facilitator", "member"])
async def test_non_chair_cannot_end_roles(
    client: httpx.AsyncClient, world: World, name: str
) -> None:
    role_id = await role_id_of(client, world, world.network_a, "member")
    response = await client.post(f"{API}/roles/{role_id}/end", headers=world.headers(name))
    assert_problem(response, 403)
    assert role_id in [r["id"] for r in await listing(client, world, world.network_a)]


async def test_chair_ends_child_chair(client: httpx.AsyncClient, world: World) -> None:
    made = await appoint(client, world, "chair", world.child_a, world["outsider"].id, "chair")
    assert made.status_code == 201, made.text
    ended = await client.post(
        f"{API}/roles/{made.json()['id']}/end", headers=world.headers("chair")
    )
    assert ended.status_code == 200, ended.text
    assert await listing(client, world, world.child_a) == []


async def test_ending_a_role_is_audited(client: httpx.AsyncClient, world: World) -> None:
    role_id = await role_id_of(client, world, world.network_a, "member")
    ended = await client.post(f"{API}/roles/{role_id}/end", headers=world.headers("chair"))
    assert ended.status_code == 200, ended.text

    response = await client.get(
        f"{API}/audit-events",
        params={"network_id": world.network_a},
        headers=world.headers("chair"),
    )
    assert response.status_code == 200, response.text
    events = [e for e in response.json()["items"] if e["action"] == "end"]
    assert len(events) == 1
    [event] = events
    assert event["object_type"] == "role_assignments"
    assert event["object_id"] == role_id
    assert event["network_id"] == world.network_a
    assert event["actor_kind"] == "user"
    assert event["actor_id"] == world["chair"].id
    assert event["before"]["until"] is None
    assert event["after"]["until"] is not None
    assert event["after"]["ended_by_user_id"] == world["chair"].id
    # newest first: the end is the latest event of the network
    assert response.json()["items"][0]["id"] == event["id"]

    # the member whose role ended, and other networks' chairs, cannot read A's trail
    assert_problem(
        await client.get(
            f"{API}/audit-events",
            params={"network_id": world.network_a},
            headers=world.headers("executive"),
        ),
        403,
    )
    assert_problem(
        await client.get(
            f"{API}/audit-events",
            params={"network_id": world.network_a},
            headers=world.headers("other_chair"),
        ),
        404,
    )


async def test_appointing_is_audited(client: httpx.AsyncClient, world: World) -> None:
    made = await appoint(client, world, "chair", world.network_a, world["outsider"].id, "member")
    assert made.status_code == 201, made.text
    response = await client.get(
        f"{API}/audit-events",
        params={"network_id": world.network_a, "object_type": "role_assignments"},
        headers=world.headers("chair"),
    )
    assert response.status_code == 200, response.text
    [event] = [e for e in response.json()["items"] if e["object_id"] == made.json()["id"]]
    assert event["action"] == "create"
    assert event["actor_id"] == world["chair"].id
    assert event["after"]["user_id"] == world["outsider"].id
