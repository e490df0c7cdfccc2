"""Demo mobility data for the Network of Networks (seed 000): a year of counts between the
colleges of its regional networks (2021-09 … 2022-08), and a register of opportunities at
several EQF levels. Staff mobilities add up to 28 over the year, so the action plan's
"Minimum 25 x staff mobilities per annum" (source ``mobility_sum``, ``participant: staff``)
is on track part way through the year and achieved at its end."""

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.policy import Principal
from app.mobility import service
from app.mobility.models import MobilityOpportunity
from app.mobility.schemas import MobilityMode, OpportunityCreate, Participant
from app.networks.models import Network
from app.organisations.models import Membership, Organisation

NON_NAME = "Network of Networks"
MONTHS = [f"{2021 + (8 + i) // 12}-{(8 + i) % 12 + 1:02d}" for i in range(12)]  # 2021-09 …
STAFF_PER_MONTH = [2, 3, 2, 3, 2, 1, 3, 2, 3, 2, 3, 2]  # 28 in the plan year
MODES = ["physical", "virtual", "blended"]

OPPORTUNITIES = [
    # (college, title, EQF level, participant, mode, field, places, opens, closes)
    (
        "Cebanc Centre of Studies",
        "Two-week placement in a hairdressing and beauty salon",
        3,
        Participant.learner,
        MobilityMode.physical,
        "Hair and beauty services",
        6,
        date(2021, 9, 15),
        date(2021, 11, 30),
    ),
    (
        "Tknika Innovation Centre",
        "Automotive engineering workshop placement",
        4,
        Participant.learner,
        MobilityMode.physical,
        "Engineering and manufacturing",
        8,
        date(2021, 10, 1),
        date(2022, 1, 31),
    ),
    (
        "Tampere Vocational College Tredu",
        "Virtual exchange: building a web shop together",
        5,
        Participant.learner,
        MobilityMode.virtual,
        "Information and communication technologies",
        20,
        date(2022, 1, 10),
        date(2022, 3, 31),
    ),
    (
        "IIS Aldini Valeriani",
        "Job shadowing for mechatronics teachers",
        6,
        Participant.staff,
        MobilityMode.blended,
        "Mechatronics",
        4,
        None,
        None,
    ),
]


async def _colleges(
    session: AsyncSession, regional: list[Network]
) -> list[tuple[Network, Organisation]]:
    """Every current member organisation of the regional networks, with its network."""
    by_id = {n.id: n for n in regional}
    rows = await session.execute(
        select(col(Membership.network_id), Organisation)
        .join(Organisation, col(Organisation.id) == col(Membership.organisation_id))
        .where(
            col(Membership.network_id).in_(list(by_id)),
            col(Membership.left_on).is_(None),
            col(Organisation.deleted_at).is_(None),
        )
        .order_by(col(Membership.network_id), col(Organisation.id))
    )
    return [(by_id[network_id], org) for network_id, org in rows.all()]


def _around(
    colleges: list[tuple[Network, Organisation]], start: int
) -> list[tuple[Network, Organisation]]:
    """The colleges after ``start``, three apart, so partners vary from month to month."""
    n = len(colleges)
    return [colleges[(start + 3 * k) % n] for k in range(1, n)]


def _records(colleges: list[tuple[Network, Organisation]]) -> dict[int, list[dict[str, Any]]]:
    """Counts by the network of the sending college (its regional network records them)."""
    by_network: dict[int, list[dict[str, Any]]] = {}
    n = len(colleges)
    for m, period in enumerate(MONTHS):
        # Staff: one pair of colleges in different regions per month.
        sender_network, sender = colleges[m % n]
        receiver = next(
            (org for network, org in _around(colleges, m) if network.id != sender_network.id),
            None,
        )
        if receiver is None:
            continue
        assert sender_network.id is not None
        by_network.setdefault(sender_network.id, []).append(
            {
                "period": period,
                "sending_org": sender.id,
                "receiving_org": receiver.id,
                "participant": "staff",
                "mode": MODES[m % 3],
                "count": STAFF_PER_MONTH[m],
                "source_ref": f"demo-{period}-staff",
            }
        )
        # Learners: a few cohorts at EQF 3-5.
        for j in range(2):
            network, learner_sender = colleges[(m + j + 1) % n]
            _, host = colleges[(m + j + 4) % n]
            if host.id == learner_sender.id:
                continue
            assert network.id is not None
            by_network.setdefault(network.id, []).append(
                {
                    "period": period,
                    "sending_org": learner_sender.id,
                    "receiving_org": host.id,
                    "participant": "learner",
                    "mode": "physical" if j == 0 else "virtual",
                    "eqf_level": 3 + (m + j) % 3,
                    "count": 4 + (m * 7 + j * 3) % 9,
                    "source_ref": f"demo-{period}-learners-{j}",
                }
            )
    return by_network


async def load_demo(session: AsyncSession, admin: Principal, networks: dict[str, Network]) -> None:
    """Load the demo register unless the Network of Networks already has opportunities."""
    non = networks[NON_NAME]
    exists = await session.scalar(
        select(col(MobilityOpportunity.id)).where(col(MobilityOpportunity.network_id) == non.id)
    )
    if exists is not None:
        return
    regional = [n for n in networks.values() if n.parent_id == non.id]
    colleges = await _colleges(session, regional)
    if len(colleges) < 2:
        return
    network_by_id = {n.id: n for n in regional}
    for network_id, records in _records(colleges).items():
        await service.post_counts(
            session, admin, network_by_id[network_id], payload={"records": records}
        )
    by_name = {org.name: org for _, org in colleges}
    for name, title, eqf, participant, mode, field, places, opens, closes in OPPORTUNITIES:
        org = by_name.get(name)
        if org is None or org.id is None:
            continue
        await service.create_opportunity(
            session,
            admin,
            non,
            data=OpportunityCreate(
                organisation_id=org.id,
                title=title,
                eqf_level=eqf,
                participant=participant,
                mode=mode,
                field_of_study=field,
                places=places,
                opens_on=opens,
                closes_on=closes,
            ),
        )
