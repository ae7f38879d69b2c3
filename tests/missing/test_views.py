"""Missing episodes through the pages, as the personas would use them, with time frozen."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import sign_in
from tests.missing.conftest import at
from wrekin.audit.models import AuditEvent
from wrekin.core.timeline import chronology_for, worklist_for
from wrekin.missing import timeline
from wrekin.missing.models import AlertStatus, InterviewOutcome, MissingEpisode, MissingPatternAlert
from wrekin.people.models import Involvement

NOW = at(2026, 6, 1, 12)  # Monday 1 June 2026, 12:00 BST


@pytest.fixture(autouse=True)
def frozen(freeze):
    return freeze(NOW)


def _episode_data(**overrides):
    data = {
        "reported_date": "30/5/2026", "reported_time": "21:15", "reported_by": "Residential home staff",
        "last_seen_where": "Wellington bus station", "missing_from_care_placement": "yes",
        "police_reference": "WM-2605-0042", "police_risk_grade": "medium",
        "circumstances": "Did not return to the children's home after school.",
    }
    data.update(overrides)
    return data


def _html(response) -> str:
    return response.content.decode()


def _record(client, child, **overrides):
    return client.post(reverse("missing:record_episode", args=[child.pk]), _episode_data(**overrides))


# --- Recording an episode -------------------------------------------------------------------------

def test_police_record_an_episode_and_see_it(client_for, people, personas):
    client = client_for("alice")
    kayleigh = people["kayleigh"]
    page = client.get(reverse("missing:child_episodes", args=[kayleigh.pk]))
    assert page.status_code == 200 and "No missing episodes recorded." in _html(page)
    assert client.get(reverse("missing:record_episode", args=[kayleigh.pk])).status_code == 200

    response = _record(client, kayleigh)
    episode = MissingEpisode.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("missing:episode_detail", args=[episode.pk])
    assert episode.reported_at == at(2026, 5, 30, 21, 15) and episode.missing_from_care_placement
    assert episode.police_risk_grade == "medium" and episode.recorded_by == personas["alice"]

    detail = client.get(response["Location"])
    html = _html(detail)
    assert "Missing episode recorded" in html
    assert "Still missing" in html and "Record their return" in html
    assert "Wellington bus station" in html and "WM-2605-0042" in html
    assert AuditEvent.objects.filter(event_type="missing.episode_viewed", object_id=str(episode.pk)).count() == 1

    listing = client.get(reverse("missing:child_episodes", args=[kayleigh.pk]))
    assert "Missing now: reported 30 May 2026 at 21:15" in _html(listing)
    assert "Record a missing episode" not in _html(listing)  # one open episode at a time
    assert AuditEvent.objects.filter(event_type="missing.episodes_listed").last().details == {"count": 1}


def test_not_yet_graded_is_an_explicit_answer(client_for, people):
    response = _record(client_for("dana"), people["kayleigh"], police_risk_grade="not_graded",
                       police_reference="")
    assert response.status_code == 302
    assert MissingEpisode.objects.get().police_risk_grade == ""


def test_errors_are_listed_and_what_was_typed_is_kept(client_for, people):
    client = client_for("alice")
    response = _record(client, people["kayleigh"], reported_date="2/6/2026", reported_time="25:61",
                       last_seen_where="", police_risk_grade="", missing_from_care_placement="",
                       returned_date="31/02/2026", with_whom="Two older males", vehicle_registration="ab12 c")
    assert response.status_code == 200
    html = _html(response)
    assert "There is a problem" in html
    assert re.search(r"<title>Error: Record a missing episode", html)
    for message in ("Enter the time they were reported missing like 21:30 or 9.30pm",
                    "Enter where they were last seen",
                    "Select the police risk grade, or that it is not yet graded",
                    "Select whether they were missing from a care placement",
                    "Enter the date they returned as day/month/year"):
        assert message in html, message
    for typed in ('value="2/6/2026"', 'value="25:61"', 'value="31/02/2026"', 'value="ab12 c"',
                  "Two older males", "Did not return to the children&#x27;s home after school."):
        assert typed in html, typed
    assert not MissingEpisode.objects.exists()


def test_future_and_back_to_front_times_are_refused_by_the_action_and_input_is_kept(client_for, people):
    client = client_for("alice")
    response = _record(client, people["kayleigh"], reported_date="1/6/2026", reported_time="12:05")
    html = _html(response)
    assert "The date and time reported missing cannot be in the future" in html
    assert 'href="#id_reported_date"' in html  # the summary links to the date field
    assert 'value="12:05"' in html

    response = _record(client, people["kayleigh"], returned_date="30/5/2026", returned_time="20:00",
                       found_where="Home")
    html = _html(response)
    assert ("The date and time they returned must be after they were reported missing "
            "(30 May 2026 at 21:15)") in html
    assert 'value="20:00"' in html and 'value="Home"' in html
    assert not MissingEpisode.objects.exists()


def test_rule_problems_show_with_the_forms_own(client_for, people):
    # A missing field and a return before the report: both are listed at once.
    response = _record(client_for("alice"), people["kayleigh"], last_seen_where="", returned_date="30/5/2026",
                       returned_time="20:00", found_where="Home")
    html = _html(response)
    assert "Enter where they were last seen" in html
    assert "must be after they were reported missing (30 May 2026 at 21:15)" in html


def test_a_return_needs_both_date_and_time_and_where(client_for, people):
    response = _record(client_for("alice"), people["kayleigh"], returned_date="31/5/2026")
    html = _html(response)
    assert "Enter the time they returned" in html and "Enter where they were found or returned to" in html


def test_a_time_that_did_not_exist_is_refused(client_for, people, freeze):
    freeze(at(2026, 4, 1, 12))
    response = _record(client_for("alice"), people["kayleigh"], reported_date="29/3/2026", reported_time="01:30")
    assert "01:30 did not happen on 29/03/2026: the clocks went forward" in _html(response)
    response = _record(client_for("alice"), people["kayleigh"], reported_date="29/3/2026", reported_time="2.30am")
    assert response.status_code == 302
    assert MissingEpisode.objects.get().reported_at == at(2026, 3, 29, 2, 30)


def test_an_overlapping_episode_is_explained_at_the_top(client_for, people, record_episode, personas):
    record_episode(personas["alice"], people["kayleigh"], at(2026, 5, 29, 20), now=NOW)
    response = _record(client_for("alice"), people["kayleigh"])
    html = _html(response)
    assert "Kayleigh Smith is already recorded as missing since 29 May 2026 at 20:00" in html
    assert "govuk-error-summary" in html


def test_missing_episodes_are_for_children(client_for, people):
    assert client_for("alice").get(reverse("missing:record_episode", args=[people["poc"].pk])).status_code == 404


# --- The return and the 72-hour clock -------------------------------------------------------------

def test_record_return_then_the_clock_counts_down_and_goes_overdue(client_for, people, record_episode,
                                                                  personas, freeze):
    episode = record_episode(personas["alice"], people["kayleigh"], at(2026, 5, 30, 21), now=NOW)
    client = client_for("alice")
    url = reverse("missing:record_return", args=[episode.pk])
    response = client.post(url, {"returned_date": "1/6/2026", "returned_time": "12:30", "found_where": "Home"})
    assert "The date and time they returned cannot be in the future" in _html(response)
    assert 'value="12:30"' in _html(response)

    response = client.post(url, {"returned_date": "1/6/2026", "returned_time": "09:00",
                                 "found_where": "Found by police at a house in Hadley",
                                 "with_whom": "Two older males", "travel_modes": ["car", "taxi"],
                                 "vehicle_registration": "AB12 C"})
    assert response.status_code == 302
    detail = client.get(response["Location"])
    html = _html(detail)
    assert "A return home interview must be offered by 4 June 2026 at 09:00" in html
    assert "Interview due" in html and "2 days 21 hours left to offer a return home interview." in html
    assert "Car, Taxi or private hire" in html and "AB12 C" in html
    # The return page is done: going back to it shows the episode.
    assert client.get(url)["Location"] == reverse("missing:episode_detail", args=[episode.pk])

    # Days later the session has expired, as it would: sign in again at each moment.
    freeze(at(2026, 6, 4, 9, 0))
    client = client_for("alice")
    assert "Due now." in _html(client.get(reverse("missing:episode_detail", args=[episode.pk])))
    freeze(at(2026, 6, 4, 15, 30))
    client = client_for("alice")
    html = _html(client.get(reverse("missing:episode_detail", args=[episode.pk])))
    assert "Overdue" in html and "No interview offered: overdue by 6 hours 30 minutes." in html


# --- Return home interviews -----------------------------------------------------------------------

@pytest.fixture
def returned(personas, people, record_episode):
    """Kayleigh returned on Friday 29 May 2026 at 09:00: an interview is due by Monday 1 June 09:00."""
    return record_episode(personas["alice"], people["kayleigh"], at(2026, 5, 28, 22), at(2026, 5, 29, 9), now=NOW)


def test_the_interviews_due_list_is_sorted_by_due_time_and_flags_overdue(client_for, people, personas,
                                                                        record_episode, returned, sam_client):
    # Daniel is known to the school; police record his episode (so police become involved), and
    # children's social care still cannot see him; the coordinator sees everyone.
    record_episode(personas["frank"], people["daniel"], at(2026, 5, 31, 1), at(2026, 5, 31, 10), now=NOW)
    jayden_open = record_episode(personas["frank"], people["jayden"], at(2026, 5, 31, 1), now=NOW)
    assert jayden_open.is_open

    html = _html(sam_client.get(reverse("missing:interviews_due")))
    assert "Kayleigh Smith" in html and "Daniel Smyth" not in html and "Jayden" not in html
    assert "Overdue" in html and "overdue by 3 hours" in html

    erin = client_for("erin")
    response = erin.get(reverse("missing:interviews_due"))
    due = response.context["due"]
    assert [item.episode.child.given_name for item in due] == ["Kayleigh", "Daniel"]
    assert [item.clock.state for item in due] == ["overdue", "running"]
    assert AuditEvent.objects.filter(event_type="missing.interviews_due_viewed").last().details == {
        "count": 2, "overdue": 1}

    bob = client_for("bob")
    assert _html(bob.get(reverse("missing:interviews_due"))).count("Kayleigh") == 0


def test_csc_records_a_late_interview_with_a_reason(sam_client, sam, returned):
    url = reverse("missing:record_interview", args=[returned.pk])
    page = sam_client.get(url)
    assert page.status_code == 200
    html = _html(page)
    assert "Overdue" in html and "An interview should be offered by Monday 1 June 2026 at 09:00" in html
    assert f'<option value="{sam.agency.pk}" selected>' in html  # the recorder's agency is the default

    data = {"outcome": "completed", "offered_date": "1/6/2026", "offered_time": "10:00",
            "offered_by_agency": str(sam.agency.pk), "completed_date": "1/6/2026", "completed_time": "11:30",
            "conducted_by": "Sam Jones, social worker", "location": "Kayleigh's home",
            "summary": "Went to a flat in Hadley with friends; was given cigarettes and a lift home."}
    response = sam_client.post(url, data)
    assert response.status_code == 200
    html = _html(response)
    assert ("Enter why the interview was not offered within 72 hours of the return "
            "(it was due by 1 June 2026 at 09:00)") in html
    assert 'href="#id_late_reason"' in html
    for typed in ('value="10:00"', 'value="Sam Jones, social worker"', "was given cigarettes and a lift home"):
        assert typed in html, typed
    assert not returned.interviews.exists()

    data["late_reason"] = "The police notification reached the team on Monday morning."
    response = sam_client.post(url, data)
    assert response.status_code == 302
    html = _html(sam_client.get(response["Location"]))
    assert "Return home interview recorded" in html
    assert "Missed" in html and "1 hour after the 72-hour deadline" in html
    assert "The police notification reached the team on Monday morning." in html
    interview = returned.interviews.get()
    assert interview.outcome == InterviewOutcome.COMPLETED and interview.recorded_by == sam
    # Recorded: it leaves the interviews-due list.
    assert "Kayleigh Smith" not in _html(sam_client.get(reverse("missing:interviews_due")))


def test_interview_form_lists_every_problem_at_once(sam_client, sam, returned):
    response = sam_client.post(reverse("missing:record_interview", args=[returned.pk]), {
        "outcome": "completed", "offered_date": "1/6/2026", "offered_time": "10:00",
        "offered_by_agency": str(sam.agency.pk), "completed_time": "nine"})
    html = _html(response)
    for message in ("Enter the time it was held like 21:30 or 9.30pm", "Enter who held the interview",
                    "Enter a summary of the interview",
                    "Enter why the interview was not offered within 72 hours of the return"):
        assert message in html, message
    assert "Enter when the interview was held" not in html  # the time's own message is enough
    assert 'value="nine"' in html


def test_not_offered_ignores_the_default_agency_but_needs_a_reason(sam_client, sam, returned):
    url = reverse("missing:record_interview", args=[returned.pk])
    response = sam_client.post(url, {"outcome": "not_offered", "offered_by_agency": str(sam.agency.pk)})
    html = _html(response)
    assert "Enter why no interview was offered" in html
    assert "Leave the agency blank" not in html
    response = sam_client.post(url, {"outcome": "not_offered", "offered_by_agency": str(sam.agency.pk),
                                     "not_held_reason": "Moved to a placement out of area the same day."})
    assert response.status_code == 302
    interview = returned.interviews.get()
    assert interview.offered_by_agency is None and interview.outcome == "not_offered"


def test_offer_now_and_record_the_outcome_later(client_for, returned):
    client = client_for("dana")
    url = reverse("missing:record_interview", args=[returned.pk])
    response = client.post(url, {"outcome": "offered", "offered_date": "31/5/2026", "offered_time": "16:00",
                                 "offered_by_agency": str(returned.child.involvements.first().agency_id)})
    assert response.status_code == 302, _html(response)
    interview = returned.interviews.get()
    detail = _html(client.get(reverse("missing:episode_detail", args=[returned.pk])))
    assert "Met" in detail and "Record the interview outcome" in detail
    # The interview page now leads to the outcome.
    assert client.get(url)["Location"] == reverse("missing:record_interview_outcome", args=[interview.pk])

    outcome_url = reverse("missing:record_interview_outcome", args=[interview.pk])
    response = client.post(outcome_url, {"outcome": "declined", "completed_date": "1/6/2026"})
    html = _html(response)
    # Every problem at once: the form's own and the rules'.
    assert "Enter the time it was held" in html and "Enter why the child declined" in html
    assert 'value="1/6/2026"' in html
    response = client.post(outcome_url, {"outcome": "declined", "completed_date": "1/6/2026",
                                         "completed_time": "10:00",
                                         "not_held_reason": "Did not want to talk; youth worker to try again."})
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.outcome == InterviewOutcome.DECLINED
    assert client.get(outcome_url)["Location"] == reverse("missing:episode_detail", args=[returned.pk])


def test_interview_before_return_goes_back_to_the_episode(client_for, personas, people, record_episode):
    episode = record_episode(personas["alice"], people["kayleigh"], at(2026, 5, 30, 21), now=NOW)
    response = client_for("dana").get(reverse("missing:record_interview", args=[episode.pk]))
    assert response["Location"] == reverse("missing:episode_detail", args=[episode.pk])


# --- The pattern alert ----------------------------------------------------------------------------

def test_third_episode_alerts_the_coordinator_who_records_a_decision(client_for, people, personas):
    alice = client_for("alice")
    kayleigh = people["kayleigh"]
    for day in (3, 12):
        response = _record(alice, kayleigh, reported_date=f"{day}/5/2026", reported_time="20:00",
                           returned_date=f"{day + 1}/5/2026", returned_time="08:00", found_where="Home")
        assert response.status_code == 302
    assert not MissingPatternAlert.objects.exists()
    response = _record(alice, kayleigh, reported_date="25/5/2026", reported_time="20:00",
                       returned_date="26/5/2026", returned_time="08:00", found_where="Home")
    html = _html(alice.get(response["Location"]))
    assert ("Kayleigh Smith has gone missing 3 times within 30 days: the exploitation coordinators have "
            "been alerted") in html
    assert "missing-pattern alert" not in html  # police practitioners do not see the alert queue
    alert = MissingPatternAlert.objects.get()

    erin = client_for("erin")
    listing = _html(erin.get(reverse("missing:alerts")))
    assert "Kayleigh Smith" in listing and "No alerts are waiting for a decision." not in listing
    work = [item for item in worklist_for(personas["erin"]) if item.heading == timeline.PATTERN_ALERTS]
    assert [item.url for item in work] == [reverse("missing:alert_detail", args=[alert.pk])]

    url = reverse("missing:alert_detail", args=[alert.pk])
    html = _html(erin.get(url))
    assert "was reported missing 3 times between 3 May 2026 and 25 May 2026" in html
    assert "Consider a strategy discussion" in html
    assert reverse("people:detail", args=[kayleigh.pk]) in html
    assert AuditEvent.objects.filter(event_type="missing.pattern_alert_viewed").count() == 1

    response = erin.post(url, {"decision": "no_action", "reason": ""})
    html = _html(response)
    assert response.status_code == 200 and "Enter why no strategy discussion is needed" in html
    response = erin.post(url, {"decision": "strategy_requested",
                               "reason": "Asked the CSC duty manager to convene one this week."})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.DECIDED
    html = _html(erin.get(url))
    assert "Decision recorded" in html and "Strategy discussion requested" in html
    assert "Record a decision" not in html
    assert not [item for item in worklist_for(personas["erin"]) if item.heading == timeline.PATTERN_ALERTS]
    assert "No alerts are waiting for a decision." in _html(erin.get(reverse("missing:alerts")))


# --- Work lists and chronology --------------------------------------------------------------------

def test_work_lists(personas, people, sam, record_episode, returned):
    record_episode(personas["frank"], people["jayden"], at(2026, 5, 31, 23), now=NOW)  # missing now

    sam_items = worklist_for(sam)
    due = [item for item in sam_items if item.heading == timeline.INTERVIEWS_DUE]
    assert len(due) == 1 and due[0].overdue and due[0].tags == ("Overdue",)
    assert due[0].due == at(2026, 6, 1, 9)
    assert due[0].url == reverse("missing:episode_detail", args=[returned.pk])
    assert not [item for item in sam_items if item.heading == timeline.MISSING_NOW]  # cannot see Jayden

    # Police see who is missing now; interviews are not their work list.
    alice_headings = {item.heading for item in worklist_for(personas["alice"])}
    assert timeline.INTERVIEWS_DUE not in alice_headings
    charlie_now = [item for item in worklist_for(personas["charlie"]) if item.heading == timeline.MISSING_NOW]
    assert [item.title for item in charlie_now] == ["Jayden Clarke"]
    assert "police risk: medium" in charlie_now[0].detail

    erin_headings = {item.heading for item in worklist_for(personas["erin"])}
    assert {timeline.INTERVIEWS_DUE, timeline.MISSING_NOW} <= erin_headings
    assert worklist_for(personas["heidi"]) == [] or all(
        not item.heading.startswith(("Return", "Children missing", "Missing-pattern"))
        for item in worklist_for(personas["heidi"]))
    assert not [item for item in worklist_for(personas["oscar"])
                if item.heading in (timeline.INTERVIEWS_DUE, timeline.MISSING_NOW)]


def test_chronology(personas, people, sam, returned):
    from wrekin.missing import actions

    actions.record_return_interview(actor=sam, episode=returned, outcome="completed",
                                    offered_at=at(2026, 5, 29, 15), offered_by_agency=sam.agency,
                                    completed_at=at(2026, 5, 30, 11), conducted_by="Sam",
                                    summary="Talked about older friends who drive.", now=NOW)
    entries = [entry for entry in chronology_for(people["kayleigh"], personas["alice"])
               if entry.source.startswith("missing.")]
    assert [(e.event_type, e.occurred_at) for e in entries] == [
        ("missing_episode", at(2026, 5, 28, 22)),
        ("missing_return", at(2026, 5, 29, 9)),
        ("return_interview", at(2026, 5, 30, 11)),
    ]
    assert entries[0].agency_name == "Test Constabulary" and "Wellington bus station" in entries[0].summary
    assert entries[1].summary.startswith("Missing for 11 hours.")
    assert entries[2].agency_name == "Wrekin Children's Services" and "older friends" in entries[2].summary
    assert all(e.url == reverse("missing:episode_detail", args=[returned.pk]) for e in entries)
    # The source applies the access policy itself.
    assert list(timeline.missing_chronology(people["kayleigh"], personas["bob"])) == []


def test_involvement_from_the_page(client_for, people, agencies):
    _record(client_for("erin"), people["daniel"])
    assert Involvement.objects.filter(person=people["daniel"], agency=agencies["csc"],
                                      kind="working_with").exists()


def test_sam_can_sign_in_and_see_kayleigh(client, sam, people):
    sign_in(client, sam)
    assert client.get(reverse("missing:child_episodes", args=[people["kayleigh"].pk])).status_code == 200
