"""Demo partnerships, programmes and evaluations (demo/partnerships.yaml), made with the
partnership services, so every row has its audit event. Organisations are found by name and
created where missing; a network the document names that does not exist yet is created and
added to ``networks``. The communities demo's cohort, when loaded first, is linked."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.models import RoleAssignment
from app.auth.policy import Grant, Principal, Role
from app.cohorts.models import Cohort
from app.core.config import get_settings
from app.core.resources import Scoped
from app.demo import documents
from app.networks import service as network_service
from app.networks.models import Network
from app.networks.schemas import NetworkCreate
from app.organisations import service as organisation_service
from app.organisations.models import Organisation
from app.organisations.schemas import OrganisationCreate, OrganisationKind
from app.partnerships import service
from app.partnerships.models import Partnership
from app.partnerships.schemas import CommitmentCreate, PartnershipCreate
from app.plans import milestone_service
from app.plans.milestone_schemas import EvidenceCreate
from app.plans.models import Milestone, Objective, Plan
from app.plans.schemas import EvidenceKind
from app.plans.scope import load_in_plan
from app.programmes import evaluation_service
from app.programmes import service as programme_service
from app.programmes.models import Evaluation
from app.programmes.schemas import (
    EvaluationCreate,
    ProgrammeCreate,
    ProgrammeEnrolmentCreate,
    ResponseCreate,
    SessionCreate,
)


async def _organisation(
    session: AsyncSession, admin: Principal, fields: dict[str, Any], owner: Network
) -> Organisation:
    found = await session.scalar(
        select(Organisation).where(
            col(Organisation.name) == fields["name"], col(Organisation.deleted_at).is_(None)
        )
    )
    if found is not None:
        return found
    data = OrganisationCreate.model_validate({**fields, "owner_network_id": owner.id})
    org = await organisation_service.create(session, admin, data=data)
    await session.flush()
    return org


async def _partnerships(
    session: AsyncSession, admin: Principal, network: Network, doc: dict[str, Any]
) -> dict[str, Partnership]:
    """The network's partnerships, by their ``key`` in the document."""
    made: dict[str, Partnership] = {}
    for entry in doc["partnerships"]:
        org = await _organisation(session, admin, entry["organisation"], network)
        fields = {k: v for k, v in entry.items() if k not in ("key", "organisation")}
        body = {"organisation_id": org.id, "contact": None, **doc.get("common", {}), **fields}
        partnership, _ = await service.create_partnership(
            session, admin, network, data=PartnershipCreate.model_validate(body)
        )
        made[entry.get("key", org.name)] = partnership
    return made


async def _respondents(session: AsyncSession, network: Network) -> list[Principal]:
    """People holding a current role in the network, as principals who may answer."""
    rows = await session.execute(
        select(col(RoleAssignment.user_id), col(RoleAssignment.role))
        .where(col(RoleAssignment.network_id) == network.id, col(RoleAssignment.until).is_(None))
        .order_by(col(RoleAssignment.user_id))
    )
    seen: dict[int, Principal] = {}
    for user_id, role in rows.all():
        seen.setdefault(
            user_id,
            Principal(
                kind="user", id=user_id, grants=[Grant(network_id=network.id or 0, role=Role(role))]
            ),
        )
    return list(seen.values())


async def _programme(
    session: AsyncSession,
    admin: Principal,
    network: Network,
    partners: dict[str, Partnership],
    doc: dict[str, Any],
) -> None:
    """The programme: sessions, enrolments, attendance, a pre and a post evaluation answered
    by the network's people, and the post one cited as the milestone's evidence."""
    cohort = await session.scalar(
        select(Cohort).where(
            col(Cohort.network_id) == network.id,
            col(Cohort.name) == doc["cohort"],
            col(Cohort.deleted_at).is_(None),
        )
    )
    fields = {k: doc[k] for k in ("title", "audience", "description")}
    programme = await programme_service.create_programme(
        session,
        admin,
        network,
        data=ProgrammeCreate.model_validate(
            {
                **fields,
                "partnership_ids": [partners[key].id for key in doc["partnerships"]],
                "cohort_id": cohort.id if cohort else None,
            }
        ),
    )
    in_programme = Scoped(obj=programme, network=network)
    sessions = [
        await programme_service.create_session(
            session, admin, in_programme, data=SessionCreate.model_validate(entry)
        )
        for entry in doc["sessions"]
    ]
    respondents = await _respondents(session, network)
    schools = await session.scalars(
        select(col(Organisation.id))
        .where(
            col(Organisation.kind) == OrganisationKind.school.value,
            col(Organisation.deleted_at).is_(None),
            col(Organisation.local_authority).is_not(None),
        )
        .order_by(col(Organisation.id))
        .limit(doc["schools"])
    )
    enrolled = [
        *({"user_id": person.user_id} for person in respondents),
        *({"organisation_id": school} for school in schools.all()),
    ]
    enrolments = [
        await programme_service.create_enrolment(
            session,
            admin,
            in_programme,
            data=ProgrammeEnrolmentCreate.model_validate(
                {**who, "enrolled_on": doc["enrolled_on"]}
            ),
        )
        for who in enrolled
    ]
    ids = [e.id for e in enrolments if e.id is not None]
    for index, row in enumerate(sessions):
        present = ids if index % 2 == 0 else ids[: max(1, len(ids) - 2)]
        await programme_service.set_attendance(
            session,
            admin,
            Scoped(obj=row, network=network),
            enrolment_ids=present,
        )
    evaluations = doc["evaluations"]
    forms: dict[str, Evaluation] = {}
    for phase in ("pre", "post"):
        forms[phase] = await evaluation_service.create_evaluation(
            session,
            admin,
            in_programme,
            data=EvaluationCreate.model_validate(
                {
                    "title": evaluations[phase]["title"],
                    "phase": phase,
                    "questions": evaluations["questions"],
                }
            ),
        )
    for phase in ("pre", "post"):
        scores = evaluations[phase]["scores"]
        form = Scoped(obj=forms[phase], network=network)
        for index, person in enumerate(respondents):
            confidence, knowledge = scores[index % len(scores)]
            answers: dict[str, object] = {"confidence": confidence, "knowledge": knowledge}
            if phase == "post":
                answers["recommend"] = index % 5 != 4
            await evaluation_service.respond(
                session,
                person,
                form,
                get_settings(),
                data=ResponseCreate(answers=answers, anonymous=index % 2 == 1),
            )
    await _cite_evaluation(session, admin, network, forms["post"], doc["evidences"])


async def _cite_evaluation(
    session: AsyncSession, admin: Principal, network: Network, post: Evaluation, title: str
) -> None:
    """The post evaluation, with its change from the pre one, as the evidence of the milestone
    of the network's plans whose title starts with ``title``."""
    await session.flush()
    milestone_id = await session.scalar(
        select(col(Milestone.id))
        .join(Plan, col(Plan.id) == col(Milestone.plan_id))
        .where(
            col(Plan.network_id) == network.id,
            col(Milestone.title).startswith(title),
            col(Milestone.deleted_at).is_(None),
        )
    )
    if milestone_id is None or post.id is None:
        return
    result = await evaluation_service.summary(session, post)
    changes = [
        f"{q.key} {q.pre_mean:.1f} → {q.mean:.1f}"
        for q in result.questions
        if q.mean is not None and q.pre_mean is not None
    ]
    found = await load_in_plan(session, admin, Milestone, milestone_id, "milestone")
    await milestone_service.add_evidence(
        session,
        admin,
        found,
        data=EvidenceCreate(
            kind=EvidenceKind.evaluation,
            evaluation_id=post.id,
            text=f"CLN Cohort 1 pre/post evaluation (mean of 5): {'; '.join(changes)}.",
        ),
    )


async def _commitments(
    session: AsyncSession,
    admin: Principal,
    network: Network,
    partners: dict[str, Partnership],
    commitments: list[dict[str, Any]],
) -> None:
    """Commitments to the objectives of that code in the network's plans, where there is one."""
    codes = [c["objective"] for c in commitments]
    objectives = {
        o.code: o.id
        for o in await session.scalars(
            select(Objective)
            .join(Plan, col(Plan.id) == col(Objective.plan_id))
            .where(col(Plan.network_id) == network.id, col(Objective.code).in_(codes))
        )
    }
    for entry in commitments:
        if entry["objective"] in objectives:
            partnership = partners[entry["partnership"]]
            await service.create_commitment(
                session,
                admin,
                Scoped(obj=partnership, network=network),
                data=CommitmentCreate(
                    objective_id=objectives[entry["objective"]], role=entry["role"]
                ),
            )


async def load(session: AsyncSession, admin: Principal, networks: dict[str, Network]) -> None:
    """Add the demo partnerships, programme and evaluations (and the networks they need)."""
    for network_name, doc in documents.load("partnerships").items():
        if network_name not in networks:
            networks[network_name] = await network_service.create(
                session,
                admin,
                data=NetworkCreate.model_validate({"name": network_name, **doc["network"]}),
            )
        network = networks[network_name]
        partners = await _partnerships(session, admin, network, doc)
        await _commitments(session, admin, network, partners, doc.get("commitments", []))
        if "programme" in doc:
            await _programme(session, admin, network, partners, doc["programme"])
    await session.flush()
