# ruff: noqa: S311 - seeded pseudo-randomness is the point: the same seed gives the same benchmark
"""A hard synthetic benchmark for record linkage: one population, several agency extracts, ground truth.

Wholly synthetic people (no real person's data), generated from a seed so every run is reproducible. The
extracts carry the noise that makes linking children's records hard in practice:

- nicknames and spelling variants (Bill/William, Mohammed/Muhammad, Kieran/Kieron), typos, initials;
- dates of birth with day and month swapped, a mistyped digit, only the year, or missing;
- people who moved (old and new addresses), changed family names (marriage, a step-family), double-barrelled
  names, missing postcodes;
- missing identifiers and NHS numbers with a mistyped digit;
- duplicates inside one agency's system;
- and the false-merge traps: **twins** (same family name, date of birth and address, different given name),
  siblings at one address, a son named after his father, and very common names (many "Mohammed Khan"s and
  "Jack Smith"s born the same year).

Each agency exports with its own column names and date format, like real systems. The ground truth file
says which person every record belongs to. The generator keeps its own nickname table (ordinary British
usage), independent of the tables the linkage model uses, so the benchmark does not grade the model against
its own dictionary.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

from rapidfuzz.distance import JaroWinkler

from wrekin.people.identifiers import upn_check_letter

# --- Names -----------------------------------------------------------------------------------------------

BOYS = [
    "oliver", "george", "harry", "noah", "jack", "leo", "arthur", "muhammad", "oscar", "charlie", "jacob",
    "thomas", "freddie", "alfie", "theo", "william", "james", "henry", "archie", "joshua", "lucas", "isaac",
    "edward", "samuel", "daniel", "joseph", "max", "logan", "ethan", "mason", "jayden", "tyler", "kyle", "callum",
    "connor", "kieran", "liam", "ryan", "reece", "dylan", "jordan", "bradley", "lewis", "aaron", "adam",
    "alexander", "benjamin", "christopher", "michael", "matthew", "andrew", "david", "john", "robert", "richard",
    "anthony", "mark", "paul", "steven", "craig", "dean", "wayne", "ibrahim", "yusuf", "omar", "ali", "hamza",
    "bilal", "amir", "zain", "ayaan", "arjun", "rohan", "aarav", "krish", "jakub", "kacper", "szymon", "filip",
    "mateusz", "andrei", "darius", "kwame", "kofi", "tobi", "chidi", "emeka", "tunde", "malachi", "jermaine",
    "tyrone", "declan", "ciaran", "sean", "owen", "rhys", "gareth", "dafydd", "hamish", "angus", "fraser",
    "nathan", "jamie", "luke", "scott", "shane", "jason", "kevin", "gary", "martin", "peter", "stephen", "simon",
    "carl", "lee", "jake", "harvey", "riley", "louie", "elliot", "finley", "toby", "zachary", "sebastian", "hugo",
    "frankie", "ronnie", "tommy", "stanley", "albert", "reggie", "teddy", "ezra", "kai",
]

GIRLS = [
    "olivia", "amelia", "isla", "ava", "mia", "ivy", "lily", "isabella", "rosie", "sophia", "grace", "freya",
    "poppy", "emily", "ella", "evie", "ruby", "florence", "willow", "sienna", "chloe", "jessica", "lauren",
    "hannah", "sophie", "megan", "charlotte", "emma", "katie", "bethany", "courtney", "chantelle", "kayleigh",
    "jade", "paige", "shannon", "leah", "demi", "lacey", "tia", "keira", "niamh", "aoife", "siobhan", "ciara",
    "caitlin", "rhiannon", "cerys", "seren", "eilidh", "kirsty", "aisha", "fatima", "zainab", "maryam", "hafsa",
    "amira", "layla", "noor", "priya", "ananya", "simran", "zuzanna", "julia", "maja", "wiktoria", "oliwia",
    "ioana", "maria", "elena", "chidinma", "adaeze", "amara", "zara", "imani", "precious", "samantha", "danielle",
    "rebecca", "sarah", "elizabeth", "margaret", "katherine", "victoria", "alexandra", "natalie", "nicola",
    "michelle", "kelly", "stacey", "gemma", "abigail", "eleanor", "jennifer", "stephanie", "amy", "holly",
    "georgia", "molly", "ellie", "phoebe", "millie", "darcy", "matilda", "harriet", "esme", "aurora", "maisie",
    "summer", "lola", "skye", "tilly", "nevaeh", "alisha", "yasmin", "saima", "nadia", "leila", "kiera", "jasmine",
]

# Weighted family names: the head is very common, which is exactly what makes names alone unreliable.
SURNAMES_COMMON = [
    "smith", "jones", "williams", "taylor", "brown", "davies", "evans", "wilson", "thomas", "johnson", "roberts",
    "robinson", "thompson", "wright", "walker", "white", "edwards", "hughes", "green", "hall", "lewis", "harris",
    "clarke", "patel", "jackson", "wood", "turner", "martin", "cooper", "hill", "ward", "morris", "moore",
    "clark", "lee", "king", "baker", "harrison", "morgan", "allen", "james", "scott", "phillips", "watson",
    "davis", "parker", "price", "bennett", "young", "griffiths", "mitchell", "kelly", "cook", "carter",
    "richardson", "bailey", "collins", "bell", "shaw", "murphy", "miller", "cox", "richards", "khan", "marshall",
    "anderson", "simpson", "ellis", "adams", "singh", "begum", "wilkinson", "foster", "chapman", "powell", "webb",
    "rogers", "gray", "mason", "ali", "hunt", "hussain", "campbell", "matthews", "owen", "palmer", "holmes",
    "mills", "barnes", "knight", "lloyd", "butler", "russell", "barker", "fisher", "stevens", "jenkins", "murray",
    "dixon", "harvey", "ahmed", "rahman", "kaur",
]

SURNAMES_RARE = [
    "nowak", "kowalski", "wisniewski", "wojcik", "kaminski", "lewandowski", "zielinski", "popescu", "ionescu",
    "popa", "okafor", "adeyemi", "mensah", "osei", "boateng", "asante", "obi", "nwosu", "o'brien", "o'connor",
    "o'neill", "mcdonald", "macdonald", "mckenzie", "fitzgerald", "gallagher", "doherty", "quinn", "byrne",
    "ryan", "walsh", "ferguson", "stewart", "reid", "macleod", "fraser", "mcgregor", "pritchard", "bevan",
    "llewellyn", "vaughan", "rees", "powell-jones", "ashworth", "bradshaw", "fairclough", "greenwood", "haworth",
    "kershaw", "pickering", "whitehead", "ackroyd", "chaudhry", "iqbal", "mahmood", "akhtar", "javed", "rashid",
    "siddiqui", "mirza", "qureshi", "bhatt", "chauhan", "mistry", "solanki", "parmar", "fernandes", "da silva",
    "santos", "oliveira", "kowalczyk", "novak", "horvath", "nagy", "varga", "dimitrov", "petrov", "ivanov",
    "georgiou", "papadopoulos", "yilmaz", "demir", "kaya", "celik", "nguyen", "tran", "chen", "wang", "li",
    "zhang",
]

NICKNAMES = {
    "william": ["will", "bill", "billy", "liam"], "thomas": ["tom", "tommy"], "james": ["jim", "jimmy", "jamie"],
    "daniel": ["dan", "danny"], "joseph": ["joe", "joey"], "samuel": ["sam", "sammy"],
    "alexander": ["alex", "xander"], "benjamin": ["ben", "benny"], "christopher": ["chris", "kit"],
    "michael": ["mike", "mikey", "mick"], "matthew": ["matt"], "andrew": ["andy", "drew"],
    "anthony": ["tony", "ant"], "richard": ["rich", "rick", "richie"], "robert": ["rob", "bob", "bobby", "robbie"],
    "edward": ["ed", "eddie", "ted", "ned"], "henry": ["harry", "hal"], "jacob": ["jake"], "joshua": ["josh"],
    "jayden": ["jay"], "muhammad": ["mo", "mohammed", "mohammad", "mohamed"], "ibrahim": ["ebrahim"],
    "yusuf": ["yousef", "yousuf"], "callum": ["cal"], "bradley": ["brad"], "zachary": ["zac", "zak"],
    "jakub": ["kuba"], "frederick": ["fred", "freddie"], "nathan": ["nate"], "stephen": ["steve"],
    "steven": ["steve", "stevie"], "peter": ["pete"], "david": ["dave", "davey"], "jonathan": ["jon", "jonny"],
    "elizabeth": ["liz", "lizzie", "beth", "betty"], "katherine": ["kate", "katie", "kath"],
    "margaret": ["maggie", "meg", "peggy"], "rebecca": ["becky", "becca"], "samantha": ["sam", "sammy"],
    "victoria": ["vicky", "tori"], "alexandra": ["lexi", "alex"], "jessica": ["jess", "jessie"],
    "charlotte": ["lottie", "charlie"], "olivia": ["liv", "livvy"], "amelia": ["millie"],
    "isabella": ["bella", "izzy"], "natalie": ["nat"], "nicola": ["nicky"], "danielle": ["dani"],
    "sophie": ["soph"], "abigail": ["abbie", "abby"], "eleanor": ["ellie", "nell"], "florence": ["flo", "florrie"],
    "stephanie": ["steph"], "jennifer": ["jen", "jenny"], "gemma": ["gem"], "jasmine": ["jas", "jazz"],
    "georgia": ["george"], "harriet": ["hattie"], "matilda": ["tilly"], "kayleigh": ["kayley", "kaylee"],
}

VARIANT_SPELLINGS = {
    "muhammad": ["mohammed", "muhammed", "mohamed"], "aisha": ["ayesha", "aysha"], "kieran": ["kieron", "ciaran"],
    "sean": ["shaun", "shawn"], "reece": ["rhys", "reese"], "connor": ["conor"], "callum": ["calum"],
    "zainab": ["zaynab"], "fatima": ["fatimah"], "jayden": ["jaden", "jaiden"], "leah": ["lea"],
    "chloe": ["cloe"], "lacey": ["lacie"], "zara": ["zarah"], "niamh": ["neve"],
    "katie": ["katy"], "amy": ["aimee"], "layla": ["leila"], "sophia": ["sofia"], "mia": ["miya"],
}

STREETS = [
    "oak", "elm", "ash", "birch", "beech", "cedar", "holly", "hawthorn", "rowan", "willow", "station", "church",
    "mill", "park", "school", "victoria", "albert", "queen", "king", "high", "new", "green", "meadow", "orchard",
    "manor", "grange", "forge", "wharf", "canal", "bridge", "river", "castle", "abbey", "priory", "chapel",
    "well", "spring", "field", "brook", "heath", "moor", "hill", "dale", "vale",
]
STREET_KINDS = [
    "road", "street", "avenue", "close", "drive", "lane", "way", "crescent", "grove", "court",
]
TOWNS = {"TF": ["telford", "wellington", "madeley", "dawley", "oakengates", "newport"],
         "SY": ["shrewsbury", "oswestry", "church stretton"], "WV": ["wolverhampton", "bilston", "wednesfield"],
         "WS": ["walsall", "bloxwich"], "ST": ["stoke", "hanley", "newcastle"], "B": ["birmingham", "sutton"]}
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

_KEYBOARD = {c: n for c, n in zip("qwertyuiopasdfghjklzxcvbnm", [
    "wa", "qes", "wrd", "etf", "ryg", "tuh", "yij", "uok", "ipl", "ol", "qsz", "awdx", "sefc", "drgv", "fthb",
    "gyjn", "hukm", "jil", "kop", "asx", "zsdc", "xdfv", "cfgb", "vghn", "bhjm", "njk"], strict=True)}


def _alike(first: str, second: str) -> bool:
    """Names a parent would not give to twins: spelt alike, or forms of one name."""
    if JaroWinkler.normalized_similarity(first, second) >= 0.85:
        return True
    forms_first = {first, *NICKNAMES.get(first, []), *VARIANT_SPELLINGS.get(first, [])}
    forms_second = {second, *NICKNAMES.get(second, []), *VARIANT_SPELLINGS.get(second, [])}
    return bool(forms_first & forms_second)


def _zipf_weights(n: int, exponent: float = 1.0) -> list[float]:
    return [1.0 / (rank ** exponent) for rank in range(1, n + 1)]


# --- People ----------------------------------------------------------------------------------------------

@dataclass
class Address:
    line: str
    town: str
    postcode: str


@dataclass
class Person:
    pid: str
    given: str
    middle: str | None
    family: str
    former_family: str | None
    known_as: str | None
    sex: str
    dob: date
    address: Address
    previous_address: Address | None
    nhs_number: str
    upn: str | None
    phone: str | None
    email: str | None
    household: int
    twin_of: str | None = None
    tags: set[str] = field(default_factory=set)

    def age(self, today: date) -> int:
        return (today - self.dob).days // 365


class _Generator:
    def __init__(self, seed: int, today: date):
        self.rng = random.Random(seed)
        self.today = today
        self.nhs_seen: set[str] = set()
        self.upn_seen: set[str] = set()
        self.pid = 0
        self.household = 0
        self.surnames = SURNAMES_COMMON + SURNAMES_RARE
        self.surname_weights = list(accumulate(_zipf_weights(len(SURNAMES_COMMON), 0.9)
                                               + [0.02] * len(SURNAMES_RARE)))
        self.boy_weights = list(accumulate(_zipf_weights(len(BOYS), 0.7)))
        self.girl_weights = list(accumulate(_zipf_weights(len(GIRLS), 0.7)))
        self.postcodes: list[tuple[str, str, str]] = []  # (postcode, street, town)

    # identifiers
    def nhs_number(self) -> str:
        while True:
            digits = [self.rng.randrange(10) for _ in range(9)]
            digits[0] = self.rng.choice([4, 6, 9])
            total = sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True))
            check = 11 - total % 11
            check = 0 if check == 11 else check
            if check == 10:
                continue
            number = "".join(map(str, digits)) + str(check)
            if number not in self.nhs_seen:
                self.nhs_seen.add(number)
                return number

    def upn(self, dob: date) -> str:
        while True:
            body = "894" + f"{self.rng.randrange(10000):04d}" + f"{(dob.year + 5) % 100:02d}" + \
                f"{self.rng.randrange(1000):03d}"
            upn = upn_check_letter(body) + body
            if upn not in self.upn_seen:
                self.upn_seen.add(upn)
                return upn

    def phone(self) -> str:
        return "07" + "".join(str(self.rng.randrange(10)) for _ in range(9))

    def address(self) -> Address:
        # Postcodes hold ~12 households (UK average ~15); a new one is made often enough to keep that.
        if not self.postcodes or self.rng.random() < 1 / 12:
            area = self.rng.choices(list(TOWNS), weights=[5, 2, 2, 1, 1, 2])[0]
            district = f"{area}{self.rng.randint(1, 20)}"
            unit = f"{self.rng.randint(1, 9)}{self.rng.choice(UNIT_LETTERS)}{self.rng.choice(UNIT_LETTERS)}"
            postcode = f"{district} {unit}"
            street = f"{self.rng.choice(STREETS)} {self.rng.choice(STREET_KINDS)}"
            self.postcodes.append((postcode, street, self.rng.choice(TOWNS[area])))
            entry = self.postcodes[-1]
        else:
            entry = self.rng.choice(self.postcodes[-400:]) if self.rng.random() < 0.9 else \
                self.rng.choice(self.postcodes)
        postcode, street, town = entry
        return Address(f"{self.rng.randint(1, 180)} {street}", town, postcode)

    def given(self, sex: str, avoid: set[str] = frozenset()) -> str:
        names, weights = (BOYS, self.boy_weights) if sex == "M" else (GIRLS, self.girl_weights)
        while True:
            name = self.rng.choices(names, cum_weights=weights)[0]
            if name not in avoid:
                return name

    def surname(self) -> str:
        name = self.rng.choices(self.surnames, cum_weights=self.surname_weights)[0]
        if self.rng.random() < 0.02:
            other = self.rng.choices(self.surnames, cum_weights=self.surname_weights)[0]
            if other != name:
                name = f"{name}-{other}"
        return name

    def person(self, *, given: str, sex: str, family: str, dob: date, address: Address,
               household: int) -> Person:
        self.pid += 1
        rng = self.rng
        age = (self.today - dob).days // 365
        middle = self.given(rng.choice("MF") if rng.random() < 0.1 else sex, {given}) if rng.random() < 0.45 else None
        known_as = None
        if rng.random() < 0.2 and given in NICKNAMES:
            known_as = rng.choice(NICKNAMES[given])
        former = None
        if rng.random() < 0.07:
            former = self.surname()
        previous = self.address() if rng.random() < 0.3 else None
        phone = self.phone() if (age >= 12 and rng.random() < 0.75) else None
        email = None
        if age >= 13 and rng.random() < 0.35:
            email = f"{given}.{family.replace(' ', '').replace(chr(39), '')}{rng.randint(1, 999)}@example.com"
        upn = self.upn(dob) if 4 <= age <= 18 else None
        return Person(pid=f"T{self.pid:08d}", given=given, middle=middle, family=family, former_family=former,
                      known_as=known_as, sex=sex, dob=dob, address=address, previous_address=previous,
                      nhs_number=self.nhs_number(), upn=upn, phone=phone, email=email, household=household)

    def birth_date(self, min_age: int, max_age: int) -> date:
        start = self.today - timedelta(days=365 * max_age + 364)
        end = self.today - timedelta(days=365 * min_age)
        return start + timedelta(days=self.rng.randrange((end - start).days + 1))

    def household_people(self) -> list[Person]:
        """One household: a single adult, a couple, or a family with children (twins in some)."""
        rng = self.rng
        self.household += 1
        address = self.address()
        family = self.surname()
        people: list[Person] = []
        kind = rng.random()
        adults = 1 if kind < 0.3 else 2
        parent_dob = None
        father_given = None
        for index in range(adults):
            sex = "F" if index == 0 and rng.random() < 0.7 else rng.choice("MF")
            if index == 1:
                sex = "M" if people[0].sex == "F" else "F"
            dob = self.birth_date(22, 62)
            parent_dob = parent_dob or dob
            given = self.given(sex)
            people.append(self.person(given=given, sex=sex, family=family if index == 0 or rng.random() < 0.7
                                      else self.surname(), dob=dob, address=address, household=self.household))
            if sex == "M":
                father_given = given
        if kind < 0.15:
            return people  # single adult, no children
        oldest_possible = max(0, min(17, (self.today - parent_dob).days // 365 - 18))
        n_children = rng.choices([1, 2, 3, 4], weights=[35, 40, 17, 8])[0]
        used = {p.given for p in people}
        for _ in range(n_children):
            dob = self.birth_date(0, oldest_possible)
            sex = rng.choice("MF")
            if sex == "M" and father_given and father_given not in used and rng.random() < 0.05:
                given = father_given  # named after his father: same name, same address
            else:
                given = self.given(sex, used)
            used.add(given)
            child = self.person(given=given, sex=sex, family=family, dob=dob, address=address,
                                household=self.household)
            if given == father_given:
                child.tags.add("named_after_father")
            people.append(child)
            if rng.random() < 0.06:  # twins: the false-merge trap
                twin_sex = sex if rng.random() < 0.6 else ("F" if sex == "M" else "M")
                # Parents do not name twins Sophie and Sophia: keep the twin's name clearly another name.
                unlike = used | {n for n in BOYS + GIRLS if _alike(n, given)}
                if rng.random() < 0.3:  # same initial, so "J Smith" fits both
                    pool = [n for n in (BOYS if twin_sex == "M" else GIRLS) if n[0] == given[0] and n not in unlike]
                    twin_given = rng.choice(pool) if pool else self.given(twin_sex, unlike)
                else:
                    twin_given = self.given(twin_sex, unlike)
                used.add(twin_given)
                twin = self.person(given=twin_given, sex=twin_sex, family=family, dob=dob, address=address,
                                   household=self.household)
                twin.twin_of, child.twin_of = child.pid, twin.pid
                twin.previous_address = child.previous_address  # they moved together
                twin.former_family = child.former_family
                twin.tags.add("twin")
                child.tags.add("twin")
                people.append(twin)
        return people


# --- Agencies and noise -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class AgencyProfile:
    source: str
    id_column: str
    mapping: dict[str, str]  # canonical field -> this agency's column
    date_format: str  # strftime format of a full date of birth
    coverage_child: float
    coverage_adult: float
    duplicate_rate: float
    nickname: float
    typo_given: float
    initial: float
    typo_family: float
    former_family: float  # chance a record still has the old family name (for people who changed it)
    dob_missing: float
    dob_year_only: float
    dob_swap: float
    dob_typo: float
    previous_address: float
    postcode_missing: float
    nhs_present: float
    nhs_typo: float
    upn_present: float
    phone_present: float
    sex_codes: tuple[str, str] = ("M", "F")
    min_age: int = 0
    max_age: int = 120


PROFILES: tuple[AgencyProfile, ...] = (
    AgencyProfile(
        source="social_care", id_column="PersonID",
        mapping={"given_name": "Forename", "middle_names": "MiddleNames", "family_name": "Surname",
                 "known_as": "PreferredName", "date_of_birth": "DOB", "sex": "Gender", "address": "AddressLine1",
                 "town": "Town", "postcode": "PostCode", "nhs_number": "NHSNo", "upn": "UPN"},
        date_format="%d/%m/%Y", coverage_child=0.35, coverage_adult=0.12, duplicate_rate=0.06,
        nickname=0.08, typo_given=0.04, initial=0.0, typo_family=0.04, former_family=0.5, dob_missing=0.02,
        dob_year_only=0.02, dob_swap=0.03, dob_typo=0.02, previous_address=0.25, postcode_missing=0.03,
        nhs_present=0.6, nhs_typo=0.03, upn_present=0.4, phone_present=0.0, sex_codes=("Male", "Female")),
    AgencyProfile(
        source="police", id_column="NominalRef",
        mapping={"given_name": "FirstName", "family_name": "Surname", "known_as": "AKA",
                 "date_of_birth": "DateOfBirth", "sex": "Sex", "address": "Address", "postcode": "Postcode",
                 "phone": "Phone"},
        date_format="%Y-%m-%d", coverage_child=0.12, coverage_adult=0.25, duplicate_rate=0.10,
        nickname=0.2, typo_given=0.06, initial=0.08, typo_family=0.06, former_family=0.5, dob_missing=0.08,
        dob_year_only=0.1, dob_swap=0.04, dob_typo=0.04, previous_address=0.35, postcode_missing=0.1,
        nhs_present=0.0, nhs_typo=0.0, upn_present=0.0, phone_present=0.5, min_age=8),
    AgencyProfile(
        source="health", id_column="patient_ref",
        mapping={"given_name": "given_name", "family_name": "family_name", "middle_names": "other_names",
                 "date_of_birth": "birth_date", "sex": "gender", "address": "address_line", "town": "town",
                 "postcode": "postcode", "nhs_number": "nhs_number", "phone": "telephone"},
        date_format="%Y%m%d", coverage_child=0.55, coverage_adult=0.45, duplicate_rate=0.04,
        nickname=0.03, typo_given=0.02, initial=0.0, typo_family=0.02, former_family=0.3, dob_missing=0.005,
        dob_year_only=0.0, dob_swap=0.01, dob_typo=0.01, previous_address=0.2, postcode_missing=0.02,
        nhs_present=0.95, nhs_typo=0.02, upn_present=0.0, phone_present=0.6, sex_codes=("1", "2")),
    AgencyProfile(
        source="school", id_column="pupil_id",
        mapping={"given_name": "legal_forename", "known_as": "preferred_forename", "family_name": "legal_surname",
                 "middle_names": "middle_name", "date_of_birth": "dob", "sex": "sex", "address": "address",
                 "postcode": "postcode", "upn": "upn"},
        date_format="%d/%m/%Y", coverage_child=0.85, coverage_adult=0.0, duplicate_rate=0.03,
        nickname=0.02, typo_given=0.02, initial=0.0, typo_family=0.02, former_family=0.3, dob_missing=0.0,
        dob_year_only=0.0, dob_swap=0.02, dob_typo=0.01, previous_address=0.15, postcode_missing=0.01,
        nhs_present=0.0, nhs_typo=0.0, upn_present=0.95, phone_present=0.0, min_age=4, max_age=18),
)


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 3:
        return text
    position = rng.randrange(1, len(text))  # the first letter is usually right
    kind = rng.random()
    if kind < 0.3 and text[position] in _KEYBOARD:
        return text[:position] + rng.choice(_KEYBOARD[text[position]]) + text[position + 1:]
    if kind < 0.5:
        return text[:position] + text[position + 1:]
    if kind < 0.7 and position < len(text) - 1:
        return text[:position] + text[position + 1] + text[position] + text[position + 2:]
    if kind < 0.85:
        return text[:position] + text[position] + text[position:]
    return text[:position] + rng.choice("aeiou") + text[position + 1:]


def _case(rng: random.Random, text: str) -> str:
    """Agencies capitalise differently; the reader must not care."""
    roll = rng.random()
    if roll < 0.15:
        return text.upper()
    if roll < 0.25:
        return text
    return " ".join(part[:1].upper() + part[1:] for part in text.split(" "))


def _nhs_typo(rng: random.Random, number: str) -> str:
    position = rng.randrange(10)
    if rng.random() < 0.5 and position < 9:
        return number[:position] + number[position + 1] + number[position] + number[position + 2:]
    return number[:position] + str((int(number[position]) + rng.randint(1, 9)) % 10) + number[position + 1:]


def _record(rng: random.Random, person: Person, profile: AgencyProfile) -> dict[str, str]:
    """One agency's record of a person, with that agency's habits and mistakes."""
    p = profile
    given = person.given
    roll = rng.random()
    if roll < p.nickname and (given in NICKNAMES or given in VARIANT_SPELLINGS):
        given = rng.choice(NICKNAMES.get(given, []) + VARIANT_SPELLINGS.get(given, []))
    elif roll < p.nickname + p.typo_given:
        given = _typo(rng, given)
    elif roll < p.nickname + p.typo_given + p.initial:
        given = given[0]
    family = person.family
    if person.former_family and rng.random() < p.former_family:
        family = person.former_family
    if rng.random() < p.typo_family:
        family = _typo(rng, family)

    dob_text = ""
    roll = rng.random()
    dob = person.dob
    if roll < p.dob_missing:
        dob_text = ""
    elif roll < p.dob_missing + p.dob_year_only:
        dob_text = str(dob.year + (rng.choice([-1, 1]) if rng.random() < 0.2 else 0))  # an estimated age
    else:
        roll -= p.dob_missing + p.dob_year_only
        if roll < p.dob_swap and dob.day <= 12 and dob.day != dob.month:
            dob = date(dob.year, dob.day, dob.month)
        elif roll < p.dob_swap + p.dob_typo:
            choice = rng.random()
            try:
                if choice < 0.5:
                    dob = dob.replace(day=max(1, min(28, dob.day + rng.choice([-1, 1, -10, 10]))))
                elif choice < 0.8:
                    dob = dob.replace(month=max(1, min(12, dob.month + rng.choice([-1, 1]))))
                else:
                    dob = dob.replace(year=dob.year + rng.choice([-1, 1]))
            except ValueError:  # 29 February moved to a year without one
                dob = dob.replace(day=28)
        dob_text = dob.strftime(p.date_format)

    address = person.address
    if person.previous_address and rng.random() < p.previous_address:
        address = person.previous_address
    postcode = "" if rng.random() < p.postcode_missing else address.postcode
    if postcode and rng.random() < 0.3:
        postcode = postcode.replace(" ", "") if rng.random() < 0.5 else postcode.lower()

    nhs = ""
    if rng.random() < p.nhs_present:
        nhs = person.nhs_number
        if rng.random() < p.nhs_typo:
            nhs = _nhs_typo(rng, nhs)
        if profile.source == "social_care":
            nhs = f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"
    upn = person.upn if (person.upn and rng.random() < p.upn_present) else ""
    phone = ""
    if person.phone and rng.random() < p.phone_present:
        phone = person.phone if rng.random() < 0.5 else f"{person.phone[:5]} {person.phone[5:]}"
    known_as = person.known_as or ""
    if profile.source == "police" and not known_as and rng.random() < 0.05:
        known_as = rng.choice(NICKNAMES.get(person.given, [""]))
    sex = p.sex_codes[0] if person.sex == "M" else p.sex_codes[1]
    if rng.random() < 0.01:
        sex = ""
    values = {
        "given_name": _case(rng, given), "middle_names": _case(rng, person.middle or ""),
        "family_name": _case(rng, family), "known_as": _case(rng, known_as), "date_of_birth": dob_text,
        "sex": sex, "address": _case(rng, address.line), "town": _case(rng, address.town), "postcode": postcode,
        "nhs_number": nhs, "upn": upn, "phone": phone, "email": person.email or "",
    }
    return {column: values[field] for field, column in p.mapping.items()}


@dataclass
class Benchmark:
    """Where the extracts are, how to map them, and the ground truth."""

    directory: Path
    extracts: list[Path]
    truth: Path
    records: int
    people: int
    twins: int
    id_options: list[str]
    map_options: list[str]

    def link_arguments(self) -> list[str]:
        """The `wrekin link` arguments for these extracts (without --out)."""
        args = [str(path) for path in self.extracts]
        for option in self.id_options:
            args += ["--id", option]
        for option in self.map_options:
            args += ["--map", option]
        return args


def generate_benchmark(directory: Path | str, *, records: int, seed: int = 1,
                       today: date = date(2025, 6, 1)) -> Benchmark:
    """Write the agency extracts (CSV) and truth.csv for about `records` records in total."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    generator = _Generator(seed, today)
    rng = random.Random(seed * 7919 + 17)
    handles = {}
    writers = {}
    counters = {p.source: 0 for p in PROFILES}
    paths = []
    for profile in PROFILES:
        path = directory / f"{profile.source}.csv"
        handle = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed below
        handles[profile.source] = handle
        writers[profile.source] = csv.writer(handle)
        writers[profile.source].writerow([profile.id_column, *profile.mapping.values()])
        paths.append(path)
    truth_path = directory / "truth.csv"
    truth_handle = open(truth_path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed below
    truth = csv.writer(truth_handle)
    truth.writerow(["source", "record_id", "person_id"])
    written = 0
    people = 0
    twins = 0
    try:
        while written < records:
            for person in generator.household_people():
                people += 1
                twins += "twin" in person.tags
                age = person.age(today)
                for profile in PROFILES:
                    if not profile.min_age <= age <= profile.max_age:
                        continue
                    coverage = profile.coverage_child if age < 18 else profile.coverage_adult
                    if "twin" in person.tags:
                        coverage = min(1.0, coverage * 1.5)  # twins are where the trap is: make sure it is hit
                    if rng.random() >= coverage:
                        continue
                    copies = 1 + (rng.random() < profile.duplicate_rate) + (rng.random() < profile.duplicate_rate / 4)
                    for _ in range(copies):
                        if written >= records:
                            break
                        counters[profile.source] += 1
                        prefix = profile.source[:2].upper()
                        record_id = f"{prefix}{counters[profile.source]:07d}"
                        row = _record(rng, person, profile)
                        writers[profile.source].writerow([record_id, *row.values()])
                        truth.writerow([profile.source, record_id, person.pid])
                        written += 1
    finally:
        for handle in handles.values():
            handle.close()
        truth_handle.close()
    id_options = [f"{p.source}:{p.id_column}" for p in PROFILES]
    map_options = [f"{p.source}:{canonical}={column}" for p in PROFILES for canonical, column in p.mapping.items()
                   if canonical.replace("_", "") != column.replace("_", "").lower()]
    return Benchmark(directory=directory, extracts=paths, truth=truth_path, records=written, people=people,
                     twins=twins, id_options=id_options, map_options=map_options)


def read_truth(path: Path | str) -> dict[tuple[str, str], str]:
    """(source, record_id) -> person id."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        return {(source, record_id): person for source, record_id, person in reader}
