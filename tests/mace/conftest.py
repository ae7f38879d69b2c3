"""MACE fixtures: a meeting chaired by grace, with alice and charlie invited (bob is not).

`approved` is the same meeting run to the end: Kayleigh, the person of concern and a
hotel on the agenda, attendance, a decision, an action for the police and approved minutes.
Dates are relative to today, so the meeting has always just happened.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from wrekin.mace import actions
from wrekin.mace.models import Attendance


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def meeting(personas, people, today):
    return actions.create_meeting(
        actor=personas["grace"], held_on=today - timedelta(days=1), chair_id=personas["grace"].pk,
        venue="Civic Offices, room 2", attendee_ids=[personas["alice"].pk, personas["charlie"].pk],
    )


@pytest.fixture
def kayleigh_item(meeting, personas, people):
    return actions.add_agenda_item(
        actor=personas["grace"], meeting_id=meeting.pk, kind="child", person_id=people["kayleigh"].pk,
        summary="Three missing episodes in February; seen getting into a grey Audi near the station.",
    )


@pytest.fixture
def poc_item(meeting, personas, people):
    return actions.add_agenda_item(
        actor=personas["erin"], meeting_id=meeting.pk, kind="person_of_concern", person_id=people["poc"].pk,
        summary="Named by two children as the driver of the grey Audi.",
    )


@pytest.fixture
def run_meeting(personas):
    """Take a meeting with items to approved minutes, as grace."""

    def _run(meeting, item, *, approve: bool = True):
        grace = personas["grace"]
        attendance = {a.pk: Attendance.ATTENDED for a in meeting.attendees.all()}
        actions.record_attendance(actor=grace, meeting_id=meeting.pk, attendance=attendance)
        actions.record_decision(actor=grace, meeting_id=meeting.pk, item_id=item.pk,
                                text="Police to consider a Child Abduction Warning Notice.")
        action = actions.add_action(actor=grace, meeting_id=meeting.pk, item_id=item.pk,
                                    owner_id=personas["alice"].pk, due_on=meeting.held_on + timedelta(days=7),
                                    description="Research the registered keeper of the grey Audi.")
        actions.draft_minutes(actor=grace, meeting_id=meeting.pk,
                              text="All agencies shared what they know about Kayleigh.")
        if approve:
            actions.approve_minutes(actor=grace, meeting_id=meeting.pk)
        meeting.refresh_from_db()
        return action

    return _run


@pytest.fixture
def approved(meeting, kayleigh_item, poc_item, run_meeting):
    run_meeting(meeting, kayleigh_item)
    return meeting
