"""Changes to access itself: break-glass, restricted records, notifications. Each audited."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from wrekin.access.known_to import flaggable_people
from wrekin.access.models import (
    BreakGlassGrant,
    Notification,
    NotificationKind,
    RestrictedAccess,
    SharingDecision,
    SharingRecord,
)
from wrekin.access.policy import can_see_case_content, get_person_for_user, people_visible_to
from wrekin.accounts.models import Role, User
from wrekin.audit.actions import record_event

BREAK_GLASS_MINUTES = 60


def break_glass(*, actor, person_id: int, reason: str, now=None) -> BreakGlassGrant:
    """Open one record beyond the policy for a short time. Auditors are told at once."""
    now = now or timezone.now()
    if not can_see_case_content(actor):
        raise PermissionDenied("Your role cannot use break-glass access")
    reason = reason.strip()
    with transaction.atomic():
        person = flaggable_people(actor).filter(pk=person_id).first()
        if person is None:
            # Restricted records and other partnerships' people cannot be opened this way.
            raise Http404("No person found")
        grant = BreakGlassGrant.objects.create(user=actor, person=person, reason=reason, granted_at=now,
                                               expires_at=now + timedelta(minutes=BREAK_GLASS_MINUTES))
        record_event("access.break_glass", actor=actor, person=person, target=grant, reason=reason,
                     details={"minutes": BREAK_GLASS_MINUTES})
        auditors = User.objects.filter(is_active=True, membership__role=Role.AUDITOR,
                                       membership__is_active=True,
                                       membership__agency__partnership_id=person.partnership_id)
        agency = actor.agency.name if actor.agency else ""
        for auditor in auditors:
            Notification.objects.create(
                recipient=auditor, kind=NotificationKind.BREAK_GLASS, person=person, actor=actor,
                message=f"{actor.display_name()} ({agency}) used break-glass to open record #{person.pk}",
            )
    return grant


def end_break_glass(*, actor, grant_id: int) -> BreakGlassGrant:
    with transaction.atomic():
        grant = BreakGlassGrant.objects.select_for_update().filter(pk=grant_id, user=actor).first()
        if grant is None:
            raise Http404("No grant found")
        if grant.ended_at is None:
            grant.ended_at = timezone.now()
            grant.save(update_fields=["ended_at"])
            record_event("access.break_glass_ended", actor=actor, person=grant.person_id, target=grant)
    return grant


def review_break_glass(*, actor, grant_id: int, outcome: str, note: str) -> BreakGlassGrant:
    if actor.role != Role.AUDITOR:
        raise PermissionDenied("Only auditors review break-glass access")
    with transaction.atomic():
        grant = (BreakGlassGrant.objects.select_for_update()
                 .filter(pk=grant_id, person__partnership_id=actor.partnership.pk).first())
        if grant is None:
            raise Http404("No grant found")
        grant.review_outcome = outcome
        grant.review_note = note
        grant.reviewed_by = actor
        grant.reviewed_at = timezone.now()
        grant.save(update_fields=["review_outcome", "review_note", "reviewed_by", "reviewed_at"])
        record_event("access.break_glass_reviewed", actor=actor, person=grant.person_id, target=grant,
                     details={"outcome": outcome})
    return grant


def restrict_person(*, actor, person_id: int, reason: str, named_users: list[User]) -> None:
    """Restrict a record to named users. The actor is always named, so nobody locks themselves out."""
    if actor.role not in (Role.MANAGER, Role.COORDINATOR):
        raise PermissionDenied("Only managers and coordinators restrict records")
    with transaction.atomic():
        person = get_person_for_user(actor, person_id)
        partnership_id = person.partnership_id
        everyone = {actor, *named_users}
        for user in everyone:
            if user.partnership is None or user.partnership.pk != partnership_id:
                raise PermissionDenied("Only users in this partnership can be named")
            RestrictedAccess.objects.get_or_create(person=person, user=user,
                                                   defaults={"granted_by": actor, "reason": reason})
            if user != actor:
                record_event("access.restricted_user_added", actor=actor, person=person,
                             details={"user": user.pk})
        if not person.is_restricted:
            person.is_restricted = True
            person.save(update_fields=["is_restricted"])
            record_event("access.restricted", actor=actor, person=person, target=person, reason=reason,
                         details={"named_users": sorted(u.pk for u in everyone)})


def mark_notifications_read(*, actor, ids: list[int] | None = None) -> int:
    queryset = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=ids)
    return queryset.update(read_at=timezone.now())


def active_grant(user, person_id: int) -> BreakGlassGrant | None:
    """The grant through which `user` sees this person, if their access comes only from break-glass."""
    grant = (BreakGlassGrant.objects.filter(user_id=user.pk, person_id=person_id, ended_at__isnull=True,
                                            expires_at__gt=timezone.now()).order_by("-expires_at").first())
    if grant is None:
        return None
    # If the policy would show the record anyway, the grant is not what opens it.
    by_policy = people_visible_to(user, include_break_glass=False).filter(pk=person_id)
    return None if by_policy.exists() else grant


def record_sharing(*, actor, person_id: int | None, decision: str, what: str, recipient_organisation: str,
                   recipient_name: str = "", purpose: str, lawful_basis: str = "", reasoning: str,
                   method: str = "", export_reference: str = "") -> SharingRecord:
    """Record a disclosure outside the partnership, or a decision not to disclose, with its reasoning."""
    if not can_see_case_content(actor):
        raise PermissionDenied("Your role cannot record information sharing")
    if decision == SharingDecision.SHARED and not lawful_basis:
        raise ValueError("A disclosure needs its lawful basis")
    with transaction.atomic():
        person = get_person_for_user(actor, person_id) if person_id is not None else None
        record = SharingRecord.objects.create(
            partnership=actor.partnership, person=person, decision=decision, what=what,
            recipient_organisation=recipient_organisation, recipient_name=recipient_name, purpose=purpose,
            lawful_basis=lawful_basis, reasoning=reasoning, method=method, decided_by=actor, agency=actor.agency,
            export_reference=export_reference,
        )
        record_event("access.sharing_recorded", actor=actor, person=person, target=record,
                     details={"decision": decision, "lawful_basis": lawful_basis, "method": method})
    return record
