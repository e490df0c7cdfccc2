"""Where webhooks may be sent: https in production, and never to a private address (SSRF).

A target is checked when a subscription is created or its URL changed (a 422 for the chair),
and again before every send, because a name that resolved to a public address yesterday may
resolve to 127.0.0.1 today (DNS rebinding). The send then connects to the very address that
was checked, so a second lookup cannot change it.
"""

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from app.core.config import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Cloud instance-metadata and host-agent endpoints. 169.254.169.254 (AWS, GCP, Azure IMDS,
# OpenStack …) is link-local and refused as such; these are not all inside the private ranges
# (168.63.129.16 is a global address), so they are refused by name.
CLOUD_METADATA: frozenset[IPAddress] = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean IMDS
        "169.254.170.2",  # AWS ECS task metadata
        "168.63.129.16",  # Azure WireServer / host agent
        "100.100.100.200",  # Alibaba Cloud metadata
        "192.0.0.192",  # Oracle Cloud metadata (legacy)
        "fd00:ec2::254",  # AWS IMDS over IPv6
    )
)
RESOLVE_TIMEOUT_SECONDS = 3.0


class TargetRefused(Exception):
    """A target URL that may not receive webhooks; ``kind`` is a stable code."""

    def __init__(self, message: str, kind: str) -> None:
        super().__init__(message)
        self.message = message
        self.kind = kind


@dataclass(frozen=True, slots=True)
class TargetPolicy:
    """What the deployment allows: https only (production), private addresses (tests)."""

    require_https: bool
    allow_private: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> "TargetPolicy":
        return cls(
            require_https=settings.environment == "production",
            allow_private=settings.webhooks_allow_private_targets,
        )


@dataclass(frozen=True, slots=True)
class Target:
    """A checked URL and the addresses it may be reached at (empty when not checked)."""

    url: str
    parts: SplitResult
    host: str
    port: int
    addresses: tuple[IPAddress, ...]


def forbidden_reason(address: IPAddress) -> str | None:
    """Why ``address`` may not receive webhooks, or None when it is a public address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None:
            inner = forbidden_reason(embedded)
            return f"{inner} (inside {address})" if inner else None
    if address in CLOUD_METADATA:
        return f"{address} is a cloud metadata address"
    checks = [
        ("is_loopback", "a loopback address"),
        ("is_link_local", "a link-local address"),
        ("is_private", "a private address"),
        ("is_multicast", "a multicast address"),
        ("is_unspecified", "an unspecified address"),
        ("is_reserved", "a reserved address"),
    ]
    for attribute, what in checks:
        if getattr(address, attribute):
            return f"{address} is {what}"
    if not address.is_global:
        return f"{address} is not a public address"
    return None


def parse(url: str, policy: TargetPolicy) -> tuple[SplitResult, str, int]:
    """The URL's parts, host and port, or TargetRefused for a URL that is not acceptable."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(f"not a valid URL: {exc}", "url_invalid") from exc
    if parts.scheme not in ("http", "https"):
        raise TargetRefused(
            "the URL must start with https:// (or http:// outside production)", "url_scheme"
        )
    if policy.require_https and parts.scheme != "https":
        raise TargetRefused("webhook targets must use https in production", "url_not_https")
    if parts.username is not None or parts.password is not None:
        raise TargetRefused("credentials in the URL are not allowed", "url_credentials")
    host = parts.hostname
    if not host:
        raise TargetRefused("the URL has no host", "url_invalid")
    if parts.fragment:
        raise TargetRefused("the URL may not have a #fragment", "url_invalid")
    return parts, host, port or (443 if parts.scheme == "https" else 80)


async def resolve(host: str, port: int) -> tuple[IPAddress, ...]:
    """Every address ``host`` resolves to (a literal IP is its own answer)."""
    try:
        return (ipaddress.ip_address(host),)
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT_SECONDS
        )
    except (OSError, UnicodeError, TimeoutError) as exc:
        raise TargetRefused(f"the host {host!r} does not resolve", "url_unresolvable") from exc
    found: list[IPAddress] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in found:
            found.append(address)
    if not found:
        raise TargetRefused(f"the host {host!r} does not resolve", "url_unresolvable")
    return tuple(found)


async def check(url: str, policy: TargetPolicy) -> Target:
    """``url`` as a Target whose every address is allowed, or TargetRefused."""
    parts, host, port = parse(url, policy)
    if policy.allow_private:
        return Target(url, parts, host, port, ())
    addresses = await resolve(host, port)
    for address in addresses:
        reason = forbidden_reason(address)
        if reason is not None:
            raise TargetRefused(
                f"webhooks may not be sent to {host}: {reason}", "url_private_address"
            )
    return Target(url, parts, host, port, addresses)
