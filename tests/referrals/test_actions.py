"""The actions the pages (and later the API) call: rules, involvement, flags and audit, in one transaction."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from tests.referrals.conftest import TODAY, all_answers, referral_arguments
from wrekin.access.policy import people_visible_to
from wrekin.audit.models import AuditEvent
from wrekin.people.models import Involvement, Person, PersonKind
from wrekin.referrals import actions
from wrekin.referrals.models import (
    Referral,
    ReferralStatus,
    RescreeningFlag,
    Screening,
    ScreeningStatus,
)
from wrekin.referrals.rules import Answer

# --- Referrals --------------------------------------------------------------------------------


def test_a_referral_is_recorded_with_its_version_mentions_involvement_and_audit(make_referral, people, instrument,
                                                                                 personas, agencies):
    referral = make_referral("bob", people["daniel"], indicators=["cars_unknown_adults", "missing_repeat"],
                             mentions=[{"kind": "vehicle", "value": "ab12 cde", "relationship": "picked up in"},
                                       {"kind": "phone", "value": "07700 900123", "detail": "texts at night"}])
    assert referral.status == ReferralStatus.AWAITING_TRIAGE
    assert referral.instrument == instrument
    # Stored in the instrument's order, whatever order they were ticked in.
    assert referral.indicators == ["missing_repeat", "cars_unknown_adults"]
    assert [(m.kind, m.value, m.normalised) for m in referral.mentions.all()] == [
        ("vehicle", "ab12 cde", "AB12CDE"), ("phone", "07700 900123", "+447700900123")]
    assert Involvement.objects.filter(person=people["daniel"], agency=agencies["school"],
                                      kind="working_with").count() == 1
    event = AuditEvent.objects.get(event_type="referral.recorded")
    assert event.person_id == people["daniel"].pk and event.actor == personas["bob"]
    assert event.details["version"] == 1 and event.details["mentions"] == 2
    assert "silver" not in str(event.details) and "AB12" not in str(event.details)


def test_a_second_referral_does_not_duplicate_the_involvement(make_referral, people, agencies):
    make_referral("bob", people["daniel"])
    make_referral("bob", people["daniel"])
    assert Involvement.objects.filter(person=people["daniel"], agency=agencies["school"],
                                      kind="working_with").count() == 1


@pytest.mark.parametrize("status", ["refused", "not_sought"])
def test_sharing_without_consent_requires_a_reason(make_referral, people, status):
    with pytest.raises(ValidationError) as refused:
        make_referral("bob", people["daniel"], consent_status=status, consent_reason="  ")
    assert "consent_reason" in refused.value.message_dict
    referral = make_referral("bob", people["daniel"], consent_status=status,
                             consent_reason="Asking the family would alert the adult involved")
    assert referral.shared_without_consent and referral.consent_reason.startswith("Asking")


def test_a_reason_given_with_consent_is_not_kept_as_a_reason_for_sharing_without_it(make_referral, people):
    referral = make_referral("bob", people["daniel"], consent_status="given", consent_reason="stray text")
    assert referral.consent_reason == ""


@pytest.mark.parametrize("overrides, field", [
    ({"occurred_on": TODAY + timedelta(days=1)}, "occurred_on"),
    ({"narrative": "   "}, "narrative"),
    ({"indicators": ["not_an_indicator"]}, "indicators"),
    ({"lawful_basis": "legitimate_interests"}, "lawful_basis"),
    ({"consent_status": "maybe"}, "consent_status"),
    ({"mentions": [{"kind": "car", "value": "AB12 CDE"}]}, "mentions"),
    ({"mentions": [{"kind": "vehicle", "value": ""}]}, "mentions"),
    ({"mentions": [{"kind": "vehicle", "value": "x" * 201}]}, "mentions"),
])
def test_bad_referrals_are_refused_and_nothing_is_kept(make_referral, people, overrides, field):
    with pytest.raises(ValidationError) as refused:
        make_referral("bob", people["daniel"], **overrides)
    assert field in refused.value.message_dict
    assert not Referral.objects.exists()


def test_a_child_the_referrer_cannot_see_is_not_found(make_referral, people):
    with pytest.raises(Http404):
        make_referral("bob", people["kayleigh"])  # school cannot see Kayleigh


def test_roles_without_case_content_cannot_refer(make_referral, people):
    with pytest.raises(PermissionDenied):
        make_referral("heidi", people["kayleigh"])


def test_a_referral_is_about_a_child(make_referral, people):
    with pytest.raises(ValidationError, match="person of concern"):
        make_referral("alice", people["poc"])


def test_a_new_child_and_their_referral_are_recorded_together(personas, instrument):
    referral = actions.record_child_and_referral(
        actor=personas["bob"], child_details={"given_name": "Tia", "family_name": "Morgan",
                                              "date_of_birth": date(2012, 3, 27)}, **referral_arguments())
    child = referral.child
    assert child.kind == PersonKind.CHILD and child.recorded_by_agency.code == "TEST-SCHOOL"
    assert list(child.involvements.values_list("kind", flat=True)) == ["working_with"]


def test_a_refused_referral_does_not_leave_a_new_child_behind(personas, instrument):
    with pytest.raises(ValidationError):
        actions.record_child_and_referral(actor=personas["bob"], child_details={"given_name": "Tia"},
                                          **referral_arguments(narrative=""))
    assert not Person.objects.filter(given_name="Tia").exists()


def test_the_change_and_its_audit_event_commit_together(make_referral, people, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("wrekin.referrals.actions.record_event", broken)
    with pytest.raises(RuntimeError):
        make_referral("bob", people["daniel"])
    assert not Referral.objects.exists()


# --- Triage -----------------------------------------------------------------------------------

def test_triage_to_screening_involves_the_triagers_agency_so_its_manager_can_see_the_child(
        make_referral, people, personas, agencies):
    referral = make_referral("bob", people["daniel"])
    assert people["daniel"] not in people_visible_to(personas["dana"])
    decision = actions.triage_referral(actor=personas["erin"], referral_id=referral.pk, outcome="screen")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SCREENING and decision.agency == agencies["csc"]
    assert people["daniel"] in people_visible_to(personas["dana"])
    event = AuditEvent.objects.get(event_type="referral.triaged")
    assert event.details == {"outcome": "screen", "passed_to_agency": None}
    assert AuditEvent.objects.filter(event_type="person.involvement_added", person_id=people["daniel"].pk,
                                     details__via="triage").exists()


def test_no_further_action_needs_a_reason(make_referral, people, personas):
    referral = make_referral("bob", people["daniel"])
    with pytest.raises(ValidationError) as refused:
        actions.triage_referral(actor=personas["dana"], referral_id=referral.pk, outcome="no_further_action")
    assert "reason" in refused.value.message_dict
    actions.triage_referral(actor=personas["dana"], referral_id=referral.pk, outcome="no_further_action",
                            reason="Known to the family support team; no exploitation indicators.")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NO_FURTHER_ACTION


def test_passing_on_needs_another_agency_and_involves_it(make_referral, people, personas, agencies):
    referral = make_referral("bob", people["daniel"])
    with pytest.raises(ValidationError) as refused:
        actions.triage_referral(actor=personas["erin"], referral_id=referral.pk, outcome="pass_on", reason="Health")
    assert "passed_to_agency" in refused.value.message_dict
    with pytest.raises(ValidationError, match="other than your own"):
        actions.triage_referral(actor=personas["erin"], referral_id=referral.pk, outcome="pass_on",
                                reason="x", passed_to_agency=agencies["csc"])
    with pytest.raises(ValidationError):  # another partnership's agency is not a choice
        actions.triage_referral(actor=personas["erin"], referral_id=referral.pk, outcome="pass_on",
                                reason="x", passed_to_agency=agencies["elsewhere"])
    actions.triage_referral(actor=personas["erin"], referral_id=referral.pk, outcome="pass_on",
                            reason="Sexual health follow-up", passed_to_agency=agencies["health"].pk)
    assert people["daniel"] in people_visible_to(personas["charlie"])


def test_a_referral_is_triaged_once(make_referral, people, personas):
    referral = make_referral("bob", people["daniel"])
    actions.triage_referral(actor=personas["erin"], referral_id=referral.pk, outcome="screen")
    with pytest.raises(ValidationError, match="already been triaged"):
        actions.triage_referral(actor=personas["dana"], referral_id=referral.pk, outcome="screen")


@pytest.mark.parametrize("username", ["alice", "bob", "frank", "grace", "heidi"])
def test_only_coordinators_and_childrens_social_care_managers_triage(make_referral, people, personas, username):
    referral = make_referral("bob", people["daniel"])
    with pytest.raises(PermissionDenied):
        actions.triage_referral(actor=personas[username], referral_id=referral.pk, outcome="screen")


def test_another_partnerships_coordinator_cannot_find_the_referral(make_referral, people, personas):
    referral = make_referral("bob", people["daniel"])
    with pytest.raises(Http404):
        actions.triage_referral(actor=personas["oscar"], referral_id=referral.pk, outcome="screen")


# --- Screenings -------------------------------------------------------------------------------

def test_a_screening_is_submitted_with_score_review_date_and_audit(make_screening, people, instrument, personas):
    answers = all_answers(instrument, missing_repeat="present",
                          cars_unknown_adults=Answer("cars_unknown_adults", "possible", "last_6_months", None,
                                                     "professional_concern", "Once, per a neighbour"))
    screening = make_screening("erin", people["kayleigh"], answers=answers)
    assert screening.status == ScreeningStatus.AWAITING_APPROVAL
    assert screening.screened_on == TODAY and screening.review_on == date(2026, 8, 11)
    assert str(screening.advisory_score) == "4.13"  # 3 x 1 x 1 + 3 x 0.5 x 0.75 (1.125, rounded half up)
    assert screening.answers.count() == len(instrument.indicators)
    cars = screening.answers.get(indicator="cars_unknown_adults")
    assert (cars.window, cars.basis, cars.note) == ("last_6_months", "professional_concern", "Once, per a neighbour")
    event = AuditEvent.objects.get(event_type="screening.submitted")
    assert event.details["grade"] == "medium" and event.details["version"] == 1 and event.details["present"] == 1


def test_a_screening_may_set_its_own_review_date_but_not_in_the_past(make_screening, people):
    screening = make_screening("erin", people["kayleigh"], review_on=date(2026, 6, 1))
    assert screening.review_on == date(2026, 6, 1)
    with pytest.raises(ValidationError) as refused:
        make_screening("erin", people["kayleigh"], review_on=TODAY)
    assert "review_on" in refused.value.message_dict


def test_every_indicator_must_be_answered(make_screening, people, instrument):
    answers = all_answers(instrument)
    del answers["self_harm"]
    with pytest.raises(ValidationError, match="Self-harm"):
        make_screening("erin", people["kayleigh"], answers=answers)


def test_the_grade_needs_a_rationale(make_screening, people):
    with pytest.raises(ValidationError) as refused:
        make_screening("erin", people["kayleigh"], rationale=" ")
    assert "rationale" in refused.value.message_dict


@pytest.mark.parametrize("grade", ["no_risk", "low"])
def test_override_rule_under_13_through_the_action(make_screening, personas, agencies, instrument, grade):
    from tests.conftest import make_person

    child = make_person(agencies["csc"], given="Mia", family="Hart", dob=date(2013, 6, 1))
    with pytest.raises(ValidationError, match="under 13"):
        make_screening("erin", child, grade=grade, today=date(2026, 5, 31))
    # On the 13th birthday the rule no longer applies.
    assert make_screening("erin", child, grade=grade, today=date(2026, 6, 1)).grade == grade


def test_override_rule_learning_disability_through_the_action(make_screening, people):
    with pytest.raises(ValidationError, match="learning disability"):
        make_screening("erin", people["kayleigh"], grade="low", learning_disability=True)
    screening = make_screening("erin", people["kayleigh"], grade="medium", learning_disability=True)
    assert screening.override_rules == ["learning_disability"]


def test_override_rule_disclosure_through_the_action(make_screening, people, instrument):
    answers = all_answers(instrument, disclosure="present")
    with pytest.raises(ValidationError, match="disclosure"):
        make_screening("erin", people["kayleigh"], grade="no_risk", answers=answers)
    assert make_screening("erin", people["kayleigh"], grade="high", answers=answers).override_rules == ["disclosure"]


def test_roles_that_do_not_screen_are_refused(make_screening, people):
    for username in ("frank", "grace", "heidi"):
        with pytest.raises(PermissionDenied):
            make_screening(username, people["kayleigh"])


def test_a_new_referral_after_a_completed_screening_flags_re_screening(make_referral, make_screening, people,
                                                                       personas):
    screening = make_screening("erin", people["kayleigh"])
    actions.approve_screening(actor=personas["dana"], screening_id=screening.pk)
    referral = make_referral("alice", people["kayleigh"])
    flag = RescreeningFlag.objects.get()
    assert flag.child == people["kayleigh"] and flag.referral == referral and flag.is_open
    assert AuditEvent.objects.filter(event_type="screening.rescreening_flagged").exists()
    # The next screening resolves it.
    again = make_screening("erin", people["kayleigh"], referral=referral)
    flag.refresh_from_db()
    assert flag.resolved_by == again and not flag.is_open


def test_no_flag_for_a_child_never_screened(make_referral, people):
    make_referral("alice", people["kayleigh"])
    assert not RescreeningFlag.objects.exists()


def test_a_screening_from_another_childs_referral_is_refused(make_referral, make_screening, people):
    referral = make_referral("erin", people["daniel"])
    with pytest.raises(ValidationError, match="another child"):
        make_screening("erin", people["kayleigh"], referral=referral)


# --- Approval ---------------------------------------------------------------------------------

def test_a_manager_approves_someone_elses_screening(make_screening, people, personas):
    screening = make_screening("erin", people["kayleigh"])
    actions.approve_screening(actor=personas["dana"], screening_id=screening.pk)
    screening.refresh_from_db()
    assert screening.status == ScreeningStatus.APPROVED and screening.decided_by == personas["dana"]
    assert AuditEvent.objects.filter(event_type="screening.approved", object_id=str(screening.pk)).exists()
    with pytest.raises(ValidationError, match="already been decided"):
        actions.return_screening(actor=personas["dana"], screening_id=screening.pk, reason="Too late")


def test_a_manager_cannot_approve_their_own_screening(make_screening, people, personas):
    screening = make_screening("dana", people["kayleigh"])
    with pytest.raises(ValidationError, match="another manager"):
        actions.approve_screening(actor=personas["dana"], screening_id=screening.pk)


def test_returning_needs_a_reason_and_a_revision_follows(make_screening, people, personas, instrument):
    screening = make_screening("erin", people["kayleigh"])
    with pytest.raises(ValidationError) as refused:
        actions.return_screening(actor=personas["dana"], screening_id=screening.pk, reason="")
    assert "reason" in refused.value.message_dict
    actions.return_screening(actor=personas["dana"], screening_id=screening.pk,
                             reason="Add the police information about the car")
    screening.refresh_from_db()
    assert screening.status == ScreeningStatus.RETURNED
    revision = make_screening("erin", people["kayleigh"], revises=screening)
    assert revision.revises == screening and Screening.objects.count() == 2


@pytest.mark.parametrize("username", ["alice", "erin", "grace"])
def test_only_managers_approve(make_screening, people, personas, username):
    screening = make_screening("erin", people["kayleigh"])
    with pytest.raises(PermissionDenied):
        actions.approve_screening(actor=personas[username], screening_id=screening.pk)


def test_a_manager_who_cannot_see_the_child_cannot_find_the_screening(make_screening, people, personas):
    screening = make_screening("bob", people["daniel"])  # school; CSC is not involved with Daniel
    with pytest.raises(Http404):
        actions.approve_screening(actor=personas["dana"], screening_id=screening.pk)
