"""Request and response bodies for accounts, tokens and roles."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, Field, StringConstraints

from app.auth.policy import Role, SeilFunction
from app.core.models import Id
from app.core.pagination import Page
from app.core.resources import RecordRead
from app.core.schemas import Body, EndBody, Keep, Name, UTCDatetime

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


class RoleCreate(Body):
    user_id: Id = Field(description="Who receives the role.")
    role: Role = Field(description="chair, executive, facilitator or member.")
    functions: list[SeilFunction] = Field(
        default_factory=list,
        max_length=5,
        description="SEIL functions, for facilitators only.",
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
    functions: list[SeilFunction] = Field(description="SEIL functions (facilitators).")
    since: datetime = Field(description="Held from.")
    until: datetime | None = Field(description="Held until; null while current.")
    appointed_by_user_id: int | None = Field(description="Who appointed.")
    ended_by_user_id: int | None = Field(description="Who ended it.")
    version: int = Field(description="Row version.")
    updated_at: datetime = Field(description="Last changed.")


class RolePage(Page[RoleRead]):
    """A page of role assignments."""


class UserPage(Page[UserRead]):
    """A page of users."""


class MyRole(BaseModel):
    id: int = Field(description="Role assignment id.")
    network_id: int = Field(description="Network id.")
    network_name: str = Field(description="Network name.")
    role: Role = Field(description="The role.")
    functions: list[SeilFunction] = Field(description="SEIL functions.")
    since: datetime = Field(description="Held from.")


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
