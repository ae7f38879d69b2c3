"""Who may see and record disruption of persons of concern.

A disruption action is about a person of concern, so it is visible exactly when
that person is visible (wrekin.access.policy.people_visible_to). Recording one
needs a case-content role. The children an action protects are shown only to
users who can see each child: seeing the person of concern does not reveal which
children the partnership is protecting from them.

The demographic completeness report counts every person of concern in the
partnership, so it is for the partnership-wide roles (coordinators, analysts).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from wrekin.access.policy import CASE_CONTENT_ROLES, PARTNERSHIP_WIDE_ROLES, people_visible_to
from wrekin.accounts.models import role_of
from wrekin.intelligence.models import DisruptionAction
from wrekin.people.models import Person, PersonKind


def persons_of_concern_visible_to(user) -> QuerySet[Person]:
    return people_visible_to(user).filter(kind=PersonKind.PERSON_OF_CONCERN)


def get_person_of_concern_for_user(user, pk) -> Person:
    try:
        return persons_of_concern_visible_to(user).get(pk=int(pk))
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404("No person of concern found") from None


def disruptions_visible_to(user) -> QuerySet[DisruptionAction]:
    return DisruptionAction.objects.filter(person_of_concern__in=persons_of_concern_visible_to(user))


def get_disruption_for_user(user, pk) -> DisruptionAction:
    try:
        return (disruptions_visible_to(user)
                .select_related("person_of_concern", "recorded_by", "recorded_by_agency").get(pk=int(pk)))
    except (DisruptionAction.DoesNotExist, ValueError, TypeError):
        raise Http404("No disruption found") from None


def can_see_disruption(user) -> bool:
    return role_of(user) in CASE_CONTENT_ROLES


def can_record_disruption(user) -> bool:
    return role_of(user) in CASE_CONTENT_ROLES


def can_view_demographic_completeness(user) -> bool:
    return role_of(user) in PARTNERSHIP_WIDE_ROLES


def children_nameable_by(user) -> QuerySet[Person]:
    """Children a recorder may name as protected: those they can see in their own right.

    Not through break-glass: naming a child makes the recorder's agency part of
    the child's work, and an emergency look must not turn into lasting access.
    """
    return people_visible_to(user, include_break_glass=False).filter(kind=PersonKind.CHILD)


def protected_children_visible_to(user, disruption: DisruptionAction) -> tuple[list[Person], int]:
    """The named children this user may see, and how many others are named."""
    named = list(disruption.children.all())
    visible_ids = set(people_visible_to(user).filter(pk__in=[c.pk for c in named]).values_list("pk", flat=True))
    shown = [child for child in named if child.pk in visible_ids]
    return shown, len(named) - len(shown)
