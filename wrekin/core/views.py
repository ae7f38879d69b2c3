from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wrekin.access.policy import PARTNERSHIP_WIDE_ROLES, can_see_case_content, people_visible_to


def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {"greeting": f"Hello, {user.first_name or user.username}", "page_title": "Home",
               "can_see_case_content": can_see_case_content(user)}
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
