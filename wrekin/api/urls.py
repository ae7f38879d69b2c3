"""The API's URLs, mounted at /api/v1/ (namespace "api").

The API authenticates each request by its bearer token, not a session, so the
site-wide LoginRequiredMiddleware must not send its callers to the sign-in page.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import URLPattern, path, re_path, reverse

from wrekin.api.main import api

app_name = "api"


@login_not_required
def index(request):
    """Where the API starts: a pointer to its OpenAPI document."""
    return JsonResponse({"name": api.title, "version": api.version, "openapi": reverse("api:openapi-json")})


@login_not_required
def not_found(request, rest: str = ""):
    """Any other path under /api/v1/: the API's JSON 404, not the web pages' HTML one."""
    return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)


def _patterns() -> list[URLPattern]:
    patterns, _, namespace = api.urls
    assert namespace == app_name, "the NinjaAPI's urls_namespace must match app_name"
    result = []
    for pattern in patterns:
        if pattern.name == "api-root":
            # Ninja's root view raises a bare 404 naming the docs URL; ours says where the schema is.
            result.append(path("", index, name="api-root"))
            continue
        login_not_required(pattern.callback)
        result.append(pattern)
    # Last, so it only catches what no operation matched (e.g. /people/abc, where ids are numbers).
    result.append(re_path(r"^(?P<rest>.*)$", not_found))
    return result


urlpatterns = _patterns()
