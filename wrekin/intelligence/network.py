"""The network a user may see, read from the database as typed nodes and edges for wrekin.intelligence.graph.

Only through the access policy (ARCHITECTURE rule 1): people come from `people_visible_to`, mentions from
`mentions_visible_to` (a mention is visible exactly when the record that made it is), so coordinators and
analysts get the partnership's whole network and a practitioner a network limited to the children and
persons of concern their agency works with. Nothing outside those querysets becomes a node or an edge.

Nodes: children, persons of concern, vehicles, phones, locations, businesses and online handles. Edges:
- a **mention** of a vehicle, phone, location, business or handle in a record about a child (child - entity);
- a mention in an intelligence report: each subject child and person of concern the viewer may see - entity;
- a **resolution**: a person named in a record about a child, confirmed by a person as a known person of
  concern (child - person of concern); the other things that record mentions are linked to that person
  of concern too ("picked up in AB12 CDE by 'Taz'"), as record-level co-mentions;
- a **relationship**: a PersonRelationship row between a child and a person of concern, both visible;
- a person of concern's own phone (PersonPhone) when the same number is an entity of the partnership.
Rejected mentions never become edges; unconfirmed ones do, marked unconfirmed (a missed link costs more
than a review), unless the viewer filters them out. Named people not resolved to a person of concern are
not nodes: "Jay" alone would join half the partnership; the link alerts weigh those matches instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.apps import apps
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from wrekin.access.intelligence import REPORT_SOURCE, can_see_intelligence, is_partnership_wide, mentions_visible_to
from wrekin.access.policy import people_visible_to
from wrekin.accounts.models import Agency
from wrekin.intelligence import (
    graph,
    network_audit_events,  # noqa: F401 - registers the event types used here
)
from wrekin.intelligence.linking import MAX_PARTIAL_ANCHORS
from wrekin.intelligence.linking import _full_marks_fitting as full_marks_fitting
from wrekin.intelligence.models import Entity, EntityType, IntelligenceReport, MentionStatus, ResolutionStatus
from wrekin.people.models import PersonKind, PersonPhone, PersonRelationship, RelationshipKind

ENTITY_NODE_KIND = {
    EntityType.VEHICLE: graph.VEHICLE,
    EntityType.PHONE: graph.PHONE,
    EntityType.LOCATION: graph.LOCATION,
    EntityType.BUSINESS: graph.BUSINESS,
    EntityType.ONLINE: graph.HANDLE,
}
PERSON_NODE_KIND = {PersonKind.CHILD: graph.CHILD, PersonKind.PERSON_OF_CONCERN: graph.PERSON_OF_CONCERN}
KIND_LABELS = {
    graph.CHILD: "Child",
    graph.PERSON_OF_CONCERN: "Person of concern",
    graph.VEHICLE: "Vehicle",
    graph.PHONE: "Phone",
    graph.LOCATION: "Location",
    graph.BUSINESS: "Business",
    graph.HANDLE: "Online handle",
}
KIND_LABELS_PLURAL = {
    graph.CHILD: "Children",
    graph.PERSON_OF_CONCERN: "Persons of concern",
    graph.VEHICLE: "Vehicles",
    graph.PHONE: "Phones",
    graph.LOCATION: "Locations",
    graph.BUSINESS: "Businesses",
    graph.HANDLE: "Online handles",
}
EDGE_LABELS = {
    graph.MENTION: "Mentioned in a record",
    graph.RELATIONSHIP: "Recorded relationship",
    graph.RESOLUTION: "Named in a record, confirmed as this person",
    graph.MATCH: "The same thing, as the link check matches it",
}
CO_MENTION = "named in the same record"
MATCH_PARTIAL = "partial mark fits this mark"
MATCH_HANDLE = "handle given without a platform"

# When what a record describes happened, by source type: (app_label.model, date or datetime field). A link is
# dated by that, not by when it was typed, so a referral about March entered in May counts as March.
SOURCE_DATES = {
    "referrals.referral": ("referrals", "Referral", "occurred_on"),
    "missing.missingepisode": ("missing", "MissingEpisode", "reported_at"),
    "missing.returninterview": ("missing", "ReturnInterview", "completed_at"),
    REPORT_SOURCE: ("intelligence", "IntelligenceReport", "information_date"),
}
PERSON_PHONE = "their phone number on their record"


@dataclass
class NetworkFilters:
    """What the viewer asked for. Entity kinds left out drop their nodes and edges before clustering."""

    entity_kinds: tuple[str, ...] = graph.ENTITY_KINDS
    since: date | None = None
    until: date | None = None
    include_unconfirmed: bool = True

    def audit_details(self) -> dict:
        return {"kinds": list(self.entity_kinds), "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None, "unconfirmed": self.include_unconfirmed}


@dataclass
class NetworkData:
    nodes: list[graph.Node]
    edges: list[graph.Edge]
    # Whole partnership (coordinators, analysts) or limited to what the viewer's agency works with.
    partnership_wide: bool
    agency_names: dict[int, str] = field(default_factory=dict)

    def network(self) -> graph.Network:
        return graph.Network(self.nodes, self.edges)


def can_view_network(user) -> bool:
    return can_see_intelligence(user)


def can_export_network(user) -> bool:
    """Exports leave Wrekin for analysts' tools: coordinators and analysts only."""
    return is_partnership_wide(user)


def _person_key(kind: str, pk: int) -> str:
    return f"{PERSON_NODE_KIND[kind]}:{pk}"


def _day(moment) -> date | None:
    return timezone.localtime(moment).date() if moment else None


def network_for(user, filters: NetworkFilters | None = None) -> NetworkData:
    """The nodes and edges `user` may see, after `filters`. Reads only; the caller writes the audit event."""
    filters = filters or NetworkFilters()
    if not can_view_network(user):
        return NetworkData([], [], partnership_wide=False)
    wanted_entities = {etype for etype, kind in ENTITY_NODE_KIND.items() if kind in filters.entity_kinds}

    people: dict[int, tuple[str, str]] = {}  # person id -> (node key, label)

    def person_node(pk: int, kind: str, given: str, family: str, known_as: str) -> str:
        if pk not in people:
            name = " ".join(part for part in (given, family) if part)
            if known_as and known_as.casefold() != (given or "").casefold():
                name = f"{name} (known as {known_as})"
            people[pk] = (_person_key(kind, pk), name)
        return people[pk][0]

    visible_people = people_visible_to(user).filter(kind__in=list(PERSON_NODE_KIND))
    visible_ids = set(visible_people.values_list("pk", flat=True))
    entities: dict[int, tuple[str, str]] = {}
    edges: list[graph.Edge] = []

    def entity_node(pk: int, etype: str, display: str) -> str:
        if pk not in entities:
            entities[pk] = (f"{ENTITY_NODE_KIND[etype]}:{pk}", display)
        return entities[pk][0]

    # 1. Mentions the viewer may see (never rejected ones).
    mentions = mentions_visible_to(user).exclude(status=MentionStatus.REJECTED)
    if not filters.include_unconfirmed:
        mentions = mentions.filter(status=MentionStatus.CONFIRMED)
    rows = list(mentions.values_list(
        "pk", "entity_id", "entity__type", "entity__display", "child_id", "child__kind", "child__given_name",
        "child__family_name", "child__known_as", "recorded_by_agency_id", "recorded_at", "source_type",
        "source_id", "relationship", "status", "resolved_person_id", "resolution_status").order_by("pk"))
    report_ids = {row[12] for row in rows if row[11] == REPORT_SOURCE and row[4] is None}
    source_dates = _source_dates(rows)
    report_subjects = _report_subjects(report_ids, visible_ids)
    # A person mention joins its person of concern when a person confirmed who it is, or when the narrative used
    # a name on that person's record (named by the machine: drawn as unconfirmed).
    identified = (ResolutionStatus.CONFIRMED, ResolutionStatus.NAMED)
    resolved_ids = {row[15] for row in rows if row[16] in identified and row[15] in visible_ids}
    resolved = {p["pk"]: p for p in visible_people.filter(pk__in=resolved_ids, kind=PersonKind.PERSON_OF_CONCERN)
                .values("pk", "kind", "given_name", "family_name", "known_as")}
    # Per source record: the entity nodes it mentions and the persons of concern it names (confirmed).
    record_entities: dict[str, list[tuple[str, int, date | None, bool]]] = defaultdict(list)
    # (person node -> whether the record's link to them is confirmed)
    record_persons: dict[str, dict[str, bool]] = defaultdict(dict)

    for (_pk, entity_id, etype, display, child_id, child_kind, given, family, known_as, agency_id, recorded_at,
         source_type, source_id, relationship, status, resolved_id, resolution) in rows:
        record = f"{source_type}:{source_id}"
        on = source_dates.get(record) or _day(recorded_at)
        confirmed = status == MentionStatus.CONFIRMED
        subjects: list[str] = []
        if child_id is not None and child_kind in PERSON_NODE_KIND:
            subjects.append(person_node(child_id, child_kind, given, family, known_as))
        elif source_type == REPORT_SOURCE:
            subjects.extend(person_node(p["pk"], p["kind"], p["given_name"], p["family_name"], p["known_as"])
                            for p in report_subjects.get(source_id, ()))
        if etype == EntityType.PERSON:
            person = resolved.get(resolved_id) if resolution in identified else None
            if person is None:
                continue
            confirmed = confirmed and resolution == ResolutionStatus.CONFIRMED
            person_key = person_node(person["pk"], person["kind"], person["given_name"], person["family_name"],
                                     person["known_as"])
            record_persons[record][person_key] = record_persons[record].get(person_key, False) or confirmed
            for subject in subjects:
                if subject != person_key:
                    edges.append(graph.Edge(subject, person_key, graph.RESOLUTION, agency_id, on, record,
                                            relationship, confirmed))
            continue
        if etype not in wanted_entities:
            continue
        node = entity_node(entity_id, etype, display)
        record_entities[record].append((node, agency_id, on, confirmed))
        for subject in subjects:
            edges.append(graph.Edge(subject, node, graph.MENTION, agency_id, on, record, relationship, confirmed))

    # 2. Co-mentions: a person of concern the record names and the other things it mentions (unconfirmed unless
    #    both are).
    for record, persons in record_persons.items():
        for person_key in sorted(persons):
            for node, agency_id, on, confirmed in record_entities.get(record, ()):
                edges.append(graph.Edge(person_key, node, graph.MENTION, agency_id, on, record, CO_MENTION,
                                        confirmed and persons[person_key]))

    # 3. Entities the link check treats as the same thing: a partial mark and the full marks it fits, a
    #    handle given without a platform and that handle on a platform. Only between nodes already here.
    _add_matches(user, entities, edges)

    # 4. Relationships between a child and a person of concern, both visible.
    visible_pks = visible_people.values("pk")
    relationships = (PersonRelationship.objects
                     .filter(from_person_id__in=visible_pks, to_person_id__in=visible_pks)
                     .values_list("pk", "from_person_id", "from_person__kind", "from_person__given_name",
                                  "from_person__family_name", "from_person__known_as", "to_person_id",
                                  "to_person__kind", "to_person__given_name", "to_person__family_name",
                                  "to_person__known_as", "kind", "recorded_by_agency_id", "recorded_on")
                     .order_by("pk"))
    for (pk, a, a_kind, a_given, a_family, a_known, b, b_kind, b_given, b_family, b_known, kind, agency_id,
         recorded_on) in relationships.iterator(chunk_size=5000):
        if {a_kind, b_kind} != {PersonKind.CHILD, PersonKind.PERSON_OF_CONCERN}:
            continue
        edges.append(graph.Edge(person_node(a, a_kind, a_given, a_family, a_known),
                                person_node(b, b_kind, b_given, b_family, b_known), graph.RELATIONSHIP, agency_id,
                                recorded_on, f"people.personrelationship:{pk}", RelationshipKind(kind).label))

    # 5. A person of concern's own phone, when the number is an entity the partnership's records mention.
    if EntityType.PHONE in wanted_entities:
        _add_person_phones(user, visible_people, person_node, entity_node, edges)

    edges = graph.filter_edges(edges, since=filters.since, until=filters.until)
    linked = {edge.source for edge in edges} | {edge.target for edge in edges}
    nodes = [graph.Node(key, key.split(":", 1)[0], label) for key, label in people.values() if key in linked]
    nodes += [graph.Node(key, key.split(":", 1)[0], label) for key, label in entities.values() if key in linked]
    agency_ids = {edge.agency_id for edge in edges if edge.agency_id is not None}
    agency_names = dict(Agency.objects.filter(pk__in=agency_ids).values_list("pk", "name"))
    return NetworkData(nodes, edges, partnership_wide=is_partnership_wide(user), agency_names=agency_names)


def _source_dates(rows) -> dict[str, date]:
    """The date each source record gives for what it describes (see SOURCE_DATES)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        if row[11] in SOURCE_DATES:
            wanted[row[11]].add(row[12])
    dates: dict[str, date] = {}
    for source_type, ids in wanted.items():
        app_label, model_name, field_name = SOURCE_DATES[source_type]
        model = apps.get_model(app_label, model_name)
        for pk, value in model.objects.filter(pk__in=ids).values_list("pk", field_name).iterator(chunk_size=5000):
            if value is not None:
                dates[f"{source_type}:{pk}"] = _day(value) if isinstance(value, datetime) else value
    return dates


def _add_matches(user, entities: dict[int, tuple[str, str]], edges: list[graph.Edge]) -> None:
    if not entities:
        return
    membership = user.active_membership
    rows = list(Entity.objects.filter(pk__in=list(entities)).filter(
        Q(type=EntityType.VEHICLE, is_partial=True) | Q(type=EntityType.ONLINE, platform="")
    ).exclude(handle="", type=EntityType.ONLINE))
    for entity in rows:
        if entity.type == EntityType.VEHICLE:
            fitting = [e.pk for e in full_marks_fitting(entity)]
            if len(fitting) > MAX_PARTIAL_ANCHORS:
                continue  # too vague to draw, as the link check judges it
            note = MATCH_PARTIAL
        else:
            fitting = list(Entity.objects.filter(partnership_id=membership.agency.partnership_id,
                                                 type=EntityType.ONLINE, handle=entity.handle)
                           .exclude(platform="").exclude(platform="email").values_list("pk", flat=True))
            note = MATCH_HANDLE
        for other in fitting:
            if other in entities and other != entity.pk:
                edges.append(graph.Edge(entities[entity.pk][0], entities[other][0], graph.MATCH, None, None,
                                        f"intelligence.entity:{entity.pk}", note))


def _report_subjects(report_ids: set[int], visible_ids: set[int]) -> dict[int, list[dict]]:
    """Each report's subject children and persons of concern that the viewer may see."""
    if not report_ids:
        return {}
    subjects: dict[int, list[dict]] = defaultdict(list)
    reports = IntelligenceReport.objects.filter(pk__in=report_ids)
    for relation in ("subject_children", "subject_persons"):
        for report_id, person in _subject_rows(reports, relation):
            if person["pk"] in visible_ids and person["kind"] in PERSON_NODE_KIND:
                subjects[report_id].append(person)
    return subjects


def _subject_rows(reports, relation: str) -> Iterable[tuple[int, dict]]:
    for report_id, pk, kind, given, family, known in reports.filter(**{f"{relation}__isnull": False}).values_list(
            "pk", f"{relation}__pk", f"{relation}__kind", f"{relation}__given_name", f"{relation}__family_name",
            f"{relation}__known_as"):
        yield report_id, {"pk": pk, "kind": kind, "given_name": given, "family_name": family, "known_as": known}


def _add_person_phones(user, visible_people, person_node, entity_node, edges: list[graph.Edge]) -> None:
    phones = list(PersonPhone.objects.filter(person__in=visible_people.filter(kind=PersonKind.PERSON_OF_CONCERN))
                  .exclude(number="")
                  .values_list("pk", "number", "person_id", "person__kind", "person__given_name",
                               "person__family_name", "person__known_as", "recorded_by_agency_id", "created_at"))
    if not phones:
        return
    membership = user.active_membership
    known = dict(Entity.objects.filter(partnership_id=membership.agency.partnership_id, type=EntityType.PHONE,
                                       key__in={row[1] for row in phones}).values_list("key", "pk"))
    display = dict(Entity.objects.filter(pk__in=known.values()).values_list("pk", "display"))
    for pk, number, person_id, kind, given, family, known_as, agency_id, created_at in phones:
        entity_id = known.get(number)
        if entity_id is None:
            continue
        edges.append(graph.Edge(person_node(person_id, kind, given, family, known_as),
                                entity_node(entity_id, EntityType.PHONE, display[entity_id]), graph.MENTION,
                                agency_id, _day(created_at), f"people.personphone:{pk}", PERSON_PHONE))


_SENTINEL = 987654321


def node_url_maker():
    """A function from node key to the node's own page ('' when it has none), reversing each URL once."""
    templates = {kind: reverse("people:detail", kwargs={"pk": _SENTINEL}) for kind in graph.PEOPLE_KINDS}
    try:
        entity = reverse("intelligence:entity_detail", kwargs={"pk": _SENTINEL})
    except NoReverseMatch:
        entity = ""
    for kind in graph.ENTITY_KINDS:
        templates[kind] = entity

    def url(key: str) -> str:
        kind, pk = key.split(":", 1)
        template = templates.get(kind, "")
        return template.replace(str(_SENTINEL), pk) if template else ""

    return url
