"""Recording disruption: demographics first, the rules of each kind, and who may name which children."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from tests.conftest import make_person
from tests.intelligence.conftest import AFTER_SIXTEEN, BEFORE_SIXTEEN, TODAY
from wrekin.access.models import BreakGlassGrant
from wrekin.audit.models import AuditEvent
from wrekin.intelligence import actions
from wrekin.intelligence.models import DisruptionAction, DisruptionUpdate
from wrekin.people.models import Involvement


def _errors(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def test_nothing_is_recorded_against_a_person_of_concern_with_unanswered_questions(people, record):
    with pytest.raises(ValidationError) as excinfo:
        record(person_of_concern_id=people["poc"].pk)
    [message] = _errors(excinfo)[NON_FIELD_ERRORS]
    assert message.startswith("Complete Mohammed Khan's details before recording disruption: ")
    for missing in ("ethnicity (self-defined)", "ethnicity (observed)", "nationality", "disability"):
        assert missing in message
    assert "sex" not in message.split(":")[1]  # answered already
    assert not DisruptionAction.objects.exists()


def test_a_letter_is_recorded_and_audited_without_names(complete_poc, record, personas):
    disruption = record(person_of_concern_id=complete_poc.pk, outcome="Hand-delivered to his home address.")
    assert disruption.recorded_by == personas["alice"] and disruption.recorded_by_agency.code == "TEST-POLICE"
    assert disruption.partnership == complete_poc.partnership
    event = AuditEvent.objects.get(event_type="disruption.recorded")
    assert event.person_id == complete_poc.pk
    assert event.details == {"kind": "letter", "status": "done", "child_ids": []}


@pytest.mark.parametrize("username", ["heidi", "ivan", "nina"])
def test_recording_needs_a_case_content_role(username, complete_poc, record):
    with pytest.raises(PermissionDenied):
        record(username, person_of_concern_id=complete_poc.pk)


def test_a_person_of_concern_the_recorder_cannot_see_is_not_found(complete_poc, other_poc, record, people):
    with pytest.raises(Http404):
        record("bob", person_of_concern_id=complete_poc.pk)  # the school does not know him
    with pytest.raises(Http404):
        record("erin", person_of_concern_id=other_poc.pk)  # another partnership
    with pytest.raises(Http404):
        record("erin", person_of_concern_id=people["kayleigh"].pk)  # a child is not a person of concern


# --- Child Abduction Warning Notices -----------------------------------------------------------

def test_a_cawn_names_the_children_it_protects(complete_poc, record):
    with pytest.raises(ValidationError) as excinfo:
        record(person_of_concern_id=complete_poc.pk, kind="cawn_s2")
    assert _errors(excinfo)["children"] == [
        "A Child Abduction Warning Notice must name the child or children it protects"]


def test_a_section_2_notice_is_for_a_child_under_16_on_the_date(complete_poc, record, people):
    kayleigh = people["kayleigh"]
    with pytest.raises(ValidationError) as excinfo:
        record(person_of_concern_id=complete_poc.pk, kind="cawn_s2", child_ids=[kayleigh.pk],
               occurred_on=AFTER_SIXTEEN)
    [message] = _errors(excinfo)["children"]
    assert message.startswith("Kayleigh Smith was 16 on 10 March 2026: a section 2 notice")
    assert "section 49" in message
    notice = record(person_of_concern_id=complete_poc.pk, kind="cawn_s2", child_ids=[kayleigh.pk],
                    occurred_on=BEFORE_SIXTEEN)
    assert list(notice.children.all()) == [kayleigh]


def test_a_section_2_notice_needs_the_childs_age(complete_poc, record, agencies):
    unknown = make_person(agencies["police"], given="Skye", family="Unknown")
    with pytest.raises(ValidationError) as excinfo:
        record(person_of_concern_id=complete_poc.pk, kind="cawn_s2", child_ids=[unknown.pk])
    assert "has no date of birth or age recorded" in _errors(excinfo)["children"][0]


def test_a_section_49_notice_is_for_a_looked_after_child_under_18(complete_poc, record, people,
                                                                  looked_after_child):
    with pytest.raises(ValidationError) as excinfo:
        record(person_of_concern_id=complete_poc.pk, kind="cawn_s49", child_ids=[people["kayleigh"].pk])
    assert _errors(excinfo)["children"] == [
        "Kayleigh Smith is not recorded as looked after: a section 49 notice (Children Act 1989) is only for a "
        "child in local authority care"]
    notice = record(person_of_concern_id=complete_poc.pk, kind="cawn_s49", child_ids=[looked_after_child.pk])
    assert notice.kind == "cawn_s49"
    with pytest.raises(ValidationError) as excinfo:
        record(person_of_concern_id=complete_poc.pk, kind="cawn_s49", child_ids=[looked_after_child.pk],
               occurred_on=date(2029, 9, 2), status="planned")
    assert _errors(excinfo)["children"] == [
        "Tia Morgan was 18 on 2 September 2029: a section 49 notice is only for a child under 18"]


# --- Other kinds ----------------------------------------------------------------------------------

def test_a_taxi_licensing_referral_needs_the_licence_and_the_authority(complete_poc, record):
    with pytest.raises(ValidationError) as excinfo:
        record(person_of_concern_id=complete_poc.pk, kind="taxi_referral", licensing_authority=" ")
    assert set(_errors(excinfo)) == {"driver_licence_number", "licensing_authority"}
    referral = record(person_of_concern_id=complete_poc.pk, kind="taxi_referral",
                      driver_licence_number=" phd-0412 ", licensing_authority="Shropshire Council")
    assert (referral.driver_licence_number, referral.licensing_authority) == ("PHD-0412", "Shropshire Council")


@pytest.mark.parametrize("kind", ["hotel_request", "closure_order"])
def test_hotel_requests_and_closures_name_the_premises(kind, complete_poc, record):
    with pytest.raises(ValidationError) as excinfo:
        record(person_of_concern_id=complete_poc.pk, kind=kind)
    assert set(_errors(excinfo)) == {"premises_name"}
    action = record(person_of_concern_id=complete_poc.pk, kind=kind, premises_name="Station Hotel, Market St",
                    premises_postcode="TF1 1AA")
    assert action.premises_postcode == "TF1 1AA"


def test_no_further_action_needs_a_reason_and_other_needs_words(complete_poc, record):
    with pytest.raises(ValidationError) as excinfo:
        record(person_of_concern_id=complete_poc.pk, kind="nfa")
    assert _errors(excinfo) == {"nfa_reason": ["Choose the reason for no further action"]}
    with pytest.raises(ValidationError) as excinfo:
        record(person_of_concern_id=complete_poc.pk, kind="nfa", nfa_reason="other")
    assert _errors(excinfo) == {"nfa_reason_detail": ["Describe the other reason for no further action"]}
    nfa = record(person_of_concern_id=complete_poc.pk, kind="nfa", nfa_reason="victim_does_not_support")
    assert nfa.get_nfa_reason_display() == "Victim does not support further action"


def test_fields_of_another_kind_are_not_kept(complete_poc, record):
    arrest = record(person_of_concern_id=complete_poc.pk, kind="arrest", nfa_reason="other",
                    nfa_reason_detail="Typed then changed kind.", premises_name="Somewhere",
                    driver_licence_number="X1", licensing_authority="Y")
    assert (arrest.nfa_reason, arrest.nfa_reason_detail, arrest.premises_name, arrest.driver_licence_number,
            arrest.licensing_authority) == ("", "", "", "", "")


def test_done_cannot_be_in_the_future_but_planned_can(complete_poc, record):
    with pytest.raises(ValidationError) as excinfo:
        record(person_of_concern_id=complete_poc.pk, occurred_on=TODAY + timedelta(days=1))
    assert set(_errors(excinfo)) == {"occurred_on"}
    assert record(person_of_concern_id=complete_poc.pk, occurred_on=TODAY + timedelta(days=1),
                  status="planned").status == "planned"


# --- Naming children -----------------------------------------------------------------------------

def test_only_children_the_recorder_can_see_can_be_named(complete_poc, record, people):
    # alice (police) cannot see Daniel (school); the poc is not a child either.
    for child in (people["daniel"], people["poc"], people["elsewhere"]):
        with pytest.raises(ValidationError) as excinfo:
            record(person_of_concern_id=complete_poc.pk, child_ids=[child.pk])
        assert _errors(excinfo) == {"children": ["Choose children from the list"]}


def test_break_glass_does_not_let_a_recorder_name_a_child(complete_poc, record, people, personas):
    BreakGlassGrant.objects.create(user=personas["alice"], person=people["daniel"], reason="Missing tonight.",
                                   expires_at=timezone.now() + timedelta(hours=1))
    with pytest.raises(ValidationError):
        record(person_of_concern_id=complete_poc.pk, child_ids=[people["daniel"].pk])
    assert not Involvement.objects.filter(person=people["daniel"], agency__code="TEST-POLICE").exists()


def test_naming_a_child_makes_the_recorders_agency_part_of_their_work(complete_poc, record, people):
    # erin (coordinator, children's social care) sees every child; her agency did not work with Daniel.
    daniel = people["daniel"]
    assert not Involvement.objects.filter(person=daniel, agency__code="TEST-CSC").exists()
    record("erin", person_of_concern_id=complete_poc.pk, kind="arrest", child_ids=[daniel.pk])
    involvement = Involvement.objects.get(person=daniel, agency__code="TEST-CSC")
    assert involvement.kind == "working_with"
    # The police already work with Kayleigh: no second involvement.
    before = Involvement.objects.filter(person=people["kayleigh"]).count()
    record(person_of_concern_id=complete_poc.pk, kind="arrest", child_ids=[people["kayleigh"].pk])
    assert Involvement.objects.filter(person=people["kayleigh"]).count() == before


# --- What happened next ----------------------------------------------------------------------------

def test_an_update_is_appended_and_the_first_account_kept(complete_poc, record, personas):
    order = record(person_of_concern_id=complete_poc.pk, kind="sexual_risk_order", status="under_way",
                   outcome="Application lodged with the magistrates' court.")
    update = actions.update_disruption(actor=personas["frank"], disruption_id=order.pk, status="done",
                                       note="Order granted for two years.")
    order.refresh_from_db()
    assert order.status == "done" and order.outcome == "Application lodged with the magistrates' court."
    assert list(order.updates.all()) == [update] and update.recorded_by_agency.code == "TEST-POLICE"
    event = AuditEvent.objects.get(event_type="disruption.updated")
    assert event.details == {"disruption_id": order.pk, "from": "under_way", "to": "done"}
    with pytest.raises(ValidationError):
        actions.update_disruption(actor=personas["frank"], disruption_id=order.pk, status="done", note=" ")
    with pytest.raises(Http404):
        actions.update_disruption(actor=personas["bob"], disruption_id=order.pk, status="done", note="No.")
    assert DisruptionUpdate.objects.count() == 1
