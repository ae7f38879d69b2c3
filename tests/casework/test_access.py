"""Every casework URL, as every persona: hand-written expected statuses, IDOR attempts included.

A case is visible exactly when its child is; changes need a case-content role; deciding on
a closure needs a team manager or a coordinator. Expected answers are written out here from
those rules, not computed by the policy, so widening access fails these tests.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS
from wrekin.casework import actions
from wrekin.casework.models import Case, CaseState, StrategyDecision

COVERED_URL_NAMES = {
    "casework:list", "casework:find_child", "casework:person_cases", "casework:open_case",
    "casework:chronology", "casework:chronology_csv", "casework:chronology_pdf", "casework:detail",
    "casework:change_lead", "casework:add_member", "casework:remove_member", "casework:record_risk",
    "casework:agree_plan", "casework:add_action", "casework:complete_action", "casework:record_review",
    "casework:record_strategy", "casework:mark_clock", "casework:request_closure", "casework:decide_closure",
}

EVERYONE = set(PERSONAS)
CASE_CONTENT = {"alice", "bob", "charlie", "dana", "erin", "frank", "grace", "oscar"}
# Who sees each child (tests/conftest.py `people`), and so each child's case.
SEES_KAYLEIGH = {"alice", "frank", "dana", "erin", "grace"}
SEES_JAYDEN = {"charlie", "erin", "frank"}
SEES_ELSEWHERE = {"oscar"}
DECIDERS = {"dana", "erin", "oscar"}  # team managers and coordinators


@pytest.fixture
def world(personas, people, agencies, case):
    """Kayleigh's case (with a removable member, an open action, a clock and a pending closure
    request by erin), and cases for Jayden and for a child in another partnership."""
    erin = personas["erin"]
    member = actions.add_team_member(actor=erin, case_id=case.pk, user_id=personas["alice"].pk,
                                     role_in_team="Police exploitation officer")
    action = actions.add_plan_action(actor=erin, case_id=case.pk, description="Home visit",
                                     owner_id=personas["dana"].pk, due_on=date(2027, 1, 5))
    discussion = actions.record_strategy_discussion(
        actor=erin, case_id=case.pk, held_on=date(2026, 3, 2), agency_ids=[agencies["police"].pk],
        decision=StrategyDecision.SECTION_47, rationale="Significant harm suspected.")
    clock = discussion.clocks.first()

    jayden = actions.open_case(actor=personas["charlie"], person_id=people["jayden"].pk, reason="School absence.",
                               lead_professional_id=personas["charlie"].pk)
    jayden_action = actions.add_plan_action(actor=personas["charlie"], case_id=jayden.pk, description="GP review",
                                            owner_id=personas["charlie"].pk, due_on=date(2027, 1, 5))
    jayden_member = jayden.team.get(user=personas["charlie"])
    jayden_clock = actions.record_strategy_discussion(
        actor=erin, case_id=jayden.pk, held_on=date(2026, 3, 2), agency_ids=[agencies["health"].pk],
        decision=StrategyDecision.NO_SECTION_47, rationale="Other support.").clocks.first()
    elsewhere = actions.open_case(actor=personas["oscar"], person_id=people["elsewhere"].pk, reason="Missing.",
                                  lead_professional_id=personas["oscar"].pk)
    return {
        "kayleigh": people["kayleigh"], "case": case, "member": member, "action": action, "clock": clock,
        "jayden": jayden, "jayden_action": jayden_action, "jayden_member": jayden_member,
        "jayden_clock": jayden_clock, "elsewhere": elsewhere, "elsewhere_person": people["elsewhere"],
    }


def _seen(users):
    return lambda u: 403 if u not in CASE_CONTENT else (200 if u in users else 404)


def _cases(w):
    k, c = w["kayleigh"].pk, w["case"].pk
    seen_k = _seen(SEES_KAYLEIGH)
    rows = [
        ("casework:list", {}, lambda u: 200 if u in CASE_CONTENT else 403),
        ("casework:find_child", {}, lambda u: 200 if u in CASE_CONTENT else 403),
    ]
    for name in ("person_cases", "open_case", "chronology", "chronology_csv", "chronology_pdf"):
        rows.append((f"casework:{name}", {"pk": k}, seen_k))
    for name in ("detail", "change_lead", "add_member", "record_risk", "agree_plan", "add_action",
                 "record_review", "record_strategy", "request_closure"):
        rows.append((f"casework:{name}", {"pk": c}, seen_k))
    rows += [
        ("casework:remove_member", {"pk": c, "member_pk": w["member"].pk}, seen_k),
        ("casework:complete_action", {"pk": c, "action_pk": w["action"].pk}, seen_k),
        ("casework:mark_clock", {"pk": c, "clock_pk": w["clock"].pk}, seen_k),
        ("casework:decide_closure", {"pk": c},
         lambda u: 403 if u not in DECIDERS else (200 if u in SEES_KAYLEIGH else 404)),
        # Another partnership's case and child: only its own coordinator.
        ("casework:detail", {"pk": w["elsewhere"].pk}, _seen(SEES_ELSEWHERE)),
        ("casework:chronology", {"pk": w["elsewhere_person"].pk}, _seen(SEES_ELSEWHERE)),
        ("casework:record_risk", {"pk": w["elsewhere"].pk}, _seen(SEES_ELSEWHERE)),
        # Another agency's case in this partnership.
        ("casework:detail", {"pk": w["jayden"].pk}, _seen(SEES_JAYDEN)),
        # IDOR: an action, a member and a clock of Jayden's case under Kayleigh's case id. Nobody.
        ("casework:complete_action", {"pk": c, "action_pk": w["jayden_action"].pk}, _seen(set())),
        ("casework:remove_member", {"pk": c, "member_pk": w["jayden_member"].pk}, _seen(set())),
        ("casework:mark_clock", {"pk": c, "clock_pk": w["jayden_clock"].pk}, _seen(set())),
        # An id that does not exist answers like one the user may not see.
        ("casework:detail", {"pk": 987654}, _seen(set())),
        ("casework:chronology", {"pk": 987654}, _seen(set())),
    ]
    return rows


@pytest.mark.parametrize("username", sorted(EVERYONE))
def test_every_url_as_every_persona(username, client_for, world):
    client = client_for(username)
    failures = []
    for name, kwargs, expected in _cases(world):
        response = client.get(reverse(name, kwargs=kwargs))
        if response.status_code != expected(username):
            failures.append(f"GET {name} {kwargs}: got {response.status_code}, expected {expected(username)}")
    assert not failures, f"{username}:\n" + "\n".join(failures)


def test_the_matrix_covers_every_casework_url(world):
    from django.urls import get_resolver

    resolver = get_resolver()
    names = {f"casework:{p.name}" for p in resolver.namespace_dict["casework"][1].url_patterns if p.name}
    assert names == COVERED_URL_NAMES
    assert {name for name, _, _ in _cases(world)} == COVERED_URL_NAMES


def test_anonymous_is_sent_to_sign_in(client, world):
    for name, kwargs, _ in _cases(world):
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), name


# --- the main POSTs ------------------------------------------------------------------------


def _risk_post(client, case_pk):
    return client.post(reverse("casework:record_risk", kwargs={"pk": case_pk}),
                       {"level": "high", "rationale": "Seen in a car at 2am."})


@pytest.mark.parametrize("username", sorted(EVERYONE))
def test_recording_risk_on_kayleighs_case(username, client_for, world):
    response = _risk_post(client_for(username), world["case"].pk)
    expected = 302 if username in SEES_KAYLEIGH else (404 if username in CASE_CONTENT else 403)
    assert response.status_code == expected
    assert world["case"].risk_levels.exists() == (expected == 302)


@pytest.mark.parametrize("username", sorted(EVERYONE))
def test_deciding_on_kayleighs_closure(username, client_for, world, personas):
    case = world["case"]
    actions.complete_plan_action(actor=personas["dana"], case_id=case.pk, action_id=world["action"].pk,
                                 status="done", note="", completed_on=date.today())
    actions.request_closure(actor=personas["alice"], case_id=case.pk, reason="Risk reduced.")
    response = client_for(username).post(reverse("casework:decide_closure", kwargs={"pk": case.pk}),
                                         {"decision": "approve", "note": "Agreed."})
    expected = (302 if username in SEES_KAYLEIGH else 404) if username in DECIDERS else 403
    assert response.status_code == expected
    case.refresh_from_db()
    assert (case.state == CaseState.CLOSED) == (expected == 302)


def test_the_requester_cannot_approve_through_the_page(client_for, world, personas):
    case = world["case"]
    actions.complete_plan_action(actor=personas["dana"], case_id=case.pk, action_id=world["action"].pk,
                                 status="done", note="", completed_on=date.today())
    actions.request_closure(actor=personas["dana"], case_id=case.pk, reason="Risk reduced.")
    client = client_for("dana")
    page = client.get(reverse("casework:decide_closure", kwargs={"pk": case.pk}))
    assert "someone else must decide" in page.content.decode()
    response = client.post(reverse("casework:decide_closure", kwargs={"pk": case.pk}),
                           {"decision": "approve", "note": ""})
    assert response.status_code == 200 and "someone else must decide" in response.content.decode()
    case.refresh_from_db()
    assert case.state == CaseState.CLOSURE_REQUESTED


@pytest.mark.parametrize("username", ["erin", "alice"])
def test_idor_posts_change_nothing(username, client_for, world):
    client = client_for(username)
    c = world["case"].pk
    url = reverse("casework:complete_action", kwargs={"pk": c, "action_pk": world["jayden_action"].pk})
    response = client.post(url, {"status": "done", "completed_on": "02/03/2026", "note": ""})
    assert response.status_code == 404
    world["jayden_action"].refresh_from_db()
    assert world["jayden_action"].status == "open"
    response = client.post(reverse("casework:mark_clock", kwargs={"pk": c, "clock_pk": world["jayden_clock"].pk}),
                           {"met_on": "03/03/2026"})
    assert response.status_code == 404
    world["jayden_clock"].refresh_from_db()
    assert world["jayden_clock"].met_on is None
    # Another partnership's case, posted to directly.
    assert _risk_post(client, world["elsewhere"].pk).status_code == 404
    assert not Case.objects.get(pk=world["elsewhere"].pk).risk_levels.exists()


def test_opening_a_case_for_an_invisible_child_is_refused(client_for, world, people, personas):
    response = client_for("bob").post(reverse("casework:open_case", kwargs={"pk": people["jayden"].pk}),
                                      {"reason": "x", "lead_professional": personas["bob"].pk})
    assert response.status_code == 404
