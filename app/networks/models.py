"""Networks: the directory of collaborating groups and their hierarchy."""

from sqlalchemy import String, Text
from sqlmodel import Field

from app.core.models import IdType, RecordMixin, SoftDeleteMixin


class Network(RecordMixin, SoftDeleteMixin, table=True):
    """A network; ``path`` holds the ids from the root down to itself ("/1/4/9/")."""

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
    created_by_user_id: int | None = Field(
        default=None, sa_type=IdType, foreign_key="users.id", nullable=True
    )

    @property
    def lineage_ids(self) -> list[int]:
        """Ids from the root to this network, itself included."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    @property
    def ancestor_ids(self) -> list[int]:
        return self.lineage_ids[:-1]
