"""Endorsements of badges: Open Badges 3.0 EndorsementCredentials signed by the endorsing
network or organisation, verified like awards, carried by later awards (``endorsementJwt``)."""

import json
from typing import Any

import httpx
import pytest
from joserfc import jwt as rfc_jwt
from joserfc.jwk import KeySet

from tests.badges.helpers import VENDOR, approved_network
from tests.badges.test_awards import BADGE, _award, _badge, _verify_jwt
from tests.conftest import World

COMMENT = (
    "The Network of Networks recognises this badge: its criteria match what our VET "
    "colleges ask of customer service staff."
)


def _schema(definition: str) -> Any:
    """A validator for one definition of the vendor OB 3.0 schema (skips without it)."""
    schema_file = VENDOR / "achievementcredential.schema.json"
    if not schema_file.exists():
        pytest.skip(f"Open Badges 3.0 schema not found at {schema_file}")
    import jsonschema

    schema = json.loads(schema_file.read_text())
    if definition != "AchievementCredential":
        schema = {**schema, "$ref": f"#/$defs/{definition}"}
        schema.pop("properties"), schema.pop("required")
    return jsonschema.Draft201909Validator(schema)


@pytest.fixture
async def badge(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    network_id = await approved_network(client, world)
    return await _badge(client, world, network_id)


async def _awarded(
    client: httpx.AsyncClient, world: World, award: dict[str, Any]
) -> dict[str, Any]:
    """The award's credential (as the badge network's chair reads it)."""
    r = await client.get(
        f"/api/v1/awards/{award['id']}/credential", headers=world.headers("outsider")
    )
    assert r.status_code == 200, r.text
    return r.json()["credential"]  # type: ignore[no-any-return]


def _url(badge: dict[str, Any]) -> str:
    return f"/api/v1/badges/{badge['id']}/endorsements"


async def _endorse(
    client: httpx.AsyncClient, world: World, badge: dict[str, Any], who: str, **endorser: int
) -> httpx.Response:
    return await client.post(
        _url(badge), json={**endorser, "comment": COMMENT}, headers=world.headers(who)
    )


async def test_network_endorsement_signs_verifies_and_goes_into_later_awards(
    client: httpx.AsyncClient, world: World, badge: dict[str, Any]
) -> None:
    before = await _award(client, world, badge["id"])
    r = await _endorse(client, world, badge, "chair", endorser_network_id=world.network_a)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["endorser_kind"] == "network" and made["endorser_name"] == "Network of Networks"
    assert made["badge_name"] == BADGE["name"] and made["comment"] == COMMENT
    assert r.headers["Location"] == f"/api/v1/endorsements/{made['id']}"
    assert made["jwks_url"].endswith(f"/api/v1/networks/{world.network_a}/jwks.json")

    r = await client.get(
        f"/api/v1/endorsements/{made['id']}/credential", headers=world.headers("outsider")
    )
    assert r.status_code == 200, r.text
    credential = r.json()["credential"]
    assert r.json()["jwt"] == made["jwt"]
    _schema("EndorsementCredential").validate(credential)
    assert credential["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert credential["issuer"]["id"].endswith(f"/api/v1/networks/{world.network_a}")
    assert credential["credentialSubject"]["id"].endswith(f"/api/v1/badges/{badge['id']}")
    assert credential["credentialSubject"]["endorsementComment"] == COMMENT

    # the endorser's published key verifies it, with a library that is not ours
    jwks = (await client.get(f"/api/v1/networks/{world.network_a}/jwks.json")).json()
    assert rfc_jwt.decode(made["jwt"], KeySet.import_key_set(jwks)).claims["vc"] == credential

    result = await _verify_jwt(client, made["jwt"])
    assert result["valid"] is True, result
    assert result["credential_type"] == "EndorsementCredential"
    assert result["issuer"] == "Network of Networks" and result["badge"] == BADGE["name"]
    assert result["endorsement_comment"] == COMMENT and result["recipient_hash"] is None

    listed = (await client.get(_url(badge), headers=world.headers("member"))).json()
    assert [e["id"] for e in listed["items"]] == [made["id"]]

    # awards issued from now on carry the endorsement where OB 3.0 places it
    after = await _award(client, world, badge["id"])
    awarded = await _awarded(client, world, after)
    _schema("AchievementCredential").validate(awarded)
    assert awarded["credentialSubject"]["achievement"]["endorsementJwt"] == [made["jwt"]]
    older = await _awarded(client, world, before)
    assert "endorsementJwt" not in older["credentialSubject"]["achievement"]

    again = await _endorse(client, world, badge, "chair", endorser_network_id=world.network_a)
    assert again.status_code == 409, again.text


async def test_withdrawn_endorsement_no_longer_verifies_nor_goes_into_awards(
    client: httpx.AsyncClient, world: World, badge: dict[str, Any]
) -> None:
    made = (
        await _endorse(client, world, badge, "admin", endorser_network_id=world.network_b)
    ).json()
    url = f"/api/v1/endorsements/{made['id']}/withdraw"
    body = {"reason": "The partnership ended"}
    # B's chair cannot read the badge network (under A): the endorsement does not exist for them
    assert (
        await client.post(url, json=body, headers=world.headers("other_chair"))
    ).status_code == 404
    assert (await client.post(url, json=body, headers=world.headers("chair"))).status_code == 403
    r = await client.post(url, json=body, headers=world.headers("admin"))
    assert r.status_code == 200, r.text
    assert r.json()["withdrawn_at"] is not None
    assert r.json()["withdrawal_reason"] == "The partnership ended"
    result = await _verify_jwt(client, made["jwt"])
    assert result["valid"] is False and result["reason"] == "withdrawn"
    assert result["credential_type"] == "EndorsementCredential"
    assert (await client.post(url, json=body, headers=world.headers("admin"))).status_code == 409
    award = await _award(client, world, badge["id"])
    awarded = await _awarded(client, world, award)
    assert "endorsementJwt" not in awarded["credentialSubject"]["achievement"]
    # an endorsement can be made again once the first is withdrawn
    again = await _endorse(client, world, badge, "admin", endorser_network_id=world.network_b)
    assert again.status_code == 201, again.text


async def kept_organisation(client: httpx.AsyncClient, world: World) -> int:
    """An organisation kept by network A (its chair or an executive endorses for it)."""
    r = await client.post(
        "/api/v1/organisations",
        json={"name": "Skills Charity", "kind": "ngo", "owner_network_id": world.network_a},
        headers=world.headers("chair"),
    )
    assert r.status_code == 201, r.text
    org_id = r.json()["id"]
    return org_id  # type: ignore[no-any-return]


async def test_organisation_endorsement_is_signed_with_the_organisations_key(
    client: httpx.AsyncClient, world: World, badge: dict[str, Any]
) -> None:
    org_id = await kept_organisation(client, world)
    assert (await client.get(f"/api/v1/organisations/{org_id}/jwks.json")).json() == {"keys": []}
    refused = await _endorse(client, world, badge, "member", endorser_organisation_id=org_id)
    assert refused.status_code == 403, refused.text
    r = await _endorse(client, world, badge, "executive", endorser_organisation_id=org_id)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["endorser_kind"] == "organisation" and made["endorser_name"] == "Skills Charity"
    jwks = (await client.get(f"/api/v1/organisations/{org_id}/jwks.json")).json()
    assert len(jwks["keys"]) == 1 and jwks["keys"][0]["kid"].startswith(f"org{org_id}-")
    claims = rfc_jwt.decode(made["jwt"], KeySet.import_key_set(jwks)).claims
    assert claims["iss"].endswith(f"/api/v1/organisations/{org_id}")
    _schema("EndorsementCredential").validate(claims["vc"])
    result = await _verify_jwt(client, made["jwt"])
    assert result["valid"] is True and result["issuer"] == "Skills Charity"
    assert (await client.get("/api/v1/organisations/999999/jwks.json")).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"comment": COMMENT}, "body"),
        ({"endorser_network_id": 1, "endorser_organisation_id": 1, "comment": COMMENT}, "body"),
        ({"endorser_network_id": 999999, "comment": COMMENT}, "endorser_network_id"),
        ({"endorser_organisation_id": 999999, "comment": COMMENT}, "endorser_organisation_id"),
        ({"endorser_network_id": 1, "comment": "   "}, "comment"),
        ({"endorser_network_id": 1}, "comment"),
    ],
)
async def test_bad_endorsements_are_refused_and_change_nothing(
    client: httpx.AsyncClient,
    world: World,
    badge: dict[str, Any],
    body: dict[str, Any],
    field: str,
) -> None:
    r = await client.post(_url(badge), json=body, headers=world.headers("admin"))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert field in r.text
    listed = (await client.get(_url(badge), headers=world.headers("admin"))).json()
    assert listed["items"] == []
