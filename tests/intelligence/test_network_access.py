"""Every network URL as every persona, statuses written out by hand, including IDOR attempts.

From tests/intelligence/networkworld.py: alice (police) sees Kayleigh and Mohammed Khan; bob (school) sees
Daniel; charlie (health) sees Jayden; dana and grace (children's social care) see Kayleigh; erin
(coordinator) and frank (analyst) see the whole partnership; oscar is a coordinator in another partnership
and sees only its child. heidi (auditor), ivan (administrator) and nina (no agency) see no case content.
Exports are for coordinators and analysts only.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS
from tests.intelligence.networkworld import entity_key, recorder, world_fixture  # noqa: F401 - fixtures

EVERYONE = sorted(PERSONAS)
NO_CASE_CONTENT = {"heidi", "ivan", "nina"}
EXPORTERS = {"erin", "frank", "oscar"}
SEES = {
    "kayleigh": {"alice", "dana", "grace", "erin", "frank"},
    "daniel": {"bob", "erin", "frank"},
    "jayden": {"charlie", "erin", "frank"},
    "poc": {"alice", "erin", "frank"},
    "elsewhere": {"oscar"},
}


def _page(username: str) -> int:
    return 403 if username in NO_CASE_CONTENT else 200


def _export(username: str) -> int:
    return 200 if username in EXPORTERS else 403


def _around(subject: str):
    def expected(username: str) -> int:
        if username in NO_CASE_CONTENT:
            return 403
        return 200 if username in SEES[subject] else 404
    return expected


def _export_around(subject: str):
    def expected(username: str) -> int:
        if username not in EXPORTERS:
            return 403
        return 200 if username in SEES[subject] else 404
    return expected


@pytest.fixture
def cases(world):
    network = reverse("intelligence:network")
    graphml = reverse("intelligence:network_graphml")
    csv = reverse("intelligence:network_csv")
    node = {name: f"{'person_of_concern' if name == 'poc' else 'child'}:{world[name]}" for name in SEES}
    car = entity_key("vehicle", "AB12CDE")
    cases = [
        (network, _page), (reverse("intelligence:hotspots"), _page), (reverse("intelligence:persons_ranked"), _page),
        (graphml, _export), (csv, _export),
        # The first cluster always exists for those who see anything; the hundredth never does.
        (f"{network}?cluster=100", lambda u: 403 if u in NO_CASE_CONTENT else 404),
        (f"{graphml}?cluster=100", lambda u: 404 if u in EXPORTERS else 403),
        # An entity id is the same in every partnership's URL: it is found only where its records are seen.
        (f"{network}?centre={car}", lambda u: 403 if u in NO_CASE_CONTENT else (404 if u in {"charlie", "oscar"}
                                                                                 else 200)),
    ]
    for name in SEES:
        cases.append((f"{network}?centre={node[name]}", _around(name)))
        cases.append((f"{graphml}?centre={node[name]}", _export_around(name)))
        cases.append((f"{csv}?centre={node[name]}", _export_around(name)))
    return cases


@pytest.mark.parametrize("username", EVERYONE)
def test_every_network_url_as_every_persona(client_for, cases, username):
    client = client_for(username)
    for url, expected in cases:
        response = client.get(url)
        assert response.status_code == expected(username), f"{username} GET {url}"


@pytest.mark.parametrize("name", ["network", "network_graphml", "network_csv", "hotspots", "persons_ranked"])
def test_pages_are_read_only(client_for, name):
    response = client_for("erin").post(reverse(f"intelligence:{name}"))
    assert response.status_code == 405


def test_signed_out_users_are_sent_to_sign_in(client, world):
    for name in ("network", "network_graphml", "network_csv", "hotspots", "persons_ranked"):
        response = client.get(reverse(f"intelligence:{name}"))
        assert response.status_code == 302
        assert "login" in response["Location"] or "sign-in" in response["Location"]
