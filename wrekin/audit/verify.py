"""Checking the audit chain end to end."""

from __future__ import annotations

from dataclasses import dataclass

from wrekin.audit.chain import canonical_content, event_hash
from wrekin.audit.models import GENESIS_HASH, AuditChainHead, AuditEvent


@dataclass
class VerifyResult:
    ok: bool
    events_checked: int
    last_seq: int
    last_hash: str
    problem: str = ""
    bad_seq: int | None = None


def verify_chain(*, chunk_size: int = 20000) -> VerifyResult:
    """Walk every event in sequence order and recompute the chain.

    Finds: an edited event (its hash no longer matches its content), a deleted
    event (a gap in the sequence, or a broken link to the previous hash), a
    reordering (links no longer line up), and a truncated tail (the head row
    records more events than exist).
    """
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    rows = (
        AuditEvent.objects.order_by("seq")
        .values_list(
            "seq", "occurred_at", "event_type", "actor_id", "actor_username", "agency_id", "person_id",
            "object_type", "object_id", "reason", "request_id", "details", "prev_hash", "hash",
        )
        .iterator(chunk_size=chunk_size)
    )
    for (seq, occurred_at, event_type, actor_id, actor_username, agency_id, person_id, object_type, object_id,
         reason, request_id, details, prev_hash, stored_hash) in rows:
        if seq != expected_seq:
            return VerifyResult(False, checked, expected_seq - 1, expected_prev,
                                f"event #{expected_seq} is missing (next found is #{seq})", expected_seq)
        if prev_hash != expected_prev:
            return VerifyResult(False, checked, seq - 1, expected_prev,
                                f"event #{seq} does not follow event #{seq - 1}", seq)
        # Hashed straight from the row's values: building a model instance per event would
        # cost more than the hash itself over a million events.
        content = canonical_content(
            seq=seq, occurred_at=occurred_at, event_type=event_type, actor_id=actor_id,
            actor_username=actor_username, agency_id=agency_id, person_id=person_id, object_type=object_type,
            object_id=object_id, reason=reason, request_id=request_id, details=details,
        )
        if event_hash(prev_hash, content) != stored_hash:
            return VerifyResult(False, checked, seq - 1, expected_prev, f"event #{seq} has been altered", seq)
        expected_prev = stored_hash
        expected_seq += 1
        checked += 1

    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_seq != checked or head.last_hash != expected_prev):
        return VerifyResult(False, checked, checked, expected_prev,
                            f"the chain head records event #{head.last_seq} but the trail ends at #{checked}",
                            checked + 1)
    return VerifyResult(True, checked, checked, expected_prev)
