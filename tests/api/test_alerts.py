"""GET /api/v1/alerts: the contract, and that each token sees only the alerts its user may see."""

from __future__ import annotations

import pytest

from wrekin.intelligence.models import LinkAlert


@pytest.fixture
def linked(save, people):
    """AB12 CDE named by the school about Daniel and by the police about Kayleigh."""
    save("bob", people["daniel"], [("vehicle", "ab12cde")], source=("referrals.referral", 101))
    save("alice", people["kayleigh"], [("vehicle", "AB12 CDE")], days=3, source=("referrals.referral", 102))
    return LinkAlert.objects.get()


@pytest.fixture
def save(personas):
    from tests.intelligence.linkworld import at
    from wrekin.intelligence.linking import record_mentions

    def _save(username, child, items, *, days=0, source):
        return record_mentions(actor=personas[username], source=source, child=child,
                               structured=[{"type": t, "value": v} for t, v in items], recorded_at=at(days))

    return _save


def test_the_contract_for_a_coordinator(api_for, linked, people):
    response = api_for("erin", ["alerts:read"]).get("/api/v1/alerts")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [item] = body["items"]
    assert {"id", "status", "explanation", "entities", "child_ids", "record_ids"} <= set(item)
    assert item["id"] == linked.pk and item["status"] == "new" and item["access"] == "full"
    assert item["explanation"] == linked.explanation
    assert item["entities"] == [{"type": "vehicle", "value": "AB12 CDE"}]
    assert sorted(item["child_ids"]) == sorted([people["daniel"].pk, people["kayleigh"].pk])
    assert item["record_ids"] == ["referrals.referral:101", "referrals.referral:102"]
    assert item["unconfirmed"] is False


def test_a_practitioner_learns_only_that_a_link_exists(api_for, linked, people):
    [item] = api_for("alice", ["alerts:read"]).get("/api/v1/alerts").json()["items"]
    assert item["access"] == "limited"
    assert item["entities"] == [] and "AB12" not in item["explanation"]
    assert "coordinator" in item["explanation"]
    assert item["child_ids"] == [people["kayleigh"].pk]
    assert item["record_ids"] == ["referrals.referral:102"]


@pytest.mark.parametrize("username", ["charlie", "oscar"])
def test_those_who_cannot_see_any_of_its_children_get_an_empty_list(api_for, linked, username):
    assert api_for(username, ["alerts:read"]).get("/api/v1/alerts").json() == {"count": 0, "items": []}


@pytest.mark.parametrize("username", ["heidi", "ivan"])
def test_roles_without_case_content_are_refused(api_for, linked, username):
    assert api_for(username, ["alerts:read"]).get("/api/v1/alerts").status_code == 403


def test_status_filter_and_scope(api_for, linked, personas):
    from wrekin.intelligence.alerts import triage_alert

    triage_alert(actor=personas["erin"], alert_id=linked.pk, to_status="reviewed")
    client = api_for("erin", ["alerts:read"])
    assert client.get("/api/v1/alerts?status=new").json()["count"] == 0
    assert client.get("/api/v1/alerts?status=reviewed").json()["count"] == 1
    assert client.get("/api/v1/alerts?status=bogus").status_code == 422
    refused = api_for("erin", ["people:read"]).get("/api/v1/alerts")
    assert refused.status_code == 403 and refused.json()["required_scope"] == "alerts:read"


def test_listing_is_audited(api_for, linked):
    from wrekin.audit.models import AuditEvent

    api_for("erin", ["alerts:read"]).get("/api/v1/alerts")
    event = AuditEvent.objects.filter(event_type="link_alert.listed").latest("seq")
    assert event.details == {"via": "api", "status": "", "count": 1}


def test_a_referral_gets_its_extracted_entities_back_and_they_link(api_for, people, instrument):
    body = {"child": {"id": people["daniel"].pk}, "occurred_on": "2026-03-02",
            "narrative": "Got into a silver Audi, reg ab12cde, and later rang 07700 900123.",
            "indicators": [], "lawful_basis": "public_task", "consent_status": "given"}
    response = api_for("bob", ["referrals:write"]).post("/api/v1/referrals", body)
    assert response.status_code == 201, response.content
    extracted = response.json()["extracted"]
    assert [(e["type"], e["normalised"]) for e in extracted] == [("vehicle", "AB12CDE"), ("phone", "+447700900123")]
    narrative = body["narrative"]
    for item in extracted:
        assert narrative[item["span"][0]:item["span"][1]] == item["value"]
    body["child"] = {"id": people["kayleigh"].pk}
    body["narrative"] = "Seen in the car AB12 CDE."
    assert api_for("alice", ["referrals:write"]).post("/api/v1/referrals", body).status_code == 201
    alert = LinkAlert.objects.get()
    assert alert.unconfirmed_count == 2
    assert alert.explanation.startswith("vehicle AB12 CDE is mentioned in 2 records about 2 children from 2 agencies")


def test_extracted_includes_the_known_names_the_user_may_see_and_they_link(api_for, agencies, people, instrument):
    from tests.conftest import make_person
    from wrekin.intelligence.models import Mention
    from wrekin.people.models import PersonKind, PersonName

    taz = make_person(agencies["police"], given="Tariq", family="Aziz", kind=PersonKind.PERSON_OF_CONCERN)
    PersonName.objects.create(person=taz, kind="nickname", given_name="Taz", recorded_by_agency=agencies["police"])
    body = {"child": {"id": people["daniel"].pk}, "occurred_on": "2026-03-02", "narrative": "Collected from school.",
            "mentions": [{"kind": "place", "value": "Tasty Chicken, TF1 2AB"}],
            "indicators": [], "lawful_basis": "public_task", "consent_status": "given"}
    assert api_for("bob", ["referrals:write"]).post("/api/v1/referrals", body).status_code == 201

    narrative = "Seen with Taz outside Tasty Chicken, then with Bigz."
    body.update({"child": {"id": people["kayleigh"].pk}, "narrative": narrative, "mentions": []})
    response = api_for("alice", ["referrals:write"]).post("/api/v1/referrals", body)
    assert response.status_code == 201, response.content
    extracted = response.json()["extracted"]
    # "Bigz" is nobody's name: nothing is made up for it.
    assert [(e["type"], e["value"], e["normalised"]) for e in extracted] == [
        ("person", "Taz", "Taz"), ("location", "Tasty Chicken", "Tasty Chicken")]
    for item in extracted:
        assert narrative[item["span"][0]:item["span"][1]] == item["value"]
    recorded = Mention.objects.filter(source_id=response.json()["id"], source_type="referrals.referral")
    assert sorted((m.entity.type, m.status) for m in recorded) == [("location", "unconfirmed"),
                                                                    ("person", "unconfirmed")]
    assert LinkAlert.objects.get().anchor_entity.key == "premises:tasty chicken|TF1 2AB"

    # The school may not see Taz: its system is not told that anyone goes by that name.
    body["child"] = {"id": people["daniel"].pk}
    response = api_for("bob", ["referrals:write"]).post("/api/v1/referrals", body)
    assert [e["type"] for e in response.json()["extracted"]] == ["location"]


def test_an_unknown_filter_is_refused_not_ignored(api_for, linked):
    response = api_for("erin", ["alerts:read"]).get("/api/v1/alerts?stauts=new")
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "stauts"]
