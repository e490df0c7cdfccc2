"""Webhooks; importing the package subscribes its outbox to the audit trail, so that every
audited change writes its deliveries in the same transaction."""

from app.core import audit
from app.webhooks.service import enqueue_for_audit

audit.subscribe(enqueue_for_audit)
