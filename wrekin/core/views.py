from datetime import date, datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wrekin.access.policy import PARTNERSHIP_WIDE_ROLES, can_see_case_content, people_visible_to
from wrekin.core.timeline import WorkItem, worklist_for


def _due_key(item: WorkItem) -> tuple:
    due = item.due
    if isinstance(due, datetime):
        due = due.date()
    return (not item.overdue, due or date.max, item.title)


def group_work(items: list[WorkItem]) -> list[dict]:
    """Work items grouped under their headings, overdue first, then soonest due."""
    groups: dict[str, list[WorkItem]] = {}
    for item in items:
        groups.setdefault(item.heading, []).append(item)
    return [
        {"heading": heading, "items": sorted(group, key=_due_key),
         "overdue": sum(1 for i in group if i.overdue)}
        for heading, group in groups.items()
    ]


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {"greeting": f"Hello, {user.first_name or user.username}", "page_title": "Home",
               "can_see_case_content": can_see_case_content(user)}
    if user.active_membership is not None:
        context["work"] = group_work(worklist_for(user))
    if context["can_see_case_content"]:
        visible = people_visible_to(user)
        context["visible_count"] = visible.count()
        context["recent"] = visible.filter(recorded_by_agency=user.agency).order_by("-created_at", "-pk")[:10]
        context["scope_explanation"] = (
            "in the partnership's exploitation work"
            if user.role in PARTNERSHIP_WIDE_ROLES
            else "that your agency has recorded or works with"
        )
    return render(request, "core/home.html", context)
