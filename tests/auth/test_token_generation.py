"""A user's tokens die with the password: a password change and a deactivation bump the
user's token generation, and every token issued before is refused at once (even one the
verified-token cache remembers)."""

import httpx
from sqlalchemy import select

from app.auth.models import User
from tests.auth.helpers import API, assert_unauthorized, bearer
from tests.conftest import TEST_PASSWORD, World, token_headers

NEW_PASSWORD = "brand new password"


async def _generation(world: World, user_id: int) -> int:
    async with world.app.state.cohesion.db.transaction() as session:
        return int(
            await session.scalar(select(User.token_generation).where(User.id == user_id))  # type: ignore[arg-type]
        )


async def test_password_change_ends_every_earlier_token(
    client: httpx.AsyncClient, world: World
) -> None:
    member = world["member"]
    laptop = await bearer(client, member.email)  # two sessions of the same person
    phone = await bearer(client, member.email)
    legacy = world.headers("member")  # issued without ``gen``: generation 0
    for headers in (laptop, phone, legacy):  # each verified once, so the cache holds them
        assert (await client.get(f"{API}/me", headers=headers)).status_code == 200
    r = await client.post(
        f"{API}/users/me/password",
        json={"current_password": TEST_PASSWORD, "new_password": NEW_PASSWORD},
        headers=laptop,
    )
    assert r.status_code == 204, r.text
    assert await _generation(world, member.id) == 1
    for headers in (laptop, phone, legacy):
        assert_unauthorized(await client.get(f"{API}/me", headers=headers))
        assert_unauthorized(
            await client.get(f"{API}/networks/{world.network_a}/roles", headers=headers)
        )
    fresh = await bearer(client, member.email, NEW_PASSWORD)
    me = await client.get(f"{API}/me", headers=fresh)
    assert me.status_code == 200 and me.json()["id"] == member.id
    roles = await client.get(f"{API}/networks/{world.network_a}/roles", headers=fresh)
    assert roles.status_code == 200
    # a wrong current password changes nothing: the fresh token lives on
    r = await client.post(
        f"{API}/users/me/password",
        json={"current_password": "not the password", "new_password": "another password"},
        headers=fresh,
    )
    assert r.status_code == 422
    assert (await client.get(f"{API}/me", headers=fresh)).status_code == 200


async def test_deactivation_ends_every_earlier_token(
    client: httpx.AsyncClient, world: World
) -> None:
    member = world["member"]
    old = await bearer(client, member.email)
    assert (await client.get(f"{API}/me", headers=old)).status_code == 200
    r = await client.post(f"{API}/users/{member.id}/deactivate", headers=world.headers("admin"))
    assert r.status_code == 200, r.text
    assert_unauthorized(await client.get(f"{API}/me", headers=old))
    r = await client.post(f"{API}/users/{member.id}/reactivate", headers=world.headers("admin"))
    assert r.status_code == 200, r.text
    # back again, but the token from before the deactivation stays dead
    assert_unauthorized(await client.get(f"{API}/me", headers=old))
    new = await bearer(client, member.email)
    assert (await client.get(f"{API}/me", headers=new)).status_code == 200


async def test_token_generation_must_match_exactly(client: httpx.AsyncClient, world: World) -> None:
    """Only the user's current generation, as an integer, is accepted."""
    member = world["member"]
    sub = f"user:{member.id}"
    assert (await client.get(f"{API}/me", headers=token_headers(world.app, sub, gen=0))).is_success
    for gen in (1, -1, "0", None, False, 0.0):
        headers = token_headers(world.app, sub, gen=gen)
        assert_unauthorized(await client.get(f"{API}/me", headers=headers))
