"""Benchmark: do the planted exploitation networks surface, and do the decoys stay quiet?

On a fresh SQLite database (a temporary file, deleted afterwards): `wrekin migrate`, a small synthetic
partnership (`seed_partnership`, for its agencies and demo users), then `seed_scenarios` — planted networks
and decoys recorded through the real actions in date order, so link alerts are raised as in real use. Then
it prints, from the database and the scenarios' ground truth:

- **cluster recall**: the share of planted networks whose children, persons of concern and shared things all
  sit in one cluster of the coordinator's network (target >= 0.95), and whether that cluster holds anything
  of another network or a decoy (purity);
- **alerts on decoys**: the share of link alerts that include a mention from a decoy's records (target <= 5%);
- **alert timing**: for every alert, whether it was raised at the first moment its records met the rule
  (two records, and two children or two agencies) and, for alerts about planted networks, whether that was
  the moment the second agency mentioned the shared thing;
- **shared things alerted**: of the things each network shares, how many have an alert;
- **clustering and ranking at 1,000,000 edges** (wrekin.intelligence.graph on benchmarks/networks.py's
  synthetic network; target <= 30 s).

    .venv/bin/python benchmarks/link_scenarios.py --networks 20 --decoys 60 --seed 1
    .venv/bin/python benchmarks/link_scenarios.py --skip-scale        # the scenarios only
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _setup_django(directory: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{directory}/scenarios.sqlite3"
    os.environ["WREKIN_VAR_DIR"] = directory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wrekin.settings")
    os.environ.setdefault("WREKIN_DEBUG", "0")
    import django

    django.setup()


def trigger_record(mentions: list[dict]) -> str | None:
    """The record whose saving first made these mentions meet the alert rule (two records, and two children or
    two agencies), in the order the mentions were recorded."""
    records, children, agencies = set(), set(), set()
    for mention in sorted(mentions, key=lambda m: m["pk"]):
        records.add(mention["source"])
        if mention["child"] is not None:
            children.add(mention["child"])
        agencies.add(mention["agency"])
        if len(records) >= 2 and (len(children) >= 2 or len(agencies) >= 2):
            return mention["source"]
    return None


def second_agency_record(mentions: list[dict]) -> str | None:
    """The first record from an agency other than the first one's."""
    ordered = sorted(mentions, key=lambda m: m["pk"])
    if not ordered:
        return None
    first = ordered[0]["agency"]
    return next((m["source"] for m in ordered if m["agency"] != first), None)


def raised_by(partnership_alert_ids: set[int]) -> dict[int, str]:
    """For each alert, the record being saved when it was raised, read from the audit trail: the raise is
    written in the same transaction as that record's `intelligence.mentions_recorded` event, just after it."""
    from wrekin.audit.models import AuditEvent

    events = AuditEvent.objects.filter(event_type__in=(
        "intelligence.mentions_recorded", "intelligence.mention_resolved", "intelligence.mention_confirmed",
        "link_alert.raised")).order_by("seq").values_list("event_type", "object_id", "details")
    current, found = None, {}
    for event_type, object_id, details in events.iterator():
        if event_type == "intelligence.mentions_recorded":
            current = details.get("source")
        elif event_type != "link_alert.raised":
            # A person's review of a mention (confirming who a named person is) can raise an alert too.
            current = f"review of mention {details.get('mention')}"
        elif object_id and int(object_id) in partnership_alert_ids:
            found[int(object_id)] = current
    return found


def _repeated(rows: dict[int, list[dict]]) -> int:
    """Alerts holding a mention that another alert also holds: one link alerted twice."""
    holders = defaultdict(set)
    for alert_id, mentions in rows.items():
        for mention in mentions:
            holders[mention["pk"]].add(alert_id)
    return len({a for alerts in holders.values() if len(alerts) > 1 for a in alerts})


def analyse(truth: dict, coordinator) -> dict:
    from wrekin.intelligence import graph
    from wrekin.intelligence.models import Entity, LinkAlert, LinkAlertMention
    from wrekin.intelligence.network import ENTITY_NODE_KIND, network_for

    partnership_id = coordinator.agency.partnership_id
    group_of_record = {}
    for kind in ("networks", "decoys"):
        for item in truth[kind]:
            for record in item["records"]:
                group_of_record[record] = item["id"]

    # 1. Clusters, as the coordinator's network page shows them.
    started = time.perf_counter()
    data = network_for(coordinator)
    found = graph.clusters(data.network())
    cluster_seconds = time.perf_counter() - started
    cluster_of = {key: c.number for c in found for key in c.node_keys}
    entities = {(e.type, e.key): e.pk for e in Entity.objects.filter(partnership_id=partnership_id)}
    owner = {}
    for kind in ("networks", "decoys"):
        for item in truth[kind]:
            for child in item["children"]:
                owner[f"child:{child}"] = item["id"]
    surfaced, pure = [], []
    for network in truth["networks"]:
        keys = [f"child:{c}" for c in network["children"]]
        keys += [f"person_of_concern:{p}" for p in network["persons_of_concern"]]
        for shared in network["shared"]:
            pk = entities.get((shared["entity_type"], shared["key"]))
            keys.append(f"{ENTITY_NODE_KIND[shared['entity_type']]}:{pk}" if pk else f"missing:{shared['key']}")
        numbers = {cluster_of.get(key) for key in keys}
        together = len(numbers) == 1 and None not in numbers
        surfaced.append(together)
        if together:
            (number,) = numbers
            others = {owner[k] for k in found[number - 1].node_keys if k in owner} - {network["id"]}
            pure.append(not others)

    # 2. Alerts: which involve decoys, and when each was raised.
    alerts = list(LinkAlert.objects.filter(partnership_id=partnership_id))
    rows = defaultdict(list)
    for alert_id, pk, source_type, source_id, child, agency, recorded_at, entity_id in (
            LinkAlertMention.objects.filter(alert__partnership_id=partnership_id).exclude(mention__status="rejected")
            .values_list("alert_id", "mention_id", "mention__source_type", "mention__source_id", "mention__child_id",
                         "mention__recorded_by_agency_id", "mention__recorded_at", "mention__entity_id")):
        rows[alert_id].append({"pk": pk, "source": f"{source_type}:{source_id}", "child": child, "agency": agency,
                               "recorded_at": recorded_at, "entity": entity_id})
    decoy_alerts, cross_network, on_time, mistimed, on_review, second_agency = [], [], 0, [], [], [0, 0]
    alerted_entities = set()
    trigger_of = raised_by({alert.pk for alert in alerts})
    for alert in alerts:
        mentions = rows[alert.pk]
        groups = {group_of_record.get(m["source"], "other") for m in mentions}
        if any(g.startswith("decoy-") for g in groups):
            decoy_alerts.append((alert.pk, sorted(groups), alert.explanation))
        if len({g for g in groups if g.startswith("network-")}) > 1:
            cross_network.append((alert.pk, sorted(groups)))
        expected = trigger_record(mentions)
        if expected == trigger_of.get(alert.pk):
            on_time += 1
        elif (trigger_of.get(alert.pk) or "").startswith("review of"):
            on_review.append((alert.pk, alert.link_key, trigger_of.get(alert.pk), expected))
        else:
            mistimed.append((alert.pk, alert.link_key, trigger_of.get(alert.pk), expected))
        if groups and all(g.startswith("network-") for g in groups):
            second_agency[1] += 1
            if second_agency_record(mentions) == trigger_of.get(alert.pk):
                second_agency[0] += 1
        alerted_entities.update(m["entity"] for m in mentions)
    shared_total = shared_alerted = 0
    for network in truth["networks"]:
        for shared in network["shared"]:
            shared_total += 1
            pk = entities.get((shared["entity_type"], shared["key"]))
            shared_alerted += bool(pk and pk in alerted_entities)
    return {
        "networks": len(truth["networks"]), "decoys": len(truth["decoys"]), "surfaced": sum(surfaced),
        "recall": sum(surfaced) / len(surfaced) if surfaced else 1.0, "pure": sum(pure),
        "clusters": len(found), "nodes": len(data.nodes), "edges": len(data.edges),
        "cluster_seconds": cluster_seconds, "alerts": len(alerts), "decoy_alerts": decoy_alerts,
        "decoy_share": len(decoy_alerts) / len(alerts) if alerts else 0.0, "cross_network": cross_network,
        "on_time": on_time, "mistimed": mistimed, "on_review": on_review,
        "repeated": _repeated(rows), "second_agency": second_agency,
        "shared_total": shared_total, "shared_alerted": shared_alerted,
    }


def scale(nodes: int, edges: int, seed: int) -> dict:
    from datetime import date

    from benchmarks.networks import synthetic_network, typed_network
    from wrekin.intelligence import graph

    source, target, node_type = synthetic_network(nodes, edges, seed)
    typed_nodes, typed_edges = typed_network(source, target, node_type, seed)
    timings = {}
    started = time.perf_counter()
    network = graph.Network(typed_nodes, typed_edges)
    timings["index"] = time.perf_counter() - started
    mark = time.perf_counter()
    found = graph.clusters(network)
    timings["clusters"] = time.perf_counter() - mark
    mark = time.perf_counter()
    ranked = graph.rank_persons_of_concern(network, today=date(2026, 10, 1))
    timings["ranking"] = time.perf_counter() - mark
    mark = time.perf_counter()
    spots = graph.hotspots(network, today=date(2026, 10, 1))
    timings["hotspots"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started
    return {"timings": timings, "clusters": len(found), "ranked": len(ranked), "hotspots": len(spots),
            "edges": len(network.edges), "nodes": len(network.nodes)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--networks", type=int, default=20)
    parser.add_argument("--decoys", type=int, default=60)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--children", type=int, default=500, help="size of the background partnership")
    parser.add_argument("--scale-nodes", type=int, default=500_000)
    parser.add_argument("--scale-edges", type=int, default=1_000_000)
    parser.add_argument("--skip-scale", action="store_true", help="do not run the 1,000,000-edge timing")
    parser.add_argument("--verbose", action="store_true", help="list every decoy alert and mistimed alert")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="wrekin-link-scenarios-") as directory:
        _setup_django(directory)
        from django.core.management import call_command

        from wrekin.synthetic.actions import seed_partnership
        from wrekin.synthetic.scenarios import demo_actors, seed_scenarios
        from wrekin.synthetic.staff import DEFAULT_PARTNERSHIP_CODE, demo_password

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        seed_partnership(children=args.children, seed=args.seed, code=DEFAULT_PARTNERSHIP_CODE,
                         password=demo_password())
        seeded = time.perf_counter() - started
        started = time.perf_counter()
        result = seed_scenarios(networks=args.networks, decoys=args.decoys, seed=args.seed)
        planted = time.perf_counter() - started
        figures = analyse(result.ground_truth, demo_actors().coordinator)

    print(f"# Link scenarios: {args.networks} networks, {args.decoys} decoys, seed {args.seed} (SQLite)")
    print(f"background partnership: {args.children} children, seeded in {seeded:.1f} s")
    print(f"scenarios: {result.counts['reports']} records about {result.counts['children']} children, "
          f"{result.counts['persons_of_concern']} persons of concern, recorded in {planted:.1f} s "
          f"({planted / max(1, result.counts['reports']) * 1000:.0f} ms a record, link check included)")
    print()
    print("| measure | result | target |")
    print("|---|---|---|")
    print(f"| planted networks surfaced as one cluster (recall) | {figures['surfaced']}/{figures['networks']} = "
          f"{figures['recall']:.2f} | >= 0.95 |")
    print(f"| of those, clusters holding nothing of another network or decoy | {figures['pure']}/"
          f"{figures['surfaced']} | - |")
    print(f"| link alerts | {figures['alerts']} | - |")
    print(f"| alerts that include a decoy's records | {len(figures['decoy_alerts'])} = "
          f"{figures['decoy_share']:.1%} | <= 5% |")
    print(f"| alerts joining two planted networks | {len(figures['cross_network'])} | 0 |")
    print(f"| alerts raised by the very record that met the rule | {figures['on_time']}/{figures['alerts']} | all |")
    print(f"| of the others, raised when a person confirmed who a named person is | {len(figures['on_review'])} | - |")
    print(f"| alerts sharing a mention with another alert (one link alerted twice) | {figures['repeated']} | 0 |")
    done, total = figures["second_agency"]
    print(f"| network alerts raised by the second agency's record of the shared thing | {done}/{total} | all |")
    print(f"| shared things of planted networks with an alert | {figures['shared_alerted']}/"
          f"{figures['shared_total']} | all |")
    print(f"| coordinator's network: nodes, links, clusters; read and clustered in | {figures['nodes']}, "
          f"{figures['edges']}, {figures['clusters']}; {figures['cluster_seconds']:.2f} s | - |")
    if args.verbose:
        for alert_id, groups, explanation in figures["decoy_alerts"]:
            print(f"decoy alert {alert_id} {groups}: {explanation}")
        for row in figures["on_review"]:
            print(f"alert raised on review {row}")
        for row in figures["mistimed"]:
            print(f"mistimed alert {row}")
        for row in figures["cross_network"]:
            print(f"cross-network alert {row}")

    if not args.skip_scale:
        figures = scale(args.scale_nodes, args.scale_edges, args.seed)
        t = figures["timings"]
        print()
        print(f"# Clustering and ranking: {figures['nodes']:,} nodes, {figures['edges']:,} edges "
              f"(benchmarks/networks.py's synthetic network, seed {args.seed}), load average "
              f"{os.getloadavg()[0]:.1f}")
        print("| step | seconds |")
        print("|---|---|")
        for key, label in (("index", "index typed nodes and edges"), ("clusters", "clusters, Leiden in big ones"),
                           ("ranking", "rank persons of concern (2 steps, parts)"), ("hotspots", "hotspots"),
                           ("total", "total (target <= 30 s)")):
            print(f"| {label} | {t[key]:.2f} |")
        print(f"clusters {figures['clusters']:,}, persons ranked {figures['ranked']:,}, "
              f"hotspots {figures['hotspots']:,}")


if __name__ == "__main__":
    main()
