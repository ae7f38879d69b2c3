"""Network algorithms on typed nodes and edges: clusters, ranked persons of concern, hotspots, neighbourhoods.

Pure functions, no Django: `wrekin.intelligence.network` reads what a viewer may see from the database and
hands it here as `Node`s and `Edge`s; the benchmarks feed the same functions a million synthetic edges.

Library: python-igraph (pinned igraph==1.0.0), chosen by benchmarks/networks.py on a 1,000,000-node,
2,000,000-edge synthetic network on 2 cores (docs/benchmarks.md, "Networks"): connected components in
0.15-0.29 s (rustworkx 0.37-0.46 s, networkx about 100x slower), Leiden community detection in 4-13 s
depending on the machine's load (rustworkx has no community detection; networkx only Louvain, 5.8 s at
20,000 nodes), and the least memory (280 MiB above the data; rustworkx 497 MiB). igraph is the only
candidate with Leiden built in, and the separate `leidenalg` package is 12x slower (TECH-NOTES, "Graphs").
Ranking and neighbourhoods walk Python adjacency lists instead of a library call: they need each edge's
agency and date, and must stop at children, which a library's k-hop call cannot express. Clustering and
ranking through this module take 6-16 s at 1,000,000 edges and 22 s at 2,000,000 (target: 30 s at 1,000,000).

Vocabulary (the words the pages use):
- a **cluster** is a connected component: everything joined by any chain of mentions and relationships;
- a **community** is a densely linked group inside a big cluster (Leiden, modularity), because one town-centre
  takeaway can join hundreds of unrelated children into one cluster;
- a person of concern's **linked children** are the distinct children reachable within `hops` steps through
  shared entities and other persons of concern — never *through* a child, since a child's own contacts are
  not the person's;
- a **hotspot** is a location or business by the distinct children mentioned with it.
"""

from __future__ import annotations

import random
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from xml.sax.saxutils import escape, quoteattr

import igraph

CHILD = "child"
PERSON_OF_CONCERN = "person_of_concern"
VEHICLE = "vehicle"
PHONE = "phone"
LOCATION = "location"
BUSINESS = "business"
HANDLE = "handle"
PEOPLE_KINDS = (CHILD, PERSON_OF_CONCERN)
ENTITY_KINDS = (VEHICLE, PHONE, LOCATION, BUSINESS, HANDLE)
NODE_KINDS = PEOPLE_KINDS + ENTITY_KINDS
HOTSPOT_KINDS = (LOCATION, BUSINESS)

# Edge kinds: a mention ties a person to an entity in a record; a relationship is a PersonRelationship row
# between a child and a person of concern; a resolution is a person mention confirmed as a known person;
# a match joins two entities the link check treats as the same thing.
MENTION = "mention"
RELATIONSHIP = "relationship"
RESOLUTION = "resolution"
# Two entities the link check treats as one thing (a partial mark and a full mark it fits).
MATCH = "match"
EDGE_KINDS = (MENTION, RELATIONSHIP, RESOLUTION, MATCH)

# The ranking score: advisory, always shown with its parts (ARCHITECTURE rule 5).
POINTS_PER_CHILD = 3
POINTS_PER_AGENCY = 2
# (within this many days of today, points): the most recent link in the person's network.
RECENCY_POINTS = ((30, 3), (90, 2), (365, 1))
# A hotspot's "recent" children were mentioned with it within this many days.
RECENT_DAYS = 90


@dataclass(frozen=True, slots=True)
class Node:
    """A child, person of concern or entity. `key` is "<kind>:<id>", unique in a network."""

    key: str
    kind: str
    label: str

    def __post_init__(self):
        if self.kind not in NODE_KINDS:
            raise ValueError(f"unknown node kind {self.kind!r}")


@dataclass(frozen=True, slots=True)
class Edge:
    """One link as one record states it: several records linking the same two nodes are several edges."""

    source: str
    target: str
    kind: str = MENTION
    agency_id: int | None = None
    on: date | None = None
    # The source record, "<kind>:<id>" (e.g. "referral:12"), so a link can be traced and explained.
    record: str = ""
    relationship: str = ""
    confirmed: bool = True


@dataclass
class Cluster:
    number: int
    node_keys: list[str]
    counts: dict[str, int]
    agencies: int
    edges: int
    first_on: date | None
    last_on: date | None
    # Leiden communities (lists of node keys, biggest first) for clusters of at least `community_min_size`.
    communities: list[list[str]] = field(default_factory=list)

    @property
    def children(self) -> int:
        return self.counts.get(CHILD, 0)

    @property
    def persons_of_concern(self) -> int:
        return self.counts.get(PERSON_OF_CONCERN, 0)

    @property
    def size(self) -> int:
        return len(self.node_keys)


@dataclass(frozen=True)
class ScorePart:
    label: str
    value: str
    points: int


@dataclass
class PersonRanking:
    node: Node
    children: list[str]  # keys of the linked children
    direct_children: int  # of them, linked by a relationship or a confirmed resolution (one hop)
    agencies: int
    last_on: date | None
    parts: list[ScorePart]

    @property
    def score(self) -> int:
        return sum(part.points for part in self.parts)


@dataclass
class Hotspot:
    node: Node
    children: list[str]
    recent_children: int
    persons_of_concern: int
    agencies: int
    mentions: int
    first_on: date | None
    last_on: date | None


@dataclass
class Neighbourhood:
    centre: str
    hops: int
    nodes: list[Node]
    edges: list[Edge]
    # True when the cap stopped the walk: some nodes within `hops` are not shown.
    truncated: bool
    distance: dict[str, int]


class Network:
    """Nodes and edges indexed for the algorithms below. Every edge's ends must be among the nodes."""

    def __init__(self, nodes: Iterable[Node], edges: Iterable[Edge]):
        self.nodes: list[Node] = []
        self.index: dict[str, int] = {}
        for node in nodes:
            if node.key in self.index:
                continue
            self.index[node.key] = len(self.nodes)
            self.nodes.append(node)
        self.edges: list[Edge] = []
        self.ends: list[tuple[int, int]] = []
        self.adjacency: list[list[int]] = [[] for _ in self.nodes]
        for edge in edges:
            try:
                a, b = self.index[edge.source], self.index[edge.target]
            except KeyError as missing:
                raise ValueError(f"edge {edge.source} - {edge.target}: no node {missing}") from None
            if a == b:
                continue
            number = len(self.edges)
            self.edges.append(edge)
            self.ends.append((a, b))
            self.adjacency[a].append(number)
            self.adjacency[b].append(number)
        self._graph: igraph.Graph | None = None

    def __len__(self) -> int:
        return len(self.nodes)

    def node(self, key: str) -> Node:
        return self.nodes[self.index[key]]

    def kind_of(self, position: int) -> str:
        return self.nodes[position].kind

    @property
    def graph(self) -> igraph.Graph:
        if self._graph is None:
            self._graph = igraph.Graph(n=len(self.nodes), edges=self.ends, directed=False)
        return self._graph

    def degree(self, key: str) -> int:
        return len(self.adjacency[self.index[key]])

    def neighbours(self, position: int) -> Iterable[tuple[int, int]]:
        """(edge number, other end) for every edge at `position`."""
        for number in self.adjacency[position]:
            a, b = self.ends[number]
            yield number, (b if a == position else a)


def filter_edges(edges: Iterable[Edge], *, since: date | None = None, until: date | None = None,
                 include_unconfirmed: bool = True) -> list[Edge]:
    """Edges within a date range (edges with no date are kept: a relationship may have none)."""
    kept = []
    for edge in edges:
        if not include_unconfirmed and not edge.confirmed:
            continue
        if edge.on is not None and ((since and edge.on < since) or (until and edge.on > until)):
            continue
        kept.append(edge)
    return kept


def restrict(network: Network, keys: Iterable[str]) -> tuple[list[Node], list[Edge]]:
    """The nodes named and the edges between them."""
    wanted = {network.index[key] for key in keys if key in network.index}
    nodes = [network.nodes[position] for position in sorted(wanted)]
    edges = [edge for edge, (a, b) in zip(network.edges, network.ends, strict=True) if a in wanted and b in wanted]
    return nodes, edges


# --- Clusters -----------------------------------------------------------------------------------------

def clusters(network: Network, *, community_min_size: int = 50, min_size: int = 2, seed: int = 1) -> list[Cluster]:
    """Connected components of at least `min_size` nodes, most children first, numbered 1, 2, 3...

    Inside components of at least `community_min_size` nodes, Leiden (modularity, two iterations) finds
    communities; it runs only there because small components are already one group, and that keeps a
    million-edge network within seconds. `seed` makes the communities the same on every run.
    """
    if not network.nodes:
        return []
    graph = network.graph
    membership = graph.connected_components().membership
    members: dict[int, list[int]] = defaultdict(list)
    for position, component in enumerate(membership):
        members[component].append(position)
    edges_of: dict[int, list[int]] = defaultdict(list)
    for number, (a, _) in enumerate(network.ends):
        edges_of[membership[a]].append(number)

    found = []
    for component, positions in members.items():
        if len(positions) < min_size:
            continue
        numbers = edges_of[component]
        dates = [network.edges[n].on for n in numbers if network.edges[n].on is not None]
        agencies = {network.edges[n].agency_id for n in numbers if network.edges[n].agency_id is not None}
        communities = []
        if len(positions) >= community_min_size:
            communities = _communities(graph, positions, network, seed)
        found.append(Cluster(
            number=0, node_keys=[network.nodes[p].key for p in positions],
            counts=dict(Counter(network.nodes[p].kind for p in positions)), agencies=len(agencies),
            edges=len(numbers), first_on=min(dates, default=None), last_on=max(dates, default=None),
            communities=communities))
    found.sort(key=lambda c: (-c.children, -c.persons_of_concern, -c.size, c.node_keys[0]))
    for number, cluster in enumerate(found, start=1):
        cluster.number = number
    return found


_RNG_LOCK = threading.Lock()


def _communities(graph: igraph.Graph, positions: list[int], network: Network, seed: int) -> list[list[str]]:
    sub = graph.induced_subgraph(positions)
    # python-igraph draws from one process-wide generator (Python's `random` by default): a private,
    # seeded one, held under a lock for the call, keeps runs repeatable without disturbing other threads.
    with _RNG_LOCK:
        igraph.set_random_number_generator(random.Random(seed))  # noqa: S311 - not for security
        try:
            partition = sub.community_leiden(objective_function="modularity", n_iterations=2)
        finally:
            igraph.set_random_number_generator(random)
    groups = [[network.nodes[positions[i]].key for i in group] for group in partition]
    groups.sort(key=lambda group: (-len(group), group[0]))
    return groups


def cluster_of(found: Sequence[Cluster], key: str) -> Cluster | None:
    for cluster in found:
        if key in cluster.node_keys:
            return cluster
    return None


# --- Ranking persons of concern -----------------------------------------------------------------------

def recency_points(last_on: date | None, today: date) -> int:
    if last_on is None:
        return 0
    age = (today - last_on).days
    for days, points in RECENCY_POINTS:
        if age <= days:
            return points
    return 0


def rank_persons_of_concern(network: Network, *, today: date, hops: int = 2) -> list[PersonRanking]:
    """Every person of concern linked to at least one child within `hops`, highest score first.

    The walk goes out from the person through entities and other persons of concern and stops at children.
    The agencies and the most recent date are those of the edges walked (the records that make the links).
    Score = 3 per linked child + 2 per agency + recency (3 within 30 days, 2 within 90, 1 within a year).
    """
    if hops < 1:
        raise ValueError("hops must be at least 1")
    ranked = []
    for position, node in enumerate(network.nodes):
        if node.kind != PERSON_OF_CONCERN:
            continue
        children, direct, agencies, last_on = _reach(network, position, hops)
        if not children:
            continue
        parts = [
            ScorePart("Children linked", f"{len(children)} within {hops} step{'s' if hops > 1 else ''}",
                      POINTS_PER_CHILD * len(children)),
            ScorePart("Agencies whose records make the links", str(len(agencies)), POINTS_PER_AGENCY * len(agencies)),
            ScorePart("Most recent link", f"{last_on.day} {last_on:%B %Y}" if last_on else "no date",
                      recency_points(last_on, today)),
        ]
        ranked.append(PersonRanking(node=node, children=sorted(network.nodes[c].key for c in children),
                                    direct_children=direct, agencies=len(agencies), last_on=last_on, parts=parts))
    ranked.sort(key=lambda r: (-r.score, -len(r.children), -(r.last_on or date.min).toordinal(), r.node.key))
    return ranked


def _reach(network: Network, start: int, hops: int) -> tuple[set[int], int, set[int], date | None]:
    """The children within `hops` of `start`, how many are adjacent, and the agencies and latest date of
    the edges on the shortest walks to them (every edge that reaches a child counts: children end walks)."""
    depth_of = {start: 0}
    # For each node, the edges that reach it from one layer nearer the start.
    parents: dict[int, list[int]] = defaultdict(list)
    children: set[int] = set()
    direct: set[int] = set()
    frontier = [start]
    for depth in range(1, hops + 1):
        following = []
        for position in frontier:
            for number, other in network.neighbours(position):
                if network.nodes[other].kind == CHILD:
                    children.add(other)
                    parents[other].append(number)
                    if depth == 1:
                        direct.add(other)
                    continue
                known = depth_of.get(other)
                if known is None:
                    depth_of[other] = depth
                    following.append(other)
                    parents[other].append(number)
                elif known == depth:
                    parents[other].append(number)
        frontier = following
    agencies: set[int] = set()
    last_on: date | None = None
    stack = list(children)
    walked = set(children)
    while stack:
        position = stack.pop()
        for number in parents[position]:
            edge = network.edges[number]
            if edge.agency_id is not None:
                agencies.add(edge.agency_id)
            if edge.on is not None and (last_on is None or edge.on > last_on):
                last_on = edge.on
            a, b = network.ends[number]
            nearer = a if b == position else b
            if nearer != start and nearer not in walked:
                walked.add(nearer)
                stack.append(nearer)
    return children, len(direct), agencies, last_on


# --- Hotspots -----------------------------------------------------------------------------------------

def hotspots(network: Network, *, today: date, kinds: Sequence[str] = HOTSPOT_KINDS,
             recent_days: int = RECENT_DAYS) -> list[Hotspot]:
    """Locations and businesses mentioned with at least one child: most children first, then most recent."""
    found = []
    for position, node in enumerate(network.nodes):
        if node.kind not in kinds:
            continue
        children: set[int] = set()
        recent: set[int] = set()
        persons: set[int] = set()
        agencies: set[int] = set()
        dates: list[date] = []
        mentions = 0
        for number, other in network.neighbours(position):
            edge = network.edges[number]
            mentions += 1
            kind = network.nodes[other].kind
            if kind == CHILD:
                children.add(other)
                if edge.on is not None and (today - edge.on).days <= recent_days:
                    recent.add(other)
            elif kind == PERSON_OF_CONCERN:
                persons.add(other)
            if edge.agency_id is not None:
                agencies.add(edge.agency_id)
            if edge.on is not None:
                dates.append(edge.on)
        if not children:
            continue
        found.append(Hotspot(node=node, children=sorted(network.nodes[c].key for c in children),
                             recent_children=len(recent), persons_of_concern=len(persons), agencies=len(agencies),
                             mentions=mentions, first_on=min(dates, default=None), last_on=max(dates, default=None)))
    found.sort(key=lambda h: (-len(h.children), -h.recent_children, -(h.last_on or date.min).toordinal(),
                              h.node.key))
    return found


# --- Neighbourhood of one node --------------------------------------------------------------------------

# Who is kept first when a layer would pass the cap: people before entities, then the busiest.
_CAP_PRIORITY = {CHILD: 0, PERSON_OF_CONCERN: 1}


def neighbourhood(network: Network, centre: str, *, hops: int = 2, max_nodes: int = 150) -> Neighbourhood:
    """Everything within `hops` of `centre`, at most `max_nodes` nodes, with the edges among them.

    Layer by layer; when a layer does not fit, its people are kept before entities and better-connected
    nodes before others, and `truncated` says so. The walk does not stop at children here: this is the
    picture around one node, not a ranking.
    """
    if centre not in network.index:
        raise KeyError(centre)
    if max_nodes < 1:
        raise ValueError("max_nodes must be at least 1")
    start = network.index[centre]
    distance = {start: 0}
    frontier = [start]
    truncated = False
    for depth in range(1, hops + 1):
        layer = []
        for position in frontier:
            for _, other in network.neighbours(position):
                if other not in distance:
                    distance[other] = depth
                    layer.append(other)
        room = max_nodes - (len(distance) - len(layer))
        if len(layer) > room:
            truncated = True
            layer.sort(key=lambda p: (_CAP_PRIORITY.get(network.nodes[p].kind, 2), -len(network.adjacency[p]),
                                      network.nodes[p].key))
            for dropped in layer[room:]:
                del distance[dropped]
            layer = layer[:room]
        frontier = layer
        if not frontier:
            break
    kept = set(distance)
    nodes = [network.nodes[p] for p in sorted(kept, key=lambda p: (distance[p], network.nodes[p].key))]
    edges = [edge for edge, (a, b) in zip(network.edges, network.ends, strict=True) if a in kept and b in kept] \
        if len(kept) * 4 > len(network.edges) else _edges_among(network, kept)
    return Neighbourhood(centre=centre, hops=hops, nodes=nodes, edges=edges, truncated=truncated,
                         distance={network.nodes[p].key: d for p, d in distance.items()})


def _edges_among(network: Network, kept: set[int]) -> list[Edge]:
    numbers = {n for p in kept for n, other in network.neighbours(p) if other in kept}
    return [network.edges[n] for n in sorted(numbers)]


# --- Exports for analysts' tools ------------------------------------------------------------------------

GRAPHML_NODE_KEYS = (("kind", "string"), ("label", "string"), ("cluster", "int"))
GRAPHML_EDGE_KEYS = (("kind", "string"), ("relationship", "string"), ("agency", "string"), ("date", "string"),
                     ("record", "string"), ("confirmed", "boolean"))


def to_graphml(nodes: Sequence[Node], edges: Sequence[Edge], *, cluster_numbers: dict[str, int] | None = None,
               agency_names: dict[int, str] | None = None) -> str:
    """GraphML 1.0 (Gephi, yEd, Cytoscape desktop, i2 via import): one <edge> per record link."""
    cluster_numbers = cluster_numbers or {}
    agency_names = agency_names or {}
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
             'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
             'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
             'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">']
    for name, type_ in GRAPHML_NODE_KEYS:
        lines.append(f'  <key id="n_{name}" for="node" attr.name="{name}" attr.type="{type_}"/>')
    for name, type_ in GRAPHML_EDGE_KEYS:
        lines.append(f'  <key id="e_{name}" for="edge" attr.name="{name}" attr.type="{type_}"/>')
    lines.append('  <graph id="wrekin" edgedefault="undirected">')
    for node in nodes:
        lines.append(f"    <node id={quoteattr(node.key)}>")
        lines.append(f'      <data key="n_kind">{escape(node.kind)}</data>')
        lines.append(f'      <data key="n_label">{escape(node.label)}</data>')
        if node.key in cluster_numbers:
            lines.append(f'      <data key="n_cluster">{cluster_numbers[node.key]}</data>')
        lines.append("    </node>")
    for number, edge in enumerate(edges, start=1):
        lines.append(f'    <edge id="e{number}" source={quoteattr(edge.source)} target={quoteattr(edge.target)}>')
        lines.append(f'      <data key="e_kind">{escape(edge.kind)}</data>')
        if edge.relationship:
            lines.append(f'      <data key="e_relationship">{escape(edge.relationship)}</data>')
        if edge.agency_id is not None:
            name = agency_names.get(edge.agency_id, str(edge.agency_id))
            lines.append(f'      <data key="e_agency">{escape(name)}</data>')
        if edge.on is not None:
            lines.append(f'      <data key="e_date">{edge.on.isoformat()}</data>')
        if edge.record:
            lines.append(f'      <data key="e_record">{escape(edge.record)}</data>')
        lines.append(f'      <data key="e_confirmed">{"true" if edge.confirmed else "false"}</data>')
        lines.append("    </edge>")
    lines.append("  </graph>")
    lines.append("</graphml>")
    return "\n".join(lines) + "\n"


CSV_COLUMNS = ("source_id", "source_type", "source_label", "target_id", "target_type", "target_label",
               "link_type", "relationship", "agency", "date", "record", "confirmed", "cluster")


def csv_rows(nodes: Sequence[Node], edges: Sequence[Edge], *, cluster_numbers: dict[str, int] | None = None,
             agency_names: dict[int, str] | None = None) -> Iterable[list[str]]:
    """One row per link with both ends described: the "link chart" import that analysts' tools accept."""
    by_key = {node.key: node for node in nodes}
    cluster_numbers = cluster_numbers or {}
    agency_names = agency_names or {}
    yield list(CSV_COLUMNS)
    for edge in edges:
        source, target = by_key[edge.source], by_key[edge.target]
        yield [source.key, source.kind, _safe_cell(source.label), target.key, target.kind, _safe_cell(target.label),
               edge.kind, _safe_cell(edge.relationship),
               _safe_cell(agency_names.get(edge.agency_id, "")) if edge.agency_id is not None else "",
               edge.on.isoformat() if edge.on else "", edge.record, "yes" if edge.confirmed else "no",
               str(cluster_numbers.get(edge.source, ""))]


def _safe_cell(text: str) -> str:
    # Spreadsheets run a cell starting with = + - @ as a formula (CSV injection): make it text.
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text
