"""The network pages: the network (clusters, one cluster or the neighbourhood of one node), ranked persons
of concern, hotspots, and the GraphML and CSV exports for analysts' tools (exports ask for step-up first).

Everything a page shows comes from `wrekin.intelligence.network.network_for(user)`, which reads only what the
viewer may see. Each page writes its read event before it renders (ARCHITECTURE rule 3). The tables are
the content and work with JavaScript off; the Cytoscape.js canvas (frontend/js/network.js) only draws the
same nodes and links from a JSON data block.
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from wrekin.accounts.step_up import step_up_required
from wrekin.audit.actions import record_event
from wrekin.intelligence import graph
from wrekin.intelligence.network import (
    EDGE_LABELS,
    KIND_LABELS,
    KIND_LABELS_PLURAL,
    NetworkFilters,
    can_export_network,
    can_view_network,
    network_for,
    node_url_maker,
)

# How much one page shows: the tables stay usable and the canvas readable. Exports carry everything.
MAX_CLUSTERS_LISTED = 50
MAX_TABLE_NODES = 500
MAX_TABLE_EDGES = 1000
MAX_CANVAS_NODES = 300
MAX_RANKED = 100
MAX_HOTSPOTS = 100
NEIGHBOURHOOD_CAP = 150

DATE_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, help_text="For example, 27/03/2026", input_formats=DATE_FORMATS,
        error_messages={"invalid": f"Enter the date {label.lower()} as day/month/year, for example 27/03/2026"})


class NetworkFilterForm(forms.Form):
    """The filters of every network page. A GET without `filtered` means the defaults (everything)."""

    kinds = forms.MultipleChoiceField(
        label="Entities to include", required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(kind, KIND_LABELS_PLURAL[kind]) for kind in graph.ENTITY_KINDS],
        help_text="Children and persons of concern are always included.")
    since = _date_field("From")
    until = _date_field("To")
    unconfirmed = forms.BooleanField(
        label="Include links found by the machine and not yet confirmed", required=False)
    hops = forms.TypedChoiceField(
        label="Steps from a person of concern to a child", coerce=int, required=False, empty_value=2,
        choices=[(1, "1 (directly related or named)"), (2, "2 (through one shared vehicle, phone, place or handle)"),
                 (3, "3 (through two)")],
        help_text="Used to rank persons of concern.")
    cluster = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    community = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    centre = forms.RegexField(required=False, regex=r"^[a-z_]+:\d+$", max_length=40, widget=forms.HiddenInput)

    def __init__(self, query: QueryDict):
        data = query if query.get("filtered") else None
        super().__init__(data, initial={"kinds": list(graph.ENTITY_KINDS), "unconfirmed": True, "hops": 2})
        self.query = query

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The date to must be the same as or after the date from")
        return cleaned

    def filters(self) -> NetworkFilters:
        if not self.is_bound:
            return NetworkFilters()
        if not self.is_valid():
            # Keep what was typed on the page; draw the network with the filters that are valid.
            data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        else:
            data = self.cleaned_data
        return NetworkFilters(entity_kinds=tuple(data.get("kinds") or ()), since=data.get("since"),
                              until=data.get("until"), include_unconfirmed=bool(data.get("unconfirmed")))

    def value(self, name: str):
        """A navigation parameter (cluster, community, centre, hops), bound or not."""
        raw = self.query.get(name, "")
        field = self.fields[name]
        try:
            return field.clean(raw) if raw else None
        except forms.ValidationError:
            return None

    @property
    def ranking_hops(self) -> int:
        return self.value("hops") or 2


def _require_viewer(request: HttpRequest) -> None:
    if not can_view_network(request.user):
        raise PermissionDenied


def _filter_query(form: NetworkFilterForm, **changes) -> str:
    """The current filters as a query string, with `changes` (None removes a parameter)."""
    query = QueryDict(mutable=True)
    for name in ("filtered", "kinds", "since", "until", "unconfirmed", "hops", "cluster", "community", "centre"):
        values = form.query.getlist(name)
        if values:
            query.setlist(name, values)
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = str(value)
    return query.urlencode()


class _View:
    """What the network page shows: a cluster, one community of it, or a neighbourhood."""

    def __init__(self, title: str, nodes: list[graph.Node], edges: list[graph.Edge], *, cluster=None,
                 community: int | None = None, neighbourhood: graph.Neighbourhood | None = None):
        self.title = title
        self.nodes = nodes
        self.edges = edges
        self.cluster = cluster
        self.community = community
        self.neighbourhood = neighbourhood


def _select_view(form: NetworkFilterForm, network: graph.Network, found: list[graph.Cluster]) -> _View | None:
    centre = form.value("centre")
    if centre:
        if centre not in network.index:
            # Absent and not visible look the same: the node is not in the network this viewer may see.
            raise Http404("Not in the network you can see")
        around = graph.neighbourhood(network, centre, hops=2, max_nodes=NEIGHBOURHOOD_CAP)
        title = f"Within two steps of {network.node(centre).label}"
        return _View(title, around.nodes, around.edges, cluster=graph.cluster_of(found, centre),
                     neighbourhood=around)
    number = form.value("cluster")
    if number is None:
        if not found:
            return None
        number = 1
    if number > len(found):
        raise Http404("No such cluster")
    cluster = found[number - 1]
    community = form.value("community")
    keys = cluster.node_keys
    title = f"Cluster {cluster.number}"
    if community is not None:
        if community > len(cluster.communities):
            raise Http404("No such community")
        keys = cluster.communities[community - 1]
        title = f"Cluster {cluster.number}, community {community}"
    nodes, edges = graph.restrict(network, keys)
    return _View(title, nodes, edges, cluster=cluster, community=community)


def _node_rows(view: _View, url, community_of: dict[str, int]) -> list[dict]:
    degree = Counter()
    for edge in view.edges:
        degree[edge.source] += 1
        degree[edge.target] += 1
    distance = view.neighbourhood.distance if view.neighbourhood else {}
    order = {kind: n for n, kind in enumerate(graph.NODE_KINDS)}
    nodes = sorted(view.nodes, key=lambda n: (distance.get(n.key, 0), order[n.kind], -degree[n.key], n.label))
    return [{"key": n.key, "label": n.label, "kind": KIND_LABELS[n.kind], "kind_code": n.kind, "url": url(n.key),
             "links": degree[n.key], "community": community_of.get(n.key), "distance": distance.get(n.key)}
            for n in nodes[:MAX_TABLE_NODES]]


def _edge_rows(view: _View, labels: dict[str, str], agency_names: dict[int, str]) -> list[dict]:
    edges = sorted(view.edges, key=lambda e: (e.on or date.min, e.source, e.target), reverse=True)
    return [{"source": labels[e.source], "target": labels[e.target], "kind": EDGE_LABELS[e.kind],
             "relationship": e.relationship, "agency": agency_names.get(e.agency_id, ""), "on": e.on,
             "record": e.record, "confirmed": e.confirmed}
            for e in edges[:MAX_TABLE_EDGES]]


def _canvas_data(view: _View, url) -> dict | None:
    if not view.nodes:
        return None
    drawable = len(view.nodes) <= MAX_CANVAS_NODES
    return {
        "drawable": drawable,
        "kinds": {kind: KIND_LABELS[kind] for kind in {n.kind for n in view.nodes}},
        "nodes": [{"id": n.key, "label": n.label, "kind": n.kind, "url": url(n.key)} for n in view.nodes]
        if drawable else [],
        "edges": [{"source": e.source, "target": e.target, "kind": e.kind, "confirmed": e.confirmed}
                  for e in view.edges] if drawable else [],
    }


def _person_id(key: str | None) -> int | None:
    if key and key.split(":", 1)[0] in graph.PEOPLE_KINDS:
        return int(key.split(":", 1)[1])
    return None


@require_GET
def network(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    form = NetworkFilterForm(request.GET)
    filters = form.filters()
    data = network_for(request.user, filters)
    net = data.network()
    found = graph.clusters(net)
    view = _select_view(form, net, found)
    with transaction.atomic():
        record_event("network.viewed", actor=request.user, person=_person_id(form.value("centre")), details={
            "scope": "partnership" if data.partnership_wide else "agency", "nodes": len(net.nodes),
            "edges": len(net.edges), "clusters": len(found),
            "cluster": view.cluster.number if view and view.cluster else None,
            "community": view.community if view else None, "centre": form.value("centre"),
            "shown_nodes": len(view.nodes) if view else 0, **filters.audit_details()})
    url = node_url_maker()
    shown = view.cluster.number if view and view.cluster and not view.neighbourhood and not view.community else None
    cluster_rows = [{"cluster": c, "entities": c.size - c.children - c.persons_of_concern, "shown": c.number == shown,
                     "link": _filter_query(form, cluster=c.number, community=None, centre=None)}
                    for c in found[:MAX_CLUSTERS_LISTED]]
    context = {
        "page_title": "Network", "form": form, "data": data, "clusters": cluster_rows,
        "cluster_count": len(found), "node_count": len(net.nodes), "edge_count": len(net.edges),
        "view": view, "can_export": can_export_network(request.user),
        "query": _filter_query(form), "max_table_nodes": MAX_TABLE_NODES, "max_table_edges": MAX_TABLE_EDGES,
        "max_canvas_nodes": MAX_CANVAS_NODES, "kind_labels": KIND_LABELS_PLURAL,
    }
    context["whole_export_query"] = _filter_query(form, cluster=None, community=None, centre=None)
    if view is not None:
        labels = {n.key: n.label for n in view.nodes}
        community_of = {}
        if view.cluster is not None and view.cluster.communities and view.community is None:
            community_of = {key: n for n, keys in enumerate(view.cluster.communities, start=1) for key in keys}
        context.update({
            "node_rows": _node_rows(view, url, community_of), "edge_rows": _edge_rows(view, labels, data.agency_names),
            "canvas": _canvas_data(view, url),
            "communities": [{"number": n, "size": len(keys),
                             "children": sum(1 for k in keys if k.startswith(f"{graph.CHILD}:")),
                             "link": _filter_query(form, cluster=view.cluster.number, community=n, centre=None)}
                            for n, keys in enumerate(view.cluster.communities, start=1)]
            if view.cluster is not None and view.community is None and not view.neighbourhood else [],
            "export_query": _filter_query(form),
            "whole_cluster_link": _filter_query(form, cluster=view.cluster.number, community=None, centre=None)
            if view.cluster is not None else "",
        })
    return render(request, "intelligence/network.html", context)


def _require_exporter(request: HttpRequest) -> HttpResponse | None:
    """Refuse those who may not export; send those who may, unless freshly confirmed, to confirm it is them.

    An export leaves the system (like a chronology's), so the person, not just their session, confirms it
    (step-up), after the permission check: someone who may not export is told so, not asked for a code.
    They come back to the same address, filters and all.
    """
    if not can_view_network(request.user) or not can_export_network(request.user):
        raise PermissionDenied
    return step_up_required(request)


def _export_view(request: HttpRequest):
    form = NetworkFilterForm(request.GET)
    filters = form.filters()
    data = network_for(request.user, filters)
    net = data.network()
    found = graph.clusters(net)
    if form.value("cluster") or form.value("centre") or form.value("community"):
        view = _select_view(form, net, found)
        nodes, edges = view.nodes, view.edges
    else:
        nodes, edges = net.nodes, net.edges
    numbers = {key: cluster.number for cluster in found for key in cluster.node_keys}
    return form, filters, data, nodes, edges, numbers


def _audit_export(request, form, filters, data, nodes, edges, file_format: str) -> None:
    record_event("network.exported", actor=request.user, person=_person_id(form.value("centre")), details={
        "format": file_format, "scope": "partnership" if data.partnership_wide else "agency", "nodes": len(nodes),
        "edges": len(edges), "cluster": form.value("cluster"), "community": form.value("community"),
        "centre": form.value("centre"), **filters.audit_details()})


def _filename(extension: str) -> str:
    return f"wrekin-network-{timezone.localdate():%Y-%m-%d}.{extension}"


@require_GET
def network_graphml(request: HttpRequest) -> HttpResponse:
    if (detour := _require_exporter(request)) is not None:
        return detour
    form, filters, data, nodes, edges, numbers = _export_view(request)
    with transaction.atomic():
        _audit_export(request, form, filters, data, nodes, edges, "graphml")
    body = graph.to_graphml(nodes, edges, cluster_numbers=numbers, agency_names=data.agency_names)
    response = HttpResponse(body, content_type="application/graphml+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("graphml")}"'
    response["Cache-Control"] = "no-store"
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
def network_csv(request: HttpRequest) -> HttpResponse:
    if (detour := _require_exporter(request)) is not None:
        return detour
    form, filters, data, nodes, edges, numbers = _export_view(request)
    with transaction.atomic():
        _audit_export(request, form, filters, data, nodes, edges, "csv")
    writer = csv.writer(_Echo())
    body = "".join(writer.writerow(row) for row in graph.csv_rows(nodes, edges, cluster_numbers=numbers,
                                                                 agency_names=data.agency_names))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def persons_ranked(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    form = NetworkFilterForm(request.GET)
    filters = form.filters()
    data = network_for(request.user, filters)
    net = data.network()
    today = timezone.localdate()
    ranked = graph.rank_persons_of_concern(net, today=today, hops=form.ranking_hops)
    with transaction.atomic():
        record_event("network.persons_ranked_viewed", actor=request.user, details={
            "scope": "partnership" if data.partnership_wide else "agency", "ranked": len(ranked),
            "hops": form.ranking_hops, "shown": [int(r.node.key.split(":")[1]) for r in ranked[:MAX_RANKED]],
            **filters.audit_details()})
    url = node_url_maker()
    rows = [{"rank": n, "ranking": r, "url": url(r.node.key), "network": _filter_query(
        form, centre=r.node.key, cluster=None, community=None)} for n, r in enumerate(ranked[:MAX_RANKED], start=1)]
    return render(request, "intelligence/network_persons_ranked.html", {
        "page_title": "Persons of concern ranked by linked children", "form": form, "rows": rows,
        "ranked_count": len(ranked), "max_ranked": MAX_RANKED, "hops": form.ranking_hops, "data": data, "today": today,
        "points_per_child": graph.POINTS_PER_CHILD, "points_per_agency": graph.POINTS_PER_AGENCY,
        "recency_points": graph.RECENCY_POINTS,
    })


@require_GET
def hotspots(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    form = NetworkFilterForm(request.GET)
    filters = form.filters()
    data = network_for(request.user, filters)
    net = data.network()
    today = timezone.localdate()
    spots = graph.hotspots(net, today=today)
    with transaction.atomic():
        record_event("network.hotspots_viewed", actor=request.user, details={
            "scope": "partnership" if data.partnership_wide else "agency", "hotspots": len(spots),
            **filters.audit_details()})
    url = node_url_maker()
    rows = [{"rank": n, "spot": s, "kind": KIND_LABELS[s.node.kind], "url": url(s.node.key),
             "network": _filter_query(form, centre=s.node.key, cluster=None, community=None)}
            for n, s in enumerate(spots[:MAX_HOTSPOTS], start=1)]
    return render(request, "intelligence/network_hotspots.html", {
        "page_title": "Hotspots", "form": form, "rows": rows, "hotspot_count": len(spots),
        "max_hotspots": MAX_HOTSPOTS, "recent_days": graph.RECENT_DAYS, "data": data,
    })
