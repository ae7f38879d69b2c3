"""Checking the audit chain end to end."""

from __future__ import annotations

from dataclasses import dataclass

from wrekin.audit.chain import hash_of
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
    for row in rows:
        event = AuditEvent(
            seq=row[0], occurred_at=row[1], event_type=row[2], actor_id=row[3], actor_username=row[4],
            agency_id=row[5], person_id=row[6], object_type=row[7], object_id=row[8], reason=row[9],
            request_id=row[10], details=row[11], prev_hash=row[12], hash=row[13],
        )
        if event.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq - 1, expected_prev,
                                f"event #{expected_seq} is missing (next found is #{event.seq})", expected_seq)
        if event.prev_hash != expected_prev:
            return VerifyResult(False, checked, event.seq - 1, expected_prev,
                                f"event #{event.seq} does not follow event #{event.seq - 1}", event.seq)
        if hash_of(event) != event.hash:
            return VerifyResult(False, checked, event.seq - 1, expected_prev,
                                f"event #{event.seq} has been altered", event.seq)
        expected_prev = event.hash
        expected_seq += 1
        checked += 1

    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_seq != checked or head.last_hash != expected_prev):
        return VerifyResult(False, checked, checked, expected_prev,
                            f"the chain head records event #{head.last_seq} but the trail ends at #{checked}",
                            checked + 1)
    return VerifyResult(True, checked, checked, expected_prev)
