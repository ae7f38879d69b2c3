"""Every URL, as every persona: the statuses the access policy promises, and nothing more.

The expected answers are written out by hand from the policy's rules, not
computed by the policy, so a change in the policy that widens access fails here.
New URLs must be added to CASES: `test_every_url_is_in_the_matrix` fails otherwise.
"""

from __future__ import annotations

import importlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.conftest import PERSONAS
from wrekin.access.models import BreakGlassGrant

EVERYONE = set(PERSONAS)
CASE_CONTENT = {"alice", "bob", "charlie", "dana", "erin", "frank", "grace", "oscar"}
RECORDERS = CASE_CONTENT  # practitioners, managers, coordinators, analysts, MACE chairs

# Who may open each fixture person (see tests/conftest.py `people`).
SEES = {
    # recorded by police, children's social care working with her
    "kayleigh": {"alice", "frank", "dana", "erin", "grace"},
    # recorded by the school
    "daniel": {"bob", "erin", "frank"},
    # recorded by health
    "jayden": {"charlie", "erin", "frank"},
    # a person of concern recorded by police
    "poc": {"alice", "frank", "erin"},
    # a child in another partnership: only that partnership's coordinator
    "elsewhere": {"oscar"},
}


def _status_for_person_page(username: str, person: str, *, needs_recorder: bool) -> int:
    if needs_recorder and username not in RECORDERS:
        return 403
    return 200 if username in SEES[person] else 404


def _break_glass_status(username: str, person: str) -> int:
    if username not in CASE_CONTENT:
        return 403
    if username in SEES[person]:
        return 302  # already visible: sent straight to the record
    same_partnership = (person == "elsewhere") == (username == "oscar")
    return 200 if same_partnership else 404


def _cases():
    cases = [("core:home", None, "GET", lambda u: 200)]
    cases.append(("people:search", None, "GET", lambda u: 200 if u in CASE_CONTENT else 403))
    cases.append(("people:create", None, "GET", lambda u: 200 if u in RECORDERS else 403))
    cases.append(("audit:events", None, "GET", lambda u: 200 if u == "heidi" else 403))
    cases.append(("accounts:login", None, "GET", lambda u: 302))  # already signed in: sent home
    cases.append(("accounts:mfa", None, "GET", lambda u: 302))  # already verified: sent on
    cases.append(("accounts:logout", None, "GET", lambda u: 405))  # sign-out is a POST
    cases.append(("access:notifications", None, "GET", lambda u: 200))
    # Administrators manage accounts (never case content); the pages for one account are in tests/accounts.
    cases.append(("accounts:users", None, "GET", lambda u: 200 if u == "ivan" else 403))
    cases.append(("accounts:create_user", None, "GET", lambda u: 200 if u == "ivan" else 403))
    cases.append(("access:break_glass_reviews", None, "GET", lambda u: 200 if u == "heidi" else 403))
    cases.append(("access:review_break_glass", "grant", "GET", lambda u: 200 if u == "heidi" else 403))
    cases.append(("access:end_break_glass", "grant", "GET", lambda u: 405))
    cases.append(("access:sharing_register", None, "GET", lambda u: 200 if u in {"heidi", "erin", "oscar"} else 403))
    for person in SEES:
        cases.append(("access:person_sharing", person, "GET",
                      lambda u, p=person: _status_for_person_page(u, p, needs_recorder=True)))
        cases.append(("access:break_glass", person, "GET", lambda u, p=person: _break_glass_status(u, p)))
        cases.append(("access:restrict", person, "GET", lambda u, p=person: (
            403 if u not in {"dana", "erin", "oscar"} else 200 if u in SEES[p] else 404)))
        cases.append(("people:detail", person, "GET",
                      lambda u, p=person: _status_for_person_page(u, p, needs_recorder=False)))
        for name in ("people:edit", "people:add_name", "people:add_address", "people:add_phone"):
            cases.append((name, person, "GET",
                          lambda u, p=person: _status_for_person_page(u, p, needs_recorder=True)))
    return cases


CASES = _cases()


def _all_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _all_url_names(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def _covered_elsewhere() -> set[str]:
    """Each app's tests/<app>/test_access.py walks its own URLs and lists them in COVERED_URL_NAMES."""
    covered: set[str] = set()
    for path in sorted(Path(__file__).resolve().parents[1].glob("*/test_access.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.test_access")
        covered |= set(getattr(module, "COVERED_URL_NAMES", ()))
    return covered


def test_every_url_is_in_the_matrix():
    covered = {name for name, *_ in CASES} | _covered_elsewhere()
    # The API's routes are walked by path from its OpenAPI document in tests/api/test_access.py.
    missing = {name for name in _all_url_names() if not name.startswith("api:")} - covered
    assert not missing, f"Add these URLs to the access matrix: {sorted(missing)}"


@pytest.fixture
def world(people, personas):
    """The fixture people plus one break-glass grant (bob opened Kayleigh's record)."""
    grant = BreakGlassGrant.objects.create(user=personas["bob"], person=people["kayleigh"], reason="test",
                                           expires_at=timezone.now() - timedelta(minutes=1))
    return {**people, "grant": grant}


def _url(name, key, world):
    if key is None:
        return reverse(name)
    if key == "grant":
        return reverse(name, kwargs={"grant_id": world["grant"].pk})
    return reverse(name, kwargs={"pk": world[key].pk})


@pytest.mark.parametrize("username", sorted(EVERYONE))
def test_matrix(username, client_for, world):
    client = client_for(username)
    failures = []
    for name, person, method, expected in CASES:
        response = client.generic(method, _url(name, person, world))
        if response.status_code != expected(username):
            failures.append(f"{method} {name} {person or ''}: got {response.status_code}, "
                            f"expected {expected(username)}")
    assert not failures, f"{username}:\n" + "\n".join(failures)


def test_anonymous_is_sent_to_sign_in_everywhere(client, world):
    for name, person, method, _ in CASES:
        if name == "accounts:login":
            continue
        response = client.generic(method, _url(name, person, world))
        if name in {"accounts:logout", "access:end_break_glass"}:
            assert response.status_code in (302, 405)
            continue
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("accounts:login")), name


def test_password_only_session_reaches_nothing_but_the_second_factor(client, personas, world):
    client.force_login(personas["alice"])  # password passed, no second factor yet
    for name, person, method, _ in CASES:
        if name in {"accounts:mfa", "accounts:logout", "accounts:login"}:
            continue
        response = client.generic(method, _url(name, person, world))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:mfa")), name


def test_posting_changes_to_an_invisible_person_is_refused(client_for, people):
    client = client_for("bob")  # school: cannot see Kayleigh (police)
    before = people["kayleigh"].family_name
    response = client.post(reverse("people:edit", kwargs={"pk": people["kayleigh"].pk}),
                           {"kind": "child", "given_name": "Changed", "family_name": "Name"})
    assert response.status_code == 404
    people["kayleigh"].refresh_from_db()
    assert people["kayleigh"].family_name == before


def test_unknown_id_and_forbidden_id_look_the_same(client_for, people):
    client = client_for("bob")
    forbidden = client.get(reverse("people:detail", kwargs={"pk": people["kayleigh"].pk}))
    absent = client.get(reverse("people:detail", kwargs={"pk": 987654321}))
    assert forbidden.status_code == absent.status_code == 404
    token = re.compile(rb'(name="csrfmiddlewaretoken" value|nonce)="[^"]+"')
    assert token.sub(b"", forbidden.content) == token.sub(b"", absent.content)
