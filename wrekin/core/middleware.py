"""Request-wide middleware: request ids for the audit trail, and no caching of records."""

from __future__ import annotations

import uuid

from wrekin.core.context import request_id


class RequestIdMiddleware:
    """Give every request an id, carried into each audit event it writes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = uuid.uuid4().hex
        request.request_id = rid
        token = request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-Id"] = rid
        return response


class NoStoreMiddleware:
    """Pages of a signed-in user hold case content: never let a browser or proxy keep them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response
