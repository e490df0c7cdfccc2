"""Demo data built from the seed documents (shared/seeds): the Network of Networks alliance of
regional VET networks, the West Partnership with its local authorities and schools, and a
Victorian geographic network with its chair, executive and SEIL. Loading twice changes nothing."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from app.auth import service as auth_service
from app.auth.models import User
from app.auth.policy import Principal, Role, SeilFunction
from app.auth.schemas import RoleCreate
from app.badges import demo as badges_demo
from app.communities import demo as communities_demo
from app.core.config import get_settings
from app.core.db import Database
from app.core.security import PasswordHasher
from app.mobility import demo as mobility_demo
from app.networks import service as network_service
from app.networks.models import Network
from app.networks.schemas import NetworkCreate, NetworkKind
from app.organisations import service as organisation_service
from app.organisations.schemas import MembershipCreate, OrganisationCreate, OrganisationKind
from app.partnerships import demo as partnerships_demo
from app.plans import demo as plans_demo
from app.webhooks import demo as webhooks_demo

DEMO_PASSWORD = "cohesion-demo"
ADMIN_EMAIL = "admin@cohesion.example"
NON_NAME = "Network of Networks"

NON_CRITERIA = (
    "Open to VET colleges and associations of VET institutions that belong to a regional VET "
    "network, commit to joint international cooperation, and take part in the annual meeting "
    "and at least one thematic working group."
)

REGIONAL_NETWORKS = [
    (
        "Scottish Colleges International Network",
        "Scotland",
        "GB",
        ["Glasgow Kelvin College", "Edinburgh College", "Fife College"],
    ),
    (
        "Basque VET Network",
        "Basque Country",
        "ES",
        ["Tknika Innovation Centre", "Cebanc Centre of Studies"],
    ),
    (
        "Tampere Region Vocational Network",
        "Pirkanmaa",
        "FI",
        ["Tampere Vocational College Tredu", "Sastamala Vocational College"],
    ),
    (
        "Emilia-Romagna VET Network",
        "Emilia-Romagna",
        "IT",
        ["IIS Aldini Valeriani", "Istituto Belluzzi-Fioravanti"],
    ),
    (
        "Northern Ireland FE Network",
        "Northern Ireland",
        "GB",
        ["Belfast Metropolitan College", "South West College"],
    ),
]

WEST_AUTHORITIES = {
    "East Dunbartonshire": ["Bishopbriggs Academy", "Lenzie Primary School"],
    "East Renfrewshire": ["Eastwood High School", "Busby Primary School"],
    "Glasgow City": ["Hillhead High School", "St Mungo's Academy"],
    "Inverclyde": ["Port Glasgow High School", "Inverkip Primary School"],
    "North Lanarkshire": ["Coatbridge High School", "Chryston Primary School"],
    "Renfrewshire": ["Paisley Grammar School", "Houston Primary School"],
    "South Lanarkshire": ["Calderglen High School", "Hamilton Grammar School"],
    "West Dunbartonshire": ["Clydebank High School", "Dalmuir Primary School"],
}


@dataclass(frozen=True)
class DemoUser:
    email: str
    name: str
    network: str
    role: Role
    functions: tuple[SeilFunction, ...] = ()


# When the demo people took their roles: the years of the seeds, not the day the demo loads.
ROLES_SINCE = {
    NON_NAME: datetime(2021, 9, 1, tzinfo=UTC),  # seed 000: the 2021-22 action plan
    "West Partnership": datetime(2019, 4, 1, tzinfo=UTC),  # seed 004: cohort 1 from May 2019
    # seed 003 names no year: the year of the demo's Banyule community meetings
    "Banyule Network": datetime(2022, 1, 1, tzinfo=UTC),
}
DEMO_USERS = [
    DemoUser("chair@nonetwork.example", "Aileen MacLeod", NON_NAME, Role.chair),
    DemoUser("executive@nonetwork.example", "Iñaki Etxeberria", NON_NAME, Role.executive),
    DemoUser("facilitator@nonetwork.example", "Sanna Virtanen", NON_NAME, Role.facilitator),
    DemoUser("member@nonetwork.example", "Giulia Rossi", NON_NAME, Role.member),
    DemoUser("chair@westpartnership.example", "Fiona Docherty", "West Partnership", Role.chair),
    DemoUser(
        "facilitator@westpartnership.example", "Kevin Lowden", "West Partnership", Role.facilitator
    ),
    DemoUser("chair@banyule.example", "Priya Nair", "Banyule Network", Role.chair),
    DemoUser("executive@banyule.example", "Tom O'Connell", "Banyule Network", Role.executive),
    DemoUser(
        "seil@banyule.example",
        "Helen Tran",
        "Banyule Network",
        Role.facilitator,
        (SeilFunction.connector, SeilFunction.challenge_partner),
    ),
]


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


async def _network(
    session: AsyncSession,
    admin: Principal,
    name: str,
    kind: NetworkKind,
    parent: Network | None = None,
    territory: str | None = None,
    **extra: str,
) -> Network:
    return await network_service.create(
        session,
        admin,
        data=NetworkCreate(
            name=name,
            kind=kind,
            parent_id=parent.id if parent else None,
            territory=territory,
            **extra,
        ),
    )


async def _member_org(
    session: AsyncSession,
    admin: Principal,
    network: Network,
    name: str,
    kind: OrganisationKind,
    **fields: str,
) -> None:
    org = await organisation_service.create(
        session,
        admin,
        data=OrganisationCreate(name=name, kind=kind, owner_network_id=network.id, **fields),
    )
    assert org.id is not None
    await organisation_service.add_member(
        session, admin, network, data=MembershipCreate(organisation_id=org.id)
    )


async def _build(session: AsyncSession, admin: Principal, hasher: PasswordHasher) -> None:
    networks: dict[str, Network] = {}
    non = await _network(
        session,
        admin,
        NON_NAME,
        NetworkKind.alliance,
        territory="Europe",
        description="An alliance of regional VET-college networks cooperating on international "
        "mobility, staff development and the quality of vocational education.",
        membership_criteria=NON_CRITERIA,
    )
    networks[NON_NAME] = non
    for name, region, country, colleges in REGIONAL_NETWORKS:
        regional = await _network(session, admin, name, NetworkKind.regional, non, region)
        networks[name] = regional
        for college in colleges:
            await _member_org(
                session,
                admin,
                regional,
                college,
                OrganisationKind.vet_college,
                country=country,
                region=region,
            )

    west = await _network(
        session,
        admin,
        "West Partnership",
        NetworkKind.partnership,
        territory="Glasgow City Region, Scotland",
        description="Regional improvement collaborative of eight local authorities, running "
        "Collaborative Learning Networks across and between authorities.",
    )
    networks["West Partnership"] = west
    for authority, schools in WEST_AUTHORITIES.items():
        await _member_org(
            session,
            admin,
            west,
            f"{authority} Council",
            OrganisationKind.local_authority,
            country="GB",
            local_authority=authority,
        )
        for school in schools:
            await _member_org(
                session,
                admin,
                west,
                school,
                OrganisationKind.school,
                country="GB",
                local_authority=authority,
            )
    await _member_org(
        session,
        admin,
        west,
        "Robert Owen Centre, University of Glasgow",
        OrganisationKind.research_centre,
        country="GB",
    )
    await _member_org(
        session, admin, west, "Education Scotland", OrganisationKind.agency, country="GB"
    )

    victoria = await _network(
        session,
        admin,
        "North-Eastern Victoria Region",
        NetworkKind.regional,
        territory="Victoria, Australia",
    )
    banyule = await _network(
        session,
        admin,
        "Banyule Network",
        NetworkKind.geographic,
        victoria,
        territory="Banyule, Victoria",
        description="A FISO geographic network of government schools running a community of "
        "practice focused on the improvement cycle.",
    )
    networks["Banyule Network"] = banyule

    await plans_demo.load_demo(session, admin, networks)

    for person in DEMO_USERS:
        user = User(
            email=person.email, name=person.name, password_hash=await hasher.hash(DEMO_PASSWORD)
        )
        session.add(user)
        await session.flush()
        assert user.id is not None
        await auth_service.appoint(
            session,
            admin,
            networks[person.network],
            data=RoleCreate(
                user_id=user.id,
                role=person.role,
                functions=list(person.functions),
                since=ROLES_SINCE[person.network],
            ),
        )
    await communities_demo.load_demo(session, admin, networks)
    await mobility_demo.load_demo(session, admin, networks)
    await partnerships_demo.load_demo(session, admin, networks)
    await badges_demo.load_demo(session, admin, networks)
    await webhooks_demo.load_demo(session, admin, networks)


async def load_demo(*, verbose: bool = False) -> bool:
    """Load the demo data unless it is there already; True when something was loaded."""
    settings = get_settings()
    admin_user = await ensure_admin(email=ADMIN_EMAIL, password=DEMO_PASSWORD, reset=False)
    assert admin_user.id is not None
    admin = Principal(kind="user", id=admin_user.id, is_admin=True, name=admin_user.name)
    db = Database(settings)
    hasher = PasswordHasher(settings)
    loaded = False
    try:
        async with db.transaction() as session:
            exists = await session.scalar(
                select(col(Network.id)).where(col(Network.name) == NON_NAME)
            )
            if exists is None:
                await _build(session, admin, hasher)
                loaded = True
    finally:
        await db.dispose()
    if verbose:
        print("Demo data " + ("loaded." if loaded else "already present; nothing changed."))
        print(f"Demo log-ins (password for all: {DEMO_PASSWORD}):")
        print(f"  {ADMIN_EMAIL:<38} platform admin")
        for person in DEMO_USERS:
            extra = f" ({', '.join(f.value for f in person.functions)})" if person.functions else ""
            print(f"  {person.email:<38} {person.role.value} of {person.network}{extra}")
    return loaded
