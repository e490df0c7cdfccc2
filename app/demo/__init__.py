"""Demo data built from the seed documents (shared/seeds), as the documents of ``demo/`` say:
the Network of Networks alliance of regional VET networks, the West Partnership with its local
authorities and schools, a Finnish regional network in the NoN and in a Nordic alliance too, a
Victorian geographic network with its chair (on a term), executive and SEIL (with functions), and
their plans, communities, mobility, partnerships, badges and webhooks. Everything is made
through the services, as a person would; loading twice changes nothing."""

from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import service as auth_service
from app.auth.models import User
from app.auth.policy import Principal
from app.auth.schemas import RoleCreate
from app.core.config import get_settings
from app.core.db import Database
from app.core.security import PasswordHasher
from app.demo import (
    badges,
    communities,
    documents,
    mobility,
    partnerships,
    plans,
    webhooks,
)
from app.networks import service as network_service
from app.networks.models import Network
from app.networks.schemas import NetworkCreate, NetworkLinkCreate
from app.organisations import service as organisation_service
from app.organisations.schemas import MembershipCreate, OrganisationCreate, OrganisationKind

# What a network entry of networks.yaml holds besides the network's own fields.
NETWORK_PARTS = (
    "regional",
    "country",
    "colleges",
    "authorities",
    "organisations",
    "children",
    "also_in",
)


async def ensure_admin(
    *, email: str, password: str, name: str = "Platform admin", reset: bool = True
) -> User:
    """Create the platform admin; with ``reset``, also reset an existing one's password."""
    settings = get_settings()
    db = Database(settings)
    hasher = PasswordHasher(settings)
    try:
        async with db.transaction() as session:
            user = await session.scalar(select(User).where(col(User.email) == email.lower()))
            if user is not None and not reset:
                return user
            if user is None:
                user = User(email=email.lower(), name=name)
            user.password_hash = await hasher.hash(password)
            user.is_admin = True
            user.is_active = True
            session.add(user)
            await session.flush()
            return user
    finally:
        await db.dispose()


async def _member(session: AsyncSession, admin: Principal, network: Network, **fields: Any) -> None:
    """An organisation owned by ``network`` that joins it as a member."""
    org = await organisation_service.create(
        session, admin, data=OrganisationCreate(owner_network_id=network.id, **fields)
    )
    assert org.id is not None
    await organisation_service.add_member(
        session, admin, network, data=MembershipCreate(organisation_id=org.id)
    )


async def _network(
    session: AsyncSession,
    admin: Principal,
    entry: dict[str, Any],
    networks: dict[str, Network],
    parent: Network | None = None,
    **defaults: Any,
) -> None:
    """A network of networks.yaml, its member organisations, then its child networks."""
    fields = {k: v for k, v in entry.items() if k not in NETWORK_PARTS}
    network = await network_service.create(
        session,
        admin,
        data=NetworkCreate.model_validate(
            {**defaults, **fields, "parent_id": parent.id if parent else None}
        ),
    )
    networks[network.name] = network
    for college in entry.get("colleges", []):
        await _member(
            session,
            admin,
            network,
            name=college,
            kind=OrganisationKind.vet_college,
            country=entry["country"],
            region=entry["territory"],
        )
    for authority, schools in entry.get("authorities", {}).items():
        place = {"country": "GB", "local_authority": authority}
        kind = OrganisationKind.local_authority
        await _member(session, admin, network, name=f"{authority} Council", kind=kind, **place)
        for school in schools:
            await _member(session, admin, network, name=school, kind="school", **place)
    for organisation in entry.get("organisations", []):
        await _member(session, admin, network, **organisation)
    for child in entry.get("regional", []):
        await _network(session, admin, child, networks, network, kind="regional")
    for child in entry.get("children", []):
        await _network(session, admin, child, networks, network)


async def _links(
    session: AsyncSession,
    admin: Principal,
    entries: list[dict[str, Any]],
    networks: dict[str, Network],
) -> None:
    """A network's ``also_in``: the further alliances it belongs to (links since a date)."""
    for entry in entries:
        for also in entry.get("also_in", []):
            since = datetime.combine(also["since"], time(), UTC)
            await network_service.add_parent(
                session,
                admin,
                networks[entry["name"]],
                data=NetworkLinkCreate(parent_id=networks[also["network"]].id or 0, since=since),
            )
        await _links(
            session, admin, entry.get("regional", []) + entry.get("children", []), networks
        )


async def _people(
    session: AsyncSession,
    admin: Principal,
    hasher: PasswordHasher,
    people: dict[str, Any],
    networks: dict[str, Network],
) -> None:
    for person in people["users"]:
        user = User(
            email=person["email"],
            name=person["name"],
            password_hash=await hasher.hash(people["password"]),
        )
        session.add(user)
        await session.flush()
        assert user.id is not None
        since = people["roles_since"][person["network"]]
        await auth_service.appoint(
            session,
            admin,
            networks[person["network"]],
            data=RoleCreate(
                user_id=user.id,
                role=person["role"],
                functions=person.get("functions", []),
                since=datetime.combine(since, time(), UTC),
                term_ends_on=person.get("term_ends_on"),
            ),
        )


async def build(session: AsyncSession, admin: Principal, hasher: PasswordHasher) -> None:
    """Everything of the demo but its admin, in one transaction."""
    networks: dict[str, Network] = {}
    entries = documents.load("networks")
    for entry in entries:
        await _network(session, admin, entry, networks)
    await _links(session, admin, entries, networks)
    await plans.load(session, admin, networks)
    await _people(session, admin, hasher, documents.load("people"), networks)
    await communities.load(session, admin, networks)
    await mobility.load(session, admin, networks)
    await partnerships.load(session, admin, networks)
    await badges.load(session, admin, networks)
    await webhooks.load(session, admin, networks)


async def load_demo(*, verbose: bool = False) -> bool:
    """Load the demo data unless it is there already; True when something was loaded."""
    settings = get_settings()
    people = documents.load("people")
    admin_user = await ensure_admin(email=people["admin"], password=people["password"], reset=False)
    assert admin_user.id is not None
    admin = Principal(kind="user", id=admin_user.id, is_admin=True, name=admin_user.name)
    db = Database(settings)
    hasher = PasswordHasher(settings)
    loaded = False
    try:
        async with db.transaction() as session:
            exists = await session.scalar(
                select(col(Network.id)).where(col(Network.name) == people["marker"])
            )
            if exists is None:
                await build(session, admin, hasher)
                loaded = True
    finally:
        await db.dispose()
    if verbose:
        print("Demo data " + ("loaded." if loaded else "already present; nothing changed."))
        print(f"Demo log-ins (password for all: {people['password']}):")
        print(f"  {people['admin']:<38} platform admin")
        for person in people["users"]:
            functions = person.get("functions")
            extra = f" ({', '.join(functions)})" if functions else ""
            print(f"  {person['email']:<38} {person['role']} of {person['network']}{extra}")
    return loaded
