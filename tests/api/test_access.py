"""Every API operation, as every persona's token, and with no token at all.

The expected statuses are written out by hand from the access policy's rules (as in
tests/access/test_access_matrix.py), so a change that widens access fails here.
`test_every_operation_is_walked` fails when an operation is added to the OpenAPI
document without being added to OPERATIONS below.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.access.test_access_matrix import CASE_CONTENT, RECORDERS, SEES
from tests.api.conftest import ApiClient
from tests.conftest import PERSONAS

# Ninja names each operation's URL after its function; the lead's global matrix reads this.
COVERED_URL_NAMES = {
    "api:api-root",
    "api:openapi-json",
    "api:person",
    "api:person_search",
    "api:referral_create",
    "api:child_chronology",
    "api:child_missing_episodes",
    "api:missing_episode_create",
    "api:child_screenings",
    "api:alert_list",
}

CHILDREN = {"kayleigh", "daniel", "jayden", "elsewhere"}  # "poc" is a person of concern


def _sees_child(username: str, person: str) -> bool:
    return person in CHILDREN and username in SEES[person]


def _referral_body(people, person: str) -> dict:
    return {"child": {"id": people[person].pk}, "occurred_on": "2026-03-02",
            "narrative": "Seen with an older adult in a car outside school.", "indicators": [],
            "lawful_basis": "public_task", "consent_status": "given"}


def _episode_body(people, person: str) -> dict:
    return {"child_id": people[person].pk, "reported_at": (timezone.now() - timedelta(hours=5)).isoformat(),
            "last_seen_where": "Town centre", "circumstances": "Did not come home after school."}


# (method, OpenAPI path) -> (URL for a target person, body for a target person, expected status)
OPERATIONS = {
    ("get", "/api/v1/people/{person_id}"): (
        lambda people, p: f"/api/v1/people/{people[p].pk}", None,
        lambda u, p: 200 if u in SEES[p] else 404),
    ("post", "/api/v1/people/search"): (
        lambda people, p: "/api/v1/people/search", lambda people, p: {"q": people[p].full_name},
        lambda u, p: 200 if u in CASE_CONTENT else 403),
    ("post", "/api/v1/referrals"): (
        lambda people, p: "/api/v1/referrals", _referral_body,
        # A child the user can see; a person of concern the user can see is not a child (422).
        lambda u, p: 201 if _sees_child(u, p) and u in RECORDERS else (422 if u in SEES[p] else 404)),
    ("get", "/api/v1/children/{child_id}/chronology"): (
        lambda people, p: f"/api/v1/children/{people[p].pk}/chronology", None,
        lambda u, p: 200 if _sees_child(u, p) else 404),
    ("get", "/api/v1/children/{child_id}/missing-episodes"): (
        lambda people, p: f"/api/v1/children/{people[p].pk}/missing-episodes", None,
        lambda u, p: 200 if _sees_child(u, p) else 404),
    ("post", "/api/v1/missing-episodes"): (
        lambda people, p: "/api/v1/missing-episodes", _episode_body,
        lambda u, p: 201 if _sees_child(u, p) and u in RECORDERS else 404),
    ("get", "/api/v1/children/{child_id}/screenings"): (
        lambda people, p: f"/api/v1/children/{people[p].pk}/screenings", None,
        lambda u, p: 200 if _sees_child(u, p) else 404),
    # A list of what the user may see (tests/api/test_alerts.py checks which alerts).
    ("get", "/api/v1/alerts"): (
        lambda people, p: "/api/v1/alerts", None,
        lambda u, p: 200 if u in CASE_CONTENT else 403),
}


def _api_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _api_url_names(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
        elif isinstance(entry, URLPattern) and entry.name and namespace == "api:":
            yield f"{namespace}{entry.name}"


def test_covered_url_names_are_exactly_the_api_urls():
    assert set(_api_url_names()) == COVERED_URL_NAMES


def test_every_operation_is_walked(db):
    document = json.loads(ApiClient().get("/api/v1/openapi.json").content)
    operations = {(method, path) for path, item in document["paths"].items() for method in item}
    assert operations == set(OPERATIONS)


@pytest.fixture
def _ready(instrument):
    return instrument


@pytest.mark.parametrize("username", sorted(set(PERSONAS) - {"nina"}))
def test_matrix(username, token_for, people, _ready):
    client = ApiClient(token_for(username))
    failures = []
    for (method, path), (url, body, expected) in OPERATIONS.items():
        for person in SEES:
            data = body(people, person) if body else None
            response = client.request(method.upper(), url(people, person), data)
            want = expected(username, person)
            if response.status_code != want:
                failures.append(f"{method.upper()} {path} [{person}]: got {response.status_code}, expected {want}: "
                                f"{response.content[:200]!r}")
    assert not failures, f"{username}:\n" + "\n".join(failures)


def test_no_token_is_401_everywhere(people, _ready):
    client = ApiClient()
    for (method, _path), (url, body, _expected) in OPERATIONS.items():
        response = client.request(method.upper(), url(people, "kayleigh"), body(people, "kayleigh") if body else None)
        assert response.status_code == 401, (method, _path)
        assert response.json()["code"] == "token_missing"


def test_a_token_of_someone_without_a_membership_is_401_everywhere(token_for, people, _ready):
    client = ApiClient(token_for("nina"))
    for (method, _path), (url, body, _expected) in OPERATIONS.items():
        response = client.request(method.upper(), url(people, "kayleigh"), body(people, "kayleigh") if body else None)
        assert response.status_code == 401, (method, _path)
        assert response.json()["code"] == "token_no_membership"


@pytest.mark.parametrize("username", ["heidi", "ivan", "bob", "oscar"])
def test_token_holders_without_access_get_404_or_403_everywhere(username, token_for, people, _ready):
    """An auditor, an administrator, another agency and another partnership, all aimed at Kayleigh."""
    client = ApiClient(token_for(username))
    for (method, path), (url, body, _expected) in OPERATIONS.items():
        if path in ("/api/v1/people/search", "/api/v1/alerts"):
            continue  # a search or list finds nothing it may not show; it is not a lookup of Kayleigh
        response = client.request(method.upper(), url(people, "kayleigh"), body(people, "kayleigh") if body else None)
        assert response.status_code in (403, 404), (method, path, response.status_code)


def test_a_token_with_no_scope_for_an_operation_is_403_everywhere(token_for, people, _ready):
    from wrekin.api.models import SCOPES

    for (method, path), (url, body, _expected) in OPERATIONS.items():
        document_scope = {
            "/api/v1/people/{person_id}": "people:read", "/api/v1/people/search": "people:read",
            "/api/v1/referrals": "referrals:write", "/api/v1/children/{child_id}/chronology": "chronology:read",
            "/api/v1/children/{child_id}/missing-episodes": "missing:read",
            "/api/v1/missing-episodes": "missing:write", "/api/v1/children/{child_id}/screenings": "screenings:read",
            "/api/v1/alerts": "alerts:read",
        }[path]
        others = sorted(set(SCOPES) - {document_scope})
        client = ApiClient(token_for("erin", scopes=others))
        response = client.request(method.upper(), url(people, "kayleigh"), body(people, "kayleigh") if body else None)
        assert response.status_code == 403, (method, path)
        assert response.json()["required_scope"] == document_scope
