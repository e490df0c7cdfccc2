"""Endorsements of issuers (badge networks): Open Badges 3.0 EndorsementCredentials whose
subject is the issuer's Profile, signed and verified like badge endorsements, carried by later
awards in the issuer profile's ``endorsementJwt`` and shown on their share pages."""

from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from joserfc import jwt as rfc_jwt
from joserfc.jwk import KeySet

from tests.badges.helpers import approved_network
from tests.badges.test_awards import _award, _badge, _verify_jwt
from tests.badges.test_endorsements import _awarded, _schema, kept_organisation
from tests.badges.test_share import Page
from tests.conftest import World

ISSUER = "Open Badges for Migrant Skills England"
COMMENT = "The Network of Networks vouches for this issuer: its assessors are qualified tutors."


@pytest.fixture
async def issuer(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    """A badge network under A (its chair is ``outsider``) with one badge."""
    network_id = await approved_network(client, world)
    return {"id": network_id, "badge": await _badge(client, world, network_id)}


def _url(network_id: int) -> str:
    return f"/api/v1/networks/{network_id}/endorsements"


async def _endorse(
    client: httpx.AsyncClient,
    world: World,
    network_id: int,
    who: str,
    headers: dict[str, str] | None = None,
    **endorser: int,
) -> httpx.Response:
    return await client.post(
        _url(network_id),
        json={**endorser, "comment": COMMENT},
        headers={**world.headers(who), **(headers or {})},
    )


async def _made(
    client: httpx.AsyncClient, world: World, network_id: int, who: str, endorser: int
) -> dict[str, Any]:
    r = await _endorse(client, world, network_id, who, endorser_network_id=endorser)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_issuer_endorsement_signs_verifies_and_goes_into_later_awards_issuer(
    client: httpx.AsyncClient, world: World, issuer: dict[str, Any]
) -> None:
    badge = issuer["badge"]
    before = await _award(client, world, badge["id"])
    key = {"Idempotency-Key": "endorse-issuer-1"}
    r = await _endorse(
        client, world, issuer["id"], "chair", key, endorser_network_id=world.network_a
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["subject_kind"] == "issuer" and made["subject_name"] == ISSUER
    assert made["subject_network_id"] == issuer["id"] and made["network_id"] == issuer["id"]
    assert made["badge_id"] is None and made["badge_name"] is None
    assert made["endorser_kind"] == "network" and made["endorser_name"] == "Network of Networks"
    assert r.headers["Location"] == f"/api/v1/endorsements/{made['id']}"
    assert r.headers["ETag"] == '"1"'
    replay = await _endorse(
        client, world, issuer["id"], "chair", key, endorser_network_id=world.network_a
    )
    assert replay.status_code == 201 and replay.json()["id"] == made["id"]

    r = await client.get(
        f"/api/v1/endorsements/{made['id']}/credential", headers=world.headers("outsider")
    )
    assert r.status_code == 200, r.text
    credential = r.json()["credential"]
    _schema("EndorsementCredential").validate(credential)
    subject = credential["credentialSubject"]
    assert subject["id"].endswith(f"/api/v1/networks/{issuer['id']}")
    assert subject["type"] == ["EndorsementSubject"] and subject["endorsementComment"] == COMMENT
    assert credential["name"] == f"Network of Networks endorses {ISSUER}"
    jwks = (await client.get(f"/api/v1/networks/{world.network_a}/jwks.json")).json()
    assert rfc_jwt.decode(made["jwt"], KeySet.import_key_set(jwks)).claims["vc"] == credential

    result = await _verify_jwt(client, made["jwt"])
    assert result["valid"] is True, result
    assert result["credential_type"] == "EndorsementCredential"
    assert result["endorsed_issuer"] == ISSUER and result["badge"] is None
    assert result["issuer"] == "Network of Networks" and result["endorsement_comment"] == COMMENT

    listed = (await client.get(_url(issuer["id"]), headers=world.headers("member"))).json()
    assert [e["id"] for e in listed["items"]] == [made["id"]]
    badge_list = f"/api/v1/badges/{badge['id']}/endorsements"
    assert (await client.get(badge_list, headers=world.headers("member"))).json()["items"] == []

    # awards from now on carry it in their issuer Profile (the subject's id), where OB 3.0
    # places an issuer's endorsements; the badge's achievement carries none
    after = await _award(client, world, badge["id"])
    awarded = await _awarded(client, world, after)
    _schema("AchievementCredential").validate(awarded)
    assert awarded["issuer"]["id"] == subject["id"]
    assert awarded["issuer"]["endorsementJwt"] == [made["jwt"]]
    assert "endorsementJwt" not in awarded["credentialSubject"]["achievement"]
    assert "endorsementJwt" not in (await _awarded(client, world, before))["issuer"]
    credential_jwt = (
        await client.get(f"/api/v1/awards/{after['id']}/credential", headers=world.headers("chair"))
    ).json()["jwt"]
    assert (await _verify_jwt(client, credential_jwt))["valid"] is True

    again = await _endorse(
        client, world, issuer["id"], "chair", endorser_network_id=world.network_a
    )
    assert again.status_code == 409, again.text


async def test_withdrawn_issuer_endorsement_no_longer_verifies_nor_goes_into_awards(
    client: httpx.AsyncClient, world: World, issuer: dict[str, Any]
) -> None:
    made = await _made(client, world, issuer["id"], "admin", world.network_b)
    url = f"/api/v1/endorsements/{made['id']}/withdraw"
    body = {"reason": "The partnership ended"}
    assert (
        await client.post(url, json=body, headers=world.headers("other_chair"))
    ).status_code == 404  # B's chair cannot read the issuer (under A)
    assert (await client.post(url, json=body, headers=world.headers("outsider"))).status_code == 403
    r = await client.post(url, json=body, headers=world.headers("admin"))
    assert r.status_code == 200, r.text
    assert r.json()["withdrawn_at"] is not None and r.json()["subject_name"] == ISSUER
    result = await _verify_jwt(client, made["jwt"])
    assert result["valid"] is False and result["reason"] == "withdrawn"
    assert result["endorsed_issuer"] == ISSUER
    awarded = await _awarded(client, world, await _award(client, world, issuer["badge"]["id"]))
    assert "endorsementJwt" not in awarded["issuer"]


async def test_a_network_may_not_endorse_itself_and_only_issuers_are_endorsed(
    client: httpx.AsyncClient, world: World, issuer: dict[str, Any]
) -> None:
    # the issuer's own chair, speaking for it
    r = await _endorse(client, world, issuer["id"], "outsider", endorser_network_id=issuer["id"])
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["errors"][0]["loc"] == ["body", "endorser_network_id"]
    assert r.json()["errors"][0]["type"] == "self_endorsement"
    # network B issues no badges: it is no issuer to endorse
    r = await _endorse(client, world, world.network_b, "admin", endorser_network_id=world.network_a)
    assert r.status_code == 409, r.text
    for network_id in (issuer["id"], world.network_b):
        listed = (await client.get(_url(network_id), headers=world.headers("admin"))).json()
        assert listed["items"] == []


async def test_issuer_endorsements_are_invisible_outside_the_issuers_readers(
    client: httpx.AsyncClient, world: World, issuer: dict[str, Any]
) -> None:
    made = await _made(client, world, issuer["id"], "chair", world.network_a)
    stranger = world.headers("other_chair")
    assert (await client.get(_url(issuer["id"]), headers=stranger)).status_code == 404
    r = await _endorse(
        client, world, issuer["id"], "other_chair", endorser_network_id=world.network_b
    )
    assert r.status_code == 404, r.text
    credential = f"/api/v1/endorsements/{made['id']}/credential"
    assert (await client.get(credential, headers=stranger)).status_code == 404
    # anyone verifies it, though: verification is public
    assert (await _verify_jwt(client, made["jwt"]))["valid"] is True


async def test_share_page_shows_the_issuers_endorsements_next_to_the_badges(
    client: httpx.AsyncClient, world: World, issuer: dict[str, Any]
) -> None:
    made = await _made(client, world, issuer["id"], "chair", world.network_a)
    award = await _award(client, world, issuer["badge"]["id"])
    path = urlsplit(award["share_url"]).path
    page = Page((await client.get(path)).text)
    assert page.text("no-endorsements").startswith("No organisation or network endorses")
    assert page.text("issuer-endorsements") == f"Endorsements of the issuer, {ISSUER}"
    assert page.text("issuer-endorsement-1").startswith("Network of Networks (network,")
    assert COMMENT in (await client.get(path)).text
    r = await client.post(
        f"/api/v1/endorsements/{made['id']}/withdraw",
        json={"reason": "ended"},
        headers=world.headers("chair"),
    )
    assert r.status_code == 200, r.text
    page = Page((await client.get(path)).text)
    assert "issuer-endorsement-1" not in page.by_id
    assert page.text("no-issuer-endorsements").endswith("endorses this issuer yet.")


async def test_an_organisation_endorses_an_issuer_with_its_own_key(
    client: httpx.AsyncClient, world: World, issuer: dict[str, Any]
) -> None:
    org_id = await kept_organisation(client, world)
    r = await client.post(
        _url(issuer["id"]),
        json={"endorser_organisation_id": org_id, "comment": COMMENT},
        headers=world.headers("executive"),
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["endorser_kind"] == "organisation" and made["subject_kind"] == "issuer"
    jwks = (await client.get(f"/api/v1/organisations/{org_id}/jwks.json")).json()
    claims = rfc_jwt.decode(made["jwt"], KeySet.import_key_set(jwks)).claims
    assert claims["iss"].endswith(f"/api/v1/organisations/{org_id}")
    result = await _verify_jwt(client, made["jwt"])
    assert result["valid"] is True and result["endorsed_issuer"] == ISSUER
