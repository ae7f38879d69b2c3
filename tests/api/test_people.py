"""GET /api/v1/people/{id} and POST /api/v1/people/search, as several personas."""

from __future__ import annotations

import pytest

from wrekin.audit.models import AuditEvent


def test_person_summary_says_who_and_who_knows_them(api_for, people):
    response = api_for("alice").get(f"/api/v1/people/{people['kayleigh'].pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["given_name"] == "Kayleigh" and body["family_name"] == "Smith"
    assert body["date_of_birth"] == "2010-03-04" and body["sex"] == "F" and body["kind"] == "child"
    assert isinstance(body["age"], int)
    assert {k["agency"] for k in body["known_to"]} == {"Test Constabulary", "Wrekin Children's Services"}
    assert response["Cache-Control"] == "no-store"


def test_person_view_is_audited_before_answering(api_for, personas, people):
    api_for("erin").get(f"/api/v1/people/{people['jayden'].pk}")
    event = AuditEvent.objects.get(event_type="person.viewed")
    assert event.actor == personas["erin"] and event.person_id == people["jayden"].pk
    assert event.details == {"via": "api"}


@pytest.mark.parametrize("username, person", [
    ("bob", "kayleigh"),  # another agency's child
    ("alice", "daniel"),
    ("oscar", "kayleigh"),  # another partnership's child
    ("erin", "elsewhere"),
    ("heidi", "kayleigh"),  # auditors see no case content
    ("ivan", "kayleigh"),  # nor do administrators
])
def test_people_the_user_may_not_see_are_404_like_absent_ones(api_for, people, username, person):
    client = api_for(username)
    forbidden = client.get(f"/api/v1/people/{people[person].pk}")
    absent = client.get("/api/v1/people/987654321")
    assert forbidden.status_code == absent.status_code == 404
    assert forbidden.content == absent.content
    assert not AuditEvent.objects.filter(event_type="person.viewed").exists()


def test_search_finds_with_reasons_and_audits_ids_not_names(api_for, personas, people):
    response = api_for("frank").post("/api/v1/people/search", {"q": "Danny Smith 2010"})
    assert response.status_code == 200
    body = response.json()
    ids = [r["person"]["id"] for r in body["results"]]
    assert ids[0] == people["daniel"].pk
    assert people["elsewhere"].pk not in ids  # another partnership
    daniel = next(r for r in body["results"] if r["person"]["id"] == people["daniel"].pk)
    assert daniel["reasons"] and 0 < daniel["score"] <= 1
    event = AuditEvent.objects.get(event_type="person.searched")
    assert event.actor == personas["frank"]
    assert event.details["via"] == "api" and event.details["results"] == body["count"]
    assert set(event.details["result_ids"]) == set(ids)
    assert "Danny" not in str(event.details) and "Smith" not in str(event.details)


def test_search_only_finds_people_the_user_may_see(api_for, people):
    body = api_for("bob").post("/api/v1/people/search", {"q": "Kayleigh Smith"}).json()
    assert body == {"count": 0, "results": []}
    body = api_for("oscar").post("/api/v1/people/search", {"q": "Kayleigh Smith"}).json()
    assert [r["person"]["id"] for r in body["results"]] == [people["elsewhere"].pk]


@pytest.mark.parametrize("username", ["heidi", "ivan"])
def test_search_is_refused_to_roles_without_case_content(api_for, people, username):
    response = api_for(username).post("/api/v1/people/search", {"q": "Kayleigh"})
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert not AuditEvent.objects.filter(event_type="person.searched").exists()


@pytest.mark.parametrize("body, loc", [
    ({}, ["body", "q"]),
    ({"q": ""}, ["body", "q"]),
    ({"q": "   "}, ["body", "q"]),
    ({"q": 42}, ["body", "q"]),
    ({"q": None}, ["body", "q"]),
    ({"q": "x" * 201}, ["body", "q"]),
    ({"q": ["Kayleigh"]}, ["body", "q"]),
])
def test_search_validation_says_which_field(api_for, people, body, loc):
    response = api_for("alice").post("/api/v1/people/search", body)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [e["loc"] for e in errors] == [loc]
    assert errors[0]["msg"]


def test_search_with_a_body_that_is_not_json(api_for, people):
    client = api_for("alice")
    for raw in ("{", "q=Kayleigh", "\x00\xff", '{"q": "Kay'):
        response = client.post("/api/v1/people/search", raw=raw)
        assert response.status_code == 400, raw
        assert response.json() == {"detail": "The request body is not valid JSON.", "code": "malformed_body"}
    response = client.post("/api/v1/people/search", raw="")
    assert response.status_code == 422  # no body at all: q is missing


def test_search_body_that_is_json_but_not_an_object(api_for, people):
    for raw in ("[]", '"Kayleigh"', "42", "null"):
        response = api_for("alice").post("/api/v1/people/search", raw=raw)
        assert response.status_code in (400, 422), raw
        assert response.json()["code"] in ("invalid", "malformed_body")


def test_an_id_that_is_not_a_number_is_not_found_in_json(api_for, people):
    for path in ("/api/v1/people/kayleigh", "/api/v1/people/1.5", "/api/v1/nowhere", "/api/v1/people/1/"):
        response = api_for("alice").get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found.", "code": "not_found"}, path


@pytest.mark.parametrize("person_id", [0, 2**63, 10**30])
def test_an_id_no_record_can_have_is_refused_without_reaching_the_database(api_for, people, person_id):
    response = api_for("alice").get(f"/api/v1/people/{person_id}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["path", "person_id"]


@pytest.mark.parametrize("q", [r"Kay\u0000leigh", r"Kay\ud800leigh"])  # JSON escapes, as sent
def test_text_the_database_cannot_store_is_refused(api_for, people, q):
    response = api_for("alice").post("/api/v1/people/search", raw='{"q": "' + q + '"}')
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "q"]
