"""wrekin.intelligence.graph: clusters, communities, ranking with its parts, hotspots, neighbourhoods, exports.

Pure functions on hand-made nodes and edges: no database.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from wrekin.intelligence import graph
from wrekin.intelligence.graph import Edge, Network, Node

TODAY = date(2026, 6, 1)


def node(key: str, label: str = "") -> Node:
    return Node(key, key.split(":")[0], label or key)


def mention(a: str, b: str, agency: int = 1, on: date | None = TODAY, **fields) -> Edge:
    return Edge(a, b, graph.MENTION, agency, on, fields.pop("record", f"referrals.referral:{a}-{b}"), **fields)


def build(edges: list[Edge], extra: list[str] = ()) -> Network:
    keys = sorted({e.source for e in edges} | {e.target for e in edges} | set(extra))
    return Network([node(k) for k in keys], edges)


@pytest.fixture
def planted():
    """Two persons of concern sharing a car and a phone with three children across three agencies; a
    separate pair (a child and a takeaway) that must stay its own cluster."""
    edges = [
        Edge("child:1", "person_of_concern:10", graph.RELATIONSHIP, 1, TODAY - timedelta(days=200), "rel:1",
             "Older or controlling adult"),
        mention("child:1", "vehicle:100", agency=1, on=TODAY - timedelta(days=100)),
        mention("child:2", "vehicle:100", agency=2, on=TODAY - timedelta(days=60)),
        mention("person_of_concern:10", "vehicle:100", agency=3, on=TODAY - timedelta(days=50)),
        mention("person_of_concern:11", "phone:200", agency=3, on=TODAY - timedelta(days=20)),
        mention("child:3", "phone:200", agency=2, on=TODAY - timedelta(days=10)),
        mention("person_of_concern:10", "phone:200", agency=1, on=TODAY - timedelta(days=400)),
        mention("child:3", "location:300", agency=2, on=TODAY - timedelta(days=10)),
        mention("child:2", "location:300", agency=1, on=TODAY - timedelta(days=5)),
        mention("child:9", "business:900", agency=4, on=TODAY - timedelta(days=700)),
    ]
    return build(edges)


def test_edges_must_join_known_nodes():
    with pytest.raises(ValueError, match="no node"):
        Network([node("child:1")], [mention("child:1", "vehicle:5")])


def test_node_kinds_are_checked():
    with pytest.raises(ValueError, match="unknown node kind"):
        Node("lorry:1", "lorry", "AB12 CDE")


def test_self_loops_are_dropped_and_duplicate_nodes_kept_once():
    network = Network([node("child:1"), node("child:1"), node("vehicle:2")],
                      [mention("child:1", "child:1"), mention("child:1", "vehicle:2")])
    assert len(network) == 2
    assert len(network.edges) == 1


def test_clusters_are_connected_components_most_children_first(planted):
    found = graph.clusters(planted)
    assert [c.number for c in found] == [1, 2]
    big, small = found
    assert set(big.node_keys) == {"child:1", "child:2", "child:3", "person_of_concern:10", "person_of_concern:11",
                                  "vehicle:100", "phone:200", "location:300"}
    assert big.children == 3 and big.persons_of_concern == 2 and big.size == 8
    assert big.agencies == 3
    assert big.edges == 9
    assert big.first_on == TODAY - timedelta(days=400) and big.last_on == TODAY - timedelta(days=5)
    assert set(small.node_keys) == {"child:9", "business:900"}
    assert graph.cluster_of(found, "business:900") is small
    assert graph.cluster_of(found, "child:404") is None


def test_singletons_are_not_clusters():
    network = build([mention("child:1", "vehicle:1")], extra=["child:2"])
    assert [c.size for c in graph.clusters(network)] == [2]
    assert [c.size for c in graph.clusters(network, min_size=1)] == [2, 1]


def test_empty_network_has_no_clusters():
    assert graph.clusters(Network([], [])) == []


def _two_cliques_joined_by_one_edge() -> Network:
    """Two dense groups (each: 6 children all mentioning the same 3 entities) joined by one mention."""
    edges = []
    for group, offset in (("a", 0), ("b", 100)):
        for child in range(6):
            for entity in range(3):
                edges.append(mention(f"child:{offset + child}", f"location:{offset + entity}", record=f"{group}"))
    edges.append(mention("child:0", "location:100", record="bridge"))
    return build(edges)


def test_communities_split_a_big_cluster_and_are_repeatable():
    network = _two_cliques_joined_by_one_edge()
    (cluster,) = graph.clusters(network, community_min_size=10)
    assert cluster.size == 18
    assert len(cluster.communities) == 2
    sides = [{k for k in community if k != "child:0"} for community in cluster.communities]
    assert {frozenset(s) for s in sides} == {
        frozenset({f"child:{i}" for i in range(1, 6)} | {f"location:{i}" for i in range(3)}),
        frozenset({f"child:{100 + i}" for i in range(6)} | {f"location:{100 + i}" for i in range(3)}),
    }
    again = graph.clusters(_two_cliques_joined_by_one_edge(), community_min_size=10)
    assert again[0].communities == cluster.communities


def test_small_clusters_get_no_communities():
    (cluster,) = graph.clusters(_two_cliques_joined_by_one_edge(), community_min_size=19)
    assert cluster.communities == []


def test_ranking_counts_children_through_shared_entities_with_its_parts(planted):
    ranked = graph.rank_persons_of_concern(planted, today=TODAY, hops=2)
    by_key = {r.node.key: r for r in ranked}
    ten = by_key["person_of_concern:10"]
    # Child 1 directly (relationship) and through the car; child 2 through the car; child 3 through the phone.
    assert ten.children == ["child:1", "child:2", "child:3"]
    assert ten.direct_children == 1
    # Edges walked: the relationship (1), car (1, 2, 3), phone (1, 2); the location is three steps away.
    assert ten.agencies == 3
    assert ten.last_on == TODAY - timedelta(days=10)
    assert [(p.label, p.points) for p in ten.parts] == [
        ("Children linked", 9), ("Agencies whose records make the links", 6), ("Most recent link", 3)]
    assert ten.parts[0].value == "3 within 2 steps"
    assert ten.score == 18

    eleven = by_key["person_of_concern:11"]
    assert eleven.children == ["child:3"]
    assert eleven.direct_children == 0
    assert eleven.agencies == 2  # the phone (3) and child 3's mention of it (2)
    assert eleven.score == 3 + 4 + 3
    assert [r.node.key for r in ranked] == ["person_of_concern:10", "person_of_concern:11"]


def test_ranking_does_not_walk_through_children(planted):
    # Person 11 reaches child 3 through the phone; child 3's location would lead to child 2, but a child's
    # own contacts are not the person's.
    ranked = graph.rank_persons_of_concern(planted, today=TODAY, hops=4)
    eleven = next(r for r in ranked if r.node.key == "person_of_concern:11")
    # Through the phone to person 10 (2 steps), then the car (3) to children 1 and 2 (4 steps).
    assert eleven.children == ["child:1", "child:2", "child:3"]
    only_through_location = build([mention("person_of_concern:1", "phone:1"), mention("child:1", "phone:1"),
                                   mention("child:1", "location:1"), mention("child:2", "location:1")])
    (ranking,) = graph.rank_persons_of_concern(only_through_location, today=TODAY, hops=4)
    assert ranking.children == ["child:1"]


def test_ranking_hops_limit_the_walk(planted):
    ranked = graph.rank_persons_of_concern(planted, today=TODAY, hops=1)
    assert [(r.node.key, r.children) for r in ranked] == [("person_of_concern:10", ["child:1"])]
    assert ranked[0].parts[0].value == "1 within 1 step"
    with pytest.raises(ValueError):
        graph.rank_persons_of_concern(planted, today=TODAY, hops=0)


def test_agencies_count_only_edges_that_lead_to_children():
    network = build([mention("person_of_concern:1", "vehicle:1", agency=1), mention("child:1", "vehicle:1", agency=2),
                     mention("person_of_concern:1", "phone:1", agency=7, on=TODAY)])
    (ranking,) = graph.rank_persons_of_concern(network, today=TODAY)
    assert ranking.agencies == 2  # the phone leads to no child: agency 7 does not count


@pytest.mark.parametrize(("days", "points"), [(0, 3), (30, 3), (31, 2), (90, 2), (91, 1), (365, 1), (366, 0)])
def test_recency_points(days, points):
    assert graph.recency_points(TODAY - timedelta(days=days), TODAY) == points
    assert graph.recency_points(None, TODAY) == 0


def test_persons_linked_to_no_child_are_not_ranked():
    network = build([mention("person_of_concern:1", "vehicle:1")])
    assert graph.rank_persons_of_concern(network, today=TODAY) == []


def test_hotspots_by_distinct_children_then_recency(planted):
    extra = [mention("child:5", "location:301", on=TODAY - timedelta(days=300)),
             mention("child:6", "location:301", on=TODAY - timedelta(days=300)),
             mention("child:6", "location:301", on=TODAY - timedelta(days=200), record="again")]
    network = build(list(planted.edges) + extra)
    spots = graph.hotspots(network, today=TODAY)
    assert [s.node.key for s in spots] == ["location:300", "location:301", "business:900"]
    recent, older, business = spots
    assert recent.children == ["child:2", "child:3"] and recent.recent_children == 2
    assert older.children == ["child:5", "child:6"] and older.recent_children == 0
    assert older.mentions == 3
    assert older.first_on == TODAY - timedelta(days=300) and older.last_on == TODAY - timedelta(days=200)
    assert business.agencies == 1
    # Vehicles are not hotspots; places mentioned only with a person of concern are not either.
    assert all(s.node.kind in graph.HOTSPOT_KINDS for s in spots)
    lone = build([mention("person_of_concern:1", "location:1")])
    assert graph.hotspots(lone, today=TODAY) == []


def test_hotspot_counts_persons_of_concern():
    network = build([mention("child:1", "business:1"), mention("person_of_concern:1", "business:1"),
                     mention("person_of_concern:2", "business:1")])
    (spot,) = graph.hotspots(network, today=TODAY)
    assert spot.persons_of_concern == 2


def test_neighbourhood_within_hops(planted):
    around = graph.neighbourhood(planted, "child:1", hops=1)
    assert {n.key for n in around.nodes} == {"child:1", "person_of_concern:10", "vehicle:100"}
    assert around.distance == {"child:1": 0, "person_of_concern:10": 1, "vehicle:100": 1}
    assert not around.truncated
    # Edges among the nodes kept, including the one between the two neighbours.
    assert {(e.source, e.target) for e in around.edges} == {
        ("child:1", "person_of_concern:10"), ("child:1", "vehicle:100"), ("person_of_concern:10", "vehicle:100")}
    two = graph.neighbourhood(planted, "child:1", hops=2)
    assert {n.key for n in two.nodes} == {"child:1", "person_of_concern:10", "vehicle:100", "child:2", "phone:200"}
    assert "business:900" not in {n.key for n in graph.neighbourhood(planted, "child:1", hops=5).nodes}


def test_neighbourhood_cap_keeps_people_first_and_says_so():
    edges = [mention("child:0", f"location:{i}") for i in range(10)]
    edges += [Edge("child:0", "person_of_concern:1", graph.RELATIONSHIP)]
    edges += [mention(f"child:{i}", "location:0") for i in range(1, 4)]
    network = build(edges)
    around = graph.neighbourhood(network, "child:0", hops=1, max_nodes=3)
    assert around.truncated
    assert len(around.nodes) == 3
    kept = [n.key for n in around.nodes]
    assert kept[0] == "child:0"
    # The person of concern first, then the best-connected location (location:0 has four links).
    assert set(kept[1:]) == {"person_of_concern:1", "location:0"}
    # The second layer has no room left at all.
    deeper = graph.neighbourhood(network, "child:0", hops=2, max_nodes=3)
    assert {n.key for n in deeper.nodes} == set(kept)
    with pytest.raises(KeyError):
        graph.neighbourhood(network, "child:404")
    with pytest.raises(ValueError):
        graph.neighbourhood(network, "child:0", max_nodes=0)


def test_filter_edges_by_date_and_confirmation():
    edges = [mention("child:1", "vehicle:1", on=date(2026, 1, 1)), mention("child:2", "vehicle:1", on=date(2026, 3, 1)),
             mention("child:3", "vehicle:1", on=None), mention("child:4", "vehicle:1", confirmed=False)]
    kept = graph.filter_edges(edges, since=date(2026, 2, 1), until=date(2026, 12, 31))
    assert [e.source for e in kept] == ["child:2", "child:3", "child:4"]
    assert [e.source for e in graph.filter_edges(edges, include_unconfirmed=False)] == ["child:1", "child:2",
                                                                                        "child:3"]


def test_restrict_keeps_edges_between_the_nodes_named(planted):
    nodes, edges = graph.restrict(planted, ["child:3", "phone:200", "location:300", "child:404"])
    assert [n.key for n in nodes] == sorted(["child:3", "phone:200", "location:300"], key=planted.index.get)
    assert {(e.source, e.target) for e in edges} == {("child:3", "phone:200"), ("child:3", "location:300")}


def test_graphml_is_valid_and_complete(planted):
    nodes, edges = planted.nodes, planted.edges
    numbers = {key: c.number for c in graph.clusters(planted) for key in c.node_keys}
    names = {1: "Severn Vale Police", 2: "Coalport <Rise> & Co", 3: "C3"}
    labelled = [Node(n.key, n.kind, "Kayleigh \"Kay\" O'Neil" if n.key == "child:1" else n.label) for n in nodes]
    text = graph.to_graphml(labelled, edges, cluster_numbers=numbers, agency_names=names)
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    root = ET.fromstring(text.encode())  # noqa: S314 - our own output
    xml_nodes = root.findall("g:graph/g:node", ns)
    xml_edges = root.findall("g:graph/g:edge", ns)
    assert len(xml_nodes) == len(nodes) and len(xml_edges) == len(edges)
    kay = next(n for n in xml_nodes if n.get("id") == "child:1")
    data = {d.get("key"): d.text for d in kay.findall("g:data", ns)}
    assert data == {"n_kind": "child", "n_label": "Kayleigh \"Kay\" O'Neil", "n_cluster": "1"}
    first = xml_edges[0]
    assert (first.get("source"), first.get("target")) == ("child:1", "person_of_concern:10")
    edge_data = {d.get("key"): d.text for d in first.findall("g:data", ns)}
    assert edge_data["e_kind"] == "relationship"
    assert edge_data["e_relationship"] == "Older or controlling adult"
    assert edge_data["e_agency"] == "Severn Vale Police"
    assert edge_data["e_confirmed"] == "true"
    escaped = next(e for e in xml_edges if {d.get("key"): d.text for d in e.findall("g:data", ns)}.get(
        "e_agency") == "Coalport <Rise> & Co")
    assert escaped is not None


def test_csv_rows_describe_both_ends_and_defuse_formulas():
    nodes = [Node("child:1", "child", "=HYPERLINK(\"http://x\")"), Node("vehicle:2", "vehicle", "AB12 CDE")]
    edges = [Edge("child:1", "vehicle:2", graph.MENTION, 5, date(2026, 5, 1), "referrals.referral:7",
                  "+picked up in", False)]
    text = io.StringIO()
    csv.writer(text).writerows(graph.csv_rows(nodes, edges, cluster_numbers={"child:1": 4},
                                              agency_names={5: "Severn Vale Police"}))
    rows = list(csv.reader(io.StringIO(text.getvalue())))
    assert rows[0] == list(graph.CSV_COLUMNS)
    assert rows[1] == ["child:1", "child", "'=HYPERLINK(\"http://x\")", "vehicle:2", "vehicle", "AB12 CDE", "mention",
                       "'+picked up in", "Severn Vale Police", "2026-05-01", "referrals.referral:7", "no", "4"]
