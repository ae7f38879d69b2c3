"""The access policy: the one way in to protected data.

Lists and searches start from `people_visible_to(user)`; one record is fetched
with `get_person_for_user(user, pk)`, which raises Http404 both when the person
does not exist and when the user may not see them, so existence never leaks.

The rules today (later issues extend them in this module, nowhere else):
- practitioners, team managers and MACE chairs see people their own agency is
  involved with (recorded them, works with them, investigates them);
- coordinators and analysts see every person in their partnership's
  exploitation work — in Wrekin, every person in the partnership;
- auditors and administrators see no case content: auditors read the audit
  trail, administrators manage accounts and settings;
- a user with no active membership sees nothing;
- a **restricted** person (e.g. a staff member's relative) is visible only to the
  users named for them, whatever their role;
- an active **break-glass** grant opens one person to one user for a short time,
  on the user's stated reason; auditors are told (see wrekin/access/break_glass.py).
- a person **merged** into another is visible to nobody as themselves: their records moved to
  the survivor, who is visible by the rules above (wrekin/access/linkage.py shows merge history).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from wrekin.access.models import BreakGlassGrant, RestrictedAccess
from wrekin.accounts.models import Role, membership_of, role_of
from wrekin.people.models import Involvement, Person

PARTNERSHIP_WIDE_ROLES = frozenset({Role.COORDINATOR, Role.ANALYST})
AGENCY_SCOPED_ROLES = frozenset({Role.PRACTITIONER, Role.MANAGER, Role.MACE_CHAIR})
CASE_CONTENT_ROLES = PARTNERSHIP_WIDE_ROLES | AGENCY_SCOPED_ROLES
RECORDING_ROLES = CASE_CONTENT_ROLES


def can_see_case_content(user) -> bool:
    return role_of(user) in CASE_CONTENT_ROLES


def can_record_people(user) -> bool:
    return role_of(user) in RECORDING_ROLES


def can_view_audit(user) -> bool:
    return role_of(user) == Role.AUDITOR


def people_visible_to(user, *, include_break_glass: bool = True) -> QuerySet[Person]:
    membership = membership_of(user)
    if membership is None:
        return Person.objects.none()
    if membership.role not in CASE_CONTENT_ROLES:
        return Person.objects.none()
    # A person merged into another lives on as the survivor: the merged row is history, not a record
    # anyone works on, so it is in no list or search (wrekin.linkage.merges).
    in_partnership = Person.objects.filter(partnership_id=membership.agency.partnership_id,
                                           merged_into__isnull=True)
    named = RestrictedAccess.objects.filter(user_id=user.pk).values("person_id")
    if membership.role in PARTNERSHIP_WIDE_ROLES:
        by_policy = Q()
    else:
        by_policy = Q(pk__in=Involvement.objects.filter(agency_id=membership.agency_id).values("person_id"))
    allowed = by_policy & (Q(is_restricted=False) | Q(pk__in=named))
    if not include_break_glass:
        return in_partnership.filter(allowed)
    grants = BreakGlassGrant.objects.filter(
        user_id=user.pk, ended_at__isnull=True, expires_at__gt=timezone.now()
    ).values("person_id")
    return in_partnership.filter(allowed | Q(pk__in=grants))


def get_person_for_user(user, pk) -> Person:
    try:
        person = people_visible_to(user).get(pk=int(pk))
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404("No person found") from None
    _remember_visible(user, person.pk)
    return person


def is_person_visible(user, person_id: int) -> bool:
    """Whether the user may see this person. Positive answers are remembered for the request
    (the user object lives for one request), so a page that fetched the person through
    get_person_for_user does not ask the database again for each part it renders."""
    if person_id in getattr(user, "_wrekin_visible_people", ()):
        return True
    visible = people_visible_to(user).filter(pk=person_id).exists()
    if visible:
        _remember_visible(user, person_id)
    return visible


def _remember_visible(user, person_id: int) -> None:
    # Only positive answers: access granted later in the request (a new involvement, a
    # break-glass grant) must not be hidden by a stale "no".
    if getattr(user, "is_authenticated", False):
        if not hasattr(user, "_wrekin_visible_people"):
            user._wrekin_visible_people = set()
        user._wrekin_visible_people.add(person_id)
