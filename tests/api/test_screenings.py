"""GET /api/v1/children/{id}/screenings: the child's screening outcomes, for those who can see the child."""

from __future__ import annotations

import pytest

from wrekin.audit.models import AuditEvent
from wrekin.referrals.actions import approve_screening, record_screening, return_screening


def _screen(actor, child, instrument, *, grade="medium", rationale="Two episodes missing and gifts from an adult."):
    answers = {i["code"]: {"answer": "not_known"} for i in instrument.indicators}
    answers["missing_repeat"] = {"answer": "present", "window": "last_3_months", "basis": "evidence"}
    return record_screening(actor=actor, child=child, answers=answers, grade=grade, rationale=rationale)


@pytest.fixture
def screenings(personas, people, instrument):
    """Kayleigh: one approved (screened by erin, approved by dana), one returned then revised by erin."""
    first = _screen(personas["erin"], people["kayleigh"], instrument)
    approve_screening(actor=personas["dana"], screening_id=first.pk)
    second = _screen(personas["erin"], people["kayleigh"], instrument, grade="high")
    return_screening(actor=personas["dana"], screening_id=second.pk, reason="Say which adult.")
    return {"approved": first, "returned": second}


def test_outcomes_with_grade_rationale_and_status(api_for, people, screenings):
    response = api_for("alice").get(f"/api/v1/children/{people['kayleigh'].pk}/screenings")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["child_id"] == people["kayleigh"].pk and body["count"] == 2
    by_id = {s["id"]: s for s in body["screenings"]}
    approved = by_id[screenings["approved"].pk]
    assert approved["status"] == "approved" and approved["grade"] == "medium"
    assert approved["grade_label"] and approved["rationale"].startswith("Two episodes missing")
    assert approved["instrument_code"] == "wrekin-exploitation" and approved["instrument_version"] == 1
    assert approved["agency"] == "Wrekin Children's Services" and approved["decided_at"]
    assert by_id[screenings["returned"].pk]["status"] == "returned"


def test_reading_is_audited(api_for, personas, people, screenings):
    api_for("alice").get(f"/api/v1/children/{people['kayleigh'].pk}/screenings")
    event = AuditEvent.objects.filter(event_type="screening.list_viewed").get()
    assert event.actor == personas["alice"] and event.person_id == people["kayleigh"].pk
    assert event.details == {"via": "api", "screenings": 2}


def test_a_child_with_none_has_an_empty_list(api_for, people, instrument):
    body = api_for("bob").get(f"/api/v1/children/{people['daniel'].pk}/screenings").json()
    assert body == {"child_id": people["daniel"].pk, "count": 0, "screenings": []}


@pytest.mark.parametrize("username, person", [
    ("bob", "kayleigh"), ("charlie", "kayleigh"), ("oscar", "kayleigh"), ("heidi", "kayleigh"),
    ("ivan", "kayleigh"), ("alice", "poc"), ("erin", "elsewhere"),
])
def test_children_the_user_may_not_see_are_404(api_for, people, screenings, username, person):
    client = api_for(username)
    forbidden = client.get(f"/api/v1/children/{people[person].pk}/screenings")
    absent = client.get("/api/v1/children/987654321/screenings")
    assert forbidden.status_code == absent.status_code == 404
    assert forbidden.content == absent.content
    assert not AuditEvent.objects.filter(event_type="screening.list_viewed").exists()


def test_needs_the_screenings_scope(api_for, people, screenings):
    response = api_for("alice", scopes=["people:read"]).get(f"/api/v1/children/{people['kayleigh'].pk}/screenings")
    assert response.status_code == 403 and response.json()["required_scope"] == "screenings:read"
