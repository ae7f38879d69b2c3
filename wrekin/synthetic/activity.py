"""A believable recent history of multi-agency work, played out through the real actions.

`wrekin seed` writes people, their agencies' involvements and the links between them, but no
casework. `seed_activity(children=150, seed=1)` picks that many of the seeded children and plays
out about nine months of work about them, ending today: referrals from schools, police, health,
youth and voluntary services (with indicators from the current screening instrument and the
vehicles, phones, places and nicknames they mention), triage decisions, screenings graded by
professional judgement and approved by managers, cases with multi-agency teams, risk histories,
plans and reviews, missing episodes with returns and return home interviews, strategy
discussions and their clocks, MACE meetings, and disruption of persons of concern.

Every record is made by the action a person would use (`wrekin.<app>.actions`), as the demo
users and the other seeded staff, so permissions are checked, every change is in the audit
trail, agencies become involved with the children they work on, and the clocks, work lists and
chronologies are the product's own. Nothing here writes a model directly.

Why the clock is moved
----------------------
A history needs dates in the past. Most actions take `today=` or `now=` and we pass them, but
every action also stamps times it does not take as parameters: the audit event's `occurred_at`,
`created_at` and `submitted_at` fields, a triage decision's `decided_at`, the involvement a
missing episode or a person update creates (`timezone.localdate()`), model defaults such as
`Case.opened_at = timezone.now`. Left alone, nine months of work would all appear to have
happened in the seconds the command ran, every triage clock would be wrong and the chronology
would be meaningless. So while each step runs, `SimulatedClock` makes `django.utils.timezone.now`
return that step's moment (and points model fields whose default is `timezone.now` at the same
clock). Steps run in time order across all children, so the audit trail's sequence and its
times agree, and the load finishes with one `synthetic.activity_seeded` event at the real time
saying what was added and over which dates: an auditor can always tell the seeded history from
real work.

Determinism
-----------
Every choice comes from one `random.Random(seed)` during planning, before anything is written;
the database is read in primary-key order and nothing iterates over a set. The same seed on the
same seeded partnership on the same day gives the same history. Dates are relative to today, so
the demo always has work due now.

Synthetic only: every narrative is factual and non-graphic (missing episodes, cars, gifts,
school absence). Vehicle registrations always contain the letter Q among their three random
letters, which the DVLA never issues in current-style plates, so no plate here is a real car's;
phone numbers are the seed's Ofcom drama numbers.
"""

from __future__ import annotations

import functools
import itertools
import random
import time as time_module
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone

from wrekin.access import actions as access_actions
from wrekin.accounts.models import Agency, AgencyType, Partnership, Role, User
from wrekin.audit.actions import record_event
from wrekin.audit.models import AuditEvent
from wrekin.audit.vocabulary import register
from wrekin.casework import actions as casework
from wrekin.casework.models import (
    Case,
    CaseReview,
    ClockKind,
    PlanAction,
    StrategyClock,
    StrategyDecision,
    StrategyDiscussion,
)
from wrekin.core.calendar import add_working_days, is_working_day
from wrekin.intelligence import actions as disruption
from wrekin.intelligence.demographics import NATIONALITY_NOT_KNOWN
from wrekin.intelligence.models import DisruptionAction, DisruptionKind, DisruptionStatus, NoFurtherActionReason
from wrekin.mace import actions as mace
from wrekin.mace.models import Attendance, MaceAction, MaceAgendaItem, MaceMeeting
from wrekin.missing import actions as missing
from wrekin.missing.models import (
    AlertStatus,
    InterviewOutcome,
    MissingEpisode,
    MissingPatternAlert,
    PatternDecision,
    ReturnInterview,
)
from wrekin.missing.rules import interview_due_at as rules_due
from wrekin.people import actions as people_actions
from wrekin.people.models import (
    Involvement,
    NameKind,
    Person,
    PersonAddress,
    PersonKind,
    PersonName,
    PersonPhone,
    PersonRelationship,
)
from wrekin.referrals import actions as referrals
from wrekin.referrals.models import ConsentStatus, LawfulBasis, Referral, Screening, TriageDecision, TriageOutcome
from wrekin.referrals.rules import UNDER_13_AGE, add_months
from wrekin.synthetic import narratives
from wrekin.synthetic.staff import AGENCIES, DEMO_USERNAMES, SCHOOL_AGENCY_BY_NAME
from wrekin.synthetic.wordlists import LOCALITIES, STREET_STEMS, TAXI_OCCUPATIONS, Locality

# Registered here because only this module writes it; the audit trail's filter lists it once
# `wrekin.audit.vocabulary` registers it too (same description, so registering twice is allowed).
register("synthetic.activity_seeded", "Seeded synthetic casework activity")

DEFAULT_CHILDREN = 150
# The history covers this many days up to today.
HISTORY_DAYS = 270
REVIEW_INTERVAL = timedelta(weeks=12)  # casework and MACE review children every 12 weeks


class ActivityError(Exception):
    """The partnership is not ready for activity, or a step was refused (a bug in the plan)."""


# --- The simulated clock ---------------------------------------------------------------------


class SimulatedClock:
    """While active, `django.utils.timezone.now()` returns `moment` (the real time when it is None).

    Model fields declared with `default=timezone.now` captured the real function when their
    class was built, so they are pointed at this clock too, and put back afterwards.
    """

    def __init__(self) -> None:
        self.moment: datetime | None = None
        self._real_now = timezone.now
        self._fields: list = []

    def now(self) -> datetime:
        return self.moment if self.moment is not None else self._real_now()

    def __enter__(self) -> SimulatedClock:
        self._real_now = timezone.now
        timezone.now = self.now
        for model in apps.get_models():
            for model_field in model._meta.concrete_fields:
                if model_field.default is self._real_now:
                    model_field.default = self.now
                    model_field.__dict__.pop("_get_default", None)  # a cached_property on Field
                    self._fields.append(model_field)
        return self

    def __exit__(self, *exc) -> None:
        timezone.now = self._real_now
        for model_field in self._fields:
            model_field.default = self._real_now
            model_field.__dict__.pop("_get_default", None)
        self._fields = []
        self.moment = None


# --- Words: places, premises, vehicles -------------------------------------------------------

# Letters DVLA uses in the random part of a current-style plate (never I or Q), for the two we pick.
_PLATE_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
# Memory tags of the West Midlands ("V" is the Severn Valley office) and age identifiers.
_MEMORY_TAGS = ("VA", "VE", "VF", "VG", "VH", "VJ", "VK", "VL", "VN", "VO", "VP", "VR", "VU", "VX", "VY",
                "BD", "BF", "BJ", "BK", "BL")
_AGE_IDENTIFIERS = ("08", "58", "10", "60", "12", "62", "14", "64", "15", "65", "17", "67", "18", "68",
                    "19", "69", "21", "71", "23")
_CARS = ("Vauxhall Corsa", "Ford Fiesta", "Volkswagen Golf", "BMW 3 Series", "Audi A3", "Mercedes C-Class",
         "Nissan Qashqai", "Seat Leon", "Ford Focus", "Peugeot 208", "Range Rover Evoque", "Kia Sportage")
_TAXIS = ("Toyota Prius", "Skoda Octavia", "Toyota Corolla", "Kia Niro", "Volkswagen Passat")
_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
_REPORTERS = ("Mother", "Father", "Grandmother", "Aunt", "Stepfather")
_PLATFORMS = ("Snapchat", "Instagram", "TikTok", "WhatsApp")
_CAFES = ("a café in the town centre", "the school's quiet room", "home", "the Open Door office", "the library")


@dataclass(frozen=True)
class Vehicle:
    registration: str
    make_model: str
    colour: str

    @property
    def partial(self) -> str:
        """What a witness often gets: the first part and one letter."""
        return self.registration[:6]

    @property
    def description(self) -> str:
        return f"{self.colour} {self.make_model}"


@dataclass(frozen=True)
class Premises:
    name: str
    kind: str  # "takeaway", "hotel", "taxi firm"
    address: str
    postcode: str

    @property
    def full(self) -> str:
        return f"{self.name}, {self.address}"


def make_registration(rng: random.Random) -> str:
    """A current-style plate that can never be a real vehicle's: a Q among the three random letters."""
    letters = [rng.choice(_PLATE_LETTERS) for _ in range(3)]
    letters[rng.randrange(3)] = "Q"
    return f"{rng.choice(_MEMORY_TAGS)}{rng.choice(_AGE_IDENTIFIERS)} {''.join(letters)}"


def make_postcode(locality: Locality, rng: random.Random) -> str:
    return f"{locality.district} {rng.choice(locality.sectors)}{rng.choice(_UNIT_LETTERS)}{rng.choice(_UNIT_LETTERS)}"


def long_date(day: date) -> str:
    return f"{day:%-d %B %Y}"


# --- Concerns: what referrals say -------------------------------------------------------------
# Each template: (narrative, indicator codes, mentions). A mention is (kind, context key for the
# value, relationship as stated, detail). Narratives say what was seen, never harm in detail.

Template = tuple[str, tuple[str, ...], tuple[tuple[str, str, str, str], ...]]

TARGETED_CONCERNS: dict[str, tuple[Template, ...]] = {
    AgencyType.POLICE: (
        ("{name} was found by officers at {premises} at 23:40 with two older males. One gave his name as "
         "'{nick}'. {name} was returned home. A {car}, registration {plate}, was parked outside and left when "
         "officers arrived.",
         ("missing_repeat", "cars_unknown_adults", "hotels_taxis_takeaways"),
         (("person", "nick", "adult found with the child", "Gave this name to officers"),
          ("vehicle", "plate", "parked where the child was found", "{car}"),
          ("place", "premises_full", "where the child was found", ""))),
        ("Reported missing overnight by {reporter}; found the next morning in {town}, where {name} has no known "
         "links. {name} had a new phone and would not say who bought it. A number saved as '{nick}', {phone}, "
         "called repeatedly while officers were present.",
         ("missing_repeat", "found_out_of_area", "unexplained_items"),
         (("phone", "phone", "called the child repeatedly", "Saved as '{nick}'"),
          ("person", "nick", "name the caller is saved under", ""))),
        ("Stopped near {place} at 22:15. {name} was carrying £{cash} in cash and two phones and said the money "
         "belonged to a friend called '{nick}'. Nothing else was found. Taken home to {reporter_lower}.",
         ("carrying_drugs", "several_phones", "new_offending"),
         (("person", "nick", "said the cash belonged to him", ""),)),
        ("Seen by a patrol getting into a {car}, registration {plate}, outside {premises} at 21:50. The driver "
         "is believed to be the adult known as '{nick}'. {name} was reported missing two hours later.",
         ("cars_unknown_adults", "missing_repeat", "controlling_adult"),
         (("vehicle", "plate", "child was seen getting into", "{car}"),
          ("person", "nick", "believed to be the driver", ""),
          ("place", "premises_full", "where the child was collected", ""))),
    ),
    AgencyType.EDUCATION: (
        ("{name}'s attendance has fallen to {pct}% this term. On {weekday} {name} was collected at the school gate "
         "at lunchtime by an adult man in a {car} ({plate}). {name} told a friend he is a boyfriend called '{nick}' "
         "and is in his twenties.",
         ("school_absence", "controlling_adult", "cars_unknown_adults"),
         (("vehicle", "plate", "child was collected from school in", "{car}"),
          ("person", "nick", "described by the child as boyfriend", "In his twenties"))),
        ("{name} has come to school with new trainers, a new phone and money that the family cannot explain. "
         "Staff have seen {name} leave the site after phone calls from a contact saved as '{nick}'.",
         ("unexplained_items", "several_phones", "school_absence", "changed_behaviour"),
         (("person", "nick", "contact the child leaves school to meet", ""),)),
        ("Friends told the pastoral team that {name} goes to parties at a flat above {premises} where adults give "
         "young people alcohol. {name} has been tired and withdrawn in lessons and has missed mornings.",
         ("adult_parties", "changed_behaviour", "school_absence"),
         (("place", "premises_full", "parties are held above", ""),)),
    ),
    AgencyType.HEALTH: (
        ("{name} attended the emergency department at 01:30 after drinking alcohol. {name} arrived in a taxi from "
         "{taxi_firm} with an adult who left before {name} was seen, and gave his number as {phone}.",
         ("substance_misuse", "hotels_taxis_takeaways", "controlling_adult"),
         (("business", "taxi_firm", "taxi the child arrived in", ""),
          ("phone", "phone", "number given for the adult who brought the child", ""))),
        ("At a school nurse drop-in {name} asked for advice about relationships and said a boyfriend called "
         "'{nick}' is 'older' and picks {name} up from {place}. {name} did not want the family told.",
         ("controlling_adult", "emotional_wellbeing"),
         (("person", "nick", "described by the child as boyfriend", "Older"),)),
        ("{name} missed three health appointments and, when seen, talked about owing money to '{nick}' and feeling "
         "stressed. Low mood noted; CAMHS information given.",
         ("owes_debt", "emotional_wellbeing"),
         (("person", "nick", "child says they owe him money", ""),)),
    ),
    AgencyType.YOUTH_SERVICE: (
        ("Detached youth workers saw {name} at {place} at 21:30 getting into a {car}, registration partly seen as "
         "'{partial}'. Other young people call the driver '{nick}'.",
         ("cars_unknown_adults", "exploited_peers"),
         (("vehicle", "partial", "child got into", "Partial registration; {colour}"),
          ("person", "nick", "name young people use for the driver", ""))),
        ("{name} told a youth worker that someone called '{nick}' gives {name} money to drop things off in {town} "
         "and that {name} is worried about owing him.",
         ("owes_debt", "found_out_of_area", "unexplained_items"),
         (("person", "nick", "gives the child money to deliver things", ""),)),
    ),
    AgencyType.VOLUNTARY: (
        ("At a return home interview {name} said the time away was spent with 'friends' in {town}, and that an "
         "older man called '{nick}' pays for the taxis there. {name} has a contact '{handle}' on {platform} and "
         "will not talk about it.",
         ("missing_repeat", "hotels_taxis_takeaways", "online_contact", "controlling_adult"),
         (("person", "nick", "pays for the child's taxis", ""),
          ("online", "handle", "contact the child will not discuss", "{platform}"))),
    ),
    AgencyType.CHILDRENS_SOCIAL_CARE: (
        ("{reporter} reports that {name} has been staying out until 2am and came home with a new coat and phone. "
         "{reporter} has seen messages from '{nick}' ({phone}) arranging to meet at {premises}.",
         ("unexplained_items", "controlling_adult", "hotels_taxis_takeaways"),
         (("person", "nick", "arranges to meet the child", ""),
          ("phone", "phone", "number the messages came from", ""),
          ("place", "premises_full", "where they arrange to meet", ""))),
    ),
    AgencyType.OTHER: (
        ("The exploitation team has information that {name} is part of a peer group seen with '{nick}' at "
         "{premises}. Two of the group are already known to the team.",
         ("exploited_peers", "hotels_taxis_takeaways"),
         (("person", "nick", "adult seen with the peer group", ""),
          ("place", "premises_full", "where the group is seen", ""))),
    ),
}

GENERAL_CONCERNS: dict[str, tuple[Template, ...]] = {
    AgencyType.POLICE: (
        ("{name} was found at {place} at 23:00 with a group of older teenagers after being reported missing by "
         "{reporter_lower}. No adults of concern were identified.",
         ("missing_repeat", "exploited_peers"),
         ()),
    ),
    AgencyType.EDUCATION: (
        ("{name}'s attendance has fallen to {pct}% this term and {name} has been seen with older students from "
         "another school at {place} during the day.",
         ("school_absence", "exploited_peers"),
         ()),
        ("{name} told a teacher about being messaged by someone called '{handle}' on {platform} who says he is 17 "
         "and wants to meet. The account was shown to the safeguarding lead.",
         ("online_contact",),
         (("online", "handle", "messaged the child", "{platform}"),)),
    ),
    AgencyType.HEALTH: (
        ("{name} has seen the school nurse three times this half-term with low mood and said things are difficult "
         "at home. No information about older adults.",
         ("emotional_wellbeing", "home_adversity"),
         ()),
    ),
    AgencyType.YOUTH_SERVICE: (
        ("{name} has stopped coming to the youth club and has been seen at {place} late in the evening with older "
         "young people the service does not know.",
         ("exploited_peers", "changed_behaviour"),
         ()),
    ),
    AgencyType.VOLUNTARY: (
        ("{name} has fallen out with family and is moving between friends' sofas. {name} says nobody is pressuring "
         "them, but does not always know where they will sleep.",
         ("no_stable_place", "isolated"),
         ()),
    ),
    AgencyType.CHILDRENS_SOCIAL_CARE: (
        ("{reporter} is worried that {name} is on a phone late into the night talking to people {reporter_lower} "
         "does not know, and has been coming home late.",
         ("online_contact", "changed_behaviour"),
         ()),
    ),
    AgencyType.OTHER: (
        ("{name} was mentioned by another young person open to the team as a friend who goes to {place}. Nothing "
         "further is known.",
         ("exploited_peers",),
         ()),
    ),
}

# How a screening rationale names an indicator.
INDICATOR_PHRASES = {
    "school_absence": "is often absent from school",
    "missing_repeat": "has been missing more than once",
    "missing_from_care": "has gone missing from placement",
    "controlling_adult": "has an older 'boyfriend' or adult friend who appears to control them",
    "unexplained_items": "has money, clothes or a phone nobody can explain",
    "cars_unknown_adults": "has been seen getting into cars driven by adults the family does not know",
    "hotels_taxis_takeaways": "has unexplained links with a takeaway, hotel or taxi firm",
    "found_out_of_area": "has been found in a town where they have no reason to be",
    "exploited_peers": "spends time with young people thought to be exploited",
    "adult_parties": "goes to parties where adults give young people alcohol",
    "online_contact": "is in touch online with people they have never met",
    "substance_misuse": "has been drinking in a way that worries the adults around them",
    "several_phones": "has more than one phone",
    "carrying_drugs": "has been found carrying large amounts of cash",
    "owes_debt": "talks of owing money",
    "new_offending": "has been stopped by police with older people",
    "changed_behaviour": "has changed in ways family and staff cannot explain",
    "emotional_wellbeing": "has low mood",
    "home_adversity": "is living with difficulties at home",
    "no_stable_place": "has nowhere stable to stay",
    "isolated": "has fallen out with family",
    "disclosure": "has told a trusted adult they are being made to do things",
    "placed_away": "lives in a placement away from home",
}

GRADE_JUDGEMENTS = {
    "high": "Agencies agree {name} is being exploited now; urgent protective action is needed.",
    "medium": "Clear signs {name} is being targeted; a multi-agency plan is needed.",
    "low": "Some vulnerabilities but no sign of targeting by adults; school and family support are enough for now.",
    "no_risk": "Nothing known suggests exploitation; the concern has been answered.",
}

OVERRIDE_SENTENCES = {
    "under_13": "{name} was under 13 on the screening date, so the grade cannot be below medium.",
    "learning_disability": "{name} has a learning disability, so the grade cannot be below medium.",
    "disclosure": "{name} has made a disclosure, so the grade cannot be below medium.",
}

# Plan actions, by the owner's agency type.
PLAN_ACTIONS: dict[str, tuple[str, ...]] = {
    AgencyType.CHILDRENS_SOCIAL_CARE: (
        "Visit {name} at home every week and see {name} alone",
        "Complete the child and family assessment",
        "Hold a safety planning session with {name} and the family",
        "Agree a curfew and missing-from-home protocol with the family",
    ),
    AgencyType.POLICE: (
        "Check ANPR for {plate} around {place} and report to the lead professional",
        "Assess whether a Child Abduction Warning Notice is needed for the adult known as '{nick}'",
        "Submit intelligence about the {car} seen with {name}",
        "Speak to the family about reporting {name} missing promptly",
        "Visit {premises} with licensing colleagues and speak to the manager",
    ),
    AgencyType.EDUCATION: (
        "Monitor attendance daily and tell the lead professional of any absence by 10am",
        "Agree a trusted adult in school for {name}",
        "Check who collects {name} at the end of the school day",
        "Deliver healthy relationships sessions to {name}'s tutor group",
    ),
    AgencyType.HEALTH: (
        "Offer {name} a school nurse appointment every fortnight",
        "Refer {name} to CAMHS for low mood",
        "Offer a healthy relationships and sexual health session",
        "Share health information with the lead professional before the review",
    ),
    AgencyType.YOUTH_SERVICE: (
        "Weekly one-to-one sessions with {name} on safe relationships",
        "Detached team to visit {place} on Friday evenings",
        "Invite {name} to the Tuesday youth club and arrange transport",
    ),
    AgencyType.VOLUNTARY: (
        "Start weekly exploitation support sessions with {name}",
        "Offer a return home interview after every missing episode",
        "Work with {name} on recognising grooming and online safety",
    ),
    AgencyType.OTHER: (
        "Map {name}'s peer group and associates for MACE",
        "Add {premises} to the partnership's location watch list",
        "Produce a network chart of the adults linked to {name}",
    ),
    AgencyType.LICENSING: (
        "Check whether the {car} is a licensed private hire vehicle",
    ),
}

ACTION_DONE_NOTES = (
    "Done. Update shared with the lead professional.",
    "Completed; nothing new of concern found.",
    "Done and recorded on our own system.",
    "Completed. {name} engaged well.",
)
ACTION_CANCELLED_NOTES = (
    "No longer needed: the plan changed at the review.",
    "Overtaken by the strategy discussion decision.",
)

LEAD_ROLE = "Lead professional"
RISK_RANK = {"low": 0, "medium": 1, "high": 2}
# How likely a child of each age is to be referred about exploitation (relative weights).
AGE_WEIGHTS = {10: 1, 11: 2, 12: 3, 13: 5, 14: 7, 15: 8, 16: 7, 17: 6}
TEAM_ROLES = {
    AgencyType.POLICE: "Police exploitation officer",
    AgencyType.EDUCATION: "Designated safeguarding lead",
    AgencyType.HEALTH: "School nurse",
    AgencyType.YOUTH_SERVICE: "Youth worker",
    AgencyType.VOLUNTARY: "Exploitation support worker",
    AgencyType.OTHER: "Exploitation team",
    AgencyType.CHILDRENS_SOCIAL_CARE: "Social worker",
}


def fill(template: str, context: dict) -> str:
    return template.format(**context) if "{" in template else template


# --- What the database holds ----------------------------------------------------------------


@dataclass
class ChildFacts:
    person: Person
    agencies: list[int]  # agencies with any involvement (the access policy ignores end dates)
    persons_of_concern: list[int]
    council: str  # "wrekin" or "severn"
    town: str
    district: str
    school_agency: str  # agency key of the child's school, if it is a partner

    @property
    def pk(self) -> int:
        return self.person.pk

    @property
    def name(self) -> str:
        """The name a professional writes in a record."""
        return self.person.given_name

    def age_on(self, day: date) -> int | None:
        return self.person.age_on(day)


@dataclass
class PocFacts:
    person: Person
    nickname: str
    phones: list[str]
    agencies: list[int]
    district: str

    @property
    def pk(self) -> int:
        return self.person.pk

    @property
    def is_taxi_driver(self) -> bool:
        return self.person.occupation in TAXI_OCCUPATIONS


class World:
    """The seeded partnership as the planner needs it: agencies, staff, children, persons of concern."""

    def __init__(self, partnership: Partnership):
        self.partnership = partnership
        by_code = {a.code: a for a in Agency.objects.filter(partnership=partnership)}
        missing_agencies = [spec.code for spec in AGENCIES if spec.code not in by_code]
        if missing_agencies:
            raise ActivityError(f"The partnership is missing seeded agencies ({', '.join(missing_agencies)}): "
                                "run `wrekin seed` on an empty database first")
        self.agency = {spec.key: by_code[spec.code] for spec in AGENCIES}
        self.agency_key = {agency.pk: key for key, agency in self.agency.items()}
        users = list(User.objects.filter(membership__agency__partnership=partnership, is_active=True,
                                         membership__is_active=True)
                     .select_related("membership__agency__partnership").order_by("username"))
        self.users = {}
        self.staff: dict[tuple[str, str], list[User]] = {}
        for user in users:
            user._active_membership = user.membership  # what User.active_membership would fetch
            self.users[user.username] = user
            key = self.agency_key.get(user.membership.agency_id)
            if key:
                self.staff.setdefault((key, user.membership.role), []).append(user)
        absent = [name for name in DEMO_USERNAMES if name not in self.users]
        if absent:
            raise ActivityError(f"Demo users are missing ({', '.join(absent)}): run `wrekin seed` first")
        self.instrument = referrals.current_instrument()
        self._load_people()

    def _load_people(self) -> None:
        partnership = self.partnership
        involved: dict[int, list[int]] = {}
        for person_id, agency_id in (Involvement.objects.filter(person__partnership=partnership)
                                     .order_by("pk").values_list("person_id", "agency_id")):
            agencies = involved.setdefault(person_id, [])
            if agency_id not in agencies:
                agencies.append(agency_id)
        connections: dict[int, list[int]] = {}
        for child_id, adult_id in (PersonRelationship.objects
                                   .filter(from_person__partnership=partnership, from_person__kind=PersonKind.CHILD,
                                           to_person__kind=PersonKind.PERSON_OF_CONCERN)
                                   .order_by("pk").values_list("from_person_id", "to_person_id")):
            adults = connections.setdefault(child_id, [])
            if adult_id not in adults:
                adults.append(adult_id)
        places: dict[str, Locality] = {}
        for loc in LOCALITIES:
            places.setdefault(loc.line2 or loc.post_town, loc)
        homes: dict[int, Locality] = {}
        for person_id, line2, town in (PersonAddress.objects.filter(person__partnership=partnership,
                                                                    valid_to__isnull=True)
                                       .order_by("pk").values_list("person_id", "line2", "town")):
            loc = places.get(line2 or town)
            if loc is not None:
                homes.setdefault(person_id, loc)
        csc = {self.agency["csc_wrekin"].pk: "wrekin", self.agency["csc_severn"].pk: "severn"}
        self.children: list[ChildFacts] = []
        # Restricted records and people merged into another record are left alone: the access policy
        # would hide them from most of the staff who act below.
        for person in (Person.objects.filter(partnership=partnership, kind=PersonKind.CHILD, is_restricted=False,
                                             merged_into__isnull=True).order_by("pk")):
            agencies = involved.get(person.pk, [])
            home = homes.get(person.pk, LOCALITIES[0])
            council = next((csc[a] for a in agencies if a in csc), home.council)
            self.children.append(ChildFacts(
                person=person, agencies=agencies, persons_of_concern=connections.get(person.pk, []),
                council=council, town=home.line2 or home.post_town, district=home.district,
                school_agency=SCHOOL_AGENCY_BY_NAME.get(person.school, "")))
        nicknames: dict[int, str] = {}
        for person_id, kind, given in (PersonName.objects.filter(person__partnership=partnership,
                                                                 person__kind=PersonKind.PERSON_OF_CONCERN)
                                       .order_by("pk").values_list("person_id", "kind", "given_name")):
            if kind == NameKind.NICKNAME and given:
                nicknames.setdefault(person_id, given)
        phones: dict[int, list[str]] = {}
        for person_id, number in (PersonPhone.objects.filter(person__partnership=partnership)
                                  .order_by("pk").values_list("person_id", "number")):
            phones.setdefault(person_id, []).append(number)
        self.persons_of_concern: dict[int, PocFacts] = {}
        for person in (Person.objects.filter(partnership=partnership, kind=PersonKind.PERSON_OF_CONCERN,
                                             is_restricted=False, merged_into__isnull=True).order_by("pk")):
            home = homes.get(person.pk)
            self.persons_of_concern[person.pk] = PocFacts(
                person=person, nickname=nicknames.get(person.pk) or person.known_as or person.given_name,
                phones=phones.get(person.pk, []), agencies=involved.get(person.pk, []),
                district=home.district if home else "")

    def practitioners(self, key: str) -> list[User]:
        return self.staff.get((key, Role.PRACTITIONER), [])

    def manager(self, key: str) -> User | None:
        managers = self.staff.get((key, Role.MANAGER), [])
        return managers[0] if managers else None


# --- Refs and steps ---------------------------------------------------------------------------


class Ref:
    """A record a later step needs, filled in when the step that makes it runs."""

    __slots__ = ("obj",)

    def __init__(self) -> None:
        self.obj = None

    @property
    def pk(self) -> int:
        if self.obj is None:
            raise ActivityError("A step ran before the step that makes the record it needs")
        return self.obj.pk


@dataclass(slots=True)
class Step:
    at: datetime
    seq: int
    label: str
    run: Callable[[], object]


@dataclass
class ActionPlan:
    ref: Ref
    owner: User
    created: date
    due: date
    completed: date | None = None
    cancelled: bool = False
    settled: bool = False  # what became of it has been decided (done, cancelled or left open)


@dataclass
class ChildPlan:
    child: ChildFacts
    archetype: str
    context: dict = field(default_factory=dict)
    lead: User | None = None
    case: Ref | None = None
    case_opened: date | None = None
    case_ends: date | None = None  # closure requested on this day: nothing more happens to the case
    team: list[User] = field(default_factory=list)
    actions: list[ActionPlan] = field(default_factory=list)
    severity: str = "medium"
    indicators: list[str] = field(default_factory=list)  # every indicator referrals so far have raised
    referrer_agencies: list[int] = field(default_factory=list)
    episodes: list[tuple[datetime, datetime | None]] = field(default_factory=list)

    @property
    def case_open_at_end(self) -> bool:
        return self.case is not None and self.case_ends is None


# --- Step functions: each calls one real action ---------------------------------------------


def _store(ref: Ref, action: Callable, /, **kwargs) -> None:
    ref.obj = action(**kwargs)


def _referral(ref: Ref, **kwargs) -> None:
    ref.obj = referrals.record_referral(**kwargs)


def _triage(referral: Ref, **kwargs) -> None:
    referrals.triage_referral(referral_id=referral.pk, **kwargs)


def _screening(ref: Ref, *, referral: Ref | None, **kwargs) -> None:
    ref.obj = referrals.record_screening(referral=referral.pk if referral else None, **kwargs)


def _approve(screening: Ref, *, actor) -> None:
    referrals.approve_screening(actor=actor, screening_id=screening.pk)


def _return(screening: Ref, *, actor, reason: str) -> None:
    referrals.return_screening(actor=actor, screening_id=screening.pk, reason=reason)


def _open_case(ref: Ref, **kwargs) -> None:
    ref.obj = casework.open_case(**kwargs)


def _team(case: Ref, **kwargs) -> None:
    casework.add_team_member(case_id=case.pk, **kwargs)


def _risk(case: Ref, *, screening: Ref | None, **kwargs) -> None:
    casework.record_risk_level(case_id=case.pk, screening_id=screening.pk if screening else None, **kwargs)


def _plan_action(ref: Ref, case: Ref, **kwargs) -> None:
    ref.obj = casework.add_plan_action(case_id=case.pk, **kwargs)


def _complete_action(ref: Ref, case: Ref, **kwargs) -> None:
    casework.complete_plan_action(case_id=case.pk, action_id=ref.pk, **kwargs)


def _case_call(action: Callable, case: Ref, /, **kwargs) -> None:
    action(case_id=case.pk, **kwargs)


def _strategy(ref: Ref, case: Ref, **kwargs) -> None:
    ref.obj = casework.record_strategy_discussion(case_id=case.pk, **kwargs)


def _clock_met(discussion: Ref, case: Ref, *, kind: str, **kwargs) -> None:
    clock = StrategyClock.objects.get(discussion_id=discussion.pk, kind=kind)
    casework.mark_clock_met(case_id=case.pk, clock_id=clock.pk, **kwargs)


def _episode(ref: Ref, **kwargs) -> None:
    ref.obj = missing.record_missing_episode(**kwargs)


def _return_home(episode: Ref, **kwargs) -> None:
    missing.record_return(episode=episode.pk, **kwargs)


def _interview(episode: Ref, **kwargs) -> None:
    missing.record_return_interview(episode=episode.pk, **kwargs)


def _pattern_decision(child_id: int, **kwargs) -> None:
    alert = (MissingPatternAlert.objects.filter(child_id=child_id, status=AlertStatus.OPEN)
             .order_by("-updated_at", "-pk").first())
    if alert is None:
        raise ActivityError(f"No open missing-pattern alert for person {child_id}")
    missing.record_pattern_decision(alert=alert.pk, **kwargs)


def _meeting_call(action: Callable, meeting: Ref, /, **kwargs) -> None:
    action(meeting_id=meeting.pk, **kwargs)


def _agenda_item(ref: Ref, meeting: Ref, **kwargs) -> None:
    ref.obj = mace.add_agenda_item(meeting_id=meeting.pk, **kwargs)


def _attendance(meeting: Ref, *, actor, absent: dict[int, str], today: date) -> None:
    attendees = meeting.obj.attendees.order_by("pk")
    mace.record_attendance(actor=actor, meeting_id=meeting.pk, today=today,
                           attendance={a.pk: absent.get(a.user_id, Attendance.ATTENDED) for a in attendees})


def _decision(meeting: Ref, item: Ref, **kwargs) -> None:
    mace.record_decision(meeting_id=meeting.pk, item_id=item.pk, **kwargs)


def _mace_action(ref: Ref, meeting: Ref, item: Ref | None, **kwargs) -> None:
    ref.obj = mace.add_action(meeting_id=meeting.pk, item_id=item.pk if item else None, **kwargs)


def _mace_action_status(ref: Ref, **kwargs) -> None:
    mace.change_action_status(action_id=ref.pk, **kwargs)


def _disruption(ref: Ref, **kwargs) -> None:
    ref.obj = disruption.record_disruption(**kwargs)


def _disruption_update(ref: Ref, **kwargs) -> None:
    disruption.update_disruption(disruption_id=ref.pk, **kwargs)


def _break_glass(ref: Ref, **kwargs) -> None:
    ref.obj = access_actions.break_glass(**kwargs)


def _end_break_glass(ref: Ref, *, actor) -> None:
    access_actions.end_break_glass(actor=actor, grant_id=ref.pk)


def _review_break_glass(ref: Ref, **kwargs) -> None:
    access_actions.review_break_glass(grant_id=ref.pk, **kwargs)


# --- The planner ------------------------------------------------------------------------------

ARCHETYPE_SHARES = (
    # (archetype, share of the children, minimum when there are enough children)
    ("awaiting_triage", 0.04, 2),
    ("awaiting_approval", 0.04, 1),
    ("returned", 0.0, 1),
    ("no_further_action", 0.11, 1),
    ("passed_on", 0.04, 1),
    ("screened", 0.20, 2),
)
REFERRER_WEIGHTS = {
    "police": 30, "school_coalport": 22, "school_severn_gorge": 22, "school_kilnbank": 22,
    "school_castle_ward": 22, "health_community": 10, "health_hospitals": 5, "youth": 8, "voluntary": 7,
    "csc_wrekin": 10, "csc_severn": 10, "exploitation_team": 4,
}
DEMO_FOR_AGENCY = {"police": "sarah", "csc_wrekin": "amir", "health_community": "zofia",
                   "school_coalport": "gemma", "youth": "tom", "voluntary": "joy", "licensing": "liam"}
PASS_ON_REASONS = {
    "youth": "Needs early help rather than exploitation screening: passed to the youth service for one-to-one "
             "work on friendships and staying safe.",
    "voluntary": "No adults of concern identified; passed to the Open Door project for support with the family "
                 "breakdown.",
    "health_community": "The concern is about low mood: passed to the school nursing team to offer support.",
}
NFA_REASONS = (
    "A single low-level concern with no exploitation indicators; the school will keep monitoring and refer "
    "again if anything new happens.",
    "Already answered: the family have explained the new phone and police checks found nothing of concern.",
    "The adult named is a relative known to children's social care; no exploitation concern. Family support "
    "already in place.",
)


class Planner:
    def __init__(self, world: World, *, rng: random.Random, now: datetime):
        self.world = world
        self.rng = rng
        self.now = now
        self.today = timezone.localdate(now)
        self.start = self.today - timedelta(days=HISTORY_DAYS)
        # Nothing is dated after this: a record "from the future" would fail its own action's checks.
        self.latest = now - timedelta(minutes=5)
        self.steps: list[Step] = []
        self._seq = itertools.count()
        # child id -> agency id -> the moment that agency could first see the child (planner's view).
        self.seen: dict[int, dict[int, datetime]] = {}
        self.plans: list[ChildPlan] = []
        self.vehicles: dict[int, Vehicle] = {}
        self.premises: dict[str, list[Premises]] = {}
        self.handles: dict[int, str] = {}
        self.police_refs = itertools.count(4100)  # police missing-person reference numbers

    # --- small helpers ------------------------------------------------------------------------

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def user(self, username: str) -> User:
        return self.world.users[username]

    def at(self, day: date, hour: int, minute: int | None = None) -> datetime:
        minute = self.rng.randrange(60) if minute is None else minute
        return timezone.make_aware(datetime.combine(day, time(hour % 24, minute)))

    def work_moment(self, day: date, earliest: int = 9, latest: int = 16) -> datetime:
        return self.at(day, self.rng.randint(earliest, latest))

    def add(self, at: datetime, label: str, run: Callable, /, *args, **kwargs) -> datetime:
        at = min(at, self.latest)
        self.steps.append(Step(at, next(self._seq), label, functools.partial(run, *args, **kwargs)))
        return at

    def workday(self, day: date) -> date:
        """The working day on or before `day`."""
        while not is_working_day(day):
            day -= timedelta(days=1)
        return day

    def workdays_ago(self, n: int) -> date:
        day = self.workday(self.today)
        for _ in range(n):
            day = self.workday(day - timedelta(days=1))
        return day

    def add_workdays(self, day: date, n: int) -> date:
        return add_working_days(day, n)

    def last_work_moment(self) -> datetime:
        """A moment on the most recent working day that has already had office hours."""
        day = self.workday(self.today)
        if day == self.today and timezone.localtime(self.now).hour < 11:
            day = self.workdays_ago(1)
        return self.at(day, 9, self.rng.randrange(60))

    def pick(self, key: str, *, demo_share: float = 0.55) -> User:
        demo = DEMO_FOR_AGENCY.get(key)
        staff = self.world.practitioners(key)
        if demo and self.chance(demo_share):
            return self.user(demo)
        others = [u for u in staff if u.username != demo] or staff
        return self.rng.choice(others)

    def manager_for(self, council: str) -> User:
        return self.world.manager(f"csc_{council}") or self.user("rachel")

    # --- visibility, as the access policy will see it ------------------------------------------

    def involve(self, child: ChildFacts, agency: Agency | int, moment: datetime) -> None:
        agency_id = getattr(agency, "pk", agency)
        known = self.seen.setdefault(child.pk, {})
        if agency_id not in known or known[agency_id] > moment:
            known[agency_id] = moment

    def sees(self, agency: Agency, child: ChildFacts, moment: datetime) -> bool:
        since = self.seen.get(child.pk, {}).get(agency.pk)
        return since is not None and since < moment

    def user_sees(self, user: User, child: ChildFacts, moment: datetime) -> bool:
        if user.membership.role in (Role.COORDINATOR, Role.ANALYST):
            return True
        return self.sees(user.membership.agency, child, moment)

    def agency(self, key: str) -> Agency:
        return self.world.agency[key]

    # --- context: the adults, cars, places and numbers in a child's story -----------------------

    def premises_for(self, district: str) -> list[Premises]:
        if district not in self.premises:
            rng = self.rng
            localities = [loc for loc in LOCALITIES if loc.district == district] or [LOCALITIES[0]]
            made = []
            for kind, names in (("takeaway", ("Grill", "Pizza and Kebab House", "Fried Chicken")),
                                ("hotel", ("Lodge Hotel", "Court Hotel", "Inn")),
                                ("taxi firm", ("Private Hire", "Cars", "Taxis"))):
                loc = rng.choice(localities)
                stem = rng.choice(STREET_STEMS)
                street = f"{rng.choice(STREET_STEMS)} {rng.choice(('Street', 'Road', 'Parade', 'Square'))}"
                made.append(Premises(f"{stem} {rng.choice(names)}", kind,
                                     f"{rng.randint(1, 120)} {street}, {loc.line2 or loc.post_town}",
                                     make_postcode(loc, rng)))
            self.premises[district] = made
        return self.premises[district]

    def vehicle_of(self, poc_id: int | None) -> Vehicle:
        key = poc_id or -len(self.vehicles) - 1
        if key not in self.vehicles:
            poc = self.world.persons_of_concern.get(poc_id) if poc_id else None
            cars = _TAXIS if poc is not None and poc.is_taxi_driver else _CARS
            self.vehicles[key] = Vehicle(make_registration(self.rng), self.rng.choice(cars),
                                         self.rng.choice(narratives.COLOURS))
        return self.vehicles[key]

    def context_for(self, child: ChildFacts) -> dict:
        rng = self.rng
        poc_id = child.persons_of_concern[0] if child.persons_of_concern else None
        poc = self.world.persons_of_concern.get(poc_id) if poc_id else None
        district = (poc.district if poc and poc.district else child.district)
        takeaway, hotel, taxi = self.premises_for(district)
        premises = rng.choice((takeaway, hotel))
        vehicle = self.vehicle_of(poc_id)
        nick = poc.nickname if poc else rng.choice(("Jay", "Ace", "Smokey", "Red"))
        handle_key = poc_id or -child.pk  # one handle per adult, so referrals about the same adult agree
        if handle_key not in self.handles:
            self.handles[handle_key] = f"@{nick.lower().replace(' ', '')}_{rng.randint(10, 99)}"
        # The adult's own seeded number, so agencies' referrals join up; none if nobody has recorded one
        # (a made-up number would be somebody else's: the seed hands out every drama number).
        phone = poc.phones[0] if poc and poc.phones else ""
        reporter = rng.choice(_REPORTERS)
        towns = sorted({(loc.line2 or loc.post_town) for loc in LOCALITIES if loc.district != child.district})
        return {
            "name": child.name, "poc": poc_id, "nick": nick,
            "phone": "0" + phone[3:7] + " " + phone[7:] if phone.startswith("+44") else phone,
            "plate": vehicle.registration, "partial": vehicle.partial, "car": vehicle.description,
            "colour": vehicle.colour, "premises": premises.name, "premises_full": premises.full,
            "premises_postcode": premises.postcode, "premises_kind": premises.kind, "taxi_firm": taxi.name,
            "hotel": hotel.full, "hotel_postcode": hotel.postcode,
            "place": rng.choice(narratives.PLACES), "town": rng.choice(towns),
            "handle": self.handles[handle_key], "platform": rng.choice(_PLATFORMS),
            "reporter": reporter, "reporter_lower": reporter.lower(), "cash": rng.choice((180, 240, 320, 450)),
            "pct": rng.choice((58, 64, 71, 76, 82)),
            "weekday": rng.choice(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")),
        }

    def concern(self, plan: ChildPlan, agency_type: str, *, targeted: bool) -> tuple[str, list[str], list[dict]]:
        library = TARGETED_CONCERNS if targeted else GENERAL_CONCERNS
        context = plan.context
        options = library.get(agency_type) or library[AgencyType.OTHER]
        if not context["phone"]:
            options = tuple(o for o in options if "{phone}" not in o[0]) or library[AgencyType.OTHER]
        text, codes, mention_specs = self.rng.choice(options)
        narrative = fill(text, context)
        known = self.world.instrument.indicator_map
        indicators = [code for code in codes if code in known]
        mentions = [{"kind": kind, "value": str(context[key]), "relationship": relationship,
                     "detail": fill(detail, context)}
                    for kind, key, relationship, detail in mention_specs]
        return narrative, indicators, mentions

    # --- referrals, triage and screening ------------------------------------------------------

    def referrer_for(self, plan: ChildPlan, moment: datetime) -> User:
        """A practitioner of an agency that can already see the child (a referral is about a child you know)."""
        child = plan.child
        options = [key for key in REFERRER_WEIGHTS
                   if self.world.practitioners(key) and self.sees(self.agency(key), child, moment)]
        if not options:
            return self.user("priya")  # the coordinator sees every child in the partnership
        key = self.rng.choices(options, weights=[REFERRER_WEIGHTS[k] for k in options], k=1)[0]
        return self.pick(key)

    def referral(self, plan: ChildPlan, day: date, *, targeted: bool | None = None,
                 moment: datetime | None = None) -> Ref:
        moment = moment or self.work_moment(day)
        actor = self.referrer_for(plan, moment)
        agency_type = actor.membership.agency.type
        if targeted is None:
            targeted = bool(plan.child.persons_of_concern)
        narrative, indicators, mentions = self.concern(plan, agency_type, targeted=targeted)
        for code in indicators:
            if code not in plan.indicators:
                plan.indicators.append(code)
        plan.referrer_agencies.append(actor.membership.agency_id)
        roll = self.rng.random()
        if roll < 0.25:
            consent, reason = ConsentStatus.GIVEN, ""
        elif roll < 0.85:
            consent, reason = ConsentStatus.NOT_SOUGHT, ("Asking would alert the adults involved and could put "
                                                         f"{plan.child.name} at greater risk.")
        else:
            consent, reason = ConsentStatus.REFUSED, ("The family refused; shared without consent because there "
                                                      "is reasonable cause to suspect significant harm.")
        ref = Ref()
        occurred = max(self.start, day - timedelta(days=self.rng.randint(0, 4)))
        self.add(moment, f"referral about person {plan.child.pk}", _referral, ref, actor=actor, child=plan.child.pk,
                 occurred_on=occurred, narrative=narrative, indicators=indicators, mentions=mentions,
                 lawful_basis=LawfulBasis.PUBLIC_TASK, consent_status=consent, consent_reason=reason, today=day)
        self.involve(plan.child, actor.membership.agency, moment)
        return ref

    def triage(self, plan: ChildPlan, referral: Ref, day: date, outcome: str, *, triager: User | None = None,
               reason: str = "", passed_to: str = "") -> datetime:
        child = plan.child
        moment = self.work_moment(day, 9, 12)
        if triager is None:
            csc = self.agency(f"csc_{child.council}")
            # The coordinator triages only children the council's social care already knows, so the
            # social worker who screens next can see the child; otherwise the duty manager does.
            use_coordinator = self.sees(csc, child, moment) and self.chance(0.4)
            triager = self.user("priya") if use_coordinator else self.manager_for(child.council)
        kwargs = {"actor": triager, "outcome": outcome, "reason": reason, "today": day}
        if passed_to:
            kwargs["passed_to_agency"] = self.agency(passed_to).pk
            self.involve(child, self.agency(passed_to), moment)
        self.add(moment, f"triage of a referral about person {child.pk}", _triage, referral, **kwargs)
        if outcome == TriageOutcome.SCREEN:
            self.involve(child, triager.membership.agency, moment)
        return moment

    def screener_for(self, child: ChildFacts, *, amir_share: float = 0.45) -> User:
        key = f"csc_{child.council}"
        if key == "csc_wrekin":
            return self.pick(key, demo_share=amir_share)
        return self.rng.choice(self.world.practitioners(key))

    def floor_rules(self, child: ChildFacts, day: date, learning_disability: bool, disclosure: bool) -> list[str]:
        rules = []
        age = child.age_on(day)
        if age is not None and age < UNDER_13_AGE:
            rules.append("under_13")
        if learning_disability:
            rules.append("learning_disability")
        if disclosure:
            rules.append("disclosure")
        return rules

    def learning_disability(self, child: ChildFacts) -> bool:
        person = child.person
        return person.disability == "yes" and person.special_educational_needs == "E"

    def answers(self, plan: ChildPlan, day: date, *, disclosure: bool, fading: bool) -> dict:
        """One answer per indicator: what the referrals raised is present, a few things possible."""
        rng = self.rng
        instrument = self.world.instrument
        source = plan.referrer_agencies[0] if plan.referrer_agencies else None
        recent = plan.indicators[-4:]
        answers = {}
        person = plan.child.person
        for indicator in instrument.indicators:
            code = indicator["code"]
            answer = {"answer": "not_present"}
            if code in plan.indicators:
                window = "last_3_months" if code in recent and not fading else "last_6_months"
                answer = {"answer": "present" if not fading or code in recent[-1:] else "possible", "window": window,
                          "basis": "evidence" if indicator["category"] != "vulnerability" and rng.random() < 0.6
                          else "professional_concern",
                          "source_agency_id": source}
            elif code == "disclosure" and disclosure:
                answer = {"answer": "present", "window": "last_3_months", "basis": "evidence",
                          "note": f"Disclosed to a trusted adult ({long_date(day - timedelta(days=3))})."}
            elif code == "placed_away" and person.placed_out_of_area:
                answer = {"answer": "present", "window": "last_6_months", "basis": "evidence"}
            elif ((code == "missing_from_care" and person.looked_after and plan.episodes)
                  or (code == "missing_repeat" and len(plan.episodes) >= 2)):
                answer = {"answer": "present", "window": "last_3_months", "basis": "evidence"}
            elif indicator["category"] == "vulnerability" and rng.random() < 0.15:
                answer = {"answer": "possible", "window": rng.choice(("last_6_months", "historic")),
                          "basis": "professional_concern"}
            elif rng.random() < 0.08:
                answer = {"answer": "not_known"}
            answers[code] = answer
        return answers

    def rationale(self, plan: ChildPlan, grade: str, answers: dict, rules: list[str]) -> str:
        name = plan.child.name
        present = [code for code, a in answers.items() if a["answer"] == "present" and code in INDICATOR_PHRASES]
        parts = []
        if present:
            phrases = [INDICATOR_PHRASES[code] for code in present[:3]]
            listed = phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]
            parts.append(f"{name} {listed}.")
        else:
            parts.append(f"No indicators are present for {name} now.")
        if plan.context.get("poc") and grade in ("medium", "high"):
            parts.append(f"The adult known as '{plan.context['nick']}' is named by more than one agency.")
        parts.append(GRADE_JUDGEMENTS[grade].format(name=name))
        parts.extend(OVERRIDE_SENTENCES[rule].format(name=name) for rule in rules)
        return " ".join(parts)

    def screening(self, plan: ChildPlan, day: date, screener: User, grade: str, *, referral: Ref | None = None,
                  disclosure: bool = False, fading: bool = False, moment: datetime | None = None) -> tuple[Ref, str]:
        child = plan.child
        learning_disability = self.learning_disability(child)
        rules = self.floor_rules(child, day, learning_disability, disclosure)
        if rules and grade in ("no_risk", "low"):
            grade = "medium"  # the override rules: never below medium for these children
        answers = self.answers(plan, day, disclosure=disclosure, fading=fading)
        ref = Ref()
        moment = moment or self.work_moment(day, 10, 16)
        self.add(moment, f"screening of person {child.pk}", _screening, ref, referral=referral, actor=screener,
                 child=child.pk, answers=answers, grade=grade, rationale=self.rationale(plan, grade, answers, rules),
                 learning_disability=learning_disability, today=day)
        self.involve(child, screener.membership.agency, moment)
        return ref, grade

    def approval(self, plan: ChildPlan, screening: Ref, screener: User, day: date) -> None:
        approver = self.world.manager(self.world.agency_key[screener.membership.agency_id])
        if approver is None or approver.pk == screener.pk:
            approver = self.manager_for(plan.child.council)
        self.add(self.work_moment(day, 9, 17), f"approval of a screening of person {plan.child.pk}", _approve,
                 screening, actor=approver)

    # --- archetypes -----------------------------------------------------------------------------

    def plan_no_further_action(self, plan: ChildPlan) -> None:
        day = self.workday(self.start + timedelta(days=self.rng.randint(5, HISTORY_DAYS - 10)))
        referral = self.referral(plan, day, targeted=False)
        triager = self.user("priya") if self.chance(0.5) else self.manager_for(plan.child.council)
        self.triage(plan, referral, self.add_workdays(day, 1), TriageOutcome.NO_FURTHER_ACTION, triager=triager,
                    reason=self.rng.choice(NFA_REASONS))

    def plan_passed_on(self, plan: ChildPlan) -> None:
        day = self.workday(self.start + timedelta(days=self.rng.randint(5, HISTORY_DAYS - 10)))
        referral = self.referral(plan, day, targeted=False)
        target = self.rng.choice(sorted(PASS_ON_REASONS))
        self.triage(plan, referral, self.add_workdays(day, 1), TriageOutcome.PASS_ON,
                    triager=self.manager_for(plan.child.council), reason=PASS_ON_REASONS[target], passed_to=target)

    def plan_awaiting_triage(self, plan: ChildPlan, *, overdue: bool) -> None:
        """A referral nobody has triaged yet: received this morning or yesterday (one is three days old)."""
        if overdue:
            day = self.workdays_ago(3)
            moment = self.work_moment(day)
        else:
            moment = self.last_work_moment() + timedelta(minutes=self.rng.randint(0, 90))
            day = timezone.localdate(moment)
        self.referral(plan, day, moment=moment)

    def first_screening(self, plan: ChildPlan, day: date, grade: str, *,
                        screener: User | None = None) -> tuple[Ref, str, User, date]:
        """Referral, triage for screening, screening and a manager's approval, from `day` on."""
        referral = self.referral(plan, day)
        self.triage(plan, referral, self.add_workdays(day, 1), TriageOutcome.SCREEN)
        screened_on = self.add_workdays(day, self.rng.randint(2, 5))
        screener = screener or self.screener_for(plan.child)
        screening, grade = self.screening(plan, screened_on, screener, grade, referral=referral)
        approved_on = self.add_workdays(screened_on, self.rng.randint(1, 2))
        self.approval(plan, screening, screener, approved_on)
        return screening, grade, screener, approved_on

    def rescreen(self, plan: ChildPlan, day: date, grade: str, screener: User, *, fading: bool = False) -> str:
        screening, grade = self.screening(plan, day, screener, grade, fading=fading)
        self.approval(plan, screening, screener, self.add_workdays(day, 1))
        return grade

    def plan_screened(self, plan: ChildPlan) -> None:
        rng = self.rng
        day = self.workday(self.start + timedelta(days=rng.randint(5, HISTORY_DAYS - 25)))
        grade = rng.choice(("low", "low", "no_risk"))
        _, grade, screener, approved_on = self.first_screening(plan, day, grade)
        screened_on = approved_on
        # Reviews every three months, until the latest is recent; one in ten is left overdue.
        next_review = add_months(screened_on, 3)
        while next_review < self.today - timedelta(days=rng.randint(0, 4)):
            if self.chance(0.1) and next_review >= self.today - timedelta(days=45):
                break  # this review has not been done yet: overdue by a few weeks at most
            review_day = self.workday(next_review - timedelta(days=rng.randint(0, 6)))
            if rng.random() < 0.5 and plan.child.persons_of_concern:
                # New information first: another agency refers, which flags the child for re-screening.
                info_day = self.workday(review_day - timedelta(days=rng.randint(8, 20)))
                new = self.referral(plan, info_day)
                self.triage(plan, new, self.add_workdays(info_day, 1), TriageOutcome.SCREEN)
            grade = self.rescreen(plan, review_day, rng.choice(("low", "no_risk")), screener, fading=True)
            next_review = add_months(review_day, 3)
        if plan.child.persons_of_concern and self.chance(0.35):
            # Something new in the last fortnight: triaged for screening, so the child is flagged for re-screening.
            info_day = self.workdays_ago(rng.randint(3, 9))
            info = self.referral(plan, info_day)
            self.triage(plan, info, self.add_workdays(info_day, 1), TriageOutcome.SCREEN)

    def plan_awaiting_approval(self, plan: ChildPlan) -> None:
        day = self.workdays_ago(self.rng.randint(5, 9))
        referral = self.referral(plan, day)
        self.triage(plan, referral, self.add_workdays(day, 1), TriageOutcome.SCREEN,
                    triager=self.manager_for(plan.child.council))
        screened_on = self.workdays_ago(self.rng.randint(1, 3))
        screener = self.screener_for(plan.child, amir_share=0.6)
        self.screening(plan, screened_on, screener, self.rng.choice(("medium", "medium", "low", "high")),
                       referral=referral)

    def plan_returned(self, plan: ChildPlan) -> None:
        day = self.workdays_ago(9)
        referral = self.referral(plan, day)
        manager = self.manager_for(plan.child.council)
        self.triage(plan, referral, self.add_workdays(day, 1), TriageOutcome.SCREEN, triager=manager)
        screener = self.user("amir") if plan.child.council == "wrekin" else self.screener_for(plan.child)
        screening, grade = self.screening(plan, self.workdays_ago(4), screener, "low", referral=referral)
        reason = ("Please add the police information about the car seen outside school and look again at the grade: "
                  "three risk indicators are answered present, which does not fit 'low'.")
        self.add(self.work_moment(self.workdays_ago(2), 9, 12), f"return of a screening of person {plan.child.pk}",
                 _return, screening, actor=manager, reason=reason)

    # --- cases ----------------------------------------------------------------------------------

    def choose_team(self, plan: ChildPlan, needs_police: bool) -> list[tuple[User, str]]:
        child = plan.child
        rng = self.rng
        shares = self.team_shares
        team: list[tuple[User, str]] = []
        if needs_police or self.chance(0.75):
            team.append((self.pick("police", demo_share=shares["sarah"]), TEAM_ROLES[AgencyType.POLICE]))
        if child.school_agency and self.chance(0.85):
            user = self.pick(child.school_agency, demo_share=shares["gemma"])
            team.append((user, TEAM_ROLES[AgencyType.EDUCATION]))
        if self.chance(0.45):
            team.append((self.pick("health_community", demo_share=shares["zofia"]), TEAM_ROLES[AgencyType.HEALTH]))
        if self.chance(0.4):
            team.append((self.pick("youth", demo_share=shares["tom"]), TEAM_ROLES[AgencyType.YOUTH_SERVICE]))
        if self.chance(0.55):
            user = self.pick("voluntary", demo_share=shares["joy"])
            team.append((user, "Return home interview worker" if user.username == "joy"
                         else TEAM_ROLES[AgencyType.VOLUNTARY]))
        if self.chance(shares["priya"]):
            team.append((self.user("priya"), "Exploitation coordinator"))
        elif self.chance(0.15):
            team.append((rng.choice(self.world.practitioners("exploitation_team")), "Partnership officer"))
        if plan.severity == "high" and self.chance(shares["david"]):
            team.append((self.user("david"), "Intelligence analyst"))
        return team

    def action_text(self, plan: ChildPlan, owner: User) -> str:
        options = PLAN_ACTIONS.get(owner.membership.agency.type) or PLAN_ACTIONS[AgencyType.OTHER]
        if owner.membership.agency.type == AgencyType.CHILDRENS_SOCIAL_CARE and plan.child.person.looked_after:
            options = (*options, "Arrange a placement stability meeting with the carers")
        if owner.membership.role == Role.ANALYST:
            options = ("Produce a network chart of the adults linked to {name}",
                       "Check {plate} and the adult known as '{nick}' against intelligence holdings")
        return fill(self.rng.choice(options), plan.context)

    def add_actions(self, plan: ChildPlan, day: date, count: int, *, soonest: int = 10, longest: int = 56) -> None:
        owners = [plan.lead, *plan.team]
        moment = self.work_moment(day, 13, 16)
        for _ in range(count):
            owner = self.rng.choice(owners)
            due = day + timedelta(days=self.rng.randint(soonest, longest))
            ref = Ref()
            self.add(moment, f"plan action for person {plan.child.pk}", _plan_action, ref, plan.case,
                     actor=plan.lead, description=self.action_text(plan, owner), owner_id=owner.pk, due_on=due,
                     today=day)
            plan.actions.append(ActionPlan(ref, owner, day, due))
            moment += timedelta(minutes=3)

    def done_between(self, action: ActionPlan, latest: date) -> date:
        """A day after the action was set (a week at least, when there is room) and no later than `latest`."""
        earliest = min(action.created + timedelta(days=7), latest)
        earliest = max(earliest, action.created + timedelta(days=1))
        if latest < earliest:
            latest = earliest
        return earliest + timedelta(days=self.rng.randint(0, (latest - earliest).days))

    def settle_actions(self, plan: ChildPlan, until: date, *, close_all: bool = False, final: bool = False) -> None:
        """Decide what became of each action due by `until`: done (mostly on time), cancelled, or left overdue.

        With `close_all` (before a closure) every open action is done or cancelled by `until`.
        With `final` (the case is still open today) actions not yet due may have been done early.
        """
        yesterday = self.today - timedelta(days=1)
        for action in plan.actions:
            if action.completed is not None or (action.settled and not close_all):
                continue
            limit = min(until, yesterday)
            if close_all:  # an action left overdue is finally done (or cancelled) before closure too
                action.settled = True
                action.cancelled = action.due > limit and self.chance(0.5)
                action.completed = self.done_between(action, min(limit, action.due + timedelta(days=3)))
                continue
            if action.due <= until:
                action.settled = True
                if action.due < self.today and action.due >= self.today - timedelta(days=40) and self.chance(0.2):
                    continue  # never done: overdue on the owner's work list
                late = timedelta(days=self.rng.choice((0, 0, 0, 2, 6)))
                action.completed = self.done_between(action, min(action.due + late, limit))
            elif final:
                action.settled = True
                if self.chance(0.25) and action.created + timedelta(days=2) <= yesterday:
                    action.completed = self.done_between(action, yesterday)

    def schedule_completions(self, plan: ChildPlan) -> None:
        for action in plan.actions:
            if action.completed is None:
                continue
            day = action.completed
            moment = self.work_moment(day, 15, 17)
            status = "cancelled" if action.cancelled else "done"
            note = fill(self.rng.choice(ACTION_CANCELLED_NOTES if action.cancelled else ACTION_DONE_NOTES),
                        plan.context)
            actor = action.owner if self.user_sees(action.owner, plan.child, moment) else plan.lead
            self.add(moment, f"plan action done for person {plan.child.pk}", _complete_action, action.ref, plan.case,
                     actor=actor, status=status, note=note, completed_on=day, today=day)

    def plan_case(self, plan: ChildPlan, flags: set[str]) -> None:
        rng = self.rng
        child = plan.child
        # Cases that must still be open with recent events start early enough for a full cycle.
        earliest_open = 100 if flags & {"closed"} else 25
        start_offset = rng.randint(earliest_open + 20, HISTORY_DAYS - 5)
        if flags & {"strategy_overdue", "strategy_due", "strategy_running", "pattern_open"}:
            start_offset = max(start_offset, 60)
        day = self.workday(self.today - timedelta(days=start_offset))
        grade = plan.severity
        screener = self.screener_for(child, amir_share=self.team_shares["amir"])
        screening, grade, screener, approved_on = self.first_screening(plan, day, grade, screener=screener)
        plan.severity = grade if grade in ("medium", "high") else "medium"
        plan.lead = screener
        opened = self.add_workdays(approved_on, rng.randint(0, 2))
        opener = self.manager_for(child.council) if self.chance(0.6) else plan.lead
        plan.case = Ref()
        plan.case_opened = opened
        moment = self.work_moment(opened, 10, 11)
        reason = fill(self.rng.choice((
            "Screening graded {grade}: {name} is being targeted and needs a multi-agency plan.",
            "Screening graded {grade} after the referral about the {car} and the adult known as '{nick}'.",
            "Exploitation screening graded {grade}; missing episodes and older associates.",
        )), {**plan.context, "grade": grade})
        self.add(moment, f"case opened for person {child.pk}", _open_case, plan.case, actor=opener,
                 person_id=child.pk, reason=reason, lead_professional_id=plan.lead.pk, today=opened)
        self.involve(child, plan.lead.membership.agency, moment)
        needs_police = bool(flags & {"missing", "pattern_open", "pattern_decided", "missing_now", "interview_due",
                                     "interview_overdue"})
        moment += timedelta(minutes=20)
        for user, role in self.choose_team(plan, needs_police):
            if any(member.pk == user.pk for member in [plan.lead, *plan.team]):
                continue
            self.add(moment, f"team member for person {child.pk}", _team, plan.case, actor=plan.lead,
                     user_id=user.pk, role_in_team=role, today=opened)
            self.involve(child, user.membership.agency, moment)
            plan.team.append(user)
            moment += timedelta(minutes=2)
        level = "high" if grade == "high" else "medium"
        self.add(moment + timedelta(minutes=10), f"risk level for person {child.pk}", _risk, plan.case,
                 screening=screening, actor=plan.lead, level=level,
                 rationale=f"As graded at screening: {GRADE_JUDGEMENTS[grade].format(name=child.name)}",
                 basis=f"Screening of {long_date(timezone.localdate(moment))}",
                 now=moment + timedelta(minutes=10))
        self.add_actions(plan, opened, rng.randint(3, 5), soonest=10, longest=42)
        agreed = self.add_workdays(opened, rng.randint(1, 4))
        if agreed < self.today:
            self.add(self.work_moment(agreed, 10, 12), f"plan agreed for person {child.pk}", _case_call,
                     casework.agree_plan, plan.case, actor=plan.lead, agreed_on=agreed, today=agreed)

        # When the case closes (or closure is asked for), if it does: decided now, so the missing
        # episodes and reviews below know how long the case runs.
        closing_day = None
        if "closed" in flags:
            closing_day = self.workday(self.today - timedelta(days=rng.randint(12, 60)))
        if "closure_pending" in flags:
            closing_day = self.workdays_ago(rng.randint(1, 3))
        plan.case_ends = closing_day
        self.plan_missing(plan, flags)

        # Review cycles: every 12 weeks, re-screen, review, reset the plan.
        review_due = opened + REVIEW_INTERVAL
        previous_review = opened
        level_now = level
        while review_due <= self.today + timedelta(days=3):
            held = self.workday(review_due - timedelta(days=rng.randint(0, 6)))
            if held >= self.today or (closing_day and held >= closing_day - timedelta(days=5)):
                break
            if "overdue_review" in flags and review_due + REVIEW_INTERVAL > self.today:
                break  # the last review was never held: it shows as overdue
            if self.chance(0.45) and held - previous_review > timedelta(days=30):
                # Another agency tells the partnership something new between reviews.
                info_day = self.workday(previous_review + timedelta(days=rng.randint(12, (held - previous_review).days
                                                                                     - 12)))
                info = self.referral(plan, info_day)
                self.triage(plan, info, self.add_workdays(info_day, 1), TriageOutcome.SCREEN)
            self.settle_actions(plan, held)
            episodes = sum(1 for reported, _ in plan.episodes
                           if previous_review < timezone.localdate(reported) <= held)
            easing = closing_day is not None or (episodes == 0 and self.chance(0.6))
            new_grade = ("medium" if level_now == "high" else "low") if easing else level_now
            rescreened = self.rescreen(plan, self.workday(held - timedelta(days=2)), new_grade, plan.lead,
                                       fading=easing)
            new_level = {"high": "high", "medium": "medium", "low": "low", "no_risk": "low"}[rescreened]
            if new_level == "low" and (child.age_on(held) or 0) < UNDER_13_AGE:
                new_level = "medium"
            review_moment = self.work_moment(held, 10, 12)
            if episodes:
                summary = (f"Review with the team. {child.name} has been missing {episodes} "
                           f"time{'s' if episodes != 1 else ''} since the last review; "
                           + fill(rng.choice((
                               "the adult known as '{nick}' was named again. Risk remains; new actions agreed.",
                               "return home interviews were offered each time. Plan updated.",
                           )), plan.context))
            else:
                summary = fill(rng.choice((
                    "Review with police, school and health. No missing episodes since the last review and "
                    "attendance is improving. Plan updated.",
                    "Review held with the family. {name} is engaging with the support worker and has had no missing "
                    "episodes. Actions carried forward.",
                    "Review held. The {car} was seen near school twice; {name} says contact with '{nick}' has "
                    "stopped. Plan updated.",
                )), plan.context)
            self.add(review_moment, f"case review for person {child.pk}", _case_call, casework.record_review,
                     plan.case, actor=plan.lead, held_on=held, summary=summary, today=held)
            if new_level != level_now:
                self.add(review_moment + timedelta(minutes=15), f"risk level for person {child.pk}", _risk,
                         plan.case, screening=None, actor=plan.lead, level=new_level,
                         rationale=f"Agreed at the review of {long_date(held)}: "
                                   + ("risk has reduced." if RISK_RANK[new_level] < RISK_RANK[level_now]
                                      else "risk has increased."),
                         basis=f"Case review of {long_date(held)}", now=review_moment + timedelta(minutes=15))
                level_now = new_level
            self.add_actions(plan, held, rng.randint(1, 3), soonest=14, longest=60)
            previous_review = held
            review_due = held + REVIEW_INTERVAL

        if closing_day is not None:
            self.settle_actions(plan, closing_day - timedelta(days=1))
            self.settle_actions(plan, closing_day - timedelta(days=1), close_all=True)
            # The screening that supports stepping down: low, unless the override rules forbid it.
            self.rescreen(plan, self.workday(closing_day - timedelta(days=4)), "low", plan.lead, fading=True)
            request_moment = self.work_moment(closing_day, 10, 12)
            reason = fill(rng.choice((
                "No missing episodes for three months, no contact with the adult known as '{nick}', attending "
                "school full-time. Screening graded low. Agreed at review to step down to early help.",
                "{name} is settled at home and engaging well; all actions complete and risk reduced.",
            )), plan.context)
            self.add(request_moment, f"closure requested for person {child.pk}", _case_call, casework.request_closure,
                     plan.case, actor=plan.lead, reason=reason)
            if "closed" in flags:
                decider = self.manager_for(child.council) if self.chance(0.7) else self.user("priya")
                decided = self.add_workdays(closing_day, rng.randint(1, 3))
                self.add(self.work_moment(decided, 9, 16), f"closure decided for person {child.pk}", _case_call,
                         casework.decide_closure, plan.case, actor=decider, approve=True,
                         note="Agreed: step down to early help with the school as lead.")
        else:
            self.settle_actions(plan, self.today, final=True)
            if not any(a.completed is None and a.due >= self.today for a in plan.actions) and self.chance(0.7):
                # A fresh action from this week's contact, so the plan has something due soon.
                self.add_actions(plan, self.workdays_ago(rng.randint(2, 8)), 1, soonest=7, longest=20)
                plan.actions[-1].settled = True
        self.schedule_completions(plan)

        self.plan_strategy(plan, flags)
        if "new_information" in flags and plan.case_open_at_end:
            # New information this fortnight: triaged, and the child flagged for re-screening.
            info_day = self.workdays_ago(rng.randint(3, 9))
            info = self.referral(plan, info_day)
            self.triage(plan, info, self.add_workdays(info_day, 1), TriageOutcome.SCREEN)

    # --- missing episodes -----------------------------------------------------------------------

    def episode_context(self, plan: ChildPlan) -> dict:
        rng = self.rng
        context = plan.context
        car = rng.random() < 0.4
        taxi = not car and rng.random() < 0.3
        modes = ["car"] if car else (["taxi"] if taxi else [rng.choice(("bus", "on_foot", "train"))])
        targeted = bool(plan.child.persons_of_concern)
        with_whom = (f"Older males, one known as '{context['nick']}'" if targeted and rng.random() < 0.6
                     else rng.choice(("Friends of the same age", "Alone", "Would not say")))
        in_care = bool(plan.child.person.looked_after)
        return {
            "last_seen_where": rng.choice((
                "Leaving school at 15:20", "Outside " + context["premises"], "At " + rng.choice(narratives.PLACES),
                f"At the placement in {plan.child.town}" if in_care else "Leaving home after tea")),
            "circumstances": rng.choice((
                "Did not come back after school; phone switched off.",
                "Went out to meet friends and stopped answering messages at 20:00.",
                "Left the placement without permission; staff followed the missing protocol." if in_care else
                "Left the house after an argument about curfew and did not return.")),
            "reported_by": rng.choice(("Foster carer", "Residential home staff") if in_care else
                                      ("Mother", "Father", "Grandmother", "Aunt", "Stepfather")),
            "found_where": rng.choice((
                "Came back by themselves", f"Found by officers at {context['premises']}",
                f"Found at {rng.choice(narratives.PLACES)}", f"Found in {context['town']}")),
            "with_whom": with_whom,
            "travel_modes": modes,
            "vehicle_registration": context["plate"] if car and targeted else "",
            "travel_details": (f"Dropped off by a {context['car']}" if car else
                               (f"Taxi from {context['taxi_firm']}, paid for by someone else" if taxi else "")),
        }

    def episode(self, plan: ChildPlan, reported: datetime, returned: datetime | None, *,
                interview: str = "normal", before: datetime | None = None) -> None:
        """One episode: reported, returned, and (unless `interview` says otherwise) its return home interview."""
        child = plan.child
        rng = self.rng
        recorder = self.pick("police", demo_share=self.team_shares["sarah"])
        recorded_at = reported + timedelta(minutes=rng.randint(20, 70))
        if not self.user_sees(recorder, child, recorded_at):
            return  # police cannot see the child yet: the planner never records what the product would refuse
        facts = self.episode_context(plan)
        ref = Ref()
        grade = rng.choice(("medium", "medium", "high", "low"))
        self.add(recorded_at, f"missing episode of person {child.pk}", _episode, ref, actor=recorder,
                 child=child.pk, reported_at=reported, last_seen_where=facts["last_seen_where"],
                 circumstances=facts["circumstances"], missing_from_care_placement=bool(child.person.looked_after),
                 reported_by=facts["reported_by"], police_reference=f"MISS-{reported:%y}-{next(self.police_refs):05d}",
                 police_risk_grade=grade, now=recorded_at)
        plan.episodes.append((reported, returned))
        if returned is None:
            return
        return_recorded = returned + timedelta(minutes=rng.randint(30, 90))
        self.add(return_recorded, f"return of person {child.pk}", _return_home, ref, actor=recorder,
                 returned_at=returned, found_where=facts["found_where"], with_whom=facts["with_whom"],
                 travel_modes=facts["travel_modes"], vehicle_registration=facts["vehicle_registration"],
                 travel_details=facts["travel_details"], now=return_recorded)
        if interview in ("due", "overdue"):
            return  # left for the return home interview worker: due now, or overdue
        # Offered in working hours within 72 hours (late in about one case in seven, with the reason), held
        # soon after, and recorded the same day; never running into the child's next episode.
        late = self.chance(0.15)
        cap = min(self.latest, (before - timedelta(hours=6)) if before else self.latest)
        offered = self.at(timezone.localdate(returned + timedelta(hours=rng.randint(78, 100) if late
                                                                  else rng.randint(14, 60))),
                          rng.randint(9, 18))
        if late and offered <= rules_due(returned):
            offered = rules_due(returned) + timedelta(hours=rng.randint(3, 20))
        if not late and offered > rules_due(returned):
            offered = rules_due(returned) - timedelta(hours=rng.randint(1, 6))
        offered = max(offered, returned + timedelta(hours=2))
        held = offered + timedelta(hours=rng.randint(1, 26))
        recorded = held + timedelta(hours=1)
        if recorded > cap:
            late = False
            offered = returned + timedelta(hours=rng.randint(6, 14))
            held = offered + timedelta(hours=1)
            recorded = held + timedelta(minutes=30)
            if recorded > cap:
                return  # too recent (or too close to the next episode): the interview is still due
        outcome = rng.choices((InterviewOutcome.COMPLETED, InterviewOutcome.DECLINED, InterviewOutcome.NOT_FOUND),
                              weights=(75, 18, 7), k=1)[0]
        voluntary, youth = self.agency("voluntary"), self.agency("youth")
        csc = self.agency(f"csc_{child.council}")
        offering = voluntary if rng.random() < 0.65 else (youth if rng.random() < 0.3 else csc)
        # Whoever records it must already see the child: the offering agency's worker if it can,
        # otherwise the lead professional records the commissioned service's offer.
        key = self.world.agency_key[offering.pk]
        recorder = self.pick(key, demo_share=self.team_shares["joy"] if key == "voluntary" else 0.5)
        if not self.user_sees(recorder, child, recorded) and plan.lead is not None:
            recorder = plan.lead
        if not self.user_sees(recorder, child, recorded):
            return
        name = child.name
        kwargs = {
            "actor": recorder, "outcome": outcome, "offered_at": offered, "offered_by_agency": offering.pk,
            "completed_at": held, "now": recorded,
            "late_reason": rng.choice((
                f"The return was not passed to the service until {offered - timedelta(hours=6):%A}.",
                f"{name} was not at home on two visits; the interview was offered at the first contact.",
            )) if late else "",
        }
        if outcome == InterviewOutcome.COMPLETED:
            worker = recorder if recorder.membership.agency_id == offering.pk else self.pick(key)
            kwargs.update(conducted_by=f"{worker.get_full_name()}, {offering.name}", location=rng.choice(_CAFES),
                          summary=fill(rng.choice((
                              "{name} said the time away was spent at a friend's flat in {town} and would not say who "
                              "else was there. Talked about arguments at home. Agreed to keep the phone on and text "
                              "home by 9pm.",
                              "{name} said an older friend called '{nick}' gave {name} a lift and bought food. "
                              "{name} did not see a problem with it. Safety plan reviewed.",
                              "{name} went to {place} with friends and lost track of time. No adults involved by "
                              "{name}'s account. Talked about staying safe.",
                          )), plan.context))
        else:
            kwargs["not_held_reason"] = (f"{name} said they did not want to talk; the family were given the service's "
                                         "number and a letter." if outcome == InterviewOutcome.DECLINED else
                                         f"Three visits and two calls; {name} could not be found at home or school.")
        self.add(recorded, f"return home interview for person {child.pk}", _interview, ref, **kwargs)
        self.involve(child, offering, recorded)

    def plan_missing(self, plan: ChildPlan, flags: set[str]) -> None:
        """The child's missing episodes while the case is open, each with its return and interview.

        Routine episodes are at least a week apart; a pattern is three within about 18 days (the
        3-in-30 trigger); the special ones sit just behind today so the clocks are running now.
        """
        rng = self.rng
        now = self.now
        start = timezone.make_aware(datetime.combine(plan.case_opened + timedelta(days=2), time(0)))
        end = timezone.make_aware(datetime.combine(plan.case_ends or self.today, time(0)))
        special_late = flags & {"pattern_open", "missing_now", "interview_due", "interview_overdue"}
        # Closed cases were stepped down after three quiet months; open ones stay clear of the special episodes.
        routine_end = end - timedelta(days=90 if plan.case_ends and "closed" in flags else
                                      (35 if special_late else 8))
        episodes: list[tuple[datetime, datetime | None, str]] = []

        def evening(moment: datetime) -> datetime:
            return self.at(timezone.localdate(moment), rng.choice((19, 20, 21, 22)))

        if "pattern_decided" in flags and routine_end - start > timedelta(days=40):
            first = evening(start + (routine_end - timedelta(days=25) - start) * rng.random())
            for offset in (0, rng.randint(6, 9), rng.randint(15, 18)):
                reported = first + timedelta(days=offset)
                episodes.append((reported, reported + timedelta(hours=rng.randint(5, 30)), "normal"))
            plan.context["pattern_decided_after"] = episodes[-1][0]
        if "missing" in flags or special_late or "pattern_decided" in flags:
            for _ in range(rng.randint(1, 2)):
                if routine_end - start > timedelta(days=20):
                    reported = evening(start + (routine_end - start) * rng.random())
                    if all(abs(reported - other) > timedelta(days=30) for other, _, _ in episodes):
                        episodes.append((reported, reported + timedelta(hours=rng.randint(5, 30)), "normal"))
        if "pattern_open" in flags:
            first = evening(now - timedelta(days=rng.randint(22, 25)))
            for offset in (0, rng.randint(7, 9), rng.randint(15, 17)):
                reported = first + timedelta(days=offset)
                episodes.append((reported, reported + timedelta(hours=rng.randint(6, 20)), "normal"))
        if "interview_overdue" in flags:
            returned = now - timedelta(hours=rng.randint(110, 140))
            episodes.append((returned - timedelta(hours=rng.randint(8, 16)), returned, "overdue"))
        if "interview_due" in flags:
            returned = now - timedelta(hours=rng.randint(10, 40))
            episodes.append((returned - timedelta(hours=rng.randint(6, 14)), returned, "due"))
        if "missing_now" in flags:
            episodes.append((now - timedelta(hours=rng.randint(8, 30)), None, "still missing"))
        episodes.sort(key=lambda e: e[0])
        kept: list[tuple[datetime, datetime | None, str]] = []
        for reported, returned, mode in episodes:
            # A child cannot be missing twice at once; the rule is the missing app's too.
            if kept and kept[-1][1] is not None and reported <= kept[-1][1] + timedelta(hours=12):
                continue
            if returned is not None and returned > self.latest:
                continue
            kept.append((reported, returned, mode))
        for n, (reported, returned, mode) in enumerate(kept):
            following = kept[n + 1][0] if n + 1 < len(kept) else None
            self.episode(plan, reported, returned, interview=mode, before=following)
        if "pattern_decided_after" in plan.context:
            decided = self.add_workdays(timezone.localdate(plan.context["pattern_decided_after"]) + timedelta(days=1),
                                        1)
            if decided < self.today and (plan.case_ends is None or decided < plan.case_ends):
                decider = self.user("priya") if self.chance(0.6) else self.manager_for(plan.child.council)
                moment = self.work_moment(decided, 9, 12)
                self.add(moment, f"missing-pattern decision for person {plan.child.pk}", _pattern_decision,
                         plan.child.pk, actor=decider, decision=PatternDecision.STRATEGY_REQUESTED,
                         reason="Three episodes in a month with the same adult named; strategy discussion requested.",
                         now=moment)
                plan.context["strategy_after_pattern"] = decided

    # --- strategy discussions -------------------------------------------------------------------

    def plan_strategy(self, plan: ChildPlan, flags: set[str]) -> None:
        rng = self.rng
        held: date | None = None
        met: dict[str, date] = {}
        decision = StrategyDecision.SECTION_47
        if "strategy_due" in flags:
            held = self.workdays_ago(3)
        elif "strategy_running" in flags:
            held = self.workdays_ago(11)
            met[ClockKind.FOLLOW_UP_MEETING] = self.add_workdays(held, rng.randint(3, 5))
        elif "strategy_overdue" in flags:
            held = self.workdays_ago(8)
            decision = StrategyDecision.NO_SECTION_47
        elif "strategy_after_pattern" in plan.context:
            held = self.add_workdays(plan.context["strategy_after_pattern"], rng.randint(1, 3))
        elif "strategy" in flags:
            # An older discussion, held while the case was open and long enough ago for its clocks to be met.
            first, last = plan.case_opened + timedelta(days=20), (plan.case_ends or self.today) - timedelta(days=75)
            if first < last:
                held = self.workday(first + timedelta(days=rng.randint(0, (last - first).days)))
                decision = StrategyDecision.SECTION_47 if self.chance(0.6) else StrategyDecision.NO_SECTION_47
        if held is None or held >= self.today or held <= plan.case_opened:
            return
        if plan.case_ends and held >= plan.case_ends:
            return
        if not met and "strategy_overdue" not in flags and "strategy_due" not in flags:
            # An older discussion: each clock met, usually in time, sometimes a little late.
            for kind, days in ((ClockKind.FOLLOW_UP_MEETING, 5), (ClockKind.INITIAL_CONFERENCE, 15),
                               (ClockKind.ASSESSMENT, 45)):
                if kind == ClockKind.INITIAL_CONFERENCE and decision != StrategyDecision.SECTION_47:
                    continue
                met_on = self.add_workdays(held, days + (rng.randint(1, 3) if self.chance(0.15)
                                                         else -rng.randint(0, min(days - 1, 3))))
                if met_on < self.today and (plan.case_ends is None or met_on < plan.case_ends):
                    met[kind] = met_on
        csc = self.agency(f"csc_{plan.child.council}")
        agencies = [csc.pk, self.agency("police").pk]
        for member in plan.team:
            agency_id = member.membership.agency_id
            if agency_id not in agencies and self.chance(0.6):
                agencies.append(agency_id)
        moment = self.work_moment(held, 11, 15)
        ref = Ref()
        if decision == StrategyDecision.SECTION_47:
            rationale = fill(rng.choice((
                "Repeated missing episodes; {name} was found with the adult known as '{nick}'. Section 47 enquiry "
                "agreed, with police to lead on the adult.",
                "{name} was seen getting into the {car} ({plate}) twice this week. Agencies agreed there is reasonable "
                "cause to suspect significant harm: section 47 enquiry.",
            )), plan.context)
        else:
            rationale = fill(rng.choice((
                "New information from school about {premises}. The family are working with the plan: continue "
                "under the child in need plan with exploitation support, no section 47 enquiry.",
                "Concerns about online contact; {name} and the family are engaging. Support continues without a "
                "section 47 enquiry; police to check the account.",
            )), plan.context)
        self.add(moment, f"strategy discussion for person {plan.child.pk}", _strategy, ref, plan.case,
                 actor=plan.lead, held_on=held, agency_ids=agencies, decision=decision, rationale=rationale, today=held)
        for agency_id in agencies:
            self.involve(plan.child, agency_id, moment)
        for kind, met_on in met.items():
            self.add(self.work_moment(met_on, 14, 17), f"strategy clock met for person {plan.child.pk}", _clock_met,
                     ref, plan.case, kind=kind, actor=plan.lead, met_on=met_on, today=met_on)

    # --- choosing children and what happens to them --------------------------------------------

    def weighted_sample(self, children: list[ChildFacts], k: int) -> list[ChildFacts]:
        """`k` children without replacement, weighted by age: referrals about exploitation are mostly
        about 13 to 17 year olds (Efraimidis-Spirakis keys, so one pass of the seeded generator)."""
        keyed = []
        for child in children:
            weight = AGE_WEIGHTS.get(child.age_on(self.today), 4)
            keyed.append((self.rng.random() ** (1 / weight), child.pk, child))
        keyed.sort(key=lambda entry: (-entry[0], entry[1]))
        return [child for _, _, child in keyed[:k]]

    def choose(self, count: int) -> list[ChildFacts]:
        rng = self.rng
        children = self.world.children
        count = min(count, len(children))
        connected = [c for c in children if c.persons_of_concern]
        others = [c for c in children if not c.persons_of_concern]
        wanted_connected = min(len(connected), round(count * 0.7))
        chosen = self.weighted_sample(connected, wanted_connected)
        chosen += self.weighted_sample(others, min(len(others), count - len(chosen)))
        # A few pupils of the school whose safeguarding lead is a demo user, so her work is real.
        coalport = [c for c in children if c.school_agency == "school_coalport" and c not in chosen
                    and self.world.agency["school_coalport"].pk in c.agencies]
        self.school_extras = set()
        for extra in self.weighted_sample(coalport, min(len(coalport), max(1, count // 40))):
            self.school_extras.add(extra.pk)
            if len(chosen) >= count:
                chosen[rng.randrange(len(chosen) // 2, len(chosen))] = extra
            else:
                chosen.append(extra)
        return chosen

    def assign(self, chosen: list[ChildFacts]) -> list[tuple[ChildPlan, set[str]]]:
        rng = self.rng
        n = len(chosen)
        pool = chosen[:]
        rng.shuffle(pool)
        # Case children first: those connected to adults of concern, and the Coalport pupils added for the
        # school's demo user.
        pool.sort(key=lambda c: (0 if c.pk in self.school_extras else 1, 0 if c.persons_of_concern else 1))
        if n >= 40:
            counts = {name: max(minimum, round(n * share)) for name, share, minimum in ARCHETYPE_SHARES}
        else:
            # A small partnership (a test): one of each kind where there is room, and the rest are cases.
            counts = {name: (1 if n >= 2 * (i + 2) else 0) for i, (name, _, _) in enumerate(ARCHETYPE_SHARES)}
        non_case = sum(counts.values())
        cases = max(n - non_case, 0)
        plans: list[tuple[ChildPlan, set[str]]] = []
        case_children = pool[:cases]
        rest = pool[cases:]
        for child in case_children:
            plans.append((ChildPlan(child, "case", severity="high" if self.chance(0.35) else "medium"), set()))
        cursor = 0
        for name, _, _ in ARCHETYPE_SHARES:
            for _ in range(counts[name]):
                if cursor >= len(rest):
                    break
                child = rest[cursor]
                cursor += 1
                if name == "returned" and child.council != "wrekin":
                    swap = next((i for i in range(cursor, len(rest)) if rest[i].council == "wrekin"), None)
                    if swap is not None:
                        rest[cursor - 1], rest[swap] = rest[swap], rest[cursor - 1]
                        child = rest[cursor - 1]
                plans.append((ChildPlan(child, name), set()))
        for child in rest[cursor:]:
            plans.append((ChildPlan(child, "screened"), set()))
        self.flag_cases([p for p in plans if p[0].archetype == "case"])
        return plans

    def flag_cases(self, cases: list[tuple[ChildPlan, set[str]]]) -> None:
        """Give particular cases the events that make work due now: one of each, then a share of the rest."""
        rng = self.rng
        wrekin_first = sorted(cases, key=lambda p: (p[0].child.council != "wrekin", rng.random()))
        specials = ("strategy_overdue", "pattern_open", "missing_now", "interview_due", "closure_pending",
                    "strategy_due", "interview_overdue", "closed", "strategy_running", "pattern_open",
                    "pattern_decided", "missing_now", "interview_due", "closure_pending", "closed",
                    "pattern_decided", "overdue_review", "interview_due", "pattern_open", "closed")
        amir_led = {"strategy_overdue", "strategy_due", "closure_pending", "interview_due", "interview_overdue"}
        for (plan, flags), special in zip(wrekin_first, specials, strict=False):
            flags.add(special)
            if special in amir_led and plan.child.council == "wrekin":
                flags.add("amir_leads")
            if special.startswith(("pattern", "missing", "interview")):
                flags.add("missing")
        for _plan, flags in wrekin_first[len(specials):]:
            if self.chance(0.35):
                flags.add("missing")
            if self.chance(0.1):
                flags.add("closed")
            elif self.chance(0.08):
                flags.add("overdue_review")
            if self.chance(0.15):
                flags.add("strategy")
            if self.chance(0.12):
                flags.add("new_information")

    def plan_children(self, count: int) -> None:
        chosen = self.choose(count)
        for child in chosen:
            self.seen[child.pk] = {agency_id: datetime.min.replace(tzinfo=timezone.get_current_timezone())
                                   for agency_id in child.agencies}
        plans = self.assign(chosen)
        cases = [p for p in plans if p[0].archetype == "case"]
        wrekin_cases = max(1, sum(1 for p, _ in cases if p.child.council == "wrekin"))
        total = max(1, len(cases))
        # How often each demo user joins a case team, so their caseloads look like real ones.
        # (Each is the chance that, when the team includes that agency, it is the demo user.)
        self.team_shares = {"amir": min(0.9, 16 / wrekin_cases), "sarah": min(0.9, 10 / (0.75 * total)),
                            "zofia": min(0.9, 6 / (0.45 * total)), "tom": min(0.9, 6 / (0.4 * total)),
                            "joy": min(0.9, 8 / (0.55 * total)), "priya": min(0.5, 4 / total),
                            "david": min(0.6, 3 / total), "gemma": 0.75}
        for plan, flags in plans:
            plan.context = self.context_for(plan.child)
            if plan.archetype == "case":
                if "amir_leads" in flags:
                    saved = self.team_shares["amir"]
                    self.team_shares["amir"] = 1.0
                    self.plan_case(plan, flags)
                    self.team_shares["amir"] = saved
                else:
                    self.plan_case(plan, flags)
            elif plan.archetype == "screened":
                self.plan_screened(plan)
            elif plan.archetype == "no_further_action":
                self.plan_no_further_action(plan)
            elif plan.archetype == "passed_on":
                self.plan_passed_on(plan)
            elif plan.archetype == "awaiting_triage":
                first = not any(p.archetype == "awaiting_triage" for p in self.plans)
                self.plan_awaiting_triage(plan, overdue=first)
            elif plan.archetype == "awaiting_approval":
                self.plan_awaiting_approval(plan)
            elif plan.archetype == "returned":
                self.plan_returned(plan)
            self.plans.append(plan)
        self.cover_demo_users()

    def cover_demo_users(self) -> None:
        """Each demo practitioner owns at least one plan action due soon on a case that stays open."""
        open_cases = [p for p in self.plans if p.case_open_at_end]
        if not open_cases:
            return
        for username in ("amir", "sarah", "zofia", "gemma", "tom", "joy", "priya", "david"):
            user = self.user(username)
            if any(a.owner.pk == user.pk and a.completed is None and a.due <= self.today + timedelta(days=14)
                   for p in open_cases for a in p.actions):
                continue
            candidates = [p for p in open_cases if user.pk in [m.pk for m in [p.lead, *p.team]]]
            if not candidates:
                fitting = [p for p in open_cases
                           if username != "gemma" or p.child.school_agency == "school_coalport"] or open_cases
                plan = fitting[-1]
                day = self.workdays_ago(4)
                moment = self.work_moment(day, 10, 11)
                if day <= plan.case_opened:
                    continue
                role = {Role.ANALYST: "Intelligence analyst", Role.COORDINATOR: "Exploitation coordinator"}.get(
                    user.membership.role, TEAM_ROLES.get(user.membership.agency.type, "Team member"))
                self.add(moment, f"team member for person {plan.child.pk}", _team, plan.case, actor=plan.lead,
                         user_id=user.pk, role_in_team=role, today=day)
                self.involve(plan.child, user.membership.agency, moment)
                plan.team.append(user)
            else:
                plan = candidates[-1]
            day = self.workdays_ago(2)
            ref = Ref()
            due = self.today + timedelta(days=self.rng.randint(3, 10))
            self.add(self.work_moment(day, 14, 16), f"plan action for person {plan.child.pk}", _plan_action, ref,
                     plan.case, actor=plan.lead, description=self.action_text(plan, user), owner_id=user.pk,
                     due_on=due, today=day)
            plan.actions.append(ActionPlan(ref, user, day, due, settled=True))

    # --- MACE -----------------------------------------------------------------------------------

    def plan_mace(self) -> None:
        rng = self.rng
        priya, helen = self.user("priya"), self.user("helen")
        # Children discussed at MACE have open cases with medium or high risk.
        eligible = [p for p in self.plans if p.case is not None and p.case_opened is not None]
        rng.shuffle(eligible)
        first_day = self.meeting_day(self.today - timedelta(days=80))
        second_day = self.meeting_day(self.today - timedelta(days=6))
        third_day = self.meeting_day(self.today + timedelta(days=15), forward=True)
        first_children = [p for p in eligible if p.case_opened < first_day - timedelta(days=7)
                          and (p.case_ends is None or p.case_ends > first_day)][:5]
        second_children = [p for p in eligible if p not in first_children
                           and p.case_opened < second_day - timedelta(days=5) and p.case_open_at_end][:5]
        third_children = [p for p in first_children[:2] if p.case_open_at_end]
        third_children += [p for p in eligible if p.case_open_at_end and p not in first_children
                           and p not in second_children][:2]
        pocs = self.mace_persons_of_concern(first_children + second_children)
        taxi = next((poc for poc in pocs if poc.is_taxi_driver), None) or self.any_taxi_driver()
        invited = [self.user(name) for name in ("priya", "sarah", "david", "amir", "rachel", "zofia", "gemma", "tom",
                                                "joy", "liam")]
        invited += [u for u in (self.world.manager("police"), self.world.manager("csc_severn")) if u]
        invited += self.world.practitioners("exploitation_team")[:1]

        first = self.meeting(first_day, invited, venue="Wellington Civic Offices, Committee Room 2",
                             created=first_day - timedelta(days=21))
        items = self.agenda(first, first_day, first_children, pocs[:2], taxi, overdue_reviews=2)
        self.hold_meeting(first, first_day, items, invited, absent={"gemma": Attendance.APOLOGIES},
                          action_owners=["sarah", "david", "liam", "amir", "joy"], done_share=1.0,
                          keep_open={"david"})
        approved = self.add_workdays(first_day, 5)
        self.add(self.work_moment(approved, 10, 12), "MACE minutes approved", _meeting_call, mace.approve_minutes,
                 first, actor=helen, today=approved)
        vehicle = self.vehicle_of(pocs[0].pk if pocs else None)
        wrong = vehicle.registration[:-1] + ("B" if vehicle.registration[-1] != "B" else "C")
        self.add(self.work_moment(self.add_workdays(approved, 3), 10, 12), "MACE addendum", _meeting_call,
                 mace.add_addendum, first, actor=priya,
                 text=f"Correction: the registration noted under the person of concern item should read "
                      f"{vehicle.registration}, not {wrong}. Police have updated their record.")

        second = self.meeting(second_day, invited, venue="Online (Microsoft Teams)",
                              created=second_day - timedelta(days=21))
        items = self.agenda(second, second_day, second_children, pocs[2:4], taxi, overdue_reviews=0)
        self.hold_meeting(second, second_day, items, invited, absent={"rachel": Attendance.APOLOGIES},
                          action_owners=["liam", "sarah", "david", "joy", "tom", "zofia", "gemma", "amir"],
                          done_share=0.0, keep_open=set(), draft_only=True)

        third = self.meeting(third_day, invited, venue="Wellington Civic Offices, Committee Room 2",
                             created=self.workdays_ago(6))
        self.agenda(third, None, third_children, pocs[4:5] or pocs[:1], None, overdue_reviews=0,
                    added_from=self.workdays_ago(5))

    def meeting_day(self, day: date, *, forward: bool = False) -> date:
        while not is_working_day(day) or day.weekday() not in (1, 2, 3):  # MACE meets midweek
            day += timedelta(days=1 if forward else -1)
        return day

    def mace_persons_of_concern(self, plans: list[ChildPlan]) -> list[PocFacts]:
        found: list[PocFacts] = []
        for plan in plans:
            for poc_id in plan.child.persons_of_concern:
                poc = self.world.persons_of_concern.get(poc_id)
                if poc is not None and poc not in found:
                    found.append(poc)
        for poc in self.world.persons_of_concern.values():
            if len(found) >= 5:
                break
            if poc not in found:
                found.append(poc)
        return found

    def any_taxi_driver(self) -> PocFacts | None:
        licensing = self.agency("licensing").pk
        drivers = [p for p in self.world.persons_of_concern.values() if p.is_taxi_driver and licensing in p.agencies]
        return drivers[0] if drivers else None

    def meeting(self, held: date, invited: list[User], *, venue: str, created: date) -> Ref:
        ref = Ref()
        created = min(created, self.workdays_ago(1))
        self.add(self.work_moment(created, 9, 11), f"MACE meeting of {held}", _store, ref, mace.create_meeting,
                 actor=self.user("priya"), held_on=held, chair_id=self.user("helen").pk, venue=venue,
                 attendee_ids=[u.pk for u in invited])
        return ref

    def agenda(self, meeting: Ref, held: date | None, children: list[ChildPlan], pocs: list[PocFacts],
               taxi: PocFacts | None, *, overdue_reviews: int, added_from: date | None = None) -> list:
        rng = self.rng
        priya = self.user("priya")
        when = added_from or self.workday((held or self.today) - timedelta(days=7))
        moment = self.work_moment(when, 9, 10)
        items = []
        for n, plan in enumerate(children):
            ref = Ref()
            review = (held + timedelta(weeks=8)) if held and n < overdue_reviews else None
            summary = fill(rng.choice((
                "{name}: repeated missing episodes and seen in the {car}. Screening graded {severity}.",
                "{name}: linked to the adult known as '{nick}' and to {premises}. Risk {severity}.",
                "{name}: peer group under review; attendance poor. Risk {severity}.",
            )), {**plan.context, "severity": plan.severity})
            self.add(moment, "MACE agenda item", _agenda_item, ref, meeting, actor=priya, kind="child",
                     summary=summary, person_id=plan.child.pk, next_review_on=review)
            items.append(("child", ref, plan))
            moment += timedelta(minutes=4)
        listed = list(pocs)
        if taxi is not None and taxi not in listed:
            listed.append(taxi)
        for poc in listed:
            ref = Ref()
            role = "Private hire driver named by young people" if poc.is_taxi_driver else "Adult named by young people"
            self.add(moment, "MACE agenda item", _agenda_item, ref, meeting, actor=priya, kind="person_of_concern",
                     summary=f"{role}; known as '{poc.nickname}'. Linked to children discussed today.",
                     person_id=poc.pk)
            items.append(("person_of_concern", ref, poc))
            moment += timedelta(minutes=4)
        district = children[0].child.district if children else LOCALITIES[0].district
        premises = rng.choice(self.premises_for(district)[:2])
        ref = Ref()
        self.add(moment, "MACE agenda item", _agenda_item, ref, meeting, actor=priya, kind="location",
                 summary=f"{premises.kind.capitalize()} where young people are seen late at night with adults.",
                 location_name=premises.full, location_postcode=premises.postcode)
        items.append(("location", ref, premises))
        return items

    def hold_meeting(self, meeting: Ref, held: date, items: list, invited: list[User], *, absent: dict[str, str],
                     action_owners: list[str], done_share: float, keep_open: set[str], draft_only: bool = False
                     ) -> None:
        rng = self.rng
        helen, priya = self.user("helen"), self.user("priya")
        moment = self.at(held, 13, 0)
        self.add(moment, "MACE attendance", _attendance, meeting, actor=helen,
                 absent={self.user(name).pk: code for name, code in absent.items()}, today=held)
        moment += timedelta(minutes=5)
        for kind, ref, subject in items:
            if kind == "child":
                text = fill(rng.choice((
                    "Keep on MACE. Police to consider a Child Abduction Warning Notice for the adult known as "
                    "'{nick}'; review in 12 weeks.",
                    "Keep on MACE. School and youth service to share attendance and sightings weekly.",
                    "Risk remains {severity}; support worker to continue weekly sessions; review in 12 weeks.",
                )), {**subject.context, "severity": subject.severity})
            elif kind == "person_of_concern":
                text = ("Police and licensing to share what is known about the licence and vehicle."
                        if subject.is_taxi_driver else "Police to consider disruption options and report back.")
            else:
                text = "Licensing and police to visit the premises together and give safeguarding advice to staff."
            self.add(moment, "MACE decision", _decision, meeting, ref, actor=helen, text=text)
            moment += timedelta(minutes=3)
        owners = [self.user(name) for name in action_owners]
        for owner in owners:
            if owner.username == "liam":
                subject_item = next((i for i in items if i[0] == "person_of_concern" and i[2].is_taxi_driver), None)
                if subject_item is None:
                    subject_item = next((i for i in items if i[0] == "location"), None)
                if subject_item and subject_item[0] == "person_of_concern":
                    description = (f"Review the private hire licence held by the driver known as "
                                   f"'{subject_item[2].nickname}' and report back")
                else:
                    description = "Visit the premises with police and give safeguarding advice"
                item = subject_item
            elif owner.username == "david":
                item = next((i for i in items if i[0] == "person_of_concern"), None)
                description = "Produce a network chart of the adults and vehicles linked to the children discussed"
            else:
                child_items = [i for i in items if i[0] == "child"]
                item = rng.choice(child_items) if child_items else None
                description = (self.action_text(item[2], owner) if item else
                               "Share the agency's information with the exploitation team")
            due = held + timedelta(days=rng.randint(10, 21) if draft_only else rng.randint(14, 35))
            ref = Ref()
            self.add(moment, "MACE action", _mace_action, ref, meeting, item[1] if item else None, actor=helen,
                     description=description, owner_id=owner.pk, due_on=due, today=held)
            if item and item[0] == "child":
                self.involve(item[2].child, owner.membership.agency, moment)
            moment += timedelta(minutes=2)
            if owner.username not in keep_open and self.chance(done_share):
                done = self.workday(min(due, self.today - timedelta(days=1)))
                if done > held:
                    self.add(self.work_moment(done, 15, 17), "MACE action done", _mace_action_status, ref,
                             actor=owner, status="done", note="Done and reported to the coordinator.")
        draft_day = self.add_workdays(held, 1) if not draft_only else min(self.add_workdays(held, 2),
                                                                           self.workdays_ago(1))
        self.add(self.work_moment(draft_day, 10, 15), "MACE minutes drafted", _meeting_call, mace.draft_minutes,
                 meeting, actor=priya,
                 text=(f"MACE meeting held on {long_date(held)}, chaired by {helen.get_full_name()}. "
                       f"{sum(1 for i in items if i[0] == 'child')} children, "
                       f"{sum(1 for i in items if i[0] == 'person_of_concern')} persons of concern and "
                       f"{sum(1 for i in items if i[0] == 'location')} location discussed. Decisions and actions are "
                       "recorded against each item. Information shared under the partnership's information sharing "
                       "agreement; not to be shared further without the chair's agreement."))

    # --- disruption -----------------------------------------------------------------------------

    def plan_disruption(self) -> None:
        rng = self.rng
        police = self.agency("police")
        licensing = self.agency("licensing")
        sarah = self.user("sarah")
        by_poc: dict[int, list[ChildPlan]] = {}
        for plan in self.plans:
            for poc_id in plan.child.persons_of_concern:
                by_poc.setdefault(poc_id, []).append(plan)
        candidates = [self.world.persons_of_concern[poc_id] for poc_id in sorted(by_poc)
                      if poc_id in self.world.persons_of_concern
                      and police.pk in self.world.persons_of_concern[poc_id].agencies]
        rng.shuffle(candidates)
        taxi = next((p for p in candidates if p.is_taxi_driver and licensing.pk in p.agencies), None)
        if taxi is None:
            taxi = next((p for p in self.world.persons_of_concern.values()
                         if p.is_taxi_driver and police.pk in p.agencies and licensing.pk in p.agencies), None)
        chosen = [p for p in candidates if p is not taxi][:5]
        completed: set[int] = set()

        def demographics(poc: PocFacts, day: date, actor: User) -> None:
            if poc.pk in completed:
                return
            completed.add(poc.pk)
            person = poc.person
            details = {}
            if not person.ethnicity:
                details["ethnicity"] = rng.choice(("NOBT", "NOBT", "REFU"))
            if not person.ethnicity_observed:
                details["ethnicity_observed"] = (person.ethnicity if person.ethnicity not in ("", "NOBT", "REFU")
                                                 else "NOBT")
            if not person.nationality:
                details["nationality"] = NATIONALITY_NOT_KNOWN
            if not person.sex:
                details["sex"] = "U"
            if not person.disability:
                details["disability"] = "not_known"
            if person.date_of_birth is None and person.approximate_age is None:
                details["approximate_age"] = rng.randint(22, 40)
            if details:
                self.add(self.work_moment(day, 9, 10), f"demographics of person {poc.pk}", people_actions.update_person,
                         actor=actor, person_id=poc.pk, details=details)

        def record(poc: PocFacts, day: date, kind: str, status: str, *, actor: User = sarah, **kwargs) -> Ref:
            demographics(poc, day, actor)
            ref = Ref()
            self.add(self.work_moment(day, 11, 16), f"disruption of person {poc.pk}", _disruption, ref, actor=actor,
                     person_of_concern_id=poc.pk, kind=kind, occurred_on=day, status=status, today=day, **kwargs)
            return ref

        for n, poc in enumerate(chosen):
            day = self.workdays_ago(rng.randint(15, 150))
            moment = self.work_moment(day, 11, 16)
            children = [p.child for p in by_poc[poc.pk] if self.sees(police, p.child, moment - timedelta(hours=3))]
            under_16 = [c for c in children if (c.age_on(day) or 99) < 16]
            in_care = [c for c in children if c.person.looked_after and (c.age_on(day) or 99) < 18]
            if n % 3 == 0 and (under_16 or in_care):
                kind = DisruptionKind.CAWN_S2 if under_16 else DisruptionKind.CAWN_S49
                named = (under_16 or in_care)[:2]
                record(poc, day, kind, DisruptionStatus.DONE, child_ids=[c.pk for c in named],
                       reference=f"CAWN/{day:%y}/{rng.randint(10, 99):03d}",
                       outcome="Served in person at his home address; the notice was explained and he signed it.")
            elif n % 3 == 1:
                arrest = record(poc, day, DisruptionKind.ARREST, DisruptionStatus.DONE,
                                reference=f"22/{rng.randint(100000, 999999)}/{day:%y}",
                                outcome="Arrested on suspicion of child abduction; interviewed and released under "
                                        "investigation.")
                later = self.add_workdays(day, rng.randint(20, 40))
                if later < self.today:
                    self.add(self.work_moment(later, 10, 12), "disruption update", _disruption_update, arrest,
                             actor=sarah, status=DisruptionStatus.DONE,
                             note="File reviewed with the Crown Prosecution Service: no further action.")
                    record(poc, later, DisruptionKind.NO_FURTHER_ACTION, DisruptionStatus.DONE,
                           nfa_reason=rng.choice((NoFurtherActionReason.EVIDENTIAL_DIFFICULTIES,
                                                  NoFurtherActionReason.VICTIM_DOES_NOT_SUPPORT)),
                           nfa_reason_detail="The young people named do not support a prosecution at present; "
                                             "safeguarding and disruption continue.",
                           outcome="No further action on the arrest; bail conditions ended.")
            else:
                premises = self.premises_for(poc.district or LOCALITIES[0].district)[1]
                record(poc, day, DisruptionKind.HOTEL_INFORMATION_REQUEST, DisruptionStatus.DONE,
                       premises_name=premises.full, premises_postcode=premises.postcode,
                       outcome="Notice served on the manager; guest records to be kept and shared on request.")
                record(poc, self.add_workdays(day, 2), DisruptionKind.LETTER, DisruptionStatus.DONE,
                       outcome="Letter delivered by hand warning him about contact with children.")
        if taxi is not None:
            day = self.workdays_ago(rng.randint(20, 40))
            ref = record(taxi, day, DisruptionKind.TAXI_LICENSING_REFERRAL, DisruptionStatus.DONE,
                         driver_licence_number=f"PH/{rng.randint(2015, 2024)}/{rng.randint(100, 999):04d}",
                         licensing_authority=f"{licensing.name}",
                         outcome="Information shared with the issuing authority and checked against NR3S.")
            self.add(self.work_moment(self.add_workdays(day, 6), 10, 15), "disruption update", _disruption_update, ref,
                     actor=self.user("liam"), status=DisruptionStatus.DONE,
                     note="Licence suspended with immediate effect pending a review by the licensing committee.")

    # --- break-glass, for the auditor ------------------------------------------------------------

    def plan_break_glass(self) -> None:
        rng = self.rng
        mark = self.user("mark")
        youth = self.agency("youth")
        hospitals = self.agency("health_hospitals")
        unseen = [p.child for p in self.plans if not self.sees(youth, p.child, self.now)
                  and not self.sees(hospitals, p.child, self.now)]
        if len(unseen) < 2:
            return
        first, second = rng.sample(unseen, 2)
        nurse = self.world.practitioners("health_hospitals")[0]
        for child, user, days, hour, reason, review in (
            (first, self.user("tom"), rng.randint(40, 60), 21,
             "Young person came to the youth bus distressed and said she could not go home; checking for a safety "
             "plan and who to contact.", True),
            (second, nurse, rng.randint(4, 12), 2,
             "Attended the emergency department at night with an adult who left before triage; checking whether the "
             "child is known and who the lead professional is.", False),
        ):
            granted = self.at(self.today - timedelta(days=days), hour)
            ref = Ref()
            self.add(granted, f"break-glass to person {child.pk}", _break_glass, ref, actor=user, person_id=child.pk,
                     reason=reason, now=granted)
            self.add(granted + timedelta(minutes=rng.randint(10, 25)), "break-glass ended", _end_break_glass, ref,
                     actor=user)
            if review:
                reviewed = self.work_moment(self.add_workdays(timezone.localdate(granted), 1), 10, 12)
                self.add(reviewed, "break-glass reviewed", _review_break_glass, ref, actor=mark, outcome="justified",
                         note="Out of hours, to find a safety plan for a young person in front of him; proportionate.")


# --- Running it ------------------------------------------------------------------------------


@dataclass
class ActivityResult:
    children: int
    steps: int
    counts: dict[str, int]
    first_day: date
    last_day: date
    seconds: float


def _counts() -> dict[str, int]:
    return {
        "referrals": Referral.objects.count(),
        "triage_decisions": TriageDecision.objects.count(),
        "screenings": Screening.objects.count(),
        "cases": Case.objects.count(),
        "plan_actions": PlanAction.objects.count(),
        "case_reviews": CaseReview.objects.count(),
        "strategy_discussions": StrategyDiscussion.objects.count(),
        "missing_episodes": MissingEpisode.objects.count(),
        "return_interviews": ReturnInterview.objects.count(),
        "missing_pattern_alerts": MissingPatternAlert.objects.count(),
        "mace_meetings": MaceMeeting.objects.count(),
        "mace_agenda_items": MaceAgendaItem.objects.count(),
        "mace_actions": MaceAction.objects.count(),
        "disruption_actions": DisruptionAction.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }


def partnership_for(code: str) -> Partnership:
    partnership = Partnership.objects.filter(code=code).first()
    if partnership is None:
        raise ActivityError(f"There is no partnership with code {code!r}: run `wrekin seed` first")
    return partnership


def seed_activity(*, code: str, children: int = DEFAULT_CHILDREN, seed: int = 1,
                  progress: Callable[[str], None] | None = None, now: datetime | None = None) -> ActivityResult:
    """Plan the history from `seed`, then run every step through the real actions, in one transaction."""
    if children < 1:
        raise ActivityError("Give at least one child some activity")
    started = time_module.perf_counter()
    say = progress or (lambda message: None)
    now = now or timezone.now()
    partnership = partnership_for(code)
    world = World(partnership)
    planner = Planner(world, rng=random.Random(seed), now=now)
    planner.plan_children(children)
    planner.plan_mace()
    planner.plan_disruption()
    planner.plan_break_glass()
    steps = sorted(planner.steps, key=lambda s: (s.at, s.seq))
    say(f"Planned {len(steps):,} steps for {len(planner.plans)} children in "
        f"{time_module.perf_counter() - started:.1f} s")
    before = _counts()
    with transaction.atomic(), SimulatedClock() as clock:
        for n, step in enumerate(steps, start=1):
            clock.moment = step.at
            try:
                step.run()
            except Exception as error:
                raise ActivityError(f"Step {n} ({step.label}, {step.at:%Y-%m-%d %H:%M}) was refused: "
                                    f"{getattr(error, 'message_dict', None) or error}") from error
            if n % 1000 == 0:
                say(f"  {n:,} of {len(steps):,} steps")
        clock.moment = None
        after = _counts()
        added = {key: after[key] - before[key] for key in after}
        record_event("synthetic.activity_seeded", target=partnership, details={
            "seed": seed, "children": len(planner.plans), "steps": len(steps), "database": connection.vendor,
            "first_day": timezone.localdate(steps[0].at).isoformat() if steps else None,
            "last_day": timezone.localdate(steps[-1].at).isoformat() if steps else None,
            **{k: v for k, v in added.items() if k != "audit_events"}})
    return ActivityResult(
        children=len(planner.plans), steps=len(steps), counts=added,
        first_day=timezone.localdate(steps[0].at) if steps else planner.today,
        last_day=timezone.localdate(steps[-1].at) if steps else planner.today,
        seconds=time_module.perf_counter() - started)
