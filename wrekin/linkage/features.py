"""The columns the linkage model compares, derived from canonical extract fields.

Everything here is computed once in Python, before the data reaches Splink, so DuckDB and Spark compare
exactly the same values (the two engines must agree on the same data). Keys are phonetic (Metaphone, the
same key the people search uses) so Smith/Smyth and Mohammed/Muhammad block together.

Given names: practitioners record "Bill", "Will", "William", "Jay" for "Jayden". `first_name_forms` holds a
name's *canonical forms*: the name itself, the formal names the `nicknames` dataset says it can stand for, and
its group in Wrekin's own variant table (wrekin/people/data/name_variants.yaml, which partnerships extend).
Two names are treated as the same name when their forms overlap. Canonical forms, not every nickname: a
twin "Alexander" and a twin "Alexandra" share the nickname "Alex" but not a canonical form, and must not
look like one child.
"""

from __future__ import annotations

from functools import lru_cache

import pyarrow as pa
from nicknames import NickNamer

from wrekin.linkage.extracts import Extract
from wrekin.people.names import name_key

# Columns handed to Splink, with the canonical fields each needs.
FEATURE_SOURCES: dict[str, tuple[str, ...]] = {
    "first_name": ("given_name", "known_as"),
    "first_initial": ("given_name", "known_as"),
    "first_name_key": ("given_name", "known_as"),
    "first_name_forms": ("given_name", "known_as"),
    "middle_names": ("middle_names",),
    "family_name": ("family_name",),
    "family_name_key": ("family_name",),
    "dob": ("date_of_birth",),
    "birth_year": ("date_of_birth",),
    "birth_month": ("date_of_birth",),
    "birth_day": ("date_of_birth",),
    "sex": ("sex",),
    "address": ("address",),
    "town": ("town",),
    "postcode": ("postcode",),
    "postcode_sector": ("postcode",),
    "postcode_district": ("postcode",),
    "nhs_number": ("nhs_number",),
    "upn": ("upn",),
    "phone": ("phone",),
    "email": ("email",),
}

FEATURE_TYPES: dict[str, pa.DataType] = {
    "first_name_forms": pa.list_(pa.string()),
    "birth_year": pa.int32(),
    "birth_month": pa.int32(),
    "birth_day": pa.int32(),
}


@lru_cache(maxsize=1)
def _nicknamer() -> NickNamer:
    return NickNamer()


@lru_cache(maxsize=1)
def _variant_representatives() -> dict[str, str]:
    """Each name in Wrekin's variant table -> one representative of its group (its groups, merged)."""
    # The people app owns the variant table and its loading (including WREKIN_NAME_VARIANTS_FILE).
    from wrekin.people.search import given_name_variant_groups

    return {name: min(members) for name, members in given_name_variant_groups().items()}


@lru_cache(maxsize=1 << 16)
def canonical_forms(name: str) -> frozenset[str]:
    """The canonical forms a (normalised, single-word) given name may stand for, itself included."""
    if not name:
        return frozenset()
    forms = {name} | set(_nicknamer().canonicals_of(name))
    representative = _variant_representatives().get(name)
    if representative:
        forms.add("~" + representative)  # marked: a group id, not a name
    return frozenset(forms)


def given_names_compatible(left: str | None, right: str | None) -> bool:
    """Could these two first names be the same person's (same, nickname, or variant)?"""
    if not left or not right:
        return True
    if left == right:
        return True
    return bool(canonical_forms(left) & canonical_forms(right))


def _first_token(value: str | None) -> str | None:
    if not value:
        return None
    return value.split(" ", 1)[0]


@lru_cache(maxsize=1 << 18)
def _name_key(value: str) -> str | None:
    return name_key(value) or None


@lru_cache(maxsize=1 << 16)
def _forms_list(first: str | None, known_as: str | None) -> tuple[str, ...] | None:
    forms: set[str] = set()
    for name in (first, known_as):
        if name:
            forms |= canonical_forms(name)
    return tuple(sorted(forms)) or None


def feature_columns(extract: Extract) -> list[str]:
    """The feature columns this extract can fill (a field that was not mapped gives no column)."""
    present = set(extract.mapping)
    return [name for name, needs in FEATURE_SOURCES.items() if present.intersection(needs)]


def build_features(extract: Extract, columns: list[str]) -> dict[str, list]:
    """Feature values for every record of one extract; columns it cannot fill are all null."""
    n = len(extract)
    data = extract.columns
    none = [None] * n
    given = data.get("given_name", none)
    known = data.get("known_as", none)
    first_names: list[str | None] = []
    known_first: list[str | None] = []
    for g, k in zip(given, known, strict=True):
        first = _first_token(g)
        alias = _first_token(k)
        first_names.append(first or alias)
        known_first.append(alias)

    out: dict[str, list] = {}
    wanted = set(columns)
    if "first_name" in wanted:
        out["first_name"] = first_names
    if "first_initial" in wanted:
        out["first_initial"] = [f[0] if f else None for f in first_names]
    if "first_name_key" in wanted:
        out["first_name_key"] = [_name_key(f) if f else None for f in first_names]
    if "first_name_forms" in wanted:
        out["first_name_forms"] = [list(forms) if (forms := _forms_list(f, k)) else None
                                   for f, k in zip(first_names, known_first, strict=True)]
    family = data.get("family_name", none)
    if "family_name" in wanted:
        out["family_name"] = family
    if "family_name_key" in wanted:
        out["family_name_key"] = [_name_key(f) if f else None for f in family]
    if "middle_names" in wanted:
        out["middle_names"] = data.get("middle_names", none)
    dob = data.get("date_of_birth", none)
    if "dob" in wanted:
        out["dob"] = dob
    if "birth_year" in wanted:
        out["birth_year"] = data.get("birth_year", none) if "date_of_birth" in extract.mapping else none
    if "birth_month" in wanted:
        out["birth_month"] = [int(d[5:7]) if d else None for d in dob]
    if "birth_day" in wanted:
        out["birth_day"] = [int(d[8:10]) if d else None for d in dob]
    postcode = data.get("postcode", none)
    valid = data.get("postcode_valid", none)
    if "postcode" in wanted:
        out["postcode"] = postcode
    if "postcode_sector" in wanted:  # "TF1 2AB" -> "TF1 2": a few streets
        out["postcode_sector"] = [p[:-2] if p and v else None for p, v in zip(postcode, valid, strict=True)]
    if "postcode_district" in wanted:  # "TF1": a town or part of one
        out["postcode_district"] = [p.split(" ", 1)[0] if p and v else None
                                    for p, v in zip(postcode, valid, strict=True)]
    for name in ("sex", "address", "town", "nhs_number", "upn", "phone", "email"):
        if name in wanted:
            out[name] = data.get(name, none)
    for name in columns:
        out.setdefault(name, none)
    return out


def features_table(extracts: list[Extract], columns: list[str], *, first_uid: int = 0) -> pa.Table:
    """A pyarrow table of features for Splink, with integer unique ids numbered across all inputs."""
    pieces = []
    uid = first_uid
    for extract in extracts:
        features = build_features(extract, columns)
        n = len(extract)
        arrays = {"unique_id": pa.array(range(uid, uid + n), pa.int64()),
                  "source_dataset": pa.array([extract.source] * n, pa.string())}
        for name in columns:
            arrays[name] = pa.array(features[name], FEATURE_TYPES.get(name, pa.string()))
        pieces.append(pa.table(arrays))
        uid += n
    return pa.concat_tables(pieces)

