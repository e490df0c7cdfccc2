"""Demo partnerships, programmes and evaluations, built from the seed documents with the
service functions (so every row has its audit event):

* West Partnership (seed 004): the Robert Owen Centre (University of Glasgow) as critical
  friend and research partner, Education Scotland as national CPD and policy partner; the
  professional learning programme of outcome 2a (sessions, enrolments, attendance) delivered
  by both, with a pre and a post evaluation whose responses show confidence rising.
* STEM CPD Alliance (seed 001, the LINKS project), a new network: IMST (University of
  Klagenfurt), the LUMA centres (Finland) and STEM Learning (UK) as international CPD
  providers. The network is created here and added to ``networks``.

``load_demo`` expects the networks and organisations of ``app/demo.py`` (it finds
organisations by name and creates those missing) and, if loaded first, the communities demo's
"CLN Cohort 1" (linked to the programme when found).
"""

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.models import RoleAssignment
from app.auth.policy import Grant, Principal, Role
from app.communities.models import Cohort
from app.core.config import get_settings
from app.networks import service as network_service
from app.networks.models import Network
from app.networks.schemas import NetworkCreate
from app.organisations import service as organisation_service
from app.organisations.models import Organisation
from app.organisations.schemas import OrganisationCreate, OrganisationKind
from app.partnerships import service
from app.partnerships.deps import InNetwork
from app.partnerships.models import Evaluation, Partnership, Programme
from app.partnerships.schemas import (
    CommitmentCreate,
    EvaluationCreate,
    PartnershipCreate,
    ProgrammeCreate,
    ProgrammeEnrolmentCreate,
    ResponseCreate,
    SessionCreate,
)
from app.plans import milestone_service
from app.plans.milestone_schemas import EvidenceCreate
from app.plans.models import Milestone, Objective, Plan
from app.plans.schemas import EvidenceKind
from app.plans.scope import load_in_plan

WEST = "West Partnership"
STEM = "STEM CPD Alliance"
ROC = "Robert Owen Centre, University of Glasgow"
EDUCATION_SCOTLAND = "Education Scotland"
QUESTIONS = [
    {
        "key": "confidence",
        "text": "How confident are you in implementing a collaborative learning project?",
        "kind": "likert_1_5",
    },
    {
        "key": "knowledge",
        "text": "How would you rate your knowledge of collaborative enquiry methods?",
        "kind": "likert_1_5",
    },
    {"key": "recommend", "text": "Would you recommend the programme?", "kind": "yes_no"},
    {"key": "comments", "text": "Any other comments?", "kind": "free_text"},
]
PRE = [(2, 2), (3, 2), (2, 3), (3, 3), (2, 2), (3, 2)]
POST = [(4, 4), (4, 3), (3, 4), (5, 4), (4, 4), (4, 3)]


# The example organisations of the LINKS booklet (seed 001), each with its sector and country:
# IMST is an institute of a public university (Klagenfurt, AT); the LUMA centres are hosted by
# Finnish (public) universities; STEM Learning (UK) is a not-for-profit company; the French
# Ministry of Education is the partner of section 2.c.
Partner = tuple[str, OrganisationKind, str, str, list[str], str | None, str | None]
BOOKLET_PARTNERS: list[Partner] = [
    (
        "IMST, University of Klagenfurt",
        OrganisationKind.university,
        "AT",
        "public",
        ["cpd_provision", "research", "dissemination"],
        "Doris Arztmann",
        "LINKS coordinator",
    ),
    (
        "LUMA Centre Finland",
        OrganisationKind.university,
        "FI",
        "public",
        ["cpd_provision", "dissemination"],
        None,
        None,
    ),
    (
        "STEM Learning UK",
        OrganisationKind.cpd_provider,
        "GB",
        "third_sector",
        ["cpd_provision", "funding"],
        None,
        None,
    ),
    (
        "Ministry of National Education (France)",
        OrganisationKind.ministry,
        "FR",
        "public",
        ["policy", "cpd_provision"],
        None,
        None,
    ),
]


async def _organisation(
    session: AsyncSession,
    admin: Principal,
    name: str,
    kind: OrganisationKind,
    country: str,
    owner: Network | None,
) -> Organisation:
    found = await session.scalar(
        select(Organisation).where(
            col(Organisation.name) == name, col(Organisation.deleted_at).is_(None)
        )
    )
    if found is not None:
        return found
    data = OrganisationCreate.model_validate(
        {"name": name, "kind": kind, "country": country, "owner_network_id": owner and owner.id}
    )
    org = await organisation_service.create(session, admin, data=data)
    await session.flush()
    return org


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


async def _west(session: AsyncSession, admin: Principal, west: Network) -> None:
    roc = await _organisation(session, admin, ROC, OrganisationKind.research_centre, "GB", west)
    es = await _organisation(
        session, admin, EDUCATION_SCOTLAND, OrganisationKind.agency, "GB", west
    )
    critical_friend, _ = await service.create_partnership(
        session,
        admin,
        west,
        data=PartnershipCreate.model_validate(
            {
                "organisation_id": roc.id,
                "sector": "public",
                "direction": "external",
                "scope": "regional",
                "purposes": ["critical_friend", "research", "cpd_provision"],
                "description": "Critical friend to the West Partnership's Collaborative Learning "
                "Networks: plans the professional learning programme with the facilitators and "
                "quality-assures the impact of collaborative learning projects (outcome 3).",
                "start_on": date(2019, 5, 1),
                "review_on": date(2030, 6, 30),
                "status": "active",
                "contact": {"name": "Robert Owen Centre team", "role": "Critical friend"},
                "agreement_reference": "West Partnership / Robert Owen Centre MoU 2019",
            }
        ),
    )
    national, _ = await service.create_partnership(
        session,
        admin,
        west,
        data=PartnershipCreate.model_validate(
            {
                "organisation_id": es.id,
                "sector": "public",
                "direction": "external",
                "scope": "national",
                "purposes": ["cpd_provision", "policy"],
                "start_on": date(2019, 5, 1),
                "review_on": date(2030, 6, 30),
                "status": "active",
                "contact": {
                    "name": "Regional Improvement Team",
                    "role": "Senior Education Officer",
                },
            }
        ),
    )
    # Seed 004's "Role of Partners": the Robert Owen Centre as critical friend (outcome 1) and
    # leading the professional learning programme with Education Scotland (outcome 2a).
    plan_objectives = {
        o.code: o.id
        for o in await session.scalars(
            select(Objective)
            .join(Plan, col(Plan.id) == col(Objective.plan_id))
            .where(col(Plan.network_id) == west.id, col(Objective.code).in_(["1", "2a"]))
        )
    }
    for partnership, code, role in [
        (critical_friend, "1", "Attend meetings and act as a critical friend"),
        (critical_friend, "2a", "Lead the professional learning programme"),
        (national, "2a", "Advisors co-deliver the professional learning programme"),
    ]:
        if code in plan_objectives:
            await service.create_commitment(
                session,
                admin,
                InNetwork(obj=partnership, parent=partnership, network=west),
                data=CommitmentCreate(objective_id=plan_objectives[code], role=role),
            )
    cohort = await session.scalar(
        select(Cohort).where(
            col(Cohort.network_id) == west.id,
            col(Cohort.name) == "CLN Cohort 1",
            col(Cohort.deleted_at).is_(None),
        )
    )
    programme = await service.create_programme(
        session,
        admin,
        west,
        data=ProgrammeCreate.model_validate(
            {
                "title": "Collaborative Learning Networks professional learning programme",
                "audience": "practitioners",
                "description": "Outcome 2a: supports practitioners in utilising effective "
                "collaborative working practices to complete a Collaborative Learning Project "
                "through training days, linked facilitators and mentors.",
                "partnership_ids": [critical_friend.id, national.id],
                "cohort_id": cohort.id if cohort else None,
            }
        ),
    )
    in_programme = InNetwork(obj=programme, parent=programme, network=west)
    sessions = []
    for held_on, mode, title in [
        (date(2019, 5, 29), "in_person", "Launch: collaborative enquiry and the CLN model"),
        (date(2019, 9, 18), "in_service_day", "Planning your Collaborative Learning Project"),
        (date(2020, 1, 22), "online", "Gathering and analysing evidence of impact"),
        (date(2020, 5, 20), "online", "Sharing findings across the West Partnership"),
    ]:
        sessions.append(
            await service.create_session(
                session,
                admin,
                in_programme,
                data=SessionCreate.model_validate(
                    {"held_on": held_on, "mode": mode, "title": title}
                ),
            )
        )
    respondents = await _respondents(session, west)
    enrolments = []
    for person in respondents:
        enrolments.append(
            await service.create_enrolment(
                session,
                admin,
                in_programme,
                data=ProgrammeEnrolmentCreate(user_id=person.user_id, enrolled_on=date(2019, 5, 1)),
            )
        )
    schools = (
        await session.scalars(
            select(Organisation)
            .where(
                col(Organisation.kind) == OrganisationKind.school.value,
                col(Organisation.deleted_at).is_(None),
                col(Organisation.local_authority).is_not(None),
            )
            .order_by(col(Organisation.id))
            .limit(8)
        )
    ).all()
    for school in schools:
        enrolments.append(
            await service.create_enrolment(
                session,
                admin,
                in_programme,
                data=ProgrammeEnrolmentCreate(
                    organisation_id=school.id, enrolled_on=date(2019, 5, 1)
                ),
            )
        )
    ids = [e.id for e in enrolments if e.id is not None]
    for index, row in enumerate(sessions):
        present = ids if index % 2 == 0 else ids[: max(1, len(ids) - 2)]
        await service.set_attendance(
            session,
            admin,
            InNetwork(obj=row, parent=programme, network=west),
            enrolment_ids=present,
        )
    forms: dict[str, Evaluation] = {}
    for phase, title in (("pre", "Before the programme"), ("post", "After the programme")):
        forms[phase] = await service.create_evaluation(
            session,
            admin,
            in_programme,
            data=EvaluationCreate.model_validate(
                {"title": f"CLN Cohort 1: {title}", "phase": phase, "questions": QUESTIONS}
            ),
        )
    for phase, scores in (("pre", PRE), ("post", POST)):
        form = InNetwork(obj=forms[phase], parent=programme, network=west)
        for index, person in enumerate(respondents):
            confidence, knowledge = scores[index % len(scores)]
            answers: dict[str, object] = {"confidence": confidence, "knowledge": knowledge}
            if phase == "post":
                answers["recommend"] = index % 5 != 4
            await service.respond(
                session,
                person,
                form,
                get_settings(),
                data=ResponseCreate(answers=answers, anonymous=index % 2 == 1),
            )
    await _cite_evaluation(session, admin, west, forms["post"])


# The CLN planner's milestone the programme's evaluations evidence (seed 004, outcome 2a).
FEEDBACK_MILESTONE = "Participant feedback evaluations will demonstrate an increase in confidence"


async def _cite_evaluation(
    session: AsyncSession, admin: Principal, west: Network, post: Evaluation
) -> None:
    """The post evaluation, with its change from the pre one, as the milestone's evidence."""
    await session.flush()
    milestone_id = await session.scalar(
        select(col(Milestone.id))
        .join(Plan, col(Plan.id) == col(Milestone.plan_id))
        .where(
            col(Plan.network_id) == west.id,
            col(Milestone.title).startswith(FEEDBACK_MILESTONE),
            col(Milestone.deleted_at).is_(None),
        )
    )
    if milestone_id is None or post.id is None:
        return
    result = await service.summary(session, post)
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


async def _stem(session: AsyncSession, admin: Principal, networks: dict[str, Network]) -> None:
    stem = await network_service.create(
        session,
        admin,
        data=NetworkCreate.model_validate(
            {
                "name": STEM,
                "kind": "alliance",
                "territory": "Europe",
                "description": "STEM CPD providers working together on the LINKS project: "
                "intermediaries between research, policy and teachers' professional learning.",
            }
        ),
    )
    networks[STEM] = stem
    partners = BOOKLET_PARTNERS
    for name, kind, country, sector, purposes, contact, role in partners:
        org = await _organisation(session, admin, name, kind, country, stem)
        await service.create_partnership(
            session,
            admin,
            stem,
            data=PartnershipCreate.model_validate(
                {
                    "organisation_id": org.id,
                    "sector": sector,
                    "direction": "internal",
                    "scope": "international",
                    "purposes": purposes,
                    "start_on": date(2019, 1, 1),
                    "end_on": date(2021, 12, 31),
                    "status": "active",
                    "contact": {"name": contact, "role": role} if contact else None,
                    "agreement_reference": "LINKS consortium agreement",
                }
            ),
        )


async def load_demo(session: AsyncSession, admin: Principal, networks: dict[str, Network]) -> None:
    await _west(session, admin, networks[WEST])
    await _stem(session, admin, networks)
    await session.flush()


__all__ = ["Partnership", "Programme", "load_demo"]
