"""Who may see and change casework.

- A case (and everything in it: team, plan, reviews, risk history, strategy discussions)
  is visible exactly when its child is visible (`people_visible_to`).
- Changing a case needs a case-content role (practitioner, manager, MACE chair,
  coordinator, analyst) and sight of the child.
- Approving or returning a closure request needs the manager role; exploitation
  coordinators may do everything within their partnership, this included. Nobody
  decides on their own request: a closure has two people's names on it.
- Auditors, administrators and people with no agency see no casework at all.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from wrekin.access.policy import CASE_CONTENT_ROLES, people_visible_to
from wrekin.accounts.models import Role, role_of
from wrekin.casework.models import Case

CLOSURE_APPROVER_ROLES = frozenset({Role.MANAGER, Role.COORDINATOR})
# Roles that see every open case in the partnership on the case list.
PARTNERSHIP_CASE_LIST_ROLES = frozenset({Role.COORDINATOR, Role.ANALYST})


def can_see_casework(user) -> bool:
    return role_of(user) in CASE_CONTENT_ROLES


def can_change_cases(user) -> bool:
    return role_of(user) in CASE_CONTENT_ROLES


def can_approve_closures(user) -> bool:
    return role_of(user) in CLOSURE_APPROVER_ROLES


def cases_visible_to(user) -> QuerySet[Case]:
    if not can_see_casework(user):
        return Case.objects.none()
    return Case.objects.filter(person__in=people_visible_to(user))


def get_case_for_user(user, pk) -> Case:
    """One case, with its child and lead; 404 whether it is absent or not the user's to see."""
    if not can_see_casework(user):
        raise Http404("No case found")
    try:
        # A correlated EXISTS on the one case's child: the database never lists everyone visible.
        visible = Exists(people_visible_to(user).filter(pk=OuterRef("person_id")))
        return Case.objects.filter(visible).select_related(
            "person", "lead_professional__membership__agency", "opened_by_agency"
        ).get(pk=int(pk))
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404("No case found") from None


def require_case_changer(user) -> None:
    if not can_change_cases(user):
        raise PermissionDenied("Your role cannot change cases")


def require_closure_approver(user, closure_request) -> None:
    if not can_approve_closures(user):
        raise PermissionDenied("Only a team manager or exploitation coordinator can decide on a closure")
    if closure_request.requested_by_id == user.pk:
        raise PermissionDenied("Someone other than the person who asked for closure must decide on it")
