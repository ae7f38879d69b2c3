"""Missing episodes through the API: recorded by the missing app's action, listed with their clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from wrekin.audit.models import AuditEvent
from wrekin.missing.actions import record_missing_episode
from wrekin.missing.models import MissingEpisode

URL = "/api/v1/missing-episodes"


def _iso(value: datetime) -> str:
    return value.isoformat()


def episode(child_id: int, **overrides) -> dict:
    reported = timezone.now() - timedelta(days=2)
    body = {
        "child_id": child_id,
        "reported_at": _iso(reported),
        "last_seen_where": "Outside Wellington bus station",
        "circumstances": "Did not return to the children's home after school; phone switched off.",
        "reported_by": "Residential home staff",
        "police_risk_grade": "medium",
        "missing_from_care_placement": True,
    }
    body.update(overrides)
    return body


def errors_of(response) -> dict[str, str]:
    assert response.status_code == 422, response.content
    return {".".join(str(p) for p in e["loc"]): e["msg"] for e in response.json()["errors"]}


def test_record_an_episode_and_its_return(api_for, personas, people):
    returned = timezone.now() - timedelta(days=1)
    body = episode(people["kayleigh"].pk, returned_at=_iso(returned), found_where="A house in Telford",
                   travel_modes=["car"], vehicle_registration="AB12 C")
    response = api_for("alice").post(URL, body)
    assert response.status_code == 201, response.content
    out = response.json()
    saved = MissingEpisode.objects.get(pk=out["id"])
    assert saved.child == people["kayleigh"] and saved.recorded_by == personas["alice"]
    assert saved.police_risk_grade == "medium" and saved.travel_modes == ["car"]
    assert out["recorded_by_agency"] == "Test Constabulary"
    assert out["interview_clock"]["state"] == "running" and out["interview_clock"]["due_at"]
    assert out["pattern_alert_id"] is None
    event = AuditEvent.objects.get(event_type="missing.episode_recorded")
    assert event.actor == personas["alice"] and event.person_id == people["kayleigh"].pk


def test_a_still_missing_child(api_for, people):
    out = api_for("erin").post(URL, episode(people["jayden"].pk)).json()
    assert out["returned_at"] is None and out["interview_clock"]["state"] == "awaiting_return"


def test_list_newest_first_with_the_clock_and_audited(api_for, personas, people):
    now = timezone.now()
    for days in (20, 10):
        record_missing_episode(actor=personas["alice"], child=people["kayleigh"],
                               reported_at=now - timedelta(days=days), returned_at=now - timedelta(days=days - 1),
                               last_seen_where="Park", circumstances="Left home after an argument.",
                               found_where="Returned home")
    response = api_for("dana").get(f"/api/v1/children/{people['kayleigh'].pk}/missing-episodes")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    reported = [e["reported_at"] for e in body["episodes"]]
    assert reported == sorted(reported, reverse=True)
    assert all(e["interview_clock"]["state"] == "overdue" for e in body["episodes"])
    event = AuditEvent.objects.get(event_type="missing.episodes_listed")
    assert event.actor == personas["dana"] and event.details == {"via": "api", "episodes": 2}


@pytest.mark.parametrize("username, person", [
    ("bob", "kayleigh"), ("oscar", "kayleigh"), ("erin", "elsewhere"), ("heidi", "kayleigh"),
    ("ivan", "jayden"), ("alice", "poc"),
])
def test_children_the_user_may_not_see_are_404_for_reading_and_recording(api_for, people, username, person):
    client = api_for(username)
    forbidden = client.get(f"/api/v1/children/{people[person].pk}/missing-episodes")
    absent = client.get("/api/v1/children/987654321/missing-episodes")
    assert forbidden.status_code == absent.status_code == 404
    assert forbidden.content == absent.content
    assert client.post(URL, episode(people[person].pk)).status_code == 404
    assert client.post(URL, episode(987654321)).status_code == 404
    assert not MissingEpisode.objects.exists()
    assert not AuditEvent.objects.filter(event_type__startswith="missing.").exists()


def test_an_overlapping_episode_is_refused_as_a_whole(api_for, personas, people):
    client = api_for("alice")
    assert client.post(URL, episode(people["kayleigh"].pk)).status_code == 201
    got = errors_of(client.post(URL, episode(people["kayleigh"].pk)))
    assert list(got) == ["body"] and "already recorded as missing" in got["body"]
    assert MissingEpisode.objects.count() == 1


@pytest.mark.parametrize("change, loc, fragment", [
    ({"reported_at": "2026-03-04T21:30:00"}, "body.reported_at", "time zone"),
    ({"reported_at": "4 March 2026"}, "body.reported_at", "ISO 8601"),
    ({"reported_at": 1772600000}, "body.reported_at", "as a string"),
    ({"reported_at": "2026-02-30T10:00:00Z"}, "body.reported_at", "ISO 8601"),
    ({"reported_at": "2999-01-01T10:00:00Z"}, "body.reported_at", "future"),
    ({"reported_at": "0001-01-01T00:00:00+14:00"}, "body.reported_at", "before 1900"),
    ({"reported_at": "2026-03-04"}, "body.reported_at", "time zone"),
    ({"returned_at": "2000-01-01T10:00:00Z", "found_where": "Home"}, "body.returned_at",
     "after they were reported"),
    ({"last_seen_where": ""}, "body.last_seen_where", "at least 1 character"),
    ({"last_seen_where": "  "}, "body.last_seen_where", "where they were last seen"),
    ({"circumstances": "x" * 20_001}, "body.circumstances", "at most 20000"),
    ({"police_risk_grade": "extreme"}, "body.police_risk_grade", "'high'"),
    ({"travel_modes": ["teleport"]}, "body.travel_modes.0", "'car'"),
    ({"missing_from_care_placement": "yes"}, "body.missing_from_care_placement", "valid boolean"),
    ({"child_id": "12"}, "body.child_id", "valid integer"),
    ({"colour": "red"}, "body.colour", "Extra inputs"),
])
def test_field_errors(api_for, people, change, loc, fragment):
    body = {**episode(people["kayleigh"].pk), **change}
    got = errors_of(api_for("alice").post(URL, body))
    assert list(got) == [loc], got
    assert fragment in got[loc]
    assert not MissingEpisode.objects.exists()


def test_missing_fields_are_each_named(api_for, people):
    got = errors_of(api_for("alice").post(URL, {}))
    assert set(got) == {"body.child_id", "body.reported_at", "body.last_seen_where", "body.circumstances"}


def test_other_time_zones_are_understood(api_for, people):
    reported = datetime(2026, 3, 4, 21, 30, tzinfo=UTC)
    body = episode(people["kayleigh"].pk, reported_at="2026-03-04T22:30:00+01:00")
    out = api_for("alice").post(URL, body).json()
    assert MissingEpisode.objects.get(pk=out["id"]).reported_at == reported


@pytest.mark.parametrize("username", ["heidi", "ivan"])
def test_roles_without_case_content_cannot_record(api_for, people, username):
    response = api_for(username).post(URL, episode(people["kayleigh"].pk))
    assert response.status_code == 404  # they cannot see the child, so it is not there for them


def test_scopes(api_for, people):
    client = api_for("alice", scopes=["missing:read"])
    response = client.post(URL, episode(people["kayleigh"].pk))
    assert response.status_code == 403 and response.json()["required_scope"] == "missing:write"
    response = api_for("alice", scopes=["missing:write"]).get(
        f"/api/v1/children/{people['kayleigh'].pk}/missing-episodes")
    assert response.status_code == 403 and response.json()["required_scope"] == "missing:read"
