"""Bearer-token authentication: the request acts as the token's user, within the token's scopes.

There is no session and no CSRF here: a partner system sends `Authorization: Bearer <token>`
with every request. Each refusal says why (401 for the token itself, 403 for what it may do),
so whoever runs the partner system can fix it without ringing anyone.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from wrekin.api.models import SCOPES, ApiToken, split_token

logger = logging.getLogger("wrekin.api")

# last_used_at is a hint for operators ("is this feed still running?"), not an audit record:
# writing it at most once a minute keeps busy feeds from queueing on the database.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenRefused(Exception):
    """The token cannot be used at all (answered 401)."""

    def __init__(self, reason: str, code: str):
        super().__init__(reason)
        self.reason = reason
        self.code = code


class ScopeMissing(Exception):
    """The token is good but was not issued for this (answered 403)."""

    def __init__(self, scope: str):
        super().__init__(scope)
        self.scope = scope


def scoped(scope: str) -> dict:
    """Keyword arguments for a route: its token check, and its scope written into the OpenAPI document."""
    return {"auth": TokenAuth(scope), "openapi_extra": {"x-required-scope": scope}}


class TokenAuth(HttpBearer):
    """Authenticates an API token and requires one scope for the operation it guards."""

    def __init__(self, scope: str):
        if scope not in SCOPES:
            raise ValueError(f"Unknown scope {scope!r}")
        self.scope = scope
        super().__init__()

    def __call__(self, request: HttpRequest):
        value = request.headers.get(self.header, "")
        if not value:
            raise TokenRefused("Send an API token in the header 'Authorization: Bearer <token>'.", "missing")
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise TokenRefused("The Authorization header must be 'Bearer <token>'.", "malformed")
        return self.authenticate(request, token.strip())

    def authenticate(self, request: HttpRequest, token: str):
        prefix = split_token(token)
        if prefix is None:
            raise TokenRefused("This is not a Wrekin API token.", "malformed")
        api_token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
        if api_token is None or not api_token.matches(token):
            raise TokenRefused("This API token is not known.", "unknown")
        now = timezone.now()
        status = api_token.status_at(now)
        if status != "active":
            logger.warning("Refused %s API token id=%s", status, api_token.pk)
            reason = "has expired" if status == "expired" else "has been revoked"
            raise TokenRefused(f"This API token {reason}: ask for a new one.", status)
        user = api_token.user
        if not user.is_active:
            logger.warning("Refused API token id=%s of a disabled account", api_token.pk)
            raise TokenRefused("The account this API token acts as is disabled.", "account_disabled")
        if user.active_membership is None:
            logger.warning("Refused API token id=%s of an account with no membership", api_token.pk)
            raise TokenRefused("The account this API token acts as has no active membership of an agency.",
                               "no_membership")
        if not api_token.has_scope(self.scope):
            raise ScopeMissing(self.scope)
        if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        # The request acts as the token's user everywhere from here: the access policy, the
        # actions and the audit trail all read request.user, exactly as for a signed-in person.
        request.user = user
        request.api_token = api_token
        return user
