"""GET /alerts: the link alerts the token's user may see, through the same policy as the pages.

Coordinators and analysts get each alert in full: its explanation, the entities that link the
records, and the children and records they may see. Everyone else who may see an alert at all
(they can see one of its children) gets the CP-IS answer: that a link exists and to contact the
coordinator — no entities, no explanation, only the children and records they could already see.
Record ids are "app_label.model:id" strings (e.g. "referrals.referral:42"), the same as a
chronology entry's `source`, because a link joins records of different kinds.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from ninja import Query, Router, Schema
from ninja.errors import ValidationError
from pydantic import Field

from wrekin.access.intelligence import (
    FULL,
    alert_access,
    alert_children_visible_to,
    can_see_intelligence,
    mentions_visible_to,
)
from wrekin.api.auth import scoped
from wrekin.api.schemas import AUTH_RESPONSES, Problem
from wrekin.audit.actions import record_event
from wrekin.intelligence.alerts import alert_list
from wrekin.intelligence.models import LinkAlertMention, LinkAlertStatus

router = Router(tags=["alerts"])

MAX_ALERTS = 200
LIMITED_EXPLANATION = ("A record about a child you work with is linked to other records in the partnership. "
                       "Contact the exploitation coordinator to find out more.")


class EntityOut(Schema):
    type: str = Field(description="vehicle, phone, location, business, online or person")
    value: str = Field(description="As shown, e.g. AB12 CDE, +447700900123")


class AlertOut(Schema):
    id: int
    status: str = Field(description="new, reviewed, actioned or dismissed")
    access: Literal["full", "limited"] = Field(
        description="full for coordinators and analysts; limited: a link exists, contact the coordinator")
    unconfirmed: bool = Field(description="Some linking mention was found by the machine and is not yet confirmed")
    explanation: str
    entities: list[EntityOut] = Field(description="Empty when access is limited")
    child_ids: list[int] = Field(description="The alert's children the user may see")
    record_ids: list[str] = Field(description='The linked records the user may see, as "app_label.model:id"')
    updated_at: datetime


class AlertList(Schema):
    count: int
    items: list[AlertOut]


class AlertFilters(Schema):
    status: LinkAlertStatus | None = Field(None, description="Only alerts with this status")


def _alert_out(user, alert) -> AlertOut:
    access = alert_access(user, alert)
    children, _ = alert_children_visible_to(user, alert)
    mention_ids = LinkAlertMention.objects.filter(alert=alert).values("mention_id")
    visible = (mentions_visible_to(user).filter(pk__in=mention_ids)
               .values_list("source_type", "source_id").distinct().order_by("source_type", "source_id"))
    full = access == FULL
    return AlertOut(
        id=alert.pk, status=alert.status, access=access, unconfirmed=alert.is_unconfirmed,
        explanation=alert.explanation if full else LIMITED_EXPLANATION,
        entities=[EntityOut(type=e.type, value=e.display) for e in alert.entities.order_by("type", "display")]
        if full else [],
        child_ids=[child.pk for child in children],
        record_ids=[f"{source_type}:{source_id}" for source_type, source_id in visible],
        updated_at=alert.updated_at)


@router.get("/alerts", **scoped("alerts:read"), url_name="alert_list",
            response={200: AlertList, 422: Problem, **AUTH_RESPONSES}, summary="Link alerts the user may see")
def alert_list_endpoint(request, filters: Query[AlertFilters]):
    """Scope `alerts:read`. The most recently changed first, at most 200. Audited as `link_alert.listed`.

    403 for roles that see no case content (auditors, administrators).
    """
    if not can_see_intelligence(request.user):
        raise PermissionDenied("Your role does not give access to case records.")
    # The schema promises no other query parameters: a misspelt filter must not silently list everything.
    unknown = sorted(set(request.GET) - set(AlertFilters.model_fields))
    if unknown:
        raise ValidationError([{"loc": ["query", name], "msg": "Unknown query parameter", "type": "extra_forbidden"}
                               for name in unknown])
    status = filters.status.value if filters.status else ""
    with transaction.atomic():
        alerts = list(alert_list(request.user, status=status)[:MAX_ALERTS])
        record_event("link_alert.listed", actor=request.user,
                     details={"via": "api", "status": status, "count": len(alerts)})
    items = [_alert_out(request.user, alert) for alert in alerts]
    return AlertList(count=len(items), items=items)
