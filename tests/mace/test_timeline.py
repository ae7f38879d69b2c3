"""MACE on a child's chronology, and on people's work lists."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from wrekin.core.timeline import chronology_for, chronology_source_names
from wrekin.mace import actions
from wrekin.mace.models import ActionStatus
from wrekin.mace.queries import (
    actions_due_worklist,
    chronology_entries,
    minutes_awaiting_approval_worklist,
    reviews_due_worklist,
)


def test_sources_are_registered(personas, people):
    from wrekin.core import timeline

    assert "mace.agenda_items" in chronology_source_names()
    assert {"mace.actions_due", "mace.reviews_due", "mace.minutes_awaiting_approval"} <= set(
        timeline._worklist_sources)
    # Every persona, even with no membership, gets an answer (empty) rather than an error.
    for user in personas.values():
        assert actions_due_worklist(user) == reviews_due_worklist(user) == []
        assert minutes_awaiting_approval_worklist(user) == []
        assert chronology_entries(people["kayleigh"], user) == []


def test_chronology_shows_the_discussion_in_full_only_to_those_who_can_see_the_meeting(approved, kayleigh_item,
                                                                                        personas, people):
    kayleigh = people["kayleigh"]
    title = f"Discussed at MACE on {approved.held_on:%-d %B %Y}"
    # alice attended: summary, decision and a link.
    [entry] = chronology_entries(kayleigh, personas["alice"])
    assert entry.title == title and entry.event_type == "mace_item"
    assert "Three missing episodes" in entry.summary
    assert "Decision: Police to consider a Child Abduction Warning Notice." in entry.summary
    assert entry.url == reverse("mace:detail", kwargs={"pk": approved.pk}) + f"#item-{kayleigh_item.pk}"
    # dana can see Kayleigh but was not at the meeting: the fact and the date, nothing more.
    [entry] = chronology_entries(kayleigh, personas["dana"])
    assert entry.title == title
    assert entry.summary == "" and entry.url == ""
    # bob cannot see Kayleigh at all: nothing.
    assert chronology_entries(kayleigh, personas["bob"]) == []
    # The merged chronology carries the same entry.
    assert [e.title for e in chronology_for(kayleigh, personas["dana"]) if e.event_type == "mace_item"] == [title]


def test_person_of_concern_items_are_not_on_a_chronology(approved, personas, people):
    assert chronology_entries(people["poc"], personas["erin"]) == []


def test_a_future_meeting_is_on_the_agenda_not_yet_discussed(personas, people, today):
    meeting = actions.create_meeting(actor=personas["grace"], held_on=today + timedelta(days=5),
                                     chair_id=personas["grace"].pk)
    actions.add_agenda_item(actor=personas["grace"], meeting_id=meeting.pk, kind="child",
                            person_id=people["kayleigh"].pk, summary="Referred by school.")
    [entry] = chronology_entries(people["kayleigh"], personas["grace"])
    assert entry.title == f"On the agenda for MACE on {meeting.held_on:%-d %B %Y}"


def test_actions_due_are_on_the_owners_work_list(approved, personas, today):
    action = approved.actions.get()
    [item] = actions_due_worklist(personas["alice"], today=today)
    assert item.heading == "MACE actions due" and item.title == action.description
    assert item.url == reverse("mace:update_action", kwargs={"pk": approved.pk, "action_pk": action.pk})
    assert item.due == action.due_on and not item.overdue
    assert actions_due_worklist(personas["alice"], today=action.due_on + timedelta(days=1))[0].overdue
    # Not yet due within the fortnight: not listed.
    assert actions_due_worklist(personas["alice"], today=action.due_on - timedelta(days=15)) == []
    # Nobody else's list, and not once done.
    assert actions_due_worklist(personas["grace"], today=today) == []
    actions.change_action_status(actor=personas["alice"], action_id=action.pk, status=ActionStatus.DONE)
    assert actions_due_worklist(personas["alice"], today=today) == []


def test_reviews_due_for_coordinators_and_the_chair(approved, kayleigh_item, personas, people):
    review_day = kayleigh_item.next_review_on
    early = review_day - timedelta(days=30)
    assert reviews_due_worklist(personas["erin"], today=early) == []
    for username in ("erin", "grace"):
        [item] = reviews_due_worklist(personas[username], today=review_day + timedelta(days=1))
        assert item.heading == "MACE reviews due" and item.title == "Kayleigh Smith" and item.overdue
    # Attendees and others do not get the review list.
    assert reviews_due_worklist(personas["alice"], today=review_day) == []
    assert reviews_due_worklist(personas["oscar"], today=review_day) == []
    # Once Kayleigh is on a later meeting's agenda, the review is no longer due.
    later = actions.create_meeting(actor=personas["erin"], held_on=approved.held_on + timedelta(weeks=11),
                                   chair_id=personas["erin"].pk)
    actions.add_agenda_item(actor=personas["erin"], meeting_id=later.pk, kind="child",
                            person_id=people["kayleigh"].pk, summary="Review.")
    assert [i.url for i in reviews_due_worklist(personas["grace"], today=review_day)] == []


def test_minutes_awaiting_approval_for_the_chair(meeting, kayleigh_item, personas, run_meeting):
    assert minutes_awaiting_approval_worklist(personas["grace"]) == []  # nothing drafted yet
    run_meeting(meeting, kayleigh_item, approve=False)
    [item] = minutes_awaiting_approval_worklist(personas["grace"])
    assert item.heading == "Minutes awaiting approval"
    assert item.url == reverse("mace:approve_minutes", kwargs={"pk": meeting.pk})
    assert minutes_awaiting_approval_worklist(personas["erin"]) == []  # coordinators do not approve
    actions.approve_minutes(actor=personas["grace"], meeting_id=meeting.pk)
    assert minutes_awaiting_approval_worklist(personas["grace"]) == []
