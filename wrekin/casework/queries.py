"""Read helpers for casework that are not access decisions: who can join a team, whose cases are whose."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from wrekin.access.casework import cases_visible_to
from wrekin.access.policy import CASE_CONTENT_ROLES
from wrekin.accounts.models import Agency, User
from wrekin.casework.models import Case, CaseState


def team_candidates(partnership) -> QuerySet[User]:
    """Professionals who can work on a case in this partnership: an active case-content membership.

    Auditors and administrators see no case content, so they can be neither lead nor team member.
    """
    return (
        User.objects.filter(
            is_active=True,
            membership__is_active=True,
            membership__agency__is_active=True,
            membership__agency__partnership=partnership,
            membership__role__in=CASE_CONTENT_ROLES,
        )
        .select_related("membership__agency")
        .order_by("first_name", "last_name", "username")
    )


def partnership_agencies(partnership) -> QuerySet[Agency]:
    return Agency.objects.filter(partnership=partnership, is_active=True).order_by("name")


def my_cases(user) -> QuerySet[Case]:
    """Open cases the user leads or is a current team member of, that they can still see."""
    return cases_visible_to(user).filter(
        Q(lead_professional=user) | Q(team__user=user, team__removed_on__isnull=True)
    ).exclude(state=CaseState.CLOSED).distinct()
