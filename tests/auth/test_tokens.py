"""The token endpoint and bearer-token verification: every malformed, forged, stale or
misaddressed token is a 401 with a Bearer challenge, and roles are read per request."""

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from jose import jwt

from app.core.config import Settings
from app.main import create_app
from tests.auth.helpers import API, assert_problem, assert_unauthorized, bearer, login
from tests.conftest import TEST_PASSWORD, World, make_settings, make_user

ME = f"{API}/me"
DROP = object()  # marks a claim to leave out of a hand-built token


# --- building tokens by hand ------------------------------------------------------------------


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64url_json(value: dict[str, Any]) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def claims_for(app: FastAPI, subject: str, **overrides: Any) -> dict[str, Any]:
    """Valid claims for ``app`` (as TokenService.issue makes them), with overrides;
    an override of ``DROP`` leaves that claim out."""
    settings = app.state.cohesion.settings
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "jti": "hand-made",
    }
    for name, value in overrides.items():
        if value is DROP:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


def secret_of(app: FastAPI) -> str:
    return app.state.cohesion.settings.jwt_secret.get_secret_value()  # type: ignore[no-any-return]


def hs256(
    app: FastAPI, claims: dict[str, Any], *, secret: str | None = None, typ: str = "at+jwt"
) -> str:
    """An HS256 token signed with python-jose (by default with the app's own secret)."""
    return jwt.encode(
        claims, secret if secret is not None else secret_of(app), "HS256", headers={"typ": typ}
    )


def hmac_token(header: dict[str, Any], claims: dict[str, Any], key: bytes) -> str:
    """A JWS signed with HMAC-SHA256 by hand (python-jose refuses PEM-looking HMAC keys)."""
    signing_input = f"{b64url_json(header)}.{b64url_json(claims)}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(signature)}"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# --- logging in --------------------------------------------------------------------------------


async def test_password_grant_token_works_on_me(client: httpx.AsyncClient, world: World) -> None:
    member = world["member"]
    response = await login(client, member.email)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 60 * 60
    assert jwt.get_unverified_header(body["access_token"])["typ"] == "at+jwt"

    me = await client.get(ME, headers=auth(body["access_token"]))
    assert me.status_code == 200, me.text
    data = me.json()
    assert data["kind"] == "user"
    assert data["id"] == member.id
    assert data["email"] == member.email
    assert data["is_admin"] is False
    assert [(r["network_id"], r["role"]) for r in data["roles"]] == [(world.network_a, "member")]


async def test_login_email_is_case_insensitive(client: httpx.AsyncClient, world: World) -> None:
    response = await login(client, "  Member@Test.Example ")
    assert response.status_code == 200, response.text


async def test_wrong_password_is_401(client: httpx.AsyncClient, world: World) -> None:
    body = assert_unauthorized(await login(client, world["member"].email, "not the password"))
    assert "access_token" not in body


async def test_unknown_email_is_401(client: httpx.AsyncClient, world: World) -> None:
    assert_unauthorized(await login(client, "nobody@test.example", TEST_PASSWORD))


async def test_deactivated_user_cannot_log_in(client: httpx.AsyncClient, world: World) -> None:
    member = world["member"]
    assert (await login(client, member.email)).status_code == 200
    response = await client.post(
        f"{API}/users/{member.id}/deactivate", headers=world.headers("admin")
    )
    assert response.status_code == 200, response.text
    assert response.json()["is_active"] is False
    assert_unauthorized(await login(client, member.email))


async def test_password_grant_without_password_is_400(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        f"{API}/auth/token", data={"grant_type": "password", "username": world["member"].email}
    )
    assert_problem(response, 400)


async def test_unsupported_grant_type_is_422(client: httpx.AsyncClient, world: World) -> None:
    response = await client.post(
        f"{API}/auth/token",
        data={"grant_type": "implicit", "username": world["member"].email, "password": "x"},
    )
    assert_problem(response, 422)


async def test_client_credentials_with_unknown_client_is_401(
    client: httpx.AsyncClient, world: World
) -> None:
    response = await client.post(
        f"{API}/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "no-such-client",
            "client_secret": "whatever-secret",
        },
    )
    assert_unauthorized(response)


async def test_client_credentials_basic_with_unknown_client_is_401(
    client: httpx.AsyncClient, world: World
) -> None:
    basic = base64.b64encode(b"no-such-client:whatever-secret").decode()
    response = await client.post(
        f"{API}/auth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert_unauthorized(response)


# --- tokens that must not work -----------------------------------------------------------------


async def test_hand_built_token_is_accepted(
    client: httpx.AsyncClient, app: FastAPI, world: World
) -> None:
    """The control for the cases below: the builder's valid token does work."""
    member = world["member"]
    token = hs256(app, claims_for(app, f"user:{member.id}"))
    response = await client.get(ME, headers=auth(token))
    assert response.status_code == 200, response.text
    assert response.json()["id"] == member.id


async def test_no_token_is_401(client: httpx.AsyncClient, world: World) -> None:
    assert_unauthorized(await client.get(ME))


@pytest.mark.parametrize(
    "header",
    [
        "Bearer not-a-jwt",
        "Bearer a.b.c",
        "Bearer ",
        "Bearer eyJhbGciOiJIUzI1NiJ9.e30.",
        "Basic dXNlcjpwYXNz",
    ],
)
async def test_garbage_token_is_401(client: httpx.AsyncClient, world: World, header: str) -> None:
    assert_unauthorized(await client.get(ME, headers={"Authorization": header}))


async def test_expired_token_is_401(client: httpx.AsyncClient, app: FastAPI, world: World) -> None:
    leeway = app.state.cohesion.settings.jwt_leeway_seconds
    now = int(time.time())
    claims = claims_for(
        app,
        f"user:{world['member'].id}",
        iat=now - 3600,
        nbf=now - 3600,
        exp=now - leeway - 60,
    )
    assert_unauthorized(await client.get(ME, headers=auth(hs256(app, claims))))


async def test_token_verified_once_is_refused_once_expired(
    client: httpx.AsyncClient, app: FastAPI, world: World
) -> None:
    """Verified tokens are remembered (core.security), but only until they expire."""
    leeway = app.state.cohesion.settings.jwt_leeway_seconds
    now = int(time.time())
    expires = now - leeway + 2  # valid for the next 1-2 seconds, leeway included
    token = hs256(app, claims_for(app, f"user:{world['member'].id}", exp=expires))
    assert (await client.get(ME, headers=auth(token))).status_code == 200
    assert (await client.get(ME, headers=auth(token))).status_code == 200  # remembered
    # python-jose compares whole seconds, so wait past the next one
    await asyncio.sleep(max(0.0, expires + leeway - time.time()) + 1.1)
    assert_unauthorized(await client.get(ME, headers=auth(token)))


async def test_not_yet_valid_token_is_401(
    client: httpx.AsyncClient, app: FastAPI, world: World
) -> None:
    leeway = app.state.cohesion.settings.jwt_leeway_seconds
    claims = claims_for(app, f"user:{world['member'].id}", nbf=int(time.time()) + leeway + 120)
    assert_unauthorized(await client.get(ME, headers=auth(hs256(app, claims))))


@pytest.mark.parametrize("signature", ["", "AAAA"])
async def test_alg_none_token_is_401(
    client: httpx.AsyncClient, app: FastAPI, world: World, signature: str
) -> None:
    header = b64url_json({"alg": "none", "typ": "at+jwt"})
    payload = b64url_json(claims_for(app, f"user:{world['admin'].id}"))
    token = f"{header}.{payload}.{signature}"
    assert_unauthorized(await client.get(ME, headers=auth(token)))


async def test_token_signed_with_another_secret_is_401(
    client: httpx.AsyncClient, app: FastAPI, world: World
) -> None:
    claims = claims_for(app, f"user:{world['admin'].id}")
    token = hs256(app, claims, secret="another-secret-that-is-long-enough-for-hs256!")
    assert_unauthorized(await client.get(ME, headers=auth(token)))


async def test_admin_token_forged_with_the_old_public_default_is_401(
    settings: Settings, world: World, tmp_path: Path
) -> None:
    """A development server with nothing configured (as `make run`) signs with a secret of its
    own, generated under var/, so a token signed with the secret once printed in our source
    (the default until secrets had none) is refused."""
    old_public_default = "change-me-this-is-the-local-development-secret"
    unconfigured = {"jwt_secret": None, "data_keys": None, "respondent_hmac_key": None}
    dev = create_app(
        make_settings(
            settings.database_url,
            environment="development",
            secrets_file=tmp_path / "var" / "secrets.json",
            **unconfigured,
        )
    )
    try:
        claims = claims_for(dev, f"user:{world['admin'].id}")
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=dev), base_url="http://test"
        ) as http:
            forged = hs256(dev, claims, secret=old_public_default)
            assert_unauthorized(await http.get(ME, headers=auth(forged)))
            assert_unauthorized(await http.get(f"{API}/users", headers=auth(forged)))
            genuine = hs256(dev, claims)  # the same claims under the generated secret pass
            assert (await http.get(ME, headers=auth(genuine))).status_code == 200
    finally:
        await dev.state.cohesion.db.dispose()


async def test_token_with_tampered_payload_is_401(
    client: httpx.AsyncClient, app: FastAPI, world: World
) -> None:
    """A valid member token whose subject is swapped for the admin's."""
    token = hs256(app, claims_for(app, f"user:{world['member'].id}"))
    header, _, signature = token.split(".")
    forged = b64url_json(claims_for(app, f"user:{world['admin'].id}"))
    assert_unauthorized(await client.get(ME, headers=auth(f"{header}.{forged}.{signature}")))


@pytest.mark.parametrize("claim", ["exp", "aud", "iss", "sub", "iat"])
async def test_token_missing_a_required_claim_is_401(
    client: httpx.AsyncClient, app: FastAPI, world: World, claim: str
) -> None:
    claims = claims_for(app, f"user:{world['member'].id}", **{claim: DROP})
    assert claim not in claims
    assert_unauthorized(await client.get(ME, headers=auth(hs256(app, claims))))


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("aud", "some-other-api"),
        ("aud", ["some-other-api"]),
        ("iss", "https://evil.example"),
        ("sub", 1),
        ("sub", "user:not-a-number"),
        ("sub", "robot:1"),
        ("exp", "tomorrow"),
    ],
)
async def test_token_with_a_wrong_claim_is_401(
    client: httpx.AsyncClient, app: FastAPI, world: World, claim: str, value: object
) -> None:
    claims = claims_for(app, f"user:{world['member'].id}", **{claim: value})
    assert_unauthorized(await client.get(ME, headers=auth(hs256(app, claims))))


@pytest.mark.parametrize("typ", ["JWT", "jwt", "at+JWT ", "id+jwt"])
async def test_token_with_wrong_typ_header_is_401(
    client: httpx.AsyncClient, app: FastAPI, world: World, typ: str
) -> None:
    token = hs256(app, claims_for(app, f"user:{world['member'].id}"), typ=typ)
    assert jwt.get_unverified_header(token)["typ"] == typ
    assert_unauthorized(await client.get(ME, headers=auth(token)))


async def test_token_without_typ_header_is_401(
    client: httpx.AsyncClient, app: FastAPI, world: World
) -> None:
    claims = claims_for(app, f"user:{world['member'].id}")
    token = hmac_token({"alg": "HS256"}, claims, secret_of(app).encode())
    assert_unauthorized(await client.get(ME, headers=auth(token)))


async def test_token_of_deactivated_user_is_401(client: httpx.AsyncClient, world: World) -> None:
    member = world["member"]
    headers = await bearer(client, member.email)
    assert (await client.get(ME, headers=headers)).status_code == 200
    response = await client.post(
        f"{API}/users/{member.id}/deactivate", headers=world.headers("admin")
    )
    assert response.status_code == 200, response.text
    assert_unauthorized(await client.get(ME, headers=headers))
    assert_unauthorized(await client.get(ME, headers=world.headers("member")))


async def test_token_of_nonexistent_user_is_401(
    client: httpx.AsyncClient, app: FastAPI, world: World
) -> None:
    missing = max(p.id for p in world.people.values()) + 1000
    token = hs256(app, claims_for(app, f"user:{missing}"))
    assert_unauthorized(await client.get(ME, headers=auth(token)))


async def test_service_account_token_for_nonexistent_account_is_401(
    client: httpx.AsyncClient, app: FastAPI, world: World
) -> None:
    token = hs256(app, claims_for(app, "sa:987654", gen=1))
    assert_unauthorized(await client.get(ME, headers=auth(token)))


# --- roles are read per request -----------------------------------------------------------------


async def test_ended_role_loses_access_at_once(client: httpx.AsyncClient, world: World) -> None:
    member = world["member"]
    roles_url = f"{API}/networks/{world.network_a}/roles"
    # a real log-in token, whose (stale) roles claim must not matter
    token_headers = await bearer(client, member.email)
    assert (await client.get(roles_url, headers=token_headers)).status_code == 200

    listing = await client.get(roles_url, headers=world.headers("admin"))
    assert listing.status_code == 200, listing.text
    [role] = [r for r in listing.json()["items"] if r["user_id"] == member.id]
    assert role["role"] == "member"
    ended = await client.post(f"{API}/roles/{role['id']}/end", headers=world.headers("admin"))
    assert ended.status_code == 200, ended.text
    assert ended.json()["until"] is not None

    assert_problem(await client.get(roles_url, headers=token_headers), 404)
    me = await client.get(ME, headers=token_headers)
    assert me.status_code == 200, me.text
    assert me.json()["roles"] == []


async def test_roles_on_a_deleted_network_do_not_count(app: FastAPI, world: World) -> None:
    from app.auth import service as auth_service
    from app.auth.policy import Principal
    from app.networks import service as network_service

    chair_b = {"sub": f"user:{world['other_chair'].id}"}
    async with app.state.cohesion.db.transaction() as session:
        before = await auth_service.load_principal(session, chair_b)
        assert before is not None
        assert before.role_network_ids() == {world.network_b}
        network = await network_service.get_or_404(session, world.network_b)
        admin = Principal(kind="user", id=world.admin.id, is_admin=True)
        await network_service.delete(session, admin, network)
    async with app.state.cohesion.db.transaction() as session:
        after = await auth_service.load_principal(session, chair_b, network_id=world.network_b)
        assert after is not None
        assert after.grants == []
        # the deleted path network is still loaded: its route answers 404 for it
        assert (await network_service.get(session, world.network_b, deleted=True)) is not None


# --- RS256 -------------------------------------------------------------------------------------


@cache
def rsa_keys() -> tuple[str, str, bytes]:
    """(private PEM, public PEM, public DER) of one RSA key for this module."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key()
    public_pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    public_der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem, public_pem, public_der


@pytest.fixture
async def rs_app(settings: Settings, db: None) -> AsyncIterator[FastAPI]:
    private_pem, public_pem, _ = rsa_keys()
    application = create_app(
        make_settings(
            settings.database_url,
            jwt_algorithm="RS256",
            jwt_private_key=private_pem,
            jwt_public_key=public_pem,
        )
    )
    yield application
    await application.state.cohesion.db.dispose()


@pytest.fixture
async def rs_client(rs_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=rs_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


async def test_rs256_issued_token_works(rs_app: FastAPI, rs_client: httpx.AsyncClient) -> None:
    person = await make_user(rs_app, "rsa.user@test.example")
    token = person.headers["Authorization"].removeprefix("Bearer ")
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "typ": "at+jwt"}
    response = await rs_client.get(ME, headers=person.headers)
    assert response.status_code == 200, response.text
    assert response.json()["id"] == person.id


async def test_rs256_password_grant_token_works(
    rs_app: FastAPI, rs_client: httpx.AsyncClient
) -> None:
    person = await make_user(rs_app, "rsa.login@test.example")
    response = await login(rs_client, person.email)
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    me = await rs_client.get(ME, headers=auth(token))
    assert me.status_code == 200, me.text
    assert me.json()["id"] == person.id


@pytest.mark.parametrize("key_form", ["pem", "der"])
async def test_rs256_rejects_hs256_forged_with_public_key(
    rs_app: FastAPI, rs_client: httpx.AsyncClient, key_form: str
) -> None:
    """The algorithm-confusion attack: HS256 with the RSA public key as the HMAC secret."""
    person = await make_user(rs_app, "rsa.victim@test.example")
    _, public_pem, public_der = rsa_keys()
    key = public_pem.encode() if key_form == "pem" else public_der
    claims = claims_for(rs_app, f"user:{person.id}")
    token = hmac_token({"alg": "HS256", "typ": "at+jwt"}, claims, key)
    assert_unauthorized(await rs_client.get(ME, headers=auth(token)))
    # the same trick with the header claiming RS256 is a bad signature, also refused
    token = hmac_token({"alg": "RS256", "typ": "at+jwt"}, claims, key)
    assert_unauthorized(await rs_client.get(ME, headers=auth(token)))


async def test_rs256_app_rejects_hs256_token_of_the_shared_secret(
    app: FastAPI, rs_app: FastAPI, rs_client: httpx.AsyncClient
) -> None:
    person = await make_user(rs_app, "rsa.mixed@test.example")
    token = hs256(app, claims_for(rs_app, f"user:{person.id}"), secret=secret_of(rs_app))
    assert_unauthorized(await rs_client.get(ME, headers=auth(token)))


async def test_hs256_app_rejects_rs256_token(
    client: httpx.AsyncClient, rs_app: FastAPI, rs_client: httpx.AsyncClient
) -> None:
    person = await make_user(rs_app, "rsa.other@test.example")
    assert (await rs_client.get(ME, headers=person.headers)).status_code == 200
    assert_unauthorized(await client.get(ME, headers=person.headers))


async def test_rs256_token_signed_with_another_key_is_401(
    rs_app: FastAPI, rs_client: httpx.AsyncClient
) -> None:
    person = await make_user(rs_app, "rsa.forged@test.example")
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other_pem = other.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    token = jwt.encode(
        claims_for(rs_app, f"user:{person.id}"), other_pem, "RS256", headers={"typ": "at+jwt"}
    )
    assert_unauthorized(await rs_client.get(ME, headers=auth(token)))
