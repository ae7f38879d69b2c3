"""POST /api/v1/referrals: recorded through the referrals app's action, the child found or recorded."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from tests.api.conftest import ApiClient
from tests.conftest import make_person
from wrekin.audit.models import AuditEvent
from wrekin.people.models import Person, PersonAddress, PersonName
from wrekin.referrals.models import Referral, ReferralMention, ReferralStatus

URL = "/api/v1/referrals"


@pytest.fixture(autouse=True)
def _instrument(instrument):
    return instrument


def referral(**overrides) -> dict:
    body = {
        "child": {"given_name": "Kayleigh", "family_name": "Smith", "date_of_birth": "2010-03-04", "sex": "F"},
        "occurred_on": "2026-03-02",
        "narrative": "Seen getting into a silver car driven by an unknown adult outside school at 15:20.",
        "indicators": ["cars_unknown_adults", "school_absence"],
        "lawful_basis": "public_task",
        "consent_status": "not_sought",
        "consent_reason": "Asking the family could alert the adult involved.",
    }
    for key, value in overrides.items():
        if key == "child":
            body["child"] = value
        else:
            body[key] = value
    return body


def errors_of(response) -> dict[str, str]:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    return {".".join(str(p) for p in e["loc"]): e["msg"] for e in body["errors"]}


def test_a_confident_match_attaches_the_referral_to_the_existing_child(api_for, personas, people):
    response = api_for("alice").post(URL, referral())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["child_id"] == people["kayleigh"].pk
    assert body["child_match"]["outcome"] == "matched"
    assert body["child_match"]["score"] >= 0.9 and "same date of birth" in body["child_match"]["reasons"]
    saved = Referral.objects.get(pk=body["id"])
    assert saved.child == people["kayleigh"]
    assert saved.referring_agency == personas["alice"].agency and saved.referred_by == personas["alice"]
    assert saved.indicators == sorted(saved.indicators, key=[i["code"] for i in saved.instrument.indicators].index)
    assert set(saved.indicators) == {"cars_unknown_adults", "school_absence"}
    assert saved.status == ReferralStatus.AWAITING_TRIAGE
    assert body["status"] == "awaiting_triage" and body["referring_agency"] == "Test Constabulary"
    assert body["instrument"]["code"] == saved.instrument.code
    assert Person.objects.filter(given_name="Kayleigh").count() == 2  # nobody new (one is elsewhere)


def test_the_referral_and_the_match_are_audited_as_the_user(api_for, personas, people):
    body = api_for("alice").post(URL, referral()).json()
    recorded = AuditEvent.objects.get(event_type="referral.recorded")
    assert recorded.actor == personas["alice"] and recorded.person_id == people["kayleigh"].pk
    assert recorded.object_id == str(body["id"])
    matched = AuditEvent.objects.get(event_type="api.referral_child_matched")
    assert matched.actor == personas["alice"] and matched.details["via"] == "api"
    assert matched.details["score"] == body["child_match"]["score"]
    assert "Kayleigh" not in json.dumps(matched.details)


def test_a_child_the_user_cannot_see_is_recorded_afresh(api_for, personas, people):
    """Bob (school) cannot see Kayleigh (police): a new child is recorded and his agency involved."""
    response = api_for("bob").post(URL, referral())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["child_id"] != people["kayleigh"].pk
    assert body["child_match"] == {"outcome": "recorded", "score": None, "possible_matches": [],
                                   "reasons": ["no child the user can see matched"]}
    child = Person.objects.get(pk=body["child_id"])
    assert (child.given_name, child.family_name, child.date_of_birth, child.sex, child.kind) == (
        "Kayleigh", "Smith", date(2010, 3, 4), "F", "child")
    assert child.recorded_by_agency == personas["bob"].agency
    assert AuditEvent.objects.filter(event_type="person.created", person_id=child.pk).exists()
    assert not AuditEvent.objects.filter(event_type="api.referral_child_matched").exists()
    # Bob's agency can now see the child it referred.
    assert api_for("bob").get(f"/api/v1/people/{child.pk}").status_code == 200


def test_no_date_of_birth_means_no_automatic_match(api_for, people):
    child = {"given_name": "Kayleigh", "family_name": "Smith"}
    body = api_for("alice").post(URL, referral(child=child)).json()
    assert body["child_id"] != people["kayleigh"].pk
    assert body["child_match"]["outcome"] == "recorded"
    assert "no date of birth" in body["child_match"]["reasons"][0]


def test_a_twin_is_never_taken_for_their_sibling(api_for, agencies, people):
    """Same family, same birthday, names that are forms of each other: a new record, flagged for checking."""
    ella = make_person(agencies["police"], given="Ella", family="Hughes", dob=date(2011, 6, 1), sex="F")
    child = {"given_name": "Ellie", "family_name": "Hughes", "date_of_birth": "2011-06-01", "sex": "F"}
    body = api_for("alice").post(URL, referral(child=child)).json()
    assert body["child_id"] != ella.pk
    assert body["child_match"]["outcome"] == "recorded"
    assert body["child_match"]["possible_matches"] == [ella.pk]


def test_a_known_as_name_or_alias_matches(api_for, agencies, people):
    daniel = people["daniel"]  # known as Danny, recorded by the school
    child = {"given_name": "Danny", "family_name": "Smyth", "date_of_birth": "2010-03-04"}
    body = api_for("bob").post(URL, referral(child=child)).json()
    assert body["child_id"] == daniel.pk and body["child_match"]["outcome"] == "matched"
    PersonName.objects.create(person=people["jayden"], kind="nickname", given_name="JJ",
                              recorded_by_agency=agencies["health"])
    child = {"given_name": "JJ", "family_name": "Clarke", "date_of_birth": "2009-11-20"}
    body = api_for("charlie").post(URL, referral(child=child)).json()
    assert body["child_id"] == people["jayden"].pk


def test_conflicting_sex_prevents_a_match(api_for, people):
    child = {"given_name": "Kayleigh", "family_name": "Smith", "date_of_birth": "2010-03-04", "sex": "M"}
    body = api_for("alice").post(URL, referral(child=child)).json()
    assert body["child_id"] != people["kayleigh"].pk
    assert body["child_match"]["possible_matches"] == [people["kayleigh"].pk]


def test_two_equally_good_matches_choose_neither(api_for, agencies, people):
    duplicate = make_person(agencies["police"], given="Kayleigh", family="Smith", dob=date(2010, 3, 4), sex="F")
    body = api_for("alice").post(URL, referral()).json()
    assert body["child_id"] not in (people["kayleigh"].pk, duplicate.pk)
    assert sorted(body["child_match"]["possible_matches"]) == sorted([people["kayleigh"].pk, duplicate.pk])


def test_a_child_id_from_a_search_is_used_as_given(api_for, people):
    body = api_for("erin").post(URL, referral(child={"id": people["jayden"].pk})).json()
    assert body["child_id"] == people["jayden"].pk and body["child_match"]["outcome"] == "given"


@pytest.mark.parametrize("username, person", [("bob", "kayleigh"), ("oscar", "kayleigh"), ("erin", "elsewhere")])
def test_a_child_id_the_user_cannot_see_is_404_and_records_nothing(api_for, people, username, person):
    response = api_for(username).post(URL, referral(child={"id": people[person].pk}))
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert not Referral.objects.exists()


def test_a_person_of_concern_is_not_a_child(api_for, people):
    response = api_for("alice").post(URL, referral(child={"id": people["poc"].pk}))
    assert errors_of(response) == {"body.child": "A referral is about a child or young person: this person is "
                                                 "recorded as person of concern"}


def test_a_postcode_is_kept_for_a_new_child(api_for, people):
    child = {"given_name": "Maisie", "family_name": "Roberts", "date_of_birth": "2012-01-09", "postcode": "tf12ab"}
    body = api_for("alice").post(URL, referral(child=child)).json()
    address = PersonAddress.objects.get(person_id=body["child_id"])
    assert address.postcode == "TF1 2AB"


def test_mentions_are_recorded(api_for, people):
    mentions = [{"kind": "vehicle", "value": "ab12 cde", "relationship": "child got into"},
                {"kind": "phone", "value": "07700 900123"}]
    body = api_for("alice").post(URL, referral(mentions=mentions)).json()
    assert body["mentions"] == 2
    assert set(ReferralMention.objects.values_list("normalised", flat=True)) >= {"AB12CDE"}


@pytest.mark.parametrize("username", ["heidi", "ivan"])
def test_roles_that_cannot_refer_are_refused_and_nothing_is_recorded(api_for, people, username):
    before = Person.objects.count()
    response = api_for(username).post(URL, referral())
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert Person.objects.count() == before and not Referral.objects.exists()


def test_the_scope_is_needed(api_for, people):
    response = api_for("alice", scopes=["people:read"]).post(URL, referral())
    assert response.status_code == 403 and response.json()["required_scope"] == "referrals:write"


# --- Bad input: 400 or 422 with a reason per field, never a 500, nothing recorded -------------------

@pytest.mark.parametrize("change, expected", [
    ({"indicators": ["cars_unknown_adults", "flying_carpet"]}, {"body.indicators": "flying_carpet"}),
    ({"occurred_on": "2026-02-30"}, {"body.occurred_on": "2026-02-30 is not a real date"}),
    ({"occurred_on": "02/03/2026"}, {"body.occurred_on": "YYYY-MM-DD"}),
    ({"occurred_on": 1767225600}, {"body.occurred_on": "YYYY-MM-DD"}),
    ({"occurred_on": "2999-01-01"}, {"body.occurred_on": "future"}),
    ({"occurred_on": "0201-03-02"}, {"body.occurred_on": "before 1900"}),
    ({"narrative": ""}, {"body.narrative": "at least 1 character"}),
    ({"narrative": "   "}, {"body.narrative": "Describe what happened"}),
    ({"narrative": "x" * 50_001}, {"body.narrative": "at most 50000 characters"}),
    ({"narrative": 42}, {"body.narrative": "valid string"}),
    ({"indicators": "school_absence"}, {"body.indicators": "valid list"}),
    ({"indicators": [1, 2]}, {"body.indicators.0": "valid string", "body.indicators.1": "valid string"}),
    ({"lawful_basis": "because"}, {"body.lawful_basis": "public_task"}),
    ({"consent_status": "maybe"}, {"body.consent_status": "given"}),
    ({"consent_reason": ""}, {"body.consent_reason": "Explain why you are sharing without consent"}),
    ({"mentions": [{"kind": "spaceship", "value": "x"}]}, {"body.mentions.0.kind": "person"}),
    ({"mentions": [{"kind": "vehicle", "value": ""}]}, {"body.mentions.0.value": "at least 1 character"}),
    ({"surprise": True}, {"body.surprise": "Extra inputs are not permitted"}),
    ({"narrative": "Seen at\x00 the park"}, {"body.narrative": "NUL"}),
    ({"indicators": ["school_absence\x00"]}, {"body.indicators": "NUL"}),
    ({"consent_reason": "Risk\ud800"}, {"body.consent_reason": "unicode"}),
])
def test_field_errors(api_for, people, change, expected):
    before = Person.objects.count()
    got = errors_of(api_for("alice").post(URL, referral(**change)))
    assert set(got) == set(expected), got
    for loc, fragment in expected.items():
        assert fragment in got[loc], (loc, got[loc])
    assert not Referral.objects.exists() and Person.objects.count() == before


@pytest.mark.parametrize("child, expected", [
    ({}, {"body.child.given_name": "given name"}),
    ({"given_name": "  "}, {"body.child.given_name": "given name"}),
    ({"given_name": "A" * 101}, {"body.child.given_name": "at most 100 characters"}),
    ({"given_name": "Tia", "date_of_birth": "2010-13-01"}, {"body.child.date_of_birth": "not a real date"}),
    ({"given_name": "Tia", "date_of_birth": "2999-01-01"}, {"body.child.date_of_birth": "future"}),
    ({"given_name": "Tia", "date_of_birth": "1850-01-01"}, {"body.child.date_of_birth": "before 1900"}),
    ({"given_name": "Tia", "date_of_birth": "1901-01-01"}, {"body.child.date_of_birth": "120 years"}),
    ({"given_name": "Tia", "sex": "female"}, {"body.child.sex": "'F', 'M' or 'U'"}),
    ({"given_name": "Tia", "postcode": "NOT A CODE"}, {"body.child.postcode": "postcode"}),
    ({"given_name": "Tia", "date_of_brith": "2010-01-01"}, {"body.child.date_of_brith": "Extra inputs"}),
    ({"id": "seven"}, {"body.child.id": "valid integer"}),
    ({"id": 2**63}, {"body.child.id": "less than or equal to"}),
    ({"id": 0}, {"body.child.id": "greater than or equal to 1"}),
    ({"given_name": "Tia\x00"}, {"body.child.given_name": "NUL"}),
    ({"given_name": ["Tia"]}, {"body.child.given_name": "valid string"}),
])
def test_child_field_errors(api_for, people, child, expected):
    before = Person.objects.count()
    got = errors_of(api_for("alice").post(URL, referral(child=child)))
    assert set(got) == set(expected), got
    for loc, fragment in expected.items():
        assert fragment in got[loc], (loc, got[loc])
    assert not Referral.objects.exists() and Person.objects.count() == before


def test_missing_fields_are_each_named(api_for, people):
    got = errors_of(api_for("alice").post(URL, {}))
    assert set(got) == {"body.child", "body.occurred_on", "body.narrative", "body.lawful_basis",
                        "body.consent_status"}
    assert all(message == "Field required" for message in got.values())


def test_a_future_date_by_the_clock_of_the_day(api_for, people):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert "body.occurred_on" in errors_of(api_for("alice").post(URL, referral(occurred_on=tomorrow)))
    today = timezone.localdate().isoformat()
    assert api_for("alice").post(URL, referral(occurred_on=today)).status_code == 201


@pytest.mark.parametrize("raw", ["", "{", "not json", '{"child": ', "\ud800", "[]", "null", '"referral"'])
def test_bodies_that_are_not_a_json_object(api_for, people, raw):
    response = api_for("alice").post(URL, raw=raw.encode("utf-8", "surrogatepass"))
    assert response.status_code in (400, 422), response.content
    assert response.json()["code"] in ("malformed_body", "invalid")
    assert not Referral.objects.exists()


def test_a_huge_body_is_refused_without_a_500(api_for, people, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100_000
    response = api_for("alice").post(URL, referral(narrative="x" * 200_000))
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert not Referral.objects.exists()


def test_without_an_instrument_loaded_the_answer_says_so(api_for, people):
    from wrekin.referrals.models import ScreeningInstrument

    ScreeningInstrument.objects.all().delete()
    response = api_for("alice").post(URL, referral())
    assert response.status_code == 503 and response.json()["code"] == "not_configured"
    assert not Referral.objects.exists()


def test_a_referral_with_all_input_wrong_at_once_reports_every_field(api_for, people):
    client = ApiClient(authorization=api_for("alice").headers["Authorization"])
    got = errors_of(client.post(URL, {"child": {"given_name": 5}, "occurred_on": "yesterday", "narrative": None,
                                      "lawful_basis": "x", "consent_status": "y"}))
    assert {"body.child.given_name", "body.occurred_on", "body.narrative", "body.lawful_basis",
            "body.consent_status"} <= set(got)
