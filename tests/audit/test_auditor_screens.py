"""Auditors' screens: who viewed this child, what this user did, unusual access.

Events are made by the personas through the real pages where they can be (opening a record,
searching, break-glass), so the screens are tested against what Wrekin actually writes.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from wrekin.access.models import BreakGlassGrant
from wrekin.audit.actions import record_event
from wrekin.audit.models import AuditEvent

REASON = "Found at 2am at the bus station; lead not reachable."


def _code(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


@pytest.fixture
def history(client_for, people, personas):
    """Alice opens Kayleigh's record; Charlie (health) searches, is shown the flag, uses
    break-glass and opens the record; Frank reads her through the API."""
    kayleigh = people["kayleigh"]
    client_for("alice").get(reverse("people:detail", args=[kayleigh.pk]))
    charlie = client_for("charlie")
    charlie.post(reverse("people:search"), {"q": "Kayleigh Smith 04/03/2010"})
    charlie.post(reverse("access:break_glass", args=[kayleigh.pk]),
                 {"reason": REASON, "code": _code(personas["charlie"])})
    charlie.get(reverse("people:detail", args=[kayleigh.pk]))
    record_event("person.viewed", actor=personas["frank"], person=kayleigh, details={"via": "api"})
    # Someone else's record, which must not appear in Kayleigh's history.
    client_for("charlie").get(reverse("people:detail", args=[people["jayden"].pk]))
    return kayleigh


def _rows(response):
    return [(e.actor_username, e.event_type, e.via) for e in response.context["page"]]


def test_who_viewed_this_child(client_for, history, personas, people):
    response = client_for("heidi").get(reverse("audit:person_history", args=[history.pk]))
    assert response.status_code == 200
    rows = _rows(response)
    assert ("alice", "person.viewed", "Web") in rows
    assert ("charlie", "access.known_to_shown", "Web") in rows
    assert ("charlie", "access.break_glass", "Break-glass") in rows
    assert ("charlie", "person.viewed", "Break-glass") in rows
    assert ("frank", "person.viewed", "System or command line") not in rows  # it was the API
    assert ("frank", "person.viewed", "API") in rows
    assert all(e.person_id == history.pk for e in response.context["page"])
    html = response.text
    # Who, which agency, and the reason given for break-glass; never the child's name.
    assert "Wrekin Community Health" in html and "Test Constabulary" in html and REASON in html
    assert "Kayleigh" not in html and "Smith" not in html
    assert f"record {history.pk}" in html
    assert reverse("audit:user_activity", args=["charlie"]) in html
    # Reading the screen is itself on the trail (the person in details, not as a "view" of the child).
    event = AuditEvent.objects.filter(event_type="audit.viewed").last()
    assert event.actor == personas["heidi"] and event.person_id is None
    assert event.details == {"screen": "person_history", "person": history.pk, "kind": "", "page": 1}


def test_who_viewed_this_child_can_show_reads_or_changes(client_for, history):
    client = client_for("heidi")
    url = reverse("audit:person_history", args=[history.pk])
    reads = {e.event_type for e in client.get(url, {"kind": "reads"}).context["page"]}
    assert reads == {"person.viewed", "access.known_to_shown"}
    changes = {e.event_type for e in client.get(url, {"kind": "changes"}).context["page"]}
    assert "access.break_glass" in changes and "person.viewed" not in changes


def test_what_this_user_did(client_for, history, people, personas):
    client = client_for("heidi")
    response = client.get(reverse("audit:user_activity", args=["charlie"]))
    assert response.status_code == 200
    types = [e.event_type for e in response.context["page"]]
    for expected in ("person.searched", "access.known_to_shown", "access.break_glass", "person.viewed",
                     "user.step_up_verified"):
        assert expected in types
    assert all(e.actor_id == personas["charlie"].pk for e in response.context["page"])
    html = response.text
    # The search text (a child's name and birthday) stays in the trail, not on the auditor's screen.
    assert "04/03/2010" not in html and "Kayleigh" not in html
    assert reverse("audit:person_history", args=[people["jayden"].pk]) in html
    assert "Wrekin Community Health" in html and "Practitioner" in html
    event = AuditEvent.objects.filter(event_type="audit.viewed").last()
    assert event.details == {"screen": "user_activity", "user": personas["charlie"].pk, "page": 1,
                             "from": "", "to": ""}


def test_what_this_user_did_filtered_by_date(client_for, personas, monkeypatch):
    alice = personas["alice"]
    zone = timezone.get_current_timezone()
    for day in (3, 10, 17):
        moment = timezone.make_aware(datetime(2026, 3, day, 23, 30), zone)
        monkeypatch.setattr(timezone, "now", lambda moment=moment: moment)
        record_event("person.searched", actor=alice, details={"results": day})
    monkeypatch.undo()
    client = client_for("heidi")
    url = reverse("audit:user_activity", args=["alice"])

    response = client.get(url, {"date_from": "10/3/2026", "date_to": "17/03/2026"})
    searched = [e.details["results"] for e in response.context["page"] if e.event_type == "person.searched"]
    assert searched == [17, 10]  # the whole of the last day, late evening included
    response = client.get(url, {"date_to": "2026-03-09"})
    assert [e.details["results"] for e in response.context["page"]] == [3]
    assert AuditEvent.objects.filter(event_type="audit.viewed").last().details["to"] == "2026-03-09"

    response = client.get(url, {"date_from": "31/02/2026"})
    assert "Enter the start date as day/month/year" in response.text and "There is a problem" in response.text
    assert 'value="31/02/2026"' in response.text
    response = client.get(url, {"date_from": "17/3/2026", "date_to": "10/3/2026"})
    assert "The end date must be the same as or after the start date" in response.text


def test_unusual_access_lists_alerts_and_break_glass_with_links(client_for, history, personas, people):
    record_event("access.unusual_access", details={"user": personas["alice"].pk, "people_in_last_hour": 31,
                                                   "threshold": 25})
    # Another partnership's alert and break-glass: not this auditor's business.
    record_event("access.unusual_access", details={"user": personas["oscar"].pk, "people_in_last_hour": 40,
                                                   "threshold": 25})
    BreakGlassGrant.objects.create(user=personas["oscar"], person=people["elsewhere"], reason="x" * 30,
                                   expires_at=timezone.now())
    record_event("access.break_glass", actor=personas["oscar"], person=people["elsewhere"], reason="Other place")

    response = client_for("heidi").get(reverse("audit:unusual_access"))
    assert response.status_code == 200
    rows = [(r["event"].event_type, r["username"]) for r in response.context["page"]]
    assert rows == [("access.unusual_access", "alice"), ("access.break_glass", "charlie")]
    html = response.text
    assert "Opened 31 records in an hour (alert threshold 25)" in html and REASON in html
    assert reverse("audit:user_activity", args=["alice"]) in html
    assert reverse("audit:user_activity", args=["charlie"]) in html
    assert reverse("audit:person_history", args=[history.pk]) in html
    grant = BreakGlassGrant.objects.get(user=personas["charlie"])
    assert reverse("access:review_break_glass", args=[grant.pk]) in html
    assert "oscar" not in html and "Other place" not in html
    assert AuditEvent.objects.filter(event_type="audit.viewed").last().details == {
        "screen": "unusual_access", "page": 1}


def test_a_reviewed_break_glass_use_shows_its_outcome(client_for, history, personas):
    grant = BreakGlassGrant.objects.get(user=personas["charlie"])
    client = client_for("heidi")
    client.post(reverse("access:review_break_glass", args=[grant.pk]), {"outcome": "justified", "note": ""})
    html = client.get(reverse("audit:unusual_access")).text
    assert "Reviewed: justified" in html
    assert reverse("access:review_break_glass", args=[grant.pk]) not in html


def test_the_audit_trail_links_to_the_screens(client_for, history):
    html = client_for("heidi").get(reverse("audit:events")).text
    assert reverse("audit:unusual_access") in html
    assert reverse("audit:person_history", args=[history.pk]) in html
    assert reverse("audit:user_activity", args=["alice"]) in html


@pytest.mark.parametrize("name, kwargs", [
    ("audit:person_history", {"pk": None}),
    ("audit:user_activity", {"username": "charlie"}),
    ("audit:unusual_access", {}),
])
def test_if_the_audit_write_fails_nothing_is_shown(client_for, history, monkeypatch, name, kwargs):
    client = client_for("heidi")
    client.raise_request_exception = False

    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("wrekin.audit.views.record_event", broken)
    kwargs = {k: (history.pk if v is None else v) for k, v in kwargs.items()}
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 500
    assert b"charlie" not in response.content and REASON.encode() not in response.content


def test_the_trail_shows_only_this_partnerships_events(client_for, people, personas):
    client_for("oscar").get(reverse("people:detail", args=[people["elsewhere"].pk]))
    client_for("alice").get(reverse("people:detail", args=[people["kayleigh"].pk]))
    record_event("user.sign_in_failed")  # unattributed: names nobody, shown to every auditor
    response = client_for("heidi").get(reverse("audit:events"))
    actors = {e.actor_username for e in response.context["page"]}
    assert "alice" in actors and "oscar" not in actors
    assert people["elsewhere"].pk not in {e.person_id for e in response.context["page"]}
    assert "user.sign_in_failed" in {e.event_type for e in response.context["page"]}
    response = client_for("heidi").get(reverse("audit:events"), {"username": "oscar"})
    assert list(response.context["page"]) == []
