"""A child's chronology: every registered source's entries the token's user may see, oldest first."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from ninja import Router, Schema
from pydantic import Field

from wrekin.access.api import get_child_for_user
from wrekin.api.auth import scoped
from wrekin.api.schemas import AUTH_RESPONSES, Problem
from wrekin.api.types import PathId
from wrekin.audit.actions import record_event
from wrekin.core.timeline import chronology_for

router = Router(tags=["chronology"])


class ChronologyEntryOut(Schema):
    occurred_at: datetime
    event_type: str = Field(description="A stable code, e.g. 'referral', 'missing_episode'")
    title: str
    agency: str
    summary: str
    url: str = Field(description="Path of the record in Wrekin's pages, or '' if the user may not open it")
    source: str = Field(description="The record the entry comes from, e.g. 'referrals.referral:42'")


class Chronology(Schema):
    child_id: int
    count: int
    entries: list[ChronologyEntryOut]


@router.get("/children/{int:child_id}/chronology", **scoped("chronology:read"), url_name="child_chronology",
            response={200: Chronology, 404: Problem, 422: Problem, **AUTH_RESPONSES},
            summary="A child's chronology")
def child_chronology(request, child_id: PathId):
    """Scope `chronology:read`; audited as `api.chronology_viewed` with the number of entries returned."""
    with transaction.atomic():
        child = get_child_for_user(request.user, child_id)
        entries = chronology_for(child, request.user)
        record_event("api.chronology_viewed", actor=request.user, person=child, target=child,
                     details={"via": "api", "entries": len(entries)})
    return Chronology(
        child_id=child.pk, count=len(entries),
        entries=[ChronologyEntryOut(occurred_at=e.occurred_at, event_type=e.event_type, title=e.title,
                                    agency=e.agency_name, summary=e.summary, url=e.url, source=e.source)
                 for e in entries],
    )
