"""Access to linkage: agency extract imports, the review queue and merge history.

- Importing extracts and reading the review queue is partnership-wide work: exploitation coordinators and
  intelligence analysts of the partnership, who already see every person in it (`people_visible_to`).
- Deciding a pair (confirm = merge, reject) and undoing a merge is for coordinators only: a merge moves one
  record's history onto another, and a wrong one is the worst error linkage can make.
- A pair or a merge is visible when both of its people are visible -- or, for people merged away, when the
  person they live on as is visible (merge history stays readable after the merge).
- Nobody else sees imports, pairs or merges at all: every linkage page answers them 403.

Fetching one record answers 404 for both "absent" and "forbidden", as everywhere in Wrekin.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from wrekin.access.policy import PARTNERSHIP_WIDE_ROLES, people_visible_to
from wrekin.accounts.models import Role, role_of
from wrekin.linkage.models import CandidateStatus, ExtractImport, MatchCandidate, PersonMerge
from wrekin.people.models import Person

LINKAGE_ROLES = PARTNERSHIP_WIDE_ROLES  # coordinators and analysts
DECISION_ROLES = frozenset({Role.COORDINATOR})
# A merge chain deeper than this is not followed for visibility (each level is one query).
_MAX_MERGE_DEPTH = 8


def can_import(user) -> bool:
    return role_of(user) in LINKAGE_ROLES


def can_see_linkage(user) -> bool:
    return role_of(user) in LINKAGE_ROLES


def can_decide_pairs(user) -> bool:
    return role_of(user) in DECISION_ROLES


def can_unmerge(user) -> bool:
    return role_of(user) in DECISION_ROLES


def imports_visible_to(user) -> QuerySet[ExtractImport]:
    if not can_import(user):
        return ExtractImport.objects.none()
    # The file itself (up to 20 MB) is loaded only where it is read: ExtractImport.content on access.
    return ExtractImport.objects.filter(partnership_id=user.agency.partnership_id).defer("content")


def get_import_for_user(user, pk) -> ExtractImport:
    try:
        return imports_visible_to(user).select_related("agency", "uploaded_by").get(pk=int(pk))
    except (ExtractImport.DoesNotExist, ValueError, TypeError):
        raise Http404("No import found") from None


def people_and_history_visible_to(user) -> QuerySet[Person]:
    """Visible people and the records merged into them (however deep): what merge history may show."""
    if not can_see_linkage(user):
        return Person.objects.none()
    ids = set(people_visible_to(user).values_list("pk", flat=True))
    frontier = ids
    for _ in range(_MAX_MERGE_DEPTH):
        frontier = set(Person.objects.filter(merged_into__in=frontier).values_list("pk", flat=True)) - ids
        if not frontier:
            break
        ids |= frontier
    return Person.objects.filter(pk__in=ids)


def candidates_visible_to(user) -> QuerySet[MatchCandidate]:
    if not can_see_linkage(user):
        return MatchCandidate.objects.none()
    visible = people_visible_to(user).values("pk")
    with_history = people_and_history_visible_to(user).values("pk")
    pending = Q(status=CandidateStatus.PENDING, person_a__in=visible, person_b__in=visible)
    decided = ~Q(status=CandidateStatus.PENDING) & Q(person_a__in=with_history, person_b__in=with_history)
    return MatchCandidate.objects.filter(partnership_id=user.agency.partnership_id).filter(pending | decided)


def review_queue_for(user) -> QuerySet[MatchCandidate]:
    return candidates_visible_to(user).filter(status=CandidateStatus.PENDING)


def get_candidate_for_user(user, pk) -> MatchCandidate:
    try:
        return candidates_visible_to(user).select_related(
            "person_a__recorded_by_agency", "person_b__recorded_by_agency", "extract_import__agency",
            "decided_by").get(pk=int(pk))
    except (MatchCandidate.DoesNotExist, ValueError, TypeError):
        raise Http404("No pair found") from None


def merges_visible_to(user) -> QuerySet[PersonMerge]:
    if not can_see_linkage(user):
        return PersonMerge.objects.none()
    people = people_and_history_visible_to(user).values("pk")
    return PersonMerge.objects.filter(partnership_id=user.agency.partnership_id, survivor__in=people,
                                      merged__in=people)


def get_merge_for_user(user, pk) -> PersonMerge:
    try:
        return merges_visible_to(user).select_related("survivor", "merged", "merged_by", "unmerged_by").get(
            pk=int(pk))
    except (PersonMerge.DoesNotExist, ValueError, TypeError):
        raise Http404("No merge found") from None


def get_person_with_history_for_user(user, pk) -> Person:
    """A visible person, for their linked-records page (linkage roles only). Merged people are not: their
    page is the survivor's."""
    from wrekin.access.policy import get_person_for_user

    if not can_see_linkage(user):
        raise Http404("No person found")
    return get_person_for_user(user, pk)


def survivor_for_user(user, pk) -> Person | None:
    """For a merged person's old address: the person they live on as, when this user may see them; else None.

    For wrekin.people.views.detail: on a 404, redirect to the survivor if this returns one.
    """
    from wrekin.linkage.merges import surviving_person_id

    try:
        person_id = int(pk)
    except (TypeError, ValueError):
        return None
    if not Person.objects.filter(pk=person_id, merged_into__isnull=False).exists():
        return None
    survivor_id = surviving_person_id(person_id)
    if survivor_id is None or survivor_id == person_id:
        return None
    return people_visible_to(user).filter(pk=survivor_id).first()
