"""Every audit URL, as every persona, plus an auditor of another partnership (IDOR attempts).

Only auditors read the trail, and only about their own partnership's people and staff; another
partnership's record or user answers 404, like one that does not exist.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PERSONAS, sign_in
from wrekin.accounts.models import Membership, Role, User

COVERED_URL_NAMES = {"audit:events", "audit:person_history", "audit:user_activity", "audit:unusual_access"}

AUDITOR = {"heidi"}


def _auditor_only(u):
    return 200 if u in AUDITOR else 403


def _cases(people):
    return [
        ("audit:events", {}, _auditor_only),
        ("audit:unusual_access", {}, _auditor_only),
        ("audit:person_history", {"pk": people["kayleigh"].pk}, _auditor_only),
        ("audit:person_history", {"pk": people["jayden"].pk}, _auditor_only),
        # Another partnership's child, and a record number that does not exist.
        ("audit:person_history", {"pk": people["elsewhere"].pk}, lambda u: 404 if u in AUDITOR else 403),
        ("audit:person_history", {"pk": 987654}, lambda u: 404 if u in AUDITOR else 403),
        ("audit:user_activity", {"username": "alice"}, _auditor_only),
        ("audit:user_activity", {"username": "heidi"}, _auditor_only),
        # Another partnership's user, a user with no agency, and nobody at all.
        ("audit:user_activity", {"username": "oscar"}, lambda u: 404 if u in AUDITOR else 403),
        ("audit:user_activity", {"username": "nina"}, lambda u: 404 if u in AUDITOR else 403),
        ("audit:user_activity", {"username": "no-such-user"}, lambda u: 404 if u in AUDITOR else 403),
    ]


@pytest.mark.parametrize("username", sorted(PERSONAS))
def test_every_audit_url_as_every_persona(username, client_for, people):
    client = client_for(username)
    failures = []
    for name, kwargs, expected in _cases(people):
        response = client.get(reverse(name, kwargs=kwargs))
        if response.status_code != expected(username):
            failures.append(f"GET {name} {kwargs}: got {response.status_code}, expected {expected(username)}")
    assert not failures, f"{username}:\n" + "\n".join(failures)


def test_an_auditor_of_another_partnership_sees_only_their_own(client, agencies, personas, people):
    olga = User.objects.create(username="olga", first_name="Olga")
    Membership.objects.create(user=olga, agency=agencies["elsewhere"], role=Role.AUDITOR)
    TOTPDevice.objects.create(user=olga, name="test", confirmed=True)
    sign_in(client, olga)
    assert client.get(reverse("audit:person_history", args=[people["kayleigh"].pk])).status_code == 404
    assert client.get(reverse("audit:user_activity", args=["alice"])).status_code == 404
    assert client.get(reverse("audit:person_history", args=[people["elsewhere"].pk])).status_code == 200
    assert client.get(reverse("audit:user_activity", args=["oscar"])).status_code == 200


def test_anonymous_and_password_only_sessions_reach_nothing(client, personas, people):
    for name, kwargs, _ in _cases(people):
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), name
    client.force_login(personas["heidi"])
    for name, kwargs, _ in _cases(people):
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:mfa")), name
