"""Generate a synthetic partnership as plain data, deterministically from a seed.

`generate(children=N, seed=S)` returns a `Plan`: staff, people, their names,
addresses, phones, agency involvements and relationships, plus the ground truth
(which records are one real child, which children are twins, who is connected
to whom). Nothing here touches the database; `wrekin.synthetic.actions` writes
a plan. People are referred to by their index in `Plan.people` until then.

All randomness comes from one `random.Random(seed)`, and nothing iterates over a
set, so the same seed gives the same plan on every machine and Python run.

What the data plants, on purpose:
- households of one to four children (siblings share an address and usually a
  family name), some with twins: same family name, address and date of birth,
  different given names — the false-merge trap linkage must not fall into;
- children recorded a second time by another agency with real-world noise
  (a nickname for the given name, a misspelt family name, day and month of birth
  swapped, no date of birth, a different postcode, no identifiers);
- persons of concern grouped into networks, each connected to children in one
  area as "boyfriend", controlling adult or associate, with aliases and street
  names, often only an approximate age, and often no recorded ethnicity (the
  completeness problem the Casey audit found).
"""

from __future__ import annotations

import bisect
import itertools
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from wrekin.accounts.models import AgencyType, Role
from wrekin.people.models import InvolvementKind, NameKind, PersonKind, RelationshipKind
from wrekin.synthetic import narratives
from wrekin.synthetic.staff import (
    AGENCIES_BY_KEY,
    CASEWORK_AGENCIES,
    DEMO_USERS,
    SCHOOL_AGENCY_BY_NAME,
    StaffSpec,
)
from wrekin.synthetic.wordlists import (
    FAMILY_MISSPELLINGS,
    FLAT_BLOCK_SUFFIXES,
    GIVEN_MISSPELLINGS,
    JOB_TITLES,
    KNOWN_AS,
    LOCALITIES,
    NAME_POOLS,
    OCCUPATIONS,
    SECONDARY_SCHOOLS,
    SIXTH_FORM_COLLEGES,
    STREET_NAMES,
    STREET_STEMS,
    STREET_SUFFIXES,
    TAXI_OCCUPATIONS,
    Locality,
    NamePool,
)

# Ages are worked out on this day, so a seed gives the same people whenever it is run.
REFERENCE_DATE = date(2026, 10, 1)

# Ofcom reserves 07700 900000-900999 for drama: the only mobile numbers safe to invent.
DRAMA_MOBILES = 1000
_POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_LA_CODES = {"wrekin": "894", "severn": "893"}

_CHILD_AGES = (10, 11, 12, 13, 14, 15, 16, 17)
_CHILD_AGE_WEIGHTS = (3, 5, 9, 14, 18, 20, 18, 13)
_CHILDREN_PER_HOUSEHOLD = (1, 2, 3, 4)
_CHILDREN_PER_HOUSEHOLD_WEIGHTS = (70, 21, 6.5, 2.5)
_TWIN_HOUSEHOLD_RATE = 0.015
_DUPLICATE_RATE = 0.03
_PERSON_OF_CONCERN_RATE = 0.10
_ASSOCIATE_RATE = 0.025


@dataclass(slots=True)
class PersonSpec:
    kind: str
    given_name: str
    family_name: str
    sex: str
    agency: str = ""
    middle_names: str = ""
    known_as: str = ""
    date_of_birth: date | None = None
    approximate_age: int | None = None
    approximate_age_recorded_on: date | None = None
    ethnicity: str = ""
    ethnicity_observed: str = ""
    nationality: str = ""
    disability: str = ""
    special_educational_needs: str = ""
    nhs_number: str = ""
    upn: str = ""
    school: str = ""
    looked_after: bool | None = None
    placed_out_of_area: bool | None = None
    occupation: str = ""

    def model_fields(self) -> dict:
        """The values for `Person(...)`: every field but the recording agency's key."""
        return {name: getattr(self, name) for name in PERSON_MODEL_FIELDS}


PERSON_MODEL_FIELDS = tuple(name for name in PersonSpec.__slots__ if name != "agency")


@dataclass(slots=True)
class AddressSpec:
    person: int
    line1: str
    line2: str
    town: str
    postcode: str
    valid_from: date | None
    valid_to: date | None
    agency: str


@dataclass(slots=True)
class Street:
    name: str
    locality: Locality
    postcodes: tuple[str, ...]
    houses: int
    is_flats: bool = False


@dataclass(slots=True)
class Household:
    pool: NamePool
    family_name: str
    street: Street
    line1: str
    postcode: str
    moved_in: date
    children: list[int] = field(default_factory=list)
    previous: tuple[str, str, str, str] | None = None  # line1, line2, town, postcode


@dataclass
class Plan:
    seed: int
    children: int
    reference_date: date
    staff: list[StaffSpec] = field(default_factory=list)
    people: list[PersonSpec] = field(default_factory=list)
    addresses: list[AddressSpec] = field(default_factory=list)
    # (person, number E.164, as given, label, agency)
    phones: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    # (person, kind, given name, family name, agency)
    names: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    # (person, agency, kind, started on, ended on, summary, worker: index into staff or None)
    involvements: list[tuple[int, str, str, date, date | None, str, int | None]] = field(default_factory=list)
    # (from person, to person, kind, agency, recorded on, note); read "from's <kind> is to"
    relationships: list[tuple[int, int, str, str, date, str]] = field(default_factory=list)
    # Ground truth, in person indexes.
    same_person: list[list[int]] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    twins: list[list[int]] = field(default_factory=list)
    siblings: list[list[int]] = field(default_factory=list)
    connections: list[list] = field(default_factory=list)
    networks: list[dict] = field(default_factory=list)
    shared_phones: list[dict] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        by_kind = {kind: 0 for kind in PersonKind.values}
        for person in self.people:
            by_kind[person.kind] += 1
        return {
            "children": self.children,
            "child_records": by_kind[PersonKind.CHILD],
            "persons_of_concern": by_kind[PersonKind.PERSON_OF_CONCERN],
            "associates": by_kind[PersonKind.ASSOCIATE],
            "people": len(self.people),
            "duplicate_records": sum(len(group) - 1 for group in self.same_person),
            "twin_pairs": len(self.twins),
            "sibling_pairs": len(self.siblings),
            "connections": len(self.connections),
            "networks": len(self.networks),
            "names": len(self.names),
            "addresses": len(self.addresses),
            "phones": len(self.phones),
            "involvements": len(self.involvements),
            "relationships": len(self.relationships),
        }


# --- Identifiers ---------------------------------------------------------------------------------

def nhs_number_from_body(body: str) -> str | None:
    """Append the modulus 11 check digit to nine digits, or None when no digit fits (11 - r == 10)."""
    total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return None if check == 10 else body + str(check)


def upn_from_body(body: str) -> str:
    """A UPN: the DfE check letter, then the 12 characters it checks."""
    total = sum((int(c) if c.isdigit() else _UPN_LETTERS.index(c)) * w for w, c in enumerate(body, start=2))
    return _UPN_LETTERS[total % 23] + body


def mobile_e164(n: int) -> str:
    return f"+447700900{n:03d}"


def ascii_username(*parts: str) -> str:
    text = ".".join(parts).replace("ł", "l").replace("Ł", "L")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return "".join(ch for ch in text if ch.isascii() and (ch.isalnum() or ch == "."))


def _misspell(name: str, table: dict[str, tuple[str, ...]], rng: random.Random) -> str:
    if name in table and rng.random() < 0.8:
        return rng.choice(table[name])
    return _typo(name, rng)


# Spellings that sound alike: how a name heard over the phone or read from a note gets written.
_SOUND_ALIKE = (
    ("ie", "ey"), ("ey", "ie"), ("ee", "ea"), ("ea", "ee"), ("y", "i"), ("i", "y"), ("ph", "f"),
    ("ck", "k"), ("ll", "l"), ("nn", "n"), ("tt", "t"), ("ss", "s"), ("rr", "r"), ("mm", "m"),
    ("ou", "o"), ("ae", "a"), ("th", "t"), ("z", "s"),
)
_VOWELS = "aeiouy"


def _typo(name: str, rng: random.Random) -> str:
    """A plausible slip: a sound-alike spelling, or two letters swapped in a longer name."""
    options = [(i, old, new) for old, new in _SOUND_ALIKE
               for i in range(1, len(name)) if name.startswith(old, i)]
    # A single consonant between vowels gets doubled (Tanya, Tannya), as people often write it.
    options += [(i, name[i], name[i] * 2) for i in range(1, len(name) - 1)
                if name[i] in "lnmrst" and name[i - 1] in _VOWELS and name[i + 1] in _VOWELS]
    if name.endswith("ah"):
        options.append((len(name) - 2, "ah", "a"))
    elif name.endswith("a"):
        options.append((len(name) - 1, "a", "ah"))
    if options and (len(name) < 6 or rng.random() < 0.85):
        i, old, new = rng.choice(options)
        return name[:i] + new + name[i + len(old):]
    if len(name) >= 5:
        i = rng.randrange(1, len(name) - 2)
        return name[:i] + name[i + 1] + name[i] + name[i + 2:]
    return name + ("e" if not name.endswith("e") else "")


class Generator:
    def __init__(self, *, children: int, seed: int, reference_date: date = REFERENCE_DATE):
        if children < 1:
            raise ValueError("Generate at least one child")
        self.rng = random.Random(seed)
        self.today = reference_date
        self.plan = Plan(seed=seed, children=children, reference_date=reference_date)
        self._pool_weights = list(itertools.accumulate(pool.weight for pool in NAME_POOLS))
        self._locality_weights = list(itertools.accumulate(loc.weight for loc in LOCALITIES))
        self._used_addresses: set[tuple[str, str]] = set()
        self._used_upns: set[str] = set()
        self._children_by_district: dict[str, list[int]] = {}
        self._child_household: dict[int, Household] = {}
        self._connected: dict[int, int] = {}  # child index -> number of connections
        self._aliases: dict[int, str] = {}  # person of concern -> a name children use for them
        self._involved: dict[int, list[str]] = {}  # person index -> agencies involved, in order
        self._sibling_pairs: list[tuple[int, int]] = []  # recorded as relationships once agencies are known
        self._birth_dates: dict[int, date] = {}  # child index -> true date of birth, recorded or not

    # --- small helpers ----------------------------------------------------------------------------

    def weighted(self, options, weights):
        return self.rng.choices(options, weights=weights, k=1)[0]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pool(self) -> NamePool:
        index = bisect.bisect_right(self._pool_weights, self.rng.random() * self._pool_weights[-1])
        return NAME_POOLS[min(index, len(NAME_POOLS) - 1)]

    def locality(self) -> Locality:
        index = bisect.bisect_right(self._locality_weights, self.rng.random() * self._locality_weights[-1])
        return LOCALITIES[min(index, len(LOCALITIES) - 1)]

    def date_between(self, start: date, end: date) -> date:
        return date.fromordinal(self.rng.randint(start.toordinal(), end.toordinal()))

    def days_ago(self, most: int, least: int = 0) -> date:
        """A day between `most` and `least` days before the reference date."""
        return self.date_between(self.today - timedelta(days=most), self.today - timedelta(days=least))

    def years_before(self, years: int) -> date:
        try:
            return self.today.replace(year=self.today.year - years)
        except ValueError:  # 29 February
            return self.today.replace(year=self.today.year - years, day=28)

    def dob_for_age(self, age: int) -> date:
        """A date of birth giving this age on the reference date."""
        return self.date_between(self.years_before(age + 1) + timedelta(days=1), self.years_before(age))

    def given_name(self, pool: NamePool, sex: str) -> str:
        if sex == "F":
            return self.rng.choice(pool.female)
        if sex == "M":
            return self.rng.choice(pool.male)
        return self.rng.choice(pool.female if self.chance(0.5) else pool.male)

    def family_name(self, pool: NamePool, base: str, sex: str, *, married_woman: bool = False) -> str:
        """A family name as a person of this sex carries it in this naming tradition."""
        if pool.family_rule == "polish" and sex == "F":
            for masculine, feminine in (("ski", "ska"), ("cki", "cka"), ("dzki", "dzka")):
                if base.endswith(masculine):
                    return base[: -len(masculine)] + feminine
        if pool.family_rule == "lithuanian" and sex == "F":
            for ending, unmarried, married in (("as", "aitė", "ienė"), ("is", "ytė", "ienė"),
                                               ("us", "ūtė", "ienė")):
                if base.endswith(ending):
                    return base[: -len(ending)] + (married if married_woman else unmarried)
        if pool.family_rule == "bangladeshi" and sex == "F" and married_woman and self.chance(0.5):
            return self.rng.choice(("Begum", "Khatun"))
        return base

    def sikh_names(self, pool: NamePool, base: str, sex: str) -> tuple[str, str]:
        """Sikh names: Singh or Kaur as a middle name, or as the family name in place of the surname."""
        religious = "Kaur" if sex == "F" else "Singh"
        roll = self.rng.random()
        if roll < 0.45:
            return religious, base
        if roll < 0.7:
            return "", religious
        return "", base

    def ethnicity(self, pool: NamePool, *, recorded: float, refused: float, not_obtained: float) -> str:
        roll = self.rng.random()
        if roll < recorded:
            return pool.ethnicity
        if roll < recorded + refused:
            return "REFU"
        if roll < recorded + refused + not_obtained:
            return "NOBT"
        return ""

    # --- the partnership's people at work -----------------------------------------------------

    def make_staff(self) -> None:
        plan = self.plan
        plan.staff.extend(DEMO_USERS)
        used = {user.username for user in DEMO_USERS}
        scale = 1 + min(plan.children // 10000, 10)
        base = {"csc_wrekin": 4, "csc_severn": 3, "police": 4, "health_community": 3, "health_hospitals": 2,
                "school_coalport": 1, "school_severn_gorge": 1, "school_kilnbank": 1, "school_castle_ward": 1,
                "youth": 2, "voluntary": 2, "licensing": 1, "exploitation_team": 2}
        managers = ("csc_severn", "police", "health_community", "youth", "voluntary")
        for agency_key in CASEWORK_AGENCIES:
            agency = AGENCIES_BY_KEY[agency_key]
            roles = [Role.PRACTITIONER] * (base.get(agency_key, 1) * scale)
            if agency_key in managers:
                roles.append(Role.MANAGER)
            for role in roles:
                pool = self.pool()
                sex = "F" if self.chance(0.7) else "M"
                first = self.given_name(pool, sex)
                last = self.family_name(pool, self.rng.choice(pool.family), sex, married_woman=True)
                username = ascii_username(first, last)
                suffix = 2
                while username in used:
                    username = ascii_username(first, last) + str(suffix)
                    suffix += 1
                used.add(username)
                job_title = ("Team manager" if role == Role.MANAGER
                             else self.rng.choice(JOB_TITLES[agency.type]))
                plan.staff.append(StaffSpec(username, first, last, agency_key, role, job_title))
        self._workers: dict[str, list[int]] = {}
        for index, staff in enumerate(plan.staff):
            if staff.role in (Role.PRACTITIONER, Role.MANAGER):
                self._workers.setdefault(staff.agency, []).append(index)

    def worker(self, agency_key: str) -> int | None:
        workers = self._workers.get(agency_key)
        if not workers or self.chance(0.12):
            return None
        return self.rng.choice(workers)

    # --- places ---------------------------------------------------------------------------------

    def make_streets(self) -> None:
        total_weight = sum(loc.weight for loc in LOCALITIES)
        # Enough streets that unrelated households rarely share a front door.
        households_expected = self.plan.children * 0.75 + 50
        self._streets: dict[str, list[Street]] = {}
        names_used: set[tuple[str, str]] = set()
        for loc in LOCALITIES:
            count = max(6, int(households_expected * loc.weight / total_weight / 40) + 6)
            streets = []
            while len(streets) < count:
                is_flats = self.chance(0.08)
                suffix = self.rng.choice(FLAT_BLOCK_SUFFIXES if is_flats else STREET_SUFFIXES)
                name = f"{self.rng.choice(STREET_STEMS)} {suffix}"
                if (loc.post_town, name) in names_used:
                    if len(names_used) > len(STREET_STEMS) * len(STREET_SUFFIXES) * 3:
                        name = f"{name} {len(streets)}"
                    else:
                        continue
                names_used.add((loc.post_town, name))
                postcodes = tuple(
                    f"{loc.district} {self.rng.choice(loc.sectors)}"
                    f"{self.rng.choice(_POSTCODE_UNIT_LETTERS)}{self.rng.choice(_POSTCODE_UNIT_LETTERS)}"
                    for _ in range(self.rng.randint(1, 3))
                )
                streets.append(Street(name, loc, postcodes, self.rng.randint(12, 160), is_flats))
            self._streets[loc.name] = streets

    def address(self, loc: Locality | None = None) -> tuple[Street, str, str]:
        """A front door not used by another household: (street, line 1, postcode)."""
        loc = loc or self.locality()
        for attempt in range(12):
            street = self.rng.choice(self._streets[loc.name])
            number = self.rng.randint(1, street.houses)
            line1 = f"Flat {number}, {street.name}" if street.is_flats else f"{number} {street.name}"
            if (loc.name, line1) not in self._used_addresses or attempt == 11:
                self._used_addresses.add((loc.name, line1))
                return street, line1, street.postcodes[number % len(street.postcodes)]
        raise AssertionError("unreachable")

    # --- schools and identifiers ------------------------------------------------------------------

    def make_schools(self) -> None:
        self._primary: dict[str, list[tuple[str, str]]] = {}
        stems = self.rng.sample(STREET_STEMS, len(LOCALITIES) * 2)
        establishment = itertools.count(2011, 7)
        for i, loc in enumerate(LOCALITIES):
            self._primary[loc.name] = [
                (f"{stems[2 * i + j]} Primary School", f"{next(establishment):04d}")
                for j in range(1 if loc.weight < 2 else 2)
            ]
        self._secondary_by_district: dict[str, list[str]] = {}
        for name, districts in SECONDARY_SCHOOLS:
            for district in districts:
                self._secondary_by_district.setdefault(district, []).append(name)

    def school_for(self, dob: date, loc: Locality) -> str:
        birth_academic_year = dob.year if dob.month >= 9 else dob.year - 1
        this_academic_year = self.today.year if self.today.month >= 9 else self.today.year - 1
        year_group = this_academic_year - birth_academic_year - 5
        if year_group <= 6:
            return self.rng.choice(self._primary[loc.name])[0]
        if year_group <= 11:
            if self.chance(0.04):
                return ""  # electively home educated, or missing education
            return self.rng.choice(self._secondary_by_district.get(loc.district) or [SECONDARY_SCHOOLS[0][0]])
        roll = self.rng.random()
        if roll < 0.55:
            return self.rng.choice(SIXTH_FORM_COLLEGES)
        if roll < 0.75:
            return self.rng.choice(self._secondary_by_district.get(loc.district) or [SECONDARY_SCHOOLS[0][0]])
        return ""  # not in education, employment or training

    def upn(self, dob: date, loc: Locality) -> str:
        birth_academic_year = dob.year if dob.month >= 9 else dob.year - 1
        year_allocated = f"{(birth_academic_year + 5) % 100:02d}"  # allocated on starting reception
        for _ in range(40):
            establishment = self.rng.choice(self._primary[loc.name])[1]
            body = f"{_LA_CODES[loc.council]}{establishment}{year_allocated}{self.rng.randrange(1000):03d}"
            upn = upn_from_body(body)
            if upn not in self._used_upns:
                self._used_upns.add(upn)
                return upn
        return ""

    def make_nhs_numbers(self, needed: int) -> None:
        # The 999 range is never issued to real patients. About 1 in 11 bodies has no valid check digit.
        bodies = self.rng.sample(range(1_000_000), min(1_000_000, int(needed * 1.15) + 50))
        numbers = (nhs_number_from_body(f"999{body:06d}") for body in bodies)
        self._nhs_numbers = [number for number in numbers if number]
        self._nhs_next = 0

    def nhs_number(self) -> str:
        if self._nhs_next >= len(self._nhs_numbers):
            return ""
        self._nhs_next += 1
        return self._nhs_numbers[self._nhs_next - 1]

    # --- children and their families ------------------------------------------------------------

    def make_children(self) -> None:
        self.households: list[Household] = []
        while len(self.plan.people) < self.plan.children:
            self.make_household()

    def home_address(self, index: int, household: Household, agency: str,
                     valid_from: date | None) -> AddressSpec:
        loc = household.street.locality
        return AddressSpec(index, household.line1, loc.line2, loc.post_town, household.postcode, valid_from,
                           None, agency)

    def make_household(self) -> None:
        plan = self.plan
        pool = self.pool()
        base = self.rng.choice(pool.family)
        loc = self.locality()
        street, line1, postcode = self.address(loc)
        household = Household(pool, base, street, line1, postcode,
                              moved_in=self.days_ago(12 * 365, 30))
        if self.chance(0.15):
            old_street, old_line1, old_postcode = self.address()
            old = old_street.locality
            household.previous = (old_line1, old.line2, old.post_town, old_postcode)
        size = self.weighted(_CHILDREN_PER_HOUSEHOLD, _CHILDREN_PER_HOUSEHOLD_WEIGHTS)
        # The first household always holds twins, so even a small partnership has the false-merge trap.
        first = not self.households
        if first:
            size = max(size, 2)
        size = min(size, plan.children - len(plan.people))
        twins = size >= 2 and (first or self.chance(_TWIN_HOUSEHOLD_RATE / 0.3))
        ages = sorted(self.rng.sample(_CHILD_AGES, min(size, len(_CHILD_AGES))), reverse=True)
        dobs: list[date] = []
        for age in ages:
            for _ in range(20):
                dob = self.dob_for_age(age)
                if all(abs((dob - other).days) >= 300 for other in dobs):
                    break
            dobs.append(dob)
        sexes = [self.weighted(("F", "M", "U"), (55, 44, 1)) for _ in dobs]
        if twins:
            dobs[1] = dobs[0]
            # Where family names vary by sex, twins of one sex keep "same family name" exact.
            if pool.family_rule in ("polish", "lithuanian", "sikh") or self.chance(0.6):
                sexes[1] = sexes[0]
        half_sibling_family = self.rng.choice(pool.family) if size > 1 and self.chance(0.15) else None
        self.households.append(household)
        given_used: list[str] = []
        for position, (dob, sex) in enumerate(zip(dobs, sexes, strict=True)):
            family_base = half_sibling_family if half_sibling_family and position == len(dobs) - 1 else base
            if twins and position == 1:
                family_base = base
            index = self.make_child(household, pool, family_base, dob, sex, given_used)
            household.children.append(index)
        self.record_siblings(household, twins)

    def record_siblings(self, household: Household, twins: bool) -> None:
        children = household.children
        if twins:
            first, second = children[0], children[1]
            # Twins always have a recorded date of birth: the shared birthday is the trap.
            for twin in (first, second):
                person = self.plan.people[twin]
                if person.date_of_birth is None:
                    person.date_of_birth = self._birth_dates[twin]
                    person.approximate_age = person.approximate_age_recorded_on = None
            # Twins carry one family name (a Sikh family may otherwise vary Singh/Kaur and surname).
            self.plan.people[second].family_name = self.plan.people[first].family_name
            self.plan.twins.append([first, second])
        for a, b in itertools.combinations(children, 2):
            self.plan.siblings.append([a, b])
            self._sibling_pairs.append((a, b))

    def make_child(self, household: Household, pool: NamePool, family_base: str, dob: date, sex: str,
                   given_used: list[str]) -> int:
        rng = self.rng
        # "U" is a recorded answer about the child; their names still come from one list.
        name_sex = sex if sex in ("F", "M") else rng.choice(("F", "M"))
        names = pool.female if name_sex == "F" else pool.male
        # Brothers and sisters (twins above all) never share a given name, nor its first three letters.
        fresh = [n for n in names if n[:3] not in {g[:3] for g in given_used}]
        fresh = fresh or [n for n in names if n not in given_used] or list(names)
        given = rng.choice(fresh)
        given_used.append(given)
        middle = ""
        if pool.family_rule == "sikh":
            middle, family = self.sikh_names(pool, family_base, name_sex)
        else:
            family = self.family_name(pool, family_base, name_sex)
            if self.chance(0.25):
                middle = self.given_name(pool, name_sex)
                if middle[:3] == given[:3]:
                    middle = ""
        loc = household.street.locality
        known_as = ""
        if given in KNOWN_AS and self.chance(0.35):
            known_as = rng.choice(KNOWN_AS[given])
        person = PersonSpec(
            kind=PersonKind.CHILD, given_name=given, family_name=family, sex=sex, middle_names=middle,
            known_as=known_as,
            ethnicity=self.ethnicity(pool, recorded=0.91, refused=0.02, not_obtained=0.03),
            nationality=("British" if self.chance(0.35) else
                         (rng.choice(pool.nationalities) if self.chance(0.08) else "")),
            disability=self.weighted(("no", "yes", "not_known", ""), (72, 10, 6, 12)),
            special_educational_needs=self.weighted(("N", "K", "E", "U", ""), (66, 19, 7, 3, 5)),
        )
        self._birth_dates[len(self.plan.people)] = dob
        if self.chance(0.96):
            person.date_of_birth = dob
        else:
            person.approximate_age = self.age_on(dob, self.today)
            person.approximate_age_recorded_on = self.days_ago(300)
        person.school = self.school_for(dob, loc)
        if person.school and self.chance(0.9):
            person.upn = self.upn(dob, loc)
        if self.chance(0.9):
            person.nhs_number = self.nhs_number()
        looked_after = self.weighted((True, False, None), (10, 72, 18))
        person.looked_after = looked_after
        if looked_after:
            person.placed_out_of_area = self.chance(0.35)
        self.plan.people.append(person)
        index = len(self.plan.people) - 1
        self._child_household[index] = household
        self._children_by_district.setdefault(loc.district, []).append(index)
        return index

    @staticmethod
    def age_on(dob: date, day: date) -> int:
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))

    def make_parents(self) -> None:
        plan = self.plan
        for household in self.households:
            if not self.chance(0.45):
                continue
            eldest = plan.people[household.children[0]]
            eldest_dob = eldest.date_of_birth or self.dob_for_age(eldest.approximate_age or 14)
            sex = "F" if self.chance(0.7) else "M"
            pool = household.pool
            if pool.family_rule == "sikh":
                middle, family = self.sikh_names(pool, household.family_name, sex)
            else:
                middle = ""
                family = (self.family_name(pool, household.family_name, sex, married_woman=True)
                          if self.chance(0.8) else self.rng.choice(pool.family))
            dob = eldest_dob - timedelta(days=self.rng.randint(19 * 365, 40 * 365))
            parent = PersonSpec(
                kind=PersonKind.ASSOCIATE, given_name=self.given_name(pool, sex), family_name=family, sex=sex,
                middle_names=middle,
                ethnicity=self.ethnicity(pool, recorded=0.8, refused=0.02, not_obtained=0.05),
                nationality=self.rng.choice(pool.nationalities) if self.chance(0.4) else "",
            )
            if self.chance(0.85):
                parent.date_of_birth = dob
            else:
                parent.approximate_age = self.age_on(dob, self.today)
                parent.approximate_age_recorded_on = self.days_ago(400)
            if self.chance(0.4):
                parent.nhs_number = self.nhs_number()
            agency = f"csc_{household.street.locality.council}" if self.chance(0.8) else "police"
            parent.agency = agency
            plan.people.append(parent)
            index = len(plan.people) - 1
            plan.addresses.append(self.home_address(index, household, agency, household.moved_in))
            started = self.days_ago(3 * 365, 7)
            summary = narratives.note(narratives.PARENT_NOTES[AGENCIES_BY_KEY[agency].type], self.rng)
            plan.involvements.append((index, agency, InvolvementKind.RECORDED, started, None, summary,
                                      self.worker(agency)))
            for child in household.children:
                plan.relationships.append((child, index, RelationshipKind.PARENT, agency, started, ""))

    # --- persons of concern and their networks --------------------------------------------------

    def make_persons_of_concern(self) -> None:
        plan = self.plan
        count = max(2, round(plan.children * _PERSON_OF_CONCERN_RATE))
        indexes = []
        for _ in range(count):
            indexes.append(self.make_person_of_concern())
        order = indexes[:]
        self.rng.shuffle(order)
        position = 0
        while position < len(order):
            size = self.weighted((1, 2, 3, 4, 5), (40, 25, 18, 10, 7))
            group = order[position: position + size]
            position += size
            self.make_network(group)

    def make_person_of_concern(self) -> int:
        rng = self.rng
        pool = self.pool()
        sex = self.weighted(("M", "F", "U", ""), (86, 10, 2, 2))
        name_sex = sex if sex in ("F", "M") else "M"
        given = self.given_name(pool, name_sex)
        if pool.family_rule == "sikh":
            middle, family = self.sikh_names(pool, rng.choice(pool.family), name_sex)
        else:
            middle = self.given_name(pool, name_sex) if self.chance(0.15) else ""
            family = self.family_name(pool, rng.choice(pool.family), name_sex, married_woman=True)
        if self.chance(0.06):
            family = ""  # known only by a first name
        age = self.weighted(tuple(range(18, 46)), tuple(10 if a < 36 else 4 for a in range(18, 46)))
        occupation = self.weighted(*zip(*OCCUPATIONS, strict=True))
        person = PersonSpec(
            kind=PersonKind.PERSON_OF_CONCERN, given_name=given, family_name=family, sex=sex,
            middle_names=middle,
            # Casey (2025): ethnicity unrecorded for about two-thirds of suspects.
            ethnicity=self.ethnicity(pool, recorded=0.35, refused=0.05, not_obtained=0.12),
            ethnicity_observed=pool.ethnicity if self.chance(0.5) else "",
            nationality=rng.choice(pool.nationalities) if self.chance(0.55) else "",
            disability=self.weighted(("no", "yes", "not_known", ""), (20, 3, 17, 60)),
            occupation=occupation,
        )
        recorded_on = self.days_ago(2 * 365, 7)
        if self.chance(0.4):
            person.date_of_birth = self.dob_for_age(age)
        else:
            person.approximate_age = age
            person.approximate_age_recorded_on = recorded_on
        if self.chance(0.1):
            person.nhs_number = self.nhs_number()
        if occupation in TAXI_OCCUPATIONS:
            agency = "licensing" if self.chance(0.5) else "police"
        else:
            agency = self.weighted(("police", "exploitation_team", "csc_wrekin", "csc_severn"),
                                   (68, 16, 9, 7))
        person.agency = agency
        self.plan.people.append(person)
        index = len(self.plan.people) - 1
        kind = InvolvementKind.INVESTIGATING if agency == "police" else InvolvementKind.RECORDED
        notes = narratives.PERSON_OF_CONCERN_NOTES[AGENCIES_BY_KEY[agency].type]
        self.plan.involvements.append((index, agency, kind, recorded_on, None, narratives.note(notes, rng),
                                       self.worker(agency)))
        involved = [agency]
        if occupation in TAXI_OCCUPATIONS and agency != "licensing":
            involved.append("licensing")
        if agency != "police" and self.chance(0.6):
            involved.append("police")
        if agency != "exploitation_team" and self.chance(0.25):
            involved.append("exploitation_team")
        for other in involved[1:]:
            started = self.date_between(recorded_on, self.today)
            kind = InvolvementKind.INVESTIGATING if other == "police" else InvolvementKind.WORKING_WITH
            notes = narratives.PERSON_OF_CONCERN_NOTES[AGENCIES_BY_KEY[other].type]
            self.plan.involvements.append((index, other, kind, started, None, narratives.note(notes, rng),
                                           self.worker(other)))
        self._involved[index] = involved
        self.make_aliases(index, person, pool, name_sex)
        return index

    def make_aliases(self, index: int, person: PersonSpec, pool: NamePool, sex: str) -> None:
        plan = self.plan
        rng = self.rng
        agency = person.agency
        aliases: list[tuple[str, str, str]] = []
        if person.given_name in KNOWN_AS and self.chance(0.6):
            aliases.append((NameKind.NICKNAME, rng.choice(KNOWN_AS[person.given_name]), ""))
        if self.chance(0.25):
            aliases.append((NameKind.NICKNAME, person.given_name[0], ""))
        if self.chance(0.3):
            aliases.append((NameKind.NICKNAME, rng.choice(STREET_NAMES), ""))
        if self.chance(0.15):
            aliases.append((NameKind.ALIAS, self.given_name(pool, sex), rng.choice(pool.family)))
        if person.family_name in FAMILY_MISSPELLINGS and self.chance(0.3):
            spelling = rng.choice(FAMILY_MISSPELLINGS[person.family_name])
            aliases.append((NameKind.SPELLING, person.given_name, spelling))
        for kind, given, family in aliases:
            plan.names.append((index, kind, given, family, agency))
        nicknames = [given for kind, given, family in aliases if kind == NameKind.NICKNAME]
        self._aliases[index] = nicknames[0] if nicknames else person.given_name

    def make_network(self, group: list[int]) -> None:
        plan = self.plan
        rng = self.rng
        district = self.locality().district
        candidates = self._children_by_district.get(district) or list(range(plan.children))
        wanted = min(len(candidates), sum(rng.randint(1, 3) for _ in group))
        children: list[int] = []
        for _ in range(wanted * 3):
            if len(children) >= wanted:
                break
            child = rng.choice(candidates)
            if child in children or (self._connected.get(child) and not self.chance(0.1)):
                continue
            children.append(child)
        recorded_by = "police" if self.chance(0.6) else "exploitation_team"
        for a, b in itertools.pairwise(group):
            plan.relationships.append((a, b, RelationshipKind.ASSOCIATE, recorded_by,
                                       self.days_ago(500), ""))
        for child in children:
            adults = [rng.choice(group)]
            if len(group) > 1 and self.chance(0.3):
                adults.append(rng.choice([p for p in group if p != adults[0]]))
            for adult in adults:
                self.connect(child, adult)
        for a, b in itertools.pairwise(children):
            if self.chance(0.5):
                plan.relationships.append((a, b, RelationshipKind.PEER, recorded_by,
                                           self.days_ago(500),
                                           narratives.note(narratives.RELATIONSHIP_NOTES["peer"], rng)))
        plan.networks.append({"persons_of_concern": list(group), "children": children, "district": district})

    def connect(self, child: int, adult: int) -> None:
        plan = self.plan
        rng = self.rng
        child_sex = plan.people[child].sex
        adult_sex = plan.people[adult].sex
        if child_sex == "F" and adult_sex == "M":
            kind = self.weighted((RelationshipKind.BOYFRIEND, RelationshipKind.CONTROLLING_ADULT,
                                  RelationshipKind.ASSOCIATE), (35, 40, 25))
        else:
            kind = self.weighted((RelationshipKind.CONTROLLING_ADULT, RelationshipKind.ASSOCIATE), (50, 50))
        council = self._child_household[child].street.locality.council
        agency = self.weighted(("police", "exploitation_team", f"csc_{council}"), (50, 30, 20))
        recorded_on = self.days_ago(500, 1)
        plan.relationships.append((child, adult, kind, agency, recorded_on,
                                   narratives.note(narratives.RELATIONSHIP_NOTES[kind], rng)))
        plan.connections.append([child, adult, str(kind)])
        self._connected[child] = self._connected.get(child, 0) + 1

    def make_associates(self) -> None:
        plan = self.plan
        persons_of_concern = [i for i, p in enumerate(plan.people) if p.kind == PersonKind.PERSON_OF_CONCERN]
        for _ in range(round(plan.children * _ASSOCIATE_RATE)):
            pool = self.pool()
            sex = "M" if self.chance(0.75) else "F"
            person = PersonSpec(
                kind=PersonKind.ASSOCIATE, given_name=self.given_name(pool, sex),
                family_name=self.family_name(pool, self.rng.choice(pool.family), sex), sex=sex,
                ethnicity=self.ethnicity(pool, recorded=0.45, refused=0.05, not_obtained=0.1),
                agency="police",
            )
            age = self.rng.randint(18, 32)
            if self.chance(0.5):
                person.date_of_birth = self.dob_for_age(age)
            else:
                person.approximate_age = age
                person.approximate_age_recorded_on = self.days_ago(400)
            plan.people.append(person)
            index = len(plan.people) - 1
            started = self.days_ago(2 * 365, 3)
            summary = narratives.note(narratives.ASSOCIATE_NOTES, self.rng)
            plan.involvements.append((index, "police", InvolvementKind.RECORDED, started, None, summary,
                                      self.worker("police")))
            if persons_of_concern:
                adult = self.rng.choice(persons_of_concern)
                plan.relationships.append((index, adult, RelationshipKind.ASSOCIATE, "police", started, ""))
            if self.chance(0.6):
                street, line1, postcode = self.address()
                loc = street.locality
                plan.addresses.append(AddressSpec(index, line1, loc.line2, loc.post_town, postcode, None, None,
                                                  "police"))

    def person_of_concern_addresses(self) -> None:
        plan = self.plan
        for network in plan.networks:
            local = [loc for loc in LOCALITIES if loc.district == network["district"]]
            for index in network["persons_of_concern"]:
                if not self.chance(0.75):
                    continue  # no fixed abode, or not known
                loc = self.rng.choice(local) if local and self.chance(0.7) else self.locality()
                street, line1, postcode = self.address(loc)
                valid_from = self.days_ago(6 * 365, 30)
                agency = plan.people[index].agency
                plan.addresses.append(AddressSpec(index, line1, loc.line2, loc.post_town, postcode, valid_from,
                                                  None, agency))

    # --- which agencies know each child -----------------------------------------------------------

    def child_involvements(self) -> None:
        plan = self.plan
        rng = self.rng
        for index in range(len(plan.people)):
            person = plan.people[index]
            if person.kind != PersonKind.CHILD:
                continue
            household = self._child_household.get(index)
            if household is None:
                continue
            connected = index in self._connected
            council = household.street.locality.council
            weights = {
                f"csc_{council}": 30 + (20 if connected or person.looked_after else 0),
                "police": 25 + (25 if connected else 0),
                "health_community": 12,
                "health_hospitals": 6,
                "youth": 6,
                "voluntary": 6 + (8 if connected else 0),
                "exploitation_team": 3 + (20 if connected else 0),
            }
            school_agency = SCHOOL_AGENCY_BY_NAME.get(person.school)
            if school_agency:
                weights[school_agency] = 15
            count = self.weighted((1, 2, 3, 4), (20, 35, 30, 15) if connected else (35, 35, 20, 10))
            keys = list(weights)
            chosen: list[str] = []
            while len(chosen) < min(count, len(keys)):
                key = self.weighted(keys, [0 if k in chosen else weights[k] for k in keys])
                chosen.append(key)
            person.agency = chosen[0]
            first = self.days_ago(3 * 365, 14)
            for position, agency in enumerate(chosen):
                if position == 0:
                    kind, started = InvolvementKind.RECORDED, first
                else:
                    investigating = agency == "police" and connected and self.chance(0.5)
                    kind = InvolvementKind.INVESTIGATING if investigating else InvolvementKind.WORKING_WITH
                    started = self.date_between(first, self.today - timedelta(days=1))
                ended = None
                if position and self.chance(0.2):
                    ended = self.date_between(started, self.today)
                agency_type = AGENCIES_BY_KEY[agency].type
                summary = narratives.note(narratives.CHILD_NOTES[agency_type], rng)
                plan.involvements.append((index, agency, kind, started, ended, summary, self.worker(agency)))
            self._involved[index] = chosen
            if household.previous:
                line1, line2, town, postcode = household.previous
                plan.addresses.append(AddressSpec(index, line1, line2, town, postcode,
                                                  household.moved_in - timedelta(days=rng.randint(200, 2000)),
                                                  household.moved_in, person.agency))
            plan.addresses.append(self.home_address(index, household, person.agency, household.moved_in))

    def sibling_relationships(self) -> None:
        plan = self.plan
        for a, b in self._sibling_pairs:
            agency = plan.people[a].agency
            recorded_on = self.days_ago(3 * 365, 1)
            plan.relationships.append((a, b, RelationshipKind.SIBLING, agency, recorded_on, ""))

    # --- the same child recorded again ----------------------------------------------------------

    def make_duplicates(self) -> None:
        plan = self.plan
        children = [i for i, p in enumerate(plan.people) if p.kind == PersonKind.CHILD]
        wanted = round(len(children) * _DUPLICATE_RATE)
        if len(children) >= 20:
            wanted = max(wanted, 3)
        originals = self.rng.sample(children, min(wanted, len(children)))
        groups: dict[int, list[int]] = {}
        for original in originals:
            groups[original] = [original, self.duplicate(original)]
            if self.chance(0.08):
                groups[original].append(self.duplicate(original))
        plan.same_person = list(groups.values())

    def duplicate(self, original: int) -> int:
        plan = self.plan
        rng = self.rng
        source = plan.people[original]
        household = self._child_household[original]
        involved = self._involved.setdefault(original, [source.agency])
        options = [key for key in CASEWORK_AGENCIES
                   if key not in involved and key != "licensing"
                   and (AGENCIES_BY_KEY[key].type != AgencyType.EDUCATION
                        or AGENCIES_BY_KEY[key].school == source.school)]
        agency = rng.choice(options or [k for k in CASEWORK_AGENCIES if k != source.agency])
        involved.append(agency)
        agency_type = AGENCIES_BY_KEY[agency].type
        copy = PersonSpec(kind=PersonKind.CHILD, given_name=source.given_name, family_name=source.family_name,
                          sex=source.sex if self.chance(0.93) else "", agency=agency,
                          middle_names=source.middle_names if self.chance(0.4) else "",
                          known_as=source.known_as if self.chance(0.5) else "",
                          date_of_birth=source.date_of_birth, approximate_age=source.approximate_age,
                          approximate_age_recorded_on=source.approximate_age_recorded_on,
                          disability=source.disability if self.chance(0.5) else "",
                          looked_after=source.looked_after if self.chance(0.6) else None)
        roll = rng.random()
        copy.ethnicity = source.ethnicity if roll < 0.6 else ("" if roll < 0.85 else "NOBT")
        if agency_type == AgencyType.HEALTH and self.chance(0.85):
            copy.nhs_number = source.nhs_number
        if agency_type == AgencyType.EDUCATION:
            copy.school, copy.upn = source.school, source.upn
            copy.special_educational_needs = source.special_educational_needs
        noise: list[str] = []
        if not self.chance(0.08):  # a few are exact copies: the second agency simply did not search
            possible = ["family_misspelt", "given_misspelt", "dob_missing", "moved"]
            if source.known_as or source.given_name in KNOWN_AS:
                possible += ["nickname", "nickname"]
            dob = source.date_of_birth
            if dob and dob.day <= 12 and dob.day != dob.month:
                possible += ["dob_swapped", "dob_swapped"]
            how_many = min(len(possible), self.weighted((1, 2, 3), (45, 40, 15)))
            noise = sorted(set(rng.sample(possible, how_many)), key=possible.index)
        if "nickname" in noise and "given_misspelt" in noise:
            noise.remove("given_misspelt")
        if "nickname" in noise:
            copy.given_name = source.known_as or rng.choice(KNOWN_AS[source.given_name])
            copy.known_as = ""
        elif "given_misspelt" in noise:
            copy.given_name = _misspell(source.given_name, GIVEN_MISSPELLINGS, rng)
        if "family_misspelt" in noise and source.family_name:
            copy.family_name = _misspell(source.family_name, FAMILY_MISSPELLINGS, rng)
        if "dob_swapped" in noise and source.date_of_birth:
            copy.date_of_birth = source.date_of_birth.replace(month=source.date_of_birth.day,
                                                              day=source.date_of_birth.month)
        if "dob_missing" in noise:
            if source.date_of_birth:
                copy.date_of_birth = None
                if self.chance(0.6):
                    copy.approximate_age = self.age_on(source.date_of_birth, self.today)
                    copy.approximate_age_recorded_on = self.today - timedelta(days=rng.randint(1, 200))
            else:
                noise.remove("dob_missing")
        plan.people.append(copy)
        index = len(plan.people) - 1
        if "moved" in noise:
            street, line1, postcode = self.address()
            while postcode == household.postcode:
                street, line1, postcode = self.address()
            plan.addresses.append(AddressSpec(index, line1, street.locality.line2, street.locality.post_town,
                                              postcode, None, None, agency))
        elif self.chance(0.8):
            plan.addresses.append(self.home_address(index, household, agency, None))
        started = self.days_ago(2 * 365, 1)
        summary = narratives.note(narratives.CHILD_NOTES[agency_type], rng)
        plan.involvements.append((index, agency, InvolvementKind.RECORDED, started, None, summary,
                                  self.worker(agency)))
        plan.duplicates.append({"original": original, "duplicate": index, "noise": noise})
        return index

    # --- phones ---------------------------------------------------------------------------------

    def make_phones(self) -> None:
        """Share out the 1,000 drama numbers: persons of concern first, then children, then parents.

        Every number belongs to one person, except the planted ones: a person of concern's number
        also found on a child's record, and a duplicate record carrying the original's number.
        """
        plan = self.plan
        rng = self.rng
        numbers = list(range(DRAMA_MOBILES))
        rng.shuffle(numbers)
        wanting: dict[str, list[int]] = {PersonKind.PERSON_OF_CONCERN: [], PersonKind.CHILD: [],
                                         PersonKind.ASSOCIATE: []}
        duplicates = {d["duplicate"] for d in plan.duplicates}
        rates = {PersonKind.PERSON_OF_CONCERN: 0.7, PersonKind.CHILD: 0.3, PersonKind.ASSOCIATE: 0.35}
        for index, person in enumerate(plan.people):
            if index not in duplicates and self.chance(rates[person.kind]):
                wanting[person.kind].append(index)
        quotas = {PersonKind.PERSON_OF_CONCERN: 600, PersonKind.CHILD: 300, PersonKind.ASSOCIATE: 100}
        owners: list[int] = []
        for kind, quota in quotas.items():
            owners += wanting[kind][:quota]
        for kind in quotas:  # spare numbers go to whoever is still waiting, in the same order
            owners += wanting[kind][quotas[kind]:][: max(0, DRAMA_MOBILES - len(owners))]
        owners = owners[:DRAMA_MOBILES]
        phone_of: dict[int, str] = {}
        for owner, n in zip(owners, numbers, strict=False):
            number = mobile_e164(n)
            phone_of[owner] = number
            person = plan.people[owner]
            label = "Mobile" if person.kind != PersonKind.PERSON_OF_CONCERN else rng.choice(
                ("Mobile", "Mobile", "Second phone", "Number given by a young person"))
            plan.phones.append((owner, number, self.as_given(n), label, person.agency))
        for connection in plan.connections:
            child, adult = connection[0], connection[1]
            if adult in phone_of and self.chance(0.08):
                number = phone_of[adult]
                plan.phones.append((child, number, self.as_given(int(number[-3:])),
                                    f"Saved in the child's phone as '{self._aliases.get(adult, '')}'",
                                    plan.people[child].agency))
                plan.shared_phones.append({"number": number, "people": [adult, child]})
        for record in plan.duplicates:
            original = record["original"]
            if original in phone_of and self.chance(0.3):
                number = phone_of[original]
                plan.phones.append((record["duplicate"], number, self.as_given(int(number[-3:])), "Mobile",
                                    plan.people[record["duplicate"]].agency))

    def as_given(self, n: int) -> str:
        return self.rng.choice((f"07700 900{n:03d}", f"07700900{n:03d}", f"+44 7700 900{n:03d}",
                                f"07700 900 {n:03d}"))

    # --- all together ---------------------------------------------------------------------------

    def generate(self) -> Plan:
        children = self.plan.children
        self.make_staff()
        self.make_streets()
        self.make_schools()
        self.make_nhs_numbers(int(children * 1.6) + 100)
        self.make_children()
        self.make_parents()
        self.make_persons_of_concern()
        self.make_associates()
        self.person_of_concern_addresses()
        self.child_involvements()
        self.sibling_relationships()
        self.make_duplicates()
        self.make_phones()
        return self.plan


def generate(*, children: int, seed: int, reference_date: date = REFERENCE_DATE) -> Plan:
    return Generator(children=children, seed=seed, reference_date=reference_date).generate()
