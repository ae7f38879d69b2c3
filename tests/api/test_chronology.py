"""GET /api/v1/children/{id}/chronology: whatever the registered sources give the user, audited."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from wrekin.audit.models import AuditEvent
from wrekin.core import timeline
from wrekin.core.timeline import ChronologyEntry


@pytest.fixture
def school_notes(monkeypatch):
    """A chronology source standing in for another app: it applies its own rule (school users only)."""

    def source(person, user):
        if user.agency is None or user.agency.type != "education":
            return []
        return [
            ChronologyEntry(occurred_at=datetime(2026, 3, 2, 9, 0, tzinfo=UTC), event_type="school_absence",
                            title="Absent from school", agency_name="Severn Vale Academy",
                            summary="Absent all day; no call from home.", url="", source=f"test.note:{person.pk}:2"),
            ChronologyEntry(occurred_at=datetime(2026, 2, 1, 9, 0, tzinfo=UTC), event_type="school_absence",
                            title="Late to school", agency_name="Severn Vale Academy",
                            source=f"test.note:{person.pk}:1"),
        ]

    monkeypatch.setitem(timeline._chronology_sources, "test_school_notes", source)


def test_entries_come_from_the_sources_oldest_first(api_for, people, school_notes):
    response = api_for("bob").get(f"/api/v1/children/{people['daniel'].pk}/chronology")
    assert response.status_code == 200
    body = response.json()
    assert body["child_id"] == people["daniel"].pk and body["count"] == len(body["entries"])
    # Other apps' sources may add their own entries (e.g. the involvement recorded by the school).
    ours = [e for e in body["entries"] if e["source"].startswith("test.note:")]
    assert [e["title"] for e in ours] == ["Late to school", "Absent from school"]
    stamps = [datetime.fromisoformat(e["occurred_at"]) for e in body["entries"]]
    assert stamps == sorted(stamps)
    first = ours[0]
    assert first["agency"] == "Severn Vale Academy" and first["event_type"] == "school_absence"
    assert first["occurred_at"].startswith("2026-02-01")


def test_each_source_decides_what_the_user_sees(api_for, people, school_notes):
    body = api_for("erin").get(f"/api/v1/children/{people['daniel'].pk}/chronology").json()
    own = [e for e in body["entries"] if e["source"].startswith("test.note:")]
    assert own == []  # the test source shows its notes to school users only


def test_reading_is_audited_with_a_count(api_for, personas, people, school_notes):
    api_for("bob").get(f"/api/v1/children/{people['daniel'].pk}/chronology")
    event = AuditEvent.objects.get(event_type="api.chronology_viewed")
    assert event.actor == personas["bob"] and event.person_id == people["daniel"].pk
    assert event.details["via"] == "api" and event.details["entries"] >= 2


@pytest.mark.parametrize("username, person", [
    ("bob", "kayleigh"),  # another agency's child
    ("oscar", "daniel"),  # another partnership's child
    ("erin", "elsewhere"),
    ("heidi", "daniel"),
    ("alice", "poc"),  # visible, but a person of concern is not a child
])
def test_children_the_user_may_not_see_are_404(api_for, people, username, person):
    client = api_for(username)
    forbidden = client.get(f"/api/v1/children/{people[person].pk}/chronology")
    absent = client.get("/api/v1/children/987654321/chronology")
    assert forbidden.status_code == absent.status_code == 404
    assert forbidden.content == absent.content
    assert not AuditEvent.objects.filter(event_type="api.chronology_viewed").exists()


def test_needs_the_chronology_scope(api_for, people):
    response = api_for("alice", scopes=["people:read"]).get(f"/api/v1/children/{people['kayleigh'].pk}/chronology")
    assert response.status_code == 403 and response.json()["required_scope"] == "chronology:read"
