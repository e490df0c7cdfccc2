"""Composing mail from templates and queuing it in the outbox, in the caller's transaction."""

import base64
import json
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.db import utcnow
from app.core.keyrotation import register_encrypted
from app.core.secrets import data_ring
from app.mail.models import MailMessage

PLATFORM = "Cohesion"

# What each kind of message says in its subject line (after the network's name).
SUBJECTS = {
    "password_reset": "Reset your password",
    "invitation": "You are invited to join {network_name}",
    "notification": "{title}",
    "digest": "Your {period} summary",
    "meeting": "{title}",
}

register_encrypted(MailMessage.content)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@lru_cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("app.mail", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render(
    kind: str, *, network_name: str | None, settings: Settings, **context: Any
) -> tuple[str, str, str]:
    """Subject, plain text and HTML of a ``kind`` message; the network's name (the platform's
    when there is none) begins the subject, and the portal is linked when configured."""
    network = network_name or PLATFORM
    values = {
        "network_name": network,
        "portal_url": settings.portal_url,
        "name": None,
        **context,
    }
    subject = f"[{network}] " + SUBJECTS[kind].format(**values)
    subject = " ".join(subject.split())[:300]
    env = _environment()
    text = env.get_template(f"{kind}.txt").render(subject=subject, **values)
    html = env.get_template(f"{kind}.html").render(subject=subject, **values)
    return subject, text, html


def _seal(settings: Settings, content: dict[str, Any]) -> str:
    return data_ring(settings).encrypt(json.dumps(content).encode())


def unseal(settings: Settings, sealed: str) -> dict[str, Any]:
    """The bodies and attachments of a queued message."""
    value: dict[str, Any] = json.loads(data_ring(settings).decrypt(sealed))
    return value


def emptied(settings: Settings) -> str:
    """What ``content`` holds once the message is sent (nothing to keep, still encrypted)."""
    return _seal(settings, {})


async def enqueue(
    session: AsyncSession,
    settings: Settings,
    *,
    kind: str,
    to: str,
    network_id: int | None = None,
    network_name: str | None = None,
    user_id: int | None = None,
    attachments: tuple[Attachment, ...] = (),
    **context: Any,
) -> MailMessage:
    """Queue one message to ``to``; it is sent by the mail worker after this transaction
    commits (and never, should it roll back)."""
    subject, text, html = render(kind, network_name=network_name, settings=settings, **context)
    content = {
        "text": text,
        "html": html,
        "attachments": [
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "data": base64.b64encode(a.data).decode(),
            }
            for a in attachments
        ],
    }
    domain = settings.mail_from.rsplit("@", 1)[-1].strip("> ") or "cohesion.local"
    message = MailMessage(
        message_id=f"{uuid.uuid4().hex}@{domain}"[:100],
        kind=kind,
        to_address=to,
        subject=subject,
        content=_seal(settings, content),
        network_id=network_id,
        user_id=user_id,
        next_attempt_at=utcnow(),
    )
    session.add(message)
    return message


def build(settings: Settings, message: MailMessage) -> EmailMessage:
    """The MIME message for a queued row: plain text with an HTML alternative, attachments."""
    content = unseal(settings, message.content)
    email = EmailMessage()
    email["From"] = settings.mail_from
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Date"] = formatdate(usegmt=True)
    email["Message-ID"] = f"<{message.message_id}>"
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(content.get("text", ""))
    email.add_alternative(content.get("html", ""), subtype="html")
    for item in content.get("attachments", []):
        maintype, _, subtype = item["content_type"].partition("/")
        email.add_attachment(
            base64.b64decode(item["data"]),
            maintype=maintype,
            subtype=subtype.split(";")[0],
            filename=item["filename"],
        )
    return email
