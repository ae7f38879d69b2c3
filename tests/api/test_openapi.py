"""The OpenAPI document: served without a token, valid JSON, every operation documented with its scope."""

from __future__ import annotations

import json

from django.urls import reverse

from tests.api.conftest import ApiClient
from wrekin.api.models import SCOPES

EXPECTED_OPERATIONS = {
    ("get", "/api/v1/people/{person_id}"),
    ("post", "/api/v1/people/search"),
    ("post", "/api/v1/referrals"),
    ("get", "/api/v1/children/{child_id}/chronology"),
    ("get", "/api/v1/children/{child_id}/missing-episodes"),
    ("post", "/api/v1/missing-episodes"),
    ("get", "/api/v1/children/{child_id}/screenings"),
    ("get", "/api/v1/alerts"),
}


def _document(db) -> dict:
    response = ApiClient().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def test_served_to_anyone_as_openapi_3(db):
    document = _document(db)
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Wrekin API" and document["info"]["version"] == "1"
    operations = {(method, path) for path, item in document["paths"].items() for method in item}
    assert operations == EXPECTED_OPERATIONS


def test_every_operation_needs_a_bearer_token_and_names_its_scope(db):
    document = _document(db)
    scheme = document["components"]["securitySchemes"]["TokenAuth"]
    assert scheme == {"type": "http", "scheme": "bearer"}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            assert operation["security"] == [{"TokenAuth": []}], where
            scope = operation["x-required-scope"]
            assert scope in SCOPES, where
            assert f"`{scope}`" in operation["description"], where
            assert {"401", "403"} <= set(operation["responses"]), where
            if "requestBody" in operation:
                assert "422" in operation["responses"], where
            if "{" in path:
                assert "404" in operation["responses"], where


def test_every_reference_resolves(db):
    document = _document(db)
    schemas = document["components"]["schemas"]
    text = json.dumps(document)
    references = {part.split('"')[0] for part in text.split('"$ref": "#/components/schemas/')[1:]}
    assert references and references <= set(schemas)


def test_no_docs_page_needing_outside_scripts(db):
    assert ApiClient().get("/api/v1/docs").status_code == 404


def test_the_root_points_to_the_document(db):
    response = ApiClient().get("/api/v1/")
    assert response.status_code == 200
    assert response.json() == {"name": "Wrekin API", "version": "1", "openapi": reverse("api:openapi-json")}
