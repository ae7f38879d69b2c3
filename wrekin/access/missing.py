"""Access to missing episodes, return home interviews and missing-pattern alerts.

- Episodes and their interviews are visible exactly when the child is visible
  (`people_visible_to`); recording needs a case-content role.
- Missing-pattern alerts go to the exploitation coordinators of the partnership and to team
  managers who can see the child — the people who decide whether a strategy discussion is needed.
  They may also record that decision. Practitioners see the episodes, not the alert queue.
- The "Return interviews due" work list is for the agencies that hold return home interviews
  (children's social care, youth services, the voluntary sector) and for coordinators; the
  interviews-due page itself shows any case-content user the children they can already see.

Fetching one record answers 404 for both "absent" and "forbidden", as everywhere in Wrekin.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from wrekin.access.policy import CASE_CONTENT_ROLES, RECORDING_ROLES, people_visible_to
from wrekin.accounts.models import AgencyType, Role, role_of
from wrekin.missing.models import MissingEpisode, MissingPatternAlert, ReturnInterview

PATTERN_ALERT_ROLES = frozenset({Role.COORDINATOR, Role.MANAGER})
INTERVIEW_PROVIDER_AGENCY_TYPES = frozenset(
    {AgencyType.CHILDRENS_SOCIAL_CARE, AgencyType.YOUTH_SERVICE, AgencyType.VOLUNTARY}
)


def can_see_missing(user) -> bool:
    return role_of(user) in CASE_CONTENT_ROLES


def can_record_missing(user) -> bool:
    return role_of(user) in RECORDING_ROLES


def can_see_pattern_alerts(user) -> bool:
    return role_of(user) in PATTERN_ALERT_ROLES


def holds_return_interviews(user) -> bool:
    """Whether the interviews-due work list is part of this user's job."""
    role = role_of(user)
    if role == Role.COORDINATOR:
        return True
    return role in CASE_CONTENT_ROLES and user.agency is not None and (
        user.agency.type in INTERVIEW_PROVIDER_AGENCY_TYPES
    )


def episodes_visible_to(user) -> QuerySet[MissingEpisode]:
    if not can_see_missing(user):
        return MissingEpisode.objects.none()
    return MissingEpisode.objects.filter(child__in=people_visible_to(user))


def get_episode_for_user(user, pk) -> MissingEpisode:
    try:
        return episodes_visible_to(user).select_related("child").get(pk=int(pk))
    except (MissingEpisode.DoesNotExist, ValueError, TypeError):
        raise Http404("No missing episode found") from None


def interviews_visible_to(user) -> QuerySet[ReturnInterview]:
    return ReturnInterview.objects.filter(episode__in=episodes_visible_to(user))


def get_interview_for_user(user, pk) -> ReturnInterview:
    try:
        return interviews_visible_to(user).select_related("episode__child").get(pk=int(pk))
    except (ReturnInterview.DoesNotExist, ValueError, TypeError):
        raise Http404("No return interview found") from None


def pattern_alerts_visible_to(user) -> QuerySet[MissingPatternAlert]:
    if not can_see_pattern_alerts(user):
        return MissingPatternAlert.objects.none()
    # Coordinators see the whole partnership through people_visible_to; managers their agency's children.
    return MissingPatternAlert.objects.filter(child__in=people_visible_to(user))


def get_pattern_alert_for_user(user, pk) -> MissingPatternAlert:
    try:
        return pattern_alerts_visible_to(user).select_related("child").get(pk=int(pk))
    except (MissingPatternAlert.DoesNotExist, ValueError, TypeError):
        raise Http404("No missing-pattern alert found") from None
