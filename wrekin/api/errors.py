"""One JSON shape for every refusal, so partner systems can show the reason to whoever fixes the data.

    {"detail": "<one sentence>", "code": "<stable code>", "errors": [{"loc": [...], "msg": "..."}]}

`errors` appears for 422 answers: one item per field at fault, `loc` being the path to the
field in the request (e.g. ["body", "child", "date_of_birth"]). Inputs are never echoed back:
they may hold names or narratives. Nothing answers 500 for bad input; a 500 means a fault of
ours, logged with the request id (which the answer carries, so it can be found in the logs).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from wrekin.api.auth import ScopeMissing, TokenRefused

logger = logging.getLogger("wrekin.api")


def _answer(api: NinjaAPI, request: HttpRequest, status: int, detail: str, code: str,
            **extra: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "code": code, **extra}, status=status)


def _loc(loc: Any) -> list:
    """Ninja puts the function's parameter name after "body"; partners know only the JSON they sent."""
    parts = list(loc)
    if len(parts) >= 2 and parts[0] == "body" and parts[1] == "payload":
        parts = ["body", *parts[2:]]
    return parts


def _message(error: dict) -> str:
    message = str(error.get("msg", "Invalid value"))
    # Pydantic prefixes our own validators' sentences; the sentence alone reads better.
    return message.removeprefix("Value error, ")


def _field_errors(errors: list[dict]) -> list[dict]:
    return [{"loc": _loc(error.get("loc", ())), "msg": _message(error), "type": str(error.get("type", "invalid"))}
            for error in errors]


class FieldErrors(Exception):
    """Raised by endpoints for faults of several fields together, which one field's validator cannot see."""

    def __init__(self, errors: list[dict]):
        super().__init__("; ".join(e["msg"] for e in errors))
        self.errors = errors


def install(api: NinjaAPI) -> None:
    def token_refused(request, exc: TokenRefused):
        response = _answer(api, request, 401, exc.reason, f"token_{exc.code}")
        # RFC 6750: a request that sent no token gets the challenge alone, without an error.
        response["WWW-Authenticate"] = (
            'Bearer realm="wrekin"' if exc.code == "missing"
            else f'Bearer realm="wrekin", error="invalid_token", error_description="{exc.code}"'
        )
        return response

    def scope_missing(request, exc: ScopeMissing):
        response = _answer(api, request, 403, f"This API token was not issued for '{exc.scope}'.",
                           "insufficient_scope", required_scope=exc.scope)
        response["WWW-Authenticate"] = (
            f'Bearer realm="wrekin", error="insufficient_scope", scope="{exc.scope}"'
        )
        return response

    def unauthenticated(request, exc: AuthenticationError):
        return _answer(api, request, 401, "Send an API token in the header 'Authorization: Bearer <token>'.",
                       "token_missing")

    def validation_error(request, exc: NinjaValidationError):
        return _answer(api, request, 422, "The request has errors: see 'errors'.", "invalid",
                       errors=_field_errors(exc.errors))

    def field_errors(request, exc: FieldErrors):
        return _answer(api, request, 422, "The request has errors: see 'errors'.", "invalid",
                       errors=_field_errors(exc.errors))

    def django_validation_error(request, exc: DjangoValidationError):
        if hasattr(exc, "error_dict"):
            # Actions key their errors by argument name, which is the JSON field name; "__all__"
            # is a fault of the request as a whole (e.g. an episode overlapping another).
            errors = [{"loc": ["body"] if field == NON_FIELD_ERRORS else ["body", field], "msg": message}
                      for field, messages in exc.message_dict.items() for message in messages]
        else:
            errors = [{"loc": ["body"], "msg": message} for message in exc.messages]
        return _answer(api, request, 422, "The request has errors: see 'errors'.", "invalid",
                       errors=_field_errors(errors))

    def permission_denied(request, exc: PermissionDenied):
        detail = str(exc) or "Your account is not allowed to do this."
        return _answer(api, request, 403, detail, "forbidden")

    def not_found(request, exc: Http404):
        # One message for "absent" and "not yours", whatever the exception says, even with DEBUG on.
        return _answer(api, request, 404, "Not found.", "not_found")

    def http_error(request, exc: HttpError):
        if exc.status_code == 400:
            # Ninja raises this when the body does not parse; with DEBUG on its message quotes the body.
            return _answer(api, request, 400, "The request body is not valid JSON.", "malformed_body")
        return _answer(api, request, exc.status_code, str(exc), "error")

    def too_big(request, exc: RequestDataTooBig):
        return _answer(api, request, 413, "The request body is too large.", "too_large")

    def suspicious(request, exc: SuspiciousOperation):
        return _answer(api, request, 400, "The request could not be accepted.", "bad_request")

    def unexpected(request, exc: Exception):
        request_id = getattr(request, "request_id", "")
        logger.exception("API request %s failed", request_id)
        return _answer(api, request, 500,
                       "Something went wrong on our side; quote the request id if you report it.",
                       "server_error", request_id=request_id)

    handlers = {
        TokenRefused: token_refused,
        ScopeMissing: scope_missing,
        AuthenticationError: unauthenticated,
        NinjaValidationError: validation_error,
        FieldErrors: field_errors,
        DjangoValidationError: django_validation_error,
        PermissionDenied: permission_denied,
        Http404: not_found,
        HttpError: http_error,
        RequestDataTooBig: too_big,
        SuspiciousOperation: suspicious,
        Exception: unexpected,
    }
    for exc_class, handler in handlers.items():
        api.add_exception_handler(exc_class, handler)
