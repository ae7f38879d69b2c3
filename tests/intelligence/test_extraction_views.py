"""The live suggestions endpoint: who may call it, what it returns, and what it must never do."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from django.http import QueryDict
from django.middleware.csrf import get_token
from django.test import Client
from django.urls import reverse

from tests.conftest import PERSONAS, sign_in
from wrekin.audit.models import AuditEvent
from wrekin.intelligence.extraction_views import MAX_NARRATIVE_CHARACTERS, review_suggestions

# The global access test gathers these from tests/<app>/test_access.py; listed here for the lead to merge.
COVERED_URL_NAMES = {"intelligence:extract_suggestions"}

URL = reverse("intelligence:extract_suggestions")
NARRATIVE = ("Kayleigh got into a silver Corsa, reg ab12cde, near TF1 2AB with Mohammed Khan (07700 900123). "
             "She is on Snapchat as kayz_01.")

CASE_CONTENT = {"alice", "bob", "charlie", "dana", "erin", "frank", "grace", "oscar"}
EXPECTED = {username: 200 if username in CASE_CONTENT else 403 for username in PERSONAS}


@pytest.mark.django_db
@pytest.mark.parametrize("username", sorted(PERSONAS))
def test_every_persona(client_for, people, username):
    response = client_for(username).post(URL, {"narrative": NARRATIVE})
    assert response.status_code == EXPECTED[username]


@pytest.mark.django_db
def test_signed_out_is_sent_to_sign_in(client):
    response = client.post(URL, {"narrative": NARRATIVE})
    assert response.status_code == 302
    assert "login" in response["Location"] or "sign" in response["Location"]


@pytest.mark.django_db
def test_get_is_not_allowed(client_for):
    assert client_for("erin").get(URL).status_code == 405


@pytest.mark.django_db
def test_coordinator_sees_each_suggestion_with_a_confirm_and_reject_control(client_for, people):
    response = client_for("erin").post(URL, {"narrative": NARRATIVE})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html  # a fragment, for htmx to swap in
    for shown, written in [("Vehicle: AB12 CDE", "ab12cde"), ("Postcode: TF1 2AB", "TF1 2AB"),
                           ("Person of concern: Mohammed Khan", "Mohammed Khan"),
                           ("Phone: +447700900123", "07700 900123"), ("Online handle: snapchat: kayz_01", "kayz_01")]:
        assert shown in html
        assert f"Written as “{written}”" in html
    assert 'name="suggestion-count" value="5"' in html
    for n in range(5):
        assert f'name="suggestion-{n}" type="radio" value="confirm"' in html
        assert f'name="suggestion-{n}" type="radio" value="reject"' in html
    assert 'name="suggestion-0-type" value="vehicle"' in html
    assert 'name="suggestion-0-normalised" value="AB12CDE"' in html
    start = NARRATIVE.index("ab12cde")
    assert f'name="suggestion-0-span" value="{start}:{start + 7}"' in html


@pytest.mark.django_db
def test_administrator_is_refused(client_for):
    response = client_for("ivan").post(URL, {"narrative": NARRATIVE})
    assert response.status_code == 403
    assert b"AB12 CDE" not in response.content


@pytest.mark.django_db
def test_csrf_token_is_required(personas):
    client = sign_in(Client(enforce_csrf_checks=True), personas["erin"])
    assert client.post(URL, {"narrative": NARRATIVE}).status_code == 403
    page = client.get(reverse("people:search"))  # any page sets the CSRF cookie
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else get_token(page.wsgi_request)
    response = client.post(URL, {"narrative": NARRATIVE, "csrfmiddlewaretoken": token})
    assert response.status_code == 200


@pytest.mark.django_db
def test_names_come_only_from_people_the_user_may_see(client_for, people):
    # Mohammed Khan was recorded by police: the school's practitioner cannot see him, so typing his
    # name must not reveal that the partnership knows him. Oscar's partnership has no such person.
    def suggested_person(username: str) -> bool:
        response = client_for(username).post(URL, {"narrative": NARRATIVE})
        return "Person of concern: Mohammed Khan" in response.content.decode()

    assert suggested_person("alice")
    assert suggested_person("erin")
    assert not suggested_person("bob")
    assert not suggested_person("oscar")


@pytest.mark.django_db
def test_decisions_survive_the_next_keystroke(client_for, people):
    response = client_for("erin").post(URL, {
        "narrative": "More text first. " + NARRATIVE,  # spans move; the decision follows the entity
        "suggestion-count": "2", "suggestion-0": "confirm", "suggestion-0-type": "vehicle",
        "suggestion-0-normalised": "AB12CDE", "suggestion-1": "reject", "suggestion-1-type": "postcode",
        "suggestion-1-normalised": "TF1 2AB"})
    html = response.content.decode()
    assert 'id="suggestion-0-confirm" name="suggestion-0" type="radio" value="confirm" checked' in html
    assert 'id="suggestion-1-reject" name="suggestion-1" type="radio" value="reject" checked' in html
    assert 'value="confirm" checked' not in html.split('name="suggestion-2"')[1]


@pytest.mark.django_db
def test_another_field_name_and_prefix(client_for, people):
    response = client_for("erin").post(URL + "?field=summary&prefix=entity", {"summary": "reg AB12 CDE"})
    html = response.content.decode()
    assert 'name="entity-0-normalised" value="AB12CDE"' in html
    assert 'name="entity-count" value="1"' in html


@pytest.mark.django_db
def test_nothing_found_and_too_long(client_for):
    client = client_for("erin")
    assert "found no registration marks" in client.post(URL, {"narrative": "She went to school."}).content.decode()
    assert "found no" not in client.post(URL, {"narrative": ""}).content.decode()
    too_long = client.post(URL, {"narrative": "AB12 CDE " * (MAX_NARRATIVE_CHARACTERS // 9 + 1)})
    assert "too long" in too_long.content.decode()


@pytest.mark.django_db
def test_audits_a_match_on_known_people_and_logs_no_personal_data(personas, people, caplog):
    coordinator, administrator = sign_in(Client(), personas["erin"]), sign_in(Client(), personas["ivan"])
    before = AuditEvent.objects.count()  # after signing in, which is audited
    with caplog.at_level(logging.DEBUG):
        assert coordinator.post(URL, {"narrative": NARRATIVE}).status_code == 200
        assert administrator.post(URL, {"narrative": NARRATIVE}).status_code == 403  # Django logs refusals
    # The narrative names a known person of concern: that is a search of people, so it is audited,
    # with a count and never the narrative.
    [event] = AuditEvent.objects.all()[before:]
    assert event.event_type == "person.searched" and event.details == {"via": "extraction", "results": 1}
    # Plates, phones and places alone consult nothing stored about people: no event.
    assert coordinator.post(URL, {"narrative": "Seen in AB12 CDE near TF1 2AB."}).status_code == 200
    assert AuditEvent.objects.count() == before + 1
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in ("ab12cde", "AB12CDE", "Mohammed", "07700", "kayz_01", "TF1 2AB"):
        assert secret not in logged


@pytest.mark.django_db
def test_review_suggestions_trusts_nothing_posted_back(personas, people):
    data = QueryDict(mutable=True)
    data.update({"suggestion-count": "3",
                 "suggestion-0": "confirm", "suggestion-0-type": "vehicle", "suggestion-0-normalised": "ZZ99ZZZ",
                 "suggestion-1": "reject", "suggestion-1-type": "phone", "suggestion-1-normalised": "+447700900123",
                 "suggestion-2": "delete-everything", "suggestion-2-type": "vehicle",
                 "suggestion-2-normalised": "AB12CDE"})
    reviewed = review_suggestions(NARRATIVE, data, user=personas["erin"], today=date(2026, 5, 1))
    assert [(r.item.type, r.item.normalised, r.decision) for r in reviewed] == [
        ("vehicle", "AB12CDE", ""), ("postcode", "TF1 2AB", ""), ("person", "Mohammed Khan", ""),
        ("phone", "+447700900123", "reject"), ("handle", "kayz_01", "")]
    bad_count = QueryDict("suggestion-count=lots&suggestion-0=confirm")
    assert all(r.decision == "" for r in review_suggestions(NARRATIVE, bad_count, user=personas["erin"]))
