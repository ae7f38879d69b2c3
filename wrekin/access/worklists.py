"""Work for auditors: break-glass uses waiting for a review."""

from __future__ import annotations

from django.urls import reverse

from wrekin.access.models import BreakGlassGrant
from wrekin.accounts.models import Role
from wrekin.core.timeline import WorkItem

HEADING = "Break-glass access to review"


def break_glass_reviews(user) -> list[WorkItem]:
    if user.role != Role.AUDITOR or user.partnership is None:
        return []
    grants = (BreakGlassGrant.objects.filter(person__partnership_id=user.partnership.pk, reviewed_at__isnull=True)
              .select_related("user__membership__agency").order_by("granted_at"))
    return [
        WorkItem(heading=HEADING, title=f"{grant.user.display_name()} opened record #{grant.person_id}",
                 url=reverse("access:review_break_glass", args=[grant.pk]), due=grant.granted_at,
                 detail=f"{grant.user.membership.agency.name}: {grant.reason[:120]}")
        for grant in grants
    ]
