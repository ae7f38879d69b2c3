"""API fixtures: tokens for the personas, and a client that sends them (no session, no CSRF)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from wrekin.api.actions import create_api_token
from wrekin.api.models import SCOPES, ApiToken, generate_token, hash_token


class ApiClient:
    """A Django test client that speaks JSON and carries a bearer token (or none)."""

    def __init__(self, token: str | None = None, authorization: str | None = None):
        self.client = Client(raise_request_exception=True)
        self.headers = {}
        if authorization is not None:
            self.headers["Authorization"] = authorization
        elif token is not None:
            self.headers["Authorization"] = f"Bearer {token}"

    def get(self, path: str):
        return self.client.get(path, headers=self.headers)

    def post(self, path: str, data=None, *, raw: str | bytes | None = None, content_type="application/json"):
        body = raw if raw is not None else json.dumps(data)
        return self.client.post(path, data=body, content_type=content_type, headers=self.headers)

    def request(self, method: str, path: str, data=None):
        if method == "GET":
            return self.get(path)
        return self.post(path, data if data is not None else {})


@pytest.fixture
def token_for(personas):
    """An active token for a persona, issued by the action as an operator would.

    The action refuses people without a membership (their token could never work), so for them
    the row is made directly: it stands for a token issued before the membership ended.
    """

    def _token_for(username: str, scopes: list[str] | None = None, days: int = 90) -> str:
        user = personas[username]
        if user.active_membership is None:
            prefix, raw = generate_token()
            now = timezone.now()
            ApiToken.objects.create(user=user, name="test", prefix=prefix, token_hash=hash_token(raw),
                                    scopes=sorted(scopes or SCOPES), created_at=now,
                                    expires_at=now + timedelta(days=days))
            return raw
        return create_api_token(actor=None, user=user, name=f"{username} test feed", scopes=scopes,
                                days=days).raw

    return _token_for


@pytest.fixture
def api_for(token_for):
    def _api_for(username: str, scopes: list[str] | None = None) -> ApiClient:
        return ApiClient(token_for(username, scopes))

    return _api_for


@pytest.fixture
def anonymous_api():
    return ApiClient()


class Clock:
    """Moves django.utils.timezone.now forward without sleeping."""

    def __init__(self, monkeypatch):
        self.offset = timedelta(0)
        real_now = timezone.now

        def now() -> datetime:
            return real_now() + self.offset

        monkeypatch.setattr("django.utils.timezone.now", now)

    def advance(self, **kwargs) -> None:
        self.offset += timedelta(**kwargs)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def instrument(db):
    """The shipped screening instrument, loaded as `wrekin load_instruments` (and every migrate) does."""
    from wrekin.referrals.actions import current_instrument, load_instruments

    load_instruments()
    return current_instrument()
