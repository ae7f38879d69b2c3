"""The actions: validation, the pattern trigger, involvement, interviews, decisions, audit."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tests.missing.conftest import at
from wrekin.audit.models import AuditEvent
from wrekin.missing import actions
from wrekin.missing.models import (
    AlertStatus,
    InterviewOutcome,
    MissingEpisode,
    MissingPatternAlert,
    PatternDecision,
    ReturnInterview,
)
from wrekin.missing.rules import ClockState
from wrekin.people.models import Involvement, InvolvementKind

NOW = at(2026, 6, 1, 12)


def _errors(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


# --- Recording an episode -------------------------------------------------------------------------

def test_recording_an_episode_stores_it_and_audits_without_narrative(personas, people, record_episode):
    episode = record_episode(personas["alice"], people["kayleigh"], at(2026, 5, 30, 21, 15),
                             police_reference="WM-2605-0042", reported_by="Residential home staff",
                             missing_from_care_placement=True, police_risk_grade="high")
    episode.refresh_from_db()
    assert episode.reported_at == at(2026, 5, 30, 21, 15)
    assert episode.recorded_by_agency.code == "TEST-POLICE" and episode.recorded_by == personas["alice"]
    assert episode.is_open and episode.interview_clock(now=NOW).state == ClockState.AWAITING_RETURN
    event = AuditEvent.objects.get(event_type="missing.episode_recorded")
    assert event.person_id == people["kayleigh"].pk and event.object_id == str(episode.pk)
    assert event.details == {"police_risk_grade": "high", "from_care_placement": True, "returned": False}
    assert "bus station" not in str(event.details) and "children's home" not in str(event.details)


def test_recording_creates_a_working_with_involvement_for_the_agency_once(personas, people, record_episode):
    erin = personas["erin"]  # coordinator: sees every child without her agency being involved
    daniel = people["daniel"]  # recorded by the school only
    assert not Involvement.objects.filter(person=daniel, agency=erin.agency).exists()
    record_episode(erin, daniel, at(2026, 5, 1, 20), at(2026, 5, 2, 8))
    involvement = Involvement.objects.get(person=daniel, agency=erin.agency)
    assert involvement.kind == InvolvementKind.WORKING_WITH and involvement.worker == erin
    assert AuditEvent.objects.filter(event_type="person.involvement_added", person_id=daniel.pk).count() == 1
    record_episode(erin, daniel, at(2026, 5, 10, 20), at(2026, 5, 11, 8))
    assert Involvement.objects.filter(person=daniel, agency=erin.agency).count() == 1


def test_police_already_involved_get_no_second_involvement(personas, people, record_episode):
    before = Involvement.objects.filter(person=people["kayleigh"], agency=personas["alice"].agency).count()
    record_episode(personas["alice"], people["kayleigh"], at(2026, 5, 1, 20))
    assert Involvement.objects.filter(person=people["kayleigh"], agency=personas["alice"].agency).count() == before


def test_returned_must_be_after_reported(personas, people, record_episode):
    with pytest.raises(ValidationError) as excinfo:
        record_episode(personas["alice"], people["kayleigh"], at(2026, 5, 30, 21), at(2026, 5, 30, 21))
    assert _errors(excinfo) == {"returned_at": [
        "The date and time they returned must be after they were reported missing (30 May 2026 at 21:00)"]}
    assert not MissingEpisode.objects.exists()


def test_future_times_are_refused(personas, people, record_episode):
    with pytest.raises(ValidationError) as excinfo:
        record_episode(personas["alice"], people["kayleigh"], at(2026, 6, 1, 12, 1), at(2026, 6, 2, 9))
    errors = _errors(excinfo)
    assert errors["reported_at"] == ["The date and time reported missing cannot be in the future"]
    assert errors["returned_at"] == ["The date and time they returned cannot be in the future"]


def test_required_text_and_choices(personas, people, record_episode):
    with pytest.raises(ValidationError) as excinfo:
        record_episode(personas["alice"], people["kayleigh"], at(2026, 5, 1, 20), at(2026, 5, 2, 8),
                       last_seen_where="  ", circumstances="", police_risk_grade="severe",
                       travel_modes=["car", "hovercraft"], found_where="", vehicle_registration="X" * 21)
    assert set(_errors(excinfo)) == {"last_seen_where", "circumstances", "police_risk_grade", "travel_modes",
                                     "found_where", "vehicle_registration"}


def test_a_child_cannot_be_missing_twice_at_once(personas, people, record_episode):
    kayleigh = people["kayleigh"]
    record_episode(personas["alice"], kayleigh, at(2026, 5, 1, 20))  # still missing
    with pytest.raises(ValidationError) as excinfo:
        record_episode(personas["alice"], kayleigh, at(2026, 5, 3, 20), at(2026, 5, 4, 8))
    assert "already recorded as missing since 1 May 2026 at 20:00" in _errors(excinfo)["__all__"][0]


def test_overlapping_closed_episodes_are_refused_but_earlier_ones_can_be_added(personas, people, record_episode):
    kayleigh = people["kayleigh"]
    record_episode(personas["alice"], kayleigh, at(2026, 5, 10, 20), at(2026, 5, 12, 8))
    with pytest.raises(ValidationError) as excinfo:
        record_episode(personas["alice"], kayleigh, at(2026, 5, 11, 20), at(2026, 5, 13, 8))
    assert "overlap another missing episode" in _errors(excinfo)["__all__"][0]
    record_episode(personas["alice"], kayleigh, at(2026, 5, 1, 20), at(2026, 5, 2, 8))  # back-recorded
    assert kayleigh.missing_episodes.count() == 2


def test_only_children_have_missing_episodes(personas, people, record_episode):
    with pytest.raises(ValidationError) as excinfo:
        record_episode(personas["alice"], people["poc"], at(2026, 5, 1, 20))
    assert _errors(excinfo) == {"__all__": ["Missing episodes are recorded for children and young people only"]}


def test_naive_datetimes_are_a_programming_error(personas, people, record_episode):
    with pytest.raises(ValueError, match="timezone-aware"):
        record_episode(personas["alice"], people["kayleigh"], at(2026, 5, 1, 20).replace(tzinfo=None))


def test_roles_without_case_content_cannot_record(personas, people, record_episode):
    for username in ("heidi", "ivan", "nina"):
        with pytest.raises(PermissionDenied):
            record_episode(personas[username], people["kayleigh"], at(2026, 5, 1, 20))


def test_a_child_the_actor_cannot_see_is_a_404_and_nothing_is_written(personas, people, record_episode):
    for username, child in (("bob", "kayleigh"), ("oscar", "kayleigh"), ("erin", "elsewhere")):
        with pytest.raises(Http404):
            record_episode(personas[username], people[child], at(2026, 5, 1, 20))
    assert not MissingEpisode.objects.exists() and not AuditEvent.objects.filter(
        event_type__startswith="missing.").exists()


# --- Recording the return -------------------------------------------------------------------------

def test_record_return_starts_the_clock(personas, people, record_episode):
    episode = record_episode(personas["alice"], people["kayleigh"], at(2026, 5, 30, 21))
    episode = actions.record_return(actor=personas["alice"], episode=episode.pk, returned_at=at(2026, 5, 31, 9),
                                    found_where="Found by police at a house in Hadley",
                                    with_whom="Two older males, one known as 'Zed'", travel_modes=["car", "car"],
                                    vehicle_registration="ab12 c", travel_details="Grey hatchback", now=NOW)
    episode.refresh_from_db()
    assert episode.travel_modes == ["car"] and episode.vehicle_registration == "ab12 c"
    assert episode.return_recorded_by == personas["alice"]
    assert episode.interview_due_at == at(2026, 6, 3, 9)
    assert episode.interview_clock(now=NOW).state == ClockState.RUNNING
    event = AuditEvent.objects.get(event_type="missing.return_recorded")
    assert event.details == {"hours_missing": 12} and "Zed" not in str(event.details)


def test_record_return_validation(personas, people, record_episode):
    episode = record_episode(personas["alice"], people["kayleigh"], at(2026, 5, 30, 21))
    with pytest.raises(ValidationError) as excinfo:
        actions.record_return(actor=personas["alice"], episode=episode, returned_at=at(2026, 5, 30, 20),
                              found_where="Home", now=NOW)
    assert "must be after they were reported missing" in _errors(excinfo)["returned_at"][0]
    with pytest.raises(ValidationError) as excinfo:
        actions.record_return(actor=personas["alice"], episode=episode, returned_at=at(2026, 6, 2, 9),
                              found_where="Home", now=NOW)
    assert _errors(excinfo)["returned_at"] == ["The date and time they returned cannot be in the future"]
    with pytest.raises(ValidationError) as excinfo:
        actions.record_return(actor=personas["alice"], episode=episode, returned_at=None, found_where="Home",
                              now=NOW)
    assert _errors(excinfo) == {"returned_at": ["Enter when they returned or were found"]}
    actions.record_return(actor=personas["alice"], episode=episode, returned_at=at(2026, 5, 31, 9),
                          found_where="Home", now=NOW)
    with pytest.raises(ValidationError) as excinfo:
        actions.record_return(actor=personas["alice"], episode=episode, returned_at=at(2026, 5, 31, 10),
                              found_where="Home", now=NOW)
    assert "already recorded" in _errors(excinfo)["__all__"][0]


def test_record_return_on_an_episode_the_actor_cannot_see(personas, people, record_episode):
    episode = record_episode(personas["alice"], people["kayleigh"], at(2026, 5, 30, 21))
    with pytest.raises(Http404):
        actions.record_return(actor=personas["bob"], episode=episode.pk, returned_at=at(2026, 5, 31, 9),
                              found_where="Home", now=NOW)
    episode.refresh_from_db()
    assert episode.is_open


# --- The pattern trigger --------------------------------------------------------------------------

def _episodes(record_episode, actor, child, days):
    """One episode on each given day of January 2026, each back the next morning."""
    return [record_episode(actor, child, at(2026, 1, day, 20), at(2026, 1, day + 1, 8)) for day in days]


def test_two_episodes_in_30_days_raise_no_alert(personas, people, record_episode):
    episodes = _episodes(record_episode, personas["alice"], people["kayleigh"], [2, 12])
    assert episodes[-1].pattern_alert is None and not MissingPatternAlert.objects.exists()


def test_the_third_episode_in_30_days_raises_one_alert(personas, people, record_episode):
    episodes = _episodes(record_episode, personas["alice"], people["kayleigh"], [2, 12, 22])
    alert = episodes[-1].pattern_alert
    assert alert is not None and MissingPatternAlert.objects.count() == 1
    alert.refresh_from_db()
    assert alert.episode_count == 3 and alert.status == AlertStatus.OPEN
    assert set(alert.episodes.all()) == set(episodes)
    assert alert.window_start == at(2026, 1, 2, 20) and alert.window_end == at(2026, 1, 22, 20)
    assert (alert.rule_count, alert.rule_days) == (3, 30)
    event = AuditEvent.objects.get(event_type="missing.pattern_alert_raised")
    assert event.details == {"episodes": 3, "rule": "3/30", "episode_id": episodes[-1].pk}


def test_a_fourth_episode_in_the_window_updates_the_alert_not_duplicates_it(personas, people, record_episode):
    episodes = _episodes(record_episode, personas["alice"], people["kayleigh"], [2, 12, 22, 27])
    assert MissingPatternAlert.objects.count() == 1
    alert = MissingPatternAlert.objects.get()
    assert alert.episode_count == 4 and alert.episodes.count() == 4
    assert alert.window_end == at(2026, 1, 27, 20)
    assert episodes[-1].pattern_alert.pk == alert.pk
    assert AuditEvent.objects.filter(event_type="missing.pattern_alert_updated").count() == 1


def test_a_continuing_run_extends_the_same_alert(personas, people, record_episode):
    # 2, 12, 22 January make the pattern; 5 February is outside that window but makes a new
    # window with 12 and 22 January: the same run of episodes, so the same alert grows.
    _episodes(record_episode, personas["alice"], people["kayleigh"], [2, 12, 22])
    record_episode(personas["alice"], people["kayleigh"], at(2026, 2, 5, 20), at(2026, 2, 6, 8))
    alert = MissingPatternAlert.objects.get()
    assert alert.episode_count == 4 and alert.window_end == at(2026, 2, 5, 20)


def test_three_episodes_over_40_days_raise_no_alert(personas, people, record_episode):
    kayleigh = people["kayleigh"]
    for month, day in ((1, 1), (1, 21), (2, 10)):
        record_episode(personas["alice"], kayleigh, at(2026, month, day, 20), at(2026, month, day + 1, 8))
    assert not MissingPatternAlert.objects.exists()


def test_a_separate_later_pattern_raises_a_second_alert(personas, people, record_episode):
    _episodes(record_episode, personas["alice"], people["kayleigh"], [2, 5, 8])
    for day in (1, 5, 9):
        record_episode(personas["alice"], people["kayleigh"], at(2026, 4, day, 20), at(2026, 4, day + 1, 8))
    assert MissingPatternAlert.objects.count() == 2


def test_alerts_are_per_child(personas, people, record_episode):
    _episodes(record_episode, personas["alice"], people["kayleigh"], [2, 12])
    _episodes(record_episode, personas["erin"], people["daniel"], [3])
    assert not MissingPatternAlert.objects.exists()


def test_the_trigger_is_configurable(monkeypatch, personas, people, record_episode):
    monkeypatch.setenv("WREKIN_MISSING_TRIGGER", "2/7")
    episodes = _episodes(record_episode, personas["alice"], people["kayleigh"], [2, 8])
    assert episodes[-1].pattern_alert is not None
    assert MissingPatternAlert.objects.get().rule_days == 7
    monkeypatch.setenv("WREKIN_MISSING_TRIGGER", "5/30")
    episodes = _episodes(record_episode, personas["erin"], people["daniel"], [2, 5, 8, 11])
    assert episodes[-1].pattern_alert is None


def test_a_new_episode_reopens_a_decided_alert_and_keeps_the_decision(personas, people, record_episode):
    _episodes(record_episode, personas["alice"], people["kayleigh"], [2, 12, 22])
    alert = MissingPatternAlert.objects.get()
    actions.record_pattern_decision(actor=personas["erin"], alert=alert, decision=PatternDecision.NO_ACTION,
                                    reason="Already subject to a child protection plan; reviewed weekly.",
                                    now=NOW)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.DECIDED
    record_episode(personas["alice"], people["kayleigh"], at(2026, 1, 26, 20), at(2026, 1, 27, 8))
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN and alert.episode_count == 4
    assert alert.decisions.get().episode_count == 3
    assert AuditEvent.objects.get(event_type="missing.pattern_alert_updated").details["reopened"] is True


# --- Return home interviews -----------------------------------------------------------------------

@pytest.fixture
def returned_episode(personas, people, record_episode):
    # Returned Saturday 30 May 2026 at 10:00: the interview is due by Tuesday 2 June at 10:00.
    return record_episode(personas["alice"], people["kayleigh"], at(2026, 5, 29, 21), at(2026, 5, 30, 10),
                          now=at(2026, 5, 30, 11))


INTERVIEW_NOW = at(2026, 6, 5, 12)


def _interview(actor, episode, now=INTERVIEW_NOW, **kwargs):
    return actions.record_return_interview(actor=actor, episode=episode, now=now, **kwargs)


def test_an_interview_offered_and_held_in_time(personas, sam, returned_episode):
    interview = _interview(sam, returned_episode, outcome=InterviewOutcome.COMPLETED,
                           offered_at=at(2026, 6, 1, 9), offered_by_agency=sam.agency,
                           completed_at=at(2026, 6, 1, 16), conducted_by="Sam, social worker",
                           location="Home", summary="Said she went to a friend's flat; was given a phone.")
    assert interview.outcome == InterviewOutcome.COMPLETED and interview.outcome_recorded_by == sam
    assert returned_episode.interview_clock(now=at(2026, 6, 5)).state == ClockState.MET
    event = AuditEvent.objects.get(event_type="missing.interview_recorded")
    assert event.details == {"episode_id": returned_episode.pk, "outcome": "completed", "clock": "met",
                             "offered_by_agency_id": sam.agency.pk}
    assert "phone" not in str(event.details)


def test_a_late_offer_needs_a_reason(personas, sam, returned_episode):
    kwargs = {"outcome": InterviewOutcome.OFFERED, "offered_at": at(2026, 6, 2, 10, 1),
              "offered_by_agency": sam.agency}
    with pytest.raises(ValidationError) as excinfo:
        _interview(sam, returned_episode, **kwargs)
    assert _errors(excinfo) == {"late_reason": [
        "Enter why the interview was not offered within 72 hours of the return "
        "(it was due by 2 June 2026 at 10:00)"]}
    _interview(sam, returned_episode, late_reason="Referral from police reached us on day 3.", **kwargs)
    assert returned_episode.interview_clock().state == ClockState.MISSED


def test_an_offer_at_exactly_72_hours_needs_no_reason(sam, returned_episode):
    _interview(sam, returned_episode, outcome=InterviewOutcome.OFFERED, offered_at=at(2026, 6, 2, 10),
               offered_by_agency=sam.agency)
    assert returned_episode.interview_clock().state == ClockState.MET


@pytest.mark.parametrize(("outcome", "message"), [
    (InterviewOutcome.DECLINED, "Enter why the child declined, and what was done instead"),
    (InterviewOutcome.NOT_FOUND, "Enter what was tried to find or contact the child"),
])
def test_an_interview_not_held_needs_a_reason(sam, returned_episode, outcome, message):
    with pytest.raises(ValidationError) as excinfo:
        _interview(sam, returned_episode, outcome=outcome, offered_at=at(2026, 6, 1, 9),
                   offered_by_agency=sam.agency)
    assert _errors(excinfo) == {"not_held_reason": [message]}


def test_not_offered_needs_a_reason_and_no_offer_details(sam, returned_episode):
    with pytest.raises(ValidationError) as excinfo:
        _interview(sam, returned_episode, outcome=InterviewOutcome.NOT_OFFERED, offered_at=at(2026, 6, 1, 9),
                   offered_by_agency=sam.agency, completed_at=at(2026, 6, 1, 10))
    assert set(_errors(excinfo)) == {"offered_at", "offered_by_agency", "completed_at", "not_held_reason"}
    _interview(sam, returned_episode, outcome=InterviewOutcome.NOT_OFFERED,
               not_held_reason="Child moved to a placement in another area; their team was told.")
    clock = returned_episode.interview_clock()
    assert clock.state == ClockState.MISSED and clock.not_offered


def test_interview_dates_are_checked(sam, returned_episode):
    with pytest.raises(ValidationError) as excinfo:
        _interview(sam, returned_episode, outcome=InterviewOutcome.COMPLETED, offered_at=at(2026, 5, 30, 9),
                   offered_by_agency=sam.agency, completed_at=at(2026, 6, 6, 9))
    errors = _errors(excinfo)
    assert errors["offered_at"] == ["The date and time offered must be after the child returned "
                                    "(30 May 2026 at 10:00)"]
    assert errors["completed_at"] == ["The date and time held cannot be in the future"]
    assert set(errors) == {"offered_at", "completed_at", "conducted_by", "summary"}
    with pytest.raises(ValidationError) as excinfo:
        _interview(sam, returned_episode, outcome=InterviewOutcome.COMPLETED, offered_at=at(2026, 6, 1, 9),
                   offered_by_agency=sam.agency, completed_at=at(2026, 5, 31, 9), conducted_by="Sam",
                   summary="Talked about school.")
    assert _errors(excinfo) == {"completed_at": ["The date and time held must be after it was offered "
                                                 "(1 June 2026 at 09:00)"]}
    with pytest.raises(ValidationError) as excinfo:
        _interview(sam, returned_episode, outcome=InterviewOutcome.OFFERED, offered_at=at(2026, 6, 6, 9),
                   offered_by_agency=sam.agency)
    assert _errors(excinfo) == {"offered_at": ["The date and time offered cannot be in the future"]}


def test_agency_must_be_in_the_partnership(sam, agencies, returned_episode):
    with pytest.raises(ValidationError) as excinfo:
        _interview(sam, returned_episode, outcome=InterviewOutcome.OFFERED, offered_at=at(2026, 6, 1, 9),
                   offered_by_agency=agencies["elsewhere"])
    assert _errors(excinfo) == {"offered_by_agency": ["Choose an agency in your partnership"]}


def test_no_interview_before_the_return(personas, sam, people, record_episode):
    episode = record_episode(personas["alice"], people["kayleigh"], at(2026, 5, 29, 21))
    with pytest.raises(ValidationError) as excinfo:
        _interview(sam, episode, outcome=InterviewOutcome.OFFERED, offered_at=at(2026, 6, 1, 9),
                   offered_by_agency=sam.agency)
    assert "Record the child's return" in _errors(excinfo)["__all__"][0]


def test_the_offering_agency_becomes_involved(personas, agencies, people, record_episode):
    # The coordinator records an episode and its return for Daniel (known to the school) ...
    alice = personas["alice"]
    daniel = people["daniel"]
    erin = personas["erin"]
    episode = record_episode(erin, daniel, at(2026, 5, 29, 21), at(2026, 5, 30, 10), now=at(2026, 5, 30, 11))
    assert not Involvement.objects.filter(person=daniel, agency=agencies["health"]).exists()
    # ... the coordinator records that the health team offered the interview: health now works with him.
    _interview(erin, episode, outcome=InterviewOutcome.OFFERED, offered_at=at(2026, 6, 1, 9),
               offered_by_agency=agencies["health"])
    involvement = Involvement.objects.get(person=daniel, agency=agencies["health"])
    assert involvement.kind == InvolvementKind.WORKING_WITH and involvement.worker is None
    assert not Involvement.objects.filter(person=daniel, agency=alice.agency).exists()


def test_offer_then_outcome(sam, returned_episode):
    offer = _interview(sam, returned_episode, outcome=InterviewOutcome.OFFERED, offered_at=at(2026, 6, 1, 9),
                       offered_by_agency=sam.agency)
    assert offer.awaiting_outcome and offer.outcome_recorded_at is None
    # A second offer cannot be recorded while the first waits for its outcome.
    with pytest.raises(ValidationError) as excinfo:
        _interview(sam, returned_episode, outcome=InterviewOutcome.OFFERED, offered_at=at(2026, 6, 1, 10),
                   offered_by_agency=sam.agency)
    assert "waiting for its outcome" in _errors(excinfo)["__all__"][0]
    with pytest.raises(ValidationError) as excinfo:
        actions.record_interview_outcome(actor=sam, interview=offer, outcome=InterviewOutcome.NOT_OFFERED,
                                         now=at(2026, 6, 5))
    assert set(_errors(excinfo)) == {"outcome"}
    with pytest.raises(ValidationError) as excinfo:
        actions.record_interview_outcome(actor=sam, interview=offer, outcome=InterviewOutcome.DECLINED,
                                         completed_at=at(2026, 6, 2, 9), now=at(2026, 6, 5))
    assert set(_errors(excinfo)) == {"not_held_reason"}
    actions.record_interview_outcome(actor=sam, interview=offer.pk, outcome=InterviewOutcome.DECLINED,
                                     completed_at=at(2026, 6, 2, 9), now=at(2026, 6, 5),
                                     not_held_reason="Said she did not want to talk; youth worker to follow up.")
    offer.refresh_from_db()
    assert offer.outcome == InterviewOutcome.DECLINED and offer.outcome_recorded_by == sam
    with pytest.raises(ValidationError):
        actions.record_interview_outcome(actor=sam, interview=offer, outcome=InterviewOutcome.COMPLETED,
                                         completed_at=at(2026, 6, 3, 9), conducted_by="Sam", summary="x",
                                         now=at(2026, 6, 5))
    # A second offer after the decline is allowed; the clock still counts the first offer.
    _interview(sam, returned_episode, outcome=InterviewOutcome.OFFERED, offered_at=at(2026, 6, 4, 9),
               offered_by_agency=sam.agency, late_reason="Second offer after she declined the first.")
    assert ReturnInterview.objects.filter(episode=returned_episode).count() == 2
    assert returned_episode.interview_clock().state == ClockState.MET
    assert AuditEvent.objects.filter(event_type="missing.interview_outcome_recorded").count() == 1


def test_interviews_for_episodes_the_actor_cannot_see(personas, sam, returned_episode):
    with pytest.raises(Http404):
        _interview(personas["bob"], returned_episode, outcome=InterviewOutcome.NOT_OFFERED,
                   not_held_reason="x")
    offer = _interview(sam, returned_episode, outcome=InterviewOutcome.OFFERED, offered_at=at(2026, 6, 1, 9),
                       offered_by_agency=sam.agency)
    with pytest.raises(Http404):
        actions.record_interview_outcome(actor=personas["oscar"], interview=offer, outcome="declined",
                                         not_held_reason="x")
    with pytest.raises(PermissionDenied):
        actions.record_interview_outcome(actor=personas["heidi"], interview=offer, outcome="declined",
                                         not_held_reason="x")


# --- Decisions ------------------------------------------------------------------------------------

@pytest.fixture
def alert(personas, people, record_episode):
    _episodes(record_episode, personas["alice"], people["kayleigh"], [2, 12, 22])
    return MissingPatternAlert.objects.get()


def test_no_action_needs_a_reason(personas, alert):
    with pytest.raises(ValidationError) as excinfo:
        actions.record_pattern_decision(actor=personas["erin"], alert=alert, decision=PatternDecision.NO_ACTION)
    assert _errors(excinfo) == {"reason": ["Enter why no strategy discussion is needed"]}
    with pytest.raises(ValidationError) as excinfo:
        actions.record_pattern_decision(actor=personas["erin"], alert=alert, decision="maybe")
    assert set(_errors(excinfo)) == {"decision"}


def test_a_decision_is_recorded_once(personas, alert):
    decision = actions.record_pattern_decision(actor=personas["dana"], alert=alert.pk,
                                               decision=PatternDecision.STRATEGY_REQUESTED, now=NOW)
    assert decision.decided_by == personas["dana"] and decision.episode_count == 3
    alert.refresh_from_db()
    assert alert.status == AlertStatus.DECIDED
    with pytest.raises(ValidationError) as excinfo:
        actions.record_pattern_decision(actor=personas["erin"], alert=alert,
                                        decision=PatternDecision.ALREADY_PLANNED)
    assert "already recorded" in _errors(excinfo)["__all__"][0]
    event = AuditEvent.objects.get(event_type="missing.pattern_decision_recorded")
    assert event.details == {"decision": "strategy_requested", "episodes": 3, "decision_id": decision.pk}


def test_who_may_decide(personas, alert):
    for username in ("alice", "frank", "grace", "heidi", "ivan", "nina"):
        with pytest.raises(PermissionDenied):
            actions.record_pattern_decision(actor=personas[username], alert=alert,
                                            decision=PatternDecision.ALREADY_PLANNED)
    with pytest.raises(Http404):
        actions.record_pattern_decision(actor=personas["oscar"], alert=alert,
                                        decision=PatternDecision.ALREADY_PLANNED)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN and not alert.decisions.exists()
