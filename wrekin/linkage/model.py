"""The Splink model for linking people: comparisons, blocking rules and training.

The model compares only the columns the extracts actually have (an extract without NHS numbers gives no NHS
number comparison), so one command serves a police extract with names and a rough age as well as a health
extract with NHS numbers.

SQL is written once, in DuckDB's spelling, and translated for Spark by `to_dialect`: the functions used are
deliberately few (equality, abs, length, substr, contains, levenshtein, Jaro-Winkler, array overlap) so the
translation is a short table that tests check, and a model trained on one engine scores on the other.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlglot
from splink import Linker, SettingsCreator, block_on
from splink.internals.exceptions import EMTrainingException

# DuckDB spelling -> Spark spelling (Splink registers jaro_winkler on Spark from its bundled jar).
_DUCKDB_TO_SPARK = {"jaro_winkler_similarity": "jaro_winkler", "list_has_any": "arrays_overlap"}
_SPARK_TO_DUCKDB = {spark: duck for duck, spark in _DUCKDB_TO_SPARK.items()}

# Training sizes: enough pairs for stable estimates, few enough for 1M records on 2 cores.
U_MAX_PAIRS = 1e7
EM_MAX_PAIRS = 3e6
SEED = 20240611


def to_dialect(sql: str, dialect: str) -> str:
    """Translate a model's SQL between DuckDB and Spark spellings."""
    table = _DUCKDB_TO_SPARK if dialect == "spark" else _SPARK_TO_DUCKDB
    for source, target in table.items():
        sql = re.sub(rf"\b{source}\s*\(", f"{target}(", sql, flags=re.IGNORECASE)
    return sql


def _blocking_rule_to_dialect(rule: str, source: str, dialect: str) -> str:
    """Blocking rules quote identifiers ("dob" in DuckDB, `dob` in Spark): let sqlglot translate them."""
    if source == dialect:
        return rule
    return to_dialect(sqlglot.transpile(rule, read=source, write=dialect)[0], dialect)


def settings_for_dialect(settings: dict[str, Any], dialect: str) -> dict[str, Any]:
    """A copy of a Splink settings dict (or saved model) with every SQL condition in `dialect`."""
    settings = copy.deepcopy(settings)
    for comparison in settings.get("comparisons", []):
        for level in comparison.get("comparison_levels", []):
            if isinstance(level.get("sql_condition"), str):
                level["sql_condition"] = to_dialect(level["sql_condition"], dialect)
    source = settings.get("sql_dialect") or "duckdb"  # a model without one is in Wrekin's house spelling
    rules = []
    for rule in settings.get("blocking_rules_to_generate_predictions", []):
        if isinstance(rule, dict):
            rule = {**rule, "blocking_rule": _blocking_rule_to_dialect(rule["blocking_rule"], source, dialect)}
            rule.pop("sql_dialect", None)
        elif isinstance(rule, str):
            rule = _blocking_rule_to_dialect(rule, source, dialect)
        rules.append(rule)
    settings["blocking_rules_to_generate_predictions"] = rules
    settings["sql_dialect"] = dialect
    return settings


def model_columns(settings: dict[str, Any]) -> set[str]:
    """Feature columns a saved model refers to (so missing ones can be supplied as null)."""
    text = json.dumps([settings.get("comparisons", []), settings.get("blocking_rules_to_generate_predictions", [])])
    return set(re.findall(r"\b([a-z_]+?)_[lr]\b", text)) | set(re.findall(r"\b[lr]\.\"?([a-z_]+)", text))


# --- Comparisons -----------------------------------------------------------------------------------------

def _null(*columns: str) -> dict[str, Any]:
    condition = " OR ".join(f"{c}_l IS NULL OR {c}_r IS NULL" for c in columns)
    return {"sql_condition": condition, "label_for_charts": "missing on either side", "is_null_level": True}


def _level(sql: str, label: str, tf: str | None = None) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if tf:
        level["tf_adjustment_column"] = tf
        level["tf_adjustment_weight"] = 1.0
    return level


_ELSE = {"sql_condition": "ELSE", "label_for_charts": "all other comparisons"}


def _comparison(name: str, description: str, levels: list[dict[str, Any]]) -> dict[str, Any]:
    return {"output_column_name": name, "comparison_description": description, "comparison_levels": levels}


def build_comparisons(columns: set[str]) -> list[dict[str, Any]]:
    """Comparisons for the feature columns that exist. Levels are tried in order; the first true one counts."""
    has = columns.__contains__
    comparisons: list[dict[str, Any]] = []
    if has("first_name"):
        levels = [_null("first_name"), _level("first_name_l = first_name_r", "same first name", tf="first_name")]
        if has("first_name_forms"):
            levels.append(_level("list_has_any(first_name_forms_l, first_name_forms_r)",
                                 "nickname or variant of the same name"))
        levels += [
            _level("jaro_winkler_similarity(first_name_l, first_name_r) >= 0.92", "first name spelt almost the same"),
            _level("damerau_levenshtein(first_name_l, first_name_r) <= 1", "first name differs by one typo"),
            _level("jaro_winkler_similarity(first_name_l, first_name_r) >= 0.8", "first name spelt similarly"),
            _level("(length(first_name_l) = 1 OR length(first_name_r) = 1) "
                   "AND substr(first_name_l, 1, 1) = substr(first_name_r, 1, 1)", "initial matches the name"),
            _ELSE,
        ]
        comparisons.append(_comparison("first_name", "First name (with nicknames, variants and initials)", levels))
    if has("middle_names"):
        comparisons.append(_comparison("middle_names", "Middle names", [
            _null("middle_names"),
            _level("middle_names_l = middle_names_r", "same middle names"),
            _level("jaro_winkler_similarity(middle_names_l, middle_names_r) >= 0.88", "middle names spelt similarly"),
            _ELSE,
        ]))
    if has("family_name"):
        levels = [_null("family_name"),
                  _level("family_name_l = family_name_r", "same family name", tf="family_name"),
                  _level("jaro_winkler_similarity(family_name_l, family_name_r) >= 0.92",
                         "family name spelt almost the same"),
                  _level("damerau_levenshtein(family_name_l, family_name_r) <= 1", "family name differs by one typo")]
        if has("family_name_key"):
            levels.append(_level("family_name_key_l = family_name_key_r", "family name sounds the same"))
        levels += [
            _level("contains(family_name_l, family_name_r) OR contains(family_name_r, family_name_l)",
                   "one family name contains the other (double-barrelled)"),
            _level("jaro_winkler_similarity(family_name_l, family_name_r) >= 0.8", "family name spelt similarly"),
            _ELSE,
        ]
        comparisons.append(_comparison("family_name", "Family name", levels))
    if has("birth_year"):
        comparisons.append(_comparison("date_of_birth", "Date of birth (full, swapped, partial or approximate)", [
            _null("birth_year"),
            _level("dob_l = dob_r", "same date of birth"),
            _level("birth_year_l = birth_year_r AND birth_month_l = birth_day_r AND birth_day_l = birth_month_r",
                   "day and month swapped"),
            _level("(birth_month_l = birth_month_r AND birth_day_l = birth_day_r) OR (birth_year_l = birth_year_r "
                   "AND (birth_month_l = birth_month_r OR birth_day_l = birth_day_r))",
                   "two of day, month and year agree"),
            _level("birth_year_l = birth_year_r AND (dob_l IS NULL OR dob_r IS NULL)",
                   "same year, only the year known on one side"),
            _level("abs(birth_year_l - birth_year_r) <= 1", "born within a year"),
            _ELSE,
        ]))
    residence = [c for c in ("postcode", "address") if has(c)]
    if residence:
        null = " OR ".join(f"({' AND '.join(f'{c}_{side} IS NULL' for c in residence)})" for side in "lr")
        levels = [{"sql_condition": null, "label_for_charts": "no address on either side", "is_null_level": True}]
        if has("postcode") and has("address"):
            levels.append(_level("postcode_l = postcode_r AND address_l = address_r", "same address and postcode"))
        if has("postcode"):
            levels.append(_level("postcode_l = postcode_r", "same postcode", tf="postcode"))
        if has("address"):
            levels.append(_level("address_l = address_r", "same address line"))
            levels.append(_level("jaro_winkler_similarity(address_l, address_r) >= 0.92",
                                 "address line spelt almost the same"))
        if has("postcode_sector"):
            levels.append(_level("postcode_sector_l = postcode_sector_r", "same postcode sector"))
        if has("postcode_district"):
            levels.append(_level("postcode_district_l = postcode_district_r", "same postcode district"))
        levels.append(_ELSE)
        comparisons.append(_comparison("residence", "Where they live (address and postcode together)", levels))
    elif has("town"):
        comparisons.append(_comparison("town", "Town", [_null("town"), _level("town_l = town_r", "same town"),
                                                         _ELSE]))
    for column, label in (("nhs_number", "NHS number"), ("upn", "UPN")):
        if has(column):
            comparisons.append(_comparison(column, label, [
                _null(column),
                _level(f"{column}_l = {column}_r", f"same {label}"),
                _level(f"levenshtein({column}_l, {column}_r) <= 2", f"{label} differs by a typo"),
                _ELSE,
            ]))
    for column, label in (("sex", "Sex"), ("phone", "Phone"), ("email", "Email")):
        if has(column):
            comparisons.append(_comparison(column, label, [
                _null(column), _level(f"{column}_l = {column}_r", f"same {label.lower()}"), _ELSE]))
    return comparisons


# --- Blocking --------------------------------------------------------------------------------------------

# Each rule is cheap on its own; together they find the pair whatever one agency got wrong.
_PREDICTION_RULES: list[tuple[str, ...]] = [
    ("nhs_number",),
    ("upn",),
    ("phone",),
    ("email",),
    ("dob", "family_name_key"),  # moved house, nickname
    ("dob", "first_name_key"),  # changed family name
    ("dob", "postcode"),  # changed family name and a nickname, still at home
    ("postcode", "family_name_key"),  # date of birth wrong or missing
    ("postcode", "first_name_key"),  # date of birth missing and family name changed
    ("family_name_key", "birth_year", "first_initial"),  # moved, day and month swapped or mistyped
    ("first_name_key", "family_name_key", "postcode_district"),  # moved nearby, date of birth missing
]

_TRAINING_RULES: list[tuple[str, ...]] = [
    ("dob",),  # trains names, residence, identifiers
    # trains date of birth; the district keeps namesakes (many "Jack Smith"s) from swamping the true matches
    ("first_name_key", "family_name_key", "postcode_district"),
    ("postcode",),  # trains names and date of birth when the others are missing
]
_FALLBACK_TRAINING_RULE = ("first_name_key", "family_name_key")

# Floors on m: on small extracts EM can drive a level's m towards zero (m = 1e-170 for "family name has a
# typo"), which would let one mistyped letter veto a match. Disagreement is weighed by the model, within
# reason; the veto for records that cannot be one person is the conflict guard's, and it says why.
MIN_M_ELSE = 0.01
MIN_M_LEVEL = 0.0005

_DETERMINISTIC_RULES: list[tuple[str, ...]] = [
    ("nhs_number",),
    ("first_name", "family_name", "dob"),
]


def prediction_rules(columns: set[str]) -> list[tuple[str, ...]]:
    rules = [rule for rule in _PREDICTION_RULES if columns.issuperset(rule)]
    if not rules and columns.issuperset({"first_name_key", "family_name_key"}):
        rules.append(("first_name_key", "family_name_key"))
    return rules


def build_settings(columns: set[str], *, link_type: str) -> dict[str, Any]:
    """A Splink settings dict (DuckDB spelling) for the columns the extracts have."""
    comparisons = build_comparisons(columns)
    if not comparisons:
        raise ValueError("the extracts share no fields to compare: map at least names and a date of birth")
    rules = prediction_rules(columns)
    if not rules:
        raise ValueError("the extracts have no fields to find candidate pairs with: map a date of birth, "
                         "postcode, names or an identifier")
    creator = SettingsCreator(
        link_type=link_type,
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=[block_on(*rule) for rule in rules],
        retain_matching_columns=False,
        retain_intermediate_calculation_columns=False,
        max_iterations=20,
        em_convergence=0.001,
    )
    settings = creator.create_settings_dict("duckdb")
    settings["sql_dialect"] = "duckdb"
    return settings


def train(linker: Linker, columns: set[str], *, record_count: int,
          progress: Callable[[str], None] = lambda _: None) -> None:
    """Train from the data itself: u by random sampling, m by EM over several blocking rules."""
    deterministic = [block_on(*rule) for rule in _DETERMINISTIC_RULES if columns.issuperset(rule)]
    if deterministic:
        progress("  estimating how often two records are the same person")
        linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
    total_pairs = record_count * (record_count - 1) / 2
    progress("  estimating u (how often values agree by chance) by random sampling")
    linker.training.estimate_u_using_random_sampling(max_pairs=min(U_MAX_PAIRS, max(total_pairs, 1)), seed=SEED)
    rules = [rule for rule in _TRAINING_RULES if columns.issuperset(rule)]
    if not any("dob" not in rule and "birth_year" not in rule and "first_name_key" in rule for rule in rules) \
            and columns.issuperset(_FALLBACK_TRAINING_RULE):
        rules.append(_FALLBACK_TRAINING_RULE)
    for rule in rules:
        progress(f"  estimating m by expectation maximisation on pairs blocked by {' + '.join(rule)}")
        # Splink 5.0.0 narrows the linker's own settings to the comparisons a session can train and puts them
        # back only when the session succeeds: keep a copy so a rule with no pairs (small extracts) loses nothing.
        snapshot = linker._settings_obj.core_model_settings.copy()
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                block_on(*rule), max_pairs=EM_MAX_PAIRS, estimate_without_term_frequencies=True)
        except (EMTrainingException, ValueError) as error:
            # No pairs for this rule, or (small extracts) EM drove a probability to exactly zero, which Splink
            # refuses: the other rules still train the model.
            linker._settings_obj.core_model_settings = snapshot
            progress(f"    skipped: {str(error).splitlines()[0]}")


def regularise(settings: dict[str, Any]) -> dict[str, Any]:
    """Apply the floors on m (see MIN_M_ELSE) to a trained model; returns a copy."""
    settings = copy.deepcopy(settings)
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            m = level.get("m_probability")
            if level.get("is_null_level") or m is None:
                continue
            floor = MIN_M_ELSE if level.get("sql_condition") == "ELSE" else MIN_M_LEVEL
            level["m_probability"] = max(m, floor)
    return settings


def load_model(path: Path) -> dict[str, Any]:
    try:
        settings = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"cannot read the model {path}: {error}") from None
    if not isinstance(settings, dict) or "comparisons" not in settings:
        raise ValueError(f"{path} is not a Splink model (no comparisons)")
    return settings
