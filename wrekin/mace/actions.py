"""Every change to a MACE meeting goes through these functions.

Each runs in one transaction: permission, the change and its audit event. Each
re-reads the meeting under a row lock, so a change racing the chair's approval
either lands before it or is refused after it.

Approved minutes are immutable: once `approve_minutes` has run, nothing here
changes the minutes, the agenda items, the decisions or the attendance again —
every such action refuses with `ValidationError(code="minutes_approved")`.
Corrections are addenda. Actions (the follow-up work) can still be completed or
cancelled, but no new ones can be added: what was agreed is what the minutes say.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from wrekin.access.mace import (
    can_approve_minutes,
    can_contribute_to_meeting,
    can_create_meetings,
    can_run_meeting,
    can_update_action,
    eligible_attendees,
    eligible_chairs,
    get_meeting_for_user,
    meetings_visible_to,
    people_addable_by,
)
from wrekin.accounts.models import Agency
from wrekin.audit.actions import record_event
from wrekin.mace.models import (
    ActionStatus,
    AgendaItemKind,
    Attendance,
    MaceAction,
    MaceAddendum,
    MaceAgendaItem,
    MaceAttendee,
    MaceDecision,
    MaceMeeting,
)
from wrekin.people.models import Involvement, InvolvementKind, PersonKind

_ITEM_PERSON_KIND = {
    AgendaItemKind.CHILD: PersonKind.CHILD,
    AgendaItemKind.PERSON_OF_CONCERN: PersonKind.PERSON_OF_CONCERN,
}


def _locked_meeting(actor, meeting_id) -> MaceMeeting:
    """The meeting, if the actor may see it (404 otherwise), re-read under a row lock."""
    meeting = get_meeting_for_user(actor, meeting_id)
    return MaceMeeting.objects.select_for_update().select_related("chair").get(pk=meeting.pk)


def _refuse_if_approved(meeting: MaceMeeting) -> None:
    if meeting.is_approved:
        approved = timezone.localtime(meeting.minutes_approved_at)
        raise ValidationError(
            f"The minutes of this meeting were approved on {approved:%-d %B %Y} and cannot be changed. "
            "Add an addendum to correct or add to them.",
            code="minutes_approved",
        )


def _require_runner(actor, meeting: MaceMeeting) -> None:
    if not can_run_meeting(actor, meeting):
        raise PermissionDenied("Only the chair or an exploitation coordinator can do this")


def _invite(meeting: MaceMeeting, user_ids: Iterable[int], *, actor) -> list[MaceAttendee]:
    wanted = {int(pk) for pk in user_ids} - {meeting.chair_id}  # the chair is there by right
    eligible = {user.pk: user for user in eligible_attendees(meeting.partnership_id).filter(pk__in=wanted)}
    if set(eligible) != wanted:
        raise ValidationError("Attendees must be people in this partnership who work with case records",
                              code="ineligible_attendee")
    already = set(meeting.attendees.values_list("user_id", flat=True))
    return [
        MaceAttendee.objects.create(meeting=meeting, user=user, agency=user.membership.agency, invited_by=actor)
        for pk, user in sorted(eligible.items())
        if pk not in already
    ]


def create_meeting(*, actor, held_on: date, chair_id: int, venue: str = "",
                   attendee_ids: Iterable[int] = ()) -> MaceMeeting:
    if not can_create_meetings(actor):
        raise PermissionDenied("Only MACE chairs and exploitation coordinators can arrange MACE meetings")
    partnership = actor.partnership
    with transaction.atomic():
        chair = eligible_chairs(partnership.pk).filter(pk=chair_id).first()
        if chair is None:
            raise ValidationError("The chair must be a MACE chair or an exploitation coordinator "
                                  "in this partnership", code="ineligible_chair")
        meeting = MaceMeeting.objects.create(partnership=partnership, held_on=held_on, venue=venue,
                                             chair=chair, created_by=actor)
        invited = _invite(meeting, attendee_ids, actor=actor)
        record_event("mace.meeting_created", actor=actor, target=meeting,
                     details={"chair_id": chair.pk, "attendee_ids": [a.user_id for a in invited],
                              "held_on": held_on.isoformat()})
    return meeting


def invite_attendees(*, actor, meeting_id: int, user_ids: Iterable[int]) -> list[MaceAttendee]:
    with transaction.atomic():
        meeting = _locked_meeting(actor, meeting_id)
        _require_runner(actor, meeting)
        _refuse_if_approved(meeting)
        invited = _invite(meeting, user_ids, actor=actor)
        if not invited:
            raise ValidationError("Everyone you chose is already invited", code="already_invited")
        for attendee in invited:
            record_event("mace.attendee_invited", actor=actor, target=attendee,
                         details={"meeting_id": meeting.pk, "user_id": attendee.user_id,
                                  "agency_id": attendee.agency_id})
    return invited


def record_attendance(*, actor, meeting_id: int, attendance: Mapping[int, str],
                      today: date | None = None) -> None:
    """Record who attended, sent apologies or was absent. `attendance` maps attendee id to a code."""
    today = today or timezone.localdate()
    with transaction.atomic():
        meeting = _locked_meeting(actor, meeting_id)
        _require_runner(actor, meeting)
        _refuse_if_approved(meeting)
        if meeting.held_on > today:
            raise ValidationError(f"Attendance can be recorded from the day of the meeting, "
                                  f"{meeting.held_on:%-d %B %Y}", code="meeting_not_held")
        attendees = {a.pk: a for a in meeting.attendees.all()}
        unknown = set(map(int, attendance)) - set(attendees)
        if unknown:
            raise ValidationError("Attendance can only be recorded for people invited to this meeting",
                                  code="not_invited")
        now = timezone.now()
        changed = {}
        for attendee_id, code in attendance.items():
            if code not in Attendance.values:
                raise ValidationError(f"Unknown attendance {code!r}", code="bad_attendance")
            attendee = attendees[int(attendee_id)]
            if attendee.attendance != code:
                attendee.attendance = code
                attendee.attendance_recorded_at = now
                attendee.save(update_fields=["attendance", "attendance_recorded_at"])
                changed[str(attendee.pk)] = code
        record_event("mace.attendance_recorded", actor=actor, target=meeting, details={"attendance": changed})


def add_agenda_item(*, actor, meeting_id: int, kind: str, summary: str, person_id: int | None = None,
                    location_name: str = "", location_postcode: str = "",
                    next_review_on: date | None = None) -> MaceAgendaItem:
    """Put a child, a person of concern or a location on the agenda.

    A person can be added only by someone who can already see them: the meeting
    must never become a way to learn about a child your agency does not know.
    """
    with transaction.atomic():
        meeting = _locked_meeting(actor, meeting_id)
        if not can_contribute_to_meeting(actor, meeting):
            raise PermissionDenied
        _refuse_if_approved(meeting)
        if not summary.strip():
            raise ValidationError("Enter a summary for the agenda item", code="summary_required")
        item = MaceAgendaItem(meeting=meeting, kind=kind, summary=summary, added_by=actor)
        if kind in _ITEM_PERSON_KIND:
            if person_id is None:
                raise ValidationError("Choose the person to discuss", code="person_required")
            person = people_addable_by(actor).filter(pk=person_id).first()
            if person is None:
                raise Http404("No person found")  # as if absent: existence never leaks
            if person.kind != _ITEM_PERSON_KIND[kind]:
                raise ValidationError(f"{person.full_name} is not recorded as a "
                                      f"{AgendaItemKind(kind).label.lower()}", code="wrong_kind")
            if meeting.items.filter(person=person).exists():
                raise ValidationError(f"{person.full_name} is already on this agenda", code="duplicate")
            item.person = person
            if kind == AgendaItemKind.CHILD:
                item.next_review_on = next_review_on or meeting.default_review_date()
                if item.next_review_on <= meeting.held_on:
                    raise ValidationError("The next review must be after the meeting", code="review_date")
        elif kind == AgendaItemKind.LOCATION:
            if not location_name.strip():
                raise ValidationError("Enter the address or name of the premises", code="location_required")
            item.location_name = location_name.strip()
            item.location_postcode = location_postcode
        else:
            raise ValidationError(f"Unknown agenda item kind {kind!r}", code="bad_kind")
        last = meeting.items.order_by("-position").values_list("position", flat=True).first()
        item.position = (last or 0) + 1
        item.save()
        record_event("mace.item_added", actor=actor, person=item.person, target=item,
                     details={"meeting_id": meeting.pk, "kind": kind})
    return item


def record_decision(*, actor, meeting_id: int, item_id: int, text: str) -> MaceDecision:
    with transaction.atomic():
        meeting = _locked_meeting(actor, meeting_id)
        _require_runner(actor, meeting)
        _refuse_if_approved(meeting)
        item = meeting.items.filter(pk=item_id).first()
        if item is None:
            raise ValidationError("That item is not on this meeting's agenda", code="not_on_agenda")
        if not text.strip():
            raise ValidationError("Enter the decision", code="decision_required")
        decision = MaceDecision.objects.create(item=item, text=text, recorded_by=actor)
        record_event("mace.decision_recorded", actor=actor, person=item.person, target=decision,
                     details={"meeting_id": meeting.pk, "item_id": item.pk})
    return decision


def add_action(*, actor, meeting_id: int, description: str, owner_id: int, due_on: date,
               agency_id: int | None = None, item_id: int | None = None,
               today: date | None = None) -> MaceAction:
    """Agree an action. An action about a child makes its agency part of that child's work."""
    today = today or timezone.localdate()
    with transaction.atomic():
        meeting = _locked_meeting(actor, meeting_id)
        _require_runner(actor, meeting)
        _refuse_if_approved(meeting)
        if not description.strip():
            raise ValidationError("Describe the action", code="description_required")
        invitation = meeting.attendees.filter(user_id=owner_id).select_related("user").first()
        if owner_id == meeting.chair_id:
            owner = meeting.chair
        elif invitation is not None:
            owner = invitation.user
        else:
            raise ValidationError("The owner must be the chair or someone invited to the meeting",
                                  code="owner_not_invited")
        if agency_id is None:
            if owner.agency is None:
                raise ValidationError("The owner has no agency: choose the agency responsible",
                                      code="agency_required")
            agency = owner.agency
        else:
            agency = Agency.objects.filter(pk=agency_id, partnership_id=meeting.partnership_id,
                                           is_active=True).first()
            if agency is None:
                raise ValidationError("Choose an agency in this partnership", code="bad_agency")
        item = None
        if item_id is not None:
            item = meeting.items.filter(pk=item_id).select_related("person").first()
            if item is None:
                raise ValidationError("That item is not on this meeting's agenda", code="not_on_agenda")
        if due_on < meeting.held_on:
            raise ValidationError("The due date cannot be before the meeting", code="due_before_meeting")
        action = MaceAction.objects.create(meeting=meeting, item=item, description=description, owner=owner,
                                           agency=agency, due_on=due_on, created_by=actor)
        record_event("mace.action_added", actor=actor, person=item.person if item else None, target=action,
                     details={"meeting_id": meeting.pk, "item_id": item.pk if item else None,
                              "owner_id": owner.pk, "agency_id": agency.pk, "due_on": due_on.isoformat()})
        if item is not None and item.kind == AgendaItemKind.CHILD:
            _ensure_working_with(item.person, agency, worker=owner, actor=actor, meeting=meeting, today=today)
    return action


def _ensure_working_with(person, agency, *, worker, actor, meeting: MaceMeeting, today: date) -> None:
    if Involvement.objects.filter(person=person, agency=agency, ended_on__isnull=True).exists():
        return
    involvement = Involvement.objects.create(
        person=person, agency=agency, kind=InvolvementKind.WORKING_WITH, started_on=today, worker=worker,
        summary=f"Action agreed at the MACE meeting on {meeting.held_on:%-d %B %Y}.",
    )
    record_event("person.involvement_added", actor=actor, person=person, target=involvement,
                 details={"kind": InvolvementKind.WORKING_WITH, "mace_meeting_id": meeting.pk})


def change_action_status(*, actor, action_id: int, status: str, note: str = "") -> MaceAction:
    """Mark an open action done or cancelled. Allowed after approval: it is follow-up, not history."""
    with transaction.atomic():
        action = (MaceAction.objects.select_for_update()
                  .filter(meeting__in=meetings_visible_to(actor), pk=action_id).first())
        if action is None:
            raise Http404("No action found")
        if not can_update_action(actor, action):
            raise PermissionDenied("Only the action's owner, the chair or a coordinator can do this")
        if status not in (ActionStatus.DONE, ActionStatus.CANCELLED):
            raise ValidationError("Choose whether the action is done or cancelled", code="bad_status")
        if action.status != ActionStatus.OPEN:
            raise ValidationError(f"This action is already {action.get_status_display().lower()}",
                                  code="not_open")
        if status == ActionStatus.CANCELLED and not note.strip():
            raise ValidationError("Say why the action is cancelled", code="reason_required")
        action.status = status
        action.status_note = note
        action.status_changed_by = actor
        action.status_changed_at = timezone.now()
        action.save(update_fields=["status", "status_note", "status_changed_by", "status_changed_at"])
        record_event("mace.action_status_changed", actor=actor, target=action,
                     details={"meeting_id": action.meeting_id, "status": status})
    return action


def draft_minutes(*, actor, meeting_id: int, text: str) -> MaceMeeting:
    with transaction.atomic():
        meeting = _locked_meeting(actor, meeting_id)
        _require_runner(actor, meeting)
        _refuse_if_approved(meeting)
        if not text.strip():
            raise ValidationError("Enter the minutes", code="minutes_required")
        meeting.minutes = text
        meeting.minutes_drafted_by = actor
        meeting.minutes_drafted_at = timezone.now()
        meeting.save(update_fields=["minutes", "minutes_drafted_by", "minutes_drafted_at"])
        record_event("mace.minutes_drafted", actor=actor, target=meeting)
    return meeting


def approve_minutes(*, actor, meeting_id: int, today: date | None = None) -> MaceMeeting:
    """The chair approves: from now on the record of this meeting is fixed."""
    today = today or timezone.localdate()
    with transaction.atomic():
        meeting = _locked_meeting(actor, meeting_id)
        if not can_approve_minutes(actor, meeting):
            raise PermissionDenied("Only the chair of the meeting can approve its minutes")
        _refuse_if_approved(meeting)
        problems = []
        if meeting.held_on > today:
            problems.append("The meeting has not happened yet")
        if not meeting.minutes.strip():
            problems.append("Draft the minutes before approving them")
        unrecorded = meeting.attendees.filter(attendance="").count()
        if unrecorded:
            problems.append(f"Record attendance for everyone invited ({unrecorded} not yet recorded)")
        if problems:
            raise ValidationError(problems, code="not_ready")
        meeting.minutes_approved_by = actor
        meeting.minutes_approved_at = timezone.now()
        meeting.save(update_fields=["minutes_approved_by", "minutes_approved_at"])
        record_event("mace.minutes_approved", actor=actor, target=meeting,
                     details={"items": meeting.items.count(),
                              "decisions": MaceDecision.objects.filter(item__meeting=meeting).count()})
    return meeting


def add_addendum(*, actor, meeting_id: int, text: str) -> MaceAddendum:
    with transaction.atomic():
        meeting = _locked_meeting(actor, meeting_id)
        if not can_contribute_to_meeting(actor, meeting):
            raise PermissionDenied
        if not meeting.is_approved:
            raise ValidationError("Addenda are added after the minutes are approved: until then, change "
                                  "the draft minutes", code="minutes_not_approved")
        if not text.strip():
            raise ValidationError("Enter the addendum", code="addendum_required")
        addendum = MaceAddendum.objects.create(meeting=meeting, text=text, author=actor)
        record_event("mace.addendum_added", actor=actor, target=addendum, details={"meeting_id": meeting.pk})
    return addendum
