"""Where mail goes: an SMTP server (aiosmtplib) when ``COHESION_SMTP_URL`` is set, otherwise
``.eml`` files under ``COHESION_MAIL_DIR`` (so a developer can open what was sent)."""

import asyncio
import logging
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from app.core.config import Settings

log = logging.getLogger("cohesion.mail")
# Never the protocol dialogue (it carries the message, which may hold a single-use link).
logging.getLogger("aiosmtplib").setLevel(logging.INFO)

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


# As sent: CRLF line ends, and long header lines kept whole (RFC 5322 allows 998 characters;
# folded right after "Subject:", some readers show a leading space).
WIRE = policy.SMTP.clone(max_line_length=998)


def wire_bytes(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=WIRE)


class PermanentFailure(Exception):
    """The server refused the message for good (a 5xx reply): no retry."""


class Transport(Protocol):
    async def send(self, message: EmailMessage, *, message_id: str) -> None: ...


@dataclass(frozen=True, slots=True)
class SmtpTransport:
    """An SMTP server: ``smtp://`` (STARTTLS; required when credentials are given, else used
    when offered) or ``smtps://`` (TLS from the start)."""

    hostname: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool
    timeout: float

    @classmethod
    def from_url(cls, url: str, *, timeout: float) -> "SmtpTransport":
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("COHESION_SMTP_URL must be smtp://[user:pass@]host[:port] or smtps://")
        use_tls = parts.scheme == "smtps"
        return cls(
            hostname=parts.hostname,
            port=parts.port or (465 if use_tls else 587),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=use_tls,
            timeout=timeout,
        )

    async def send(self, message: EmailMessage, *, message_id: str) -> None:
        try:
            await aiosmtplib.send(
                wire_bytes(message),
                sender=parseaddr(str(message["From"]))[1],
                recipients=[parseaddr(str(message["To"]))[1]],
                hostname=self.hostname,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.use_tls,
                # Credentials never cross an unencrypted connection.
                start_tls=None if self.use_tls or not self.username else True,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPResponseException as exc:
            if 500 <= exc.code < 600:
                raise PermanentFailure(f"SMTP {exc.code}: {exc.message}") from exc
            raise
        log.info("mail sent", extra={"message_id": message_id})


@dataclass(frozen=True, slots=True)
class FileTransport:
    """Writes each message as ``<directory>/<message id>.eml``; the log line names the file."""

    directory: Path

    async def send(self, message: EmailMessage, *, message_id: str) -> None:
        path = self.directory / f"{_SAFE.sub('_', message_id)}.eml"
        await asyncio.to_thread(self._write, path, wire_bytes(message))
        log.info("mail written to %s (no COHESION_SMTP_URL set)", path)

    def _write(self, path: Path, data: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(data)
        temporary.replace(path)


def from_settings(settings: Settings) -> Transport:
    """The configured transport."""
    if settings.smtp_url is not None:
        return SmtpTransport.from_url(
            settings.smtp_url.get_secret_value(), timeout=settings.smtp_timeout_seconds
        )
    return FileTransport(settings.mail_dir)
