"""Unusual access: a user opening many more children's records than they usually do.

Checked each time a record is opened. The baseline is the user's own busiest
hour over the previous 30 days (so a duty worker who always opens many records
is not flagged), with a floor, so a new account opening 25 records in an hour
is flagged. One alert per user per hour at most; auditors are told.
"""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.db.models.functions import TruncHour
from django.utils import timezone

from wrekin.access.models import Notification, NotificationKind
from wrekin.accounts.models import Role, User
from wrekin.audit.actions import record_event
from wrekin.audit.models import AuditEvent

MINIMUM_THRESHOLD = 25  # distinct records in one hour before anyone is alerted
MULTIPLE_OF_USUAL = 2  # ... and at least twice the user's busiest hour in the last 30 days


def distinct_people_viewed(user, since, until=None) -> int:
    events = AuditEvent.objects.filter(actor_id=user.pk, event_type="person.viewed", occurred_at__gte=since)
    if until is not None:
        events = events.filter(occurred_at__lt=until)
    return events.values("person_id").distinct().count()


def usual_busiest_hour(user, now) -> int:
    window = AuditEvent.objects.filter(actor_id=user.pk, event_type="person.viewed",
                                       occurred_at__gte=now - timedelta(days=30),
                                       occurred_at__lt=now - timedelta(hours=1))
    hours = (window.annotate(hour=TruncHour("occurred_at")).values("hour")
             .annotate(people=Count("person_id", distinct=True)).order_by("-people"))
    top = hours.first()
    return top["people"] if top else 0


def check_unusual_access(user, *, now=None) -> bool:
    """Call after a person.viewed event is written, in the same transaction. True if an alert was raised."""
    now = now or timezone.now()
    last_hour = distinct_people_viewed(user, now - timedelta(hours=1))
    if last_hour < MINIMUM_THRESHOLD:
        return False
    threshold = max(MINIMUM_THRESHOLD, MULTIPLE_OF_USUAL * usual_busiest_hour(user, now))
    if last_hour < threshold:
        return False
    already = AuditEvent.objects.filter(event_type="access.unusual_access", person_id__isnull=True,
                                        details__user=user.pk, occurred_at__gte=now - timedelta(hours=1))
    if already.exists():
        return False
    record_event("access.unusual_access", details={"user": user.pk, "people_in_last_hour": last_hour,
                                                   "threshold": threshold})
    partnership = user.partnership
    auditors = User.objects.filter(is_active=True, membership__role=Role.AUDITOR, membership__is_active=True,
                                   membership__agency__partnership=partnership)
    agency = user.agency.name if user.agency else ""
    for auditor in auditors:
        Notification.objects.create(
            recipient=auditor, kind=NotificationKind.UNUSUAL_ACCESS, actor=user,
            message=f"{user.display_name()} ({agency}) opened {last_hour} children's records in the last hour "
                    f"(usual busiest hour: {threshold // MULTIPLE_OF_USUAL})",
        )
    return True
