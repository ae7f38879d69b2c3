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
- a user with no active membership sees nothing.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from wrekin.accounts.models import Role
from wrekin.people.models import Involvement, Person

PARTNERSHIP_WIDE_ROLES = frozenset({Role.COORDINATOR, Role.ANALYST})
AGENCY_SCOPED_ROLES = frozenset({Role.PRACTITIONER, Role.MANAGER, Role.MACE_CHAIR})
CASE_CONTENT_ROLES = PARTNERSHIP_WIDE_ROLES | AGENCY_SCOPED_ROLES
RECORDING_ROLES = CASE_CONTENT_ROLES


def can_see_case_content(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role in CASE_CONTENT_ROLES)


def can_record_people(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role in RECORDING_ROLES)


def can_view_audit(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role == Role.AUDITOR)


def people_visible_to(user) -> QuerySet[Person]:
    if not getattr(user, "is_authenticated", False):
        return Person.objects.none()
    membership = user.active_membership
    if membership is None:
        return Person.objects.none()
    in_partnership = Person.objects.filter(partnership_id=membership.agency.partnership_id)
    if membership.role in PARTNERSHIP_WIDE_ROLES:
        return in_partnership
    if membership.role in AGENCY_SCOPED_ROLES:
        involved = Involvement.objects.filter(agency_id=membership.agency_id).values("person_id")
        return in_partnership.filter(pk__in=involved)
    return Person.objects.none()


def get_person_for_user(user, pk) -> Person:
    try:
        return people_visible_to(user).get(pk=int(pk))
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404("No person found") from None
