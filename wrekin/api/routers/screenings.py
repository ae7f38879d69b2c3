"""A child's screening outcomes: the graded professional judgement, its rationale and its status.

The grade is what matters and is shown with the rationale that justifies it; the advisory
score is included only as the number beside it (DOMAIN: professional judgement, not a score).
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from ninja import Router, Schema
from pydantic import Field

from wrekin.access.api import get_child_for_user
from wrekin.access.referrals import screenings_visible_to
from wrekin.api.auth import scoped
from wrekin.api.schemas import AUTH_RESPONSES, Problem
from wrekin.api.types import PathId
from wrekin.audit.actions import record_event
from wrekin.referrals.models import Screening

router = Router(tags=["screenings"])


class ScreeningOut(Schema):
    id: int
    screened_on: date
    agency: str
    instrument_code: str
    instrument_version: int
    grade: str = Field(description="A grade code of the instrument version, e.g. 'medium'")
    grade_label: str
    rationale: str = Field(description="Why the screener chose this grade")
    advisory_score: str = Field(description="Advisory only: it informs, it never sets the grade")
    override_rules: list[str] = Field(description="Rules that kept the grade from going lower, e.g. 'under_13'")
    status: str = Field(description="awaiting_approval, approved or returned")
    decided_at: datetime | None
    review_on: date
    referral_id: int | None
    revises_id: int | None = Field(description="The returned screening this one corrects, if any")


class ScreeningList(Schema):
    child_id: int
    count: int
    screenings: list[ScreeningOut]


@router.get("/children/{int:child_id}/screenings", **scoped("screenings:read"), url_name="child_screenings",
            response={200: ScreeningList, 404: Problem, 422: Problem, **AUTH_RESPONSES},
            summary="A child's screening outcomes")
def child_screenings(request, child_id: PathId):
    """Newest first, including those awaiting approval and those returned for changes (see `status`).

    Scope `screenings:read`; audited as `screening.list_viewed`.
    """
    with transaction.atomic():
        child = get_child_for_user(request.user, child_id)
        screenings = list(screenings_visible_to(request.user).filter(child=child)
                          .select_related("instrument", "agency"))
        record_event("screening.list_viewed", actor=request.user, person=child, target=child,
                     details={"via": "api", "screenings": len(screenings)})
    return ScreeningList(child_id=child.pk, count=len(screenings),
                         screenings=[_screening_out(s) for s in screenings])


def _screening_out(screening: Screening) -> ScreeningOut:
    return ScreeningOut(
        id=screening.pk, screened_on=screening.screened_on, agency=screening.agency.name,
        instrument_code=screening.instrument.code, instrument_version=screening.instrument.version,
        grade=screening.grade, grade_label=screening.grade_label, rationale=screening.rationale,
        advisory_score=str(screening.advisory_score), override_rules=list(screening.override_rules),
        status=screening.status, decided_at=screening.decided_at, review_on=screening.review_on,
        referral_id=screening.referral_id, revises_id=screening.revises_id,
    )
