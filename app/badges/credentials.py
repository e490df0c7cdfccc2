"""Open Badges 3.0 credentials: the ``OpenBadgeCredential`` and ``EndorsementCredential``
JSON-LD and their VC-JWT.

The credential follows the 1EdTech AchievementCredential JSON Schema (OB 3.0.3 context); the
earner is identified only by a salted SHA-256 hash of their email (``IdentityObject``). The
VC-JWT payload carries the credential in ``vc`` with ``iss``, ``jti``, ``nbf`` (and ``exp``
when it expires), signed with the issuer's key (``app/badges/keys.py``). An endorsement is
issued by the endorsing network or organisation; its subject is the endorsed badge (the
``Achievement``'s id) or issuer (the issuer ``Profile``'s id), and later awards carry the
endorsements' VC-JWTs where OB 3.0 places them: the achievement's or the issuer profile's
``endorsementJwt``.
"""

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime
from typing import Any

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def new_salt() -> str:
    return secrets.token_hex(16)


def identity_hash(email: str, salt: str) -> str:
    """``sha256$`` + hex SHA-256 of the normalised email followed by the salt."""
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


def recipient_matches(email: str, salt: str, stored_hash: str) -> bool:
    """Whether ``email`` is the one hashed into ``stored_hash`` with ``salt`` (server side:
    the salt is never sent to whoever asks)."""
    return hmac.compare_digest(identity_hash(email, salt), stored_hash)


def new_credential_id() -> str:
    """A credential's id: an unguessable ``urn:uuid`` (the public handle for verification)."""
    return f"urn:uuid:{uuid.uuid4()}"


def credential_id_for(credential_uuid: uuid.UUID) -> str:
    return f"urn:uuid:{credential_uuid}"


def credential_uuid(credential_id: str) -> uuid.UUID:
    return uuid.UUID(credential_id.removeprefix("urn:uuid:"))


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def network_url(base: str, network_id: int) -> str:
    return f"{base.rstrip('/')}/api/v1/networks/{network_id}"


def organisation_url(base: str, organisation_id: int) -> str:
    return f"{base.rstrip('/')}/api/v1/organisations/{organisation_id}"


def key_owner_url(base: str, network_id: int | None, organisation_id: int | None) -> str:
    """The issuer id a signing key speaks for: its network's or its organisation's."""
    if network_id is not None:
        return network_url(base, network_id)
    assert organisation_id is not None
    return organisation_url(base, organisation_id)


def share_url(base: str, share_token: str) -> str:
    """An award's public share page: the link an earner adds to a professional profile."""
    return f"{base.rstrip('/')}/api/v1/awards/share/{share_token}"


def badge_url(base: str, badge_id: int) -> str:
    return f"{base.rstrip('/')}/api/v1/badges/{badge_id}"


def profile(issuer_id: str, name: str, endorsement_jwts: list[str] | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"id": issuer_id, "type": ["Profile"], "name": name}
    if endorsement_jwts:
        result["endorsementJwt"] = list(endorsement_jwts)
    return result


def achievement(base: str, badge: Any, endorsement_jwts: list[str] | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "id": badge_url(base, badge.id),
        "type": ["Achievement"],
        "name": badge.name,
        "description": badge.description,
        "criteria": {"narrative": badge.criteria_narrative},
    }
    if badge.image_url:
        result["image"] = {"id": badge.image_url, "type": "Image"}
    if badge.skill_tags:
        result["tag"] = list(badge.skill_tags)
    if badge.alignments:
        result["alignment"] = [
            {
                "type": ["Alignment"],
                "targetName": a["target_name"],
                "targetUrl": a["target_url"],
                **({"targetFramework": a["target_framework"]} if a.get("target_framework") else {}),
                **({"targetCode": a["target_code"]} if a.get("target_code") else {}),
            }
            for a in badge.alignments
        ]
    if endorsement_jwts:
        result["endorsementJwt"] = list(endorsement_jwts)
    return result


def build_credential(
    *,
    base: str,
    credential_id: str,
    network: Any,
    badge: Any,
    identity: str,
    salt: str,
    evidence: list[dict[str, Any]],
    issued_at: datetime,
    expires_at: datetime | None,
    endorsement_jwts: list[str] | None = None,
    issuer_endorsement_jwts: list[str] | None = None,
) -> dict[str, Any]:
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": badge.name,
        "issuer": profile(network_url(base, network.id), network.name, issuer_endorsement_jwts),
        "validFrom": _iso(issued_at),
        "issuanceDate": _iso(issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": identity,
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": salt,
                }
            ],
            "achievement": achievement(base, badge, endorsement_jwts),
        },
    }
    if expires_at is not None:
        credential["validUntil"] = _iso(expires_at)
    if evidence:
        credential["evidence"] = [
            {
                "type": ["Evidence"],
                **({"id": e["url"]} if e.get("url") else {}),
                **({"narrative": e["narrative"]} if e.get("narrative") else {}),
            }
            for e in evidence
        ]
    return credential


def build_endorsement(
    *,
    credential_id: str,
    issuer: dict[str, Any],
    subject_id: str,
    subject_name: str,
    comment: str,
    issued_at: datetime,
) -> dict[str, Any]:
    """An ``EndorsementCredential`` by ``issuer`` (a ``profile``) of what ``subject_id`` names:
    a badge (its ``Achievement``'s id) or an issuer (its ``Profile``'s id)."""
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": f"{issuer['name']} endorses {subject_name}",
        "issuer": issuer,
        "validFrom": _iso(issued_at),
        "issuanceDate": _iso(issued_at),
        "credentialSubject": {
            "id": subject_id,
            "type": ["EndorsementSubject"],
            "endorsementComment": comment,
        },
    }


def jwt_claims(
    credential: dict[str, Any], issued_at: datetime, expires_at: datetime | None
) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "vc": credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": int(issued_at.timestamp()),
        "iat": int(issued_at.timestamp()),
    }
    if expires_at is not None:
        claims["exp"] = int(expires_at.timestamp())
    return claims
