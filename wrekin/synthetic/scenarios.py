"""Planted exploitation networks and look-alike decoys, recorded through the real actions, with ground truth.

`plan_scenarios(networks=N, decoys=M, seed=S, ...)` decides everything as plain data (deterministic for a
seed); `seed_scenarios(...)` records it in chronological order the way practitioners would, so link alerts
are raised exactly as in real use:

- persons of concern are recorded by the police (wrekin.people.actions.record_person), with a nickname
  (add_person_name) and their phone (add_person_phone);
- each child is first recorded with a referral by one agency (wrekin.referrals.actions.
  record_child_and_referral), later referrals by the same agency (record_referral), and the police record
  missing episodes with the car the child returned in (wrekin.missing.actions.record_missing_episode);
- what each record mentions goes through wrekin.intelligence.linking.record_mentions — the typed-in
  mentions confirmed, the narrative scanned by the extractor — which runs the link check and raises or
  updates link alerts; if a recording action already calls it, it is not called twice;
- the coordinator confirms the first naming of each person of concern (wrekin.intelligence.alerts.
  resolve_person_mention), as a coordinator reviewing the mention would.

**A planted network**: two or three persons of concern sharing one or two cars, their phones, one or two
places (a takeaway, a hotel, a flat), sometimes a taxi firm and a Snapchat handle, linked to three to five
children, each child known to a different agency, reported over about eight months. The same things are
typed differently each time ("ab12cde", "AB12 CDE"; "07700 900123", "+447700900123"; "KWIK KEBAB"), the
persons are named by nickname with an approximate age, and some cars appear only in the narrative. Every
shared thing is mentioned about at least two children, and the network is connected by construction.

**A decoy** looks like a network but is not linked to anything: a near-miss plate (AB12 CDF for AB12 CDE),
a phone one digit away, another premises in the same street (same postcode), a handle one character away,
a person with the same nickname but an age twenty years apart, or the same first name with another family
name. Each decoy value is mentioned about one child by one agency only, so a correct link check raises
nothing for it.

Everything is synthetic: names from small lists, plates in the current format, phones only in Ofcom's
drama range (07700 900000-900999, skipping numbers already on someone's record), postcodes in TF and SY.
Narratives are factual and non-graphic (missing episodes, lifts in cars, gifts, school absence).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from wrekin.people.models import NameKind, PersonKind

# --- Word lists ---------------------------------------------------------------------------------

ADULT_GIVEN = ("Tariq", "Daniel", "Kamran", "Lee", "Imran", "Craig", "Shahid", "Wayne", "Asif", "Darren", "Bilal",
               "Jason", "Nadeem", "Ryan", "Zahid", "Mark", "Arif", "Scott", "Faisal", "Dean")
ADULT_FAMILY = ("Hussain", "Walker", "Ali", "Price", "Mahmood", "Evans", "Rashid", "Morris", "Akhtar", "Bennett",
                "Iqbal", "Hughes", "Shah", "Turner", "Malik", "Cooper", "Khan", "Lloyd", "Begum", "Davies")
# Street names, none a spelling, sound-alike or nickname form of another or of ADULT_GIVEN (a test checks),
# so two networks' persons never link by name.
NICKNAMES = (
    "Taz", "Bigz", "Kash", "Mani", "Jojo", "Smiley", "Zed", "Rocco", "Ace", "Sonny", "Buzz", "Flash", "Ghost",
    "Lucky", "Milo", "Nitro", "Prince", "Rico", "Sly", "Tank", "Vinnie", "Wiz", "Yogi", "Blade", "Chops", "Dutch",
    "Fuzz", "Gizmo", "Hustle", "Jinx", "Kilo", "Mac", "Nemo", "Ozzy", "Pepper", "Quinn", "Rizla", "Spider",
    "Trigger", "Ushy", "Vegas", "Zippy", "Bones", "Cruz", "Deco", "Bam", "Chico", "Digger", "Elvis", "Gunner", "Hex",
    "Indy", "Jet", "Kong", "Lefty", "Moose", "Nacho", "Pips", "Razor", "Turbo", "Uno", "Viper", "Wolfie", "Zorro",
    "Biscuit", "Rambo", "Skippy", "Tyson", "Cobra", "Echo", "Frosty", "Hondo", "Iceman", "Joker", "Knuckles", "Lobo",
    "Mojo", "Ninja", "Panda", "Rebel", "Sarge", "Voodoo", "Wheels", "Yeti")
CHILD_GIVEN_F = ("Chloe", "Leah", "Jade", "Ellie", "Holly", "Amber", "Kayla", "Megan", "Courtney", "Shannon",
                 "Paige", "Tia", "Demi", "Casey", "Libby", "Maisie", "Keira", "Abbie", "Lacey", "Skye")
CHILD_GIVEN_M = ("Tyler", "Kieran", "Callum", "Reece", "Brandon", "Jordan", "Liam", "Kyle", "Connor", "Mason",
                 "Jack", "Lewis", "Declan", "Harvey", "Riley", "Jake", "Ethan", "Cody", "Jamie", "Leon")
CHILD_FAMILY = ("Roberts", "Jones", "Edwards", "Wright", "Green", "Hall", "Wood", "Harris", "Clarke", "Jackson",
                "Phillips", "Baker", "Ward", "Parker", "Mason", "Watson", "Pugh", "Bowen", "Tudor", "Owen")
MAKES = (("Vauxhall", "Astra"), ("Ford", "Focus"), ("BMW", "3 Series"), ("Audi", "A3"), ("Volkswagen", "Golf"),
         ("Mercedes", "C-Class"), ("Toyota", "Prius"), ("Skoda", "Octavia"), ("Nissan", "Qashqai"),
         ("Seat", "Leon"))
COLOURS = ("silver", "black", "grey", "white", "dark blue", "red")
TAKEAWAYS = ("Kwik Kebab", "Golden Fryer", "Pizza Palace", "Chicken Shack", "Curry Corner", "Burger Barn",
             "Kebab King", "Noodle Bar", "Peri Grill", "Fish Bar")
HOTELS = ("Station Lodge Hotel", "Severn View Hotel", "Ironbridge Inn", "Castle Court Hotel", "Wellington Arms",
          "Riverside Lodge", "Park House Hotel", "Market Hotel")
STREETS = ("Mill Street", "Church Road", "Victoria Road", "Park Lane", "High Street", "Queen Street",
           "Albert Road", "Station Road", "King Street", "New Road", "Water Lane", "Bridge Street")
# Taxi firms: each network gets its own, so two networks are never joined by a firm they share.
TAXI_FIRMS = tuple(f"{place} {kind}" for kind in ("Cars", "Taxis", "Private Hire", "Cabs")
                   for place in ("Severn", "Wrekin", "A1", "Castle", "Town", "Star", "Valley", "Central",
                                 "Station", "Ironbridge", "Coalport", "Hadley"))
POSTCODE_DISTRICTS = tuple([f"TF{n}" for n in range(1, 14)] + ["SY1", "SY2", "SY3"])
_POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_PLATE_AREA = "ABCDEFGHKLMNOPRSVWY"
_PLATE_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXYZ"
_PLATE_AGES = ("15", "65", "16", "66", "17", "67", "18", "68", "19", "69", "20", "70", "21", "71")
# Ofcom's numbers for drama, never allocated to anyone: the mobile block first, then three landline blocks
# (`wrekin seed` gives its people mobile numbers, and a large partnership uses the whole mobile block).
# Each block: (E.164 prefix, national prefix, how the national number is spaced as (first, second) groups).
DRAMA_BLOCKS = (
    ("+447700900", "07700 900", "mobile"),
    ("+441632960", "01632 960", "landline"),
    ("+441214960", "0121 496 0", "landline"),
    ("+441614960", "0161 496 0", "landline"),
)

# What a missing episode can carry: a car in its own field, phones and handles in the narrative.
MISSING_EPISODE_TYPES = frozenset({"vehicle", "phone", "online"})

DECOY_KINDS = ("near_miss_plate", "other_number", "same_street_other_premises", "similar_handle",
               "same_nickname_other_age", "same_first_name_other_family")

# How each kind of value may be typed: real records are inconsistent.
PLATE_FORMATS = (lambda p: p, lambda p: p.replace(" ", ""), lambda p: p.lower(), lambda p: p.lower().replace(" ", ""),
                 lambda p: p[:4].title() + " " + p[5:].title())
def phone_formats(e164: str) -> tuple[str, ...]:
    """How people write one drama-range number: "07700 900123", "+447700900123", "07700900123", ..."""
    for prefix, national, _ in DRAMA_BLOCKS:
        if e164.startswith(prefix):
            tail = e164[len(prefix):]
            spaced = f"{national}{tail}"
            compact = spaced.replace(" ", "")
            return (spaced, e164, compact, "+44 " + spaced[1:], f"{compact[:5]} {compact[5:8]} {compact[8:]}")
    raise ValueError(f"{e164} is not in a drama range")

REFERRAL_NARRATIVES = (
    "{child} has missed several afternoons at school this month and was seen getting into a {car} at the gates.",
    "{child} has a new phone and new clothes that the family did not buy. {child} says a friend gives lifts.",
    "{child} was seen late in the evening with older men and would not say who they were.",
    "{child} returned home after midnight twice this week and said an older friend had driven her back.",
    "Staff are worried about {child}: tired, withdrawn, and talking about an older boyfriend with a car.",
    "{child} was collected from the school gates by an adult the school does not know, in a {car}.",
)
MISSING_CIRCUMSTANCES = (
    "Did not return home after school. Parent reported at 22:00.",
    "Left the placement in the afternoon and did not come back. Carer reported at 21:30.",
    "Went out to see a friend and did not return. Parent reported the next morning.",
)
RELATIONSHIPS = {
    "vehicle": ("child was picked up in", "child was seen getting into", "child was dropped home in"),
    "phone": ("number found on the child's phone", "child was contacted from",
              "child has this number saved as a friend"),
    "place": ("child was seen at", "child was found at", "child spends evenings at"),
    "business": ("child was driven by a driver from", "child's taxi was booked through"),
    "online": ("child is messaged by", "child follows"),
    "person": ("described as an older friend", "described as her boyfriend", "gives the child lifts"),
}


# --- The plan ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PersonOfConcernSpec:
    key: str
    given: str
    family: str
    nickname: str
    age: int
    phone: str  # E.164, in a drama range


@dataclass(frozen=True)
class ChildSpec:
    key: str
    given: str
    family: str
    date_of_birth: date
    sex: str
    agency: int  # index into the recording agencies; 0 is always the police
    group: str  # "network-3" or "decoy-2"


@dataclass
class Report:
    at: datetime
    group: str
    child: str
    agency: int
    kind: str  # "referral" or "missing"
    narrative: str
    mentions: list[dict] = field(default_factory=list)
    # Missing episodes: the car the child returned in, typed into its own field, and who they were with.
    vehicle_registration: str = ""
    with_whom: str = ""
    # Confirm that this report's person mention names this person of concern (the coordinator's review).
    resolve_to: str = ""


@dataclass
class ScenarioPlan:
    seed: int
    agencies: int
    networks: list[dict]
    decoys: list[dict]
    persons: list[PersonOfConcernSpec]
    children: list[ChildSpec]
    reports: list[Report]


def _plate(rng: random.Random, taken: set[str]) -> str:
    while True:
        plate = (rng.choice(_PLATE_AREA) + rng.choice(_PLATE_AREA) + rng.choice(_PLATE_AGES) + " "
                 + "".join(rng.choice(_PLATE_LETTERS) for _ in range(3)))
        if plate not in taken:
            taken.add(plate)
            return plate


def _near_miss_plate(rng: random.Random, plate: str, taken: set[str]) -> str:
    for letter in rng.sample(_PLATE_LETTERS, len(_PLATE_LETTERS)):
        candidate = plate[:-1] + letter
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    raise RuntimeError("no near-miss plate left")


def _postcode(rng: random.Random) -> str:
    return f"{rng.choice(POSTCODE_DISTRICTS)} {rng.randint(1, 9)}{rng.choice(_POSTCODE_LETTERS)}" \
           f"{rng.choice(_POSTCODE_LETTERS)}"


class _Numbers:
    """Drama-range numbers, each used once, skipping those already on someone's record or in a record."""

    def __init__(self, rng: random.Random, taken: set[str]):
        self.free: list[str] = []
        # Taken from the end of the list, so the mobile block goes last into it and is used first.
        for prefix, _, _ in reversed(DRAMA_BLOCKS):
            block = [f"{prefix}{n:03d}" for n in range(1000) if f"{prefix}{n:03d}" not in taken]
            rng.shuffle(block)
            self.free.extend(block)

    def take(self, near: str | None = None) -> str:
        if not self.free:
            raise ValueError("The drama ranges have no free numbers left: plant fewer networks or decoys")
        if near is not None:
            base, last = near[:-3], int(near[-3:])
            for step in (1, -1, 10, -10):
                candidate = f"{base}{(last + step) % 1000:03d}"
                if candidate in self.free:
                    self.free.remove(candidate)
                    return candidate
        return self.free.pop()


def plan_scenarios(*, networks: int, decoys: int, seed: int, end: date, agencies: int = 6,
                   taken_numbers: set[str] | None = None, span_days: int = 365) -> ScenarioPlan:
    """Decide every network, decoy and report. Nothing touches the database.

    `end` is the last day a report may be dated (reports run over the `span_days` before it); `agencies`
    is how many recording agencies there are (index 0 is the police, who record missing episodes).
    """
    if networks < 0 or decoys < 0:
        raise ValueError("networks and decoys must be zero or more")
    if agencies < 3:
        raise ValueError("at least three recording agencies are needed (the police and two others)")
    if networks > len(NICKNAMES) // 3:
        raise ValueError(f"at most {len(NICKNAMES) // 3} networks: each person of concern needs a nickname of "
                         "their own")
    rng = random.Random(seed)
    start = datetime.combine(end - timedelta(days=span_days), time(9, 0))
    numbers = _Numbers(rng, set(taken_numbers or ()))
    plates: set[str] = set()
    nicknames = list(NICKNAMES)
    rng.shuffle(nicknames)
    persons: list[PersonOfConcernSpec] = []
    children: list[ChildSpec] = []
    reports: list[Report] = []
    planted: list[dict] = []
    used_names: set[tuple[str, str]] = set()
    firms = list(TAXI_FIRMS)
    rng.shuffle(firms)

    def adult_name() -> tuple[str, str]:
        while True:
            name = (rng.choice(ADULT_GIVEN), rng.choice(ADULT_FAMILY))
            if name not in used_names:
                used_names.add(name)
                return name

    def child(group: str, agency: int) -> ChildSpec:
        sex = rng.choice("FFFM")
        given = rng.choice(CHILD_GIVEN_F if sex == "F" else CHILD_GIVEN_M)
        born = end - timedelta(days=rng.randint(12 * 365 + 30, 16 * 365 + 300))
        spec = ChildSpec(f"child-{len(children) + 1}", given, rng.choice(CHILD_FAMILY), born, sex, agency, group)
        children.append(spec)
        return spec

    for n in range(1, networks + 1):
        group = f"network-{n}"
        members = []
        for _ in range(rng.randint(2, 3)):
            given, family = adult_name()
            spec = PersonOfConcernSpec(f"poc-{len(persons) + 1}", given, family, nicknames.pop(),
                                       rng.randint(19, 38), numbers.take())
            persons.append(spec)
            members.append(spec)
        entities: list[dict] = []
        for _ in range(rng.randint(1, 2)):
            make, model = rng.choice(MAKES)
            entities.append({"type": "vehicle", "value": _plate(rng, plates), "make": make, "model": model,
                             "colour": rng.choice(COLOURS)})
        for person in members:
            entities.append({"type": "phone", "value": person.phone, "person": person.key})
        postcode = _postcode(rng)
        places = [{"type": "place", "value": rng.choice(TAKEAWAYS), "postcode": postcode, "premises_type": "takeaway"}]
        if rng.random() < 0.5:
            places.append({"type": "place", "value": rng.choice(HOTELS), "postcode": _postcode(rng),
                           "premises_type": "hotel"})
        else:
            places.append({"type": "place", "address": f"Flat {rng.randint(1, 9)}, {rng.randint(2, 90)} "
                                                       f"{rng.choice(STREETS)}",
                           "postcode": _postcode(rng), "premises_type": "house"})
        entities.extend(places)
        if rng.random() < 0.5:
            entities.append({"type": "business", "value": firms.pop(), "business_kind": "taxi_operator"})
        if rng.random() < 0.5:
            entities.append({"type": "online", "value": f"{members[0].nickname.lower()}_{rng.randint(10, 99)}",
                             "platform": "snapchat"})
        # Children, each known to a different agency; the police among them when the draw allows.
        count = min(rng.randint(3, 5), agencies)
        agency_ids = rng.sample(range(agencies), count)
        kids = [child(group, agency) for agency in agency_ids]
        # Who mentions what: each child shares something with an earlier child (so the network is
        # connected), and everything shared is mentioned about at least two children.
        order = list(range(len(entities)))
        rng.shuffle(order)
        mentioned_by: dict[int, set[int]] = {e: set() for e in order}
        mentioned_by[order[0]].add(0)
        for i in range(1, len(kids)):
            earlier = [e for e in order if mentioned_by[e] and min(mentioned_by[e]) < i]
            mentioned_by[rng.choice(earlier)].add(i)
            if rng.random() < 0.6:
                mentioned_by[rng.choice(order)].add(i)
        for e in order:
            while len(mentioned_by[e]) < 2:
                mentioned_by[e].add(rng.randrange(len(kids)))
        # Reports: two or three per child over about eight months.
        begin = start + timedelta(days=rng.randint(0, max(1, span_days - 250)))
        child_reports: dict[int, list[Report]] = {}
        for i, kid in enumerate(kids):
            count_reports = rng.randint(2, 3)
            times = sorted(begin + timedelta(days=rng.uniform(0, 240), minutes=rng.randint(0, 600))
                           for _ in range(count_reports))
            # At least a day apart: a missing episode lasts hours, and two about one child must not overlap.
            for r in range(1, len(times)):
                times[r] = max(times[r], times[r - 1] + timedelta(days=1))
            child_reports[i] = []
            for r, at in enumerate(times):
                kind = "missing" if kid.agency == 0 and r > 0 else "referral"
                report = Report(at=at, group=group, child=kid.key, agency=kid.agency, kind=kind, narrative="")
                child_reports[i].append(report)
        for e in order:
            for i in sorted(mentioned_by[e]):
                # A missing episode records a car in its own field and phones or handles the narrative
                # names; places, firms and people are recorded on referrals.
                fits = [r for r in child_reports[i]
                        if r.kind == "referral" or entities[e]["type"] in MISSING_EPISODE_TYPES]
                rng.choice(fits).mentions.append(dict(entities[e]))
        named: set[str] = set()
        for i, kid in enumerate(kids):
            for report in child_reports[i]:
                _write_report(rng, report, kid, members, named)
                reports.append(report)
        planted.append({
            "id": group, "persons_of_concern": [p.key for p in members], "children": [k.key for k in kids],
            "agencies": sorted({k.agency for k in kids}), "nicknames": [p.nickname for p in members],
            "shared": [_describe(e) for e in entities],
        })

    decoy_specs: list[dict] = []
    for m in range(1, decoys + 1):
        group = f"decoy-{m}"
        kind = DECOY_KINDS[(m - 1) % len(DECOY_KINDS)]
        target = planted[(m - 1) % len(planted)] if planted else None
        mention, looks_like = _decoy_mention(rng, kind, target, reports, persons, numbers, plates, used_names)
        kid = child(group, rng.randrange(agencies))
        at = start + timedelta(days=rng.uniform(0, span_days - 1), minutes=rng.randint(0, 600))
        first = Report(at=at, group=group, child=kid.key, agency=kid.agency, kind="referral", narrative="",
                       mentions=[mention])
        _write_report(rng, first, kid, [], set())
        reports.append(first)
        # The same agency again about the same child: its own corroboration, which links nothing.
        if rng.random() < 0.5:
            again = Report(at=at + timedelta(days=rng.randint(5, 40)), group=group, child=kid.key, agency=kid.agency,
                           kind="referral", narrative="", mentions=[dict(mention)])
            _write_report(rng, again, kid, [], set())
            reports.append(again)
        decoy_specs.append({"id": group, "kind": kind, "looks_like": looks_like, "value": _describe(mention),
                            "children": [kid.key], "agencies": [kid.agency],
                            "network": target["id"] if target else None})

    # Nothing after the end day: a record cannot describe the future.
    latest = datetime.combine(end, time(18, 0))
    for report in reports:
        report.at = min(report.at, latest - timedelta(minutes=rng.randint(0, 600)))
    reports.sort(key=lambda r: (r.at, r.group, r.child))
    # Distinct moments, so "raised when the second agency mentioned it" can be checked exactly.
    for n, report in enumerate(reports):
        report.at = report.at.replace(second=0, microsecond=0) + timedelta(seconds=n % 60)
    return ScenarioPlan(seed, agencies, planted, decoy_specs, persons, children, reports)


def _describe(entity: dict) -> dict:
    described = {k: v for k, v in entity.items() if k not in {"relationship", "person"}}
    return described


def _decoy_mention(rng, kind: str, target: dict | None, reports: list[Report], persons, numbers: _Numbers,
                   plates: set[str], used_names: set[tuple[str, str]]) -> tuple[dict, dict]:
    """A value that looks like something in `target` (a planted network) but must link to nothing: not to the
    network, and not to another decoy (`used_names` holds every adult's name so far, decoys' included)."""
    shared = target["shared"] if target else []

    def first(type_: str) -> dict | None:
        return next((e for e in shared if e["type"] == type_ and ("value" in e or type_ == "place")), None)

    if kind == "near_miss_plate":
        original = first("vehicle")["value"] if first("vehicle") else _plate(rng, plates)
        return {"type": "vehicle", "value": _near_miss_plate(rng, original, plates)}, {"type": "vehicle",
                                                                                        "value": original}
    if kind == "other_number":
        original = first("phone")
        number = numbers.take(near=original["value"] if original else None)
        return {"type": "phone", "value": number}, {"type": "phone", "value": original["value"] if original else ""}
    if kind == "same_street_other_premises":
        original = first("place") or {"type": "place", "value": rng.choice(TAKEAWAYS), "postcode": _postcode(rng)}
        if original.get("address"):
            flat, rest = original["address"].split(", ", 1)
            other = {"type": "place", "address": f"Flat {int(flat.split()[1]) % 9 + 1}, {rest}",
                     "postcode": original["postcode"], "premises_type": "house"}
        else:
            names = [n for n in TAKEAWAYS + HOTELS if n != original["value"]]
            other = {"type": "place", "value": rng.choice(names), "postcode": original["postcode"],
                     "premises_type": "shop"}
        return other, original
    if kind == "similar_handle":
        original = first("online")
        handle = original["value"] if original else f"{rng.choice(NICKNAMES).lower()}_{rng.randint(10, 99)}"
        other = handle + str(rng.randint(0, 9))
        return {"type": "online", "value": other, "platform": "snapchat"}, {"type": "online", "value": handle}
    person = next((p for p in persons if target and p.key in target["persons_of_concern"]), None)
    if kind == "same_nickname_other_age":
        nickname = person.nickname if person else rng.choice(NICKNAMES)
        age = (person.age if person else 25) + rng.randint(15, 25)
        return ({"type": "person", "value": nickname, "approximate_age": age},
                {"type": "person", "value": nickname, "approximate_age": person.age if person else None})
    # same_first_name_other_family
    given = person.given if person else rng.choice(ADULT_GIVEN)
    # Another family name than his, and than any adult of that first name so far: two decoys both named
    # "Craig Mahmood" at the same age would be one person to the link check, and rightly linked.
    family = rng.choice([f for f in ADULT_FAMILY
                         if (given, f) not in used_names and (not person or f != person.family)])
    used_names.add((given, family))
    age = person.age if person else 30
    return ({"type": "person", "value": f"{given} {family}", "approximate_age": age},
            {"type": "person", "value": f"{person.given} {person.family}" if person else given,
             "approximate_age": age})


def _write_report(rng: random.Random, report: Report, kid: ChildSpec, members: list[PersonOfConcernSpec],
                  named: set[str]) -> None:
    """Type the report as a practitioner would: the referral form's mentions (kind, value, relationship,
    detail) in varied formats, or a missing episode's car field and narrative; and write the narrative."""
    typed: list[dict] = []
    sentences: list[str] = []
    for entity in report.mentions:
        kind = entity["type"]
        relationship = rng.choice(RELATIONSHIPS[kind])
        if kind == "vehicle":
            plate = rng.choice(PLATE_FORMATS)(entity["value"])
            words = " ".join(entity[k] for k in ("colour", "make", "model") if entity.get(k))
            if report.kind == "missing":
                if not report.vehicle_registration:
                    report.vehicle_registration = plate
                else:
                    sentences.append(f"Seen earlier in a car, registration {plate}.")
            elif rng.random() < 0.3:
                sentences.append(f"The car's registration was {plate}.")  # found by the machine, unconfirmed
            else:
                typed.append({"kind": "vehicle", "value": plate, "relationship": relationship, "detail": words})
        elif kind == "phone":
            number = rng.choice(phone_formats(entity["value"]))
            if report.kind == "missing":
                sentences.append(f"Her phone showed calls from {number}.")
            else:
                typed.append({"kind": "phone", "value": number, "relationship": relationship, "detail": ""})
        elif kind == "place":
            name = entity.get("value") or entity["address"]
            name = name.upper() if rng.random() < 0.3 else name
            # The referral form has one box: the premises (or address) and its postcode, as people type them.
            typed.append({"kind": "place", "value": f"{name}, {entity['postcode']}", "relationship": relationship,
                          "detail": entity.get("premises_type", "")})
        elif kind == "business":
            name = entity["value"].upper() if rng.random() < 0.3 else entity["value"]
            typed.append({"kind": "business", "value": name, "relationship": relationship,
                          "detail": "taxi firm" if entity.get("business_kind") == "taxi_operator" else ""})
        elif kind == "online":
            handle = "@" + entity["value"] if rng.random() < 0.5 else entity["value"]
            if report.kind == "missing":
                sentences.append(f"She had been messaging {'' if handle.startswith('@') else '@'}{handle}.")
            else:
                typed.append({"kind": "online", "value": handle, "relationship": relationship,
                              "detail": (entity.get("platform") or "").title()})
        elif kind == "person":
            age = entity.get("approximate_age")
            typed.append({"kind": "person", "value": entity["value"], "relationship": relationship,
                          "detail": f"about {age}" if age else ""})
    # Name one of the network's persons of concern by nickname, with an approximate age as given.
    if members and rng.random() < 0.7:
        person = rng.choice(members)
        age = person.age + rng.choice((-1, 0, 0, 1))
        if report.kind == "missing":
            report.with_whom = f"an older male known as {person.nickname}"
        else:
            typed.append({"kind": "person", "value": person.nickname, "relationship": rng.choice(
                RELATIONSHIPS["person"]), "detail": f"about {age}"})
            if person.key not in named:
                named.add(person.key)
                report.resolve_to = person.key
    report.mentions = typed
    if report.kind == "missing":
        report.narrative = rng.choice(MISSING_CIRCUMSTANCES)
    else:
        vehicle = next((e for e in report_entities(report, typed) if e), None)
        report.narrative = rng.choice(REFERRAL_NARRATIVES).format(child=kid.given, car=vehicle or "car")
    if sentences:
        report.narrative += " " + " ".join(sentences)


def report_entities(report: Report, typed: list[dict]) -> list[str]:
    """The car words ("silver Vauxhall Astra") of the report's typed vehicles, for its narrative."""
    return [item["detail"] for item in typed if item["kind"] == "vehicle" and item["detail"]]


# --- Recording the plan ------------------------------------------------------------------------------

@dataclass
class ScenarioActors:
    """Who records: practitioners of different agencies (the first a police officer) and a coordinator."""

    practitioners: list
    coordinator: object

    def __post_init__(self):
        if len(self.practitioners) < 3:
            raise ValueError("at least three practitioners from different agencies are needed")
        from wrekin.accounts.models import AgencyType

        if self.practitioners[0].agency.type != AgencyType.POLICE:
            raise ValueError("the first practitioner must be a police officer (they record missing episodes)")
        if len({p.agency.pk for p in self.practitioners}) != len(self.practitioners):
            raise ValueError("each practitioner must be from a different agency")


# The demo users of `wrekin seed` who record in the scenarios (wrekin/synthetic/staff.py).
DEMO_RECORDERS = ("sarah", "amir", "zofia", "gemma", "tom", "joy")
DEMO_COORDINATOR = "priya"


def demo_actors() -> ScenarioActors:
    from wrekin.accounts.models import User

    users = {u.username: u for u in User.objects.filter(username__in=(*DEMO_RECORDERS, DEMO_COORDINATOR))}
    missing = [name for name in (*DEMO_RECORDERS, DEMO_COORDINATOR) if name not in users]
    if missing:
        raise LookupError("The demo users are missing (" + ", ".join(missing) + "): run `wrekin seed` first")
    return ScenarioActors([users[name] for name in DEMO_RECORDERS], users[DEMO_COORDINATOR])


@dataclass
class ScenarioResult:
    plan: ScenarioPlan
    ground_truth: dict
    counts: dict[str, int]


def _aware(moment: datetime) -> datetime:
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def seed_scenarios(*, networks: int, decoys: int, seed: int, actors: ScenarioActors | None = None,
                   end: date | None = None, progress: Callable[[str], None] | None = None) -> ScenarioResult:
    """Plan and record the scenarios in chronological order; return the plan and its ground truth."""
    from wrekin.intelligence.models import Entity, EntityType
    from wrekin.people.models import PersonPhone

    actors = actors or demo_actors()
    say = progress or (lambda message: None)
    end = end or (timezone.localdate() - timedelta(days=1))
    partnership_id = actors.coordinator.agency.partnership_id
    # Numbers already on people's records or named in records: a planted network must not borrow them.
    taken = set(PersonPhone.objects.filter(person__partnership_id=partnership_id).values_list("number", flat=True))
    taken |= set(Entity.objects.filter(partnership_id=partnership_id, type=EntityType.PHONE)
                 .values_list("key", flat=True))
    plan = plan_scenarios(networks=networks, decoys=decoys, seed=seed, end=end, agencies=len(actors.practitioners),
                          taken_numbers=taken)
    say(f"Planned {len(plan.networks)} networks, {len(plan.decoys)} decoys, {len(plan.reports)} reports")
    with transaction.atomic():
        ids = _record(plan, actors, say)
    truth = ground_truth(plan, ids, actors)
    counts = {"networks": len(plan.networks), "decoys": len(plan.decoys), "reports": len(plan.reports),
              "children": len(plan.children), "persons_of_concern": len(plan.persons)}
    return ScenarioResult(plan, truth, counts)


def _record(plan: ScenarioPlan, actors: ScenarioActors, say) -> dict:
    """Record every report through the real actions, in date order. The actions record what each record
    mentions (wrekin.intelligence.linking.record_mentions) and run the link check as they save."""
    from wrekin.intelligence.alerts import resolve_person_mention
    from wrekin.intelligence.models import EntityType, Mention
    from wrekin.missing.actions import record_missing_episode, record_return
    from wrekin.people.actions import add_person_name, add_person_phone, record_person
    from wrekin.referrals.actions import record_child_and_referral, record_referral

    police = actors.practitioners[0]
    person_ids: dict[str, int] = {}
    child_ids: dict[str, int] = {}
    records: dict[str, list[str]] = {}
    made: list[dict] = []
    children = {c.key: c for c in plan.children}
    persons = {p.key: p for p in plan.persons}

    # Persons of concern are known to the police before the first report about them.
    for spec in plan.persons:
        person = record_person(actor=police, details={
            "kind": PersonKind.PERSON_OF_CONCERN, "given_name": spec.given, "family_name": spec.family,
            "approximate_age": spec.age, "sex": "M"}, summary="Person of concern in exploitation enquiries")
        add_person_name(actor=police, person_id=person.pk, kind=NameKind.NICKNAME, given_name=spec.nickname,
                        family_name="")
        add_person_phone(actor=police, person_id=person.pk, number=spec.phone,
                         as_given=phone_formats(spec.phone)[0], label="Phone")
        person_ids[spec.key] = person.pk

    for n, report in enumerate(plan.reports, start=1):
        actor = actors.practitioners[report.agency]
        kid = children[report.child]
        at = _aware(report.at)
        if report.kind == "referral":
            common = {"occurred_on": at.date(), "narrative": report.narrative, "indicators": [],
                      "mentions": report.mentions, "lawful_basis": "public_task", "consent_status": "not_sought",
                      "consent_reason": "Shared without consent to protect the child from exploitation"}
            if kid.key not in child_ids:
                source = record_child_and_referral(actor=actor, child_details={
                    "given_name": kid.given, "family_name": kid.family, "date_of_birth": kid.date_of_birth,
                    "sex": kid.sex}, **common)
                child_ids[kid.key] = source.child_id
            else:
                source = record_referral(actor=actor, child=child_ids[kid.key], **common)
        else:
            episode = record_missing_episode(
                actor=actor, child=child_ids[kid.key], reported_at=at, last_seen_where="Near the school",
                circumstances=report.narrative, police_risk_grade="medium", now=at + timedelta(minutes=1))
            source = record_return(actor=actor, episode=episode, returned_at=at + timedelta(hours=9),
                                   found_where="Dropped off near home", with_whom=report.with_whom,
                                   travel_modes=["car"] if report.vehicle_registration else ["not_known"],
                                   vehicle_registration=report.vehicle_registration,
                                   now=at + timedelta(hours=9, minutes=5))
        key = f"{source._meta.label_lower}:{source.pk}"
        records.setdefault(report.group, []).append(key)
        made.append({"record": key, "on": at.date().isoformat(), "group": report.group,
                     "agency": actor.agency.pk, "child": child_ids[kid.key]})
        if report.resolve_to:
            # The coordinator reviews the named person and confirms who it is.
            named = (Mention.objects.filter(source_type=source._meta.label_lower, source_id=source.pk,
                                            entity__type=EntityType.PERSON,
                                            entity__display=persons[report.resolve_to].nickname)
                     .order_by("pk").first())
            if named is not None:
                resolve_person_mention(actor=actors.coordinator, mention_id=named.pk,
                                       person_id=person_ids[report.resolve_to])
        if n % 50 == 0:
            say(f"  recorded {n} of {len(plan.reports)} reports")
    return {"persons": person_ids, "children": child_ids, "records": records, "reports": made}


def ground_truth(plan: ScenarioPlan, ids: dict, actors: ScenarioActors) -> dict:
    """What was planted, in database ids and normalised keys, for the benchmarks and tests."""
    from wrekin.intelligence.entities import identify

    def keyed(described: dict) -> dict:
        # The key as the referral form's one box records it (see _write_report): a place with its postcode.
        value = described.get("value") or described.get("address") or ""
        details = {}
        if described["type"] == "place":
            value = f"{value}, {described['postcode']}"
        elif described["type"] == "online":
            details["platform"] = described.get("platform", "")
        try:
            identity = identify(described["type"], value, **details)
        except ValidationError:
            return {**described, "key": None, "entity_type": None}
        return {**described, "key": identity.key, "entity_type": str(identity.type)}

    agencies = [p.agency.pk for p in actors.practitioners]
    children = {c.key: c for c in plan.children}
    return {
        "seed": plan.seed,
        "about": {
            "networks": "planted networks: persons of concern, children (each known to a different agency), "
                        "the things they share (normalised keys) and the records that mention them",
            "decoys": "look-alike values mentioned about one child by one agency: must link to nothing",
            "reports": "every record in the order it was made, with its group (network or decoy)",
        },
        "networks": [{
            "id": n["id"], "persons_of_concern": [ids["persons"][k] for k in n["persons_of_concern"]],
            "nicknames": n["nicknames"], "children": [ids["children"][k] for k in n["children"]],
            "agencies": [agencies[a] for a in n["agencies"]], "shared": [keyed(e) for e in n["shared"]],
            "records": ids["records"].get(n["id"], []),
        } for n in plan.networks],
        "decoys": [{
            "id": d["id"], "kind": d["kind"], "network": d["network"], "value": keyed(d["value"]),
            "looks_like": d["looks_like"], "children": [ids["children"][k] for k in d["children"]],
            "agencies": [agencies[a] for a in d["agencies"]], "records": ids["records"].get(d["id"], []),
        } for d in plan.decoys],
        "reports": ids["reports"],
        "children": {str(ids["children"][k]): children[k].group for k in ids["children"]},
    }
