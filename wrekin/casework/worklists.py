"""Casework's home-page work lists. Each source is one query, scoped by the access policy.

`today` can be passed for tests; the registered sources use the local date.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from wrekin.access.casework import can_approve_closures, can_see_casework, cases_visible_to
from wrekin.casework.clocks import DUE_SOON_WORKING_DAYS, status_of
from wrekin.casework.models import (
    CaseState,
    ClosureDecision,
    ClosureRequest,
    PlanAction,
    PlanActionStatus,
    StrategyClock,
)
from wrekin.casework.queries import my_cases
from wrekin.core.calendar import add_working_days
from wrekin.core.timeline import WorkItem

DUE_WITHIN = timedelta(days=14)

MY_CASES = "My cases"
ACTIONS_DUE = "Plan actions due and overdue"
CLOSURES_AWAITING = "Closures awaiting approval"
REVIEWS_DUE = "Reviews due"
STRATEGY_CLOCKS = "Strategy discussion clocks"


def _case_url(case_id: int, anchor: str = "") -> str:
    return reverse("casework:detail", args=[case_id]) + (f"#{anchor}" if anchor else "")


def my_cases_items(user, today: date | None = None) -> list[WorkItem]:
    if not can_see_casework(user):
        return []
    today = today or timezone.localdate()
    cases = my_cases(user).select_related("person").order_by("next_review_due", "pk")
    items = []
    for case in cases:
        role = "Lead professional" if case.lead_professional_id == user.pk else "Team member"
        risk = f", {case.get_risk_level_display().lower()} risk" if case.risk_level else ""
        items.append(WorkItem(
            heading=MY_CASES, title=case.person.full_name, url=_case_url(case.pk),
            due=case.next_review_due, overdue=bool(case.next_review_due and case.next_review_due < today),
            detail=f"{role}. {CaseState(case.state).label}{risk}.", tags=(CaseState(case.state).label,),
        ))
    return items


def actions_due_items(user, today: date | None = None) -> list[WorkItem]:
    if not can_see_casework(user):
        return []
    today = today or timezone.localdate()
    actions = (
        PlanAction.objects.filter(owner=user, status=PlanActionStatus.OPEN, due_on__lte=today + DUE_WITHIN,
                                  case__in=cases_visible_to(user))
        .exclude(case__state=CaseState.CLOSED)
        .select_related("case__person").order_by("due_on", "pk")
    )
    return [
        WorkItem(heading=ACTIONS_DUE, title=Truncator(action.description).chars(90),
                 url=reverse("casework:complete_action", args=[action.case_id, action.pk]),
                 due=action.due_on, overdue=action.due_on < today, detail=f"For {action.case.person.full_name}")
        for action in actions
    ]


def closures_awaiting_items(user, today: date | None = None) -> list[WorkItem]:
    if not can_approve_closures(user):
        return []
    requests = (
        ClosureRequest.objects.filter(decision=ClosureDecision.PENDING, case__in=cases_visible_to(user))
        .exclude(requested_by=user)  # nobody decides on their own request
        .select_related("case__person", "requested_by", "requested_by_agency").order_by("requested_at", "pk")
    )
    return [
        WorkItem(heading=CLOSURES_AWAITING, title=request.case.person.full_name,
                 url=reverse("casework:decide_closure", args=[request.case_id]),
                 due=timezone.localdate(request.requested_at),
                 detail=f"Asked for by {request.requested_by.display_name()}, {request.requested_by_agency.name}")
        for request in requests
    ]


def reviews_due_items(user, today: date | None = None) -> list[WorkItem]:
    if not can_see_casework(user):
        return []
    today = today or timezone.localdate()
    cases = (my_cases(user).filter(next_review_due__lte=today + DUE_WITHIN)
             .select_related("person").order_by("next_review_due", "pk"))
    return [
        WorkItem(heading=REVIEWS_DUE, title=case.person.full_name, url=_case_url(case.pk, "reviews"),
                 due=case.next_review_due, overdue=case.next_review_due < today, detail="Case review")
        for case in cases
    ]


def strategy_clock_items(user, today: date | None = None) -> list[WorkItem]:
    if not can_see_casework(user):
        return []
    today = today or timezone.localdate()
    horizon = add_working_days(today, DUE_SOON_WORKING_DAYS)
    clocks = (
        StrategyClock.objects.filter(met_on__isnull=True, due_on__lte=horizon,
                                     discussion__case__in=my_cases(user))
        .select_related("discussion__person").order_by("due_on", "pk")
    )
    items = []
    for clock in clocks:
        status = status_of(clock, today)
        items.append(WorkItem(
            heading=STRATEGY_CLOCKS, title=f"{status.label}: {clock.discussion.person.full_name}",
            url=_case_url(clock.discussion.case_id, f"clock-{clock.pk}"), due=clock.due_on,
            overdue=status.state == "overdue", detail=status.description, tags=(status.tag_text,),
        ))
    return items
