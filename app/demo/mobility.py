"""Demo mobility data (demo/mobility.yaml): a year of counts between the colleges of the
network's regional networks, generated here, and its register of opportunities."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth.policy import Principal
from app.demo import documents
from app.mobility import count_service, service
from app.mobility.models import MobilityOpportunity
from app.mobility.schemas import OpportunityCreate
from app.networks.models import Network
from app.organisations.models import Membership, Organisation

College = tuple[Network, Organisation]


def _months(first: str, count: int) -> list[str]:
    """``count`` months from ``first`` (YYYY-MM)."""
    year, month = (int(part) for part in first.split("-"))
    return [f"{year + (month - 1 + i) // 12}-{(month - 1 + i) % 12 + 1:02d}" for i in range(count)]


async def _colleges(session: AsyncSession, regional: list[Network]) -> list[College]:
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


def _around(colleges: list[College], start: int) -> list[College]:
    """The colleges after ``start``, three apart, so partners vary from month to month."""
    n = len(colleges)
    return [colleges[(start + 3 * k) % n] for k in range(1, n)]


def _records(colleges: list[College], doc: dict[str, Any]) -> dict[int, list[dict[str, Any]]]:
    """Counts by the network of the sending college (its regional network records them)."""
    by_network: dict[int, list[dict[str, Any]]] = {}
    n = len(colleges)
    staff, modes = doc["staff_per_month"], doc["modes"]
    for m, period in enumerate(_months(doc["first_month"], len(staff))):
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
                "mode": modes[m % len(modes)],
                "count": staff[m],
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


async def load(session: AsyncSession, admin: Principal, networks: dict[str, Network]) -> None:
    """Load the demo counts and register unless the network already has opportunities."""
    doc = documents.load("mobility")
    network = networks[doc["network"]]
    exists = await session.scalar(
        select(col(MobilityOpportunity.id)).where(col(MobilityOpportunity.network_id) == network.id)
    )
    if exists is not None:
        return
    regional = [n for n in networks.values() if n.parent_id == network.id]
    colleges = await _colleges(session, regional)
    if len(colleges) < 2:
        return
    network_by_id = {n.id: n for n in regional}
    for network_id, records in _records(colleges, doc).items():
        await count_service.post_counts(
            session, admin, network_by_id[network_id], payload={"records": records}
        )
    by_name = {org.name: org for _, org in colleges}
    for entry in doc["opportunities"]:
        org = by_name.get(entry["organisation"])
        if org is None or org.id is None:
            continue
        fields = {k: v for k, v in entry.items() if k != "organisation"}
        await service.create_opportunity(
            session,
            admin,
            network,
            data=OpportunityCreate.model_validate({**fields, "organisation_id": org.id}),
        )
