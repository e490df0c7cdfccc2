"""Request and response bodies for accounts, tokens and roles."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, Field, StringConstraints

from app.auth.policy import Role, SeilFunction
from app.core.filters import WithEnded
from app.core.models import Id
from app.core.pagination import Page
from app.core.resources import RecordRead
from app.core.schemas import Body, Day, EndBody, Keep, Name, UTCDatetime

Password = Annotated[str, StringConstraints(min_length=8, max_length=128)]


class Token(BaseModel):
    access_token: str = Field(description="A JWT to send as `Authorization: Bearer …`.")
    token_type: Literal["bearer"] = Field(default="bearer", description="Always `bearer`.")
    expires_in: int = Field(description="Seconds until the token expires.", examples=[3600])


class UserCreate(Body):
    email: EmailStr = Field(max_length=254, description="Log-in email, unique.")
    name: Name = Field(description="Display name.", examples=["Morag Campbell"])
    password: Password = Field(description="8 to 128 characters.")
    network_id: Id | None = Field(
        default=None,
        description="Network the person joins; required unless you are a platform admin.",
    )
    role: Role = Field(default=Role.member, description="Role given in `network_id`.")


class UserUpdate(Body):
    email: Keep[EmailStr] = Field(default=None, max_length=254, description="New email.")
    name: Keep[Name] = Field(default=None, description="New display name.")


class PasswordChange(Body):
    current_password: str = Field(max_length=128, description="The password in use now.")
    new_password: Password = Field(description="The new password, 8 to 128 characters.")


class UserRead(RecordRead):
    email: str = Field(description="Log-in email.")
    name: str = Field(description="Display name.")
    is_active: bool = Field(description="False once deactivated: the user cannot log in.")
    is_admin: bool = Field(description="Platform administrator.")


ROLE_TEXT = (
    "chair, executive, improvement_leader (the SEIL), facilitator or member "
    "(`GET /role-kinds` lists each kind's duties and functions)."
)
FUNCTIONS_TEXT = "The functions the role exercises: only an improvement_leader (SEIL) has any."


class Succession(Body):
    """A term of office: when it ends, whom it deputises for, whom it took over from."""

    term_ends_on: Day | None = Field(
        default=None, description="The last day of the term of office (e.g. of an elected chair)."
    )
    deputy_of: Id | None = Field(
        default=None,
        description="The role assignment (in the same network) this one deputises for.",
    )
    succeeded: Id | None = Field(
        default=None,
        description="The role assignment (same network, same role) this one takes over from.",
    )


class RoleCreate(Succession):
    user_id: Id = Field(description="Who receives the role.")
    role: Role = Field(description=ROLE_TEXT)
    functions: list[SeilFunction] = Field(
        default_factory=list, max_length=5, description=FUNCTIONS_TEXT
    )
    since: UTCDatetime | None = Field(
        default=None, description="Start (UTC when no offset is given); defaults to now."
    )


class RoleEnd(EndBody):
    """When a role assignment ends."""


class RoleRead(BaseModel):
    id: int = Field(description="Role assignment id.")
    network_id: int = Field(description="The network the role is held in.")
    user_id: int = Field(description="Who holds it.")
    role: Role = Field(description="The role.")
    functions: list[SeilFunction] = Field(description="The functions it exercises (a SEIL's).")
    since: datetime = Field(description="Held from.")
    until: datetime | None = Field(description="Held until; null while current.")
    term_ends_on: date | None = Field(description="The last day of its term; null: no term.")
    deputy_of: int | None = Field(description="The role assignment it deputises for.")
    succeeded: int | None = Field(
        description="The role assignment it took over from: following these through the list "
        "(with `include_ended=true`) gives the succession."
    )
    appointed_by_user_id: int | None = Field(description="Who appointed.")
    ended_by_user_id: int | None = Field(description="Who ended it.")
    version: int = Field(description="Row version.")
    updated_at: datetime = Field(description="Last changed.")


class RoleFilters(WithEnded):
    """Which role assignments a network's list shows (query parameters)."""

    include_ended: bool = Field(default=False, description="Include ended roles (history).")


class RolePage(Page[RoleRead]):
    """A page of role assignments."""


class UserPage(Page[UserRead]):
    """A page of users."""


class MyRole(BaseModel):
    id: int = Field(description="Role assignment id.")
    network_id: int = Field(description="Network id.")
    network_name: str = Field(description="Network name.")
    role: Role = Field(description="The role.")
    functions: list[SeilFunction] = Field(description="The functions it exercises.")
    since: datetime = Field(description="Held from.")
    term_ends_on: date | None = Field(description="The last day of its term; null: no term.")


class Me(BaseModel):
    kind: Literal["user", "service_account"] = Field(description="What kind of caller.")
    id: int = Field(description="User or service-account id.")
    name: str = Field(description="Display name.")
    email: str | None = Field(default=None, description="Email (users).")
    is_admin: bool = Field(description="Platform administrator.")
    roles: list[MyRole] = Field(description="Current role assignments.")
    scopes: list[str] = Field(default_factory=list, description="Scopes (service accounts).")
    network_id: int | None = Field(default=None, description="Bound network (service accounts).")


class ServiceAccountScope(StrEnum):
    mobility_write = "mobility:write"


class ServiceAccountCreate(Body):
    name: Name = Field(description="What the account is for.", examples=["Nightly mobility sync"])
    scopes: list[ServiceAccountScope] = Field(
        min_length=1, max_length=10, description="What its tokens may do in this network."
    )


class ServiceAccountRead(RecordRead):
    network_id: int = Field(description="The one network its tokens act in.")
    name: str = Field(description="What the account is for.")
    client_id: str = Field(description="Client id for the client-credentials grant.")
    scopes: list[str] = Field(description="What its tokens may do.")
    is_active: bool = Field(description="False once revoked.")


class ServiceAccountCredentials(ServiceAccountRead):
    client_secret: str = Field(description="The secret. Shown only in this response: store it now.")


class ServiceAccountPage(Page[ServiceAccountRead]):
    """A page of service accounts."""


class FunctionRead(BaseModel):
    name: SeilFunction = Field(description="The function's name, as roles hold it.")
    title: str = Field(description="Its title.")
    description: str = Field(description="What it is.")
    could: list[str] = Field(description="What the role holder could do in it.")


class RoleKindRead(BaseModel):
    kind: Role = Field(description="The role, as role assignments hold it.")
    title: str = Field(description="Its title.")
    summary: str = Field(description="What the role is for.")
    duties: list[str] = Field(description="Its duties (seed 003's lists).")
    functions: list[FunctionRead] = Field(
        description="The functions a holder may exercise (each assignment says which)."
    )
    permissions: list[str] = Field(description="What it may do in its network.")


class RoleKindList(BaseModel):
    items: list[RoleKindRead] = Field(description="Every role kind, strongest first.")
