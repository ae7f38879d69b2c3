"""The audit trail is append-only and hash-chained; tampering by any route is detected."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from wrekin.audit.actions import record_event
from wrekin.audit.models import AuditEvent
from wrekin.audit.verify import verify_chain


@pytest.fixture
def trail(personas):
    before = AuditEvent.objects.count()
    for n in range(5):
        record_event("person.searched", actor=personas["alice"], details={"results": n})
    return AuditEvent.objects.count() - before


def _sql(statement: str, params=()):
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(statement.format(table=table), params)


def test_intact_chain_verifies(trail):
    result = verify_chain()
    assert result.ok and result.events_checked == AuditEvent.objects.count()
    call_command("audit", "verify")


def test_each_event_links_to_the_one_before(trail):
    events = list(AuditEvent.objects.order_by("seq"))
    for previous, event in zip(events, events[1:], strict=False):
        assert event.prev_hash == previous.hash
        assert event.seq == previous.seq + 1


def test_unregistered_event_types_are_refused(db):
    with pytest.raises(ValueError, match="Unregistered"):
        record_event("person.teleported")


def test_events_cannot_be_changed_or_deleted_through_the_orm(trail):
    event = AuditEvent.objects.first()
    event.reason = "edited"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def _middle():
    return AuditEvent.objects.order_by("seq")[2]


def test_edit_through_raw_sql_is_detected(trail):
    target = _middle()
    _sql("UPDATE {table} SET reason = %s WHERE seq = %s", ["quietly changed", target.seq])
    result = verify_chain()
    assert not result.ok and result.bad_seq == target.seq and "altered" in result.problem
    with pytest.raises(CommandError, match=f"#{target.seq}"):
        call_command("audit", "verify")


def test_edit_with_recomputed_hash_is_still_detected(trail):
    """Rewriting one event's hash to match its new content breaks the next event's link."""
    from wrekin.audit.chain import hash_of

    target = _middle()
    target.details = {"results": 999}
    new_hash = hash_of(target)
    _sql("UPDATE {table} SET details = %s, hash = %s WHERE seq = %s",
         ['{"results": 999}', new_hash, target.seq])
    result = verify_chain()
    assert not result.ok and result.bad_seq == target.seq + 1


def test_deletion_is_detected(trail):
    target = _middle()
    _sql("DELETE FROM {table} WHERE seq = %s", [target.seq])
    result = verify_chain()
    assert not result.ok and result.bad_seq == target.seq and "missing" in result.problem


def test_deleting_the_newest_event_is_detected(trail):
    last = AuditEvent.objects.order_by("-seq").first()
    _sql("DELETE FROM {table} WHERE seq = %s", [last.seq])
    result = verify_chain()
    assert not result.ok and "chain head" in result.problem


def test_reordering_is_detected(trail):
    a, b = list(AuditEvent.objects.order_by("seq"))[1:3]
    # Swap the two events' positions (via a free sequence number, to respect the primary key).
    _sql("UPDATE {table} SET seq = %s WHERE seq = %s", [10_000_000, a.seq])
    _sql("UPDATE {table} SET seq = %s WHERE seq = %s", [a.seq, b.seq])
    _sql("UPDATE {table} SET seq = %s WHERE seq = %s", [b.seq, 10_000_000])
    result = verify_chain()
    assert not result.ok and result.bad_seq == a.seq


def test_checkpoint_round_trip(trail, tmp_path):
    path = tmp_path / "checkpoint.json"
    call_command("audit", "checkpoint", "--out", str(path))
    call_command("audit", "checkpoint", "--against", str(path))
    seq = AuditEvent.objects.filter(event_type="audit.checkpoint_exported").get().details["seq"]
    _sql("UPDATE {table} SET hash = %s WHERE seq = %s", ["f" * 64, seq])
    with pytest.raises(CommandError, match="no longer matches"):
        call_command("audit", "checkpoint", "--against", str(path))
