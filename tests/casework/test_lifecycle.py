"""The case lifecycle through the actions: states, team, plan, risk, strategy clocks and closure.

"Nobody leaves a list without a recorded decision": a case is closed only by a manager
approving a closure request, and every other way of closing one is refused here.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404

from wrekin.access.casework import cases_visible_to
from wrekin.access.policy import people_visible_to
from wrekin.audit.models import AuditEvent
from wrekin.casework import actions
from wrekin.casework.actions import CaseworkError
from wrekin.casework.models import (
    Case,
    CaseState,
    ClosureDecision,
    ClosureRequest,
    PlanActionStatus,
    StrategyDecision,
)
from wrekin.people.models import Involvement, InvolvementKind

TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _frozen(freeze_today):
    freeze_today(TODAY)


def _action(case, personas, owner="dana", due=date(2026, 3, 20)):
    return actions.add_plan_action(actor=personas["erin"], case_id=case.pk, description="Weekly direct work sessions",
                                   owner_id=personas[owner].pk, due_on=due, today=TODAY)


def _close_all_actions(case, personas):
    for action in case.actions.filter(status=PlanActionStatus.OPEN):
        actions.complete_plan_action(actor=personas["erin"], case_id=case.pk, action_id=action.pk, status="done",
                                     note="", completed_on=TODAY, today=TODAY)


def test_opening_a_case_puts_the_lead_on_the_team_and_audits(case, personas, people):
    assert case.state == CaseState.ASSESSMENT
    assert case.next_review_due == date(2026, 5, 25)  # 12 weeks
    member = case.team.get()
    assert member.user == personas["dana"] and member.role_in_team == "Lead professional"
    event = AuditEvent.objects.get(event_type="case.opened")
    assert event.person_id == people["kayleigh"].pk and event.details == {"lead_professional_id": personas["dana"].pk}


def test_one_open_case_per_child(case, personas, people):
    with pytest.raises(CaseworkError, match="already has an open case"):
        actions.open_case(actor=personas["erin"], person_id=people["kayleigh"].pk, reason="again",
                          lead_professional_id=personas["dana"].pk)
    # And the database refuses it too, whoever writes.
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.create(person=people["kayleigh"], reason="x", lead_professional=personas["dana"],
                            opened_on=TODAY, opened_by=personas["erin"], opened_by_agency=personas["erin"].agency)


def test_cases_are_for_children_only(personas, people):
    with pytest.raises(CaseworkError, match="children"):
        actions.open_case(actor=personas["erin"], person_id=people["poc"].pk, reason="x",
                          lead_professional_id=personas["dana"].pk)


def test_only_visible_children_and_case_content_roles(personas, people):
    with pytest.raises(Http404):  # bob's school is not involved with Kayleigh
        actions.open_case(actor=personas["bob"], person_id=people["kayleigh"].pk, reason="x",
                          lead_professional_id=personas["bob"].pk)
    with pytest.raises(PermissionDenied):
        actions.open_case(actor=personas["ivan"], person_id=people["kayleigh"].pk, reason="x",
                          lead_professional_id=personas["dana"].pk)


def test_the_lead_must_be_a_case_worker_in_the_partnership(personas, people):
    for username in ("heidi", "oscar", "nina"):  # auditor; another partnership; no agency
        with pytest.raises(CaseworkError, match="professional in this partnership"):
            actions.open_case(actor=personas["erin"], person_id=people["kayleigh"].pk, reason="x",
                              lead_professional_id=personas[username].pk)


def test_adding_a_team_member_lets_their_agency_see_the_child(case, personas, people):
    bob = personas["bob"]
    assert not people_visible_to(bob).filter(pk=people["kayleigh"].pk).exists()
    actions.add_team_member(actor=personas["erin"], case_id=case.pk, user_id=bob.pk,
                            role_in_team="School safeguarding lead", today=TODAY)
    involvement = Involvement.objects.get(person=people["kayleigh"], agency=bob.agency)
    assert involvement.kind == InvolvementKind.WORKING_WITH and involvement.started_on == TODAY
    assert people_visible_to(bob).filter(pk=people["kayleigh"].pk).exists()
    assert cases_visible_to(bob).filter(pk=case.pk).exists()
    assert AuditEvent.objects.filter(event_type="person.involvement_added", person_id=people["kayleigh"].pk).exists()
    with pytest.raises(CaseworkError, match="already on the team"):
        actions.add_team_member(actor=personas["erin"], case_id=case.pk, user_id=bob.pk, role_in_team="again")


def test_an_agency_already_working_with_the_child_gets_no_second_involvement(case, personas, people):
    before = Involvement.objects.filter(person=people["kayleigh"], agency=personas["grace"].agency).count()
    actions.add_team_member(actor=personas["erin"], case_id=case.pk, user_id=personas["grace"].pk,
                            role_in_team="MACE chair")
    assert Involvement.objects.filter(person=people["kayleigh"], agency=personas["grace"].agency).count() == before


def test_removing_a_member_keeps_the_row_and_guards_the_lead_and_owners(case, personas):
    alice = actions.add_team_member(actor=personas["erin"], case_id=case.pk, user_id=personas["alice"].pk,
                                    role_in_team="Police exploitation officer", today=TODAY)
    lead = case.team.get(user=personas["dana"])
    with pytest.raises(CaseworkError, match="lead professional cannot leave"):
        actions.remove_team_member(actor=personas["erin"], case_id=case.pk, member_id=lead.pk)
    action = _action(case, personas, owner="alice")
    with pytest.raises(CaseworkError, match="open plan actions"):
        actions.remove_team_member(actor=personas["erin"], case_id=case.pk, member_id=alice.pk)
    actions.complete_plan_action(actor=personas["alice"], case_id=case.pk, action_id=action.pk, status="done",
                                 note="", completed_on=TODAY, today=TODAY)
    actions.remove_team_member(actor=personas["erin"], case_id=case.pk, member_id=alice.pk, today=date(2026, 3, 5))
    alice.refresh_from_db()
    assert alice.removed_on == date(2026, 3, 5) and alice.removed_by == personas["erin"]


def test_changing_the_lead_adds_them_to_the_team(case, personas):
    actions.change_lead_professional(actor=personas["erin"], case_id=case.pk,
                                     lead_professional_id=personas["grace"].pk)
    case.refresh_from_db()
    assert case.lead_professional == personas["grace"]
    assert case.team.filter(user=personas["grace"], removed_on__isnull=True).exists()
    with pytest.raises(CaseworkError, match="already the lead"):
        actions.change_lead_professional(actor=personas["erin"], case_id=case.pk,
                                         lead_professional_id=personas["grace"].pk)


def test_risk_history_is_kept_and_the_latest_is_current(case, personas):
    actions.record_risk_level(actor=personas["alice"], case_id=case.pk, level="medium", rationale="Missing twice.",
                              basis="Screening", screening_id=17)
    actions.record_risk_level(actor=personas["dana"], case_id=case.pk, level="high", rationale="Seen in cars.")
    case.refresh_from_db()
    assert case.risk_level == "high"
    assert list(case.risk_levels.values_list("level", flat=True)) == ["high", "medium"]
    assert case.risk_levels.get(level="medium").screening_id == 17
    event = AuditEvent.objects.filter(event_type="case.risk_level_recorded").last()
    assert event.details["level"] == "high" and event.details["previous"] == "medium"


def test_a_child_under_13_cannot_be_graded_low(personas, people, agencies):
    from tests.conftest import make_person

    young = make_person(agencies["csc"], given="Tia", family="Morgan", dob=date(2015, 6, 1))
    case = actions.open_case(actor=personas["erin"], person_id=young.pk, reason="x",
                             lead_professional_id=personas["dana"].pk)
    with pytest.raises(CaseworkError, match="under 13"):
        actions.record_risk_level(actor=personas["dana"], case_id=case.pk, level="low", rationale="Settled.")


def test_plan_actions_are_owned_by_team_members(case, personas):
    with pytest.raises(CaseworkError, match="on the case team"):
        _action(case, personas, owner="alice")
    with pytest.raises(CaseworkError, match="today or in the future"):
        _action(case, personas, due=date(2026, 3, 1))
    action = _action(case, personas)
    assert action.agency == personas["dana"].agency and action.status == PlanActionStatus.OPEN
    with pytest.raises(CaseworkError, match="why the action was cancelled"):
        actions.complete_plan_action(actor=personas["dana"], case_id=case.pk, action_id=action.pk,
                                     status="cancelled", note=" ", completed_on=TODAY, today=TODAY)
    actions.complete_plan_action(actor=personas["dana"], case_id=case.pk, action_id=action.pk, status="cancelled",
                                 note="Family moved away.", completed_on=TODAY, today=TODAY)
    action.refresh_from_db()
    assert action.status == "cancelled" and action.completed_by == personas["dana"]
    with pytest.raises(CaseworkError, match="already been completed"):
        actions.complete_plan_action(actor=personas["dana"], case_id=case.pk, action_id=action.pk, status="done",
                                     note="", completed_on=TODAY, today=TODAY)


def test_the_plan_is_agreed_from_assessment_with_at_least_one_action(case, personas):
    with pytest.raises(CaseworkError, match="at least one plan action"):
        actions.agree_plan(actor=personas["dana"], case_id=case.pk, agreed_on=TODAY, today=TODAY)
    _action(case, personas)
    actions.agree_plan(actor=personas["dana"], case_id=case.pk, agreed_on=TODAY, today=TODAY)
    case.refresh_from_db()
    assert case.state == CaseState.PLAN and case.plan_agreed_on == TODAY
    with pytest.raises(CaseworkError, match="cannot move"):
        actions.agree_plan(actor=personas["dana"], case_id=case.pk, agreed_on=TODAY, today=TODAY)


def test_reviews_set_the_next_review_twelve_weeks_on_by_default(case, personas):
    actions.record_review(actor=personas["dana"], case_id=case.pk, held_on=date(2026, 3, 10), summary="Progress.",
                          today=date(2026, 3, 10))
    case.refresh_from_db()
    assert case.next_review_due == date(2026, 6, 2)
    actions.record_review(actor=personas["dana"], case_id=case.pk, held_on=date(2026, 3, 20), summary="Again.",
                          next_review_due=date(2026, 4, 20), today=date(2026, 3, 20))
    case.refresh_from_db()
    assert case.next_review_due == date(2026, 4, 20)
    with pytest.raises(CaseworkError, match="after this one"):
        actions.record_review(actor=personas["dana"], case_id=case.pk, held_on=date(2026, 3, 20), summary="x",
                              next_review_due=date(2026, 3, 19), today=date(2026, 3, 20))


def test_a_strategy_discussion_sets_its_clocks_and_involves_the_agencies(case, personas, agencies, people):
    discussion = actions.record_strategy_discussion(
        actor=personas["erin"], case_id=case.pk, held_on=TODAY, decision=StrategyDecision.SECTION_47,
        agency_ids=[agencies["police"].pk, agencies["school"].pk, agencies["csc"].pk],
        rationale="Reasonable cause to suspect significant harm.", today=TODAY)
    clocks = {c.kind: c.due_on for c in discussion.clocks.all()}
    assert clocks == {"follow_up_meeting": date(2026, 3, 9), "initial_conference": date(2026, 3, 23),
                      "assessment": date(2026, 5, 7)}
    assert Involvement.objects.filter(person=people["kayleigh"], agency=agencies["school"],
                                      kind=InvolvementKind.WORKING_WITH).exists()
    follow_up = discussion.clocks.get(kind="follow_up_meeting")
    with pytest.raises(CaseworkError, match="before the strategy discussion"):
        actions.mark_clock_met(actor=personas["erin"], case_id=case.pk, clock_id=follow_up.pk,
                               met_on=date(2026, 3, 1), today=date(2026, 3, 6))
    actions.mark_clock_met(actor=personas["erin"], case_id=case.pk, clock_id=follow_up.pk,
                           met_on=date(2026, 3, 6), today=date(2026, 3, 6))
    follow_up.refresh_from_db()
    assert follow_up.met_on == date(2026, 3, 6) and follow_up.marked_by == personas["erin"]
    assert AuditEvent.objects.get(event_type="strategy_discussion.clock_met").details["on_time"] is True


def test_agencies_from_another_partnership_cannot_attend(case, personas, agencies):
    with pytest.raises(CaseworkError, match="agencies that took part"):
        actions.record_strategy_discussion(
            actor=personas["erin"], case_id=case.pk, held_on=TODAY, decision=StrategyDecision.NO_SECTION_47,
            agency_ids=[agencies["elsewhere"].pk], rationale="x", today=TODAY)


# --- closure ---------------------------------------------------------------------------------


def test_closure_is_requested_then_approved_by_a_manager(case, personas):
    _action(case, personas)
    with pytest.raises(CaseworkError, match="open plan action"):
        actions.request_closure(actor=personas["erin"], case_id=case.pk, reason="Risk reduced.")
    _close_all_actions(case, personas)
    request = actions.request_closure(actor=personas["erin"], case_id=case.pk, reason="Risk reduced.")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSURE_REQUESTED and request.previous_state == CaseState.ASSESSMENT
    with pytest.raises(CaseworkError, match="already been asked"):
        actions.request_closure(actor=personas["alice"], case_id=case.pk, reason="again")

    actions.decide_closure(actor=personas["dana"], case_id=case.pk, approve=True, note="Agreed: risk now low.")
    case.refresh_from_db()
    request.refresh_from_db()
    assert case.state == CaseState.CLOSED and case.closure == request and case.closed_at is not None
    assert request.decision == ClosureDecision.APPROVED and request.decided_by == personas["dana"]
    assert AuditEvent.objects.filter(event_type="case.closure_approved", person_id=case.person_id).exists()
    # A closed case takes no more changes, and a new case may now be opened.
    with pytest.raises(CaseworkError, match="closed"):
        actions.record_risk_level(actor=personas["dana"], case_id=case.pk, level="high", rationale="x")
    actions.open_case(actor=personas["erin"], person_id=case.person_id, reason="New concerns.",
                      lead_professional_id=personas["dana"].pk)


def test_a_returned_request_goes_back_to_where_the_case_was(case, personas):
    _action(case, personas)
    actions.agree_plan(actor=personas["dana"], case_id=case.pk, agreed_on=TODAY, today=TODAY)
    _close_all_actions(case, personas)
    actions.request_closure(actor=personas["alice"], case_id=case.pk, reason="Doing well.")
    with pytest.raises(CaseworkError, match="Say why"):
        actions.decide_closure(actor=personas["dana"], case_id=case.pk, approve=False, note="")
    actions.decide_closure(actor=personas["dana"], case_id=case.pk, approve=False, note="Wait for the review.")
    case.refresh_from_db()
    assert case.state == CaseState.PLAN and case.closure is None
    assert ClosureRequest.objects.get(case=case).decision == ClosureDecision.RETURNED


@pytest.mark.parametrize("username", ["alice", "frank", "grace"])
def test_only_managers_and_coordinators_decide(case, personas, username):
    actions.request_closure(actor=personas["erin"], case_id=case.pk, reason="Risk reduced.")
    with pytest.raises(PermissionDenied):
        actions.decide_closure(actor=personas[username], case_id=case.pk, approve=True, note="")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSURE_REQUESTED


def test_nobody_approves_their_own_request(case, personas):
    actions.request_closure(actor=personas["dana"], case_id=case.pk, reason="Risk reduced.")
    with pytest.raises(PermissionDenied):
        actions.decide_closure(actor=personas["dana"], case_id=case.pk, approve=True, note="")
    # Another decider can: a coordinator may do everything within the partnership.
    actions.decide_closure(actor=personas["erin"], case_id=case.pk, approve=True, note="")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED


def test_without_a_request_there_is_nothing_to_approve(case, personas):
    with pytest.raises(CaseworkError, match="no closure request"):
        actions.decide_closure(actor=personas["dana"], case_id=case.pk, approve=True, note="")


def test_a_case_cannot_be_closed_any_other_way(case, personas):
    # Not by a bulk update: the database refuses a closed case without a decision.
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(state=CaseState.CLOSED)
    # Not by saving the model.
    case.state = CaseState.CLOSED
    with pytest.raises(ValueError, match="approved closure decision"):
        case.save()
    # Not with a request that was never approved.
    request = actions.request_closure(actor=personas["erin"], case_id=case.pk, reason="x")
    case.refresh_from_db()
    case.state, case.closure = CaseState.CLOSED, request
    with pytest.raises(ValueError, match="approved closure decision"):
        case.save()
    # Not with a made-up state either.
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=case.pk).update(state="archived")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSURE_REQUESTED


def test_the_known_to_flag_gets_the_lead_and_risk_of_the_open_case_only(case, personas, people):
    from wrekin.casework.known_to import lead_professional_and_risk_band

    assert lead_professional_and_risk_band(people["kayleigh"]) == (personas["dana"], "")
    actions.record_risk_level(actor=personas["dana"], case_id=case.pk, level="high", rationale="Seen in cars.")
    assert lead_professional_and_risk_band(people["kayleigh"]) == (personas["dana"], "High")
    assert lead_professional_and_risk_band(people["daniel"]) == (None, "")
    actions.request_closure(actor=personas["erin"], case_id=case.pk, reason="Risk reduced.")
    actions.decide_closure(actor=personas["dana"], case_id=case.pk, approve=True, note="")
    assert lead_professional_and_risk_band(people["kayleigh"]) == (None, "")
