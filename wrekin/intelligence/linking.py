"""Recording what a record mentions, and the link check that runs the moment it is saved.

Other apps call `record_mentions(...)` inside the transaction that saves their record. It stores
the mentions typed into fields as *confirmed*, runs the extractor over the narrative and stores
what it finds as *unconfirmed* (the machine suggests, a person confirms), suggests which person
of concern a named person may be, writes one audit event, and runs `check_links` — which raises
or updates a LinkAlert wherever a shared entity now connects records about different children
or from different agencies.

The match rules (each has tests in tests/intelligence/test_entities*.py and test_alerts*.py):
- **exact**: the same entity after normalisation ("ab12cde" = "AB12 CDE";
  "07700 900123" = "+447700900123"). Near misses never link: AB12 CDE is not AB12 CDF.
- **partial vehicle marks**: a partial mark ("AB12 ?", "starts AB12", "AB12 C??", "ends CDE")
  links to every full mark its pattern accepts, and joins each such full mark's alert. Two
  different partial marks do not link to each other (too weak); the same partial mark twice does.
  A partial mark that fits no full mark anchors its own alert.
- **online handles**: the same handle on the same platform; a handle given without a platform
  links to that handle on any platform.
- **person mentions** (not transitive: each new mention is compared with earlier ones):
  - mentions confirmed as the same person of concern always link; mentions confirmed as
    different persons of concern never do;
  - a name found in a narrative, or typed with an age that fits, that is on one person of
    concern's record (the gazetteer: "Taz", their nickname) is *named* as that person,
    unconfirmed: it links with every mention confirmed or named as the same person, and never
    with one confirmed or named as another; with no age stated, it has that person's age
    (recorded birth year) for the rules below;
  - otherwise the first names must agree — the same, a nickname or other form of each other
    (wrekin.people.search.given_name_variants), the same phonetic key, or spelt within
    Jaro-Winkler 0.9 — and family names, when both are given, must agree the same way;
  - ages must be compatible: when both mentions give an approximate age, the ages (each aged
    to today from when it was recorded) differ by at most 3 years; when either has no age, the
    link needs a given name *and* a family name on both sides — a lone first name with no age
    ("Jay") would link half the partnership.

**When an alert is raised.** A group of linked mentions raises an alert once it spans at least
two different records *and* either two different children or two different agencies: the second
agency to mention a shared entity always raises one, and so does one agency recording it about a
second child. Records about the same child from the same agency are that agency's own
corroboration and raise nothing. Unconfirmed mentions count (a missed link costs more than a
review); the alert says how many are unconfirmed. Rejected mentions never count.

**One alert per link.** A later record naming the same entity updates the alert (mentions,
counts, explanation). If the alert had been reviewed, actioned or dismissed and the update
brings records the last decision did not see, it opens again as new, with a transition
recorded by the system.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import CharField, Count, Max, Min, Model, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from rapidfuzz.distance import JaroWinkler

from wrekin.audit.actions import record_event
from wrekin.intelligence.entities import (
    NO_KNOWN_END,
    EntityIdentity,
    create_missing_entities,
    existing_entities,
    identify,
    resolve_entity,
)
from wrekin.intelligence.extraction import CONFIRMED, REJECTED
from wrekin.intelligence.models import (
    Entity,
    EntityType,
    LinkAlert,
    LinkAlertMention,
    LinkAlertStatus,
    LinkAlertTransition,
    LinkBasis,
    Mention,
    MentionOrigin,
    MentionStatus,
    ResolutionStatus,
    VehicleMarkFormat,
)
from wrekin.intelligence.normalise import canonical_platform
from wrekin.people.models import Person, PersonKind
from wrekin.people.names import name_key, normalise_name
from wrekin.people.search import given_name_variants, search_people

AGE_TOLERANCE_YEARS = 3
NAME_SIMILARITY = 0.9
RESOLUTION_MIN_SCORE = 0.85
# A partial mark fitting more full marks than this is too vague to join their alerts one by one.
MAX_PARTIAL_ANCHORS = 25
# Up to this many mentions joining an existing alert are counted in one by one; more, and the alert
# is recounted.
INCREMENTAL_LIMIT = 4
# Person mentions compared per new mention (the most recent first, each way of finding them).
MAX_PERSON_CANDIDATES = 200

# Types whose new entity cannot link to any other entity (only vehicles have partial marks, only
# handles match across platforms, and person mentions match by name).
ALONE_WHEN_NEW = frozenset({EntityType.PHONE, EntityType.LOCATION, EntityType.BUSINESS})

_AGE_PATTERNS = (
    (re.compile(r"\b(?:aged?|about|approx(?:imately)?\.?|around|roughly|circa|c\.|~)\s*(\d{1,2})\b", re.I), None),
    (re.compile(r"\b(\d{1,2})\s*(?:yo|y/o|yrs?|years?)\b", re.I), None),
    (re.compile(r"\b(early|mid|late)[\s-]*(\d)0s\b", re.I), {"early": 2, "mid": 5, "late": 8}),
    (re.compile(r"\b(\d)0s\b", re.I), "decade"),
)


def parse_age(text: str) -> int | None:
    """An approximate age from how it is written: "about 25", "25yo", "mid 20s" (25), "in his 30s" (35)."""
    for pattern, kind in _AGE_PATTERNS:
        if match := pattern.search(text or ""):
            if kind is None:
                return int(match.group(1))
            if kind == "decade":
                return int(match.group(1)) * 10 + 5
            return int(match.group(2)) * 10 + kind[match.group(1).lower()]
    return None


# --- Sources ----------------------------------------------------------------------------------

def source_ref(source) -> tuple[str, int]:
    """("app_label.model", id) for a saved model instance, or the pair itself."""
    if isinstance(source, Model):
        if source.pk is None:
            raise ValueError("Save the record before recording what it mentions")
        return source._meta.label_lower, int(source.pk)
    source_type, source_id = source
    return str(source_type), int(source_id)


def _default_title(source, agency) -> str:
    if isinstance(source, Model):
        return f"{str(source._meta.verbose_name).capitalize()} from {agency.name}"[:200]
    return f"Record from {agency.name}"[:200]


# --- Recording mentions -----------------------------------------------------------------------

@dataclass
class _Pending:
    entity: Entity
    as_typed: str
    origin: str
    status: str
    relationship: str = ""
    detail: str = ""
    span: tuple[int, int] | None = None
    nickname: str = ""
    approximate_age: int | None = None
    description: str = ""
    named_person_id: int | None = None
    reviewed: bool = False


# record_mentions' default gazetteer: the names the actor may have recorded (wrekin.intelligence.gazetteer).
ACTORS_GAZETTEER = object()


def _clip(value, limit: int) -> str:
    return str(value or "").strip()[:limit]


def _age(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        age = int(value)
    except (TypeError, ValueError):
        return parse_age(str(value))
    return age if 0 < age < 120 else None


def _platform_in(text: str) -> str:
    """A platform named in free text ("Snapchat", "on insta"), for handles typed without one."""
    for word in re.findall(r"[a-z]+", (text or "").lower()):
        if platform := canonical_platform(word):
            return platform
    return ""


def _structured(item: Mapping, n: int, *, today: date) -> tuple[str, dict]:
    type_ = item.get("type") or item.get("kind") or ""
    value = _clip(item.get("value"), 300)
    details = {k: item.get(k) for k in ("make", "model", "colour", "address", "postcode", "premises_name",
                                         "premises_type", "business_kind", "licence_number", "platform")}
    if type_ in ("online", "handle") and not details["platform"]:
        details["platform"] = _platform_in(item.get("detail") or "")
    try:
        identity = identify(type_, value, today=today, **details)
    except ValidationError as error:
        message = "; ".join(m for messages in error.message_dict.values() for m in messages)
        raise ValidationError({"mentions": f"Mention {n}: {message}"}) from None
    return value, {"identity": identity}


def record_mentions(
    *,
    actor,
    source,
    child: Person | None,
    structured: Iterable[Mapping] = (),
    narrative: str = "",
    extracted_unconfirmed: bool = True,
    source_title: str = "",
    recorded_at: datetime | None = None,
    gazetteer=ACTORS_GAZETTEER,
    today: date | None = None,
    strict: bool = True,
    decisions: Mapping[tuple[str, str], str] | None = None,
) -> list[Mention]:
    """Record what a saved record mentions, then run the link check. Returns the new mentions.

    Call it inside the transaction that saved `source`, after the caller's own permission check
    (the caller decided the actor may record that record about that child). `structured` items
    are mappings with `type` (or referrals' `kind`: person, vehicle, phone, place, business,
    online) and `value`, optionally `relationship`, `detail` and type details (make, model,
    colour; address, postcode, premises_name, premises_type; business_kind, licence_number;
    platform; nickname, approximate_age, description). They are stored confirmed: a person
    typed them. What the extractor finds in `narrative` is stored unconfirmed (or confirmed
    when `extracted_unconfirmed` is False, for callers whose narrative a person has already
    reviewed), except what a structured item already names. A structured item that names
    nothing usable raises ValidationError({"mentions": ...}) and nothing is recorded — unless
    `strict` is False, for callers that keep every mention as typed in their own records
    (referrals keep ReferralMention rows): then it is skipped, as there is nothing to link on.
    The extractor also finds the names of known people and places: by default those of the actor's
    partnership that the actor may see (wrekin.intelligence.gazetteer.gazetteer_for_user, the rule the
    live suggestions follow: persons of concern through the access policy, places partnership-wide).
    A named place or business is recorded as that entity; a name that is on exactly one person of
    concern's record is recorded as a person mention *named* as that person (unconfirmed), which links
    with other mentions of them — and so is a typed person whose whole name is one, unless the age
    typed does not fit theirs. Pass another `gazetteer` (extraction.Gazetteer, or what
    gazetteer_for_user gives), or None for identifiers only (marks, phones, postcodes, e-mail, handles).
    `decisions` are the writer's answers to the suggestions their form showed, by (type, normalised) of what
    the extractor finds (extraction.CONFIRMED or REJECTED): a rejected one is not recorded, a confirmed one is
    recorded confirmed and reviewed by the writer — the machine suggests, a person decides.
    """
    agency = getattr(actor, "agency", None)
    if agency is None:
        raise PermissionDenied("Only members of an agency record what records mention")
    partnership = agency.partnership
    source_type, source_id = source_ref(source)
    now = recorded_at or timezone.now()
    today = today or timezone.localdate()
    source_title = _clip(source_title, 200) or _default_title(source, agency)

    with transaction.atomic():
        pending: list[_Pending] = []
        # A record names each entity once per child: saving more of a record (a return added to a
        # missing episode, say) does not repeat what it already mentions.
        seen: set[int] = set(Mention.objects.filter(source_type=source_type, source_id=source_id, child=child)
                             .values_list("entity_id", flat=True))
        typed: list[tuple[Mapping, str, object]] = []
        for n, item in enumerate(structured, start=1):
            try:
                value, parsed = _structured(item, n, today=today)
            except ValidationError:
                if strict:
                    raise
                continue
            typed.append((item, value, parsed["identity"]))
        found_items = []
        if gazetteer is ACTORS_GAZETTEER:
            wants_names = bool((narrative or "").strip()) or any(i.type == EntityType.PERSON for _, _, i in typed)
            gazetteer = _actors_gazetteer(actor) if wants_names else None
        extracted = extract_entities(narrative, gazetteer=gazetteer, today=today)
        places = _known_places(partnership, extracted)
        for found in extracted:
            try:
                identity = places.get(id(found)) or identify_extracted(found, today=today)
            except ValidationError:
                continue  # the extractor found something the entity rules cannot key: nothing to link
            found_items.append((found, identity))
        identities = [i for _, _, i in typed] + [i for _, i in found_items]
        known = existing_entities(partnership, identities)
        create_missing_entities(partnership, identities, known, actor=actor)
        typed_ages = [(_age(item.get("approximate_age")) or parse_age(_clip(item.get("detail"), 500))
                       if identity.type == EntityType.PERSON else None) for item, _, identity in typed]
        typed_named = _typed_names(gazetteer, typed, typed_ages, today)
        for n, (item, value, identity) in enumerate(typed):
            entity = resolve_entity(partnership=partnership, identity=identity, actor=actor, known=known)
            if entity.pk in seen:
                continue
            seen.add(entity.pk)
            pending.append(_Pending(
                entity=entity, as_typed=value, origin=MentionOrigin.STRUCTURED, status=MentionStatus.CONFIRMED,
                relationship=_clip(item.get("relationship"), 200), detail=_clip(item.get("detail"), 500),
                nickname=_clip(item.get("nickname"), 100), approximate_age=typed_ages[n],
                description=_clip(item.get("description"), 500), named_person_id=typed_named.get(n)))
        for found, identity in found_items:
            decision = (decisions or {}).get((found.type, found.normalised))
            if decision == REJECTED:
                continue
            entity = resolve_entity(partnership=partnership, identity=identity, actor=actor, known=known)
            if entity.pk in seen:
                continue
            seen.add(entity.pk)
            span = tuple(found.span) if getattr(found, "span", None) else None
            confirmed = decision == CONFIRMED or not extracted_unconfirmed
            pending.append(_Pending(
                entity=entity, as_typed=_clip(found.value, 300), origin=MentionOrigin.EXTRACTED,
                status=MentionStatus.CONFIRMED if confirmed else MentionStatus.UNCONFIRMED,
                span=span, named_person_id=_named_person(found), reviewed=decision == CONFIRMED))
        if not pending:
            return []
        named_born = _birth_years({p.named_person_id for p in pending if p.named_person_id})
        mentions = Mention.objects.bulk_create([
            Mention(partnership=partnership, entity=p.entity, source_type=source_type, source_id=source_id,
                    source_title=source_title, child=child, recorded_by=actor, recorded_by_agency=agency,
                    recorded_at=now, relationship=p.relationship, as_typed=p.as_typed or p.entity.display,
                    detail=p.detail, origin=p.origin, span_start=p.span[0] if p.span else None,
                    span_end=p.span[1] if p.span else None, status=p.status, nickname=p.nickname,
                    approximate_age=p.approximate_age, description=p.description,
                    birth_year=(timezone.localtime(now).year - p.approximate_age if p.approximate_age
                                else named_born.get(p.named_person_id)),
                    resolved_person_id=p.named_person_id,
                    resolution_status=ResolutionStatus.NAMED if p.named_person_id else "",
                    resolution_score=1.0 if p.named_person_id else None,
                    reviewed_by=actor if p.reviewed else None, reviewed_at=now if p.reviewed else None)
            for p in pending
        ])
        for mention, p in zip(mentions, pending, strict=True):
            mention.entity = p.entity
        _suggest_resolutions(partnership, [m for m in mentions if m.entity.type == EntityType.PERSON
                                           and not m.resolution_status], today)
        by_type: dict[str, int] = {}
        for mention in mentions:
            by_type[mention.entity.type] = by_type.get(mention.entity.type, 0) + 1
        record_event("intelligence.mentions_recorded", actor=actor, person=child,
                     target=source if isinstance(source, Model) else None, details={
                         "source": f"{source_type}:{source_id}", "mentions": len(mentions), "types": by_type,
                         "unconfirmed": sum(1 for m in mentions if m.status == MentionStatus.UNCONFIRMED),
                         "confirmed_suggestions": sum(1 for p in pending if p.reviewed)})
        # The link check, after the record's event (the alerts it raises are audited just after it).
        # Alerts change now, whatever date the record carries (imports may back-date records).
        check_links(mentions, actor=actor, now=timezone.now(), today=today)
    return mentions


def _actors_gazetteer(actor):
    from wrekin.intelligence.gazetteer import gazetteer_for_user

    return gazetteer_for_user(actor)


def _named_person(found) -> int | None:
    """The person of concern a name found in a narrative belongs to, when it is one person's name alone."""
    if getattr(found, "type", "") != "person":
        return None
    ids = (getattr(found, "detail", None) or {}).get("ids") or ()
    return int(ids[0]) if len(ids) == 1 else None


def _birth_years(person_ids: set[int]) -> dict[int, int]:
    """Persons of concern's (estimated) birth years: a mention that names one without stating an age is aged
    as they are, so the person rules can compare it with mentions that give an age ("Taz, about 25")."""
    if not person_ids:
        return {}
    return dict(Person.objects.filter(pk__in=person_ids, birth_year__isnull=False).values_list("pk", "birth_year"))


def _typed_names(gazetteer, typed: list[tuple[Mapping, str, object]], ages: list[int | None],
                 today: date) -> dict[int, int]:
    """The person of concern each typed person mention names, by index, when its whole value is one of the
    names on exactly one person of concern's record (those the writer may see: the gazetteer's rule).

    Typed names are read as narrative names are: "Taz" typed in the form and "Taz" written in a narrative are
    the same person of concern's nickname. But a typed mention often gives an age, and an age that does not
    fit the person (more than AGE_TOLERANCE_YEARS apart: the same nickname twenty years older) names nobody.
    """
    if gazetteer is None or not any(i.type == EntityType.PERSON for _, _, i in typed):
        return {}
    candidates: dict[int, int] = {}
    for n, (_, value, identity) in enumerate(typed):
        if identity.type != EntityType.PERSON:
            continue
        text = value.strip()
        found = [f for f in gazetteer.find(text) if f.type == "person"]
        if len(found) == 1 and tuple(found[0].span) == (0, len(text)) and (person := _named_person(found[0])):
            candidates[n] = person
    if not candidates:
        return {}
    people = Person.objects.in_bulk(set(candidates.values()))
    named = {}
    for n, person_id in candidates.items():
        person = people.get(person_id)
        person_age = person.age_on(today) if person else None
        if person and (ages[n] is None or person_age is None or abs(ages[n] - person_age) <= AGE_TOLERANCE_YEARS):
            named[n] = person_id
    return named


def _known_places(partnership, extracted: list) -> dict[int, EntityIdentity]:
    """The entity each named place or business found by the gazetteer is (by id(found)), in one query.

    The gazetteer knows which entity a name belongs to: the premises "Tasty Chicken, TF1 2AB" is written
    "Tasty Chicken" in a narrative, and keying the text afresh would make a second entity without the
    postcode. A name shared by several entities (two branches) names none of them for certain: it is keyed
    from the text as written, and links with other records that name it the same way.
    """
    wanted = {}
    for found in extracted:
        ids = (found.detail or {}).get("ids") or ()
        if found.type in (EntityType.LOCATION, EntityType.BUSINESS) and len(ids) == 1:
            wanted[id(found)] = (int(ids[0]), found)
    if not wanted:
        return {}
    rows = Entity.objects.filter(partnership=partnership, pk__in={pk for pk, _ in wanted.values()},
                                 type__in=(EntityType.LOCATION, EntityType.BUSINESS))
    entities = {e.pk: e for e in rows}
    identities = {}
    for key, (pk, found) in wanted.items():
        entity = entities.get(pk)
        # The name is checked too: a cached gazetteer could outlive a save that was rolled back.
        if entity is not None and entity.type == found.type and found.normalised == (
                entity.premises_name if entity.type == EntityType.LOCATION else entity.display):
            identities[key] = EntityIdentity(entity.type, entity.key, entity.display)
    return identities


def extract_entities(narrative: str, *, gazetteer=None, today: date | None = None) -> list:
    """What the extractor finds in a narrative: Extracted items with type, value, normalised, span, detail."""
    if not (narrative or "").strip():
        return []
    from wrekin.intelligence.extraction import extract

    return list(extract(narrative, gazetteer, today=today))


def identify_extracted(found, *, today: date | None = None):
    """The entity identity of one extractor suggestion (wrekin.intelligence.extraction.Extracted).

    Keys come from the suggestion's normalised form where it has one (vehicle marks, phones,
    postcodes, e-mail, handles), and from the text as written for known names.
    """
    detail = getattr(found, "detail", None) or {}
    if found.type == "handle":
        return identify("online", found.normalised or found.value, platform=detail.get("platform", ""))
    if found.type in ("vehicle", "phone", "postcode", "email"):
        return identify(found.type, found.normalised or found.value, today=today)
    return identify(found.type, found.value, today=today)


def _suggest_resolutions(partnership, mentions: list[Mention], today: date) -> None:
    """Suggest the person of concern each named person may be. A person confirms it (see alerts.py)."""
    if not mentions:
        return
    persons = Person.objects.filter(partnership=partnership, kind=PersonKind.PERSON_OF_CONCERN)
    for mention in mentions:
        text = mention.entity.name + (f" aged {mention.approximate_age}" if mention.approximate_age else "")
        matches = search_people(persons, text, limit=1, today=today)
        if matches and matches[0].score >= RESOLUTION_MIN_SCORE:
            mention.resolved_person = matches[0].person
            mention.resolution_status = ResolutionStatus.SUGGESTED
            mention.resolution_score = matches[0].score
            mention.save(update_fields=["resolved_person", "resolution_status", "resolution_score"])


# --- The link check ---------------------------------------------------------------------------

@dataclass
class LinkGroup:
    """Mentions that share an entity (or a person), and the alert they belong to."""

    link_key: str
    anchor: Entity
    basis: str
    # Entity groups: entity id -> why its mentions belong. Person groups: mention id -> why.
    entity_reasons: dict[int, str] = field(default_factory=dict)
    mention_reasons: dict[int, str] = field(default_factory=dict)
    # Entity groups of a full vehicle mark: the partial marks that fit it, as shown (None: not looked up).
    partials: list[str] | None = None
    # Person groups: the mentions joined, as the person rules read them.
    people: dict[int, PersonMention] = field(default_factory=dict)

    def mentions(self) -> QuerySet[Mention]:
        if self.entity_reasons:
            return Mention.objects.filter(entity_id__in=list(self.entity_reasons))
        return Mention.objects.filter(pk__in=list(self.mention_reasons))


@dataclass(frozen=True)
class LinkCounts:
    mentions: int
    records: int
    children: int
    agencies: int
    unconfirmed: int
    first: datetime | None
    last: datetime | None

    @property
    def raises_alert(self) -> bool:
        return self.records >= 2 and (self.children >= 2 or self.agencies >= 2)


def link_counts(mentions: QuerySet[Mention]) -> LinkCounts:
    """Counts over the mentions that are not rejected, in one query."""
    live = mentions.exclude(status=MentionStatus.REJECTED)
    record = Concat("source_type", Value(":"), Cast("source_id", CharField()), output_field=CharField())
    totals = live.aggregate(
        mentions=Count("pk"), records=Count(record, distinct=True), children=Count("child", distinct=True),
        agencies=Count("recorded_by_agency", distinct=True),
        unconfirmed=Count("pk", filter=Q(status=MentionStatus.UNCONFIRMED)),
        first=Min("recorded_at"), last=Max("recorded_at"))
    return LinkCounts(totals["mentions"], totals["records"], totals["children"], totals["agencies"],
                      totals["unconfirmed"], totals["first"], totals["last"])


def _counts_of(rows: list[_Row]) -> LinkCounts:
    """link_counts, for mentions already read (none rejected)."""
    times = [r.recorded_at for r in rows]
    return LinkCounts(len(rows), len({(r.source_type, r.source_id) for r in rows}),
                      len({r.child_id for r in rows if r.child_id is not None}),
                      len({r.recorded_by_agency_id for r in rows}),
                      sum(1 for r in rows if r.status == MentionStatus.UNCONFIRMED),
                      min(times) if times else None, max(times) if times else None)


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def explain(subject: str, counts: LinkCounts, notes: Iterable[str] = ()) -> str:
    """"vehicle AB12 CDE is mentioned in 3 records about 3 children from 2 agencies in 21 days"."""
    parts = [f"{subject} is mentioned in {_plural(counts.records, 'record', 'records')}"]
    if counts.children:
        parts.append(f"about {_plural(counts.children, 'child', 'children')}")
    parts.append(f"from {_plural(counts.agencies, 'agency', 'agencies')}")
    if counts.first and counts.last:
        days = (timezone.localtime(counts.last).date() - timezone.localtime(counts.first).date()).days
        parts.append("on the same day" if days == 0 else f"in {_plural(days, 'day', 'days')}")
    text = " ".join(parts) + "."
    for note in notes:
        text += f" {note}"
    if counts.unconfirmed:
        text += (f" {_plural(counts.unconfirmed, 'mention was', 'mentions were')} found by the machine "
                 "and not yet confirmed.")
    return text


def check_links(mentions: Iterable[Mention], *, actor=None, now: datetime | None = None,
                today: date | None = None, just_saved: bool = True) -> list[LinkAlert]:
    """Raise or update the link alerts these (just saved or just reviewed) mentions take part in.

    `just_saved` says the mentions are new (no alert holds them yet), so an alert whose entities
    they name can count them in without recounting; False (a reviewed mention) recounts.

    Writes `link_alert.raised` for each alert raised, `link_alert.reopened` for each alert opened
    again, and one `link_alert.updated` listing the alerts that gained mentions.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    mentions = [m for m in mentions if m.status != MentionStatus.REJECTED]
    # An entity created by this save has no other mention: on its own it cannot link anything.
    new_entities = {m.entity_id for m in mentions if getattr(m.entity, "just_created", False)}
    fresh: dict[int, list[Mention]] = {}
    for mention in mentions:
        fresh.setdefault(mention.entity_id, []).append(mention)
    groups: dict[str, LinkGroup] = {}
    # The partial marks that fit each full mark named, for all of them in one query.
    full_marks = {m.entity.pk: m.entity for m in mentions if _has_partials(m.entity)}
    fitting = _partials_fitting_many(list(full_marks.values())) if full_marks else {}
    for mention in mentions:
        entity = mention.entity
        if entity.pk in new_entities and entity.type in ALONE_WHEN_NEW:
            continue
        for group in (_person_groups(mention, today=today) if entity.type == EntityType.PERSON
                      else _entity_groups(entity, fitting)):
            if group.link_key in groups:
                continue
            if group.entity_reasons and set(group.entity_reasons) <= new_entities:
                continue
            groups[group.link_key] = group
    if not groups:
        return []
    # The alerts these groups already have, locked, and the entities they hold: two queries for all.
    partnership_id = next(iter(groups.values())).anchor.partnership_id
    existing = {a.link_key: a for a in LinkAlert.objects.select_for_update().filter(
        partnership_id=partnership_id, link_key__in=list(groups)).order_by("pk")}
    held: dict[int, set[int]] = {}
    for alert_id, entity_id in LinkAlert.entities.through.objects.filter(
            linkalert_id__in=[a.pk for a in existing.values()]).values_list("linkalert_id", "entity_id"):
        held.setdefault(alert_id, set()).add(entity_id)
    maybe = _may_raise([g for key, g in groups.items() if key not in existing])
    # Every alert this check raises, inserted at once (one savepoint, one INSERT): a save whose partial mark fits
    # several full marks raises several, and on PostgreSQL each round trip is waited for.
    raised = _raise_alerts([groups[key] for key in maybe], maybe, now)
    fresh_ids = {m.pk for m in mentions} if just_saved else set()
    batch = _Batch(now)
    # (group, alert, the mentions joining it — None for an alert raised by this check), in the groups' order.
    plans: list[tuple[LinkGroup, LinkAlert, list[Mention | _Row] | None]] = []
    for key, group in groups.items():
        alert = existing.get(key)
        if alert is None and key not in maybe:
            continue
        if alert is None:
            alert, raced_held = raised[key]
            if raced_held is None:
                plans.append((group, alert, None))
                continue
            # Another save raised it a moment ago (`alert` is that one, locked): join this save's mentions to it.
            held[alert.pk] = raced_held
        plans.append((group, alert, _joining_rows(alert, group, fresh=fresh if just_saved else None,
                                                  held=held.get(alert.pk, set()), batch=batch,
                                                  new_entities=new_entities)))
    # The alerts gaining a few mentions are counted in with one query for all of them.
    counted = _counts_after_joining([(alert, rows) for _, alert, rows in plans
                                     if rows and len(rows) <= INCREMENTAL_LIMIT])
    alerts: list[LinkAlert] = []
    updated: dict[int, int] = {}
    for group, alert, rows in plans:
        alerts.append(alert)
        if rows is None:
            _announce_raised(alert, group, maybe[group.link_key], actor=actor, now=now, fresh_ids=fresh_ids,
                             batch=batch)
        elif joined := _update_alert(alert, group, rows, counted.get(alert.pk), actor=actor, now=now, batch=batch):
            updated[alert.pk] = joined
    batch.flush()
    if updated:
        record_event("link_alert.updated", actor=actor, details={
            "alerts": sorted(updated), "joined": sum(updated.values())})
    return alerts


def _may_raise(groups: list[LinkGroup]) -> dict[str, list[_Row]]:
    """The groups (without an alert) whose mentions now reach the threshold, by link key, each with its
    mentions (not rejected, in id order): one query for all.

    check_links raises each alert from the mentions read here (the link check writes no mentions, so they
    are what a query of its own would read).
    """
    if not groups:
        return {}
    entity_ids = {e for g in groups for e in g.entity_reasons}
    mention_ids = {m for g in groups for m in g.mention_reasons}
    rows = (Mention.objects.filter(Q(entity_id__in=entity_ids) | Q(pk__in=mention_ids))
            .exclude(status=MentionStatus.REJECTED).order_by().values_list(*_ROW_FIELDS))
    by_entity: dict[int, list[_Row]] = {}
    by_mention: dict[int, _Row] = {}
    for values in rows.iterator(chunk_size=5000):
        row = _Row(*values)
        by_entity.setdefault(row.entity_id, []).append(row)
        if row.pk in mention_ids:
            by_mention[row.pk] = row
    raising = {}
    for group in groups:
        held = {r.pk: r for entity_id in group.entity_reasons for r in by_entity.get(entity_id, ())}
        held.update((m, by_mention[m]) for m in group.mention_reasons if m in by_mention)
        records = {(r.source_type, r.source_id) for r in held.values()}
        children = {r.child_id for r in held.values() if r.child_id is not None}
        agencies = {r.recorded_by_agency_id for r in held.values()}
        if len(records) >= 2 and (len(children) >= 2 or len(agencies) >= 2):
            raising[group.link_key] = [held[pk] for pk in sorted(held)]
    return raising


class _Batch:
    """Writes that can wait to the end of a link check and go as one query each."""

    FIELDS = ["basis", "status", "explanation", "mention_count", "record_count", "child_count", "agency_count",
              "unconfirmed_count", "first_mentioned_at", "last_mentioned_at", "updated_at"]

    def __init__(self, now: datetime):
        self.now = now
        self.links: list[LinkAlertMention] = []
        self.members: list = []
        self.alerts: dict[int, LinkAlert] = {}

    def flush(self) -> None:
        if self.members:
            LinkAlert.entities.through.objects.bulk_create(self.members, ignore_conflicts=True)
        if self.links:
            LinkAlertMention.objects.bulk_create(self.links, ignore_conflicts=True)
        if self.alerts:
            _update_alerts(list(self.alerts.values()), self.FIELDS)


def _update_alerts(alerts: list[LinkAlert], fields: list[str]) -> None:
    """Write these fields of each alert, as bulk_update would: one UPDATE statement, run for every alert.

    Measured (docs/benchmarks.md, "Link check on save"): bulk_update builds a CASE WHEN expression for every
    field of every alert, about 9 ms a save under the profiler, the link check's biggest single cost; this
    statement is built once. Raw SQL: table and column names come from the model, every value is a parameter
    prepared by its field.
    """
    columns = [LinkAlert._meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column.column)} = %s" for column in columns)
    sql = f"UPDATE {quote(LinkAlert._meta.db_table)} SET {assignments} WHERE {quote(LinkAlert._meta.pk.column)} = %s"  # noqa: S608 # nosec B608
    rows = [[column.get_db_prep_save(getattr(alert, column.attname), connection) for column in columns] + [alert.pk]
            for alert in alerts]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


# Entity groups: vehicles, phones, locations, businesses, handles.

def _exact_group(anchor: Entity, fitting: list[Entity] | None = None) -> LinkGroup:
    """The group of an entity: itself, the partial marks that fit it (`fitting`, when the caller looked
    them up already) and, for a handle, the same handle given without a platform."""
    group = LinkGroup(f"entity:{anchor.pk}", anchor, LinkBasis.EXACT,
                      entity_reasons={anchor.pk: f"names {anchor.label}"})
    if _has_partials(anchor):
        fitting = _partials_fitting(anchor) if fitting is None else fitting
        group.partials = [p.display for p in sorted(fitting, key=lambda e: e.key)]
        for partial in fitting:
            group.entity_reasons[partial.pk] = f"partial mark {partial.display} fits {anchor.display}"
            group.basis = LinkBasis.PARTIAL
    if anchor.type == EntityType.ONLINE and anchor.platform and anchor.platform != "email":
        for other in Entity.objects.filter(partnership_id=anchor.partnership_id, type=EntityType.ONLINE,
                                           handle=anchor.handle, platform=""):
            group.entity_reasons[other.pk] = (f"handle @{other.handle} given without a platform "
                                              f"matches {anchor.display}")
    return group


def _has_partials(entity: Entity) -> bool:
    """Whether partial marks can fit the entity: a full vehicle mark in a recognised format."""
    return (entity.type == EntityType.VEHICLE and not entity.is_partial
            and entity.mark_format not in ("", VehicleMarkFormat.UNRECOGNISED))


def _partials_fitting(full: Entity) -> list[Entity]:
    """Partial marks this full mark fits: looked up by each of its leading and trailing substrings."""
    return _partials_fitting_many([full])[full.pk]


def _partials_fitting_many(fulls: list[Entity]) -> dict[int, list[Entity]]:
    """The partial marks each full mark fits, for several marks in one query.

    Two index look-ups by equality (a UNION: SQLite does not combine OR-ed conditions on different
    indexed columns well), by every leading and trailing substring; the pattern then decides.
    """
    prefixes, suffixes = {NO_KNOWN_END}, set()
    for full in fulls:
        prefixes.update(full.key[:i] for i in range(1, len(full.key) + 1))
        suffixes.update(full.key[i:] for i in range(len(full.key)))
    partials = Entity.objects.filter(partnership_id=fulls[0].partnership_id, type=EntityType.VEHICLE,
                                     is_partial=True).order_by()
    found = sorted({p.pk: p for p in partials.filter(partial_prefix__in=sorted(prefixes)).union(
        partials.filter(partial_suffix__in=sorted(suffixes)))}.values(), key=lambda e: e.pk)
    return {full.pk: [p for p in found if p.pattern and re.fullmatch(p.pattern, full.key)] for full in fulls}


def _full_marks_fitting(partial: Entity) -> list[Entity]:
    # is_partial=False also leaves out unrecognised text ("~..."), which is outside every range below.
    base = Entity.objects.filter(partnership_id=partial.partnership_id, type=EntityType.VEHICLE,
                                 is_partial=False).order_by()
    # Keys are upper-case letters and digits, so [prefix, prefix + "ZZ..."] holds every key that
    # starts with the prefix, in byte order and in the usual language collations alike.
    if partial.partial_prefix and partial.partial_prefix != NO_KNOWN_END:
        candidates = base.filter(key__gte=partial.partial_prefix, key__lte=partial.partial_prefix + "Z" * 12)
    elif partial.partial_suffix:
        tail = partial.partial_suffix[::-1]
        candidates = base.filter(reversed_key__gte=tail, reversed_key__lte=tail + "Z" * 12)
    else:
        candidates = base.filter(key__regex=f"^{partial.pattern}$")
    return [e for e in candidates.order_by("pk")[:5000] if re.fullmatch(partial.pattern, e.key)]


def _entity_groups(entity: Entity, fitting: Mapping[int, list[Entity]] | None = None) -> list[LinkGroup]:
    """The groups a mention of the entity joins; `fitting`: the partial marks that fit full marks, looked up
    already by the caller (a full mark not in it is looked up here)."""
    if entity.type == EntityType.VEHICLE and entity.is_partial:
        anchors = _full_marks_fitting(entity)
        if anchors and len(anchors) <= MAX_PARTIAL_ANCHORS:
            fitting_anchors = _partials_fitting_many(anchors)
            return [_exact_group(anchor, fitting_anchors[anchor.pk]) for anchor in anchors]
        group = LinkGroup(f"entity:{entity.pk}", entity, LinkBasis.EXACT,
                          entity_reasons={entity.pk: f"names {entity.label}"})
        return [group]
    if entity.type == EntityType.ONLINE and not entity.platform:
        anchors = list(Entity.objects.filter(partnership_id=entity.partnership_id, type=EntityType.ONLINE,
                                             handle=entity.handle).exclude(platform="").exclude(platform="email"))
        if anchors:
            return [_exact_group(anchor) for anchor in anchors]
    return [_exact_group(entity, (fitting or {}).get(entity.pk))]


# Person groups.

_name_key = lru_cache(maxsize=16384)(name_key)


@lru_cache(maxsize=16384)
def _given_and_family(text: str) -> tuple[str, str]:
    tokens = normalise_name(text).split()
    if not tokens:
        return "", ""
    return tokens[0], tokens[-1] if len(tokens) > 1 else ""


@lru_cache(maxsize=65536)
def _given_agrees(a: str, b: str) -> str:
    """Why two first names may be one person's, or '' if they may not."""
    if not a or not b:
        return ""
    if a == b:
        return f"the same first name “{a.title()}”"
    if b in given_name_variants(a) or a in given_name_variants(b):
        return f"“{a.title()}” is a form of “{b.title()}”"
    if len(a) > 1 and len(b) > 1 and _name_key(a) == _name_key(b):
        return f"“{a.title()}” sounds like “{b.title()}”"
    if JaroWinkler.normalized_similarity(a, b) >= NAME_SIMILARITY:
        return f"“{a.title()}” is spelt like “{b.title()}”"
    return ""


@lru_cache(maxsize=65536)
def _family_agrees(a: str, b: str) -> str:
    if a == b:
        return f"the same family name “{a.title()}”"
    if _name_key(a) == _name_key(b):
        return f"“{a.title()}” sounds like “{b.title()}”"
    if JaroWinkler.normalized_similarity(a, b) >= NAME_SIMILARITY:
        return f"“{a.title()}” is spelt like “{b.title()}”"
    return ""


@dataclass(frozen=True)
class PersonMention:
    """What the person rules read of a mention: its name, nickname, age and confirmed person."""

    pk: int
    name: str
    display: str
    nickname: str
    approximate_age: int | None
    recorded_at: datetime | None
    confirmed_person_id: int | None
    # A name on one person of concern's record, found in the narrative by the gazetteer (not confirmed).
    named_person_id: int | None = None
    # Birth year: from the age given, or, for a mention named as a person of concern without an age, theirs.
    birth_year: int | None = None

    @classmethod
    def of(cls, mention: Mention) -> PersonMention:
        status = mention.resolution_status
        return cls(mention.pk, mention.entity.name, mention.entity.display, mention.nickname,
                   mention.approximate_age, mention.recorded_at,
                   mention.resolved_person_id if status == ResolutionStatus.CONFIRMED else None,
                   mention.resolved_person_id if status == ResolutionStatus.NAMED else None, mention.birth_year)

    @property
    def person_id(self) -> int | None:
        """The person of concern this mention is known to be (confirmed) or was named as (by the machine)."""
        return self.confirmed_person_id or self.named_person_id


_PERSON_FIELDS = ("pk", "entity__name", "entity__display", "nickname", "approximate_age", "recorded_at",
                  "resolved_person_id", "resolution_status", "birth_year")


def _person_row(row: tuple) -> PersonMention:
    pk, name, display, nickname, age, recorded_at, person_id, status, born = row
    return PersonMention(pk, name, display, nickname, age, recorded_at,
                         person_id if status == ResolutionStatus.CONFIRMED else None,
                         person_id if status == ResolutionStatus.NAMED else None, born)


# Resolutions that say which person of concern a mention is: confirmed by a person, or named by the gazetteer.
IDENTIFIED = (ResolutionStatus.CONFIRMED, ResolutionStatus.NAMED)


def _age_now(mention: PersonMention, today: date) -> int | None:
    if mention.approximate_age is None:
        # A mention named as a person of concern without an age stated carries that person's birth year.
        return today.year - mention.birth_year if mention.birth_year else None
    recorded = timezone.localtime(mention.recorded_at).date() if mention.recorded_at else today
    return mention.approximate_age + max(0, (today - recorded).days // 365)


def person_link_reason(new: Mention | PersonMention, old: Mention | PersonMention, *, today: date) -> str:
    """Why two person mentions may be one person, or '' when they must not be linked."""
    new = new if isinstance(new, PersonMention) else PersonMention.of(new)
    old = old if isinstance(old, PersonMention) else PersonMention.of(old)
    if new.confirmed_person_id and old.confirmed_person_id:
        return ("both confirmed as the same person of concern"
                if new.confirmed_person_id == old.confirmed_person_id else "")
    if new.person_id and old.person_id:
        # At least one was named by the machine: a name on that person of concern's record was written in
        # the narrative. The same person links (unconfirmed, like any machine-found mention); two different
        # known people do not, whatever their names share.
        return ("both name the same person of concern (a name on their record; not yet confirmed)"
                if new.person_id == old.person_id else "")
    best_given = ""
    new_names = [new.name] + ([new.nickname] if new.nickname else [])
    old_names = [old.name] + ([old.nickname] if old.nickname else [])
    new_family = _given_and_family(new.name)[1]
    old_family = _given_and_family(old.name)[1]
    for a in new_names:
        for b in old_names:
            if reason := _given_agrees(_given_and_family(a)[0], _given_and_family(b)[0]):
                best_given = reason
                break
        if best_given:
            break
    if not best_given:
        return ""
    reasons = [best_given]
    if new_family and old_family:
        family = _family_agrees(new_family, old_family)
        if not family:
            return ""
        reasons.append(family)
    age_new, age_old = _age_now(new, today), _age_now(old, today)
    if age_new is not None and age_old is not None:
        if abs(age_new - age_old) > AGE_TOLERANCE_YEARS:
            return ""
        reasons.append(f"ages {age_old} and {age_new} fit" if age_new != age_old else f"both about {age_new}")
    elif not (new_family and old_family):
        return ""  # a first name alone, without ages on both sides, is too common to link
    return "; ".join(reasons)


def _person_candidates(mention: Mention) -> list[PersonMention]:
    """Earlier person mentions that could pass person_link_reason, narrowed by index.

    First names by phonetic key (of the name, its nickname and their variants); then what the
    rules need besides: with a family name, a family name with the same initial or (when this
    mention has an age) no family name but an age; without one, an age. With neither a family
    name nor an age, only mentions confirmed or named as the same person of concern can link. The most
    recent MAX_PERSON_CANDIDATES of each are compared.
    """
    given, family = _given_and_family(mention.entity.name)
    keys = set()
    for text in (given, _given_and_family(mention.nickname)[0]):
        if text:
            keys.add(_name_key(text))
            keys.update(_name_key(v) for v in given_name_variants(text))
    keys.discard("")
    born = mention.birth_year
    if born is None and mention.approximate_age is not None:
        born = timezone.localtime(mention.recorded_at).year - mention.approximate_age
    # Ages within AGE_TOLERANCE_YEARS once aged to today: birth years within one more (whole years).
    age_fits = (Q(birth_year__gte=born - AGE_TOLERANCE_YEARS - 1, birth_year__lte=born + AGE_TOLERANCE_YEARS + 1)
                if born is not None else None)
    if family and age_fits is not None:
        rest = Q(entity__family_key=family[0]) & (Q(birth_year__isnull=True) | age_fits) | (
            Q(entity__family_key="") & age_fits)
    elif family:
        rest = Q(entity__family_key=family[0])
    elif age_fits is not None:
        rest = age_fits
    else:
        rest = None
    base = (Mention.objects.filter(partnership_id=mention.partnership_id).exclude(pk=mention.pk)
            .exclude(status=MentionStatus.REJECTED).order_by("-recorded_at", "-pk"))
    found: dict[int, PersonMention] = {}
    if mention.resolution_status == ResolutionStatus.NAMED and mention.approximate_age is None:
        # Named by the gazetteer, with no age of its own (it has the person's): the person is known, so it is
        # compared, besides every mention of them (below), with earlier mentions of the very same name —
        # "Taz" typed with an age by someone who may not see Taz. Spelling variants of the name find it in
        # turn when they are saved after it (their own search includes this mention, by key and age).
        by_name = base.filter(entity_id=mention.entity_id)
        if age_fits is not None:
            by_name = by_name.filter(Q(birth_year__isnull=True) | age_fits)
        found.update((row[0], _person_row(row)) for row in by_name.values_list(*_PERSON_FIELDS)[
            :MAX_PERSON_CANDIDATES])
    elif keys and rest is not None:
        by_name = base.filter(entity__type=EntityType.PERSON, entity__name_key__in=keys).filter(rest)
        found.update((row[0], _person_row(row)) for row in by_name.values_list(*_PERSON_FIELDS)[
            :MAX_PERSON_CANDIDATES])
    if mention.resolution_status in IDENTIFIED and mention.resolved_person_id:
        same = base.filter(resolved_person_id=mention.resolved_person_id, resolution_status__in=IDENTIFIED)
        found.update((row[0], _person_row(row)) for row in same.values_list(*_PERSON_FIELDS)[
            :MAX_PERSON_CANDIDATES])
    return list(found.values())


def _person_groups(mention: Mention, *, today: date) -> list[LinkGroup]:
    this = PersonMention.of(mention)
    reasons = {mention.pk: f"names a person “{mention.entity.display}”"}
    people = {mention.pk: this}
    for other in _person_candidates(mention):
        if reason := person_link_reason(this, other, today=today):
            reasons[other.pk] = f"“{other.display}” and “{mention.entity.display}”: {reason}"
            people[other.pk] = other
    if len(reasons) < 2:
        return []
    # One alert per link: an alert already holding any of these mentions is the one to update (the one
    # keyed by the confirmed person of concern first); a new one is keyed by that person, or else by the
    # group's earliest mention.
    confirmed = (f"person:{mention.resolved_person_id}"
                 if mention.resolution_status in IDENTIFIED and mention.resolved_person_id else "")
    existing = list(LinkAlertMention.objects.filter(mention_id__in=list(reasons), alert__link_key__startswith="person")
                    .order_by("alert_id").values_list("alert__link_key", flat=True).distinct()[:20])
    if confirmed and confirmed in existing:
        link_key = confirmed
    else:
        link_key = existing[0] if existing else (confirmed or f"person-mention:{min(reasons)}")
    anchor = mention.entity
    return [LinkGroup(link_key, anchor, LinkBasis.PERSON, mention_reasons=reasons, people=people)]


def _person_subject(alert_mentions: QuerySet[Mention]) -> str:
    names = list(alert_mentions.values_list("entity__display", flat=True).order_by("entity__display").distinct()[:4])
    return _people_named(names)


def _people_named(names: list[str]) -> str:
    quoted = [f"“{name}”" for name in names]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
    return f"a person named {listed}"


# Alerts.

@dataclass(frozen=True)
class _Row:
    """What joining a mention to an alert, and counting it in, needs to know of it."""

    pk: int
    entity_id: int
    as_typed: str
    source_type: str
    source_id: int
    child_id: int | None
    recorded_by_agency_id: int
    status: str
    recorded_at: datetime


_ROW_FIELDS = ("pk", "entity_id", "as_typed", "source_type", "source_id", "child_id", "recorded_by_agency_id",
               "status", "recorded_at")


def _join_mentions(alert: LinkAlert, group: LinkGroup, rows: Iterable[Mention | _Row], now: datetime,
                   batch: _Batch | None = None) -> int:
    """Join mentions to the alert, each with why it belongs (in `batch`, to be written later)."""
    links = []
    for row in rows:
        reason = group.mention_reasons.get(row.pk) or group.entity_reasons.get(row.entity_id, "")
        if (group.entity_reasons and row.entity_id == group.anchor.pk and row.as_typed
                and row.as_typed != group.anchor.display):
            reason = f"recorded as “{row.as_typed}”, which is {group.anchor.display} after normalisation"
        links.append(LinkAlertMention(alert=alert, mention_id=row.pk, reason=reason[:300], added_at=now))
    if batch is not None:
        batch.links.extend(links)
    else:
        LinkAlertMention.objects.bulk_create(links, ignore_conflicts=True)
    return len(links)


def _missing_rows(alert: LinkAlert, mentions: QuerySet[Mention]) -> list[_Row]:
    """The given mentions (not rejected) the alert does not hold yet."""
    return [_Row(*values) for values in mentions.exclude(status=MentionStatus.REJECTED)
            .exclude(pk__in=LinkAlertMention.objects.filter(alert=alert).values("mention_id"))
            .order_by("pk").values_list(*_ROW_FIELDS)]


def _notes(partials: list[str]) -> list[str]:
    partials = partials[:5]
    if not partials:
        return []
    return [f"This includes the partial mark{'s' if len(partials) > 1 else ''} "
            f"{', '.join(partials)}, which fit{'' if len(partials) > 1 else 's'} it."]


def _refresh(alert: LinkAlert, group: LinkGroup, counts: LinkCounts | None = None) -> LinkCounts:
    """Recount the alert's mentions (unless `counts` are given) and rewrite its explanation."""
    alert_mentions = Mention.objects.filter(
        pk__in=LinkAlertMention.objects.filter(alert=alert).values("mention_id"))
    if counts is None:
        counts = link_counts(alert_mentions)
    subject = ""
    if alert.basis == LinkBasis.PERSON:
        subject = _person_subject(alert_mentions.exclude(status=MentionStatus.REJECTED))
    _describe(alert, group, counts, subject=subject)
    return counts


def _describe(alert: LinkAlert, group: LinkGroup, counts: LinkCounts, *, subject: str = "") -> None:
    """Set the alert's counts and write its explanation from them."""
    if alert.anchor_entity_id == group.anchor.pk:
        alert.anchor_entity = group.anchor
    notes: list[str] = []
    if alert.basis != LinkBasis.PERSON:
        subject = alert.anchor_entity.label
        if alert.basis != LinkBasis.PARTIAL:
            notes = []
        elif group.partials is not None:
            notes = _notes(group.partials)
        else:
            notes = _notes([e.display for e in alert.entities.filter(is_partial=True).order_by("key")])
    alert.explanation = explain(subject, counts, notes)
    alert.mention_count, alert.record_count = counts.mentions, counts.records
    alert.child_count, alert.agency_count = counts.children, counts.agencies
    alert.unconfirmed_count = counts.unconfirmed
    if counts.first:
        alert.first_mentioned_at, alert.last_mentioned_at = counts.first, counts.last


def _counts_after_joining(items: list[tuple[LinkAlert, list[Mention | _Row]]]) -> dict[int, LinkCounts]:
    """Each alert's counts once its mentions `joined` (every one new to it, none rejected) are added, by alert id:
    each is asked whether it brings a new record, child or agency, instead of recounting every mention — a
    popular entity has thousands. All the alerts' questions go in one query (on PostgreSQL each query is a round
    trip waited for, and a save may add to many alerts)."""
    questions = []
    for alert, joined in items:
        sources = sorted({(m.source_type, m.source_id) for m in joined})
        children = sorted({m.child_id for m in joined if m.child_id})
        agencies = sorted({m.recorded_by_agency_id for m in joined})
        questions.append(_HeldQuestions(alert.pk, [m.pk for m in joined], sources, children, agencies))
    answers = iter(_already_held(questions))
    counts = {}
    for (alert, joined), asked in zip(items, questions, strict=True):
        records = [source for source in asked.sources if not next(answers)]
        children = [child for child in asked.children if not next(answers)]
        agencies = [agency for agency in asked.agencies if not next(answers)]
        times = [m.recorded_at for m in joined]
        first = min([alert.first_mentioned_at, *times]) if alert.first_mentioned_at else min(times)
        last = max([alert.last_mentioned_at, *times]) if alert.last_mentioned_at else max(times)
        counts[alert.pk] = LinkCounts(
            alert.mention_count + len(joined), alert.record_count + len(records),
            alert.child_count + len(children), alert.agency_count + len(agencies),
            alert.unconfirmed_count + sum(1 for m in joined if m.status == MentionStatus.UNCONFIRMED), first, last)
    return counts


@dataclass(frozen=True)
class _HeldQuestions:
    """Whether an alert's mentions (not rejected, not those `joining`) already include each of these records,
    children and agencies."""

    alert_id: int
    joining: list[int]
    sources: list[tuple[str, int]]
    children: list[int]
    agencies: list[int]


# Questions per query: well within SQLite's limits on result columns (2,000) and parameters.
_QUESTIONS_PER_QUERY = 500


def _already_held(asked: list[_HeldQuestions]) -> list[bool]:
    """The answers to every alert's questions, in order (each alert's records, then children, then agencies):
    EXISTS questions, all in one query (one per 500 questions).

    Raw SQL because building the same EXISTS subqueries through the ORM cost about 3 ms for each mention joined
    (under the profiler), many times what the database took; table and column names come from the models and
    every value is a parameter.
    """
    quote = connection.ops.quote_name
    links, mentions = quote(LinkAlertMention._meta.db_table), quote(Mention._meta.db_table)
    questions: list[tuple[str, list]] = []
    for alert in asked:
        held = (f"SELECT 1 FROM {links} h INNER JOIN {mentions} m ON m.id = h.mention_id "  # noqa: S608 # nosec B608
                f"WHERE h.alert_id = %s AND m.status <> %s "
                f"AND h.mention_id NOT IN ({', '.join(['%s'] * len(alert.joining))})")
        prefix = [alert.alert_id, MentionStatus.REJECTED, *alert.joining]
        questions += [(f"EXISTS({held} AND m.source_type = %s AND m.source_id = %s)", [*prefix, source_type, source_id])
                      for source_type, source_id in alert.sources]
        questions += [(f"EXISTS({held} AND m.child_id = %s)", [*prefix, child_id]) for child_id in alert.children]
        questions += [(f"EXISTS({held} AND m.recorded_by_agency_id = %s)", [*prefix, agency_id])
                      for agency_id in alert.agencies]
    answers: list[bool] = []
    with connection.cursor() as cursor:
        for start in range(0, len(questions), _QUESTIONS_PER_QUERY):
            chunk = questions[start:start + _QUESTIONS_PER_QUERY]
            # The questions are the fixed text above.
            cursor.execute(f"SELECT {', '.join(q for q, _ in chunk)}", [p for _, params in chunk for p in params])
            answers += [bool(answer) for answer in cursor.fetchone()]
    return answers


def _entity_ids_of(group: LinkGroup) -> set[int]:
    if group.entity_reasons:
        return set(group.entity_reasons)
    return set(Mention.objects.filter(pk__in=list(group.mention_reasons)).values_list("entity_id", flat=True))


def _joining_rows(alert: LinkAlert, group: LinkGroup, *, fresh: dict[int, list[Mention]] | None,
                  held: set[int] | None, batch: _Batch | None, new_entities: set[int]) -> list[Mention | _Row]:
    """The mentions (not rejected) the group brings to its existing alert; the entities new to the alert are
    added to it (in `batch`, when given)."""
    if held is None:
        held = set(alert.entities.order_by().values_list("pk", flat=True))
    # What the alert gains: this save's mentions of entities it holds (they are new to every alert),
    # and every mention of an entity new to it, unless this save created that entity (a partial mark
    # just typed, say). Person groups: the group's mentions it does not hold.
    newcomers = (set(group.entity_reasons) if group.entity_reasons else _entity_ids_of(group)) - held
    if newcomers and batch is not None:
        batch.members += [LinkAlert.entities.through(linkalert_id=alert.pk, entity_id=e) for e in sorted(newcomers)]
    elif newcomers:
        alert.entities.add(*newcomers)
    if group.entity_reasons and fresh is not None:
        rows = [m for entity_id in sorted(set(group.entity_reasons) - (newcomers - new_entities))
                for m in fresh.get(entity_id, ())]
        if newcomers - new_entities:
            rows += _missing_rows(alert, Mention.objects.filter(entity_id__in=newcomers - new_entities))
        return rows
    return _missing_rows(alert, group.mentions())


def _update_alert(alert: LinkAlert, group: LinkGroup, rows: list[Mention | _Row], counts: LinkCounts | None, *,
                  actor, now: datetime, batch: _Batch | None) -> int:
    """Join `rows` to the alert and bring its counts, explanation and status up to date; returns how many
    joined. `counts` are its counts with the rows joined, when the caller counted them in (a few rows,
    INCREMENTAL_LIMIT at most); otherwise the alert is recounted."""
    before_records = alert.record_count
    if counts is not None:
        # A few, counted in. Person alerts are joined at once (their explanation names the people they hold);
        # the rest with the batch.
        joined = _join_mentions(alert, group, rows, now, batch=None if group.mention_reasons else batch)
    else:
        joined = _join_mentions(alert, group, rows, now)
    if group.basis == LinkBasis.PARTIAL and alert.basis == LinkBasis.EXACT:
        alert.basis = LinkBasis.PARTIAL
    if not joined:
        return 0
    _refresh(alert, group, counts)
    alert.updated_at = now
    reopened_from = None
    if (alert.status != LinkAlertStatus.NEW and alert.record_count > before_records
            and alert.record_count > alert.triaged_record_count):
        LinkAlertTransition.objects.create(
            alert=alert, from_status=alert.status, to_status=LinkAlertStatus.NEW,
            reason="New records mention what this alert links.", record_count=alert.record_count,
            actor=None, actor_agency=None, occurred_at=now)
        reopened_from = alert.status
        alert.status = LinkAlertStatus.NEW
    if batch is not None:
        batch.alerts[alert.pk] = alert
    else:
        alert.save()
    if reopened_from:
        record_event("link_alert.reopened", actor=actor, target=alert,
                     details={"alert": alert.pk, "from": reopened_from, "records": alert.record_count})
    return joined


def _new_alert(group: LinkGroup, rows: list[_Row], now: datetime) -> LinkAlert:
    """The alert a group raises (not saved), counted and explained from its mentions `rows`."""
    alert = LinkAlert(partnership_id=group.anchor.partnership_id, link_key=group.link_key,
                      anchor_entity=group.anchor, basis=group.basis, raised_at=now, updated_at=now)
    subject = ""
    if group.mention_reasons:
        names = sorted({m.display for m in group.people.values()})[:4]
        subject = _people_named(names) if names else ""
    _describe(alert, group, _counts_of(rows), subject=subject)
    return alert


def _insert_alert(alert: LinkAlert, group: LinkGroup) -> tuple[LinkAlert, set[int] | None]:
    """Insert the alert, or — when another save has just raised the same link (the unique link key refuses a
    second) — return that one, locked, with the entities it holds. Returns (alert, held): held is None for
    the alert inserted here."""
    try:
        with transaction.atomic():
            alert.save(force_insert=True)
    except IntegrityError:
        alert = LinkAlert.objects.select_for_update().get(partnership_id=alert.partnership_id,
                                                          link_key=group.link_key)
        return alert, set(alert.entities.order_by().values_list("pk", flat=True))
    return alert, None


def _raise_alerts(groups: list[LinkGroup], rows: Mapping[str, list[_Row]],
                  now: datetime) -> dict[str, tuple[LinkAlert, set[int] | None]]:
    """Insert the alerts these groups raise, by link key, as _insert_alert does one: (alert, held), held None
    for an alert inserted here.

    All in one savepoint and one INSERT. When two saves race to raise the same link, the unique link key refuses
    the second save's INSERT (on PostgreSQL once the first commits): the savepoint is rolled back, inserting none
    of them, and each is then inserted on its own so that only the raced ones are taken from the other save.
    """
    alerts = [_new_alert(group, rows[group.link_key], now) for group in groups]
    if not alerts:
        return {}
    try:
        with transaction.atomic():
            LinkAlert.objects.bulk_create(alerts)
    except IntegrityError:
        alerts = [_new_alert(group, rows[group.link_key], now) for group in groups]  # no ids half-assigned
        return {group.link_key: _insert_alert(alert, group) for group, alert in zip(groups, alerts, strict=True)}
    return {group.link_key: (alert, None) for group, alert in zip(groups, alerts, strict=True)}


def _announce_raised(alert: LinkAlert, group: LinkGroup, rows: list[_Row], *, actor, now: datetime,
                     fresh_ids: set[int], batch: _Batch | None) -> None:
    """An alert just inserted: its entities and mentions (in `batch`, when given, to be written later) and its
    `link_alert.raised` event, which names the records of this save (`fresh_ids`: their mentions) it links."""
    members = [LinkAlert.entities.through(linkalert_id=alert.pk, entity_id=e)
               for e in sorted({r.entity_id for r in rows})]
    if batch is not None:
        batch.members += members
    else:
        LinkAlert.entities.through.objects.bulk_create(members, ignore_conflicts=True)
    _join_mentions(alert, group, rows, now, batch=batch)
    record_event("link_alert.raised", actor=actor, target=alert, details={
        **_alert_details(alert), "by": sorted({f"{r.source_type}:{r.source_id}" for r in rows if r.pk in fresh_ids})})


def _alert_details(alert: LinkAlert) -> dict:
    return {"alert": alert.pk, "basis": alert.basis, "records": alert.record_count,
            "children": alert.child_count, "agencies": alert.agency_count, "unconfirmed": alert.unconfirmed_count}


def recheck_alerts_of(mention: Mention, *, actor, now: datetime | None = None) -> None:
    """After a mention is confirmed, rejected or resolved: refresh the alerts it belongs to, and link anew."""
    now = now or timezone.now()
    refreshed = []
    holding = LinkAlertMention.objects.filter(mention=mention).values("alert_id")
    for alert in LinkAlert.objects.select_for_update().filter(pk__in=holding).order_by("pk"):
        group = LinkGroup(alert.link_key, alert.anchor_entity, alert.basis)
        _refresh(alert, group)
        alert.updated_at = now
        alert.save()
        refreshed.append(alert.pk)
    if refreshed:
        record_event("link_alert.updated", actor=actor, target=mention,
                     details={"alerts": refreshed, "joined": 0, "mention": mention.pk, "status": mention.status})
    if mention.status != MentionStatus.REJECTED:
        check_links([mention], actor=actor, now=now, just_saved=False)
