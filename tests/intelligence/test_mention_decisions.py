"""record_mentions takes the writer's answers to the suggestions their form showed.

A rejected suggestion is not recorded at all; a confirmed one is recorded confirmed, reviewed by the writer,
so the alerts it raises are not marked unconfirmed; unanswered ones stay unconfirmed.
"""

from __future__ import annotations

from wrekin.audit.models import AuditEvent
from wrekin.intelligence.extraction import CONFIRMED, REJECTED
from wrekin.intelligence.models import LinkAlert, Mention, MentionOrigin, MentionStatus

NARRATIVE = "Seen getting into AB12 CDE; a man on 07700 900123 calls him; he goes to TF1 2AB."


def _by_type(mentions: list[Mention]) -> dict[str, Mention]:
    return {m.entity.type: m for m in mentions}


def test_rejected_suggestions_are_not_recorded_and_confirmed_ones_are_confirmed(save, people, personas):
    mentions = _by_type(save("bob", people["daniel"], narrative=NARRATIVE, decisions={
        ("vehicle", "AB12CDE"): REJECTED, ("phone", "+447700900123"): CONFIRMED}))
    assert "vehicle" not in mentions
    phone = mentions["phone"]
    assert (phone.status, phone.origin) == (MentionStatus.CONFIRMED, MentionOrigin.EXTRACTED)
    assert phone.reviewed_by == personas["bob"] and phone.reviewed_at is not None
    place = mentions["location"]
    assert place.status == MentionStatus.UNCONFIRMED and place.reviewed_by is None
    event = AuditEvent.objects.get(event_type="intelligence.mentions_recorded")
    assert (event.details["mentions"], event.details["unconfirmed"], event.details["confirmed_suggestions"]) == (
        2, 1, 1)


def test_an_alert_joined_by_confirmed_suggestions_is_not_marked_unconfirmed(save, people):
    save("bob", people["daniel"], narrative="He rings 07700 900123.",
         decisions={("phone", "+447700900123"): CONFIRMED})
    save("alice", people["kayleigh"], [("phone", "+44 7700 900123")], days=2)
    [alert] = LinkAlert.objects.all()
    assert alert.unconfirmed_count == 0 and not alert.is_unconfirmed


def test_without_decisions_what_the_machine_found_stays_unconfirmed(save, people):
    save("bob", people["daniel"], narrative="He rings 07700 900123.")
    save("alice", people["kayleigh"], [("phone", "+44 7700 900123")], days=2)
    [alert] = LinkAlert.objects.all()
    assert alert.unconfirmed_count == 1


def test_a_decision_on_something_else_changes_nothing(save, people):
    [phone] = save("bob", people["daniel"], narrative="He rings 07700 900123.",
                   decisions={("phone", "+447700900999"): REJECTED, ("vehicle", "AB12CDE"): CONFIRMED})
    assert phone.status == MentionStatus.UNCONFIRMED
