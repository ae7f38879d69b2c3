"""Benchmark: which graph library can cluster and rank Wrekin's network at a million nodes on 2 cores.

Generates a synthetic network shaped like the partnership's (typed nodes: children, persons of concern,
vehicles, phones, locations, businesses, online handles; edges only between a person and an entity or
between two people), with

- many small components (a child, the phone and the address in one referral), their sizes heavy-tailed;
- dense clusters (the bigger components get most of the extra edges: an exploitation network where several
  persons of concern share cars, phones and flats with many children);
- a few hub entities (a town-centre takeaway, a big taxi firm, a bus station) mentioned about children
  from many unrelated components, which join about a third of the graph into one giant component — the case
  that makes community detection necessary;

then measures, for each library in a fresh subprocess (so peak memory is the library's own):

- build: the graph from two integer arrays;
- components: connected components and their sizes;
- communities: Leiden (modularity) over the whole graph, and only inside components of at least
  `--community-min` nodes (what wrekin.intelligence.graph does); Louvain where Leiden is missing;
- ranking: for every person of concern, the distinct children within two hops (person - shared entity -
  child), as the "persons of concern" page ranks them; and PageRank as a generic centrality for reference.

networkx runs only at the small size (it is the reference, not a candidate). The synthetic network is built
with numpy, which Wrekin itself does not need: install the `bench` extra first.

    .venv/bin/pip install -e '.[bench]'                           # numpy, pinned in pyproject.toml
    .venv/bin/python benchmarks/networks.py --nodes 500000 --edges 1000000 --libraries wrekin   # as Wrekin runs it
    .venv/bin/python benchmarks/networks.py                       # 1,000,000 nodes, 2,000,000 edges
    .venv/bin/python benchmarks/networks.py --nodes 20000 --edges 40000 --libraries igraph,rustworkx,networkx

The libraries are benchmark-only extras here except the one chosen (see docs/benchmarks.md, "Networks"):
    .venv/bin/pip install igraph==1.0.0 rustworkx==0.18.1 networkx==3.6.1
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PEOPLE_TYPES = ("child", "person_of_concern")
PEOPLE_WEIGHTS = (0.88, 0.12)
ENTITY_TYPES = ("vehicle", "phone", "location", "business", "handle")
ENTITY_WEIGHTS = (0.30, 0.30, 0.25, 0.07, 0.08)
NODE_TYPES = PEOPLE_TYPES + ENTITY_TYPES
CHILD, PERSON_OF_CONCERN = 0, 1


def synthetic_network(nodes: int, edges: int, seed: int, *, hubs: int | None = None):
    """Return (source, target, node_type) as numpy arrays: `edges` unique undirected edges over `nodes` nodes.

    node_type indexes NODE_TYPES. Deterministic for a seed. Built by components: within each component
    even local positions are people and odd ones entities; a random recursive tree joins each component
    (every new node attaches to an earlier node of the other side), extra edges go to the bigger components
    in proportion to size**1.5 (dense clusters), and hub entities link people across components.
    """
    rng = np.random.default_rng(seed)
    # Component sizes: 2 + Zipf(1.9), capped, until the nodes are used up.
    sizes = []
    total = 0
    while total < nodes:
        batch = np.minimum(2 + rng.zipf(1.9, size=max(1000, (nodes - total) // 4)), 3000)
        sizes.append(batch)
        total += int(batch.sum())
    sizes = np.concatenate(sizes)
    cumulative = np.cumsum(sizes)
    keep = int(np.searchsorted(cumulative, nodes))
    sizes = sizes[: keep + 1].copy()
    sizes[-1] -= int(cumulative[keep] - nodes)
    if sizes[-1] <= 0:
        sizes = sizes[:-1]
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    component_of = np.repeat(np.arange(len(sizes)), sizes)
    local = np.arange(nodes) - starts[component_of]

    is_person = local % 2 == 0
    node_type = np.empty(nodes, dtype=np.int8)
    people = np.flatnonzero(is_person)
    entities = np.flatnonzero(~is_person)
    node_type[people] = rng.choice(len(PEOPLE_TYPES), size=len(people), p=PEOPLE_WEIGHTS)
    node_type[entities] = len(PEOPLE_TYPES) + rng.choice(len(ENTITY_TYPES), size=len(entities), p=ENTITY_WEIGHTS)

    # 1. A random recursive tree per component, always across the two sides.
    k = local[local > 0]
    node = np.flatnonzero(local > 0)
    other_parity = 1 - (k % 2)
    count = np.where(other_parity == 1, k // 2, (k + 1) // 2)
    parent_local = other_parity + 2 * np.floor(rng.random(len(k)) * count).astype(np.int64)
    tree_source = node
    tree_target = starts[component_of[node]] + parent_local

    # 2. Hub entities: the first entity of `hubs` components, linked to people in random components.
    hubs = hubs if hubs is not None else max(5, nodes // 20000)
    hub_nodes = rng.choice(entities, size=hubs, replace=False)
    hub_edges = max(1, edges // 1000)
    hub_degree = rng.zipf(1.6, size=hubs).astype(np.float64)
    hub_source = rng.choice(hub_nodes, size=hub_edges, p=hub_degree / hub_degree.sum())
    hub_target = rng.choice(people, size=hub_edges)

    # 3. Dense clusters: extra person-entity edges inside components, weighted by size**1.5.
    def extra_edges(count: int):
        weights = np.where(sizes >= 4, sizes.astype(np.float64) ** 1.5, 0.0)
        chosen = rng.choice(len(sizes), size=count, p=weights / weights.sum())
        half = sizes[chosen] // 2
        person_local = 2 * np.floor(rng.random(count) * ((sizes[chosen] + 1) // 2)).astype(np.int64)
        entity_local = 1 + 2 * np.floor(rng.random(count) * half).astype(np.int64)
        return starts[chosen] + person_local, starts[chosen] + entity_local

    source = np.concatenate((tree_source, hub_source))
    target = np.concatenate((tree_target, hub_target))
    pairs = _unique_pairs(source, target, nodes)
    while len(pairs) < edges:
        extra_source, extra_target = extra_edges(int((edges - len(pairs)) * 1.1) + 10)
        pairs = _unique_pairs(np.concatenate((pairs // nodes, extra_source)),
                              np.concatenate((pairs % nodes, extra_target)), nodes)
    # Trim the surplus from the extra edges only: the trees keep every component connected.
    tree_keys = _unique_pairs(tree_source, tree_target, nodes)
    surplus = len(pairs) - edges
    if surplus:
        removable = np.flatnonzero(~np.isin(pairs, tree_keys))
        drop = rng.choice(removable, size=surplus, replace=False)
        pairs = np.delete(pairs, drop)
    return (pairs // nodes).astype(np.int64), (pairs % nodes).astype(np.int64), node_type


def _unique_pairs(source, target, nodes):
    low = np.minimum(source, target)
    high = np.maximum(source, target)
    keys = low.astype(np.int64) * nodes + high
    keys = np.sort(keys[low != high])
    # Sort-based: numpy's hash-based unique is several times slower on millions of int64 keys.
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if len(keys) else keys


def _rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(results: dict, step: str, function):
    started = time.perf_counter()
    value = function()
    results[step] = round(time.perf_counter() - started, 2)
    return value


# --- One library per subprocess -----------------------------------------------------------------------

def run_igraph(source, target, node_type, community_min: int, results: dict) -> None:
    import igraph

    results["version"] = igraph.__version__
    nodes = len(node_type)
    graph = _timed(results, "build", lambda: igraph.Graph(
        n=nodes, edges=np.column_stack((source, target)), directed=False))
    components = _timed(results, "components", lambda: graph.connected_components())
    sizes = np.array(components.sizes())
    results["components_found"] = int(len(sizes))
    results["largest_component"] = int(sizes.max())

    def leiden_whole():
        return graph.community_leiden(objective_function="modularity", n_iterations=2)

    def leiden_big():
        membership = np.array(components.membership)
        found = 0
        for index in np.flatnonzero(sizes >= community_min):
            sub = graph.induced_subgraph(np.flatnonzero(membership == index))
            found += len(sub.community_leiden(objective_function="modularity", n_iterations=2))
        return found

    communities = _timed(results, "leiden_whole_graph", leiden_whole)
    results["communities_whole_graph"] = len(communities)
    results["communities_in_big_components"] = _timed(results, "leiden_big_components", leiden_big)

    is_child = node_type == CHILD
    persons = np.flatnonzero(node_type == PERSON_OF_CONCERN)

    def rank():
        reach = graph.neighborhood(persons.tolist(), order=2, mindist=1)
        return [int(np.count_nonzero(is_child[np.asarray(ids, dtype=np.int64)])) if ids else 0 for ids in reach]

    counts = _timed(results, "rank_children_2_hops", rank)
    results["max_children_2_hops"] = max(counts)
    _timed(results, "pagerank", lambda: graph.pagerank())


def run_rustworkx(source, target, node_type, community_min: int, results: dict) -> None:
    import rustworkx

    results["version"] = rustworkx.__version__
    nodes = len(node_type)

    def build():
        graph = rustworkx.PyGraph(multigraph=False)
        graph.add_nodes_from(range(nodes))
        graph.add_edges_from_no_data(list(zip(source.tolist(), target.tolist(), strict=True)))
        return graph

    graph = _timed(results, "build", build)
    components = _timed(results, "components", lambda: rustworkx.connected_components(graph))
    results["components_found"] = len(components)
    results["largest_component"] = max(len(c) for c in components)
    results["leiden_whole_graph"] = None  # rustworkx has no community detection
    results["leiden_big_components"] = None

    is_child = node_type == CHILD
    persons = np.flatnonzero(node_type == PERSON_OF_CONCERN).tolist()

    def rank():
        counts = []
        for person in persons:
            first = set(graph.neighbors(person))
            reach = set(first)
            for neighbour in first:
                reach.update(graph.neighbors(neighbour))
            reach.discard(person)
            counts.append(int(np.count_nonzero(is_child[np.fromiter(reach, dtype=np.int64)])) if reach else 0)
        return counts

    counts = _timed(results, "rank_children_2_hops", rank)
    results["max_children_2_hops"] = max(counts)

    def pagerank():
        # rustworkx's PageRank takes a directed graph: both directions of every edge.
        directed = graph.to_directed()
        return rustworkx.pagerank(directed)

    _timed(results, "pagerank", pagerank)


def run_networkx(source, target, node_type, community_min: int, results: dict) -> None:
    import networkx

    results["version"] = networkx.__version__
    nodes = len(node_type)

    def build():
        graph = networkx.Graph()
        graph.add_nodes_from(range(nodes))
        graph.add_edges_from(zip(source.tolist(), target.tolist(), strict=True))
        return graph

    graph = _timed(results, "build", build)
    components = _timed(results, "components", lambda: list(networkx.connected_components(graph)))
    results["components_found"] = len(components)
    results["largest_component"] = max(len(c) for c in components)
    # networkx's Leiden is a dispatch stub for GPU back-ends: Louvain is its own community detection.
    communities = _timed(results, "louvain_whole_graph",
                         lambda: networkx.community.louvain_communities(graph, seed=1))
    results["communities_whole_graph"] = len(communities)
    is_child = node_type == CHILD
    persons = np.flatnonzero(node_type == PERSON_OF_CONCERN).tolist()

    def rank():
        counts = []
        for person in persons:
            reach = networkx.single_source_shortest_path_length(graph, person, cutoff=2)
            counts.append(sum(1 for node in reach if node != person and is_child[node]))
        return counts

    counts = _timed(results, "rank_children_2_hops", rank)
    results["max_children_2_hops"] = max(counts)


def typed_network(source, target, node_type, seed: int):
    """The generated arrays as wrekin.intelligence.graph Nodes and Edges, each edge with an agency and a date."""
    from datetime import date, timedelta

    from wrekin.intelligence.graph import Edge, Node

    rng = np.random.default_rng(seed + 1)
    agencies = rng.integers(1, 15, size=len(source)).tolist()
    first = date(2024, 10, 1)
    days = rng.integers(0, 730, size=len(source)).tolist()
    on = [first + timedelta(days=d) for d in range(730)]
    kinds = NODE_TYPES
    keys = [f"{kinds[t]}:{n}" for n, t in enumerate(node_type.tolist())]
    nodes = [Node(key, kinds[t], key) for key, t in zip(keys, node_type.tolist(), strict=True)]
    people = len(PEOPLE_TYPES)
    edges = []
    for a, b, agency, day in zip(source.tolist(), target.tolist(), agencies, days, strict=True):
        both_people = node_type[a] < people and node_type[b] < people
        edges.append(Edge(keys[a], keys[b], "relationship" if both_people else "mention", agency, on[day],
                          f"referral:{len(edges)}"))
    return nodes, edges


def run_wrekin(source, target, node_type, community_min: int, results: dict) -> None:
    """The product's own path: wrekin.intelligence.graph on typed nodes and edges."""
    from datetime import date

    import igraph

    from wrekin.intelligence import graph

    results["version"] = f"graph.py on igraph {igraph.__version__}"
    nodes, edges = _timed(results, "typed", lambda: typed_network(source, target, node_type, 1))
    network = _timed(results, "build", lambda: graph.Network(nodes, edges))
    _timed(results, "build_igraph", lambda: network.graph)
    found = _timed(results, "clusters_with_communities",
                   lambda: graph.clusters(network, community_min_size=community_min))
    results["components_found"] = len(found)
    ranked = _timed(results, "rank_persons_of_concern",
                    lambda: graph.rank_persons_of_concern(network, today=date(2026, 10, 1), hops=2))
    results["persons_ranked"] = len(ranked)
    results["max_children_2_hops"] = max(len(r.children) for r in ranked)
    spots = _timed(results, "hotspots", lambda: graph.hotspots(network, today=date(2026, 10, 1)))
    results["hotspots_found"] = len(spots)
    results["clustering_and_ranking"] = round(sum(results[k] for k in (
        "build", "build_igraph", "clusters_with_communities", "rank_persons_of_concern", "hotspots")), 2)


RUNNERS = {"igraph": run_igraph, "rustworkx": run_rustworkx, "networkx": run_networkx, "wrekin": run_wrekin}


def worker(args) -> None:
    started = time.perf_counter()
    source, target, node_type = synthetic_network(args.nodes, args.edges, args.seed)
    results = {"library": args.worker, "generate": round(time.perf_counter() - started, 2)}
    results["baseline_rss_mib"] = round(_rss_mib())
    RUNNERS[args.worker](source, target, node_type, args.community_min, results)
    results["peak_rss_mib"] = round(_peak_mib())
    results["library_peak_mib"] = results["peak_rss_mib"] - results["baseline_rss_mib"]
    print(json.dumps(results))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--libraries", default="igraph,rustworkx",
                        help="comma-separated: igraph, rustworkx, networkx (only at small sizes), and wrekin "
                             "(wrekin.intelligence.graph on typed nodes and edges, as the product runs it)")
    parser.add_argument("--community-min", type=int, default=50,
                        help="run Leiden only inside components with at least this many nodes")
    parser.add_argument("--worker", choices=sorted(RUNNERS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return

    started = time.perf_counter()
    source, target, node_type = synthetic_network(args.nodes, args.edges, args.seed)
    counts = np.bincount(node_type, minlength=len(NODE_TYPES))
    print(f"# Graph: {args.nodes:,} nodes, {len(source):,} edges, seed {args.seed} "
          f"(generated in {time.perf_counter() - started:.1f} s)")
    print("node types: " + ", ".join(f"{name} {count:,}" for name, count in zip(NODE_TYPES, counts, strict=True)))
    print(f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    del source, target, node_type

    rows = []
    for library in [name.strip() for name in args.libraries.split(",") if name.strip()]:
        if library == "networkx" and args.nodes > 100_000:
            print("networkx skipped: reference only at small sizes (use --nodes 20000 --edges 40000)")
            continue
        command = [sys.executable, str(Path(__file__).resolve()), "--worker", library, "--nodes", str(args.nodes),
                   "--edges", str(args.edges), "--seed", str(args.seed), "--community-min", str(args.community_min)]
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        if completed.returncode:
            print(f"{library}: failed\n{completed.stderr}")
            continue
        rows.append(json.loads(completed.stdout.strip().splitlines()[-1]))

    steps = [("build", "build"), ("components", "connected components"),
             ("leiden_whole_graph", "Leiden, whole graph"),
             ("leiden_big_components", f"Leiden, components >= {args.community_min} nodes"),
             ("louvain_whole_graph", "Louvain, whole graph"),
             ("rank_children_2_hops", "rank persons of concern (children within 2 hops)"),
             ("pagerank", "PageRank"),
             ("typed", "typed Node/Edge objects made (not counted below)"),
             ("build_igraph", "igraph graph from the Network"),
             ("clusters_with_communities", "clusters + Leiden in big clusters"),
             ("rank_persons_of_concern", "ranked persons of concern (parts, agencies, recency)"),
             ("hotspots", "hotspots"),
             ("clustering_and_ranking", "clustering and ranking, total (target <= 30 s)")]
    print()
    print("| step | " + " | ".join(f"{row['library']} {row['version']}" for row in rows) + " |")
    print("|---|" + "---|" * len(rows))
    for key, label in steps:
        if not any(key in row for row in rows):
            continue
        cells = []
        for row in rows:
            value = row.get(key, "-")
            cells.append("none" if value is None else (f"{value:.2f} s" if isinstance(value, float | int) else value))
        print(f"| {label} | " + " | ".join(cells) + " |")
    print("| peak memory (process) | " + " | ".join(f"{row['peak_rss_mib']} MiB" for row in rows) + " |")
    print("| peak memory above the generated arrays | "
          + " | ".join(f"{row['library_peak_mib']} MiB" for row in rows) + " |")
    print()
    for row in rows:
        facts = {key: row[key] for key in ("components_found", "largest_component", "communities_whole_graph",
                                           "communities_in_big_components", "max_children_2_hops",
                                           "persons_ranked", "hotspots_found") if key in row}
        print(f"{row['library']}: " + ", ".join(f"{key} {value:,}" for key, value in facts.items()))


if __name__ == "__main__":
    main()
