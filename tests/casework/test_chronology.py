"""The chronology: every source merged on one timeline, filtered by codes, exported and audited."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wrekin.audit.models import AuditEvent
from wrekin.casework import actions
from wrekin.casework.chronology import render_csv
from wrekin.casework.models import PlanAction, RiskLevel, StrategyDecision
from wrekin.core.timeline import ChronologyEntry, chronology_for
from wrekin.people.models import PersonAddress

TODAY = date(2026, 3, 16)


@pytest.fixture(autouse=True)
def _frozen(freeze_today):
    freeze_today(TODAY)


@pytest.fixture
def story(case, personas, agencies, people):
    """Kayleigh's case with one of everything."""
    erin, dana = personas["erin"], personas["dana"]
    PersonAddress.objects.create(person=people["kayleigh"], line1="4 Ercall Close", town="Wellington",
                                 postcode="TF1 2AB", valid_from=date(2025, 9, 1), recorded_by_agency=agencies["police"])
    actions.record_risk_level(actor=personas["alice"], case_id=case.pk, level="high", rationale="Seen in cars.")
    action = actions.add_plan_action(actor=erin, case_id=case.pk, description="Return home interview",
                                     owner_id=dana.pk, due_on=date(2026, 3, 20), today=TODAY)
    actions.complete_plan_action(actor=dana, case_id=case.pk, action_id=action.pk, status="done", note="Done.",
                                 completed_on=TODAY, today=TODAY)
    actions.record_review(actor=dana, case_id=case.pk, held_on=date(2026, 3, 10), summary="Progress.", today=TODAY)
    discussion = actions.record_strategy_discussion(
        actor=erin, case_id=case.pk, held_on=date(2026, 3, 3), agency_ids=[agencies["police"].pk, agencies["csc"].pk],
        decision=StrategyDecision.SECTION_47, rationale="Significant harm suspected.", today=TODAY)
    actions.mark_clock_met(actor=erin, case_id=case.pk, clock_id=discussion.clocks.get(kind="follow_up_meeting").pk,
                           met_on=date(2026, 3, 9), today=TODAY)
    actions.request_closure(actor=erin, case_id=case.pk, reason="Risk reduced.")
    actions.decide_closure(actor=dana, case_id=case.pk, approve=False, note="Not yet: wait for conference.")
    return case


def test_every_source_is_on_one_timeline(story, personas, people):
    entries = chronology_for(people["kayleigh"], personas["erin"])
    types = {e.event_type for e in entries}
    assert types >= {"case_opened", "risk_level", "plan_action_set", "plan_action_completed", "review",
                     "strategy_discussion", "strategy_clock_met", "closure_requested", "closure_returned",
                     "involvement", "address"}
    assert entries == sorted(entries, key=lambda e: (e.occurred_at, e.event_type, e.source))
    risk = next(e for e in entries if e.event_type == "risk_level")
    assert risk.agency_name == "Test Constabulary" and risk.url == reverse("casework:detail", args=[story.pk]) + "#risk"
    involvement = next(e for e in entries if e.event_type == "involvement")
    assert involvement.url == reverse("people:detail", args=[people["kayleigh"].pk])
    strategy = next(e for e in entries if e.event_type == "strategy_discussion")
    assert "Test Constabulary" in strategy.summary and "Wrekin Children's Services" in strategy.summary


@pytest.mark.parametrize("username", ["bob", "charlie", "heidi", "ivan", "nina", "oscar"])
def test_sources_apply_the_access_policy_themselves(story, personas, people, username):
    assert chronology_for(people["kayleigh"], personas[username]) == []


def test_the_page_shows_a_moj_timeline_and_audits_the_read(client_for, story, people):
    response = client_for("dana").get(reverse("casework:chronology", args=[people["kayleigh"].pk]))
    html = response.content.decode()
    assert response.status_code == 200 and 'class="moj-timeline"' in html
    assert "Risk level recorded: High" in html and "by Test Constabulary" in html
    assert html.count('class="moj-timeline__item"') == response.context["count"]
    event = AuditEvent.objects.get(event_type="chronology.viewed")
    assert event.person_id == people["kayleigh"].pk
    assert event.details["total"] == response.context["total"] and event.details["agency_id"] is None


def test_filters_are_codes_and_narrow_the_timeline(client_for, story, people, agencies):
    client = client_for("dana")
    url = reverse("casework:chronology", args=[people["kayleigh"].pk])
    response = client.get(url, {"agency": agencies["police"].pk})
    assert response.context["count"] > 0
    assert all(row["entry"].agency_name == "Test Constabulary" for row in response.context["rows"])
    response = client.get(url, {"event_type": "risk_level", "order": "oldest"})
    assert [row["entry"].event_type for row in response.context["rows"]] == ["risk_level"]
    # The export links carry the same filters, as codes.
    assert "chronology.csv?event_type=risk_level&amp;order=oldest" in response.content.decode()
    event = AuditEvent.objects.filter(event_type="chronology.viewed").last()
    assert event.details["event_type"] == "risk_level" and event.details["shown"] == 1
    response = client.get(url, {"agency": "Test Constabulary"})
    assert "There is a problem" in response.content.decode()


def test_csv_export_is_audited_with_counts_and_filters(client_for, story, people):
    client = client_for("dana")
    response = client.get(reverse("casework:chronology_csv", args=[people["kayleigh"].pk]),
                          {"event_type": "risk_level"})
    assert response["Content-Type"].startswith("text/csv")
    assert f"chronology-{people['kayleigh'].pk}-20260316.csv" in response["Content-Disposition"]
    assert "Kayleigh" not in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["date", "time", "agency", "event_type", "event", "title", "summary", "source"]
    assert len(rows) == 2 and rows[1][3] == "risk_level" and rows[1][2] == "Test Constabulary"
    event = AuditEvent.objects.get(event_type="chronology.exported")
    assert event.details == {"format": "csv", "entries": 1, "total": event.details["total"], "agency_id": None,
                             "event_type": "risk_level", "order": "newest"}
    assert event.person_id == people["kayleigh"].pk


def test_pdf_export_is_a_pdf_and_is_audited(client_for, story, people):
    RiskLevel.objects.update(rationale="Seen with “older males” – twice… at the café")
    response = client_for("erin").get(reverse("casework:chronology_pdf", args=[people["kayleigh"].pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.get(event_type="chronology.exported").details["format"] == "pdf"


def test_invalid_export_filters_are_refused(client_for, story, people):
    response = client_for("erin").get(reverse("casework:chronology_pdf", args=[people["kayleigh"].pk]),
                                      {"event_type": "no-such-type"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(event_type="chronology.exported").exists()


def test_csv_cells_cannot_become_spreadsheet_formulas():
    from django.utils import timezone

    entry = ChronologyEntry(occurred_at=timezone.now(), event_type="risk_level", title="=HYPERLINK(\"x\")",
                            agency_name="+Agency", summary="-1+1")
    row = list(csv.reader(io.StringIO(render_csv([entry]))))[1]
    assert row[5] == "'=HYPERLINK(\"x\")" and row[2] == "'+Agency" and row[6] == "'-1+1"


def _add_events(case, personas, n):
    """n risk levels and n plan actions (half completed): about 2.5n events."""
    dana = personas["dana"]
    RiskLevel.objects.bulk_create([
        RiskLevel(case=case, level="medium", rationale=f"Review {i}", recorded_by=dana,
                  recorded_by_agency=dana.agency) for i in range(n)])
    PlanAction.objects.bulk_create([
        PlanAction(case=case, description=f"Action {i}", owner=dana, agency=dana.agency,
                   due_on=TODAY + timedelta(days=i), created_by=dana,
                   status="done" if i % 2 else "open", completed_on=TODAY if i % 2 else None)
        for i in range(n)])


def _statements(captured) -> list[str]:
    """Queries sent, leaving out the savepoints the test's own wrapping transaction adds (outside
    tests those are the BEGIN and COMMIT of each atomic block, which Django does not log)."""
    return [q["sql"] for q in captured.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def test_queries_do_not_grow_with_the_number_of_events(client_for, story, personas, people, monkeypatch):
    from wrekin.core import timeline

    # Other apps register their own sources (and answer for their own queries): count casework's.
    ours = {"casework.cases", "people.records"}
    monkeypatch.setattr(timeline, "_chronology_sources",
                        {k: v for k, v in timeline._chronology_sources.items() if k in ours})
    client = client_for("dana")
    url = reverse("casework:chronology", args=[people["kayleigh"].pk])
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _add_events(story, personas, 300)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.context["total"] > 750
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]
    assert len(_statements(many)) <= 20, [q[:120] for q in _statements(many)]
    client.get(reverse("casework:detail", args=[story.pk]))
    with CaptureQueriesContext(connection) as case_page:
        client.get(reverse("casework:detail", args=[story.pk]))
    assert len(_statements(case_page)) <= 20, [q[:120] for q in _statements(case_page)]


def test_pdf_rows_taller_than_a_page_continue_on_the_next(personas, people):
    import re

    from django.utils import timezone

    from wrekin.casework.chronology import render_pdf

    huge = ChronologyEntry(occurred_at=timezone.now(), event_type="review", title="Case review held",
                           agency_name="Wrekin Children's Services",
                           summary="\n".join(f"Line {i}: attended school; no missing episodes." for i in range(150))
                           + " " + "x" * 400)
    small = [ChronologyEntry(occurred_at=timezone.now(), event_type="risk_level", title=f"Risk {i}",
                             agency_name="Test Constabulary", summary="Seen with older males at the café.")
             for i in range(5)]
    pdf = render_pdf(person=people["kayleigh"], entries=[huge, *small], filters="All events.",
                     user=personas["erin"], generated_at=timezone.now(), service_name="Wrekin")
    pages = len(re.findall(rb"/Type /Page\b(?!s)", pdf))
    assert pdf.startswith(b"%PDF") and pages >= 3
