"""A labelled synthetic corpus: narratives as practitioners write them, with the exact span of every entity.

It exists to measure extraction honestly (benchmarks/extraction.py, the precision and
recall test) and to give the scenario generator realistic ways of writing the same
plate, phone or handle. Each narrative is a few factual, non-graphic sentences about
missing episodes, cars, gifts and school, built slot by slot so each entity's span is
known exactly. Entities come in the formats people type (spaces, lower case, "+44",
partial plates, handles in several phrasings) beside *distractors* that look like them
and are not: times, dates, money, school years, bus and road numbers, house and flat
numbers, collar numbers, crime references.

Deterministic: the same ``seed`` gives the same corpus, byte for byte. All numbers are
in Ofcom's drama ranges; all names, plates, handles and addresses are invented.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from datetime import date

from wrekin.intelligence.extraction import ENTITY_TYPES, Gazetteer, GazetteerTerm, extract

CORPUS_TODAY = date(2026, 1, 15)  # fixes which current-format age identifiers exist (up to 25 and 75)

# --- vocabulary --------------------------------------------------------------------------------------------------

CHILDREN = ("Kayleigh", "Jayden", "Amelia", "Tyler", "Chloe", "Leah", "Brandon", "Demi", "Kieran", "Holly",
            "Ruby", "Ellie-Mae", "Connor", "Skye", "Aaliyah", "Reece", "Jade", "Mason", "Courtney", "Lacey")
POC_GIVEN = ("Mohammed", "Imran", "Craig", "Wayne", "Arif", "Tariq", "Shane", "Dean", "Jason", "Kyle", "Marek",
             "Tomasz", "Adil", "Bilal", "Gareth", "Stuart", "Nathan", "Asif", "Ricky", "Lewis")
POC_FAMILY = ("Khan", "Hussain", "Walker", "Nowak", "Kowalski", "Ahmed", "Price", "Evans", "Barker", "Rashid",
              "Doyle", "Malik", "Stevens", "Pearce", "Iqbal", "Reid", "Lloyd", "Farooq", "Benson", "Hart")
POC_NICKNAMES = ("Danny", "Bigz", "Smokey", "Deano", "Shay", "Kaz", "Ziggy", "J-Dog", "Mazza", "Tommo", "Ricco",
                 "Nico", "Baz", "Chez", "Dizzy", "Mackie", "Trigga", "Jonno", "Skinz", "Fitzy")
PREMISES = ("Tasty Chicken", "Golden Fry", "Pizza Palace", "Station Hotel", "Hilltop Hotel", "Spice Lounge",
            "Best Kebab", "Bowring Park", "Queens Court Hotel", "Magic Wok", "Chicken Express", "Sunnyside Park")
BUSINESSES = ("Ace Taxis", "Star Cabs", "Central Private Hire", "Wrekin Radio Cars", "Rapid Taxis",
              "Premier Private Hire", "Town Cars", "Hilltop Minicabs")
STREETS = ("High Street", "Station Road", "Oak Road", "Church Street", "Park Avenue", "Queen Street",
           "Victoria Road", "Mill Lane", "Holyhead Road", "Castle Street", "Market Street", "Bridge Road")
GENERIC_PLACES = ("the takeaway", "the bus station", "the retail park", "the skate park", "a hotel car park",
                  "the shopping centre", "the taxi rank", "a petrol station", "the railway station", "the canal")
COLOURS = ("silver", "black", "grey", "white", "dark blue", "red", "blue")
VEHICLES = ("Vauxhall Corsa", "Vauxhall Astra", "Audi A3", "BMW", "Ford Fiesta", "Ford Focus", "VW Golf",
            "Toyota Prius", "Nissan Qashqai", "Mercedes", "Seat Leon", "Skoda Octavia", "Kia Sportage", "van",
            "Range Rover", "Peugeot")
PLATFORM_NAMES = {"snapchat": ("Snapchat", "snapchat", "Snap", "snap"),
                  "instagram": ("Instagram", "instagram", "Insta", "insta"),
                  "tiktok": ("TikTok", "Tiktok", "tiktok"),
                  "facebook": ("Facebook", "facebook"),
                  "telegram": ("Telegram",),
                  "discord": ("Discord",)}
HANDLE_WORDS = ("kayz", "jaydenb", "lil_a", "mazzaa", "bigz", "princess", "babygirl", "smokey", "deano", "shay",
                "tiny_t", "rosie", "xo_lacey", "jj", "the_real_k", "mr_d", "qween", "skye.b", "reece", "mase")

# Postcode areas near Telford (and further afield) whose letters fit the postcode grammar.
POSTCODE_AREAS = ("TF", "SY", "WV", "ST", "WS", "DY", "B", "M", "LS", "SK", "CW", "WR", "HR", "LL")
_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # no C, I, K, M, O or V in the inward code
_MEMORY_TAG = "ABCDEFGHJKLMNOPRSTUVWXY"
_RANDOM_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXYZ"
_YEAR_LETTERS = "ABCDEFGHJKLMNPRSTVWXY"
_GB_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXY"  # GB dateless marks never use I, Q or Z

# Landline and mobile drama ranges (Ofcom): (national prefix as written, area digits, how to group it)
_DRAMA_LANDLINES = (("01632", "960"), ("0113", "4960"), ("0114", "4960"), ("0115", "4960"), ("0116", "4960"),
                    ("0117", "4960"), ("0118", "4960"), ("0121", "4960"), ("0131", "4960"), ("0141", "4960"),
                    ("0151", "4960"), ("0161", "4960"), ("0191", "4980"))


@dataclass(frozen=True)
class GoldEntity:
    type: str
    value: str
    normalised: str
    span: tuple[int, int]


@dataclass
class Narrative:
    text: str
    entities: list[GoldEntity] = field(default_factory=list)


@dataclass
class Corpus:
    seed: int
    narratives: list[Narrative]
    persons_of_concern: list[tuple[str, str]]  # (full name, nickname)
    premises: list[str]
    businesses: list[str]
    today: date = CORPUS_TODAY

    def gazetteer(self) -> Gazetteer:
        """The gazetteer a partnership holding these persons of concern and places would build."""
        terms = []
        for full, nickname in self.persons_of_concern:
            terms.append(GazetteerTerm(full, "person", full))
            terms.append(GazetteerTerm(nickname, "person", nickname, kind="nickname"))
        terms += [GazetteerTerm(name, "location", name, kind="premises") for name in self.premises]
        terms += [GazetteerTerm(name, "business", name, kind="business") for name in self.businesses]
        return Gazetteer(terms)

    @property
    def size_in_bytes(self) -> int:
        return sum(len(narrative.text.encode()) for narrative in self.narratives)


# --- entity makers: each returns (as typed, normalised) ------------------------------------------------------------

def random_current_mark(rng: random.Random, today: date = CORPUS_TODAY) -> str:
    """A current-format mark (normalised, "AB12CDE") whose age identifier had been issued by ``today``."""
    identifiers = [f"{y:02d}" for y in range(2, 50) if date(2000 + y, 3, 1) <= today]
    identifiers += [f"{y + 50:02d}" for y in range(1, 50) if date(2000 + y, 9, 1) <= today]
    return (rng.choice(_MEMORY_TAG) + rng.choice(_MEMORY_TAG) + rng.choice(identifiers)
            + "".join(rng.choice(_RANDOM_LETTERS) for _ in range(3)))


def _letters(rng: random.Random, alphabet: str, count: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(count))


def _number(rng: random.Random, max_digits: int) -> str:
    return str(rng.randint(1, 10 ** rng.randint(1, max_digits) - 1))


def written_vehicle(rng: random.Random, *, keyword_before: bool, today: date = CORPUS_TODAY) -> tuple[str, str]:
    """A full mark as a practitioner might write it, and its normalised form.

    ``keyword_before`` says the sentence puts "reg" or "plate" right before it; only
    then are lower case prefix, suffix and dateless marks written (without it no reader
    could tell "a442 and" from a plate either).
    """
    roll = rng.random()
    if roll < 0.62:
        mark = random_current_mark(rng, today)
        shape = rng.choice(["AB12 CDE", "AB12 CDE", "AB12CDE", "ab12 cde", "ab12cde", "AB12-CDE", "Ab12 Cde"]
                           + (["AB 12 CDE", "ab 12 cde"] if keyword_before else []))
        if shape.startswith(("AB 12", "ab 12")):
            written = f"{mark[:2]} {mark[2:4]} {mark[4:]}"
        elif "-" in shape:
            written = f"{mark[:4]}-{mark[4:]}"
        elif " " in shape:
            written = f"{mark[:4]} {mark[4:]}"
        else:
            written = mark
        if shape[0].islower():
            written = written.lower()
        elif shape == "Ab12 Cde":
            written = f"{mark[0]}{mark[1].lower()}{mark[2:4]} {mark[4]}{mark[5:].lower()}"
        return written, mark
    if roll < 0.74:
        letter, digits, letters = rng.choice(_YEAR_LETTERS), _number(rng, 3), _letters(rng, _GB_LETTERS, 3)
        written = f"{letter}{digits} {letters}"
        mark = f"{letter}{digits}{letters}"
    elif roll < 0.82:
        letters, digits, year = _letters(rng, _GB_LETTERS, 3), _number(rng, 3), rng.choice(_YEAR_LETTERS)
        written = f"{letters} {digits}{year}"
        mark = f"{letters}{digits}{year}"
    elif roll < 0.90:
        letters = rng.choice(_GB_LETTERS) + rng.choice("IZ") if rng.random() < 0.3 else (
            rng.choice(_GB_LETTERS) + rng.choice(_GB_LETTERS) + "Z")
        digits = str(rng.randint(100, 9999))
        written = f"{letters} {digits}"
        mark = f"{letters}{digits}"
    else:
        if rng.random() < 0.5:
            digits, letters = _number(rng, 3), _letters(rng, _GB_LETTERS, rng.randint(1, 3))
            written, mark = f"{digits} {letters}", f"{digits}{letters}"
        else:
            letters, digits = _letters(rng, _GB_LETTERS, rng.randint(2, 3)), _number(rng, 3)
            written, mark = f"{letters} {digits}", f"{letters}{digits}"
    if keyword_before and rng.random() < 0.25:
        written = written.lower()
    return written, mark


def written_partial_mark(rng: random.Random, today: date = CORPUS_TODAY) -> tuple[str, str, str]:
    """A partly seen plate: (phrase before it in the sentence, as typed, normalised)."""
    mark = random_current_mark(rng, today)
    head = mark[:4]
    style = rng.randrange(8)
    if style == 0:
        return "the plate was partly seen:", f"{head} ?", f"{head}*"
    if style == 1:
        return "a partial plate", f"{head} {mark[4]}??", f"{head}{mark[4]}??"
    if style == 2:
        return "the plate", f"starts {head}", f"{head}*"
    if style == 3:
        return "the reg", f"begins with {head}", f"{head}*"
    if style == 4:
        return "", f"partial reg {head}", f"{head}*"
    if style == 5:
        return "the registration was", f"{head} {mark[4:6]}?", f"{head}{mark[4:6]}?"
    if style == 6:
        return "the reg", f"starting {head.lower()}", f"{head}*"
    return "the plate", f"ended in {mark[4:]}", f"*{mark[4:]}"


def written_phone(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.6:
        subscriber = f"{rng.randint(0, 999):03d}"
        national = f"07700900{subscriber}"
        shape = rng.randrange(8)
        written = (f"07700 900{subscriber}", f"07700900{subscriber}", f"07700-900-{subscriber}",
                   f"+44 7700 900{subscriber}", f"+447700900{subscriber}", f"0044 7700 900 {subscriber}",
                   f"+44 (0)7700 900{subscriber}", f"07700 900 {subscriber}")[shape]
    else:
        code, exchange = rng.choice(_DRAMA_LANDLINES)
        line = f"{rng.randint(0, 999):03d}"
        national = f"{code}{exchange}{line}"
        if code == "01632":
            written = rng.choice([f"{code} {exchange}{line}", f"({code}) {exchange}{line}", f"{code}{exchange}{line}",
                                  f"+44 {code[1:]} {exchange}{line}"])
        else:
            written = rng.choice([f"{code} {exchange[:3]} {exchange[3]}{line}", f"{code}-{exchange}-{line}",
                                  f"({code}) {exchange[:3]} {exchange[3]}{line}", f"+44 {code[1:]} {exchange}{line}"])
    return written, "+44" + national[1:]


def written_postcode(rng: random.Random) -> tuple[str, str]:
    area = rng.choice(POSTCODE_AREAS)
    district = str(rng.randint(1, 9 if len(area) == 2 else 40))
    inward = f"{rng.randint(0, 9)}{rng.choice(_INWARD_LETTERS)}{rng.choice(_INWARD_LETTERS)}"
    normalised = f"{area}{district} {inward}"
    shape = rng.randrange(6)
    written = (normalised, normalised, normalised.lower(), normalised.replace(" ", ""),
               normalised.replace(" ", "  "), normalised.replace(" ", "").lower())[shape]
    return written, normalised


def written_email(rng: random.Random) -> tuple[str, str]:
    local = rng.choice(HANDLE_WORDS).replace(".", "_") + rng.choice(["", str(rng.randint(1, 99)), ".x", "_2010"])
    domain = rng.choice(["example.com", "example.org", "example.net", "mail.example.co.uk"])
    written = f"{local}@{domain}"
    if rng.random() < 0.2:
        written = written[0].upper() + written[1:]
    return written, written.lower()


def _handle(rng: random.Random) -> str:
    base = rng.choice(HANDLE_WORDS)
    suffix = rng.choice(["", "_", "01", "_x", str(rng.randint(1, 99)), "2010", ".xo", "_uk"])
    handle = base + suffix
    return handle[0].upper() + handle[1:] if rng.random() < 0.15 else handle


# --- narratives --------------------------------------------------------------------------------------------------

class _Writer:
    """Builds one narrative piece by piece, recording each entity's exact span."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.entities: list[GoldEntity] = []

    def text(self, value: str) -> None:
        self.parts.append(value)
        self.length += len(value)

    def entity(self, type_: str, value: str, normalised: str) -> None:
        self.entities.append(GoldEntity(type_, value, normalised, (self.length, self.length + len(value))))
        self.text(value)


# Each sentence is a template; {slots} are filled by _fill. Entity slots record gold spans.
ENTITY_SENTENCES = (
    "{child} was seen getting into a {colour} {vehicle_name}, reg {reg_vehicle}, outside {place} on {street}, "
    "{postcode}.",
    "{child} was seen getting into a {colour} {vehicle_name} ({vehicle}) near {place} at {time}.",
    "A {colour} {vehicle_name} registration {reg_vehicle} was seen collecting {child} from school on {date}.",
    "Police stopped a {colour} {vehicle_name}, VRM {reg_vehicle}, on the {road} at {time}; {child} was a passenger.",
    "{child} said the driver of the {colour} {vehicle_name} was called {poc}.",
    "{child} later said her friend '{nickname}' ({phone}) had given her a new phone.",
    "{child} has been contacting {phone} late at night and will not say whose number it is.",
    "Mum found the number {phone} saved as '{nickname}' in {child}'s phone.",
    "{child} is on {handle_phrase}.",
    "{child} said she talks to {nickname} on {handle_phrase}.",
    "{child} was given {money} by {poc} at {premises}.",
    "{child} was reported missing at {time} on {date} and was found at {premises} the next morning.",
    "A witness saw a {colour} {vehicle_name} outside {place}; {partial_mark}.",
    "She was found near {house_number} {street}, {postcode}, at {time}.",
    "Contact e-mail given by {child}: {email}.",
    "{poc} was seen driving a {colour} {vehicle_name} with the private plate {reg_vehicle}.",
    "{poc}, known as '{nickname}', was seen with {child} near {place} in {postcode}.",
    "A taxi from {business} was booked to {street}, {postcode}; the driver's car was {vehicle_name} "
    "{vehicle}.",
    "{child} said {nickname} picks her up in a {colour} {vehicle_name} and messages her on {handle_phrase}.",
    "School were told {child} had been picked up by a car from {business} at {time}.",
    "{child} was seen at {premises} with {poc} and two older males.",
    "Dad reported that {nickname} rang the house phone from {phone} asking for {child}.",
    "{child} gave her address as {house_number} {street}, {postcode}.",
    "The reg of the {colour} {vehicle_name} was {reg_vehicle} according to the PNC check.",
    "Profile shown to staff: {profile_url}.",
    "{child} said she has been messaging {email} about a job.",
    "The car {child} got into was a {colour} {vehicle_name}, {partial_mark}.",
)
DISTRACTOR_SENTENCES = (
    "Strategy discussion held on {date} at {time}; next review on {date}.",
    "{child} had {money} and a new phone that the family cannot explain.",
    "Attendance is {percent}% this term; {child} is in {school_year} and in set 2A for maths.",
    "Police log {log_number}; crime reference {crime_reference}.",
    "{child} got off the {bus} bus on the {road} near junction 4 of the M54.",
    "Home visit to flat {flat}, {house_number} {street}; nobody was in.",
    "PC 1234 and DS 567 attended at {time} and spoke to {child}.",
    "CAMHS appointment on {date} at {time}; RHI completed within 72 hours.",
    "She said she would be back at 10 30 but returned at {time}.",
    "{child} is in {school_year} and has GCSE options meetings in March.",
    "Mum said {child} came home at {time} with {money} in cash and new trainers.",
    "The family live on {street} in TF1; the {bus} bus stops outside.",
    "Missing episode {n} of {m} since {date}; found at {place} by officers.",
    "{child} travelled on the {road} and the B4380 with friends in Y11.",
    "Case discussed at MACE on {date}; actions 1A and 2B agreed.",
    "{child} said she was on her phone and on snap a lot but would not say who to.",
    "She has Snapchat and Instagram and said her Snapchat is private.",
    "There were 12 missed calls between {time} and {time} on {date}.",
    "{child} was excluded for 5 days; the car park CCTV was checked by the school.",
    "She said she paid {money} for a taxi home from {place} at {time}.",
)

# Held-out phrasing: written once, before the final measurement, and never used to tune the
# recognisers. Scores on these show how extraction copes with wording it was not shaped on.
HELD_OUT_ENTITY_SENTENCES = (
    "{child} was dropped off by a {colour} {vehicle_name} registered {reg_vehicle} at about {time}.",
    "Officers recorded the vehicle as a {colour} {vehicle_name}, index {reg_vehicle}.",
    "A neighbour noted the number plate {reg_vehicle} on a {colour} car parked outside for two hours.",
    "{child} had the number {phone} written on her hand.",
    "School rang {phone} twice; no answer.",
    "{child} told staff that {nickname} lives near {postcode} and drives for {business}.",
    "Location check completed: {premises}, {street}, {postcode}.",
    "{child}'s friend said she uses {handle_phrase_held_out} to talk to older boys.",
    "{poc} was named by {child} as the man who gave her {money}.",
    "An e-mail from {email} was received by the school office.",
    "PNC check on {vehicle} showed no current keeper.",
    "The mobile number for {nickname} is {phone}.",
    "{child} went to {premises} with {nickname} after school.",
    "{child} stayed at a flat on {street}, {postcode}, with {poc}.",
    "Only part of the plate was seen ({partial_mark}).",
)
HELD_OUT_DISTRACTOR_SENTENCES = (
    "Meeting moved to {time} on {date}; room 2B booked.",
    "{child} scored 6A in the mock exam and is in set 3.",
    "{child} was given £30 and a vape; she said it cost £15.",
    "The A5 and the M6 toll were closed, so the 5A bus was late.",
    "Incident 1234 of {date}; PCSO 5678 attended.",
    "She was seen at about 2 AM on CCTV camera 12.",
    "Her NHS number is 943 476 5919 and her UPN is on file.",
    "{child} is in group B3 for English and sits in room C12.",
    "Flat 4C, Block 2 was visited at {time}; the car was not there.",
    "{child} said she was in Y10 and her brother is in Y7.",
)


def _time(rng: random.Random) -> str:
    hour, minute = rng.randint(0, 23), rng.choice([0, 5, 10, 15, 20, 30, 40, 45, 50])
    return rng.choice([f"{hour:02d}:{minute:02d}", f"{hour}.{minute:02d}", f"{hour % 12 or 12}.{minute:02d}pm",
                       f"{hour % 12 or 12}pm", f"{hour:02d}{minute:02d} hours", f"{hour % 12 or 12} PM"])


def _date(rng: random.Random) -> str:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.choice([2024, 2025])
    months = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")
    return rng.choice([f"{day:02d}/{month:02d}/{year}", f"{day}/{month}/{str(year)[2:]}", f"{day} {months[month - 1]}",
                       f"{day:02d}.{month:02d}.{year}", f"{day} {months[month - 1][:3]} {year}"])


class _Narrator:
    def __init__(self, rng: random.Random, corpus_people: list[tuple[str, str]], premises: list[str],
                 businesses: list[str], today: date) -> None:
        self.rng = rng
        self.people = corpus_people
        self.premises = premises
        self.businesses = businesses
        self.today = today

    def fill(self, template: str, writer: _Writer) -> None:
        for piece in re.split(r"(\{\w+\})", template):
            if piece.startswith("{") and piece.endswith("}"):
                getattr(self, f"slot_{piece[1:-1]}")(writer)
            else:
                writer.text(piece)

    # plain slots: no entity
    def slot_child(self, w: _Writer) -> None:
        w.text(self.rng.choice(CHILDREN))

    def slot_colour(self, w: _Writer) -> None:
        w.text(self.rng.choice(COLOURS))

    def slot_vehicle_name(self, w: _Writer) -> None:
        w.text(self.rng.choice(VEHICLES))

    def slot_place(self, w: _Writer) -> None:
        w.text(self.rng.choice(GENERIC_PLACES))

    def slot_street(self, w: _Writer) -> None:
        w.text(self.rng.choice(STREETS))

    def slot_time(self, w: _Writer) -> None:
        w.text(_time(self.rng))

    def slot_date(self, w: _Writer) -> None:
        w.text(_date(self.rng))

    def slot_money(self, w: _Writer) -> None:
        w.text(self.rng.choice(["£20", "£50", "£150", "£5", "£10 cash", "£200"]))

    def slot_road(self, w: _Writer) -> None:
        w.text(self.rng.choice(["A442", "A5", "M54", "A518", "B4380", "A464", "A41", "M6"]))

    def slot_bus(self, w: _Writer) -> None:
        w.text(self.rng.choice(["X5", "number 10", "4A", "44", "96", "X64", "5", "7B"]))

    def slot_school_year(self, w: _Writer) -> None:
        w.text(self.rng.choice(["Y10", "Y9", "Year 9", "Y11", "year 10", "Yr 8"]))

    def slot_house_number(self, w: _Writer) -> None:
        w.text(self.rng.choice(["12", "4", "27B", "143", "9A", "2"]))

    def slot_flat(self, w: _Writer) -> None:
        w.text(self.rng.choice(["3B", "12", "2A", "7"]))

    def slot_percent(self, w: _Writer) -> None:
        w.text(str(self.rng.choice([62, 70, 78, 85])))

    def slot_log_number(self, w: _Writer) -> None:
        w.text(self.rng.choice(["0412", "123 of 12/03/2025", "0987 12/03/2025", "CAD 4471"]))

    def slot_crime_reference(self, w: _Writer) -> None:
        w.text(f"22/{self.rng.randint(100000, 999999)}/25")

    def slot_n(self, w: _Writer) -> None:
        w.text(str(self.rng.randint(2, 5)))

    def slot_m(self, w: _Writer) -> None:
        w.text(str(self.rng.randint(5, 9)))

    # entity slots
    def slot_vehicle(self, w: _Writer) -> None:
        written, mark = written_vehicle(self.rng, keyword_before=False, today=self.today)
        w.entity("vehicle", written, mark)

    def slot_reg_vehicle(self, w: _Writer) -> None:
        written, mark = written_vehicle(self.rng, keyword_before=True, today=self.today)
        w.entity("vehicle", written, mark)

    def slot_partial_mark(self, w: _Writer) -> None:
        lead, written, normalised = written_partial_mark(self.rng, self.today)
        if lead:
            w.text(lead + " ")
        w.entity("vehicle", written, normalised)

    def slot_phone(self, w: _Writer) -> None:
        written, e164 = written_phone(self.rng)
        w.entity("phone", written, e164)

    def slot_postcode(self, w: _Writer) -> None:
        written, normalised = written_postcode(self.rng)
        w.entity("postcode", written, normalised)

    def slot_email(self, w: _Writer) -> None:
        written, normalised = written_email(self.rng)
        w.entity("email", written, normalised)

    def slot_poc(self, w: _Writer) -> None:
        full, _ = self.rng.choice(self.people)
        w.entity("person", full if self.rng.random() < 0.85 else full.upper(), full)

    def slot_nickname(self, w: _Writer) -> None:
        _, nickname = self.rng.choice(self.people)
        w.entity("person", nickname if self.rng.random() < 0.85 else nickname.lower(), nickname)

    def slot_premises(self, w: _Writer) -> None:
        name = self.rng.choice(self.premises)
        w.entity("location", name if self.rng.random() < 0.85 else name.lower(), name)

    def slot_business(self, w: _Writer) -> None:
        name = self.rng.choice(self.businesses)
        w.entity("business", name, name)

    def slot_handle_phrase(self, w: _Writer) -> None:
        rng = self.rng
        platform = rng.choice(list(PLATFORM_NAMES))
        name = rng.choice(PLATFORM_NAMES[platform])
        handle = _handle(rng)
        handle_like = bool(re.search(r"[0-9_.]", handle))
        style = rng.randrange(8)
        if style == 0:
            w.text(f"{name} as ")
            w.entity("handle", handle, handle.lower())
        elif style == 1:
            w.text(f"{name} ({name.lower()}: ")
            w.entity("handle", handle, handle.lower())
            w.text(")")
        elif style == 2:
            w.text(f"{name}, username '")
            w.entity("handle", handle, handle.lower())
            w.text("'")
        elif style == 3:
            w.text(f"{name} as ")
            w.entity("handle", "@" + handle, handle.lower())
        elif style == 4:
            w.text(f"{name}; her {name} name is ")
            w.entity("handle", handle if handle_like else "@" + handle, handle.lower())
        elif style == 5:
            w.text(f"{name}, handle ")
            w.entity("handle", handle, handle.lower())
        elif style == 6:
            w.text(f"{name} (")
            w.entity("handle", "@" + handle, handle.lower())
            w.text(")")
        else:
            w.text(f"{name} called ")
            w.entity("handle", handle, handle.lower())

    def slot_handle_phrase_held_out(self, w: _Writer) -> None:
        rng = self.rng
        handle = _handle(rng)
        handle_like = bool(re.search(r"[0-9_.]", handle))
        style = rng.randrange(5)
        if style == 0:
            w.text("Snapchat (her snap is ")
            w.entity("handle", handle if handle_like else "@" + handle, handle.lower())
            w.text(")")
        elif style == 1:
            w.text("Snapchat ID: ")
            w.entity("handle", handle, handle.lower())
        elif style == 2:
            w.text("an Instagram account called '")
            w.entity("handle", handle, handle.lower())
            w.text("'")
        elif style == 3:
            w.entity("handle", "@" + handle, handle.lower())
            w.text(" (TikTok)")
        else:
            w.text("TikTok user ")
            w.entity("handle", handle, handle.lower())

    def slot_profile_url(self, w: _Writer) -> None:
        handle = _handle(self.rng).replace("-", "_")
        site = self.rng.choice(["instagram.com/", "https://www.instagram.com/", "tiktok.com/@", "x.com/",
                                "https://www.tiktok.com/@"])
        w.entity("handle", site + handle, handle.lower())


def generate_corpus(n: int = 2000, seed: int = 1, *, today: date = CORPUS_TODAY,
                    held_out_phrasing: bool = False) -> Corpus:
    """``n`` narratives of 2 to 5 sentences, about two thirds of sentences naming entities, the rest distractors.

    ``held_out_phrasing`` writes them with the sentences the recognisers were never tuned on.
    """
    entity_sentences = HELD_OUT_ENTITY_SENTENCES if held_out_phrasing else ENTITY_SENTENCES
    distractor_sentences = HELD_OUT_DISTRACTOR_SENTENCES if held_out_phrasing else DISTRACTOR_SENTENCES
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    given = rng.sample(POC_GIVEN, 12)
    family = rng.sample(POC_FAMILY, 12)
    nicknames = rng.sample(POC_NICKNAMES, 12)
    people = [(f"{g} {f}", nick) for g, f, nick in zip(given, family, nicknames, strict=True)]
    premises = rng.sample(PREMISES, 8)
    businesses = rng.sample(BUSINESSES, 5)
    narrator = _Narrator(rng, people, premises, businesses, today)
    narratives = []
    for _ in range(n):
        writer = _Writer()
        for index in range(rng.randint(2, 5)):
            if index:
                writer.text(" ")
            pool = entity_sentences if rng.random() < 0.65 else distractor_sentences
            narrator.fill(rng.choice(pool), writer)
        text = "".join(writer.parts)
        narratives.append(Narrative(text, writer.entities))
    return Corpus(seed, narratives, people, premises, businesses, today)


# --- scoring -----------------------------------------------------------------------------------------------------

@dataclass
class TypeScore:
    """Counts for one entity type. A hit needs the exact span and the exact normalised value."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0


@dataclass
class Evaluation:
    scores: dict[str, TypeScore]
    misses: list[tuple[str, GoldEntity]]  # (narrative text, expected entity not found exactly)
    false_alarms: list[tuple[str, tuple[str, str, str, tuple[int, int]]]]  # (text, (type, value, normalised, span))


def evaluate(corpus: Corpus, gazetteer: Gazetteer | None = None) -> Evaluation:
    """Run extraction over every narrative and count, per type, exact (span, normalised) agreement with the gold."""
    gazetteer = gazetteer if gazetteer is not None else corpus.gazetteer()
    scores = {type_: TypeScore() for type_ in ENTITY_TYPES}
    misses: list[tuple[str, GoldEntity]] = []
    false_alarms: list[tuple[str, tuple[str, str, str, tuple[int, int]]]] = []
    for narrative in corpus.narratives:
        gold = {(e.type, e.span, e.normalised): e for e in narrative.entities}
        found = {(e.type, e.span, e.normalised): e for e in extract(narrative.text, gazetteer, today=corpus.today)}
        for key in gold.keys() & found.keys():
            scores[key[0]].true_positives += 1
        for key in gold.keys() - found.keys():
            scores[key[0]].false_negatives += 1
            misses.append((narrative.text, gold[key]))
        for key in found.keys() - gold.keys():
            scores[key[0]].false_positives += 1
            item = found[key]
            false_alarms.append((narrative.text, (item.type, item.value, item.normalised, item.span)))
    return Evaluation(scores, misses, false_alarms)
