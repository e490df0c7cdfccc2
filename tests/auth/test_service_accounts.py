"""Service accounts: created by a chair, scoped to one network, revocable and rotatable."""

import httpx

from tests.conftest import World


async def create_account(client: httpx.AsyncClient, world: World) -> dict:
    response = await client.post(
        f"/api/v1/networks/{world.network_a}/service-accounts",
        json={"name": "Nightly mobility sync", "scopes": ["mobility:write"]},
        headers=world.headers("chair"),
    )
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.json()


async def client_token(client: httpx.AsyncClient, client_id: str, secret: str) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )


async def test_chair_creates_account_and_secret_is_shown_once(client, world: World) -> None:
    account = await create_account(client, world)
    assert account["client_secret"]
    assert account["scopes"] == ["mobility:write"]
    fetched = await client.get(
        f"/api/v1/service-accounts/{account['id']}", headers=world.headers("chair")
    )
    assert fetched.status_code == 200
    assert "client_secret" not in fetched.json()
    assert "secret_hash" not in fetched.text
    listed = await client.get(
        f"/api/v1/networks/{world.network_a}/service-accounts", headers=world.headers("chair")
    )
    assert [a["id"] for a in listed.json()["items"]] == [account["id"]]
    assert account["client_secret"] not in listed.text


async def test_token_is_limited_to_its_network_and_scope(client, world: World) -> None:
    account = await create_account(client, world)
    token = await client_token(client, account["client_id"], account["client_secret"])
    assert token.status_code == 200
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    me = await client.get("/api/v1/me", headers=headers)
    assert me.json()["kind"] == "service_account"
    assert me.json()["network_id"] == world.network_a
    # Its own network: known to it, but out of scope (403). Others do not exist for it.
    assert (
        await client.get(f"/api/v1/networks/{world.network_a}/roles", headers=headers)
    ).status_code == 403
    assert (
        await client.get(f"/api/v1/networks/{world.network_b}/members", headers=headers)
    ).status_code == 404
    assert (await client.get("/api/v1/networks", headers=headers)).status_code == 403
    assert (
        await client.post(
            "/api/v1/networks", json={"name": "x", "kind": "thematic"}, headers=headers
        )
    ).status_code == 403


async def test_basic_auth_client_credentials(client, world: World) -> None:
    account = await create_account(client, world)
    response = await client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(account["client_id"], account["client_secret"]),
    )
    assert response.status_code == 200
    wrong = await client.post(
        "/api/v1/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(account["client_id"], "wrong"),
    )
    assert wrong.status_code == 401


async def test_rotate_invalidates_old_secret_and_tokens(client, world: World) -> None:
    account = await create_account(client, world)
    old_token = (await client_token(client, account["client_id"], account["client_secret"])).json()[
        "access_token"
    ]
    rotated = await client.post(
        f"/api/v1/service-accounts/{account['id']}/rotate", headers=world.headers("chair")
    )
    assert rotated.status_code == 200
    new_secret = rotated.json()["client_secret"]
    assert new_secret != account["client_secret"]
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {old_token}"})
    assert me.status_code == 401
    assert me.headers["www-authenticate"].startswith("Bearer")
    old = await client_token(client, account["client_id"], account["client_secret"])
    assert old.status_code == 401
    new = await client_token(client, account["client_id"], new_secret)
    assert new.status_code == 200


async def test_revoke_stops_tokens_at_once(client, world: World) -> None:
    account = await create_account(client, world)
    token = (await client_token(client, account["client_id"], account["client_secret"])).json()[
        "access_token"
    ]
    revoked = await client.post(
        f"/api/v1/service-accounts/{account['id']}/revoke", headers=world.headers("chair")
    )
    assert revoked.status_code == 200
    assert revoked.json()["is_active"] is False
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401
    again = await client.post(
        f"/api/v1/service-accounts/{account['id']}/revoke", headers=world.headers("chair")
    )
    assert again.status_code == 409
    assert (
        await client_token(client, account["client_id"], account["client_secret"])
    ).status_code == 401


async def test_only_the_chair_manages_service_accounts(client, world: World) -> None:
    account = await create_account(client, world)
    url = f"/api/v1/networks/{world.network_a}/service-accounts"
    body = {"name": "x", "scopes": ["mobility:write"]}
    for name, status in [
        ("executive", 403),
        ("member", 403),
        ("other_chair", 404),
        ("outsider", 404),
        ("anonymous", 401),
        ("admin", 201),
    ]:
        response = await client.post(url, json=body, headers=world.headers(name))
        assert response.status_code == status, name
    for name, status in [("executive", 403), ("other_chair", 404)]:
        response = await client.post(
            f"/api/v1/service-accounts/{account['id']}/rotate", headers=world.headers(name)
        )
        assert response.status_code == status, name
    unknown_scope = await client.post(
        url, json={"name": "x", "scopes": ["plans:read"]}, headers=world.headers("chair")
    )
    assert unknown_scope.status_code == 422
