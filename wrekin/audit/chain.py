"""How an audit event's hash is computed. Shared by writing and verifying."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any


def canonical_content(
    *,
    seq: int,
    occurred_at: datetime,
    event_type: str,
    actor_id: int | None,
    actor_username: str,
    agency_id: int | None,
    person_id: int | None,
    object_type: str,
    object_id: str,
    reason: str,
    request_id: str,
    details: Any,
) -> bytes:
    content = {
        "seq": seq,
        "at": occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "type": event_type,
        "actor": actor_id,
        "actor_username": actor_username,
        "agency": agency_id,
        "person": person_id,
        "object_type": object_type,
        "object_id": object_id,
        "reason": reason,
        "request": request_id,
        "details": details,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(prev_hash: str, content: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + content).hexdigest()


def hash_of(event) -> str:
    """Recompute the hash an AuditEvent row should carry."""
    return event_hash(
        event.prev_hash,
        canonical_content(
            seq=event.seq,
            occurred_at=event.occurred_at,
            event_type=event.event_type,
            actor_id=event.actor_id,
            actor_username=event.actor_username,
            agency_id=event.agency_id,
            person_id=event.person_id,
            object_type=event.object_type,
            object_id=event.object_id,
            reason=event.reason,
            request_id=event.request_id,
            details=event.details,
        ),
    )
