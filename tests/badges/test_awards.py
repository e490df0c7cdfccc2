"""Badges, awards and their Open Badges 3.0 credentials: signing, JWKS, verification."""

import json
from typing import Any
from uuid import uuid4

import httpx
import pytest
from joserfc import jwt as rfc_jwt
from joserfc.jwk import ECKey, KeySet

from app.badges import keys
from app.badges.models import IssuerKey
from tests.badges.helpers import VENDOR, approved_network, patch
from tests.conftest import World

EMAIL = "amina.earner@example.org"

BADGE = {
    "name": "Customer Service Skills",
    "description": "Recognises customer service skills gained in work or volunteering.",
    "criteria_narrative": "Show three examples of resolving a customer query.",
    "image_url": "https://badges.example.org/customer-service.png",
    "skill_tags": ["customer service", "communication"],
    "alignments": [
        {
            "target_name": "deal with customers",
            "target_url": "http://data.europa.eu/esco/skill/0d3d4a1c-0b3a-4ee0-9a48-6a4f3c1cbb39",
            "target_framework": "ESCO",
            "target_code": "S1.2.1",
        },
        {
            "target_name": "EQF level 3",
            "target_url": "https://europa.eu/europass/en/description-eight-eqf-levels",
            "target_framework": "EQF",
            "target_code": "3",
        },
    ],
}


async def _badge(client: httpx.AsyncClient, world: World, network_id: int) -> dict[str, Any]:
    r = await client.post(
        f"/api/v1/networks/{network_id}/badges", json=BADGE, headers=world.headers("outsider")
    )
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def _award(
    client: httpx.AsyncClient, world: World, badge_id: int, who: str = "outsider"
) -> dict[str, Any]:
    body = {
        "recipient_name": "Amina",
        "recipient_email": EMAIL,
        "evidence": [{"narrative": "Volunteered at the advice desk", "url": "https://e.org/1"}],
    }
    r = await client.post(
        f"/api/v1/badges/{badge_id}/awards", json=body, headers=world.headers(who)
    )
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


@pytest.fixture
async def issued(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    network_id = await approved_network(client, world)
    badge = await _badge(client, world, network_id)
    award = await _award(client, world, badge["id"])
    r = await client.get(
        f"/api/v1/awards/{award['id']}/credential", headers=world.headers("outsider")
    )
    assert r.status_code == 200, r.text
    return {"network_id": network_id, "badge": badge, "award": award, **r.json()}


def _verify_url(issued: dict[str, Any]) -> str:
    return f"/api/v1/credentials/{issued['award']['credential_uuid']}/verify"


async def _verify_jwt(client: httpx.AsyncClient, token: str) -> dict[str, Any]:
    r = await client.post("/api/v1/credentials/verify", json={"jwt": token})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_credential_shape_and_verification(
    client: httpx.AsyncClient, world: World, issued: dict[str, Any]
) -> None:
    credential = issued["credential"]
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"]["id"].endswith(f"/api/v1/networks/{issued['network_id']}")
    subject = credential["credentialSubject"]
    identity = subject["identifier"][0]
    assert identity["identityHash"].startswith("sha256$") and identity["hashed"] is True
    assert identity["identityType"] == "emailAddress" and identity["salt"]
    assert subject["achievement"]["alignment"][0]["targetFramework"] == "ESCO"
    assert EMAIL not in json.dumps(credential)

    r = await client.get(_verify_url(issued))
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["valid"] is True and result["reason"] is None
    assert result["badge"] == BADGE["name"]
    assert result["issuer"] == "Open Badges for Migrant Skills England"
    assert result["recipient_hash"] == identity["identityHash"]
    assert EMAIL not in r.text and "amina" not in r.text.lower()
    assert (await _verify_jwt(client, issued["jwt"]))["valid"] is True


async def test_credential_validates_against_ob3_schema(issued: dict[str, Any]) -> None:
    schema_file = VENDOR / "achievementcredential.schema.json"
    if not schema_file.exists():
        pytest.skip(f"Open Badges 3.0 schema not found at {schema_file}")
    import jsonschema

    schema = json.loads(schema_file.read_text())
    jsonschema.Draft201909Validator(schema).validate(issued["credential"])
    context = json.loads((VENDOR / "context-3.0.3.json").read_text())
    assert "OpenBadgeCredential" in context["@context"]


async def test_jwks_verifies_with_an_independent_library(
    client: httpx.AsyncClient, issued: dict[str, Any]
) -> None:
    r = await client.get(f"/api/v1/networks/{issued['network_id']}/jwks.json")  # no auth
    assert r.status_code == 200, r.text
    key_set = KeySet.import_key_set(r.json())
    assert all("d" not in k for k in r.json()["keys"]) and r.json()["keys"][0]["kid"]
    token = rfc_jwt.decode(issued["jwt"], key_set, algorithms=["ES256"])
    assert token.header["kid"] == r.json()["keys"][0]["kid"]
    assert token.claims["vc"] == issued["credential"]
    assert token.claims["jti"] == issued["credential"]["id"]


async def test_revoked_credential_does_not_verify(
    client: httpx.AsyncClient, world: World, issued: dict[str, Any]
) -> None:
    award_id = issued["award"]["id"]
    url = f"/api/v1/awards/{award_id}/revoke"
    assert (await client.post(url, json={"reason": "x"})).status_code == 401
    r = await client.post(url, json={"reason": "x"}, headers=world.headers("executive"))
    assert r.status_code == 403  # reads the child network, may not write there
    r = await client.post(url, json={"reason": "x"}, headers=world.headers("other_chair"))
    assert r.status_code == 404
    r = await client.post(
        url, json={"reason": "Awarded in error"}, headers=world.headers("outsider")
    )
    assert r.status_code == 200, r.text
    assert r.json()["revoked_at"] is not None
    result = (await client.get(_verify_url(issued))).json()
    assert result["valid"] is False and result["reason"] == "revoked"
    assert (await _verify_jwt(client, issued["jwt"]))["valid"] is False
    assert (
        await client.post(url, json={"reason": "again"}, headers=world.headers("outsider"))
    ).status_code == 409


async def test_tampered_or_foreign_signed_credentials_do_not_verify(
    client: httpx.AsyncClient, world: World, issued: dict[str, Any]
) -> None:
    token: str = issued["jwt"]
    header, payload, signature = token.split(".")
    # one changed byte in the payload, and in the signature
    flipped = payload[:10] + ("A" if payload[10] != "A" else "B") + payload[11:]
    assert (await _verify_jwt(client, f"{header}.{flipped}.{signature}"))["valid"] is False
    sig = signature[:5] + ("A" if signature[5] != "A" else "B") + signature[6:]
    assert (await _verify_jwt(client, f"{header}.{payload}.{sig}"))["valid"] is False
    assert (await _verify_jwt(client, "not-a-jwt"))["valid"] is False

    # a second issuer network signs the first network's credential
    other = await approved_network(client, world, proposer="member", name="Other badges")
    other_badge = (
        await client.post(
            f"/api/v1/networks/{other}/badges", json=BADGE, headers=world.headers("member")
        )
    ).json()
    await _award(client, world, other_badge["id"], who="member")
    settings = world.app.state.cohesion.settings
    async with world.app.state.cohesion.db.transaction() as session:
        from sqlalchemy import select

        other_key = await session.scalar(
            select(IssuerKey).where(IssuerKey.network_id == other)  # type: ignore[arg-type]
        )
        assert other_key is not None
        pem = keys.private_pem(other_key, settings)
        own_kid = (await keys.network_keys(session, issued["network_id"]))[0].kid
    claims = rfc_jwt.decode(
        issued["jwt"],
        KeySet.import_key_set(
            (await client.get(f"/api/v1/networks/{issued['network_id']}/jwks.json")).json()
        ),
    ).claims
    foreign = ECKey.import_key(pem)
    for kid, reason in [
        (other_key.kid, "signed by a key that is not the issuer's"),
        (own_kid, "signature does not verify"),
    ]:
        forged = rfc_jwt.encode({"alg": "ES256", "kid": kid}, claims, foreign)
        result = await _verify_jwt(client, forged)
        assert result == {
            "valid": False,
            "reason": reason,
            "credential_type": None,
            "badge": None,
            "issuer": None,
            "issued_on": None,
            "recipient_hash": None,
            "recipient_matches": None,
            "endorsed_issuer": None,
            "endorsement_comment": None,
        }


async def test_badge_routes_authorization(
    client: httpx.AsyncClient, world: World, issued: dict[str, Any]
) -> None:
    network_id, badge_id = issued["network_id"], issued["badge"]["id"]
    award_id = issued["award"]["id"]
    urls = [
        f"/api/v1/networks/{network_id}/badges",
        f"/api/v1/badges/{badge_id}",
        f"/api/v1/badges/{badge_id}/awards",
        f"/api/v1/awards/{award_id}",
        f"/api/v1/awards/{award_id}/credential",
    ]
    for url in urls:
        assert (await client.get(url)).status_code == 401, url
        assert (await client.get(url, headers=world.headers("other_chair"))).status_code == 404
        for who in ["outsider", "executive", "chair", "admin"]:  # badge chair, ancestors, admin
            assert (await client.get(url, headers=world.headers(who))).status_code == 200, who
    award = (await client.get(urls[3], headers=world.headers("outsider"))).json()
    assert award["recipient_email"] == EMAIL  # the badge network's chair
    for who in ["chair", "executive"]:  # ancestors' roles read the award, not the email
        r = await client.get(urls[3], headers=world.headers(who))
        assert r.json()["recipient_email"] is None and EMAIL not in r.text
    # writers: the badge network's chair (or executive); not ancestors' roles, not others
    for who, expected in [("executive", 403), ("chair", 403), ("other_chair", 404)]:
        r = await client.post(urls[0], json=BADGE, headers=world.headers(who))
        assert r.status_code == expected, who
        r = await patch(client, urls[1], {"name": "Renamed"}, world.headers(who))
        assert r.status_code == expected, who
        r = await client.post(
            urls[2],
            json={"recipient_name": "X", "recipient_email": "x@e.org"},
            headers=world.headers(who),
        )
        assert r.status_code == expected, who
    r = await patch(client, urls[1], {"name": "Customer Service"}, world.headers("outsider"))
    assert r.status_code == 200 and r.json()["name"] == "Customer Service"
    r = await client.post(
        f"/api/v1/networks/{world.network_a}/badges", json=BADGE, headers=world.headers("chair")
    )
    assert r.status_code == 409  # not a badge network
    r = await client.post(urls[2], json={"recipient_name": "X"}, headers=world.headers("outsider"))
    assert r.status_code == 422
    r = await client.post(
        urls[2],
        json={"recipient_name": "X", "user_id": world["member"].id},
        headers=world.headers("outsider"),
    )
    assert r.status_code == 201, r.text
    assert (await client.get(f"/api/v1/awards/{award_id}/verify")).status_code == 401
    assert (await client.get(f"/api/v1/credentials/{uuid4()}/verify")).status_code == 404
    assert (await client.get("/api/v1/networks/999999/jwks.json")).status_code == 404


# --- privacy of the recipient: no salt anywhere but the credential; verification by UUID ---


async def test_award_audit_and_webhooks_carry_no_salt_hash_or_email(
    client: httpx.AsyncClient, world: World
) -> None:
    """With the salt and hash of an award's audit record or webhook, anyone who guesses an
    email could confirm it: neither is in either, for the award nor its revocation."""
    from sqlalchemy import select

    from app.core.audit import AuditEvent
    from app.webhooks.models import WebhookDelivery

    network_id = await approved_network(client, world)
    r = await client.post(
        f"/api/v1/networks/{network_id}/webhooks",
        json={"url": "https://93.184.216.34/hook", "event_types": ["badge.*"]},
        headers=world.headers("outsider"),
    )
    assert r.status_code == 201, r.text
    badge = await _badge(client, world, network_id)
    award = await _award(client, world, badge["id"])
    r = await client.post(
        f"/api/v1/awards/{award['id']}/revoke",
        json={"reason": "Awarded in error"},
        headers=world.headers("outsider"),
    )
    assert r.status_code == 200, r.text
    credential = (
        await client.get(
            f"/api/v1/awards/{award['id']}/credential", headers=world.headers("outsider")
        )
    ).json()["credential"]
    identity = credential["credentialSubject"]["identifier"][0]
    secrets = [identity["salt"], identity["identityHash"], EMAIL]
    async with world.app.state.cohesion.db.transaction() as session:
        events = (
            await session.scalars(
                select(AuditEvent).where(AuditEvent.object_type == "badge_awards")  # type: ignore[arg-type]
            )
        ).all()
        payloads = [
            json.loads(p) for p in (await session.scalars(select(WebhookDelivery.payload))).all()
        ]  # type: ignore[call-overload]
    assert [e.action for e in events] == ["create", "revoke"]
    assert sorted(p["type"] for p in payloads) == ["badge.awarded", "badge.revoked"]
    for text in [json.dumps([e.before, e.after]) for e in events] + [json.dumps(payloads)]:
        for secret in secrets:
            assert secret not in text
        assert "identity_salt" not in text and "identity_hash" not in text
    awarded = next(p for p in payloads if p["type"] == "badge.awarded")
    assert awarded["data"]["credential_id"] == award["credential_id"]  # still says which one


async def test_verification_answers_whether_an_email_is_the_recipients(
    client: httpx.AsyncClient, issued: dict[str, Any]
) -> None:
    url = _verify_url(issued)
    salt = issued["credential"]["credentialSubject"]["identifier"][0]["salt"]
    for email, matches in [
        (EMAIL, True),
        ("  Amina.Earner@Example.ORG ", True),
        ("someone.else@example.org", False),
    ]:
        r = await client.post(url, json={"email": email.strip()})
        assert r.status_code == 200, r.text
        assert r.json()["valid"] is True and r.json()["recipient_matches"] is matches, email
        assert salt not in r.text and EMAIL not in r.text
        result = await client.post(
            "/api/v1/credentials/verify", json={"jwt": issued["jwt"], "email": email.strip()}
        )
        assert result.json()["recipient_matches"] is matches
    # without an email, no answer about the recipient
    assert (await client.get(url)).json()["recipient_matches"] is None
    assert (await _verify_jwt(client, issued["jwt"]))["recipient_matches"] is None
    # an email that is not one, an unknown UUID, an id where a UUID belongs
    assert (await client.post(url, json={"email": "not an email"})).status_code == 422
    assert (await client.post(url, json={})).status_code == 422
    unknown = f"/api/v1/credentials/{uuid4()}/verify"
    assert (await client.post(unknown, json={"email": EMAIL})).status_code == 404
    award_id = issued["award"]["id"]
    assert (await client.get(f"/api/v1/credentials/{award_id}/verify")).status_code == 422
    assert issued["award"]["credential_id"] == f"urn:uuid:{issued['award']['credential_uuid']}"


async def test_verification_by_award_id_needs_read_access(
    client: httpx.AsyncClient, world: World, issued: dict[str, Any]
) -> None:
    """Award ids are sequential: walking them is not a public verifier's business."""
    url = f"/api/v1/awards/{issued['award']['id']}/verify"
    assert (await client.get(url)).status_code == 401
    assert (await client.get(url, headers=world.headers("other_chair"))).status_code == 404
    r = await client.get(url, headers=world.headers("chair"))  # an ancestor's chair reads it
    assert r.status_code == 200 and r.json()["valid"] is True
