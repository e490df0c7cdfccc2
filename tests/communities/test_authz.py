"""Who may call every community, cohort and matching route.

For each route, every principal gets fresh objects (built by the platform admin) in which the
call would succeed, so the status code is the authorization answer and nothing else.
Principals: ``anonymous``; ``admin``; ``chair``, ``executive``, ``facilitator``, ``member`` of
network A (the home network); ``lead``, a user with no network role who leads the community;
``other_chair``, chair of network B; ``outsider``, signed in with no role.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tests.communities.helpers import Builder

PRINCIPALS = (
    "anonymous",
    "admin",
    "chair",
    "executive",
    "facilitator",
    "member",
    "lead",
    "other_chair",
    "outsider",
)
SCHOOLS = [
    ("Glasgow City", ["numeracy"]),
    ("Renfrewshire", ["numeracy"]),
    ("Inverclyde", ["numeracy", "literacy"]),
    ("Glasgow City", ["literacy"]),
    ("Renfrewshire", ["literacy"]),
    ("Inverclyde", ["literacy"]),
]

Params = dict[str, Any]
Setup = Callable[[Builder], Awaitable[Params]]


def cols(ok: int, *, fac: int = 403, mem: int = 403, lead: int = 404) -> tuple[int, ...]:
    """Codes per principal: admin/chair/executive get ``ok``; B's chair and outsiders 404."""
    return (401, ok, ok, ok, fac, mem, lead, 404, 404)


READ_COMMUNITY = cols(200, fac=200, mem=200, lead=200)
MANAGE = cols(200, lead=403)  # the community itself: its lead sees it but may not change it
COHORT_WRITE = cols(200)
RUN = cols(200, lead=200)
NETWORK_READ = cols(200, fac=200, mem=200)


async def community(b: Builder) -> Params:
    """A working group at home in A, with a lead who holds no network role."""
    made = await b.community()
    await b.lead(made["id"])
    return {"community_id": made["id"], "network_id": b.world.network_a}


async def deleted_community(b: Builder) -> Params:
    params = await community(b)
    await b.call("DELETE", f"/communities/{params['community_id']}", expect=204)
    return params


async def with_member(b: Builder) -> Params:
    params = await community(b)
    org = await b.organisation()
    made = await b.member(params["community_id"], organisation_id=org)
    return {**params, "community_member_id": made["id"], "organisation_id": org}


async def with_meeting(b: Builder) -> Params:
    params = await community(b)
    made = await b.meeting(params["community_id"])
    return {**params, "meeting_id": made["id"]}


async def with_deleted_meeting(b: Builder) -> Params:
    params = await with_meeting(b)
    await b.call("DELETE", f"/meetings/{params['meeting_id']}", expect=204)
    return params


async def network_a(b: Builder) -> Params:
    await community(b)  # so "lead" leads something in A
    return {"network_id": b.world.network_a}


async def with_cohort(b: Builder) -> Params:
    params = await network_a(b)
    made = await b.cohort()
    return {**params, "cohort_id": made["id"], "organisation_id": await b.organisation()}


async def with_deleted_cohort(b: Builder) -> Params:
    params = await with_cohort(b)
    await b.call("DELETE", f"/cohorts/{params['cohort_id']}", expect=204)
    return params


async def with_enrolment(b: Builder) -> Params:
    params = await with_cohort(b)
    made = await b.enrol(params["cohort_id"], params["organisation_id"], ["numeracy"])
    return {**params, "enrolment_id": made["id"]}


async def with_proposal(b: Builder) -> Params:
    await network_a(b)
    cohort, _ = await b.enrolled_cohort(SCHOOLS)
    made = await b.post(f"/cohorts/{cohort['id']}/matching", {"min_size": 3, "max_size": 3})
    return {"cohort_id": cohort["id"], "proposal_id": made["id"]}


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    codes: tuple[int, ...]
    setup: Setup
    body: Callable[[Params], Any] | None = None
    label: str = ""  # tells apart two rows of one route (e.g. by id, by e-mail)

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}" + (f" ({self.label})" if self.label else "")


ROWS = [
    # communities
    Row("GET", "/networks/{network_id}/communities", NETWORK_READ, network_a),
    Row(
        "POST",
        "/networks/{network_id}/communities",
        cols(201),
        network_a,
        lambda p: {"kind": "forum", "title": "Network Chair Forum"},
    ),
    Row("GET", "/communities/{community_id}", READ_COMMUNITY, community),
    Row(
        "PATCH",
        "/communities/{community_id}",
        MANAGE,
        community,
        lambda p: {"status": "closed"},
    ),
    Row("DELETE", "/communities/{community_id}", cols(204, lead=403), community),
    # A deleted community exists only for role holders of its networks.
    Row("POST", "/communities/{community_id}/restore", COHORT_WRITE, deleted_community),
    Row("GET", "/communities/{community_id}/actions", READ_COMMUNITY, community),
    # members
    Row("GET", "/communities/{community_id}/members", READ_COMMUNITY, community),
    Row(
        "POST",
        "/communities/{community_id}/members",
        cols(201, lead=201),
        with_member,
        lambda p: {"user_id": p["user_id"], "role": "critical_friend"},
    ),
    # By e-mail: an invitation (or the place at once, for an account), the same 202 receipt.
    Row(
        "POST",
        "/communities/{community_id}/members",
        cols(202, lead=202),
        community,
        lambda p: {"email": "invited.member@test.example", "role": "member"},
        label="by e-mail",
    ),
    Row("GET", "/community-members/{community_member_id}", READ_COMMUNITY, with_member),
    Row("POST", "/community-members/{community_member_id}/end", RUN, with_member),
    # meetings
    Row("GET", "/communities/{community_id}/meetings", READ_COMMUNITY, community),
    Row(
        "POST",
        "/communities/{community_id}/meetings",
        cols(201, lead=201),
        community,
        lambda p: {"held_on": "2021-11-02", "agenda": "Data walk"},
    ),
    Row("GET", "/meetings/{meeting_id}", READ_COMMUNITY, with_meeting),
    Row("PATCH", "/meetings/{meeting_id}", RUN, with_meeting, lambda p: {"notes": "Revised"}),
    Row("DELETE", "/meetings/{meeting_id}", cols(204, lead=204), with_meeting),
    Row("POST", "/meetings/{meeting_id}/restore", RUN, with_deleted_meeting),
    # cohorts
    Row("GET", "/networks/{network_id}/cohorts", NETWORK_READ, network_a),
    Row(
        "POST",
        "/networks/{network_id}/cohorts",
        cols(201),
        network_a,
        lambda p: {"name": "Cohort 2", "launch_on": "2019-09-01"},
    ),
    Row("GET", "/cohorts/{cohort_id}", NETWORK_READ, with_cohort),
    Row(
        "PATCH",
        "/cohorts/{cohort_id}",
        COHORT_WRITE,
        with_cohort,
        lambda p: {"end_on": "2020-06-30"},
    ),
    Row("DELETE", "/cohorts/{cohort_id}", cols(204), with_cohort),
    Row("POST", "/cohorts/{cohort_id}/restore", COHORT_WRITE, with_deleted_cohort),
    Row("GET", "/cohorts/{cohort_id}/enrolments", NETWORK_READ, with_cohort),
    Row(
        "POST",
        "/cohorts/{cohort_id}/enrolments",
        cols(201),
        with_cohort,
        lambda p: {"organisation_id": p["organisation_id"], "topics": ["numeracy"]},
    ),
    Row("GET", "/enrolments/{enrolment_id}", NETWORK_READ, with_enrolment),
    Row(
        "PATCH",
        "/enrolments/{enrolment_id}",
        COHORT_WRITE,
        with_enrolment,
        lambda p: {"topics": []},
    ),
    Row("DELETE", "/enrolments/{enrolment_id}", cols(204), with_enrolment),
    # matching
    Row(
        "POST",
        "/cohorts/{cohort_id}/matching",
        cols(201),
        with_proposal,
        lambda p: {"min_size": 2, "max_size": 3},
    ),
    Row("GET", "/cohorts/{cohort_id}/matching", NETWORK_READ, with_proposal),
    Row("GET", "/cohorts/{cohort_id}/matching/{proposal_id}", NETWORK_READ, with_proposal),
    Row("POST", "/cohorts/{cohort_id}/matching/{proposal_id}/accept", COHORT_WRITE, with_proposal),
]


# The rows above are run by the one authorization harness (tests/test_authz_matrix.py), which
# also checks that every route has a row.
