"""Who may call every badge route (a domain matrix in the shape of tests/communities').

For each route, every principal gets fresh objects in which the call would succeed, so the
status code is the authorization answer and nothing else. Proposals are drafted by a fresh
user with no role (the proposer) under network A; the badge network is approved by A's chair
and so sits under A. Principals: ``anonymous``; ``admin``; ``chair``, ``executive``,
``facilitator``, ``member`` of A; ``other_chair`` (chair of B); ``outsider`` (no role).
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from itertools import count
from typing import Any

import httpx

from tests.badges.helpers import full_canvas
from tests.conftest import World, make_user

API = "/api/v1"
PRINCIPALS = (
    "anonymous",
    "admin",
    "chair",
    "executive",
    "facilitator",
    "member",
    "other_chair",
    "outsider",
)
Params = dict[str, Any]
_SEQ = count(1)


class Builder:
    def __init__(self, client: httpx.AsyncClient, world: World) -> None:
        self.client = client
        self.world = world

    async def call(
        self, method: str, path: str, headers: dict[str, str], body: Any = None, expect: int = 200
    ) -> Any:
        r = await self.client.request(method, API + path, json=body, headers=headers)
        assert r.status_code == expect, r.text
        return r.json()

    async def proposal(self, state: str = "draft") -> Params:
        proposer = await make_user(self.world.app, f"proposer{next(_SEQ)}@test.example")
        made = await self.call(
            "POST", "/badge-onboarding", proposer.headers, full_canvas(self.world.network_a), 201
        )
        pid = made["id"]
        if state != "draft":
            await self.call("POST", f"/badge-onboarding/{pid}/submit", proposer.headers)
        if state == "rejected":
            await self.call(
                "POST",
                f"/badge-onboarding/{pid}/reject",
                self.world.headers("admin"),
                {"reason": "not now"},
            )
        if state == "approved":
            made = await self.call(
                "POST", f"/badge-onboarding/{pid}/approve", self.world.headers("admin")
            )
            return {"proposal_id": pid, "network_id": made["network_id"], "proposer": proposer}
        return {"proposal_id": pid}

    async def award(self, earner: str | None = None) -> Params:
        """An award in a fresh badge network under A (to ``earner``'s account if given)."""
        params = await self.proposal("approved")
        headers = params["proposer"].headers
        badge = await self.call(
            "POST",
            f"/networks/{params['network_id']}/badges",
            headers,
            {"name": "B", "description": "d", "criteria_narrative": "c"},
            201,
        )
        award = await self.call(
            "POST",
            f"/badges/{badge['id']}/awards",
            headers,
            {
                "recipient_name": "R",
                **(
                    {"user_id": self.world[earner].id}
                    if earner
                    else {"recipient_email": "r@example.org"}
                ),
            },
            201,
        )
        credential = await self.call("GET", f"/awards/{award['id']}/credential", headers)
        return {
            "a": self.world.network_a,
            "network_id": params["network_id"],
            "badge_id": badge["id"],
            "award_id": award["id"],
            "credential_uuid": award["credential_uuid"],
            "jwt": credential["jwt"],
            "share_token": award["share_url"].rsplit("/", 1)[1],
        }

    async def endorsement(self, of_issuer: bool = False) -> Params:
        """An award, and network A's endorsement of its badge (or of its issuer)."""
        params = await self.award()
        subject = (
            f"/networks/{params['network_id']}" if of_issuer else f"/badges/{params['badge_id']}"
        )
        made = await self.call(
            "POST",
            f"{subject}/endorsements",
            self.world.headers("admin"),
            {"endorser_network_id": self.world.network_a, "comment": "Endorsed."},
            201,
        )
        return {**params, "endorsement_id": made["id"]}

    async def organisation(self) -> Params:
        made = await self.call(
            "POST",
            "/organisations",
            self.world.headers("admin"),
            {"name": f"Endorser {next(_SEQ)}", "kind": "employer"},
            201,
        )
        return {"organisation_id": made["id"]}


Setup = Callable[[Builder], Awaitable[Params]]


async def nothing(b: Builder) -> Params:
    return {}


async def draft(b: Builder) -> Params:
    return await b.proposal("draft")


async def submitted(b: Builder) -> Params:
    return await b.proposal("submitted")


async def rejected(b: Builder) -> Params:
    return await b.proposal("rejected")


async def award(b: Builder) -> Params:
    return await b.award()


async def earned(b: Builder) -> Params:
    return await b.award(earner="outsider")


async def endorsement(b: Builder) -> Params:
    return await b.endorsement()


async def issuer_endorsement(b: Builder) -> Params:
    return await b.endorsement(of_issuer=True)


async def organisation(b: Builder) -> Params:
    return await b.organisation()


def cols(ok: int, chair: int, exe: int, fac: int, mem: int, others: int) -> tuple[int, ...]:
    return (401, ok, chair, exe, fac, mem, others, others)


SIGNED_IN = (401, 200, 200, 200, 200, 200, 200, 200)
PUBLIC = (200,) * 8
PROPOSAL_READ = cols(200, 200, 404, 404, 404, 404)
PROPOSER_ONLY = cols(403, 403, 404, 404, 404, 404)
DECIDE = cols(200, 200, 404, 404, 404, 404)
BADGE_READ = cols(200, 200, 200, 200, 200, 404)
# Endorsing as network A (the badge network's parent) a badge or the badge network as an
# issuer: its chair, or an admin.
ENDORSE_AS_A = cols(201, 201, 403, 403, 403, 404)
WITHDRAW_AS_A = cols(200, 200, 403, 403, 403, 404)


def badge_write(ok: int) -> tuple[int, ...]:
    return cols(ok, 403, 403, 403, 403, 404)


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    codes: tuple[int, ...]
    setup: Setup
    body: Callable[[Params], Any] | None = None

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


BADGE = {"name": "B2", "description": "d", "criteria_narrative": "c"}
ROWS = [
    Row("GET", "/badge-onboarding", SIGNED_IN, nothing),
    Row("POST", "/badge-onboarding", (401,) + (201,) * 7, nothing, lambda p: {}),
    Row("GET", "/badge-onboarding/{proposal_id}", PROPOSAL_READ, draft),
    Row("PATCH", "/badge-onboarding/{proposal_id}", PROPOSER_ONLY, draft, lambda p: {}),
    Row("GET", "/badge-onboarding/{proposal_id}/completeness", PROPOSAL_READ, draft),
    Row("POST", "/badge-onboarding/{proposal_id}/submit", PROPOSER_ONLY, draft),
    Row("POST", "/badge-onboarding/{proposal_id}/approve", DECIDE, submitted),
    Row(
        "POST",
        "/badge-onboarding/{proposal_id}/reject",
        DECIDE,
        submitted,
        lambda p: {"reason": "no"},
    ),
    Row("POST", "/badge-onboarding/{proposal_id}/reopen", PROPOSER_ONLY, rejected),
    Row("GET", "/networks/{network_id}/badges", BADGE_READ, award),
    Row("POST", "/networks/{network_id}/badges", badge_write(201), award, lambda p: BADGE),
    Row("GET", "/badges/{badge_id}", BADGE_READ, award),
    Row("PATCH", "/badges/{badge_id}", badge_write(200), award, lambda p: {"name": "B3"}),
    Row("GET", "/badges/{badge_id}/awards", BADGE_READ, award),
    Row(
        "POST",
        "/badges/{badge_id}/awards",
        badge_write(201),
        award,
        lambda p: {"recipient_name": "S", "recipient_email": "s@example.org"},
    ),
    Row("GET", "/awards/{award_id}", BADGE_READ, award),
    Row("GET", "/awards/{award_id}/credential", BADGE_READ, award),
    Row(
        "POST",
        "/awards/{award_id}/revoke",
        badge_write(200),
        award,
        lambda p: {"reason": "error"},
    ),
    Row("GET", "/awards/{award_id}/verify", BADGE_READ, award),
    Row("POST", "/awards/{award_id}/share-token", badge_write(200), award),
    # the earner (outsider, no role in the badge network) only; its readers 403
    Row("POST", "/awards/{award_id}/share-link", (401, 403, 403, 403, 403, 403, 404, 200), earned),
    Row("GET", "/awards/share/{share_token}", PUBLIC, award),
    Row("GET", "/credentials/{credential_uuid}/verify", PUBLIC, award),
    Row(
        "POST",
        "/credentials/{credential_uuid}/verify",
        PUBLIC,
        award,
        lambda p: {"email": "r@example.org"},
    ),
    Row("POST", "/credentials/verify", PUBLIC, award, lambda p: {"jwt": p["jwt"]}),
    Row("GET", "/networks/{network_id}/jwks.json", PUBLIC, award),
    Row("GET", "/badges/{badge_id}/endorsements", BADGE_READ, endorsement),
    Row(
        "POST",
        "/badges/{badge_id}/endorsements",
        ENDORSE_AS_A,
        award,
        lambda p: {"endorser_network_id": p["a"], "comment": "We recognise it."},
    ),
    Row("GET", "/networks/{network_id}/endorsements", BADGE_READ, issuer_endorsement),
    Row(
        "POST",
        "/networks/{network_id}/endorsements",
        ENDORSE_AS_A,
        award,
        lambda p: {"endorser_network_id": p["a"], "comment": "We vouch for its awards."},
    ),
    Row("GET", "/endorsements/{endorsement_id}/credential", BADGE_READ, endorsement),
    Row(
        "POST",
        "/endorsements/{endorsement_id}/withdraw",
        WITHDRAW_AS_A,
        endorsement,
        lambda p: {"reason": "ended"},
    ),
    Row("GET", "/organisations/{organisation_id}/jwks.json", PUBLIC, organisation),
]


# The rows above are run by the one authorization harness (tests/test_authz_matrix.py), which
# also checks that every route has a row.
