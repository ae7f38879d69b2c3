"""Who may see and act on referrals and screenings. Built on the people policy.

- A referral is visible to whoever can see its child (`people_visible_to`), and also to the
  partnership's *triagers* — exploitation coordinators, and managers in children's social
  care — who must read what came in through the front door before anyone is involved.
- A screening is visible exactly when its child is.
- Anyone who can record people can make a referral, about a child they can see or a new one.
- Practitioners, managers and coordinators screen; managers approve, never their own work.
- Every lookup of one record answers 404 for "absent" and "forbidden" alike.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from wrekin.access.policy import can_record_people, people_visible_to
from wrekin.accounts.models import AgencyType, Role, membership_of
from wrekin.referrals.models import Referral, ReferralStatus, Screening, ScreeningStatus

SCREENING_ROLES = frozenset({Role.PRACTITIONER, Role.MANAGER, Role.COORDINATOR})
APPROVING_ROLES = frozenset({Role.MANAGER})


def can_refer(user) -> bool:
    return can_record_people(user)


def can_triage(user) -> bool:
    membership = membership_of(user)
    if membership is None:
        return False
    if membership.role == Role.COORDINATOR:
        return True
    return membership.role == Role.MANAGER and membership.agency.type == AgencyType.CHILDRENS_SOCIAL_CARE


def can_screen(user) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.role in SCREENING_ROLES


def can_approve_screenings(user) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.role in APPROVING_ROLES


# --- Referrals ------------------------------------------------------------------------------

def referrals_visible_to(user) -> QuerySet[Referral]:
    membership = membership_of(user)
    if membership is None:
        return Referral.objects.none()
    about_visible_children = Q(child__in=people_visible_to(user))
    if can_triage(user):
        return Referral.objects.filter(about_visible_children | Q(partnership_id=membership.agency.partnership_id))
    return Referral.objects.filter(about_visible_children)


def get_referral_for_user(user, pk) -> Referral:
    try:
        return referrals_visible_to(user).select_related(
            "child", "referring_agency", "referred_by", "instrument").get(pk=int(pk))
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise Http404("No referral found") from None


def triage_queue_for(user) -> QuerySet[Referral]:
    """Referrals in the user's partnership that nobody has decided on yet, oldest first."""
    if not can_triage(user):
        return Referral.objects.none()
    return (Referral.objects.filter(partnership_id=user.active_membership.agency.partnership_id,
                                    status=ReferralStatus.AWAITING_TRIAGE)
            .select_related("child", "referring_agency").order_by("created_at", "pk"))


def get_referral_for_triage(user, pk) -> Referral:
    """A referral the user may decide on: 404 unless they are a triager of its partnership."""
    if not can_triage(user):
        raise Http404("No referral found")
    try:
        return Referral.objects.select_related("child", "referring_agency", "instrument").get(
            pk=int(pk), partnership_id=user.active_membership.agency.partnership_id)
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise Http404("No referral found") from None


# --- Screenings -----------------------------------------------------------------------------

def screenings_visible_to(user) -> QuerySet[Screening]:
    if membership_of(user) is None:
        return Screening.objects.none()
    return Screening.objects.filter(child__in=people_visible_to(user))


def get_screening_for_user(user, pk) -> Screening:
    try:
        return screenings_visible_to(user).select_related(
            "child", "instrument", "agency", "screened_by", "decided_by", "referral").get(pk=int(pk))
    except (Screening.DoesNotExist, ValueError, TypeError):
        raise Http404("No screening found") from None


def screenings_awaiting_approval_for(user) -> QuerySet[Screening]:
    """Screenings this manager may approve: children they can see, submitted by someone else."""
    if not can_approve_screenings(user):
        return Screening.objects.none()
    return (screenings_visible_to(user).filter(status=ScreeningStatus.AWAITING_APPROVAL)
            .exclude(screened_by=user).select_related("child", "agency", "screened_by", "instrument")
            .order_by("submitted_at", "pk"))
