"""The demo documents (demo/*.yaml) make the demo the Python literals used to make: the same
rows in every table, the same ids where tests rely on them, the seeds' texts word for word."""

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlmodel import col

from app.auth.models import RoleAssignment, User
from app.badges import service as badge_service
from app.badges.models import BadgeAward, BadgeEndorsement, BadgeProposal
from app.cohorts.models import Enrolment
from app.communities.models import Community
from app.demo import documents
from app.mobility.models import MobilityCount
from app.models import metadata
from app.networks.models import Network
from app.plans.models import Evidence, MeasureReading, Milestone, Objective, Plan
from app.webhooks.models import WebhookSubscription
from tests.demo_helpers import restore_demo

# Rows per table after `cohesion load-demo`, as measured before the demo became documents.
ROWS = {
    "action_status_changes": 46,
    "actions": 46,
    "audit_events": 372,  # with the NoN 2021-22 plan's Finnish translation (one `translate`)
    "badge_awards": 3,
    "badge_endorsements": 2,  # an employer's of a badge, the parent's of the issuer
    "badge_issuer_keys": 3,  # the issuer's, the employer's, the parent network's
    "badge_network_invitations": 0,
    "badge_proposals": 1,
    "badges": 2,
    "check_ins": 6,
    "cohort_enrolments": 36,
    "cohorts": 1,
    "communities": 17,
    "community_meetings": 2,
    "community_members": 59,
    "community_networks": 20,
    "evaluation_responses": 4,
    "evaluations": 2,
    "idempotency_records": 0,
    "login_counters": 0,
    "matching_proposals": 1,
    "measure_readings": 10,
    "measures": 48,
    "milestone_evidence": 4,
    "milestones": 33,
    "mobility_count_batches": 5,
    "mobility_counts": 36,
    "mobility_opportunities": 4,
    "network_links": 8,  # 7 children of their one parent, and Tampere in the Nordic alliance too
    "network_memberships": 57,
    "networks": 13,
    "objectives": 32,
    "organisations": 62,
    "partner_commitments": 3,
    "partnerships": 6,
    "plans": 4,
    "programme_attendance": 36,
    "programme_enrolments": 10,
    "programme_sessions": 4,
    "programmes": 1,
    "role_assignments": 10,
    "service_accounts": 0,
    "users": 11,
    "webhook_deliveries": 0,
    "webhook_secrets": 2,
    "webhook_subscriptions": 2,
    # The messaging tables: the demo sends nothing and invites nobody.
    "calendar_feeds": 0,
    "invitations": 0,
    "mail_outbox": 0,
    "notification_settings": 0,
    "notifications": 0,
    "password_resets": 0,
    "reminder_marks": 0,
}
NETWORKS = [
    "Network of Networks",
    "Scottish Colleges International Network",
    "Basque VET Network",
    "Tampere Region Vocational Network",
    "Emilia-Romagna VET Network",
    "Northern Ireland FE Network",
    "West Partnership",
    "North-Eastern Victoria Region",
    "Banyule Network",
    "Nordic VET Alliance",
    "STEM CPD Alliance",
    "Open Badge Networks England",
    "Open Badges for Migrant Skills England",
]


@pytest.fixture
async def demo(app: FastAPI, db: None) -> dict[str, Any]:
    """The whole demo, built as `cohesion load-demo` builds it; rows per table."""
    state = app.state.cohesion
    await restore_demo(app)
    async with state.db.transaction(write=False) as session:
        return {
            table.name: await session.scalar(select(func.count()).select_from(table))
            for table in metadata.sorted_tables
        }


async def test_the_documents_make_the_same_rows_and_texts(
    app: FastAPI, demo: dict[str, int]
) -> None:
    assert demo == ROWS
    async with app.state.cohesion.db.transaction(write=False) as session:

        async def values(column: Any, *where: Any) -> list[Any]:
            rows = await session.scalars(select(column).where(*where).order_by(text("id")))
            return list(rows.all())

        assert await values(col(Network.name)) == NETWORKS  # in the order they were made
        # The first network made (ids depend on the sequence: PostgreSQL does not reset it).
        non = await session.scalar(select(Network).order_by(col(Network.id)).limit(1))
        assert non is not None and non.membership_criteria == (
            "Open to VET colleges and associations of VET institutions that belong to a regional "
            "VET network, commit to joint international cooperation, and take part in the annual "
            "meeting and at least one thematic working group."
        )
        assert [(p.title, p.status) for p in await values(Plan)] == [
            ("Networks of Networks Action Plan 2021-22", "active"),
            ("Collaborative Learning Networks (CLNs) Outcome Planner 2019-2020", "active"),
            ("Networks of Networks Action Plan 2026-27", "active"),
            ("Open Badges for Migrant Skills England: success measures", "active"),
        ]
        assert (await values(col(Plan.aim)))[0] == (
            "Bring coherence to the alliance, raise the quality of VET, develop staff and raise "
            "awareness of the Network of Networks."
        )
        # The NoN holds its plans in English and Finnish: the 2021-22 plan's title, aim, and
        # its 12 aspirations' and objectives' titles are in Finnish; the copy keeps the aim's
        # and the objectives' translations (its new title has none).
        assert (non.languages, non.default_language) == (["en", "fi"], "en")
        translated = await values(col(Plan.translations))
        assert translated[0]["fi"]["title"] == (
            "Network of Networks -verkoston toimintasuunnitelma 2021-22"
        )
        assert translated[0]["fi"]["aim"].startswith("Tuoda allianssiin johdonmukaisuutta")
        assert set(translated[2]["fi"]) == {"aim"} and translated[1] is None
        objectives = await values(Objective, col(Objective.translations).is_not(None))
        assert len(objectives) == 24  # 12 in the 2021-22 plan, 12 copied into 2026-27
        assert (await values(col(User.email)))[1:] == [
            "chair@nonetwork.example",
            "executive@nonetwork.example",
            "facilitator@nonetwork.example",
            "member@nonetwork.example",
            "chair@westpartnership.example",
            "facilitator@westpartnership.example",
            "chair@banyule.example",
            "executive@banyule.example",
            "seil@banyule.example",
            "badges@migrantskills.example",
        ]
        since = [s.date() for s in await values(col(RoleAssignment.since))]
        assert since[:9] == [date(2021, 9, 1)] * 4 + [date(2019, 4, 1)] * 2 + [date(2022, 1, 1)] * 3
        assert (await values(col(Community.title)))[:6] == [
            "Network of Networks Steering Committee",
            "International Cooperation Thematic Working Group",
            "Leveraging EU Funds Working Group",
            "Flexible Learning Pathways Working Group",
            "Banyule Network Community of Practice",
            "CLN Facilitator Network",
        ]
        enquiries = await values(col(Enrolment.enquiry))
        assert enquiries[:2] == [
            "How can number talks build fluency and confidence in P4-P7?",
            "How can digital tools support independent learning at home and in class?",
        ]
        assert await values(col(Evidence.text)) == [
            "Six of the eight authorities volunteered to pilot cross-authority alliances.",
            "Survey issued to all staff through authority newsletters.",
            "Launch event at the City Chambers; 34 schools attended.",
            "CLN Cohort 1 pre/post evaluation (mean of 5): confidence 2.5 → 4.0; "
            "knowledge 2.0 → 3.5.",
        ]
        achieved = await values(col(Milestone.achieved_on), col(Milestone.status) == "achieved")
        assert sorted(achieved) == [
            date(2019, 5, 15),
            date(2019, 8, 29),
            date(2019, 10, 24),
            date(2026, 10, 20),
        ]
        readings = await values(col(MeasureReading.note))
        assert readings.count("Recorded at the steering committee") == 2
        assert readings.count("Steering committee") == 8
        staff = await values(col(MobilityCount.count), col(MobilityCount.participant) == "staff")
        assert sum(staff) == 28  # the plan's "Minimum 25 x staff mobilities per annum" is met
        proposal = await session.scalar(select(BadgeProposal))
        assert proposal is not None and proposal.status == "approved"
        assert proposal.communication == {
            "cadence": "Once every two months",
            "duration": "One hour",
            "format": "Face-to-face meeting",
        }
        recipients = await values(col(BadgeAward.recipient_name))
        assert recipients == ["Amina Yusuf", "Tomasz Nowak", "Amina Yusuf"]
        # An employer endorses the first badge; the endorsement verifies, and the badge's
        # awards (made after it) carry it in their achievement's endorsementJwt.
        # The parent network endorses the badge network as an issuer; that verifies too, and
        # every award carries it in its issuer profile's endorsementJwt.
        endorsement, vouched = await values(BadgeEndorsement)
        assert endorsement.endorser_name == "Committed Employers for Migrant Skills"
        settings = app.state.cohesion.settings
        check = await badge_service.verify_token(session, endorsement.credential_jwt, settings)
        assert check.valid is True and check.credential_type == "EndorsementCredential"
        assert check.badge == "Customer Service Skills"
        assert vouched.endorser_name == "Open Badge Networks England"
        assert vouched.badge_id is None and vouched.subject_network_id == vouched.network_id
        check = await badge_service.verify_token(session, vouched.credential_jwt, settings)
        assert check.valid is True and check.badge is None
        assert check.endorsed_issuer == "Open Badges for Migrant Skills England"
        awards = await values(BadgeAward)
        carried = [
            a.credential["credentialSubject"]["achievement"].get("endorsementJwt") for a in awards
        ]
        assert carried == [[endorsement.credential_jwt]] * 2 + [None]
        assert [a.credential["issuer"].get("endorsementJwt") for a in awards] == [
            [vouched.credential_jwt]
        ] * 3
        webhooks = await values(WebhookSubscription)
        # Network numbers counted from the first network made (1 on a fresh database).
        assert [(w.network_id - non.id + 1, w.active, w.include_descendants) for w in webhooks] == [
            (1, False, True),
            (7, False, False),
        ]


def test_every_document_parses_and_is_listed() -> None:
    here = documents.directory()
    names = sorted(p.stem for p in here.glob("*.yaml"))
    assert names == [
        "badges",
        "communities",
        "mobility",
        "networks",
        "partnerships",
        "people",
        "plans",
        "webhooks",
    ]
    readme = (here / "README.md").read_text(encoding="utf-8")
    for name in names:
        assert documents.load(name)
        assert f"`{name}.yaml`" in readme
    for entry in documents.load("plans")["imports"]:
        assert documents.project_file(entry["file"]).is_file()


def test_a_broken_or_missing_document_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("title: {unclosed\n", encoding="utf-8")
    with pytest.raises(documents.DemoDocumentError, match=r"broken\.yaml"):
        documents.read(broken)
    with pytest.raises(documents.DemoDocumentError, match=r"absent\.yaml"):
        documents.read(tmp_path / "absent.yaml")
