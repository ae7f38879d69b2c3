"""Casework's home-page work lists, each scoped by the access policy, with frozen dates."""

from __future__ import annotations

from datetime import date

import pytest

from wrekin.casework import actions, worklists
from wrekin.casework.models import StrategyDecision
from wrekin.core.timeline import worklist_for

TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _frozen(freeze_today):
    freeze_today(TODAY)


def _titles(items):
    return [item.title for item in items]


def test_my_cases_lists_cases_i_lead_or_work_on(case, personas):
    assert _titles(worklists.my_cases_items(personas["dana"], TODAY)) == ["Kayleigh Smith"]
    assert worklists.my_cases_items(personas["dana"], TODAY)[0].detail.startswith("Lead professional.")
    assert worklists.my_cases_items(personas["alice"], TODAY) == []
    member = actions.add_team_member(actor=personas["erin"], case_id=case.pk, user_id=personas["alice"].pk,
                                     role_in_team="Police exploitation officer")
    assert worklists.my_cases_items(personas["alice"], TODAY)[0].detail.startswith("Team member.")
    actions.remove_team_member(actor=personas["erin"], case_id=case.pk, member_id=member.pk)
    assert worklists.my_cases_items(personas["alice"], TODAY) == []
    # No case content, no list.
    assert worklists.my_cases_items(personas["heidi"], TODAY) == []


def test_plan_actions_due_within_14_days_or_overdue(case, personas):
    dana = personas["dana"]
    for description, due in (("Soon", date(2026, 3, 10)), ("Later", date(2026, 3, 17)), ("Far", date(2026, 4, 30))):
        actions.add_plan_action(actor=dana, case_id=case.pk, description=description, owner_id=dana.pk, due_on=due)
    items = worklists.actions_due_items(dana, date(2026, 3, 12))
    assert _titles(items) == ["Soon", "Later"]
    assert [i.overdue for i in items] == [True, False]
    assert items[0].url.endswith("/complete/") and items[0].detail == "For Kayleigh Smith"
    assert worklists.actions_due_items(personas["erin"], TODAY) == []  # erin owns none


def test_closures_awaiting_approval_for_deciders_other_than_the_requester(case, personas):
    actions.request_closure(actor=personas["dana"], case_id=case.pk, reason="Risk reduced.")
    assert worklists.closures_awaiting_items(personas["dana"], TODAY) == []  # her own request
    assert _titles(worklists.closures_awaiting_items(personas["erin"], TODAY)) == ["Kayleigh Smith"]
    assert worklists.closures_awaiting_items(personas["alice"], TODAY) == []  # a practitioner
    assert worklists.closures_awaiting_items(personas["oscar"], TODAY) == []  # another partnership


def test_reviews_due_within_14_days_or_past(case, personas):
    dana = personas["dana"]
    assert worklists.reviews_due_items(dana, TODAY) == []  # first review 25 May
    items = worklists.reviews_due_items(dana, date(2026, 5, 12))
    assert _titles(items) == ["Kayleigh Smith"] and not items[0].overdue
    assert worklists.reviews_due_items(dana, date(2026, 5, 26))[0].overdue


def test_strategy_clocks_due_soon_or_overdue(case, personas, agencies):
    actions.record_strategy_discussion(actor=personas["erin"], case_id=case.pk, held_on=TODAY,
                                       agency_ids=[agencies["csc"].pk], decision=StrategyDecision.SECTION_47,
                                       rationale="Significant harm suspected.")
    items = worklists.strategy_clock_items(personas["dana"], date(2026, 3, 3))
    # Follow-up due 9 March is within 5 working days; the conference (23 March) and assessment are not.
    assert _titles(items) == ["Follow-up strategy meeting: Kayleigh Smith"]
    assert items[0].detail == "4 working days left" and not items[0].overdue
    items = worklists.strategy_clock_items(personas["dana"], date(2026, 3, 17))
    assert [(i.title.split(":")[0], i.overdue) for i in items] == [
        ("Follow-up strategy meeting", True), ("Initial child protection conference", False)]


def test_sources_are_registered_for_the_home_page(case, personas):
    headings = {item.heading for item in worklist_for(personas["dana"])}
    assert worklists.MY_CASES in headings
