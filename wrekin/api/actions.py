"""Creating and revoking API tokens: permission, change and audit event in one transaction.

`actor=None` is an operator at the command line (`wrekin token ...`), trusted by
their shell access to the server, as for `wrekin create_user`. A signed-in actor
must be a system administrator: tokens let a system act as a person, so handing
them out is account administration, not casework.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from wrekin.accounts.models import Role, User
from wrekin.api.models import (
    DEFAULT_LIFETIME_DAYS,
    MAX_LIFETIME_DAYS,
    SCOPES,
    ApiToken,
    generate_token,
    hash_token,
)
from wrekin.audit.actions import record_event


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # shown once to whoever created it; never stored


def _require_token_administrator(actor) -> None:
    if actor is None:
        return
    if not getattr(actor, "is_authenticated", False) or actor.role != Role.ADMINISTRATOR:
        raise PermissionDenied("Only a system administrator can issue or revoke API tokens")


def create_api_token(
    *,
    actor,
    user: User,
    name: str,
    scopes: list[str] | None = None,
    days: int = DEFAULT_LIFETIME_DAYS,
    now: datetime | None = None,
) -> IssuedToken:
    """Issue a token acting as `user`. Scopes default to all of them; the user's own access still applies."""
    _require_token_administrator(actor)
    scopes = sorted(set(SCOPES if scopes is None else scopes))
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise ValueError(f"Unknown scope {', '.join(unknown)}; use any of: {', '.join(SCOPES)}")
    if not scopes:
        raise ValueError("A token needs at least one scope")
    if not 1 <= days <= MAX_LIFETIME_DAYS:
        raise ValueError(f"A token lasts between 1 and {MAX_LIFETIME_DAYS} days")
    name = name.strip()
    if not name or len(name) > 100:
        raise ValueError("Give the token a name of at most 100 characters saying what it is for")
    # A token for an account that cannot act would only fail later, at the partner's end, less clearly.
    if not user.is_active:
        raise ValueError(f"{user.username} is disabled: a token for them could not be used")
    if user.active_membership is None:
        raise ValueError(f"{user.username} has no active membership of an agency: a token could not be used")
    now = now or timezone.now()
    prefix, raw = generate_token()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=prefix, token_hash=hash_token(raw), scopes=scopes,
            created_by=actor, created_at=now, expires_at=now + timedelta(days=days),
        )
        record_event(
            "api.token_created", actor=actor, target=token, agency=user.agency,
            details={"token_id": token.pk, "user_id": user.pk, "scopes": scopes, "days": days,
                     "via": "command_line" if actor is None else "web"},
        )
    return IssuedToken(token=token, raw=raw)


def revoke_api_token(*, actor, token_id: int, now: datetime | None = None) -> ApiToken:
    """Stop a token working at once. Revoking twice changes nothing and writes nothing."""
    _require_token_administrator(actor)
    now = now or timezone.now()
    with transaction.atomic():
        try:
            token = ApiToken.objects.select_for_update().select_related("user").get(pk=token_id)
        except ApiToken.DoesNotExist:
            raise ValueError(f"No API token with id {token_id}") from None
        if token.revoked_at is None:
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
            record_event(
                "api.token_revoked", actor=actor, target=token, agency=token.user.agency,
                details={"token_id": token.pk, "user_id": token.user_id,
                         "via": "command_line" if actor is None else "web"},
            )
    return token
