"""Example values for badge onboarding, badges and awards: the Open Badge network planning
canvas filled in for migrants in England (docs/seeds)."""

from typing import Any

from app.core.examples import record, stamp

_CREDENTIAL_UUID = "6f1d2c3b-8a9e-4f70-b1c2-d3e4f5a6b7c8"
_RECIPIENT_HASH = "sha256$5e1f0c7a9b3d2e4f6a8b0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f"

EXAMPLES: dict[str, Any] = {
    "BadgeProposalRead": {
        **record(4, version=6, created="2026-07-01", updated="2026-07-20"),
        "proposer_user_id": 31,
        "status": "approved",
        "name": "Open Badges for Migrant Skills England",
        "parent_network_id": 20,
        "drivers": "To help make migrants and employers aware of badge schemes that will help "
        "migrants showcase their skills and employers find the right people.",
        "territory": "England",
        "business_strategy": "Network could help us deliver existing deliverables around "
        "supporting migrants gain employment",
        "policy_strategy": "Helping migrants to integrate into their new country and gain "
        "meaningful employment",
        "existing_resources": {
            "partnerships": "Could tap into existing agency network.",
            "funding": "Additional funding unlikely at moment",
        },
        "commitment": {"time": "One day per month to meetings and administration"},
        "network_composition": "Representatives from migrant groups, issuers of badges "
        "pertinent to migrants, and employers who have committed to employing migrants.",
        "communication": {
            "cadence": "Once every two months",
            "duration": "One hour",
            "format": "Face-to-face meeting",
        },
        "engagement_channels": "Direct contact with our existing agency network; social media",
        "engagement_plan": "A web page for the group with upcoming meetings; members "
        "disseminate information about the network to their networks.",
        "structure_theme": "Uptake of badges that are relevant to migrants in England",
        "sub_groups": [
            {"name": "Migrant badge uptake group", "lead": "Skills Development Officer"}
        ],
        "underpinning_principles": "Open to all those interested in supporting uptake of badges "
        "by migrants to help them gain meaningful employment.",
        "duration": "It will run for one year initially.",
        "success_measures": [
            "Network members who are migrants, taking the badges and gaining employment as a "
            "result of sharing them with employers."
        ],
        "initial_members": [
            {
                "group": "issuer",
                "name": "Skills Development Officer",
                "organisation": "Migrant Skills England",
                "contact": None,
            }
        ],
        "submitted_at": stamp("2026-07-14"),
        "decided_at": stamp("2026-07-20"),
        "decided_by_user_id": 2,
        "rejection_reason": None,
        "network_id": 21,
        "plan_id": 15,
    },
    "BadgeRead": {
        **record(6, created="2026-07-22", deleted=False),
        "network_id": 21,
        "name": "Customer Service Skills",
        "description": "Recognises customer service skills gained in work or volunteering.",
        "criteria_narrative": "Three documented examples of resolving a customer query, "
        "confirmed by a supervisor.",
        "image_url": None,
        "skill_tags": ["customer service", "communication"],
        "alignments": [
            {
                "target_name": "EQF level 3",
                "target_url": "https://europa.eu/europass/en/description-eight-eqf-levels",
                "target_framework": "EQF",
                "target_code": "3",
            }
        ],
    },
    "AwardRead": {
        **record(17, created="2026-08-05"),
        "badge_id": 6,
        "network_id": 21,
        "credential_id": f"urn:uuid:{_CREDENTIAL_UUID}",
        "credential_uuid": _CREDENTIAL_UUID,
        "recipient_name": "Amina Yusuf",
        "recipient_email": "amina.yusuf@example.org",
        "recipient_user_id": None,
        "recipient_hash": _RECIPIENT_HASH,
        "evidence": [
            {
                "narrative": "Resolved three customer queries at the community shop, "
                "confirmed by the shop manager.",
                "url": None,
            }
        ],
        "issued_at": stamp("2026-08-05"),
        "expires_at": None,
        "revoked_at": None,
        "revocation_reason": None,
        "share_url": "https://cohesion.example/api/v1/awards/share/q3Vx8b1nR0aZtL5mW2cE7g",
    },
    "CredentialRead": {
        "credential": {
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
            ],
            "id": f"urn:uuid:{_CREDENTIAL_UUID}",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": "Customer Service Skills",
            "validFrom": "2026-08-05T09:30:00Z",
        },
        "jwt": "eyJhbGciOiJFUzI1NiIsImtpZCI6Im5ldHdvcmstMjEta2V5LTEifQ.eyJ2YyI6e319.c2lnbmF0dXJl",
        "jwks_url": "https://cohesion.example/api/v1/networks/21/jwks.json",
    },
    "VerificationRead": {
        "valid": True,
        "reason": None,
        "credential_type": "OpenBadgeCredential",
        "badge": "Customer Service Skills",
        "issuer": "Open Badges for Migrant Skills England",
        "issued_on": stamp("2026-08-05"),
        "recipient_hash": _RECIPIENT_HASH,
        "recipient_matches": True,
        "endorsed_issuer": None,
        "endorsement_comment": None,
    },
    "EndorsementRead": {
        **record(3, created="2026-09-01", updated="2026-09-01"),
        "subject_kind": "badge",
        "subject_name": "Customer Service Skills",
        "badge_id": 7,
        "badge_name": "Customer Service Skills",
        "subject_network_id": None,
        "network_id": 21,
        "endorser_kind": "organisation",
        "endorser_network_id": None,
        "endorser_organisation_id": 12,
        "endorser_name": "Committed Employers Group",
        "comment": "We recognise this badge when recruiting for customer-facing roles.",
        "credential_id": "urn:uuid:0b7e5a3c-2d4f-4e6a-9c8b-1a2b3c4d5e6f",
        "credential_uuid": "0b7e5a3c-2d4f-4e6a-9c8b-1a2b3c4d5e6f",
        "jwt": "eyJhbGciOiJFUzI1NiIsImtpZCI6Im9yZzEyLWtleSJ9.eyJ2YyI6e319.c2lnbmF0dXJl",
        "jwks_url": "https://cohesion.example/api/v1/organisations/12/jwks.json",
        "issued_at": stamp("2026-09-01"),
        "endorsed_by_user_id": 44,
        "withdrawn_at": None,
        "withdrawal_reason": None,
    },
}
