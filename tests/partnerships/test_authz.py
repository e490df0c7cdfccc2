"""Who may call every partnership, programme and evaluation route.

For each route, every principal gets fresh objects (built by the platform admin) in which the
call would succeed, so the status code is the authorization answer and nothing else.
Principals: ``anonymous``; ``admin``; ``chair``, ``executive``, ``facilitator``, ``member`` of
network A; ``other_chair``, chair of network B; ``outsider``, signed in with no role.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from tests.partnerships.helpers import PartnerBuilder, day
from tests.plans.helpers import PlanBuilder

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
Setup = Callable[[PartnerBuilder], Awaitable[Params]]


def cols(ok: int, *, fac: int = 403, mem: int = 403) -> tuple[int, ...]:
    """Codes per principal: admin/chair/executive get ``ok``; B's chair and outsiders 404."""
    return (401, ok, ok, ok, fac, mem, 404, 404)


READ = cols(200, fac=200, mem=200)
WRITE = cols(200)


async def network_a(b: PartnerBuilder) -> Params:
    return {"network_id": b.world.network_a, "organisation_id": await b.organisation()}


async def partnership(b: PartnerBuilder) -> Params:
    made = await b.partnership(review_on=day(-1))
    return {"partnership_id": made["id"]}


async def deleted_partnership(b: PartnerBuilder) -> Params:
    params = await partnership(b)
    await b.call("DELETE", f"/partnerships/{params['partnership_id']}", expect=204)
    return params


async def with_objective(b: PartnerBuilder) -> Params:
    params = await partnership(b)
    plans = PlanBuilder(b.client, b.world)
    plan = await plans.plan()
    objective = await plans.objective(plan["id"], "1")
    return {**params, "objective_id": objective["id"]}


async def commitment(b: PartnerBuilder) -> Params:
    params = await with_objective(b)
    made = await b.post(
        f"/partnerships/{params['partnership_id']}/commitments",
        {"objective_id": params["objective_id"], "role": "Critical friend"},
    )
    return {**params, "commitment_id": made["id"]}


async def programme(b: PartnerBuilder) -> Params:
    made = await b.programme()
    return {"network_id": b.world.network_a, "programme_id": made["id"]}


async def with_session(b: PartnerBuilder) -> Params:
    params = await programme(b)
    made = await b.post(
        f"/programmes/{params['programme_id']}/sessions",
        {"held_on": "2019-09-12", "mode": "online", "title": "Launch"},
    )
    enrolled = await b.post(
        f"/programmes/{params['programme_id']}/enrolments",
        {"organisation_id": await b.organisation()},
    )
    return {**params, "session_id": made["id"], "enrolment_id": enrolled["id"]}


async def evaluation(b: PartnerBuilder) -> Params:
    params = await programme(b)
    made = await b.evaluation(params["programme_id"])
    return {**params, "evaluation_id": made["id"]}


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


ROWS = [
    Row("GET", "/networks/{network_id}/partnerships", READ, network_a),
    Row(
        "POST",
        "/networks/{network_id}/partnerships",
        cols(201),
        network_a,
        lambda p: {
            "organisation_id": p["organisation_id"],
            "sector": "public",
            "scope": "national",
            "start_on": "2019-01-01",
        },
    ),
    Row("GET", "/partnerships/{partnership_id}", READ, partnership),
    Row(
        "PATCH", "/partnerships/{partnership_id}", WRITE, partnership, lambda p: {"scope": "local"}
    ),
    Row("DELETE", "/partnerships/{partnership_id}", cols(204), partnership),
    Row("POST", "/partnerships/{partnership_id}/restore", WRITE, deleted_partnership),
    Row(
        "POST",
        "/partnerships/{partnership_id}/renew",
        WRITE,
        partnership,
        lambda p: {"review_on": day(100)},
    ),
    Row("GET", "/partnerships/{partnership_id}/commitments", READ, commitment),
    Row(
        "POST",
        "/partnerships/{partnership_id}/commitments",
        cols(201),
        with_objective,
        lambda p: {"objective_id": p["objective_id"], "role": "Evaluation"},
    ),
    Row("DELETE", "/partner-commitments/{commitment_id}", cols(204), commitment),
    Row("GET", "/networks/{network_id}/programmes", READ, programme),
    Row(
        "POST",
        "/networks/{network_id}/programmes",
        cols(201),
        programme,
        lambda p: {"title": "Leadership", "audience": "strategic_leaders"},
    ),
    Row("GET", "/programmes/{programme_id}", READ, programme),
    Row("PATCH", "/programmes/{programme_id}", WRITE, programme, lambda p: {"title": "New"}),
    Row("DELETE", "/programmes/{programme_id}", cols(204), programme),
    Row("GET", "/programmes/{programme_id}/sessions", READ, with_session),
    Row(
        "POST",
        "/programmes/{programme_id}/sessions",
        cols(201),
        programme,
        lambda p: {"held_on": "2019-10-01", "mode": "in_person", "title": "Two"},
    ),
    Row("GET", "/programmes/{programme_id}/enrolments", READ, with_session),
    Row(
        "POST",
        "/programmes/{programme_id}/enrolments",
        cols(201),
        programme,
        lambda p: {"user_id": p["user_id"]},
    ),
    Row("GET", "/programme-sessions/{session_id}/attendance", READ, with_session),
    Row(
        "PUT",
        "/programme-sessions/{session_id}/attendance",
        WRITE,
        with_session,
        lambda p: {"enrolment_ids": [p["enrolment_id"]]},
    ),
    Row("GET", "/programmes/{programme_id}/evaluations", READ, evaluation),
    Row(
        "POST",
        "/programmes/{programme_id}/evaluations",
        cols(201),
        programme,
        lambda p: {
            "title": "Pre",
            "phase": "pre",
            "questions": [{"key": "confidence", "text": "Confident?", "kind": "likert_1_5"}],
        },
    ),
    Row("GET", "/evaluations/{evaluation_id}", READ, evaluation),
    # Anyone who reads the network answers (once each: every principal gets a fresh form).
    Row(
        "POST",
        "/evaluations/{evaluation_id}/responses",
        cols(201, fac=201, mem=201),
        evaluation,
        lambda p: {"answers": {"confidence": 4}},
    ),
    Row("GET", "/evaluations/{evaluation_id}/summary", READ, evaluation),
]


# The rows above are run by the one authorization harness (tests/test_authz_matrix.py), which
# also checks that every route has a row.
