"""Search before create: find the person someone is about to record, however they typed them.

"Danny Smith 2010" must find "Daniel Smyth, born 4 March 2010". The database
narrows candidates by phonetic keys (indexed); each candidate is then scored
field by field, and every match says why it matched.

Two scorers, one candidate set. When the caller names the partnership (`partnership_id`) and that partnership
has a current trained linkage model (`wrekin install_linkage_model`), the candidates are scored with it through
wrekin.linkage.scoring.score_with_model -- the same comparisons and weights imports link with -- and each match
carries the model's match probability and the fields that agreed or disagreed. Otherwise the rules below score
them. Either way the candidates are only the people in the caller's queryset (the access policy's) that the
indexed keys find: the model never widens what a search can return.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml
from django.db.models import Q, QuerySet
from nicknames import NickNamer
from rapidfuzz.distance import JaroWinkler

from wrekin.people.models import Person, PersonName
from wrekin.people.names import name_key, normalise_name

MAX_CANDIDATES = 3000
MIN_SCORE = 0.62
# With a trained model, a candidate is shown from this match probability up. Low on purpose: a search that gives
# names alone cannot make any person likely (the model's prior is that two records are rarely one person), and
# before creating someone a possible match shown is cheap while a duplicate missed is not.
DEFAULT_MIN_MODEL_PROBABILITY = 0.01

_MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")],
        start=1,
    )
    for name in names
}
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_WORD_DATE = re.compile(r"\b(?:(\d{1,2})(?:st|nd|rd|th)?\s+)?([a-z]{3,9})\s+(\d{4})\b")
_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")
_AGE = re.compile(r"\b(?:aged?\s*)?(\d{1,2})\s*(?:yo|y/o|yrs?|years?(?:\s+old)?)\b|\baged?\s+(\d{1,2})\b")


@dataclass
class ParsedQuery:
    names: list[str] = field(default_factory=list)
    date_of_birth: date | None = None
    birth_month: int | None = None
    birth_year: int | None = None
    age: int | None = None


@dataclass
class PersonMatch:
    person: Person
    score: float  # the search's score, or the trained model's match probability when scorer == "model"
    reasons: list[str]
    scorer: str = "search"  # "search" (the rules here) or "model" (the partnership's trained linkage model)
    agreement: list = field(default_factory=list)  # the model's FieldAgreement per compared field
    conflict: str = ""  # why the linkage guard says the two cannot be one person ('' when nothing says so)


def parse_query(text: str, *, today: date | None = None) -> ParsedQuery:
    """Split free text into names and whatever it says about birth."""
    today = today or date.today()
    rest = (text or "").lower()
    parsed = ParsedQuery()

    def _take(match: re.Match) -> None:
        nonlocal rest
        rest = rest[: match.start()] + " " + rest[match.end():]

    if m := _ISO_DATE.search(rest):
        parsed.date_of_birth = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        _take(m)
    elif m := _NUMERIC_DATE.search(rest):
        year = int(m.group(3))
        if year < 100:
            year += 2000 if year <= today.year % 100 else 1900
        parsed.date_of_birth = _safe_date(year, int(m.group(2)), int(m.group(1)))
        _take(m)
    elif (m := _WORD_DATE.search(rest)) and m.group(2) in _MONTHS:
        month = _MONTHS[m.group(2)]
        if m.group(1):
            parsed.date_of_birth = _safe_date(int(m.group(3)), month, int(m.group(1)))
        parsed.birth_month = month
        parsed.birth_year = int(m.group(3))
        _take(m)
    if parsed.date_of_birth:
        parsed.birth_year = parsed.date_of_birth.year
        parsed.birth_month = parsed.date_of_birth.month
    if parsed.birth_year is None and (m := _YEAR.search(rest)):
        parsed.birth_year = int(m.group(1))
        _take(m)
    if m := _AGE.search(rest):
        parsed.age = int(m.group(1) or m.group(2))
        _take(m)
        if parsed.birth_year is None:
            parsed.birth_year = today.year - parsed.age
    parsed.names = [token for token in normalise_name(rest).split() if token not in _MONTHS][:4]
    return parsed


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# --- Name variants --------------------------------------------------------------

@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()


@lru_cache(maxsize=1)
def _variant_groups() -> dict[str, frozenset[str]]:
    path = Path(os.environ.get("WREKIN_NAME_VARIANTS_FILE", Path(__file__).parent / "data" / "name_variants.yaml"))
    groups: dict[str, set[str]] = {}
    with open(path, encoding="utf-8") as handle:
        for group in yaml.safe_load(handle)["groups"]:
            members = {normalise_name(name) for name in group}
            for member in members:
                groups.setdefault(member, set()).update(members)
    return {name: frozenset(members) for name, members in groups.items()}


def given_name_variant_groups() -> dict[str, frozenset[str]]:
    """The project's own variant table (name -> its group), for other matchers such as linkage."""
    return _variant_groups()


@lru_cache(maxsize=4096)
def given_name_variants(name: str) -> frozenset[str]:
    """Names that may stand for the same given name: nicknames, formal forms and local variants."""
    name = normalise_name(name)
    if not name:
        return frozenset()
    nicknamer = _nicknamer()
    variants = {name}
    canonicals = nicknamer.canonicals_of(name) | {name}
    variants |= canonicals
    for canonical in canonicals:
        variants |= nicknamer.nicknames_of(canonical)
    for member in list(variants):
        variants |= _variant_groups().get(member, frozenset())
    return frozenset(variants)


# --- Scoring ----------------------------------------------------------------------

def _given_similarity(token: str, candidate: str) -> tuple[float, str]:
    if not candidate:
        return 0.0, ""
    candidate = normalise_name(candidate)
    if token == candidate:
        return 1.0, "same given name"
    if len(token) == 1:
        return (0.7, "initial matches") if candidate.startswith(token) else (0.0, "")
    if candidate in given_name_variants(token):
        return 0.95, f"“{token.title()}” is a form of “{candidate.title()}”"
    similarity = JaroWinkler.normalized_similarity(token, candidate)
    if name_key(token) == name_key(candidate):
        return max(similarity, 0.9), "given name sounds the same"
    return similarity, "given name spelt similarly" if similarity >= 0.85 else ""


def _family_similarity(token: str, candidate: str) -> tuple[float, str]:
    if not candidate:
        return 0.0, ""
    candidate = normalise_name(candidate)
    compact = candidate.replace(" ", "")
    if token in (candidate, compact) or token in candidate.split():
        return 1.0, "same family name"
    similarity = JaroWinkler.normalized_similarity(token, compact)
    if name_key(token) == name_key(compact):
        return max(similarity, 0.9), "family name sounds the same"
    return similarity, "family name spelt similarly" if similarity >= 0.85 else ""


def _best(scorer, token: str, candidates: list[str]) -> tuple[float, str]:
    best = (0.0, "")
    for candidate in candidates:
        result = scorer(token, candidate)
        if result[0] > best[0]:
            best = result
    return best


def _birth_agreement(query: ParsedQuery, person: Person) -> tuple[float, str] | None:
    """None when the query says nothing about birth; otherwise a score and a reason."""
    if query.birth_year is None:
        return None
    dob = person.date_of_birth
    if dob is None:
        estimated = person.birth_year
        if estimated is None:
            return 0.5, "no date of birth recorded"
        if abs(estimated - query.birth_year) <= 1:
            return 0.75, "recorded age fits"
        return 0.0, ""
    if query.date_of_birth:
        qd = query.date_of_birth
        if dob == qd:
            return 1.0, "same date of birth"
        if dob.year == qd.year and dob.month == qd.day and dob.day == qd.month:
            return 0.85, "date of birth with day and month swapped"
        if dob.year == qd.year and (dob.month == qd.month or dob.day == qd.day):
            return 0.7, "date of birth partly agrees"
    if dob.year == query.birth_year:
        if query.birth_month and not query.date_of_birth:
            return (1.0, "born in that month") if dob.month == query.birth_month else (0.7, "born that year")
        return (0.8 if query.date_of_birth else 1.0), "born that year"
    if abs(dob.year - query.birth_year) == 1:
        return 0.45, "born a year apart"
    return 0.0, ""


def score_person(query: ParsedQuery, person: Person) -> PersonMatch | None:
    other_names = list(person.other_names.all())
    givens = [person.given_name, person.known_as, *[n.given_name for n in other_names]]
    families = [person.family_name, *[n.family_name for n in other_names]]
    tokens = query.names
    if not tokens:
        return None

    reasons: list[str] = []
    if len(tokens) == 1:
        given = _best(_given_similarity, tokens[0], givens)
        family = _best(_family_similarity, tokens[0], families)
        name_score, reason = max(given, family)
        reasons.append(reason)
        name_ok = name_score >= 0.85
    else:
        # First token is usually the given name and the last the family name; try the other way round too.
        orders = [(tokens[0], tokens[-1], 1.0), (tokens[-1], tokens[0], 0.95)]
        name_score, name_ok = 0.0, False
        for given_token, family_token, factor in orders:
            g_score, g_reason = _best(_given_similarity, given_token, givens)
            f_score, f_reason = _best(_family_similarity, family_token, families)
            combined = factor * (g_score + f_score) / 2
            if combined > name_score:
                name_score = combined
                reasons = [g_reason, f_reason]
                name_ok = g_score >= 0.7 and f_score >= 0.8
    if not name_ok:
        return None

    birth = _birth_agreement(query, person)
    if birth is None:
        score = name_score
    else:
        score = 0.7 * name_score + 0.3 * birth[0]
        reasons.append(birth[1])
        if birth[0] == 0.0:
            score -= 0.15
    if score < MIN_SCORE:
        return None
    return PersonMatch(person=person, score=round(score, 3), reasons=[r for r in reasons if r])


def candidate_people(queryset: QuerySet[Person], query: ParsedQuery) -> QuerySet[Person]:
    keys: set[str] = set()
    for token in query.names:
        if len(token) < 2:
            continue
        keys.add(name_key(token))
        keys.update(name_key(variant) for variant in given_name_variants(token))
    keys.discard("")
    if not keys:
        return queryset.none()
    alias_people = PersonName.objects.filter(Q(given_key__in=keys) | Q(family_key__in=keys)).values("person_id")
    matches = queryset.filter(
        Q(family_key__in=keys) | Q(given_key__in=keys) | Q(known_as_key__in=keys) | Q(pk__in=alias_people)
    )
    if query.birth_year is not None:
        # Keep people with no birth information: a missing date must not hide a match.
        matches = matches.filter(
            Q(birth_year__gte=query.birth_year - 2, birth_year__lte=query.birth_year + 2) | Q(birth_year__isnull=True)
        )
    return matches


def search_people(queryset: QuerySet[Person], text: str, *, limit: int = 25,
                  today: date | None = None, partnership_id: int | None = None) -> list[PersonMatch]:
    """Rank the people in `queryset` (already limited by the access policy) against free text.

    `partnership_id`: the searching user's partnership. When given and the partnership has a current trained
    linkage model, the candidates are scored with it (see the module docstring); without it, or with no model,
    the search's own rules score them.
    """
    query = parse_query(text, today=today)
    if not query.names:
        return []
    model = _current_model(partnership_id) if partnership_id is not None else None
    candidates = candidate_people(queryset, query).select_related("recorded_by_agency")
    if model is not None:
        # person_record reads the current address and first phone: fetched with the candidates, not per person.
        people = list(candidates.prefetch_related("other_names", "addresses", "phones")[:MAX_CANDIDATES])
        return _search_with_model(query, people, model=model, partnership_id=partnership_id)[:limit]
    matches = [match for person in candidates.prefetch_related("other_names")[:MAX_CANDIDATES]
               if (match := score_person(query, person))]
    matches.sort(key=lambda m: (-m.score, m.person.family_name, m.person.given_name, m.person.pk))
    return matches[:limit]


# --- With the partnership's trained linkage model ------------------------------------------------------------

def partnership_id_of(user) -> int | None:
    """The partnership whose trained model scores this user's searches (None: the user has no membership)."""
    partnership = getattr(user, "partnership", None)
    return partnership.pk if partnership is not None else None


def _current_model(partnership_id: int):
    from wrekin.linkage.scoring import current_model

    return current_model(partnership_id)


def min_model_probability() -> float:
    """The match probability from which a model-scored candidate is shown (WREKIN_SEARCH_MIN_PROBABILITY)."""
    from django.conf import settings

    raw = getattr(settings, "WREKIN_SEARCH_MIN_PROBABILITY", None)
    if raw is None:  # 0 is a choice (show every candidate), not a missing setting
        raw = os.environ.get("WREKIN_SEARCH_MIN_PROBABILITY") or DEFAULT_MIN_MODEL_PROBABILITY
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"WREKIN_SEARCH_MIN_PROBABILITY must be a probability, not {raw!r}") from None
    if not 0 <= value <= 1:
        raise ValueError(f"WREKIN_SEARCH_MIN_PROBABILITY must be between 0 and 1, not {raw!r}")
    return value


def query_records(query: ParsedQuery) -> list[dict]:
    """The query as linkage records: one per way of reading its names.

    Free text does not say which name is which: one name may be a given or a family name, and "Smyth Daniel" is
    family name first. Each reading is scored and a person keeps the best, as the search's own rules do.
    """
    birth: dict = {}
    if query.date_of_birth:
        birth["date_of_birth"] = query.date_of_birth
    elif query.birth_year is not None:
        birth["birth_year"] = query.birth_year  # a year (or an age) alone: compared as "year only"
    names = query.names
    if len(names) == 1:
        return [{"given_name": names[0], **birth}, {"family_name": names[0], **birth}]
    first = {"given_name": names[0], "family_name": names[-1], **birth}
    if len(names) > 2:
        first["middle_names"] = " ".join(names[1:-1])
    return [first, {"given_name": names[-1], "family_name": names[0], **birth}]


def _signed(weight: float) -> str:
    return f"{weight:+.1f}".replace("-", "\u2212")


def percent(probability: float) -> str:
    """A probability as people read it; a model is never certain, so it never says 100% (or 0%)."""
    if 0.999 < probability < 1:
        return "more than 99.9%"
    if 0 < probability < 0.001:
        return "less than 0.1%"
    return f"{probability:.1%}"


def model_reasons(probability: float, agreement: list, conflict: str) -> list[str]:
    """The model's judgement in words: its probability, then each field compared and the evidence it added."""
    reasons = [f"match probability {percent(probability)} (the partnership's trained linkage model)"]
    for item in agreement:
        if item.status == "missing":
            continue  # nothing was said about it on one side: no evidence either way
        level = "different" if item.status == "disagreed" else item.level
        weight = f" ({_signed(item.weight)})" if item.weight is not None else ""
        reasons.append(f"{item.label.lower()}: {level}{weight}")
    if conflict:
        reasons.append(f"could not be one person: {conflict}")
    return reasons


def _search_with_model(query: ParsedQuery, people: list[Person], *, model, partnership_id: int) -> list[PersonMatch]:
    from wrekin.linkage.scoring import score_with_model

    if not people:
        return []
    typed, *others = query_records(query)
    # One Splink call over the indexed candidates only, every reading of the names at once (never a linkage job);
    # each person keeps their best reading.
    scored = score_with_model(typed, people, partnership_id=partnership_id, model=model, other_readings=others)
    floor = min_model_probability()
    matches = [PersonMatch(person=result.person, score=round(result.probability, 4), scorer="model",
                           agreement=result.agreement, conflict=result.conflict,
                           reasons=model_reasons(result.probability, result.agreement, result.conflict))
               for result in scored if result.probability >= floor]
    matches.sort(key=lambda m: (-m.score, m.person.family_name, m.person.given_name, m.person.pk))
    return matches
