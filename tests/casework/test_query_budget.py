"""The query budget of the pages read most (issue "Casework": at most 20 queries per page).

Kayleigh's story has something from every app that feeds the chronology — a case with its risk
history, plan, reviews, strategy discussions and a returned closure request; addresses and
agencies; a triaged referral with the vehicle and phone it mentions, and a screening; a missing
episode with its return home interview; a MACE discussion with its decision; a disruption with an
update; a record imported from an agency's extract — nearly three hundred events in all. The
chronology, the case page and her record page must each stay within the budget. Each page view
writes its audit event, and those writes count: the budget is for everything a page sends.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.referrals.conftest import all_answers
from wrekin.casework import actions
from wrekin.casework.models import PlanAction, RiskLevel, StrategyDecision
from wrekin.core.timeline import chronology_for
from wrekin.intelligence import actions as disruption_actions
from wrekin.linkage.models import ExtractImport, SourceRecord
from wrekin.mace import actions as mace_actions
from wrekin.missing import actions as missing_actions
from wrekin.people.models import Person, PersonAddress
from wrekin.referrals import actions as referral_actions

BUDGET = 20
TODAY = date(2026, 6, 20)


@pytest.fixture(autouse=True)
def _frozen(freeze_today):
    freeze_today(TODAY)


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def story(case, personas, agencies, people):
    kayleigh, poc = people["kayleigh"], people["poc"]
    alice, dana, erin, grace = personas["alice"], personas["dana"], personas["erin"], personas["grace"]

    # The case: risk history, a plan, reviews, two strategy discussions, a returned closure request.
    for n in range(3):
        PersonAddress.objects.create(person=kayleigh, line1=f"{n + 4} Ercall Close", town="Wellington",
                                     postcode="TF1 2AB", valid_from=date(2025, 1 + 3 * n, 1),
                                     recorded_by_agency=agencies["police"])
    actions.record_risk_level(actor=alice, case_id=case.pk, level="high", rationale="Seen in cars.")
    action = actions.add_plan_action(actor=erin, case_id=case.pk, description="Return home interview",
                                     owner_id=dana.pk, due_on=TODAY + timedelta(days=4), today=TODAY)
    actions.complete_plan_action(actor=dana, case_id=case.pk, action_id=action.pk, status="done", note="Done.",
                                 completed_on=TODAY, today=TODAY)
    actions.record_review(actor=dana, case_id=case.pk, held_on=date(2026, 6, 10), summary="Progress.", today=TODAY)
    for held_on in (date(2026, 3, 3), date(2026, 5, 4)):
        discussion = actions.record_strategy_discussion(
            actor=erin, case_id=case.pk, held_on=held_on, decision=StrategyDecision.SECTION_47,
            agency_ids=[agencies["police"].pk, agencies["csc"].pk, agencies["school"].pk],
            rationale="Significant harm suspected.", today=TODAY)
        actions.mark_clock_met(actor=erin, case_id=case.pk, met_on=held_on + timedelta(days=5), today=TODAY,
                               clock_id=discussion.clocks.get(kind="follow_up_meeting").pk)
    actions.request_closure(actor=erin, case_id=case.pk, reason="Risk reduced.")
    actions.decide_closure(actor=dana, case_id=case.pk, approve=False, note="Not yet: wait for conference.")
    RiskLevel.objects.bulk_create([
        RiskLevel(case=case, level="medium", rationale=f"Review {n}", recorded_by=dana, recorded_by_agency=dana.agency)
        for n in range(100)])
    PlanAction.objects.bulk_create([
        PlanAction(case=case, description=f"Action {n}", owner=dana, agency=dana.agency, created_by=dana,
                   due_on=TODAY + timedelta(days=n), status="done" if n % 2 else "open",
                   completed_on=TODAY if n % 2 else None)
        for n in range(100)])

    # A referral from the police naming a car and a phone, triaged to screening, and the screening.
    referral = referral_actions.record_referral(
        actor=alice, child=kayleigh, occurred_on=date(2026, 5, 1), today=TODAY,
        narrative="Seen getting into AB12 CDE outside school; a man on 07700 900123 calls her at night.",
        indicators=["cars_unknown_adults"], lawful_basis="public_task", consent_status="given",
        mentions=[{"kind": "vehicle", "value": "AB12 CDE", "relationship": "child was picked up in"}])
    referral_actions.triage_referral(actor=erin, referral_id=referral.pk, outcome="screen",
                                     reason="Car and calls: screen.", today=TODAY)
    referral_actions.record_screening(
        actor=erin, child=kayleigh, referral=referral, grade="medium", today=TODAY,
        answers=all_answers(referral_actions.current_instrument(), cars_unknown_adults="present"),
        rationale="An unknown adult driving her; no disclosure.")

    # Missing twice, back both times, and a return home interview.
    for day in (date(2026, 5, 20), date(2026, 6, 2)):
        episode = missing_actions.record_missing_episode(
            actor=alice, child=kayleigh, reported_at=_at(day, 21), returned_at=_at(day + timedelta(days=1), 9),
            last_seen_where="Wellington bus station", circumstances="Did not come home after school.",
            police_risk_grade="medium", found_where="Returned home", now=_at(day + timedelta(days=1), 10))
    missing_actions.record_return_interview(
        actor=dana, episode=episode, outcome="completed", offered_at=_at(date(2026, 6, 3), 9),
        offered_by_agency=dana.agency, completed_at=_at(date(2026, 6, 3), 15), conducted_by="Dana",
        location="Home", summary="Said she went to a friend's flat.", now=_at(date(2026, 6, 4)))

    # Discussed at MACE, with a decision.
    meeting = mace_actions.create_meeting(actor=grace, held_on=TODAY - timedelta(days=1), chair_id=grace.pk,
                                          attendee_ids=[alice.pk])
    item = mace_actions.add_agenda_item(actor=grace, meeting_id=meeting.pk, kind="child", person_id=kayleigh.pk,
                                        summary="Two missing episodes; the car again.")
    mace_actions.record_decision(actor=grace, meeting_id=meeting.pk, item_id=item.pk,
                                 text="Police to consider a Child Abduction Warning Notice.")

    # A warning letter to the person of concern, protecting her, and what happened next.
    Person.objects.filter(pk=poc.pk).update(ethnicity="NOBT", ethnicity_observed="APKN", nationality="British",
                                            disability="not_known")
    notice = disruption_actions.record_disruption(
        actor=alice, person_of_concern_id=poc.pk, kind="letter", child_ids=[kayleigh.pk],
        occurred_on=date(2026, 6, 5), status="done", outcome="Delivered to his home address.", today=TODAY)
    disruption_actions.update_disruption(actor=alice, disruption_id=notice.pk, status="done",
                                         note="Seen with her again on 12 June.")

    # The health service's record of her, imported from its extract.
    extract = ExtractImport.objects.create(
        partnership=agencies["health"].partnership, agency=agencies["health"], uploaded_by=erin,
        file_name="health.csv", file_format="csv", size=100, sha256="0" * 64)
    SourceRecord.objects.create(agency=agencies["health"], record_id="H-1", person=kayleigh,
                                first_import=extract, last_import=extract)
    return case


def _queries(client, url: str) -> list[str]:
    """The statements a page sends (the savepoints of the test's own transaction left out)."""
    client.get(url)  # the first view warms per-process caches (content types, the instrument)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]


@pytest.mark.parametrize("username", ["erin", "alice"])  # partnership-wide, and one agency's practitioner
def test_the_chronology_has_every_app_in_it_and_stays_within_the_budget(client_for, story, personas, people,
                                                                         username):
    types = {entry.event_type for entry in chronology_for(people["kayleigh"], personas[username])}
    assert types >= {"case_opened", "risk_level", "plan_action_set", "review", "strategy_discussion",
                     "closure_returned", "involvement", "address", "referral", "referral_triage", "screening",
                     "entity_mention", "missing_episode", "missing_return", "return_interview", "mace_item",
                     "disruption", "linkage_record_imported"}
    client = client_for(username)
    url = reverse("casework:chronology", args=[people["kayleigh"].pk])
    assert client.get(url).context["total"] > 250
    queries = _queries(client, url)
    assert len(queries) <= BUDGET, "\n".join(q[:150] for q in queries)


@pytest.mark.parametrize("username", ["erin", "alice"])
def test_the_case_page_stays_within_the_budget(client_for, story, username):
    queries = _queries(client_for(username), reverse("casework:detail", args=[story.pk]))
    assert len(queries) <= BUDGET, "\n".join(q[:150] for q in queries)


@pytest.mark.parametrize("username", ["erin", "alice"])
def test_the_child_record_page_stays_within_the_budget(client_for, story, people, username):
    queries = _queries(client_for(username), reverse("people:detail", args=[people["kayleigh"].pk]))
    assert len(queries) <= BUDGET, "\n".join(q[:150] for q in queries)
