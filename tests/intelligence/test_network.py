"""wrekin.intelligence.network: the network read from the database, limited to what the viewer may see."""

from __future__ import annotations

from datetime import date

import pytest

from tests.intelligence.networkworld import TODAY, entity_key, keys_of, recorder, world_fixture  # noqa: F401 - fixtures
from wrekin.intelligence import graph
from wrekin.intelligence.network import CO_MENTION, PERSON_PHONE, NetworkFilters, network_for


@pytest.fixture
def keys(world):
    return {
        "kayleigh": f"child:{world['kayleigh']}", "daniel": f"child:{world['daniel']}",
        "jayden": f"child:{world['jayden']}", "poc": f"person_of_concern:{world['poc']}",
        "car": entity_key("vehicle", "AB12CDE"), "near_miss": entity_key("vehicle", "AB12CDF"),
        "rejected": entity_key("vehicle", "XY19ZZZ"), "phone": entity_key("phone", "+447700900123"),
        "kebab": entity_key("location", "premises:kwik kebab|TF1 2AB"),
        "their_car": entity_key("vehicle", "AB12CDE", "elsewhere"),
        "elsewhere": f"child:{world['elsewhere']}",
    }


def _pairs(data) -> set[tuple[str, str, str]]:
    return {(*sorted((e.source, e.target)), e.kind) for e in data.edges}


def _pair(a: str, b: str, kind: str) -> tuple[str, str, str]:
    return (*sorted((a, b)), kind)


def test_coordinator_sees_the_partnerships_whole_network(personas, keys):
    data = network_for(personas["erin"])
    assert data.partnership_wide
    assert keys_of(data) == {keys[k] for k in ("kayleigh", "daniel", "jayden", "poc", "car", "near_miss", "phone",
                                               "kebab")}
    k, d, j, p = keys["kayleigh"], keys["daniel"], keys["jayden"], keys["poc"]
    assert _pairs(data) == {
        _pair(k, keys["car"], graph.MENTION), _pair(k, keys["kebab"], graph.MENTION),
        _pair(d, keys["car"], graph.MENTION), _pair(d, keys["kebab"], graph.MENTION),
        _pair(j, keys["phone"], graph.MENTION), _pair(j, keys["near_miss"], graph.MENTION),
        _pair(k, p, graph.RESOLUTION), _pair(k, p, graph.RELATIONSHIP),
        _pair(p, keys["car"], graph.MENTION), _pair(p, keys["kebab"], graph.MENTION),
        _pair(p, keys["phone"], graph.MENTION),
    }
    labels = {n.key: n.label for n in data.nodes}
    assert labels[d] == "Daniel Smyth (known as Danny)"
    assert labels[keys["car"]] == "AB12 CDE"
    assert {n.kind for n in data.nodes} == {"child", "person_of_concern", "vehicle", "phone", "location"}


def test_edges_carry_agency_date_record_and_confirmation(personas, keys, agencies, world):
    data = network_for(personas["erin"])
    by_pair = {}
    for edge in data.edges:
        by_pair.setdefault(frozenset((edge.source, edge.target)), []).append(edge)
    (daniel_car,) = by_pair[frozenset((keys["daniel"], keys["car"]))]
    assert daniel_car.agency_id == agencies["school"].pk
    assert daniel_car.on == date(2026, 5, 11)
    assert daniel_car.record == "tests.record:9002"
    assert daniel_car.relationship == "child was picked up in"
    assert daniel_car.confirmed
    (near_miss,) = by_pair[frozenset((keys["jayden"], keys["near_miss"]))]
    assert not near_miss.confirmed
    relationship, resolution = sorted(by_pair[frozenset((keys["kayleigh"], keys["poc"]))], key=lambda e: e.kind)
    assert relationship.kind == graph.RELATIONSHIP
    assert relationship.relationship == "Older or controlling adult"
    assert relationship.record == f"people.personrelationship:{world['relationship']}"
    assert relationship.on == date(2026, 2, 1)
    assert resolution.kind == graph.RESOLUTION and resolution.record == "tests.record:9001"
    co_mentions = by_pair[frozenset((keys["poc"], keys["car"]))]
    assert [(e.relationship, e.record) for e in co_mentions] == [(CO_MENTION, "tests.record:9001")]
    (own_phone,) = by_pair[frozenset((keys["poc"], keys["phone"]))]
    assert own_phone.relationship == PERSON_PHONE
    assert own_phone.record == f"people.personphone:{world['phone_record']}"
    assert own_phone.on == date(2026, 4, 20)
    assert data.agency_names[agencies["school"].pk] == "Severn Vale Academy"


def test_rejected_mentions_never_become_nodes_or_edges(personas, keys):
    for username in ("erin", "bob"):
        assert keys["rejected"] not in keys_of(network_for(personas[username]))


@pytest.mark.parametrize(("username", "expected"), [
    ("alice", {"kayleigh", "poc", "car", "kebab", "phone"}),
    ("bob", {"daniel", "car", "kebab"}),
    ("charlie", {"jayden", "phone", "near_miss"}),
    ("dana", {"kayleigh", "car", "kebab"}),
    ("grace", {"kayleigh", "car", "kebab"}),
    ("frank", {"kayleigh", "daniel", "jayden", "poc", "car", "near_miss", "phone", "kebab"}),
    ("oscar", {"elsewhere", "their_car"}),
    ("heidi", set()),
    ("ivan", set()),
    ("nina", set()),
])
def test_each_persona_sees_only_nodes_from_records_they_may_see(personas, keys, username, expected):
    data = network_for(personas[username])
    assert keys_of(data) == {keys[name] for name in expected}


def test_practitioner_never_gets_an_edge_from_a_record_they_cannot_see(personas, keys):
    data = network_for(personas["alice"])
    assert not data.partnership_wide
    records = {e.record for e in data.edges}
    # Alice's own record and the police's person records; never the school's or health's.
    assert "tests.record:9002" not in records and "tests.record:9004" not in records
    assert all(e.agency_id is not None for e in data.edges)
    k, p = keys["kayleigh"], keys["poc"]
    assert _pairs(data) == {
        _pair(k, keys["car"], graph.MENTION), _pair(k, keys["kebab"], graph.MENTION), _pair(k, p, graph.RESOLUTION),
        _pair(k, p, graph.RELATIONSHIP), _pair(p, keys["car"], graph.MENTION), _pair(p, keys["kebab"], graph.MENTION),
        _pair(p, keys["phone"], graph.MENTION)}


def test_a_relationship_needs_both_people_visible(personas, keys, people, agencies):
    from wrekin.people.models import PersonRelationship

    PersonRelationship.objects.create(from_person=people["daniel"], to_person=people["poc"], kind="boyfriend",
                                      recorded_by_agency=agencies["school"], recorded_on=date(2026, 3, 1))
    # Bob sees Daniel but not Mohammed Khan: neither the person nor the relationship appears.
    assert keys["poc"] not in keys_of(network_for(personas["bob"]))
    assert _pair(keys["daniel"], keys["poc"], graph.RELATIONSHIP) in _pairs(network_for(personas["erin"]))


def test_a_resolution_to_a_person_the_viewer_cannot_see_is_left_out(personas, keys, save, people):
    from wrekin.intelligence.alerts import resolve_person_mention

    (named,) = save("bob", people["daniel"], [{"type": "person", "value": "Mo Khan", "approximate_age": 24}],
                    days=30, source=("tests.record", 9100))
    resolve_person_mention(actor=personas["erin"], mention_id=named.pk, person_id=people["poc"].pk)
    bob = network_for(personas["bob"])
    assert keys["poc"] not in keys_of(bob)
    assert _pair(keys["daniel"], keys["poc"], graph.RESOLUTION) in _pairs(network_for(personas["erin"]))


def test_filters_by_entity_kind_date_and_confirmation(personas, keys):
    only_vehicles = network_for(personas["erin"], NetworkFilters(entity_kinds=(graph.VEHICLE,)))
    assert keys_of(only_vehicles) == {keys[k] for k in ("kayleigh", "daniel", "jayden", "poc", "car", "near_miss")}
    confirmed = network_for(personas["erin"], NetworkFilters(include_unconfirmed=False))
    assert keys["near_miss"] not in keys_of(confirmed)
    may = network_for(personas["erin"], NetworkFilters(since=date(2026, 5, 5), until=date(2026, 5, 31)))
    # Daniel's record (11 May) and Jayden's (21 May); Kayleigh's (1 May), the phone (20 April) and the
    # relationship (1 February) are outside.
    assert keys_of(may) == {keys[k] for k in ("daniel", "car", "kebab", "jayden", "phone", "near_miss")}
    nothing = network_for(personas["erin"], NetworkFilters(entity_kinds=()))
    assert keys_of(nothing) == {keys["kayleigh"], keys["poc"]}


def test_the_network_clusters_and_ranks_as_the_pages_show_it(personas, keys):
    network = network_for(personas["erin"]).network()
    (cluster,) = graph.clusters(network)
    assert cluster.children == 3 and cluster.persons_of_concern == 1
    (ranked,) = graph.rank_persons_of_concern(network, today=TODAY)
    assert ranked.children == sorted([keys["kayleigh"], keys["daniel"], keys["jayden"]])
    assert ranked.agencies == 3
    spots = graph.hotspots(network, today=TODAY)
    assert [(s.node.key, len(s.children)) for s in spots] == [(keys["kebab"], 2)]
    # Alice's smaller network: the person of concern is linked only to Kayleigh.
    (alice_ranked,) = graph.rank_persons_of_concern(network_for(personas["alice"]).network(), today=TODAY)
    assert alice_ranked.children == [keys["kayleigh"]]


def test_network_for_does_not_write_anything(personas, world, django_assert_max_num_queries):
    from wrekin.audit.models import AuditEvent

    before = AuditEvent.objects.count()
    with django_assert_max_num_queries(12):
        network_for(personas["erin"])
    assert AuditEvent.objects.count() == before


def test_partial_marks_and_platformless_handles_are_joined_to_what_they_match(personas, keys, save, people):
    save("alice", people["kayleigh"], [("vehicle", "AB12 C??")], days=40, source=("tests.record", 9200))
    save("bob", people["daniel"], [("online", "kwik_mo", {"platform": "snapchat"})], days=41,
         source=("tests.record", 9201))
    save("charlie", people["jayden"], narrative="She gets messages from @kwik_mo most nights.", days=42,
         source=("tests.record", 9202))
    partial = entity_key("vehicle", "AB12C??")
    on_snapchat, bare = entity_key("handle", "snapchat:kwik_mo"), entity_key("handle", ":kwik_mo")
    data = network_for(personas["erin"])
    matches = {(*sorted((e.source, e.target)), e.relationship) for e in data.edges if e.kind == graph.MATCH}
    assert matches == {
        (*sorted((partial, keys["car"])), "partial mark fits this mark"),
        (*sorted((partial, keys["near_miss"])), "partial mark fits this mark"),
        (*sorted((bare, on_snapchat)), "handle given without a platform"),
    }
    # Only between nodes the viewer has: alice sees the partial mark and the car, not the near miss.
    alice = {(*sorted((e.source, e.target)),) for e in network_for(personas["alice"]).edges if e.kind == graph.MATCH}
    assert alice == {tuple(sorted((partial, keys["car"])))}


def test_a_link_is_dated_by_when_the_record_says_it_happened(personas, people, keys):
    from wrekin.referrals.actions import record_referral

    referral = record_referral(
        actor=personas["alice"], child=people["kayleigh"], occurred_on=date(2026, 3, 3),
        narrative="Seen getting into a car.", indicators=[],
        mentions=[{"kind": "vehicle", "value": "ab12 cde", "relationship": "got into", "detail": ""}],
        lawful_basis="public_task", consent_status="not_sought", consent_reason="To protect her from exploitation")
    data = network_for(personas["erin"])
    (edge,) = [e for e in data.edges if e.record == f"referrals.referral:{referral.pk}"]
    assert (edge.source, edge.target, edge.on) == (keys["kayleigh"], keys["car"], date(2026, 3, 3))
