"""An award's public share page: unguessable, self-contained, accessible HTML with the badge,
issuer, criteria, endorsements and a verify button; its link replaced by the issuer."""

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from tests.badges.helpers import approved_network
from tests.badges.test_awards import BADGE, _award, _badge
from tests.conftest import World, make_user


class Page(HTMLParser):
    """What a check of the page needs: text by element id, tags, attributes."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.by_id: dict[str, str] = {}
        self._open: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if found.get("id"):
            self.by_id[str(found["id"])] = ""
            self._open.append(str(found["id"]))
        elif tag not in {"meta", "br", "input", "link"}:
            self._open.append("")

    def handle_endtag(self, tag: str) -> None:
        if self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for ident in self._open:
            if ident:
                self.by_id[ident] += data

    def text(self, ident: str) -> str:
        return " ".join(self.by_id[ident].split())

    def attrs(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


@pytest.fixture
async def shared(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    network_id = await approved_network(client, world)
    badge = await _badge(client, world, network_id)
    r = await client.post(
        f"/api/v1/badges/{badge['id']}/endorsements",
        json={"endorser_network_id": world.network_a, "comment": "Employers ask for it."},
        headers=world.headers("chair"),
    )
    assert r.status_code == 201, r.text
    award = await _award(client, world, badge["id"])
    return {"badge": badge, "award": award, "endorsement": r.json()}


async def test_share_page_shows_the_badge_its_endorsements_and_a_verify_button(
    client: httpx.AsyncClient, world: World, shared: dict[str, Any]
) -> None:
    award = shared["award"]
    url = urlsplit(award["share_url"])
    assert url.path.startswith("/api/v1/awards/share/")
    token = url.path.rsplit("/", 1)[1]
    assert len(token) >= 22  # 128 random bits, URL-safe
    r = await client.get(url.path)  # no sign-in
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    page = Page(r.text)
    assert page.attrs("html")[0]["lang"] == "en"
    assert page.text("badge-name") == BADGE["name"]
    assert page.text("issuer") == "Open Badges for Migrant Skills England"
    assert page.text("recipient") == "Amina"
    assert page.text("criteria") == BADGE["criteria_narrative"]
    assert page.text("status").startswith("Verified")
    assert page.text("endorsement-1").startswith("Network of Networks")
    assert "Employers ask for it." in r.text
    # self-contained: no script, no stylesheet or image fetched from anywhere
    assert not page.attrs("script") and not page.attrs("img") and not page.attrs("link")
    # the verify button is a form to the public verification of this credential
    (form,) = page.attrs("form")
    action = urljoin(url.path, str(form["action"]))  # relative: holds under any prefix
    assert action == f"/api/v1/credentials/{award['credential_uuid']}/verify"
    verified = await client.get(action)
    assert verified.json()["valid"] is True
    assert page.text("jwt").count(".") == 2
    assert "amina.earner@example.org" not in r.text  # never the email


async def test_share_page_says_when_the_award_is_revoked_and_dies_with_its_token(
    client: httpx.AsyncClient, world: World, shared: dict[str, Any]
) -> None:
    award = shared["award"]
    path = urlsplit(award["share_url"]).path
    r = await client.post(
        f"/api/v1/awards/{award['id']}/revoke",
        json={"reason": "Awarded in error"},
        headers=world.headers("outsider"),
    )
    assert r.status_code == 200, r.text
    page = Page((await client.get(path)).text)
    assert page.text("status") == "Not valid: revoked."

    replace = f"/api/v1/awards/{award['id']}/share-token"
    assert (await client.post(replace, headers=world.headers("member"))).status_code == 403
    r = await client.post(replace, headers=world.headers("outsider"))
    assert r.status_code == 200, r.text
    assert r.json()["share_url"] != award["share_url"]
    gone = await client.get(path)
    assert gone.status_code == 404
    assert gone.headers["content-type"].startswith("application/problem+json")
    assert (await client.get(urlsplit(r.json()["share_url"]).path)).status_code == 200


async def test_withdrawn_endorsements_leave_the_page_and_unknown_tokens_are_404(
    client: httpx.AsyncClient, world: World, shared: dict[str, Any]
) -> None:
    r = await client.post(
        f"/api/v1/endorsements/{shared['endorsement']['id']}/withdraw",
        json={"reason": "ended"},
        headers=world.headers("chair"),
    )
    assert r.status_code == 200, r.text
    page = Page((await client.get(urlsplit(shared["award"]["share_url"]).path)).text)
    assert "endorsement-1" not in page.by_id
    assert page.text("no-endorsements").startswith("No organisation or network")
    # an award with only a narrative as evidence, of a badge with no alignments
    badge = await client.post(
        f"/api/v1/networks/{shared['badge']['network_id']}/badges",
        json={"name": "Plain", "description": "d", "criteria_narrative": "c"},
        headers=world.headers("outsider"),
    )
    assert badge.status_code == 201, badge.text
    plain = await client.post(
        f"/api/v1/badges/{badge.json()['id']}/awards",
        json={
            "recipient_name": "Tomasz",
            "recipient_email": "t@example.org",
            "evidence": [{"narrative": "Assessed at the Skills Hub"}],
        },
        headers=world.headers("outsider"),
    )
    assert plain.status_code == 201, plain.text
    r = await client.get(urlsplit(plain.json()["share_url"]).path)
    assert r.status_code == 200, r.text
    assert "Assessed at the Skills Hub" in r.text and "evidence link" not in r.text
    assert (await client.get("/api/v1/awards/share/" + "A" * 22)).status_code == 404
    assert (await client.get("/api/v1/awards/share/short")).status_code == 422


async def test_the_earner_replaces_their_own_share_link(
    client: httpx.AsyncClient, world: World
) -> None:
    network_id = await approved_network(client, world)
    badge = await _badge(client, world, network_id)
    earner = await make_user(world.app, "earner@test.example")
    r = await client.post(
        f"/api/v1/badges/{badge['id']}/awards",
        json={"recipient_name": "Amina", "user_id": earner.id},
        headers=world.headers("outsider"),
    )
    assert r.status_code == 201, r.text
    award = r.json()
    old = urlsplit(award["share_url"]).path
    url = f"/api/v1/awards/{award['id']}/share-link"
    # the badge network's readers see the award but it is not theirs; others do not see it
    assert (await client.post(url, headers=world.headers("member"))).status_code == 403
    assert (await client.post(url, headers=world.headers("other_chair"))).status_code == 404
    assert (await client.post(url)).status_code == 401
    missing = "/api/v1/awards/999999/share-link"
    assert (await client.post(missing, headers=earner.headers)).status_code == 404
    assert (await client.get(old)).status_code == 200  # nothing changed yet

    r = await client.post(url, headers=earner.headers)  # no role in the badge network
    assert r.status_code == 200, r.text
    new = urlsplit(r.json()["share_url"]).path
    assert new != old and len(new.rsplit("/", 1)[1]) >= 22
    assert r.json()["recipient_email"] is None
    gone = await client.get(old)
    assert gone.status_code == 404
    assert gone.headers["content-type"].startswith("application/problem+json")
    page = await client.get(new)
    assert page.status_code == 200 and Page(page.text).text("recipient") == "Amina"
