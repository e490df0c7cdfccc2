"""Bodies for password reset, invitations, the notification feed and its settings."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, EmailStr, Field, model_validator

from app.auth.invitations import InvitationReceipt as InvitationReceipt
from app.auth.policy import Role, SeilFunction
from app.auth.schemas import FUNCTIONS_TEXT, ROLE_TEXT, Password
from app.core.i18n import LanguageTag
from app.core.pagination import Page
from app.core.schemas import Body, Name


class PasswordResetRequest(Body):
    email: EmailStr = Field(max_length=254, description="The account's log-in e-mail.")


class PasswordResetConfirm(Body):
    token: str = Field(
        min_length=20,
        max_length=100,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The token from the e-mailed link.",
    )
    new_password: Password = Field(description="The new password, 8 to 128 characters.")


class RoleInvite(Body):
    """Appoint by e-mail: a person without an account is invited; one with an account is
    given the role and told. The answer is the same either way."""

    email: EmailStr = Field(max_length=254, description="The person's e-mail.")
    role: Role = Field(description=ROLE_TEXT)
    functions: list[SeilFunction] = Field(
        default_factory=list, max_length=5, description=FUNCTIONS_TEXT
    )


class InvitationAccept(Body):
    token: str = Field(
        min_length=20,
        max_length=100,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="The token from the e-mailed link.",
    )
    name: Name = Field(description="Your display name.", examples=["Morag Campbell"])
    password: Password = Field(description="Your password, 8 to 128 characters.")


class AcceptedInvitation(BaseModel):
    user_id: int = Field(description="The new account.")
    email: str = Field(description="Its log-in e-mail.")
    network_id: int = Field(description="The network joined.")
    offer: str = Field(description="What was granted: `role`, or `community_member`.")
    offer_title: str = Field(description="What was granted, in words.")
    role: Role | None = Field(description="The role granted (role offers).")


class InvitationStatus(StrEnum):
    pending = "pending"
    accepted = "accepted"
    revoked = "revoked"
    expired = "expired"


class InvitationRead(BaseModel):
    id: int = Field(description="Invitation id.")
    network_id: int = Field(description="The network.")
    email: str = Field(description="Who was invited.")
    offer: str = Field(description="What is offered: `role`, or `community_member`.")
    offer_title: str = Field(description="What is offered, in words.")
    role: Role | None = Field(description="The role offered (role offers).")
    functions: list[SeilFunction] = Field(description="The functions offered (a SEIL's).")
    status: InvitationStatus = Field(description="pending, accepted, revoked or expired.")
    expires_at: datetime = Field(description="Until when the link works.")
    sent_count: int = Field(description="How many times it was sent.")
    last_sent_at: datetime = Field(description="When it was last sent.")
    invited_by_user_id: int | None = Field(description="Who invited.")
    accepted_user_id: int | None = Field(description="The account it created.")
    accepted_at: datetime | None = Field(description="When it was accepted.")
    created_at: datetime = Field(description="Created.")
    updated_at: datetime = Field(description="Last changed.")
    version: int = Field(description="Row version.")


class InvitationPage(Page[InvitationRead]):
    """A page of invitations."""


class NotificationRead(BaseModel):
    id: int = Field(description="Notification id.")
    kind: str = Field(description="What kind of notification (see the settings).")
    network_id: int | None = Field(description="The network it is about.")
    title: str = Field(description="One line.")
    body: str | None = Field(description="More, in plain text.")
    object_type: str | None = Field(description="The table of what it is about.")
    object_id: int | None = Field(description="The id of what it is about.")
    created_at: datetime = Field(description="When it was made.")
    read_at: datetime | None = Field(description="When it was read; null while unread.")
    updated_at: datetime = Field(description="When it last changed (made, or read).")


class NotificationPage(Page[NotificationRead]):
    """A page of notifications, unread first, newest first within each."""


class EmailFrequency(StrEnum):
    immediately = "immediately"
    daily = "daily"
    weekly = "weekly"
    off = "off"


class NotificationKind(StrEnum):
    milestone_due_soon = "milestone_due_soon"
    milestone_overdue = "milestone_overdue"
    measure_stale = "measure_stale"
    partnership_review = "partnership_review"
    meeting_upcoming = "meeting_upcoming"
    role_granted = "role_granted"
    term_ends_soon = "term_ends_soon"


LANGUAGE_TEXT = (
    "The language you read a network's content in (a BCP 47 tag, e.g. `fi`): reminders and "
    "notifications carry the titles of milestones, measures, plans and communities in it "
    "where the network offers it, else in the network's default. null: the network's "
    "default. The interface text stays English."
)


class NotificationSettings(BaseModel):
    email: dict[NotificationKind, EmailFrequency] = Field(
        description="Per kind of notification, how it is e-mailed: immediately, in a daily or "
        "weekly digest (grouped by network), or not at all. Every kind is listed."
    )
    language: str | None = Field(description=LANGUAGE_TEXT)


class NotificationSettingsUpdate(Body):
    email: dict[NotificationKind, EmailFrequency] = Field(
        default_factory=dict,
        max_length=len(NotificationKind),
        description="The kinds to change; kinds not named keep their setting.",
    )
    language: LanguageTag | None = Field(
        default=None, description=LANGUAGE_TEXT + " Left as it is when not sent."
    )

    @model_validator(mode="after")
    def _something(self) -> "NotificationSettingsUpdate":
        if not self.model_fields_set & {"email", "language"}:
            raise ValueError("send `email`, `language` or both")
        return self


class CalendarFeedRead(BaseModel):
    path: str = Field(description="The feed's address on this server; subscribe to it.")
    token: str = Field(description="The feed's token. Shown only in this response.")
