"""Casework through the pages, as the personas would use them.

Every form is posted with bad input: the page comes back with a GOV.UK error summary, the
message beside the field, and what was typed still in the form; nothing is saved.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from wrekin.audit.models import AuditEvent
from wrekin.casework import actions
from wrekin.casework.models import Case, CaseState, PlanAction, StrategyDiscussion

TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _frozen(freeze_today):
    freeze_today(TODAY)


def _html(response) -> str:
    return response.content.decode()


def _assert_error_page(response, messages, typed=()):
    assert response.status_code == 200
    html = _html(response)
    assert "There is a problem" in html and "<title>Error: " in html
    for message in messages:
        assert message in html, message
    for text in typed:
        assert text in html, text


def test_erin_finds_kayleigh_and_opens_a_case(client_for, people, personas):
    client = client_for("erin")
    response = client.post(reverse("casework:find_child"), {"q": "Kayleigh Smith 2010"})
    matches = response.context["matches"]
    assert [m.person.pk for m in matches] == [people["kayleigh"].pk]  # not the other partnership's Kayleigh
    assert AuditEvent.objects.filter(event_type="person.searched", details__for="open_case").exists()
    url = reverse("casework:person_cases", args=[people["kayleigh"].pk])
    assert url in _html(response)
    page = client.get(url)
    assert "Open a case" in _html(page) and page.context["can_open"]

    response = client.post(reverse("casework:open_case", args=[people["kayleigh"].pk]),
                           {"reason": "Missing twice in March.", "lead_professional": personas["erin"].pk})
    case = Case.objects.get(person=people["kayleigh"])
    assert response.status_code == 302 and response["Location"] == reverse("casework:detail", args=[case.pk])
    page = client.get(response["Location"])
    html = _html(page)
    assert "Kayleigh Smith" in html and "Assessment" in html and "25 May 2026" in html  # first review
    assert AuditEvent.objects.filter(event_type="case.viewed", person_id=people["kayleigh"].pk).count() == 1


def test_open_case_errors_keep_what_was_typed(client_for, people):
    response = client_for("erin").post(reverse("casework:open_case", args=[people["kayleigh"].pk]),
                                       {"reason": "Seen at the taxi rank at 1am.", "lead_professional": ""})
    _assert_error_page(response, ["Choose the lead professional"], ["Seen at the taxi rank at 1am."])
    response = client_for("erin").post(reverse("casework:open_case", args=[people["kayleigh"].pk]),
                                       {"reason": "", "lead_professional": "999999"})
    _assert_error_page(response, ["Say why the case is being opened", "Choose a professional from the list"])
    assert not Case.objects.exists()


def test_open_case_page_for_a_child_with_an_open_case_points_to_it(client_for, case, people):
    response = client_for("erin").get(reverse("casework:open_case", args=[people["kayleigh"].pk]))
    assert "already has an open case" in _html(response)
    assert reverse("casework:detail", args=[case.pk]) in _html(response)
    response = client_for("erin").post(reverse("casework:open_case", args=[people["kayleigh"].pk]),
                                       {"reason": "x", "lead_professional": case.lead_professional_id})
    assert response.status_code == 200 and Case.objects.count() == 1


def test_find_child_needs_a_name(client_for, people):
    response = client_for("erin").post(reverse("casework:find_child"), {"q": ""})
    _assert_error_page(response, ["Enter the child&#x27;s name to search for"])


def _form_url(name, case, **extra):
    return reverse(f"casework:{name}", kwargs={"pk": case.pk, **extra})


def test_add_team_member_and_its_errors(client_for, case, personas, people):
    client = client_for("erin")
    response = client.post(_form_url("add_member", case), {"user": "", "role_in_team": "School safeguarding lead"})
    _assert_error_page(response, ["Choose the professional to add"], ['value="School safeguarding lead"'])
    # Already on the team: the action's message lands beside the field.
    response = client.post(_form_url("add_member", case), {"user": personas["dana"].pk, "role_in_team": "Again"})
    _assert_error_page(response, ["already on the team"], ['value="Again"'])
    response = client.post(_form_url("add_member", case), {"user": personas["bob"].pk,
                                                            "role_in_team": "School safeguarding lead"})
    assert response.status_code == 302 and response["Location"].endswith("#team")
    assert case.team.filter(user=personas["bob"]).exists()
    # Bob's school can now see Kayleigh and her case.
    assert client_for("bob").get(reverse("casework:detail", args=[case.pk])).status_code == 200


def test_remove_team_member_needs_confirmation(client_for, case, personas):
    member = actions.add_team_member(actor=personas["erin"], case_id=case.pk, user_id=personas["alice"].pk,
                                     role_in_team="Police exploitation officer")
    client = client_for("erin")
    url = _form_url("remove_member", case, member_pk=member.pk)
    _assert_error_page(client.post(url, {}), ["Confirm that you want to remove this professional"])
    assert client.post(url, {"confirm": "on"}).status_code == 302
    member.refresh_from_db()
    assert member.removed_on == TODAY
    assert client.get(url).status_code == 404  # no longer a current member


def test_change_lead_and_its_errors(client_for, case, personas):
    client = client_for("erin")
    _assert_error_page(client.post(_form_url("change_lead", case), {"lead_professional": ""}),
                       ["Choose the new lead professional"])
    _assert_error_page(client.post(_form_url("change_lead", case), {"lead_professional": personas["dana"].pk}),
                       ["already the lead"])
    assert client.post(_form_url("change_lead", case), {"lead_professional": personas["alice"].pk}).status_code == 302
    case.refresh_from_db()
    assert case.lead_professional == personas["alice"]


def test_record_risk_and_its_errors(client_for, case):
    client = client_for("alice")
    response = client.post(_form_url("record_risk", case), {"level": "", "rationale": "Two missing episodes.",
                                                            "basis": "Police log", "screening_id": "abc"})
    _assert_error_page(response, ["Choose the risk level", "Enter the screening reference as a number"],
                       ["Two missing episodes.", 'value="Police log"', 'value="abc"'])
    response = client.post(_form_url("record_risk", case), {"level": "high", "rationale": "Two missing episodes.",
                                                            "basis": "Police log", "screening_id": "12"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.risk_level == "high" and case.risk_levels.get().screening_id == 12
    assert "High risk" in _html(client.get(reverse("casework:detail", args=[case.pk])))


def test_add_and_complete_plan_actions_with_errors(client_for, case, personas):
    client = client_for("dana")
    response = client.post(_form_url("add_action", case), {"description": "Weekly sessions with Kayleigh",
                                                           "owner": personas["alice"].pk, "due_on": "31/02/2026"})
    _assert_error_page(response, ["Choose a team member from the list", "day/month/year"],
                       ["Weekly sessions with Kayleigh", 'value="31/02/2026"'])
    response = client.post(_form_url("add_action", case), {"description": "Weekly sessions with Kayleigh",
                                                           "owner": personas["dana"].pk, "due_on": "01/03/2026"})
    _assert_error_page(response, ["today or in the future"], ['value="01/03/2026"'])
    response = client.post(_form_url("add_action", case), {"description": "Weekly sessions with Kayleigh",
                                                           "owner": personas["dana"].pk, "due_on": "16/03/2026"})
    assert response.status_code == 302
    action = PlanAction.objects.get()
    assert action.due_on == date(2026, 3, 16)

    url = _form_url("complete_action", case, action_pk=action.pk)
    response = client.post(url, {"status": "cancelled", "completed_on": "02/03/2026", "note": ""})
    _assert_error_page(response, ["Say why the action was cancelled"], ['value="02/03/2026"'])
    response = client.post(url, {"status": "", "completed_on": "", "note": "Kayleigh attended."})
    _assert_error_page(response, ["Choose whether the action was done or cancelled", "Enter the date"],
                       ["Kayleigh attended."])
    assert client.post(url, {"status": "done", "completed_on": "02/03/2026", "note": "Attended."}).status_code == 302
    action.refresh_from_db()
    assert action.status == "done"
    assert "already been completed" in _html(client.get(url))


def test_agree_plan_and_its_errors(client_for, case, personas):
    client = client_for("dana")
    response = client.post(_form_url("agree_plan", case), {"agreed_on": "02/03/2026"})
    _assert_error_page(response, ["Add at least one plan action"], ['value="02/03/2026"'])
    actions.add_plan_action(actor=personas["dana"], case_id=case.pk, description="Visit", owner_id=personas["dana"].pk,
                            due_on=date(2026, 3, 20))
    _assert_error_page(client.post(_form_url("agree_plan", case), {"agreed_on": "03/03/2026"}),
                       ["cannot be in the future"])
    assert client.post(_form_url("agree_plan", case), {"agreed_on": "02/03/2026"}).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.PLAN


def test_record_review_and_its_errors(client_for, case):
    client = client_for("dana")
    response = client.post(_form_url("record_review", case), {"held_on": "", "summary": "Good progress at school.",
                                                              "next_review_due": "not a date"})
    _assert_error_page(response, ["Enter the date of the review", "day/month/year"],
                       ["Good progress at school.", 'value="not a date"'])
    response = client.post(_form_url("record_review", case), {"held_on": "02/03/2026", "summary": "Good progress.",
                                                              "next_review_due": ""})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.next_review_due == date(2026, 5, 25)


def test_strategy_discussion_shows_its_clocks_on_the_case_page(client_for, case, agencies, freeze_today):
    client = client_for("erin")
    response = client.post(_form_url("record_strategy", case), {
        "held_on": "02/03/2026", "agencies": [agencies["police"].pk, agencies["csc"].pk], "decision": "section_47",
        "rationale": "Reasonable cause to suspect significant harm."})
    assert response.status_code == 302 and response["Location"].endswith("#strategy")
    discussion = StrategyDiscussion.objects.get()

    # Moving the clock on would time the session out: sign in again on each new day.
    freeze_today(date(2026, 3, 6))  # Friday: the follow-up meeting is due on Monday 9th
    client = client_for("erin")
    html = _html(client.get(reverse("casework:detail", args=[case.pk])))
    assert "Follow-up strategy meeting" in html and "9 March 2026" in html and "1 working day left" in html
    assert "23 March 2026" in html and "11 working days left" in html  # initial conference
    assert "7 May 2026" in html  # assessment, over Easter and the early May bank holiday

    freeze_today(date(2026, 3, 11))
    client = client_for("erin")
    html = _html(client.get(reverse("casework:detail", args=[case.pk])))
    assert "Overdue by 2 working days" in html
    follow_up = discussion.clocks.get(kind="follow_up_meeting")
    url = _form_url("mark_clock", case, clock_pk=follow_up.pk)
    _assert_error_page(client.post(url, {"met_on": "12/03/2026"}), ["cannot be in the future"],
                       ['value="12/03/2026"'])
    assert client.post(url, {"met_on": "10/03/2026"}).status_code == 302
    html = _html(client.get(reverse("casework:detail", args=[case.pk])))
    assert "Missed: meeting held on 10 March 2026, 1 working day late" in html
    conference = discussion.clocks.get(kind="initial_conference")
    client.post(_form_url("mark_clock", case, clock_pk=conference.pk), {"met_on": "11/03/2026"})
    html = _html(client.get(reverse("casework:detail", args=[case.pk])))
    assert "Met: conference held on 11 March 2026" in html


def test_strategy_discussion_errors_keep_input(client_for, case, agencies):
    response = client_for("erin").post(_form_url("record_strategy", case), {
        "held_on": "03/03/2026", "agencies": [agencies["police"].pk], "decision": "",
        "rationale": "Concerns about older males."})
    _assert_error_page(response, ["Choose the decision"], ["Concerns about older males.", 'value="03/03/2026"'])
    html = _html(response)
    assert f'value="{agencies["police"].pk}" checked' in html
    response = client_for("erin").post(_form_url("record_strategy", case), {
        "held_on": "03/03/2026", "agencies": [agencies["police"].pk], "decision": "no_section_47",
        "rationale": "Concerns about older males."})
    _assert_error_page(response, ["cannot be in the future"])
    assert not StrategyDiscussion.objects.exists()


def test_closure_request_and_decision_through_the_pages(client_for, case, personas):
    client = client_for("erin")
    _assert_error_page(client.post(_form_url("request_closure", case), {"reason": ""}),
                       ["Say why the case should close"])
    actions.add_plan_action(actor=personas["erin"], case_id=case.pk, description="Visit",
                            owner_id=personas["dana"].pk, due_on=date(2026, 3, 20))
    _assert_error_page(client.post(_form_url("request_closure", case), {"reason": "Risk now low."}),
                       ["Complete or cancel the 1 open plan action first"], ["Risk now low."])
    PlanAction.objects.update(status="cancelled", completed_on=TODAY, completion_note="Not needed.")
    assert client.post(_form_url("request_closure", case), {"reason": "Risk now low."}).status_code == 302

    dana = client_for("dana")
    page = dana.get(reverse("casework:detail", args=[case.pk]))
    assert "Approve or return the request" in _html(page)
    url = _form_url("decide_closure", case)
    assert "Risk now low." in _html(dana.get(url))
    _assert_error_page(dana.post(url, {"decision": "", "note": "Fine."}), ["Choose whether to approve or return"],
                       ["Fine."])
    _assert_error_page(dana.post(url, {"decision": "return", "note": ""}), ["Say why the case is not being closed"])
    assert dana.post(url, {"decision": "approve", "note": "Agreed at supervision."}).status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    html = _html(dana.get(reverse("casework:detail", args=[case.pk])))
    assert "Approved" in html and "Agreed at supervision." in html
    # A closed case's forms say so and take nothing.
    response = dana.post(_form_url("record_risk", case), {"level": "high", "rationale": "x"})
    assert response.status_code == 200 and "This case is closed" in _html(response)
    assert not case.risk_levels.exists()


def test_no_form_can_close_a_case_by_posting_a_state(client_for, case, personas):
    client = client_for("erin")
    for name in ("record_risk", "record_review", "agree_plan", "change_lead", "request_closure"):
        client.post(_form_url(name, case), {"state": "closed", "closed_at": "2026-03-02", "level": "high",
                                            "rationale": "x", "held_on": "02/03/2026", "summary": "x",
                                            "agreed_on": "02/03/2026", "reason": "x",
                                            "lead_professional": personas["alice"].pk})
    case.refresh_from_db()
    assert case.state != CaseState.CLOSED and case.closure is None


def test_case_list_filters_and_scope(client_for, case, personas, people):
    jayden = actions.open_case(actor=personas["erin"], person_id=people["jayden"].pk, reason="School absence.",
                               lead_professional_id=personas["charlie"].pk)
    actions.record_risk_level(actor=personas["erin"], case_id=jayden.pk, level="high", rationale="x")
    erin = client_for("erin")
    response = erin.get(reverse("casework:list"))
    assert list(response.context["page"].object_list) == []  # erin leads neither
    response = erin.get(reverse("casework:list"), {"scope": "all"})
    assert {c.pk for c in response.context["page"].object_list} == {case.pk, jayden.pk}
    assert "All open cases in the partnership" in _html(response)
    response = erin.get(reverse("casework:list"), {"scope": "all", "risk": "high"})
    assert [c.pk for c in response.context["page"].object_list] == [jayden.pk]
    response = erin.get(reverse("casework:list"), {"scope": "all", "risk": "none"})
    assert [c.pk for c in response.context["page"].object_list] == [case.pk]
    event = AuditEvent.objects.filter(event_type="case.list_viewed").last()
    assert event.details["risk"] == "none" and event.details["results"] == 1

    dana = client_for("dana")  # Kayleigh's lead; CSC cannot see Jayden
    assert [c.pk for c in dana.get(reverse("casework:list")).context["page"].object_list] == [case.pk]
    response = dana.get(reverse("casework:list"), {"scope": "all"})
    assert [c.pk for c in response.context["page"].object_list] == [case.pk]
    response = dana.get(reverse("casework:list"), {"scope": "everything", "state": "nonsense"})
    _assert_error_page(response, ["Select a valid choice"])


def test_reads_are_audited_before_showing(client_for, case, monkeypatch):
    client = client_for("dana")
    client.raise_request_exception = False

    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("wrekin.casework.views.record_event", broken)
    for url in (reverse("casework:detail", args=[case.pk]),
                reverse("casework:chronology", args=[case.person_id]),
                reverse("casework:chronology_csv", args=[case.person_id])):
        response = client.get(url)
        assert response.status_code == 500 and b"taxi" not in response.content and b"cars" not in response.content


def test_a_change_and_its_audit_event_commit_together(client_for, case, monkeypatch):
    client = client_for("dana")
    client.raise_request_exception = False

    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("wrekin.casework.actions.record_event", broken)
    response = client.post(_form_url("record_risk", case), {"level": "high", "rationale": "x"})
    assert response.status_code == 500
    case.refresh_from_db()
    assert case.risk_level == "" and not case.risk_levels.exists()
