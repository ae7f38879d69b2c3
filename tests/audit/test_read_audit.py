"""Reads are audited in the request path; if the audit write fails, nothing is shown."""

from __future__ import annotations

import pytest
from django.urls import reverse

from wrekin.audit.models import AuditEvent


def test_opening_a_record_writes_one_event_with_who_and_whom(client_for, people, personas):
    client = client_for("alice")
    response = client.get(reverse("people:detail", kwargs={"pk": people["kayleigh"].pk}))
    assert response.status_code == 200
    event = AuditEvent.objects.filter(event_type="person.viewed").get()
    assert event.actor == personas["alice"]
    assert event.agency.code == "TEST-POLICE"
    assert event.person_id == people["kayleigh"].pk
    assert event.request_id == response["X-Request-Id"]


def test_a_refused_open_is_not_recorded_as_a_view(client_for, people):
    client_for("bob").get(reverse("people:detail", kwargs={"pk": people["kayleigh"].pk}))
    assert not AuditEvent.objects.filter(event_type="person.viewed").exists()


def test_search_is_audited_with_the_query_and_count(client_for, people):
    client = client_for("alice")
    response = client.post(reverse("people:search"), {"q": "Kayleigh Smith 2010"})
    assert response.status_code == 200
    event = AuditEvent.objects.filter(event_type="person.searched").get()
    assert event.details == {"query": "Kayleigh Smith 2010", "results": 1, "known_to": 0}


def test_if_the_audit_write_fails_the_record_is_not_shown(client_for, people, monkeypatch):
    client = client_for("alice")
    client.raise_request_exception = False

    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("wrekin.people.views.record_event", broken)
    response = client.get(reverse("people:detail", kwargs={"pk": people["kayleigh"].pk}))
    assert response.status_code == 500
    assert b"Kayleigh" not in response.content


def test_a_change_and_its_audit_event_commit_together(client_for, people, monkeypatch):
    client = client_for("alice")
    client.raise_request_exception = False

    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("wrekin.people.actions.record_event", broken)
    response = client.post(reverse("people:create"), {
        "kind": "child", "given_name": "Unsaved", "family_name": "Child", "none_of_these": "on",
    })
    assert response.status_code == 500
    from wrekin.people.models import Person

    assert not Person.objects.filter(given_name="Unsaved").exists()


def test_auditor_can_filter_by_person(client_for, people):
    client_for("alice").get(reverse("people:detail", kwargs={"pk": people["kayleigh"].pk}))
    client = client_for("heidi")
    response = client.get(reverse("audit:events"), {"person": people["kayleigh"].pk})
    assert response.status_code == 200
    page = response.context["page"]
    assert [e.event_type for e in page] == ["person.viewed"]
    assert AuditEvent.objects.filter(event_type="audit.viewed", actor__username="heidi").exists()


@pytest.mark.parametrize("bad", ["abc", "-4"])
def test_bad_audit_filter_gives_an_error_not_a_crash(client_for, bad):
    response = client_for("heidi").get(reverse("audit:events"), {"person": bad})
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
