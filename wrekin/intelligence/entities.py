"""From what someone typed to the one Entity row it stands for.

`identify(type, value, **details)` turns a mention as typed ("ab12cde", "07700 900123",
"@BigMo99" on Snap) into an EntityIdentity: the normalised key records are matched on, how it
is shown, and the type-specific columns. `resolve_entity(...)` finds or creates the entity with
that key in a partnership. The normalising itself lives in wrekin/intelligence/normalise.py;
this module decides what the key of each entity type is:

- vehicle: the normalised mark ("AB12CDE"; partial "AB12*", "AB12C??", "*CDE"). Text that is
  not a UK mark at all is still kept, as an "unrecognised" vehicle keyed "~" + its letters and
  digits, because a half-remembered plate is intelligence too; it links only to the same text.
- phone: E.164 ("+447700900123", UK by default). A number that cannot be a possible number
  ("ends 123") is kept keyed "~" + its digits, linking only to the same digits.
- location: "premises:<name>|<postcode>", "address:<address>|<postcode>" or "postcode:<postcode>".
- business: "<kind>:<name>" (kind may be empty).
- online: "<platform>:<handle>", platform empty when not known; an e-mail address is a handle on
  the platform "email".
- person: the name in lower case without accents or punctuation ("mohammed khan"); `name_key`
  is the phonetic key of the first name and `family_key` the initial of the last (when there
  are two or more words), so spelling variants and nicknames are found by index.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from wrekin.intelligence.models import (
    BusinessKind,
    Entity,
    EntityType,
    PremisesType,
    VehicleMarkFormat,
)
from wrekin.intelligence.normalise import (
    canonical_platform,
    normalise_email,
    normalise_handle,
    normalise_phone,
    normalise_postcode,
    normalise_vehicle,
)
from wrekin.people.names import name_key, normalise_name

# What other apps call the types (wrekin.referrals.models.MentionKind) and what the extractor
# may call them, mapped to entity types.
TYPE_ALIASES = {
    "vehicle": EntityType.VEHICLE, "vrm": EntityType.VEHICLE, "registration": EntityType.VEHICLE,
    "phone": EntityType.PHONE,
    "location": EntityType.LOCATION, "place": EntityType.LOCATION, "postcode": EntityType.LOCATION,
    "address": EntityType.LOCATION, "premises": EntityType.LOCATION,
    "business": EntityType.BUSINESS,
    "online": EntityType.ONLINE, "handle": EntityType.ONLINE, "online_handle": EntityType.ONLINE,
    "email": EntityType.ONLINE,
    "person": EntityType.PERSON, "name": EntityType.PERSON,
}

# The partial_prefix of a partial mark whose first and last characters are both unknown ("?B12CD?").
NO_KNOWN_END = "?"

# Columns a later mention may fill in when the entity's are still blank (first description wins).
FILLABLE = ("make", "model", "colour", "address", "premises_name", "premises_type", "business_kind",
            "licence_number")

_NOT_ALNUM = re.compile(r"[^A-Z0-9]")
_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_TRAILING_POSTCODE = re.compile(r"[\s,;]+([A-Z]{1,2}[0-9][A-Z0-9]?\s*[0-9][A-Z]{2})\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class EntityIdentity:
    type: str
    key: str
    display: str
    fields: dict = field(default_factory=dict)

    @property
    def is_partial(self) -> bool:
        return bool(self.fields.get("is_partial"))


def normalise_text(value: str) -> str:
    """Lower case, accents and punctuation removed, digits kept: "12 High St." -> "12 high st"."""
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("'", "").replace("\u2019", "")
    return " ".join(_NOT_WORD.sub(" ", text).split())


def entity_type(value: str) -> str:
    try:
        return TYPE_ALIASES[(value or "").strip().lower()]
    except KeyError:
        raise ValidationError({"type": f"Not a kind of thing a record can mention: {value!r}"}) from None


def _clip(value, limit: int) -> str:
    return _SPACES.sub(" ", str(value or "")).strip()[:limit]


def _choice(value, choices) -> str:
    value = (value or "").strip().lower()
    return value if value in choices.values else ""


def _vehicle(value: str, details: dict, today: date | None) -> EntityIdentity:
    extra = {"make": _clip(details.get("make"), 60), "model": _clip(details.get("model"), 60),
             "colour": _clip(details.get("colour"), 40).lower()}
    mark = normalise_vehicle(value, today=today)
    if mark is None:
        compact = _NOT_ALNUM.sub("", value.upper())
        if not compact:
            raise ValidationError({"value": "Enter the registration mark, or as much of it as is known"})
        return EntityIdentity(EntityType.VEHICLE, f"~{compact}"[:200], _clip(value, 200),
                              {**extra, "mark_format": VehicleMarkFormat.UNRECOGNISED})
    if mark.partial:
        key = mark.normalised
        prefix = re.match(r"[A-Z0-9]*", key).group(0)
        suffix = re.search(r"[A-Z0-9]*$", key).group(0)
        if not prefix and not suffix:
            prefix = NO_KNOWN_END  # found by every full mark's partial look-up, and checked by pattern
        return EntityIdentity(EntityType.VEHICLE, key, mark.display, {
            **extra, "mark_format": VehicleMarkFormat.PARTIAL, "is_partial": True, "partial_prefix": prefix[:20],
            "partial_suffix": suffix[:20], "pattern": mark.regex})
    return EntityIdentity(EntityType.VEHICLE, mark.normalised, mark.display,
                          {**extra, "mark_format": mark.format, "reversed_key": mark.normalised[::-1]})


def _phone(value: str) -> EntityIdentity:
    e164 = normalise_phone(value)
    if e164:
        return EntityIdentity(EntityType.PHONE, e164, e164)
    digits = re.sub(r"\D", "", value)
    if not digits:
        raise ValidationError({"value": "Enter the phone number, or the digits that are known"})
    return EntityIdentity(EntityType.PHONE, f"~{digits}", _clip(value, 200))


def _location(value: str, details: dict) -> EntityIdentity:
    postcode = normalise_postcode(details.get("postcode") or "") or ""
    premises_name = _clip(details.get("premises_name"), 200)
    address = _clip(details.get("address"), 300)
    if not postcode and (parsed := normalise_postcode(value)):
        postcode = parsed
    elif not (premises_name or address) and normalise_postcode(value) is None:
        # One box, as people type it: "Kwik Kebab, TF1 2AB" is the premises and its postcode.
        name, trailing = value, ""
        if match := _TRAILING_POSTCODE.search(value):
            trailing = normalise_postcode(match.group(1)) or ""
            if trailing:
                name = value[:match.start()]
        premises_name = _clip(name.strip(" ,;-"), 200)
        postcode = postcode or trailing
    premises_type = _choice(details.get("premises_type"), PremisesType)
    extra = {"postcode": postcode, "premises_name": premises_name, "address": address,
             "premises_type": premises_type}
    if premises_name:
        key = f"premises:{normalise_text(premises_name)}|{postcode}"
        display = ", ".join(p for p in (premises_name, postcode) if p)
    elif address:
        key = f"address:{normalise_text(address)}|{postcode}"
        display = ", ".join(p for p in (address, postcode) if p)
    elif postcode:
        key, display = f"postcode:{postcode}", postcode
    else:
        raise ValidationError({"value": "Enter the place: its name, address or postcode"})
    return EntityIdentity(EntityType.LOCATION, key[:200], display[:200], extra)


def _business(value: str, details: dict) -> EntityIdentity:
    name = _clip(value, 200)
    if not normalise_text(name):
        raise ValidationError({"value": "Enter the business's name"})
    kind = _choice(details.get("business_kind"), BusinessKind)
    licence = _clip(details.get("licence_number"), 60).upper()
    return EntityIdentity(EntityType.BUSINESS, f"{kind}:{normalise_text(name)}"[:200], name,
                          {"business_kind": kind, "licence_number": licence})


def _online(value: str, details: dict) -> EntityIdentity:
    email = normalise_email(value)
    if email:
        return EntityIdentity(EntityType.ONLINE, f"email:{email}"[:200], email,
                              {"platform": "email", "handle": email[:100]})
    platform = canonical_platform(details.get("platform") or "") or ""
    handle = normalise_handle(platform, value)
    if handle is None:
        # Not a well-formed handle for that platform: keep what was typed, lower case, without "@".
        handle = _SPACES.sub("", value).lstrip("@").casefold()
    if not handle:
        raise ValidationError({"value": "Enter the handle or username"})
    handle = handle[:100]
    shown = f"@{handle}" + (f" ({platform.title() if len(platform) > 1 else platform.upper()})" if platform else "")
    return EntityIdentity(EntityType.ONLINE, f"{platform}:{handle}", shown, {"platform": platform, "handle": handle})


def _person(value: str) -> EntityIdentity:
    name = _clip(value, 200)
    normalised = normalise_name(name)
    if not normalised:
        raise ValidationError({"value": "Enter the name the person was given as"})
    tokens = normalised.split()
    return EntityIdentity(EntityType.PERSON, normalised, name, {
        "name": name, "name_key": name_key(tokens[0]), "family_key": family_initial(normalised)})


def family_initial(normalised_name: str) -> str:
    """The first letter of the last of two or more names ('' for one name): a coarse index key, so that
    family names spelt differently (Khan, Kahn) are still compared by the person-matching rules."""
    tokens = normalised_name.split()
    return tokens[-1][0] if len(tokens) > 1 else ""


def identify(type_: str, value: str, *, today: date | None = None, **details) -> EntityIdentity:
    """The identity of what was typed. Raises ValidationError when nothing usable was given."""
    kind = entity_type(type_)
    value = (value or "").strip()
    if not value and kind != EntityType.LOCATION:
        raise ValidationError({"value": "Enter what was mentioned"})
    if kind == EntityType.VEHICLE:
        return _vehicle(value, details, today)
    if kind == EntityType.PHONE:
        return _phone(value)
    if kind == EntityType.LOCATION:
        return _location(value, details)
    if kind == EntityType.BUSINESS:
        return _business(value, details)
    if kind == EntityType.ONLINE:
        return _online(value, details)
    return _person(value)


def existing_entities(partnership, identities: list[EntityIdentity]) -> dict[tuple[str, str], Entity]:
    """The partnership's entities for these identities that exist already, by (type, key): one query."""
    if not identities:
        return {}
    rows = Entity.objects.filter(partnership=partnership, type__in={i.type for i in identities},
                                 key__in={i.key for i in identities}).order_by()
    wanted = {(i.type, i.key) for i in identities}
    return {(e.type, e.key): e for e in rows if (e.type, e.key) in wanted}


def create_missing_entities(partnership, identities: list[EntityIdentity], known: dict[tuple[str, str], Entity],
                            actor=None) -> None:
    """Create, in one insert, the entities of these identities that `known` lacks, and add them to it.

    If another save created one of them meanwhile, nothing is created here and resolve_entity creates
    or reads them one by one instead (and those it reads are not `just_created`).
    """
    new = {}
    for identity in identities:
        if (identity.type, identity.key) not in known:
            new.setdefault((identity.type, identity.key), identity)
    if not new:
        return
    rows = [Entity(partnership=partnership, type=i.type, key=i.key, display=i.display, created_by=actor, **i.fields)
            for i in new.values()]
    try:
        with transaction.atomic():
            Entity.objects.bulk_create(rows)
    except IntegrityError:
        return
    for entity in rows:
        entity.just_created = True
        known[(entity.type, entity.key)] = entity


def resolve_entity(*, partnership, identity: EntityIdentity, actor=None,
                   known: dict[tuple[str, str], Entity] | None = None) -> Entity:
    """The partnership's entity with this identity, created if new; blank details are filled in.

    Safe when two saves name a new entity at once: the unique (partnership, type, key)
    constraint lets one insert win and the other reads it. `known` is what existing_entities
    found for a batch (absent means not found there). A newly created entity has
    `just_created` set, which lets the link check skip it: nothing else can mention it yet.
    """
    lookup = {"partnership": partnership, "type": identity.type, "key": identity.key}
    if known is not None:
        entity = known.get((identity.type, identity.key))
    else:
        entity = Entity.objects.filter(**lookup).order_by().first()
    if entity is None:
        try:
            with transaction.atomic():
                entity = Entity.objects.create(**lookup, display=identity.display, created_by=actor,
                                               **identity.fields)
            entity.just_created = True
        except IntegrityError:
            entity = Entity.objects.get(**lookup)
        if known is not None:
            known[(identity.type, identity.key)] = entity
        if getattr(entity, "just_created", False):
            return entity
    changed = [name for name in FILLABLE
               if identity.fields.get(name) and not getattr(entity, name)]
    for name in changed:
        setattr(entity, name, identity.fields[name])
    if changed:
        entity.save(update_fields=changed)
    return entity
