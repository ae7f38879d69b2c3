"""Writing to the audit trail. The only way an AuditEvent is created."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from wrekin.audit import vocabulary
from wrekin.audit.chain import canonical_content, event_hash
from wrekin.audit.models import AuditChainHead, AuditEvent
from wrekin.core.context import request_id as current_request_id


def record_event(
    event_type: str,
    *,
    actor=None,
    person=None,
    target: models.Model | None = None,
    reason: str = "",
    details: dict[str, Any] | None = None,
    agency=None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    Callers that change data call this inside their own `transaction.atomic()`
    so the change and its record commit together or not at all. Reads call it
    before showing anything, so a failed write means nothing is shown.
    `details` must not hold narratives or names: ids, counts and codes only.
    """
    vocabulary.get(event_type)  # refuses unregistered types
    details = details or {}
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if agency is None and actor is not None:
        agency = actor.agency
    person_id = person if isinstance(person, int) or person is None else person.pk
    object_type = target._meta.label_lower if target is not None else ""
    object_id = str(target.pk) if target is not None else ""

    # No savepoint: an audit write that fails must fail the caller's whole transaction anyway, and a
    # SAVEPOINT/RELEASE pair would add two round trips to every audited request.
    with transaction.atomic(savepoint=False):
        # The head row is the chain's lock: one writer at a time appends.
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
        seq = head.last_seq + 1
        occurred_at = timezone.now()
        actor_username = actor.get_username() if actor is not None else ""
        content = canonical_content(
            seq=seq,
            occurred_at=occurred_at,
            event_type=event_type,
            actor_id=actor.pk if actor is not None else None,
            actor_username=actor_username,
            agency_id=agency.pk if agency is not None else None,
            person_id=person_id,
            object_type=object_type,
            object_id=object_id,
            reason=reason,
            request_id=current_request_id.get(),
            details=details,
        )
        digest = event_hash(head.last_hash, content)
        event = AuditEvent(
            seq=seq,
            occurred_at=occurred_at,
            event_type=event_type,
            actor=actor,
            actor_username=actor_username,
            agency=agency,
            person_id=person_id,
            object_type=object_type,
            object_id=object_id,
            reason=reason,
            request_id=current_request_id.get(),
            details=details,
            prev_hash=head.last_hash,
            hash=digest,
        )
        event.save(force_insert=True)
        AuditChainHead.objects.filter(id=1).update(last_seq=seq, last_hash=digest)
    return event
