"""API tokens: how a partner system acts as one named user of Wrekin.

A token is `wrekin_<prefix>_<secret>`. Only the prefix (public, for lookup and for
telling tokens apart in lists) and the SHA-256 of the whole token are stored: the
secret carries 256 bits of entropy, so a fast hash is enough and a database leak
yields nothing usable. The raw token is shown once, when it is created.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

# One hash for every stored bearer token (set-up links too); imported here for the API's callers.
from wrekin.accounts.tokens import hash_token

TOKEN_TAG = "wrekin"  # noqa: S105 - the fixed start of every token, not a secret
PREFIX_LENGTH = 12  # hex characters: 48 bits, enough to make lookups unique in practice
SECRET_BYTES = 32
DEFAULT_LIFETIME_DAYS = 90
MAX_LIFETIME_DAYS = 365

# What a token may do. A token's user still needs the access to do it: a scope narrows, never widens.
SCOPES: dict[str, str] = {
    "people:read": "Search for people and read a person's summary",
    "referrals:write": "Record referrals (and the child they are about)",
    "chronology:read": "Read a child's chronology",
    "missing:read": "Read a child's missing episodes",
    "missing:write": "Record missing episodes",
    "screenings:read": "Read a child's screening outcomes",
    "alerts:read": "Read the link alerts the user may see",
}


def generate_token() -> tuple[str, str]:
    """A new (prefix, raw token) pair. The caller stores hash_token(raw) and shows raw once."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    return prefix, f"{TOKEN_TAG}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"


def split_token(raw: str) -> str | None:
    """The prefix of a well-formed token, or None if it cannot be one of ours."""
    tag, _, rest = raw.partition("_")
    prefix, _, secret = rest.partition("_")
    if tag != TOKEN_TAG or len(prefix) != PREFIX_LENGTH or len(secret) < 40:
        return None
    if any(c not in "0123456789abcdef" for c in prefix):
        return None
    return prefix


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100,
                            help_text="What the token is for, e.g. 'School MIS referral feed'")
    prefix = models.CharField(max_length=PREFIX_LENGTH, unique=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="Empty when created at the command line by an operator",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({TOKEN_TAG}_{self.prefix}_…)"

    @property
    def display_prefix(self) -> str:
        return f"{TOKEN_TAG}_{self.prefix}_…"

    def matches(self, raw: str) -> bool:
        return hmac.compare_digest(self.token_hash, hash_token(raw))

    def status_at(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "active"

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes
