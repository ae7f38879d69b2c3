"""Scoring a few candidate pairs in real time: an imported record, or a search, against people already known.

TECH-NOTES: for the real-time path, block with the indexed person keys first and score the few candidates,
rather than running a Splink job per request. So the candidates come from the database (wrekin.people.search
style key lookups, done by the caller), and this module scores them:

- with the partnership's **trained Splink model** when one is installed (`wrekin install_linkage_model`): the
  same comparisons and m/u weights as `wrekin link`, through Splink's `compare_records` on an in-memory DuckDB
  with the pairs joined by id (only the pairs asked for are compared, never a cartesian product);
- otherwise with the **people search's scorer** (`wrekin.people.search.score_person`), the foundation's rules.

Either way every pair comes back with its explanation field by field (agreed, partly agreed, disagreed or
missing, and for the model the weight each field added), and with the verdict of the linkage engine's conflict
guard: two records that cannot be one person (two valid NHS numbers, dates of birth years apart, given names that
do not fit -- the twins) are never linked automatically, whatever the score.

Term-frequency adjustments are left out of real-time scoring: a trained model's JSON carries no frequency tables,
and a handful of candidates says nothing about how common a name is. The m and u weights are the model's own.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from rapidfuzz.distance import JaroWinkler, Levenshtein

from wrekin.linkage.extracts import (
    CANONICAL_FIELDS,
    DERIVED_FIELDS,
    Extract,
    ParsedDate,
    normalise_address,
    normalise_name_cached,
    normalise_nhs_number_for_linkage,
    normalise_phone_for_linkage,
    normalise_postcode_for_linkage,
    normalise_sex,
    normalise_upn_for_linkage,
    parse_date_of_birth,
)
from wrekin.linkage.features import FEATURE_SOURCES, FEATURE_TYPES, build_features, given_names_compatible
from wrekin.people.names import name_key

DEFAULT_AUTO_THRESHOLD = 0.95
DEFAULT_REVIEW_THRESHOLD = 0.6

# Short labels for the comparisons, as the review screens show them.
FIELD_LABELS: dict[str, str] = {
    "first_name": "Given name",
    "middle_names": "Middle names",
    "family_name": "Family name",
    "date_of_birth": "Date of birth",
    "residence": "Address and postcode",
    "town": "Town",
    "nhs_number": "NHS number",
    "upn": "UPN",
    "sex": "Sex",
    "phone": "Phone",
    "email": "Email",
}

AGREED, PARTIAL, DISAGREED, MISSING = "agreed", "partial", "disagreed", "missing"
STATUS_LABELS = {AGREED: "Agreed", PARTIAL: "Partly agreed", DISAGREED: "Disagreed", MISSING: "Missing"}


def thresholds() -> tuple[float, float]:
    """(automatic link, review) match probabilities, from WREKIN_LINK_AUTO and WREKIN_LINK_REVIEW."""
    from django.conf import settings

    def read(name: str, default: float) -> float:
        raw = getattr(settings, name, None) or os.environ.get(name) or default
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise ValueError(f"{name} must be a probability between 0 and 1, not {raw!r}") from None
        if not 0 < value <= 1:
            raise ValueError(f"{name} must be a probability between 0 and 1, not {raw!r}")
        return value

    auto = read("WREKIN_LINK_AUTO", DEFAULT_AUTO_THRESHOLD)
    review = read("WREKIN_LINK_REVIEW", DEFAULT_REVIEW_THRESHOLD)
    if review > auto:
        raise ValueError("WREKIN_LINK_REVIEW must not be above WREKIN_LINK_AUTO")
    return auto, review


@dataclass
class FieldAgreement:
    field: str  # the comparison's name, e.g. "first_name"
    label: str  # e.g. "Given name"
    status: str  # agreed / partial / disagreed / missing
    level: str  # the comparison level in words, e.g. "nickname or variant of the same name"
    weight: float | None = None  # match weight the field added (log2 of its Bayes factor); model only

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "label": self.label, "status": self.status, "level": self.level,
                "weight": None if self.weight is None else round(self.weight, 3)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FieldAgreement:
        return cls(field=data["field"], label=data["label"], status=data["status"], level=data.get("level", ""),
                   weight=data.get("weight"))


@dataclass
class PairScore:
    probability: float
    match_weight: float | None
    agreement: list[FieldAgreement]
    scorer: str  # "model" or "search"
    conflict: str = ""  # why these records cannot be one person ('' when nothing says so)
    model_id: int | None = None


@dataclass
class ScoredCandidate:
    person: Any
    probability: float
    agreement: list[FieldAgreement] = field(default_factory=list)
    match_weight: float | None = None
    conflict: str = ""

    # score_with_model's documented shape is a (person, probability, field_agreement) triple
    def __iter__(self):
        return iter((self.person, self.probability, self.agreement))


# --- Canonical records ------------------------------------------------------------------------------------

def empty_record() -> dict[str, Any]:
    return dict.fromkeys(CANONICAL_FIELDS + DERIVED_FIELDS)


def normalise_record(raw: dict[str, Any]) -> dict[str, Any]:
    """Canonical linkage values from values as typed or stored (names, a date, a postcode...).

    Raises ValueError for a date of birth that is not a date, as the extract reader does.
    """
    record = empty_record()
    record["record_id"] = str(raw.get("record_id") or "")
    for name in ("given_name", "middle_names", "family_name", "known_as", "town"):
        value = raw.get(name)
        record[name] = normalise_name_cached(str(value)) if value else None
    dob = raw.get("date_of_birth")
    parsed = parse_date_of_birth(dob) if dob not in (None, "") else ParsedDate(None, None, None)
    record["date_of_birth"] = parsed.iso
    record["birth_year"] = parsed.year or _int_or_none(raw.get("birth_year"))
    record["dob_precision"] = parsed.precision or ("year" if record["birth_year"] else None)
    sex = raw.get("sex")
    record["sex"] = normalise_sex(str(sex))[0] if sex else None
    address = raw.get("address")
    record["address"] = normalise_address(str(address)) if address else None
    postcode = raw.get("postcode")
    if postcode:
        record["postcode"], valid = normalise_postcode_for_linkage(str(postcode))
        record["postcode_valid"] = valid if record["postcode"] else None
    for name, normaliser in (("nhs_number", normalise_nhs_number_for_linkage), ("upn", normalise_upn_for_linkage),
                             ("phone", normalise_phone_for_linkage)):
        value = raw.get(name)
        if value:
            record[name], record[f"{name}_valid"] = normaliser(str(value))
    email = raw.get("email")
    record["email"] = str(email).strip().lower() or None if email else None
    return record


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def person_record(person, *, addresses: Sequence | None = None, phones: Sequence | None = None) -> dict[str, Any]:
    """A person as one canonical linkage record: their current address and first phone.

    Pass `addresses` and `phones` when they were prefetched (an import scores thousands of people).
    """
    if addresses is None:
        addresses = list(person.addresses.all())
    if phones is None:
        phones = list(person.phones.all())
    current = [a for a in addresses if a.valid_to is None] or list(addresses)
    address = current[0] if current else None
    raw: dict[str, Any] = {
        "record_id": str(person.pk),
        "given_name": person.given_name,
        "middle_names": person.middle_names,
        "family_name": person.family_name,
        "known_as": person.known_as,
        "date_of_birth": person.date_of_birth,
        "birth_year": person.birth_year,
        "sex": person.sex if person.sex in ("F", "M") else None,
        "address": address.line1 if address else None,
        "town": address.town if address else None,
        "postcode": address.postcode if address else None,
        "nhs_number": person.nhs_number,
        "upn": person.upn,
        "phone": phones[0].number if phones else None,
    }
    return normalise_record(raw)


# --- The trained model ------------------------------------------------------------------------------------

def current_model(partnership_id: int | None):
    """The model to score with for a partnership: its own current one, else the shared current one, else None."""
    from wrekin.linkage.models import LinkageModel

    models = LinkageModel.objects.filter(is_current=True)
    own = models.filter(partnership_id=partnership_id).first() if partnership_id else None
    return own or models.filter(partnership__isnull=True).first()


def model_sha256(splink_settings: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(splink_settings, sort_keys=True).encode()).hexdigest()


@lru_cache(maxsize=8)
def _prepared(sha: str, settings_json: str) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """The model ready for pairwise scoring (DuckDB spelling, no tf), and its levels per comparison."""
    from wrekin.linkage.model import settings_for_dialect

    settings = settings_for_dialect(json.loads(settings_json), "duckdb")
    settings["link_type"] = "dedupe_only"
    settings["retain_matching_columns"] = False
    settings["retain_intermediate_calculation_columns"] = True
    levels: dict[str, list[dict[str, Any]]] = {}
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            level.pop("tf_adjustment_column", None)
            level.pop("tf_adjustment_weight", None)
        levels[comparison["output_column_name"]] = [level for level in comparison["comparison_levels"]
                                                    if not level.get("is_null_level")]
    return settings, levels


def _as_extract(records: Sequence[dict[str, Any]]) -> Extract:
    columns = {name: [record.get(name) for record in records] for name in CANONICAL_FIELDS + DERIVED_FIELDS}
    return Extract(source="pairs", path=Path("pairs"), columns=columns, mapping={f: f for f in CANONICAL_FIELDS})


def _features(records: Sequence[dict[str, Any]]):
    import pyarrow as pa

    columns = list(FEATURE_SOURCES)
    features = build_features(_as_extract(records), columns)
    arrays = {"unique_id": pa.array(range(len(records)), pa.int64())}
    for name in columns:
        arrays[name] = pa.array(features[name], FEATURE_TYPES.get(name, pa.string()))
    return pa.table(arrays)


class _ScratchDatabase(threading.local):
    """An in-memory DuckDB database per thread, kept between scorings.

    Opening one (and Splink's API over it, which opens a second) costs about 35 ms, about as much as scoring
    the candidates of a search. DuckDB connections are not shared between threads, and one opened
    before a fork must not be used after it, so each thread of each process keeps its own.
    """

    api = None
    pid = 0


_scratch = _ScratchDatabase()


def _scratch_api():
    import duckdb
    from splink import DuckDBAPI

    if _scratch.api is None or _scratch.pid != os.getpid():
        _scratch.api = DuckDBAPI(connection=duckdb.connect(":memory:"))
        _scratch.pid = os.getpid()
    return _scratch.api


def _clear_scratch(db_api) -> None:
    """Drop what one scoring left behind, so the kept database does not grow; on any doubt, start afresh."""
    connection = db_api.duckdb_con
    try:
        rows = connection.execute(
            "SELECT table_name, table_type FROM information_schema.tables WHERE starts_with(table_name, '__splink__')"
        ).fetchall()
        for name, kind in rows:
            if kind == "VIEW":
                connection.unregister(name)
            else:
                connection.execute(f'DROP TABLE IF EXISTS "{name}"').fetchall()
        # Splink remembers every table it made; the list would grow with every search.
        db_api._intermediate_table_cache.executed_queries.clear()
        db_api._created_tables.clear()
    except Exception:
        _scratch.api = None
        connection.close()
        raise


def _score_with_splink(pairs: Sequence[tuple[dict, dict]], model) -> list[PairScore]:
    from splink.internals.realtime import compare_records

    sha = model.sha256 or model_sha256(model.splink_settings)
    settings, levels = _prepared(sha, json.dumps(model.splink_settings, sort_keys=True))
    left = _features([pair[0] for pair in pairs])
    right = _features([pair[1] for pair in pairs])
    db_api = _scratch_api()
    try:
        predictions = compare_records(left, right, copy.deepcopy(settings), db_api,
                                      sql_cache_key=f"wrekin-realtime-{sha}",
                                      join_condition="l.unique_id = r.unique_id")
        # the table name is the one Splink made, never user input
        table = db_api.duckdb_con.sql(f"SELECT * FROM {predictions.physical_name}").to_arrow_table()  # noqa: S608 # nosec B608
    finally:
        _clear_scratch(db_api)
    by_pair: dict[int, dict[str, Any]] = {row["unique_id_l"]: row for row in table.to_pylist()}
    scores = []
    for index, (left_record, right_record) in enumerate(pairs):
        row = by_pair[index]
        agreement = []
        for comparison, non_null in levels.items():
            gamma = row.get(f"gamma_{comparison}")
            weight = row.get(f"mw_{comparison}")
            if gamma is None:
                continue
            if gamma < 0:
                status, level = MISSING, "missing on one side or both"
            else:
                level = non_null[len(non_null) - 1 - gamma]["label_for_charts"]
                top = len(non_null) - 1
                status = AGREED if gamma == top else DISAGREED if gamma == 0 else PARTIAL
            agreement.append(FieldAgreement(field=comparison, label=FIELD_LABELS.get(comparison, comparison),
                                            status=status, level=level, weight=weight))
        scores.append(PairScore(probability=float(row["match_probability"]), match_weight=float(row["match_weight"]),
                                agreement=agreement, scorer="model", model_id=model.pk,
                                conflict=conflict_reason(left_record, right_record)))
    return scores


# --- Without a model: the people search's scorer ----------------------------------------------------------

def _transient_person(record: dict[str, Any], other_names: Iterable = ()):
    """An unsaved Person carrying a record's values, for score_person (which reads a person's other names)."""
    from wrekin.people.models import Person

    dob = date.fromisoformat(record["date_of_birth"]) if record.get("date_of_birth") else None
    person = Person(pk=-1, given_name=record.get("given_name") or "", family_name=record.get("family_name") or "",
                    known_as=record.get("known_as") or "", date_of_birth=dob)
    person.birth_year = record.get("birth_year")
    person._prefetched_objects_cache = {"other_names": list(other_names)}
    return person


def _query_for(record: dict[str, Any]):
    from wrekin.people.search import ParsedQuery

    names = [token for token in ((record.get("given_name") or "").split()[:1]
                                 + (record.get("family_name") or "").split()) if token]
    dob = date.fromisoformat(record["date_of_birth"]) if record.get("date_of_birth") else None
    return ParsedQuery(names=names[:4], date_of_birth=dob, birth_year=record.get("birth_year"),
                       birth_month=dob.month if dob else None)


def _score_with_search(left: dict[str, Any], right: dict[str, Any], right_person=None) -> PairScore:
    from wrekin.people.search import score_person

    query = _query_for(left)
    probability = 0.0
    if query.names:
        match = score_person(query, right_person if right_person is not None else _transient_person(right))
        probability = match.score if match else 0.0
    conflict = conflict_reason(left, right)
    for identifier in ("nhs_number", "upn"):
        # One valid identifier in common is the strongest evidence two agencies have; the search's scorer reads
        # only names and birth, so it is given its due here (the guard still vetoes different valid numbers).
        if left.get(f"{identifier}_valid") and left.get(identifier) == right.get(identifier) and not conflict:
            probability = max(probability, 0.97)
    return PairScore(probability=round(probability, 4), match_weight=None, agreement=compare_fields(left, right),
                     scorer="search", conflict=conflict)


def compare_fields(left: dict[str, Any], right: dict[str, Any]) -> list[FieldAgreement]:
    """Field by field, in words, without a model: how the two records' values compare."""
    out: list[FieldAgreement] = []

    def add(name: str, status: str, level: str) -> None:
        out.append(FieldAgreement(field=name, label=FIELD_LABELS[name], status=status, level=level))

    first_l = _first(left.get("given_name")) or _first(left.get("known_as"))
    first_r = _first(right.get("given_name")) or _first(right.get("known_as"))
    if not first_l or not first_r:
        add("first_name", MISSING, "missing on one side or both")
    elif first_l == first_r:
        add("first_name", AGREED, "same first name")
    elif given_names_compatible(first_l, first_r):
        add("first_name", PARTIAL, "nickname or variant of the same name")
    elif JaroWinkler.normalized_similarity(first_l, first_r) >= 0.88 or name_key(first_l) == name_key(first_r):
        add("first_name", PARTIAL, "first name spelt similarly")
    elif (len(first_l) == 1 or len(first_r) == 1) and first_l[0] == first_r[0]:
        add("first_name", PARTIAL, "initial matches the name")
    else:
        add("first_name", DISAGREED, "different first names")

    middle_l, middle_r = left.get("middle_names"), right.get("middle_names")
    if middle_l and middle_r:
        add("middle_names", AGREED if middle_l == middle_r else DISAGREED,
            "same middle names" if middle_l == middle_r else "different middle names")

    family_l, family_r = left.get("family_name"), right.get("family_name")
    if not family_l or not family_r:
        add("family_name", MISSING, "missing on one side or both")
    elif family_l == family_r:
        add("family_name", AGREED, "same family name")
    elif name_key(family_l) == name_key(family_r):
        add("family_name", PARTIAL, "family name sounds the same")
    elif family_l in family_r or family_r in family_l:
        add("family_name", PARTIAL, "one family name contains the other (double-barrelled)")
    elif JaroWinkler.normalized_similarity(family_l, family_r) >= 0.88:
        add("family_name", PARTIAL, "family name spelt similarly")
    else:
        add("family_name", DISAGREED, "different family names")

    dob_l, dob_r = left.get("date_of_birth"), right.get("date_of_birth")
    year_l, year_r = left.get("birth_year"), right.get("birth_year")
    if dob_l and dob_r:
        if dob_l == dob_r:
            add("date_of_birth", AGREED, "same date of birth")
        elif dob_l[:4] == dob_r[:4] and dob_l[5:7] == dob_r[8:10] and dob_l[8:10] == dob_r[5:7]:
            add("date_of_birth", PARTIAL, "day and month swapped")
        elif sum(a == b for a, b in zip(dob_l.split("-"), dob_r.split("-"), strict=True)) >= 2:
            add("date_of_birth", PARTIAL, "two of day, month and year agree")
        else:
            add("date_of_birth", DISAGREED, "different dates of birth")
    elif year_l and year_r:
        add("date_of_birth", PARTIAL if abs(year_l - year_r) <= 1 else DISAGREED,
            "same year, only the year known on one side" if year_l == year_r
            else "born within a year" if abs(year_l - year_r) <= 1 else "born years apart")
    else:
        add("date_of_birth", MISSING, "missing on one side or both")

    post_l, post_r = left.get("postcode"), right.get("postcode")
    addr_l, addr_r = left.get("address"), right.get("address")
    if not (post_l or addr_l) or not (post_r or addr_r):
        add("residence", MISSING, "no address on one side or both")
    elif post_l and post_l == post_r and addr_l and addr_l == addr_r:
        add("residence", AGREED, "same address and postcode")
    elif (post_l and post_l == post_r) or (addr_l and addr_l == addr_r):
        add("residence", PARTIAL, "same postcode" if post_l == post_r else "same address line")
    elif post_l and post_r and post_l.split(" ")[0] == post_r.split(" ")[0]:
        add("residence", PARTIAL, "same postcode district")
    else:
        add("residence", DISAGREED, "different addresses")

    for name, label in (("nhs_number", "NHS number"), ("upn", "UPN")):
        value_l, value_r = left.get(name), right.get(name)
        if not value_l or not value_r:
            add(name, MISSING, "missing on one side or both")
        elif value_l == value_r:
            add(name, AGREED, f"same {label}")
        elif Levenshtein.distance(value_l, value_r) <= 2:
            add(name, PARTIAL, f"{label} differs by a typo")
        else:
            add(name, DISAGREED, f"different {label}s")
    for name in ("sex", "phone", "email"):
        value_l, value_r = left.get(name), right.get(name)
        if not value_l or not value_r:
            add(name, MISSING, "missing on one side or both")
        else:
            what = FIELD_LABELS[name].lower()
            add(name, AGREED if value_l == value_r else DISAGREED,
                f"same {what}" if value_l == value_r else f"different {what}")
    return out


def _first(value: str | None) -> str | None:
    return value.split(" ", 1)[0] if value else None


# --- The conflict guard -----------------------------------------------------------------------------------

def conflict_reason(left: dict[str, Any], right: dict[str, Any]) -> str:
    """Why two records cannot be one person, in words; '' when nothing says so. The engine's own guard."""
    from wrekin.linkage.engine import _RecordView

    view = _RecordView([_as_extract([left, right])])
    if not view.conflict(0, 1):
        return ""
    if (view.nhs[0] and view.nhs[1]) and view.nhs[0] != view.nhs[1]:
        return "the records hold two different valid NHS numbers"
    if (view.upn[0] and view.upn[1]) and view.upn[0] != view.upn[1]:
        return "the records hold two different valid UPNs"
    if view._born_apart(0, 1):
        return "the dates of birth are years apart"
    return "the given names do not fit one person (for example twins, or a brother and sister)"


# --- The public functions ---------------------------------------------------------------------------------

def score_pairs(pairs: Sequence[tuple[dict[str, Any], dict[str, Any]]], *, model=None,
                right_people: Sequence | None = None) -> list[PairScore]:
    """Score (left record, right record) pairs, in order. With a model, one Splink call for all of them.

    `right_people`, when given, are the Person rows behind the right-hand records: the search's scorer then reads
    their other names and aliases too.
    """
    if not pairs:
        return []
    if model is not None:
        return _score_with_splink(pairs, model)
    people = right_people if right_people is not None else [None] * len(pairs)
    return [_score_with_search(left, right, person) for (left, right), person in zip(pairs, people, strict=True)]


def score_with_model(query_record: dict[str, Any], candidates: Iterable, *, partnership_id: int | None = None,
                     model=None, other_readings: Sequence[dict[str, Any]] = ()) -> list[ScoredCandidate]:
    """Score candidate people against a record being searched for or recorded, best first.

    `query_record`: canonical fields as typed, e.g. {"given_name": "Danny", "family_name": "Smith",
    "date_of_birth": "2010-03-04", "postcode": "TF1 2AB"} (any of CANONICAL_FIELDS; dates as date objects or in
    the extract formats). `candidates`: Person rows already limited by the access policy and narrowed by indexed
    keys (wrekin.people.search.candidate_people). Uses the partnership's trained model when one is installed,
    else the people search's scorer. Each result unpacks as (person, probability, field_agreement).

    `other_readings`: other ways to read the same query (free text does not say which name is the family name);
    every reading is scored in the same single model call and each person keeps their best.
    """
    people = list(candidates)
    if not people:
        return []
    if model is None:
        model = current_model(partnership_id if partnership_id is not None else people[0].partnership_id)
    readings = [normalise_record(record) for record in (query_record, *other_readings)]
    records = [person_record(person) for person in people]
    pairs = [(reading, record) for reading in readings for record in records]
    scores = score_pairs(pairs, model=model, right_people=people * len(readings))
    best: dict[int, PairScore] = {}
    for index, score in enumerate(scores):
        person_index = index % len(people)  # pairs run reading by reading, person by person
        kept = best.get(person_index)
        if kept is None or score.probability > kept.probability:  # ties keep the first (the typed) reading
            best[person_index] = score
    results = [ScoredCandidate(person=person, probability=best[i].probability, agreement=best[i].agreement,
                               match_weight=best[i].match_weight, conflict=best[i].conflict)
               for i, person in enumerate(people)]
    results.sort(key=lambda result: (-result.probability, result.person.pk))
    return results
