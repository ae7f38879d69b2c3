"""Who may see and run MACE meetings.

MACE minutes are the most sensitive multi-agency record: they name children,
suspects and places together. So a meeting is NOT visible to everyone who can
see a child on its agenda. It is visible only to:
- its chair,
- the users invited to it (attendees),
- the exploitation coordinators of its partnership,
and only while they hold a case-content role in that partnership. Everyone else
(including a practitioner working with a child on the agenda, an analyst, an
uninvited MACE chair) gets 404 — existence never leaks.

Running a meeting (inviting, attendance, decisions, actions, drafting minutes) is
for its chair and the partnership's coordinators; approving the minutes is for
the chair alone. Any user who can see the meeting may propose agenda items
(about people they can themselves see) before approval, and add addenda after.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from wrekin.access.policy import CASE_CONTENT_ROLES, people_visible_to
from wrekin.accounts.models import Role, User, membership_of
from wrekin.mace.models import MaceAction, MaceMeeting
from wrekin.people.models import Person

MEETING_ORGANISER_ROLES = frozenset({Role.COORDINATOR, Role.MACE_CHAIR})
CHAIR_ROLES = MEETING_ORGANISER_ROLES


def _case_content_membership(user):
    """The user's membership if their role works with case content (only they can attend MACE), else None."""
    membership = membership_of(user)
    if membership is None or membership.role not in CASE_CONTENT_ROLES:
        return None
    return membership


def meetings_visible_to(user) -> QuerySet[MaceMeeting]:
    membership = _case_content_membership(user)
    if membership is None:
        return MaceMeeting.objects.none()
    in_partnership = MaceMeeting.objects.filter(partnership_id=membership.agency.partnership_id)
    if membership.role == Role.COORDINATOR:
        return in_partnership
    return in_partnership.filter(Q(chair_id=user.pk) | Q(attendees__user_id=user.pk)).distinct()


def get_meeting_for_user(user, pk) -> MaceMeeting:
    try:
        return meetings_visible_to(user).select_related("chair", "partnership").get(pk=int(pk))
    except (MaceMeeting.DoesNotExist, ValueError, TypeError):
        raise Http404("No meeting found") from None


def can_create_meetings(user) -> bool:
    membership = _case_content_membership(user)
    return membership is not None and membership.role in MEETING_ORGANISER_ROLES


def can_see_mace(user) -> bool:
    return _case_content_membership(user) is not None


def can_run_meeting(user, meeting: MaceMeeting) -> bool:
    """Invite, record attendance, decisions and actions, draft the minutes."""
    membership = _case_content_membership(user)
    if membership is None or membership.agency.partnership_id != meeting.partnership_id:
        return False
    return meeting.chair_id == user.pk or membership.role == Role.COORDINATOR


def can_approve_minutes(user, meeting: MaceMeeting) -> bool:
    return _case_content_membership(user) is not None and meeting.chair_id == user.pk


def can_contribute_to_meeting(user, meeting: MaceMeeting) -> bool:
    """Propose agenda items and add addenda: anyone the meeting is visible to."""
    return meetings_visible_to(user).filter(pk=meeting.pk).exists()


def can_update_action(user, action: MaceAction) -> bool:
    """An action's owner marks it done; the meeting's runners may also close or cancel it."""
    if _case_content_membership(user) is None:
        return False
    return action.owner_id == user.pk or can_run_meeting(user, action.meeting)


def eligible_chairs(partnership_id: int) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True, membership__is_active=True, membership__agency__is_active=True,
        membership__agency__partnership_id=partnership_id, membership__role__in=CHAIR_ROLES,
    ).select_related("membership__agency").order_by("first_name", "last_name", "username")


def eligible_attendees(partnership_id: int) -> QuerySet[User]:
    """Anyone in the partnership who works with case content; auditors and administrators never attend."""
    return User.objects.filter(
        is_active=True, membership__is_active=True, membership__agency__is_active=True,
        membership__agency__partnership_id=partnership_id, membership__role__in=CASE_CONTENT_ROLES,
    ).select_related("membership__agency").order_by("membership__agency__name", "first_name", "username")


def people_addable_by(user) -> QuerySet[Person]:
    """People a user may put on an agenda: only those they can already see in their own right.

    A break-glass grant lets someone read one record in an emergency; it does not
    let them share that person with a meeting.
    """
    return people_visible_to(user, include_break_glass=False)
