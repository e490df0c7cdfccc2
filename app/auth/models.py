"""Accounts, role assignments, and the networks they are held in.

The network hierarchy is the scope of every permission (a role on a network reads its
descendants), so its tables (networks and the links between them) live here, under the policy
that reads them; ``app/networks`` holds the directory's rules and routes and re-exports them.
The hierarchy is a directed acyclic graph of dated links (``NetworkLink``): a network may
belong to several alliances at once; ``app/auth/graph.py`` walks it."""

from datetime import date, datetime

from sqlalchemy import Index, String, Text
from sqlmodel import Field

from app.core.db import UTCDateTime, utcnow
from app.core.models import IdType, JSONType, RecordMixin, SoftDeleteMixin


class User(RecordMixin, table=True):
    __tablename__ = "users"

    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=200)
    password_hash: str | None = Field(default=None, max_length=255)
    is_active: bool = Field(default=True)
    is_admin: bool = Field(default=False)
    # Bumped by a password change, deactivation (and later a password reset); access tokens
    # carry it as ``gen``, so every token issued before stops working at once.
    token_generation: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # The language the person reads content in (a BCP 47 tag; NULL: each network's default):
    # reminders and notification e-mails carry a network's text in it where the network offers
    # it (docs/languages.md).
    language: str | None = Field(default=None, max_length=35, nullable=True)


class ServiceAccount(RecordMixin, table=True):
    __tablename__ = "service_accounts"

    network_id: int = Field(sa_type=IdType, foreign_key="networks.id", index=True)
    name: str = Field(max_length=200)
    client_id: str = Field(max_length=64, unique=True, index=True)
    secret_hash: str = Field(max_length=255)
    scopes: list[str] = Field(default_factory=list, sa_type=JSONType)
    is_active: bool = Field(default=True)
    # Bumped by rotate and revoke; tokens carry it, so older tokens stop working at once.
    generation: int = Field(default=1)
    created_by_user_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="users.id", nullable=True
    )


class RoleAssignment(RecordMixin, table=True):
    """A person's role in one network for a span of time; ended ones stay as history."""

    __tablename__ = "role_assignments"
    __table_args__ = (
        Index("ix_role_assignments_user_until", "user_id", "until"),
        Index("ix_role_assignments_network_until", "network_id", "until"),
    )

    network_id: int = Field(sa_type=IdType, foreign_key="networks.id")
    user_id: int = Field(sa_type=IdType, foreign_key="users.id")
    role: str = Field(sa_type=String(20))
    functions: list[str] = Field(default_factory=list, sa_type=JSONType)
    since: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    until: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    appointed_by_user_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="users.id", nullable=True
    )
    ended_by_user_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="users.id", nullable=True
    )
    # Terms of office: the day the term ends (the role may be held beyond it until ended),
    # the role this one deputises for, and the role it took over from (succession).
    term_ends_on: date | None = Field(default=None, nullable=True)
    deputy_of: int | None = Field(
        default=None, sa_type=IdType, foreign_key="role_assignments.id", nullable=True
    )
    succeeded: int | None = Field(
        default=None, sa_type=IdType, foreign_key="role_assignments.id", nullable=True
    )


class NetworkLink(RecordMixin, table=True):
    """A network's membership of a parent network (e.g. an alliance) for a span of time; ended
    links stay as history. Live links form a directed acyclic graph."""

    __tablename__ = "network_links"
    __table_args__ = (
        Index("ix_network_links_parent_until", "parent_id", "until"),
        Index("ix_network_links_child_until", "child_id", "until"),
    )

    child_id: int = Field(sa_type=IdType, foreign_key="networks.id")
    parent_id: int = Field(sa_type=IdType, foreign_key="networks.id")
    since: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    until: datetime | None = Field(default=None, sa_type=UTCDateTime, nullable=True)
    created_by_user_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="users.id", nullable=True
    )
    ended_by_user_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="users.id", nullable=True
    )


class Network(RecordMixin, SoftDeleteMixin, table=True):
    """A network. ``parent_id`` is its primary parent (its first-made live link; kept for the
    clients of one parent) and ``path`` the ids down that primary line ("/1/4/9/"); every
    scope follows all live links (``app/auth/graph.py``), never ``path``."""

    __tablename__ = "networks"

    name: str = Field(max_length=200, index=True)
    kind: str = Field(sa_type=String(20), index=True)
    parent_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="networks.id", nullable=True, index=True
    )
    path: str = Field(default="/", max_length=1000, index=True)
    territory: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, sa_type=Text)
    membership_criteria: str | None = Field(default=None, sa_type=Text)
    # Days ahead a milestone or a partnership review counts as due soon (reminders); null
    # is the server's default (COHESION_REMINDER_DAYS_AHEAD, 14).
    reminder_days_ahead: int | None = Field(default=None, nullable=True)
    # The languages its content is held in (BCP 47 tags) and the one its records' own columns
    # hold (app/core/i18n.py).
    languages: list[str] = Field(default_factory=lambda: ["en"], sa_type=JSONType)
    default_language: str = Field(default="en", max_length=35)
    created_by_user_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="users.id", nullable=True
    )

    @property
    def lineage_ids(self) -> list[int]:
        """Ids from the root to this network along primary parents, itself included."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    @property
    def ancestor_ids(self) -> list[int]:
        return self.lineage_ids[:-1]
