"""wrekin.synthetic.scenarios: planted networks and decoys, their ground truth, and what the link check makes
of them when they are recorded through the real actions."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date

import pytest

from wrekin.intelligence import graph
from wrekin.intelligence.entities import identify
from wrekin.intelligence.linking import _given_agrees
from wrekin.intelligence.models import Entity, LinkAlertMention, Mention, VehicleMarkFormat
from wrekin.intelligence.network import ENTITY_NODE_KIND, network_for
from wrekin.people.models import Person, PersonKind
from wrekin.people.names import normalise_name
from wrekin.synthetic import scenarios
from wrekin.synthetic.scenarios import DECOY_KINDS, ScenarioActors, plan_scenarios, seed_scenarios

END = date(2026, 6, 30)


def _plan(**changes):
    return plan_scenarios(**{"networks": 4, "decoys": 12, "seed": 7, "end": END, **changes})


def _fingerprint(plan) -> list[tuple]:
    return [(r.at, r.group, r.child, r.agency, r.kind, r.narrative, tuple(tuple(sorted(m.items())) for m in r.mentions),
             r.vehicle_registration, r.with_whom, r.resolve_to) for r in plan.reports]


def test_the_same_seed_gives_the_same_plan():
    assert _fingerprint(_plan()) == _fingerprint(_plan())
    assert _fingerprint(_plan()) != _fingerprint(_plan(seed=8))


def test_reports_are_in_date_order_within_the_year_before_the_end():
    plan = _plan()
    moments = [r.at for r in plan.reports]
    assert moments == sorted(moments)
    assert len(set(moments)) == len(moments)
    assert all(date(2025, 6, 30) <= m.date() <= END for m in moments)


def test_each_network_has_persons_children_of_different_agencies_and_shared_things():
    plan = _plan()
    children = {c.key: c for c in plan.children}
    for network in plan.networks:
        assert 2 <= len(network["persons_of_concern"]) <= 3
        kids = [children[k] for k in network["children"]]
        assert 3 <= len(kids) <= 5
        assert len({k.agency for k in kids}) == len(kids)
        types = {e["type"] for e in network["shared"]}
        assert {"vehicle", "phone", "place"} <= types


def test_nicknames_never_match_each_other_or_an_adult_first_name():
    names = [normalise_name(n) for n in scenarios.NICKNAMES]
    assert len(set(names)) == len(names)
    for a, b in itertools.combinations(names, 2):
        assert not _given_agrees(a, b), (a, b)
    for nickname in names:
        for given in scenarios.ADULT_GIVEN:
            assert not _given_agrees(nickname, normalise_name(given)), (nickname, given)


def test_plates_are_current_marks_and_near_misses_differ_by_one_character():
    plan = _plan(networks=6, decoys=30)
    planted = {e["value"] for n in plan.networks for e in n["shared"] if e["type"] == "vehicle"}
    for plate in planted:
        assert identify("vehicle", plate).fields["mark_format"] == VehicleMarkFormat.CURRENT
    near_misses = [d for d in plan.decoys if d["kind"] == "near_miss_plate"]
    assert near_misses
    for decoy in near_misses:
        value, original = decoy["value"]["value"], decoy["looks_like"]["value"]
        assert value not in planted
        assert sum(a != b for a, b in zip(value, original, strict=True)) == 1


def test_every_decoy_kind_is_planted_and_phones_stay_in_the_drama_range():
    plan = _plan(networks=3, decoys=len(DECOY_KINDS))
    assert [d["kind"] for d in plan.decoys] == list(DECOY_KINDS)
    numbers = [e["value"] for n in plan.networks for e in n["shared"] if e["type"] == "phone"]
    numbers += [d["value"]["value"] for d in plan.decoys if d["kind"] == "other_number"]
    assert len(set(numbers)) == len(numbers)
    assert all(n.startswith("+447700900") and len(n) == 13 for n in numbers)


def test_numbers_already_on_record_are_not_reused_and_other_drama_blocks_follow():
    taken = {f"+447700900{n:03d}" for n in range(995)}
    plan = _plan(networks=4, decoys=0, taken_numbers=taken)
    numbers = {p.phone for p in plan.persons}
    mobiles = {n for n in numbers if n.startswith("+447700900")}
    assert mobiles == {f"+447700900{n:03d}" for n in range(995, 1000)}
    assert all(n.startswith("+441632960") for n in numbers - mobiles) and len(numbers) > 5


@pytest.mark.parametrize("e164", ["+447700900123", "+441632960042", "+441214960007"])
def test_every_way_a_number_is_written_normalises_to_the_same_number(e164):
    from wrekin.intelligence.normalise import normalise_phone

    assert {normalise_phone(typed) for typed in scenarios.phone_formats(e164)} == {e164}


def test_bad_requests_are_refused():
    with pytest.raises(ValueError, match="zero or more"):
        _plan(networks=-1)
    with pytest.raises(ValueError, match="at most"):
        _plan(networks=len(scenarios.NICKNAMES))
    with pytest.raises(ValueError, match="three recording agencies"):
        _plan(agencies=2)


def test_actors_must_start_with_the_police_and_be_from_different_agencies(personas):
    with pytest.raises(ValueError, match="police"):
        ScenarioActors([personas["bob"], personas["alice"], personas["charlie"]], personas["erin"])
    with pytest.raises(ValueError, match="different agency"):
        ScenarioActors([personas["alice"], personas["frank"], personas["charlie"]], personas["erin"])


@pytest.fixture
def seeded(personas):
    actors = ScenarioActors([personas["alice"], personas["bob"], personas["charlie"], personas["dana"]],
                            personas["erin"])
    result = seed_scenarios(networks=2, decoys=len(DECOY_KINDS), seed=3, actors=actors, end=END)
    return result, actors


def _entity(type_: str, key: str) -> Entity:
    return Entity.objects.get(partnership__code="wrekin-test", type=type_, key=key)


def test_ground_truth_matches_the_database(seeded):
    result, actors = seeded
    truth = result.ground_truth
    agencies = {p.agency.pk for p in actors.practitioners}
    for network in truth["networks"]:
        assert set(Person.objects.filter(pk__in=network["children"]).values_list("kind", flat=True)) == {
            PersonKind.CHILD}
        assert Person.objects.filter(pk__in=network["persons_of_concern"],
                                     kind=PersonKind.PERSON_OF_CONCERN).count() == len(network["persons_of_concern"])
        assert set(network["agencies"]) <= agencies
        assert network["records"]
        for shared in network["shared"]:
            entity = _entity(shared["entity_type"], shared["key"])
            mentions = Mention.objects.filter(entity__in=_same_thing(entity)).exclude(status="rejected")
            # Each thing a network shares is mentioned about at least two of its children.
            assert mentions.values("child").distinct().count() >= 2, shared
            assert set(mentions.values_list("child", flat=True)) <= set(network["children"])
    for decoy in truth["decoys"]:
        assert decoy["records"] and len(decoy["children"]) == 1
    assert len(truth["reports"]) == len(result.plan.reports)


def _same_thing(entity: Entity) -> list[int]:
    """The entity and those the link check treats as it (a handle given without a platform)."""
    if entity.type != "online":
        return [entity.pk]
    return list(Entity.objects.filter(partnership_id=entity.partnership_id, type="online",
                                      handle=entity.handle).values_list("pk", flat=True))


def test_decoys_share_nothing_with_the_networks_and_raise_no_alert(seeded):
    truth = seeded[0].ground_truth
    network_keys = {(s["entity_type"], s["key"]) for n in truth["networks"] for s in n["shared"]}
    decoy_records = {r for d in truth["decoys"] for r in d["records"]}
    for decoy in truth["decoys"]:
        value = decoy["value"]
        assert (value["entity_type"], value["key"]) not in network_keys, decoy
    alerted = set()
    for source_type, source_id in LinkAlertMention.objects.values_list("mention__source_type", "mention__source_id"):
        alerted.add(f"{source_type}:{source_id}")
    assert not alerted & decoy_records


def test_every_shared_thing_raises_an_alert_and_networks_surface_as_clusters(seeded, personas):
    truth = seeded[0].ground_truth
    alerted_entities = set(LinkAlertMention.objects.values_list("mention__entity_id", flat=True))
    data = network_for(personas["erin"])
    cluster_of = {key: c.number for c in graph.clusters(data.network()) for key in c.node_keys}
    numbers = defaultdict(set)
    for network in truth["networks"]:
        for shared in network["shared"]:
            entity = _entity(shared["entity_type"], shared["key"])
            assert alerted_entities & set(_same_thing(entity)), shared
            numbers[network["id"]].add(cluster_of[f"{ENTITY_NODE_KIND[entity.type]}:{entity.pk}"])
        numbers[network["id"]] |= {cluster_of[f"child:{c}"] for c in network["children"]}
        numbers[network["id"]] |= {cluster_of[f"person_of_concern:{p}"] for p in network["persons_of_concern"]}
    assert all(len(found) == 1 for found in numbers.values()), numbers
    assert numbers["network-1"] != numbers["network-2"]
    decoy_clusters = {cluster_of.get(f"child:{c}") for d in truth["decoys"] for c in d["children"]}
    assert not decoy_clusters & (numbers["network-1"] | numbers["network-2"])


def test_persons_of_concern_are_confirmed_from_their_first_naming(seeded, personas):
    truth = seeded[0].ground_truth
    confirmed = set(Mention.objects.filter(resolution_status="confirmed").values_list("resolved_person", flat=True))
    named = {p for n in truth["networks"] for p in n["persons_of_concern"]}
    assert confirmed and confirmed <= named
