"""Users: who may create, see and change them; If-Match on PATCH; passwords; deactivation."""

from typing import Any

import httpx
import pytest

from tests.auth.helpers import API, assert_problem, assert_unauthorized, error_locs, login
from tests.conftest import TEST_PASSWORD, World, one_world_per_module

# One world per module, a rollback per test (see tests/conftest.py).
world, client = one_world_per_module()


USERS = f"{API}/users"
USER_READ_FIELDS = {
    "id",
    "email",
    "name",
    "is_active",
    "is_admin",
    "version",
    "created_at",
    "updated_at",
}


def new_user(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "email": "new.person@test.example",
        "name": "New Person",
        "password": "a fine long password",
    }
    body.update(overrides)
    return body


async def roles_of(client: httpx.AsyncClient, world: World, network_id: int) -> list[dict]:
    response = await client.get(
        f"{API}/networks/{network_id}/roles", headers=world.headers("admin")
    )
    assert response.status_code == 200, response.text
    items: list[dict] = response.json()["items"]
    return items


async def user_exists(client: httpx.AsyncClient, world: World, email: str) -> bool:
    response = await client.get(USERS, params={"q": email}, headers=world.headers("admin"))
    assert response.status_code == 200, response.text
    return any(u["email"] == email for u in response.json()["items"])


# --- creating ---------------------------------------------------------------------------------


async def test_admin_creates_user(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        USERS, json=new_user(email="New.Person@Test.Example"), headers=world.headers("admin")
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == USER_READ_FIELDS
    assert "password" not in response.text
    assert "argon2" not in response.text
    assert body["email"] == "new.person@test.example"
    assert body["name"] == "New Person"
    assert body["is_active"] is True
    assert body["is_admin"] is False
    assert body["version"] == 1
    assert response.headers["location"] == f"/api/v1/users/{body['id']}"
    assert response.headers["etag"] == '"1"'

    # the new person can log in, and has no roles
    token = await login(client, "new.person@test.example", "a fine long password")
    assert token.status_code == 200, token.text
    me = await client.get(
        f"{API}/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
    )
    assert me.status_code == 200, me.text
    assert me.json()["id"] == body["id"]
    assert me.json()["roles"] == []


async def test_admin_create_user_is_audited(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(USERS, json=new_user(), headers=world.headers("admin"))
    assert response.status_code == 201, response.text
    user_id = response.json()["id"]
    events = await client.get(
        f"{API}/audit-events",
        params={"object_type": "users", "object_id": user_id},
        headers=world.headers("admin"),
    )
    assert events.status_code == 200, events.text
    [event] = events.json()["items"]
    assert event["action"] == "create"
    assert event["actor_id"] == world["admin"].id
    assert "password_hash" not in event["after"]


async def test_chair_creates_member_of_own_network(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        USERS, json=new_user(network_id=world.network_a), headers=world.headers("chair")
    )
    assert response.status_code == 201, response.text
    user_id = response.json()["id"]
    assert response.headers["location"] == f"/api/v1/users/{user_id}"

    roles = [r for r in await roles_of(client, world, world.network_a) if r["user_id"] == user_id]
    assert len(roles) == 1
    assert roles[0]["role"] == "member"
    assert roles[0]["until"] is None
    assert roles[0]["appointed_by_user_id"] == world["chair"].id

    # the chair's own view of the network shows the new member too
    listing = await client.get(
        f"{API}/networks/{world.network_a}/roles", headers=world.headers("chair")
    )
    assert listing.status_code == 200, listing.text
    assert user_id in [r["user_id"] for r in listing.json()["items"]]


async def test_chair_creates_executive_of_own_network(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        USERS,
        json=new_user(network_id=world.network_a, role="executive"),
        headers=world.headers("chair"),
    )
    assert response.status_code == 201, response.text
    user_id = response.json()["id"]
    roles = [r for r in await roles_of(client, world, world.network_a) if r["user_id"] == user_id]
    assert [r["role"] for r in roles] == ["executive"]


async def test_chair_cannot_create_chair_of_top_level_network(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        USERS,
        json=new_user(network_id=world.network_a, role="chair"),
        headers=world.headers("chair"),
    )
    assert_problem(response, 403)
    assert not await user_exists(client, world, "new.person@test.example")


async def test_chair_cannot_create_user_in_another_network(
    client: httpx.AsyncClient, world: World
) -> None:
    """Network B's private data is invisible to A's chair, so B is 'not found'."""
    response = await client.post(
        USERS, json=new_user(network_id=world.network_b), headers=world.headers("chair")
    )
    assert_problem(response, 404)
    assert not await user_exists(client, world, "new.person@test.example")
    assert len(await roles_of(client, world, world.network_b)) == 1  # just other_chair


async def test_chair_cannot_create_member_of_child_network(
    client: httpx.AsyncClient, world: World
) -> None:
    """A's chair reads the child network but writes only on A itself."""
    response = await client.post(
        USERS, json=new_user(network_id=world.child_a), headers=world.headers("chair")
    )
    assert_problem(response, 403)
    assert not await user_exists(client, world, "new.person@test.example")


async def test_chair_may_create_chair_of_child_network(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        USERS,
        json=new_user(network_id=world.child_a, role="chair"),
        headers=world.headers("chair"),
    )
    assert response.status_code == 201, response.text
    user_id = response.json()["id"]
    roles = [r for r in await roles_of(client, world, world.child_a) if r["user_id"] == user_id]
    assert [r["role"] for r in roles] == ["chair"]


async def test_chair_without_network_is_403(client: httpx.AsyncClient, world: World) -> None:
    assert_problem(await client.post(USERS, json=new_user(), headers=world.headers("chair")), 403)


async def test_create_user_in_unknown_network_is_404(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        USERS, json=new_user(network_id=999_999), headers=world.headers("admin")
    )
    assert_problem(response, 404)


@pytest.mark.parametrize("network", [None, "a"])
async def test_member_cannot_create_users(
    client: httpx.AsyncClient, world: World, network: str | None
) -> None:
    body = new_user(network_id=world.network_a) if network else new_user()
    assert_problem(await client.post(USERS, json=body, headers=world.headers("member")), 403)
    assert not await user_exists(client, world, "new.person@test.example")


async def test_anonymous_cannot_create_users(client: httpx.AsyncClient, world: World) -> None:
    assert_unauthorized(await client.post(USERS, json=new_user()))


@pytest.mark.parametrize("email", ["chair@test.example", "CHAIR@Test.Example"])
async def test_duplicate_email_is_409(client: httpx.AsyncClient, world: World, email: str) -> None:
    response = await client.post(USERS, json=new_user(email=email), headers=world.headers("admin"))
    body = assert_problem(response, 409)
    assert body["type"].endswith("/conflict")


@pytest.mark.parametrize(
    ("overrides", "loc"),
    [
        ({"is_admin": True}, ["body", "is_admin"]),
        ({"password_hash": "x"}, ["body", "password_hash"]),
        ({"email": "not-an-email"}, ["body", "email"]),
        ({"email": "a@"}, ["body", "email"]),
        ({"password": "short"}, ["body", "password"]),
        ({"password": "x" * 129}, ["body", "password"]),
        ({"name": "   "}, ["body", "name"]),
        ({"role": "overlord", "network_id": 1}, ["body", "role"]),
    ],
)
async def test_invalid_user_body_is_422(
    client: httpx.AsyncClient, world: World, overrides: dict[str, Any], loc: list[str]
) -> None:
    response = await client.post(USERS, json=new_user(**overrides), headers=world.headers("admin"))
    body = assert_problem(response, 422)
    assert loc in error_locs(body)
    assert "new.person" not in str(body.get("errors"))  # input is not echoed


async def test_missing_fields_are_422(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(USERS, json={}, headers=world.headers("admin"))
    body = assert_problem(response, 422)
    locs = error_locs(body)
    for field in ("email", "name", "password"):
        assert ["body", field] in locs


# --- reading ----------------------------------------------------------------------------------


async def test_get_self(client: httpx.AsyncClient, world: World) -> None:
    member = world["member"]
    response = await client.get(f"{USERS}/{member.id}", headers=world.headers("member"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == USER_READ_FIELDS
    assert body["id"] == member.id
    assert body["email"] == member.email
    assert response.headers["etag"] == f'"{body["version"]}"'


async def test_admin_gets_anyone(client: httpx.AsyncClient, world: World) -> None:
    member = world["member"]
    response = await client.get(f"{USERS}/{member.id}", headers=world.headers("admin"))
    assert response.status_code == 200, response.text
    assert response.json()["email"] == member.email


@pytest.mark.parametrize("viewer", ["chair", "member", "outsider", "other_chair"])
async def test_other_user_is_404(client: httpx.AsyncClient, world: World, viewer: str) -> None:
    target = world["executive"]
    response = await client.get(f"{USERS}/{target.id}", headers=world.headers(viewer))
    assert_problem(response, 404)


async def test_unknown_user_is_404_even_for_admin(client: httpx.AsyncClient, world: World) -> None:
    assert_problem(await client.get(f"{USERS}/999999", headers=world.headers("admin")), 404)


async def test_list_users_admin_only(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get(USERS, headers=world.headers("admin"))
    assert response.status_code == 200, response.text
    emails = {u["email"] for u in response.json()["items"]}
    assert emails == {p.email for p in world.people.values()}
    assert all(set(u) == USER_READ_FIELDS for u in response.json()["items"])

    for name in ("chair", "member", "outsider"):
        assert_problem(await client.get(USERS, headers=world.headers(name)), 403)
    assert_unauthorized(await client.get(USERS))


async def test_list_users_filter(client: httpx.AsyncClient, world: World) -> None:
    response = await client.get(USERS, params={"q": "CHAIR"}, headers=world.headers("admin"))
    assert response.status_code == 200, response.text
    emails = sorted(u["email"] for u in response.json()["items"])
    assert emails == ["chair@test.example", "other_chair@test.example"]


# --- updating ---------------------------------------------------------------------------------


async def test_patch_needs_if_match(client: httpx.AsyncClient, world: World) -> None:
    member = world["member"]
    url = f"{USERS}/{member.id}"
    headers = world.headers("member")

    body = assert_problem(await client.patch(url, json={"name": "Renamed"}, headers=headers), 428)
    assert body["type"].endswith("/precondition-required")
    response = await client.patch(
        url, json={"name": "Renamed"}, headers={**headers, "If-Match": '"41"'}
    )
    assert_problem(response, 412)

    current = await client.get(url, headers=headers)
    assert current.json()["name"] == "Member"
    etag = current.headers["etag"]
    response = await client.patch(
        url, json={"name": "Renamed"}, headers={**headers, "If-Match": etag}
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Renamed"
    assert response.json()["version"] == current.json()["version"] + 1
    assert response.headers["etag"] == f'"{current.json()["version"] + 1}"'
    assert response.headers["etag"] != etag

    # the old ETag is stale now
    stale = await client.patch(url, json={"name": "Again"}, headers={**headers, "If-Match": etag})
    assert_problem(stale, 412)
    assert (await client.get(url, headers=headers)).json()["name"] == "Renamed"


async def test_patch_email_is_lowercased_and_used_for_login(
    client: httpx.AsyncClient, world: World
) -> None:
    member = world["member"]
    url = f"{USERS}/{member.id}"
    headers = {**world.headers("member"), "If-Match": "*"}
    response = await client.patch(url, json={"email": "Moved@Test.Example"}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["email"] == "moved@test.example"
    assert (await login(client, "moved@test.example")).status_code == 200
    assert_unauthorized(await login(client, member.email))


async def test_patch_email_to_taken_one_is_409(client: httpx.AsyncClient, world: World) -> None:
    member = world["member"]
    response = await client.patch(
        f"{USERS}/{member.id}",
        json={"email": "Chair@test.example"},
        headers={**world.headers("member"), "If-Match": '"1"'},
    )
    assert_problem(response, 409)


@pytest.mark.parametrize(
    "body",
    [{"name": None}, {"email": None}, {"name": ""}, {"is_admin": True}, {"password": "whatever1"}],
)
async def test_patch_invalid_body_is_422(
    client: httpx.AsyncClient, world: World, body: dict[str, Any]
) -> None:
    member = world["member"]
    response = await client.patch(
        f"{USERS}/{member.id}", json=body, headers={**world.headers("member"), "If-Match": '"1"'}
    )
    assert_problem(response, 422)
    after = await client.get(f"{USERS}/{member.id}", headers=world.headers("member"))
    assert after.json()["name"] == "Member"
    assert after.json()["is_admin"] is False
    assert after.json()["version"] == 1


async def test_patch_other_user_is_404(client: httpx.AsyncClient, world: World) -> None:
    response = await client.patch(
        f"{USERS}/{world['executive'].id}",
        json={"name": "Hijacked"},
        headers={**world.headers("chair"), "If-Match": "*"},
    )
    assert_problem(response, 404)


async def test_admin_patches_anyone(client: httpx.AsyncClient, world: World) -> None:
    response = await client.patch(
        f"{USERS}/{world['executive'].id}",
        json={"name": "Exec Renamed"},
        headers={**world.headers("admin"), "If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Exec Renamed"


# --- passwords --------------------------------------------------------------------------------


async def test_change_password_with_wrong_current_is_422(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        f"{USERS}/me/password",
        json={"current_password": "not the password", "new_password": "brand new password"},
        headers=world.headers("member"),
    )
    body = assert_problem(response, 422)
    assert ["body", "current_password"] in error_locs(body)
    assert (await login(client, world["member"].email)).status_code == 200
    assert_unauthorized(await login(client, world["member"].email, "brand new password"))


async def test_change_password(client: httpx.AsyncClient, world: World) -> None:
    member = world["member"]
    response = await client.post(
        f"{USERS}/me/password",
        json={"current_password": TEST_PASSWORD, "new_password": "brand new password"},
        headers=world.headers("member"),
    )
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert (await login(client, member.email, "brand new password")).status_code == 200
    assert_unauthorized(await login(client, member.email, TEST_PASSWORD))


async def test_change_password_too_short_is_422(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        f"{USERS}/me/password",
        json={"current_password": TEST_PASSWORD, "new_password": "short"},
        headers=world.headers("member"),
    )
    body = assert_problem(response, 422)
    assert ["body", "new_password"] in error_locs(body)
    assert (await login(client, world["member"].email)).status_code == 200


async def test_change_password_needs_token(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        f"{USERS}/me/password",
        json={"current_password": TEST_PASSWORD, "new_password": "brand new password"},
    )
    assert_unauthorized(response)


# --- deactivation -----------------------------------------------------------------------------


async def test_deactivate_self_then_cannot_log_in(client: httpx.AsyncClient, world: World) -> None:
    member = world["member"]
    response = await client.post(f"{USERS}/{member.id}/deactivate", headers=world.headers("member"))
    assert response.status_code == 200, response.text
    assert response.json()["is_active"] is False
    assert response.headers["etag"] == f'"{response.json()["version"]}"'
    assert_unauthorized(await login(client, member.email))
    assert_unauthorized(await client.get(f"{API}/me", headers=world.headers("member")))

    # an admin can bring them back
    back = await client.post(f"{USERS}/{member.id}/reactivate", headers=world.headers("admin"))
    assert back.status_code == 200, back.text
    assert back.json()["is_active"] is True
    assert (await login(client, member.email)).status_code == 200


async def test_cannot_deactivate_someone_else(client: httpx.AsyncClient, world: World) -> None:
    target = world["member"]
    response = await client.post(f"{USERS}/{target.id}/deactivate", headers=world.headers("chair"))
    assert_problem(response, 404)
    assert (await login(client, target.email)).status_code == 200


async def test_admin_cannot_deactivate_self(client: httpx.AsyncClient, world: World) -> None:
    admin = world["admin"]
    response = await client.post(f"{USERS}/{admin.id}/deactivate", headers=world.headers("admin"))
    assert_problem(response, 409)
    assert (await login(client, admin.email)).status_code == 200


async def test_only_admin_reactivates(client: httpx.AsyncClient, world: World) -> None:
    member = world["member"]
    await client.post(f"{USERS}/{member.id}/deactivate", headers=world.headers("admin"))
    response = await client.post(f"{USERS}/{member.id}/reactivate", headers=world.headers("chair"))
    assert_problem(response, 403)
    assert_unauthorized(await login(client, member.email))
