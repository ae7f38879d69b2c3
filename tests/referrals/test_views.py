"""Referrals, triage, screening and approval through the pages, as the personas would use them."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.referrals.conftest import TODAY, all_answers, screening_post
from wrekin.audit.models import AuditEvent
from wrekin.core.timeline import chronology_for, worklist_for
from wrekin.people.models import Person
from wrekin.referrals import actions, queries
from wrekin.referrals.models import Referral, ReferralStatus, RescreeningFlag, Screening, ScreeningStatus

pytestmark = pytest.mark.usefixtures("frozen")


def referral_post(**overrides) -> dict:
    data = {
        "occurred_on": "01/05/2026",
        "narrative": "Seen getting into a silver car outside school at 15:30.",
        "indicators_risk_indicator": ["missing_repeat", "cars_unknown_adults"],
        "lawful_basis": "public_task",
        "special_category_condition": "safeguarding",
        "consent_status": "given",
        "consent_reason": "",
        "mentions-TOTAL_FORMS": "3",
        "mentions-INITIAL_FORMS": "0",
        "mentions-0-kind": "vehicle",
        "mentions-0-value": "AB12 CDE",
        "mentions-0-relationship": "child was picked up in",
        "mentions-0-detail": "silver hatchback",
    }
    data.update(overrides)
    return data


def _html(response) -> str:
    return response.content.decode()


def _checked(html: str, name: str, value: str) -> bool:
    return f'name="{name}" type="radio" value="{value}" checked' in html


# --- Finding the child --------------------------------------------------------------------------

def test_the_referrer_searches_for_the_child_first(client_for, people):
    client = client_for("bob")
    response = client.post(reverse("referrals:start"), {"q": "Danny Smyth 2010"})
    assert response.status_code == 200
    assert [m.person for m in response.context["matches"]] == [people["daniel"]]
    html = _html(response)
    assert reverse("referrals:create", args=[people["daniel"].pk]) in html
    event = AuditEvent.objects.get(event_type="person.searched")
    assert event.details == {"query": "Danny Smyth 2010", "results": 1, "for": "referral"}


def test_search_finds_only_children_the_referrer_can_see(client_for, people):
    response = client_for("bob").post(reverse("referrals:start"), {"q": "Kayleigh Smith 2010"})
    assert response.context["matches"] == []  # police-known Kayleigh is invisible to the school
    response = client_for("alice").post(reverse("referrals:start"), {"q": "Mohammed Khan"})
    assert response.context["matches"] == []  # a person of concern is not a child


def test_an_empty_search_says_what_to_do(client_for, people):
    response = client_for("bob").post(reverse("referrals:start"), {"q": ""})
    assert "Enter a name to search for" in _html(response) and response.context["matches"] is None


# --- Making a referral --------------------------------------------------------------------------

def test_a_school_refers_a_child_it_knows(client_for, people):
    client = client_for("bob")
    url = reverse("referrals:create", args=[people["daniel"].pk])
    form_page = client.get(url)
    assert form_page.status_code == 200
    html = _html(form_page)
    assert "Child exploitation screening (CSE and CCE), version 1" in html
    assert html.count('name="mentions-') >= 12  # 3 rows of 4 fields, plus the management fields

    response = client.post(url, referral_post())
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert referral.child == people["daniel"] and referral.indicators == ["missing_repeat", "cars_unknown_adults"]
    assert referral.mentions.get().normalised == "AB12CDE"

    detail = client.get(response["Location"])
    html = _html(detail)
    assert "Seen getting into a silver car" in html and "AB12 CDE" in html and "child was picked up in" in html
    assert "Public task — UK GDPR Article 6(1)(e)" in html and "Awaiting triage" in html
    assert AuditEvent.objects.filter(event_type="referral.viewed", object_id=str(referral.pk)).exists()


def test_referral_errors_are_listed_and_everything_typed_is_kept(client_for, people):
    client = client_for("bob")
    url = reverse("referrals:create", args=[people["daniel"].pk])
    response = client.post(url, referral_post(
        occurred_on="01/05/2027", narrative="Text that must survive the error.", consent_status="refused",
        **{"mentions-1-value": "07700 900123", "mentions-1-detail": "number on his phone"}))
    assert response.status_code == 200
    html = _html(response)
    assert "There is a problem" in html and re.search(r"<title>Error: ", html)
    for message in ("The date it happened must be today or in the past", "Explain why you are sharing without consent",
                    "Choose what kind of thing is mentioned"):
        assert message in html, message
    for typed in ('value="01/05/2027"', "Text that must survive the error.", 'value="07700 900123"',
                  'value="number on his phone"', 'value="AB12 CDE"', 'value="missing_repeat" checked',
                  'value="refused" checked'):
        assert typed in html, typed
    # The error summary links to the fields, in the order they appear on the page.
    anchors = ("id_occurred_on", "id_mentions-1-kind", "id_consent_reason")
    links = [html.index(f'href="#{anchor}"') for anchor in anchors]
    assert links == sorted(links)
    assert not Referral.objects.exists()


def test_required_fields_of_a_referral(client_for, people):
    response = client_for("bob").post(reverse("referrals:create", args=[people["daniel"].pk]), {
        "mentions-TOTAL_FORMS": "3", "mentions-INITIAL_FORMS": "0"})
    html = _html(response)
    for message in ("Enter the date it happened", "Describe what happened", "Choose the lawful basis for sharing",
                    "Say whether the child or family consented to sharing"):
        assert message in html, message


def test_add_another_adds_a_row_and_keeps_everything_without_errors(client_for, people):
    client = client_for("bob")
    url = reverse("referrals:create", args=[people["daniel"].pk])
    response = client.post(url, referral_post(narrative="Half written", add_mention="1",
                                              **{"mentions-1-kind": "phone", "mentions-1-value": "07700 900123"}))
    assert response.status_code == 200
    html = _html(response)
    assert "There is a problem" not in html
    assert 'name="mentions-3-value"' in html and 'name="mentions-4-value"' not in html
    assert 'value="4" id="id_mentions-TOTAL_FORMS"' in html
    for typed in ("Half written", 'value="AB12 CDE"', 'value="07700 900123"', 'value="phone" selected',
                  'value="cars_unknown_adults" checked'):
        assert typed in html, typed
    assert not Referral.objects.exists()
    # And the longer form submits.
    response = client.post(url, referral_post(**{"mentions-TOTAL_FORMS": "4", "mentions-3-kind": "online",
                                                 "mentions-3-value": "@night_rider"}))
    assert response.status_code == 302
    assert [m.normalised for m in Referral.objects.get().mentions.all()] == ["AB12CDE", "night_rider"]


def test_a_tampered_row_count_is_reported_not_lost_silently(client_for, people):
    data = referral_post()
    del data["mentions-TOTAL_FORMS"]
    response = client_for("bob").post(reverse("referrals:create", args=[people["daniel"].pk]), data)
    assert response.status_code == 200
    assert "could not be read" in _html(response) and not Referral.objects.exists()


def test_a_new_child_is_checked_against_known_children_before_being_recorded(client_for, people):
    client = client_for("bob")
    url = reverse("referrals:create_for_new_child")
    data = referral_post(**{"child-given_name": "Danny", "child-family_name": "Smyth",
                            "child-date_of_birth": "04/03/2010"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert [m.person for m in response.context["possible_matches"]] == [people["daniel"]]
    assert "This child may already be recorded" in _html(response)
    assert not Referral.objects.exists() and Person.objects.filter(given_name="Danny").count() == 0
    # Confirming that none of them is the child records the child and the referral together.
    response = client.post(url, {**data, "none_of_these": "on"})
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.child.given_name == "Danny" and referral.child.recorded_by_agency.code == "TEST-SCHOOL"


def test_a_new_child_with_no_match_is_recorded_straight_away(client_for, people):
    response = client_for("bob").post(reverse("referrals:create_for_new_child"), referral_post(
        **{"child-given_name": "Tia", "child-family_name": "Morgan", "child-approximate_age": "13"}))
    assert response.status_code == 302
    assert Referral.objects.get().child.approximate_age == 13


def test_new_child_errors_keep_what_was_typed(client_for, people):
    response = client_for("bob").post(reverse("referrals:create_for_new_child"), referral_post(
        narrative="Kept narrative", **{"child-given_name": "", "child-family_name": "Morgan",
                                       "child-date_of_birth": "31/02/2012"}))
    html = _html(response)
    assert "Enter the child&#x27;s given name" in html and "day/month/year" in html
    assert 'value="Morgan"' in html and 'value="31/02/2012"' in html and "Kept narrative" in html
    assert not Person.objects.filter(family_name="Morgan").exists()


def test_the_search_query_prefills_the_new_child(client_for, people):
    response = client_for("bob").post(reverse("referrals:create_for_new_child"),
                                      {"prefill_from_search": "Tyler Brookes 14/05/2012"})
    assert response.status_code == 200
    assert response.context["child_form"].initial == {"given_name": "Tyler", "family_name": "Brookes",
                                                      "date_of_birth": "14/05/2012"}
    assert "There is a problem" not in _html(response)


# --- Triage -------------------------------------------------------------------------------------------

@pytest.fixture
def daniel_referral(personas, people, instrument, frozen):
    return actions.record_referral(
        actor=personas["bob"], child=people["daniel"], occurred_on=TODAY, narrative="Picked up by a car at 15:30.",
        indicators=["cars_unknown_adults"], mentions=[], lawful_basis="public_task", consent_status="not_sought",
        consent_reason="Asking would alert the driver")


def test_the_triage_queue_lists_undecided_referrals_for_triagers(client_for, daniel_referral):
    response = client_for("dana").get(reverse("referrals:triage_queue"))
    assert response.status_code == 200
    html = _html(response)
    assert "Daniel Smyth" in html and reverse("referrals:triage", args=[daniel_referral.pk]) in html
    assert "1 referral awaiting triage" in html
    assert AuditEvent.objects.get(event_type="referral.queue_viewed").details == {"count": 1}


def test_a_triage_decision_without_a_reason_keeps_what_was_chosen(client_for, daniel_referral, agencies):
    client = client_for("erin")
    url = reverse("referrals:triage", args=[daniel_referral.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Picked up by a car at 15:30." in _html(page)
    response = client.post(url, {"outcome": "pass_on", "reason": ""})
    html = _html(response)
    assert "Explain why the referral is passed to that agency" in html
    assert "Choose the agency to pass the referral to" in html
    assert 'value="pass_on" checked' in html
    response = client.post(url, {"outcome": "no_further_action", "reason": "  "})
    assert "Explain why no further action is needed" in _html(response)
    daniel_referral.refresh_from_db()
    assert daniel_referral.status == ReferralStatus.AWAITING_TRIAGE


def test_triage_to_screening(client_for, daniel_referral, people):
    client = client_for("erin")
    response = client.post(reverse("referrals:triage", args=[daniel_referral.pk]),
                           {"outcome": "screen", "reason": "Car seen twice; needs screening"})
    assert response.status_code == 302
    detail = client.get(response["Location"])
    html = _html(detail)
    assert "Passed for screening" in html and "Car seen twice; needs screening" in html
    assert reverse("referrals:screening_create", args=[people["daniel"].pk]) + f"?referral={daniel_referral.pk}" in html
    # A second attempt goes to the referral instead of deciding twice.
    again = client.get(reverse("referrals:triage", args=[daniel_referral.pk]))
    assert again.status_code == 302


def test_passing_on_through_the_page(client_for, daniel_referral, agencies):
    response = client_for("dana").post(reverse("referrals:triage", args=[daniel_referral.pk]), {
        "outcome": "pass_on", "passed_to_agency": agencies["health"].pk, "reason": "Sexual health follow-up"})
    assert response.status_code == 302
    assert daniel_referral.triage.passed_to_agency == agencies["health"]


# --- Screening -----------------------------------------------------------------------------------------

def test_the_screening_form_shows_every_indicator_grouped(client_for, people, instrument):
    response = client_for("erin").get(reverse("referrals:screening_create", args=[people["kayleigh"].pk]))
    html = _html(response)
    assert response.status_code == 200
    for heading in ("Vulnerabilities", "Risk indicators", "Evidence of harm"):
        assert f'<h2 class="govuk-heading-m">{heading}</h2>' in html
    for indicator in instrument.indicators:
        assert f'name="{indicator["code"]}-answer"' in html
    assert html.count('wrekin-indicator') == len(instrument.indicators)
    assert "Leave blank for 3 months from today: 11 August 2026" in html


def test_a_screening_from_a_referral_starts_with_its_indicators(client_for, daniel_referral, people):
    client_for("erin").post(reverse("referrals:triage", args=[daniel_referral.pk]), {"outcome": "screen"})
    url = reverse("referrals:screening_create", args=[people["daniel"].pk]) + f"?referral={daniel_referral.pk}"
    html = _html(client_for("erin").get(url))
    assert _checked(html, "cars_unknown_adults-answer", "present")


def test_screening_errors_keep_every_answer(client_for, people, instrument):
    client = client_for("erin")
    url = reverse("referrals:screening_create", args=[people["kayleigh"].pk])
    data = screening_post(instrument, grade="", rationale="", missing_repeat="present",
                          online_contact="possible")
    del data["self_harm-answer"]
    data["online_contact-window"] = ""
    data["missing_repeat-note"] = "Three times since March"
    response = client.post(url, data)
    assert response.status_code == 200
    html = _html(response)
    for message in ("Answer “Self-harm, or an attempt to end their life”", "Say when “In touch online",
                    "Choose a grade", "Explain your judgement"):
        assert message in html, message
    assert html.index('href="#id_self_harm-answer_0"') < html.index('href="#id_grade_0"')  # page order
    assert _checked(html, "missing_repeat-answer", "present")
    assert _checked(html, "online_contact-answer", "possible")
    assert "Three times since March" in html
    assert not Screening.objects.exists()


@pytest.mark.parametrize("case, extra, answers, message", [
    ("learning disability", {"learning_disability": "on"}, {}, "has a learning disability"),
    ("disclosure", {}, {"disclosure": "present"}, "has made a disclosure"),
])
def test_override_rules_are_form_errors(client_for, people, instrument, case, extra, answers, message):
    url = reverse("referrals:screening_create", args=[people["kayleigh"].pk])
    response = client_for("erin").post(url, {**screening_post(instrument, grade="low", rationale="Kept rationale",
                                                              **answers), **extra})
    html = _html(response)
    assert message in html and "choose “Medium” or “High”" in html
    assert "Kept rationale" in html and 'value="low" checked' in html
    assert not Screening.objects.exists()


def test_under_13_override_uses_the_date_of_screening(client_for, agencies, instrument):
    from datetime import date

    from tests.conftest import make_person

    child = make_person(agencies["csc"], given="Mia", family="Hart", dob=date(2013, 5, 12))  # 13 tomorrow
    url = reverse("referrals:screening_create", args=[child.pk])
    page = client_for("erin").get(url)
    assert "is under 13, so cannot be graded no risk identified or low" in _html(page)
    response = client_for("erin").post(url, screening_post(instrument, grade="no_risk", rationale="Nothing known"))
    assert "was under 13 on the screening date" in _html(response)


def test_a_screening_is_submitted_and_shows_its_advisory_score_with_parts(client_for, people, instrument):
    client = client_for("erin")
    url = reverse("referrals:screening_create", args=[people["kayleigh"].pk])
    response = client.post(url, screening_post(instrument, grade="medium", missing_repeat="present",
                                               unexplained_items="possible"))
    screening = Screening.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:screening_detail", args=[screening.pk])
    html = _html(client.get(response["Location"]))
    assert "Advisory score: 4" in html and "Advisory only" in html
    assert 'id="score-parts"' in html and "Missing from home more than once" in html
    assert "Medium" in html and "Awaiting approval" in html and "version 1" in html
    assert AuditEvent.objects.filter(event_type="screening.viewed", object_id=str(screening.pk)).exists()


# --- Approval --------------------------------------------------------------------------------------------

@pytest.fixture
def kayleigh_screening(personas, people, instrument):
    return actions.record_screening(actor=personas["erin"], child=people["kayleigh"], grade="medium",
                                    answers=all_answers(instrument, missing_repeat="present"),
                                    rationale="Two missing episodes", today=TODAY)


def test_a_manager_approves_a_screening(client_for, kayleigh_screening):
    client = client_for("dana")
    assert kayleigh_screening in client.get(reverse("referrals:approvals")).context["screenings"]
    url = reverse("referrals:screening_approval", args=[kayleigh_screening.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"decision": "approve"})
    assert response.status_code == 302
    kayleigh_screening.refresh_from_db()
    assert kayleigh_screening.status == ScreeningStatus.APPROVED


def test_returning_without_a_reason_is_an_error_that_keeps_the_choice(client_for, kayleigh_screening):
    url = reverse("referrals:screening_approval", args=[kayleigh_screening.pk])
    response = client_for("dana").post(url, {"decision": "return", "reason": ""})
    html = _html(response)
    assert "Explain what needs to change" in html and 'value="return" checked' in html
    response = client_for("dana").post(url, {"decision": "", "reason": "typed"})
    assert "Choose whether to approve the screening or return it" in _html(response)
    kayleigh_screening.refresh_from_db()
    assert kayleigh_screening.status == ScreeningStatus.AWAITING_APPROVAL


def test_a_returned_screening_is_revised_from_its_answers(client_for, kayleigh_screening, instrument):
    client_for("dana").post(reverse("referrals:screening_approval", args=[kayleigh_screening.pk]),
                            {"decision": "return", "reason": "Add the car sightings"})
    client = client_for("erin")
    html = _html(client.get(reverse("referrals:screening_detail", args=[kayleigh_screening.pk])))
    assert "Returned for changes" in html and "Add the car sightings" in html and "Revise this screening" in html
    url = (reverse("referrals:screening_create", args=[kayleigh_screening.child_id])
           + f"?revises={kayleigh_screening.pk}")
    form_html = _html(client.get(url))
    assert _checked(form_html, "missing_repeat-answer", "present") and "Two missing episodes" in form_html
    response = client.post(url, screening_post(instrument, grade="high", missing_repeat="present",
                                               cars_unknown_adults="present"))
    assert response.status_code == 302
    assert Screening.objects.get(revises=kayleigh_screening).grade == "high"


def test_a_manager_is_sent_back_from_approving_their_own_screening(client_for, personas, people, instrument):
    own = actions.record_screening(actor=personas["dana"], child=people["kayleigh"], grade="medium",
                                   answers=all_answers(instrument), rationale="r", today=TODAY)
    response = client_for("dana").get(reverse("referrals:screening_approval", args=[own.pk]))
    assert response.status_code == 302
    assert own not in client_for("dana").get(reverse("referrals:approvals")).context["screenings"]


# --- Re-screening, work lists and chronology -------------------------------------------------------------

def test_new_information_after_an_approved_screening_asks_for_re_screening(client_for, personas, people,
                                                                          kayleigh_screening):
    actions.approve_screening(actor=personas["dana"], screening_id=kayleigh_screening.pk)
    client = client_for("alice")
    response = client.post(reverse("referrals:create", args=[people["kayleigh"].pk]), referral_post())
    assert response.status_code == 302
    assert RescreeningFlag.objects.filter(child=people["kayleigh"], resolved_by__isnull=True).count() == 1
    html = _html(client_for("erin").get(reverse("referrals:person_screenings", args=[people["kayleigh"].pk])))
    assert "Re-screening needed" in html
    items = [i for i in worklist_for(personas["erin"]) if i.heading == queries.HEADING_RESCREEN]
    assert [i.title for i in items] == ["Kayleigh Smith"]
    assert not [i for i in worklist_for(personas["bob"]) if i.heading == queries.HEADING_RESCREEN]


def test_work_lists(personas, people, daniel_referral, kayleigh_screening):
    erin = {(i.heading, i.title) for i in worklist_for(personas["erin"])}
    assert (queries.HEADING_TRIAGE, "Daniel Smyth — from Severn Vale Academy") in erin
    dana = worklist_for(personas["dana"])
    assert [i.title for i in dana if i.heading == queries.HEADING_APPROVAL] == ["Kayleigh Smith"]
    assert not [i for i in worklist_for(personas["bob"]) if i.heading in (queries.HEADING_TRIAGE,
                                                                           queries.HEADING_APPROVAL)]
    # The triage decision is due the next working day: received Monday 11 May, due Tuesday 12 May.
    triage_item = next(i for i in worklist_for(personas["erin"]) if i.heading == queries.HEADING_TRIAGE)
    assert str(triage_item.due) == "2026-05-12" and not triage_item.overdue


def test_reviews_fall_due_on_the_work_list(personas, people, kayleigh_screening):
    from datetime import date

    actions.approve_screening(actor=personas["dana"], screening_id=kayleigh_screening.pk)
    assert not queries.review_worklist(personas["erin"], today=date(2026, 7, 1))
    items = queries.review_worklist(personas["erin"], today=date(2026, 8, 1))  # due 11 August
    assert [(i.title, i.due, i.overdue) for i in items] == [("Kayleigh Smith", date(2026, 8, 11), False)]
    assert queries.review_worklist(personas["erin"], today=date(2026, 8, 12))[0].overdue
    # Police are involved with Kayleigh too; the school is not.
    assert queries.review_worklist(personas["alice"], today=date(2026, 8, 12))
    assert not queries.review_worklist(personas["bob"], today=date(2026, 8, 12))


def test_returned_screenings_reach_the_screener(personas, kayleigh_screening):
    actions.return_screening(actor=personas["dana"], screening_id=kayleigh_screening.pk, reason="More detail")
    assert [i.title for i in queries.returned_worklist(personas["erin"])] == ["Kayleigh Smith"]


def test_the_chronology_shows_referrals_and_screenings_to_those_who_may_see_them(personas, people, daniel_referral):
    actions.triage_referral(actor=personas["erin"], referral_id=daniel_referral.pk, outcome="screen")
    entries = [e for e in chronology_for(people["daniel"], personas["bob"]) if e.source.startswith("referrals.")]
    assert [e.event_type for e in entries] == ["referral", "referral_triage"]
    assert entries[0].title == "Referral from Severn Vale Academy" and "Picked up by a car" in entries[0].summary
    assert not [e for e in chronology_for(people["daniel"], personas["alice"]) if e.source.startswith("referrals.")]
