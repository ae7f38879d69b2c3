"""MACE actions: who may do what, the rules of a meeting, and approved minutes never changing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from wrekin.access.mace import get_meeting_for_user, meetings_visible_to
from wrekin.audit.models import AuditEvent
from wrekin.mace import actions
from wrekin.mace.models import (
    ActionStatus,
    Attendance,
    MaceAction,
    MaceAgendaItem,
    MaceAttendee,
    MaceDecision,
    MaceMeeting,
)
from wrekin.people.models import Involvement


def _codes(excinfo) -> set[str]:
    return {error.code for error in excinfo.value.error_list}


# --- Arranging a meeting --------------------------------------------------------------------

def test_chair_arranges_a_meeting_and_invites_attendees_with_their_agency(meeting, personas):
    assert meeting.chair == personas["grace"]
    invited = {a.user.username: a.agency.code for a in meeting.attendees.select_related("user", "agency")}
    assert invited == {"alice": "TEST-POLICE", "charlie": "TEST-HEALTH"}
    event = AuditEvent.objects.get(event_type="mace.meeting_created")
    assert event.details["attendee_ids"] == sorted([personas["alice"].pk, personas["charlie"].pk])


@pytest.mark.parametrize("username", ["alice", "bob", "dana", "frank", "heidi", "ivan", "nina"])
def test_only_chairs_and_coordinators_arrange_meetings(username, personas, today):
    with pytest.raises(PermissionDenied):
        actions.create_meeting(actor=personas[username], held_on=today, chair_id=personas["grace"].pk)
    assert not MaceMeeting.objects.exists()


def test_the_chair_must_be_a_mace_chair_or_coordinator_in_the_partnership(personas, today):
    for chair in ("alice", "oscar", "heidi"):
        with pytest.raises(ValidationError) as excinfo:
            actions.create_meeting(actor=personas["erin"], held_on=today, chair_id=personas[chair].pk)
        assert _codes(excinfo) == {"ineligible_chair"}
    meeting = actions.create_meeting(actor=personas["erin"], held_on=today, chair_id=personas["grace"].pk)
    assert meeting.chair == personas["grace"]


@pytest.mark.parametrize("outsider", ["oscar", "heidi", "ivan", "nina"])
def test_attendees_must_work_with_case_records_in_this_partnership(outsider, personas, today):
    with pytest.raises(ValidationError) as excinfo:
        actions.create_meeting(actor=personas["grace"], held_on=today, chair_id=personas["grace"].pk,
                               attendee_ids=[personas["alice"].pk, personas[outsider].pk])
    assert _codes(excinfo) == {"ineligible_attendee"}
    assert not MaceMeeting.objects.exists()  # nothing half-made


def test_the_chair_is_not_invited_to_their_own_meeting(personas, today):
    meeting = actions.create_meeting(actor=personas["grace"], held_on=today, chair_id=personas["grace"].pk,
                                     attendee_ids=[personas["grace"].pk, personas["bob"].pk])
    assert list(meeting.attendees.values_list("user__username", flat=True)) == ["bob"]


def test_inviting_later_adds_only_new_people(meeting, personas):
    invited = actions.invite_attendees(actor=personas["erin"], meeting_id=meeting.pk,
                                       user_ids=[personas["alice"].pk, personas["dana"].pk])
    assert [a.user.username for a in invited] == ["dana"]
    with pytest.raises(ValidationError) as excinfo:
        actions.invite_attendees(actor=personas["erin"], meeting_id=meeting.pk, user_ids=[personas["dana"].pk])
    assert _codes(excinfo) == {"already_invited"}


def test_attendees_cannot_run_the_meeting(meeting, personas):
    with pytest.raises(PermissionDenied):
        actions.invite_attendees(actor=personas["alice"], meeting_id=meeting.pk, user_ids=[personas["bob"].pk])


# --- Who sees a meeting -----------------------------------------------------------------------

def test_a_meeting_is_seen_by_its_chair_attendees_and_coordinators_only(meeting, kayleigh_item, personas):
    seeing = {name for name, user in personas.items() if meetings_visible_to(user).filter(pk=meeting.pk).exists()}
    # dana's agency works with Kayleigh (she is on the agenda), but dana was not invited.
    assert seeing == {"grace", "alice", "charlie", "erin"}
    for name in ("bob", "dana", "frank", "oscar", "heidi", "ivan", "nina"):
        with pytest.raises(Http404):
            get_meeting_for_user(personas[name], meeting.pk)


def test_an_uninvited_mace_chair_cannot_see_another_chairs_meeting(personas, today):
    meeting = actions.create_meeting(actor=personas["erin"], held_on=today, chair_id=personas["erin"].pk)
    with pytest.raises(Http404):
        get_meeting_for_user(personas["grace"], meeting.pk)


# --- The agenda -------------------------------------------------------------------------------

def test_a_child_item_is_reviewed_twelve_weeks_after_the_meeting_by_default(kayleigh_item, meeting):
    assert kayleigh_item.next_review_on == meeting.held_on + timedelta(weeks=12)
    assert kayleigh_item.position == 1
    event = AuditEvent.objects.get(event_type="mace.item_added")
    assert event.person_id == kayleigh_item.person_id
    assert "Audi" not in str(event.details)


def test_a_chosen_review_date_is_kept_and_must_follow_the_meeting(meeting, personas, people):
    with pytest.raises(ValidationError) as excinfo:
        actions.add_agenda_item(actor=personas["grace"], meeting_id=meeting.pk, kind="child",
                                person_id=people["kayleigh"].pk, summary="Missing.", next_review_on=meeting.held_on)
    assert _codes(excinfo) == {"review_date"}
    item = actions.add_agenda_item(actor=personas["grace"], meeting_id=meeting.pk, kind="child",
                                   person_id=people["kayleigh"].pk, summary="Missing.",
                                   next_review_on=meeting.held_on + timedelta(weeks=4))
    assert item.next_review_on == meeting.held_on + timedelta(weeks=4)


def test_a_child_can_be_added_only_by_someone_who_can_see_them(meeting, personas, people):
    # charlie (health) is invited, but health does not work with Kayleigh.
    with pytest.raises(Http404):
        actions.add_agenda_item(actor=personas["charlie"], meeting_id=meeting.pk, kind="child",
                                person_id=people["kayleigh"].pk, summary="Heard about her.")
    # alice (police) can see her, and attendees may propose items.
    item = actions.add_agenda_item(actor=personas["alice"], meeting_id=meeting.pk, kind="child",
                                   person_id=people["kayleigh"].pk, summary="Police concern.")
    assert item.added_by == personas["alice"]


def test_another_partnerships_child_cannot_be_added(meeting, personas, people):
    with pytest.raises(Http404):
        actions.add_agenda_item(actor=personas["erin"], meeting_id=meeting.pk, kind="child",
                                person_id=people["elsewhere"].pk, summary="Same name.")


def test_an_item_must_match_the_kind_of_person(meeting, personas, people):
    with pytest.raises(ValidationError) as excinfo:
        actions.add_agenda_item(actor=personas["erin"], meeting_id=meeting.pk, kind="child",
                                person_id=people["poc"].pk, summary="Driver.")
    assert _codes(excinfo) == {"wrong_kind"}


def test_a_person_is_on_an_agenda_once(kayleigh_item, meeting, personas, people):
    with pytest.raises(ValidationError) as excinfo:
        actions.add_agenda_item(actor=personas["erin"], meeting_id=meeting.pk, kind="child",
                                person_id=people["kayleigh"].pk, summary="Again.")
    assert _codes(excinfo) == {"duplicate"}


def test_a_location_item_needs_an_address_and_has_no_person_or_review(meeting, personas):
    with pytest.raises(ValidationError):
        actions.add_agenda_item(actor=personas["erin"], meeting_id=meeting.pk, kind="location",
                                location_name="  ", summary="Hotel.")
    item = actions.add_agenda_item(actor=personas["erin"], meeting_id=meeting.pk, kind="location",
                                   location_name="Station Hotel, Market Street", location_postcode="TF1 1AA",
                                   summary="Children seen entering with adults late at night.")
    assert item.person is None and item.next_review_on is None
    assert item.subject_name == "Station Hotel, Market Street, TF1 1AA"


# --- Attendance, decisions, actions --------------------------------------------------------------

def test_attendance_is_recorded_from_the_day_of_the_meeting(personas, today):
    meeting = actions.create_meeting(actor=personas["grace"], held_on=today + timedelta(days=3),
                                     chair_id=personas["grace"].pk, attendee_ids=[personas["alice"].pk])
    attendee = meeting.attendees.get()
    with pytest.raises(ValidationError) as excinfo:
        actions.record_attendance(actor=personas["grace"], meeting_id=meeting.pk,
                                  attendance={attendee.pk: Attendance.ATTENDED})
    assert _codes(excinfo) == {"meeting_not_held"}
    actions.record_attendance(actor=personas["grace"], meeting_id=meeting.pk,
                              attendance={attendee.pk: Attendance.APOLOGIES}, today=meeting.held_on)
    attendee.refresh_from_db()
    assert attendee.attendance == Attendance.APOLOGIES


def test_attendance_only_for_people_invited_to_this_meeting(meeting, personas, today):
    other = actions.create_meeting(actor=personas["erin"], held_on=today, chair_id=personas["erin"].pk,
                                   attendee_ids=[personas["bob"].pk])
    stranger = other.attendees.get()
    with pytest.raises(ValidationError) as excinfo:
        actions.record_attendance(actor=personas["grace"], meeting_id=meeting.pk,
                                  attendance={stranger.pk: Attendance.ATTENDED})
    assert _codes(excinfo) == {"not_invited"}
    stranger.refresh_from_db()
    assert stranger.attendance == ""


def test_a_decision_belongs_to_an_item_of_the_same_meeting(meeting, kayleigh_item, personas, today):
    other = actions.create_meeting(actor=personas["grace"], held_on=today, chair_id=personas["grace"].pk)
    with pytest.raises(ValidationError) as excinfo:
        actions.record_decision(actor=personas["grace"], meeting_id=other.pk, item_id=kayleigh_item.pk,
                                text="Close.")
    assert _codes(excinfo) == {"not_on_agenda"}
    with pytest.raises(PermissionDenied):  # attendees do not record decisions
        actions.record_decision(actor=personas["alice"], meeting_id=meeting.pk, item_id=kayleigh_item.pk,
                                text="Close.")


def test_an_action_about_a_child_makes_its_agency_part_of_the_childs_work(meeting, kayleigh_item, personas,
                                                                          people):
    # charlie (health) can see the meeting but not Kayleigh; an action for health changes that.
    assert not Involvement.objects.filter(person=people["kayleigh"], agency__code="TEST-HEALTH").exists()
    action = actions.add_action(actor=personas["grace"], meeting_id=meeting.pk, item_id=kayleigh_item.pk,
                                owner_id=personas["charlie"].pk, due_on=meeting.held_on + timedelta(days=14),
                                description="Offer a sexual health appointment.")
    assert action.agency.code == "TEST-HEALTH"  # the owner's agency unless another is chosen
    involvement = Involvement.objects.get(person=people["kayleigh"], agency__code="TEST-HEALTH")
    assert involvement.kind == "working_with" and involvement.worker == personas["charlie"]
    assert AuditEvent.objects.filter(event_type="person.involvement_added", person_id=people["kayleigh"].pk,
                                     details__mace_meeting_id=meeting.pk).exists()
    # A second action for the same agency does not add another involvement.
    actions.add_action(actor=personas["grace"], meeting_id=meeting.pk, item_id=kayleigh_item.pk,
                       owner_id=personas["charlie"].pk, due_on=meeting.held_on + timedelta(days=14),
                       description="Share the outcome with school nursing.")
    assert Involvement.objects.filter(person=people["kayleigh"], agency__code="TEST-HEALTH").count() == 1


def test_an_action_owner_must_be_at_the_meeting(meeting, personas):
    with pytest.raises(ValidationError) as excinfo:
        actions.add_action(actor=personas["grace"], meeting_id=meeting.pk, owner_id=personas["bob"].pk,
                           due_on=meeting.held_on, description="Check attendance.")
    assert _codes(excinfo) == {"owner_not_invited"}


def test_an_action_cannot_fall_due_before_the_meeting(meeting, personas):
    with pytest.raises(ValidationError) as excinfo:
        actions.add_action(actor=personas["grace"], meeting_id=meeting.pk, owner_id=personas["alice"].pk,
                           due_on=meeting.held_on - timedelta(days=1), description="Backdated.")
    assert _codes(excinfo) == {"due_before_meeting"}


def test_an_action_can_name_another_agency_in_the_partnership_only(meeting, personas, agencies):
    action = actions.add_action(actor=personas["grace"], meeting_id=meeting.pk, owner_id=personas["alice"].pk,
                                agency_id=agencies["csc"].pk, due_on=meeting.held_on, description="Joint visit.")
    assert action.agency == agencies["csc"]
    with pytest.raises(ValidationError) as excinfo:
        actions.add_action(actor=personas["grace"], meeting_id=meeting.pk, owner_id=personas["alice"].pk,
                           agency_id=agencies["elsewhere"].pk, due_on=meeting.held_on, description="No.")
    assert _codes(excinfo) == {"bad_agency"}


def test_the_owner_completes_an_action_and_others_at_the_meeting_cannot(meeting, kayleigh_item, personas,
                                                                         run_meeting):
    action = run_meeting(meeting, kayleigh_item, approve=False)
    with pytest.raises(PermissionDenied):
        actions.change_action_status(actor=personas["charlie"], action_id=action.pk, status=ActionStatus.DONE)
    with pytest.raises(Http404):  # bob cannot even see the meeting
        actions.change_action_status(actor=personas["bob"], action_id=action.pk, status=ActionStatus.DONE)
    done = actions.change_action_status(actor=personas["alice"], action_id=action.pk, status=ActionStatus.DONE,
                                        note="Keeper identified and passed to the intelligence unit.")
    assert done.status == ActionStatus.DONE and done.status_changed_by == personas["alice"]
    with pytest.raises(ValidationError) as excinfo:
        actions.change_action_status(actor=personas["grace"], action_id=action.pk,
                                     status=ActionStatus.CANCELLED, note="Changed our minds.")
    assert _codes(excinfo) == {"not_open"}


def test_cancelling_an_action_needs_a_reason(meeting, kayleigh_item, personas, run_meeting):
    action = run_meeting(meeting, kayleigh_item, approve=False)
    with pytest.raises(ValidationError) as excinfo:
        actions.change_action_status(actor=personas["grace"], action_id=action.pk, status=ActionStatus.CANCELLED)
    assert _codes(excinfo) == {"reason_required"}


# --- Approving the minutes ------------------------------------------------------------------------

def test_only_the_chair_approves_and_only_when_ready(meeting, kayleigh_item, personas, today):
    with pytest.raises(PermissionDenied):  # a coordinator runs meetings but does not approve them
        actions.approve_minutes(actor=personas["erin"], meeting_id=meeting.pk)
    with pytest.raises(ValidationError) as excinfo:
        actions.approve_minutes(actor=personas["grace"], meeting_id=meeting.pk)
    messages = excinfo.value.messages
    assert "Draft the minutes before approving them" in messages
    assert "Record attendance for everyone invited (2 not yet recorded)" in messages
    future = actions.create_meeting(actor=personas["grace"], held_on=today + timedelta(days=1),
                                    chair_id=personas["grace"].pk)
    actions.draft_minutes(actor=personas["grace"], meeting_id=future.pk, text="Written in advance.")
    with pytest.raises(ValidationError) as excinfo:
        actions.approve_minutes(actor=personas["grace"], meeting_id=future.pk)
    assert excinfo.value.messages == ["The meeting has not happened yet"]


def test_approval_is_recorded_with_counts_not_content(approved, personas):
    assert approved.is_approved and approved.minutes_approved_by == personas["grace"]
    event = AuditEvent.objects.get(event_type="mace.minutes_approved")
    assert event.details == {"items": 2, "decisions": 1}


def _try_every_change(meeting, personas, people, item):
    """Every change to the record of a meeting, each expected to be refused."""
    grace, erin = personas["grace"], personas["erin"]
    attendee = meeting.attendees.first()
    yield lambda: actions.add_agenda_item(actor=erin, meeting_id=meeting.pk, kind="location",
                                          location_name="Bus station", summary="Added later.")
    yield lambda: actions.add_agenda_item(actor=erin, meeting_id=meeting.pk, kind="child",
                                          person_id=people["jayden"].pk, summary="Added later.")
    yield lambda: actions.record_decision(actor=grace, meeting_id=meeting.pk, item_id=item.pk, text="Changed.")
    yield lambda: actions.record_attendance(actor=grace, meeting_id=meeting.pk,
                                            attendance={attendee.pk: Attendance.ABSENT})
    yield lambda: actions.invite_attendees(actor=grace, meeting_id=meeting.pk, user_ids=[personas["bob"].pk])
    yield lambda: actions.draft_minutes(actor=grace, meeting_id=meeting.pk, text="Rewritten.")
    yield lambda: actions.add_action(actor=grace, meeting_id=meeting.pk, owner_id=personas["alice"].pk,
                                     due_on=meeting.held_on, description="Forgotten action.")
    yield lambda: actions.approve_minutes(actor=grace, meeting_id=meeting.pk)


def test_approved_minutes_items_decisions_and_attendance_are_immutable(approved, personas, people,
                                                                       kayleigh_item):
    def snapshot():
        return (
            MaceMeeting.objects.filter(pk=approved.pk).values_list("minutes", "minutes_approved_at").get(),
            list(MaceAgendaItem.objects.filter(meeting=approved).values_list("pk", "summary", "next_review_on")),
            list(MaceDecision.objects.filter(item__meeting=approved).values_list("pk", "text")),
            list(MaceAttendee.objects.filter(meeting=approved).values_list("pk", "user_id", "attendance")),
            list(MaceAction.objects.filter(meeting=approved).values_list("pk")),
        )

    before = snapshot()
    events_before = AuditEvent.objects.count()
    for change in _try_every_change(approved, personas, people, kayleigh_item):
        with pytest.raises(ValidationError) as excinfo:
            change()
        assert _codes(excinfo) == {"minutes_approved"}
        assert "add an addendum" in excinfo.value.messages[0].lower()
    assert snapshot() == before
    assert AuditEvent.objects.count() == events_before  # refusals change nothing, not even the trail


def test_actions_still_move_after_approval(approved, personas):
    action = approved.actions.get()
    actions.change_action_status(actor=personas["alice"], action_id=action.pk, status=ActionStatus.DONE,
                                 note="Done.")
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE


# --- Addenda -------------------------------------------------------------------------------------

def test_addenda_come_only_after_approval(meeting, kayleigh_item, personas, run_meeting):
    run_meeting(meeting, kayleigh_item, approve=False)
    with pytest.raises(ValidationError) as excinfo:
        actions.add_addendum(actor=personas["grace"], meeting_id=meeting.pk, text="Too early.")
    assert _codes(excinfo) == {"minutes_not_approved"}


def test_an_attendee_adds_an_addendum_after_approval_and_the_minutes_stay(approved, personas):
    addendum = actions.add_addendum(actor=personas["alice"], meeting_id=approved.pk,
                                    text="Correction: the car was silver, not grey.")
    assert addendum.author == personas["alice"]
    approved.refresh_from_db()
    assert approved.minutes == "All agencies shared what they know about Kayleigh."
    assert list(approved.addenda.all()) == [addendum]
    event = AuditEvent.objects.get(event_type="mace.addendum_added")
    assert "silver" not in str(event.details)


def test_nobody_outside_the_meeting_adds_an_addendum(approved, personas):
    with pytest.raises(Http404):
        actions.add_addendum(actor=personas["bob"], meeting_id=approved.pk, text="I was not there.")
    with pytest.raises(ValidationError):
        actions.add_addendum(actor=personas["alice"], meeting_id=approved.pk, text="   ")
