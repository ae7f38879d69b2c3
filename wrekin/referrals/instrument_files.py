"""Screening instruments as data: finding, reading and validating the YAML files.

An instrument is a YAML file (see instruments/wrekin-exploitation-v1.yaml for the shape).
Wrekin ships one in wrekin/referrals/instruments/; an area adds its own instrument, or a new
version of one, by dropping a file into the directory named by WREKIN_INSTRUMENTS_DIR and
running `wrekin load_instruments` — no code changes. Storing them in the database is
`actions.load_instruments`; this module only reads files and says clearly what is wrong.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

SHIPPED_DIR = Path(__file__).resolve().parent / "instruments"
DEFAULT_INSTRUMENT_CODE = "wrekin-exploitation"

CATEGORIES = ("vulnerability", "risk_indicator", "evidence_of_harm")
TYPES = ("cse", "cce", "both")
ANSWERS = ("present", "possible", "not_present", "not_known")
WINDOWS = ("last_3_months", "last_6_months", "historic")
DEFAULT_ANSWER_FACTORS = {"present": 1, "possible": 0.5, "not_present": 0, "not_known": 0}
DEFAULT_WINDOW_FACTORS = {"last_3_months": 1, "last_6_months": 0.75, "historic": 0.5}

_CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")
_TOP_LEVEL = {"code", "version", "title", "description", "grades", "override_floor", "review_months",
              "scoring", "indicators"}
_INDICATOR_KEYS = {"code", "text", "hint", "category", "type", "weight", "disclosure"}
_GRADE_KEYS = {"code", "label", "description"}


class InstrumentFileError(Exception):
    """A file that cannot be loaded, with the reason in words an operator can act on."""


@dataclass(frozen=True)
class InstrumentFile:
    path: Path
    sha256: str
    definition: dict[str, Any]

    @property
    def code(self) -> str:
        return self.definition["code"]

    @property
    def version(self) -> int:
        return self.definition["version"]


def configured_instruments_dir() -> Path | None:
    value = getattr(settings, "WREKIN_INSTRUMENTS_DIR", None) or os.environ.get("WREKIN_INSTRUMENTS_DIR", "")
    return Path(value) if value else None


def current_instrument_code() -> str:
    """The instrument new referrals and screenings use (its highest loaded version)."""
    return (getattr(settings, "WREKIN_SCREENING_INSTRUMENT", None)
            or os.environ.get("WREKIN_SCREENING_INSTRUMENT", "") or DEFAULT_INSTRUMENT_CODE)


def instrument_dirs() -> list[Path]:
    dirs = [SHIPPED_DIR]
    extra = configured_instruments_dir()
    if extra is not None:
        if not extra.is_dir():
            raise InstrumentFileError(f"WREKIN_INSTRUMENTS_DIR is {extra}, which is not a directory")
        dirs.append(extra)
    return dirs


def discover_files(dirs: list[Path] | None = None) -> list[Path]:
    found: list[Path] = []
    for directory in dirs if dirs is not None else instrument_dirs():
        found.extend(sorted(p for p in directory.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file()))
    return found


def read_instrument_file(path: Path) -> InstrumentFile:
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        raise InstrumentFileError(f"{path}: not valid YAML: {error}") from None
    return InstrumentFile(path=path, sha256=hashlib.sha256(raw).hexdigest(),
                          definition=validate_definition(data, source=str(path)))


def _number(value: Any, where: str, *, minimum: float = 0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise InstrumentFileError(f"{where} must be a number of at least {minimum:g}")
    return value


def _text(value: Any, where: str, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise InstrumentFileError(f"{where} must be some text")
    return value.strip()


def _code(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _CODE.match(value):
        raise InstrumentFileError(
            f"{where} must be a code of lower-case letters, digits, '_' or '-' (got {value!r})")
    return value


def _unknown_keys(mapping: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise InstrumentFileError(f"{where}: unknown key{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
                                  f"(allowed: {', '.join(sorted(allowed))})")


def _factors(given: Any, defaults: dict, keys: tuple[str, ...], where: str) -> dict[str, float]:
    if given is None:
        return dict(defaults)
    if not isinstance(given, dict):
        raise InstrumentFileError(f"{where} must be a mapping of {', '.join(keys)} to numbers")
    _unknown_keys(given, set(keys), where)
    return {key: _number(given.get(key, defaults[key]), f"{where}.{key}") for key in keys}


def validate_definition(data: Any, *, source: str = "instrument") -> dict[str, Any]:
    """Check an instrument's shape and return it with every default filled in.

    Strict on purpose: a misspelt key in a safeguarding tool should stop the load, not be ignored.
    """
    if not isinstance(data, dict):
        raise InstrumentFileError(f"{source}: the file must be a YAML mapping with code, version, title, "
                                  "grades and indicators")
    try:
        _unknown_keys(data, _TOP_LEVEL, "top level")
        for key in ("code", "version", "title", "grades", "indicators", "override_floor"):
            if key not in data:
                raise InstrumentFileError(f"'{key}' is missing")
        code = _code(data["code"], "code")
        version = data["version"]
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise InstrumentFileError(f"version must be a whole number of 1 or more (got {version!r})")

        grades = data["grades"]
        if not isinstance(grades, list) or len(grades) < 2:
            raise InstrumentFileError("grades must be a list of at least two grades, lowest first")
        clean_grades = []
        for n, grade in enumerate(grades, start=1):
            where = f"grade {n}"
            if not isinstance(grade, dict):
                raise InstrumentFileError(f"{where} must be a mapping with code and label")
            _unknown_keys(grade, _GRADE_KEYS, where)
            clean_grades.append({"code": _code(grade.get("code"), f"{where} code"),
                                 "label": _text(grade.get("label"), f"{where} label"),
                                 "description": _text(grade.get("description"), f"{where} description",
                                                      required=False)})
        grade_codes = [g["code"] for g in clean_grades]
        if len(set(grade_codes)) != len(grade_codes):
            raise InstrumentFileError("two grades have the same code")
        floor = data["override_floor"]
        if floor not in grade_codes:
            raise InstrumentFileError(f"override_floor {floor!r} is not one of the grades ({', '.join(grade_codes)})")
        if grade_codes.index(floor) == 0:
            raise InstrumentFileError("override_floor cannot be the lowest grade: the override rules would do nothing")

        review_months = data.get("review_months", 3)
        if isinstance(review_months, bool) or not isinstance(review_months, int) or not 1 <= review_months <= 24:
            raise InstrumentFileError("review_months must be a whole number from 1 to 24")

        scoring = data.get("scoring") or {}
        if not isinstance(scoring, dict):
            raise InstrumentFileError("scoring must be a mapping with answers and windows")
        _unknown_keys(scoring, {"answers", "windows"}, "scoring")

        indicators = data["indicators"]
        if not isinstance(indicators, list) or not indicators:
            raise InstrumentFileError("indicators must be a list with at least one indicator")
        clean_indicators = []
        seen: set[str] = set()
        for n, indicator in enumerate(indicators, start=1):
            where = f"indicator {n}"
            if not isinstance(indicator, dict):
                raise InstrumentFileError(f"{where} must be a mapping with code, text, category and type")
            _unknown_keys(indicator, _INDICATOR_KEYS, where)
            indicator_code = _code(indicator.get("code"), f"{where} code")
            where = f"indicator {n} ({indicator_code})"
            if indicator_code in seen:
                raise InstrumentFileError(f"{where}: the code is used twice")
            seen.add(indicator_code)
            category = indicator.get("category")
            if category not in CATEGORIES:
                raise InstrumentFileError(f"{where}: category must be one of {', '.join(CATEGORIES)} "
                                          f"(got {category!r})")
            kind = indicator.get("type")
            if kind not in TYPES:
                raise InstrumentFileError(f"{where}: type must be one of {', '.join(TYPES)} (got {kind!r})")
            disclosure = indicator.get("disclosure", False)
            if not isinstance(disclosure, bool):
                raise InstrumentFileError(f"{where}: disclosure must be true or false")
            clean_indicators.append({
                "code": indicator_code,
                "text": _text(indicator.get("text"), f"{where} text"),
                "hint": _text(indicator.get("hint"), f"{where} hint", required=False),
                "category": category,
                "type": kind,
                "weight": _number(indicator.get("weight", 1), f"{where} weight"),
                "disclosure": disclosure,
            })
        return {
            "code": code,
            "version": version,
            "title": _text(data["title"], "title"),
            "description": _text(data.get("description"), "description", required=False),
            "grades": clean_grades,
            "override_floor": floor,
            "review_months": review_months,
            "scoring": {
                "answers": _factors(scoring.get("answers"), DEFAULT_ANSWER_FACTORS, ANSWERS, "scoring.answers"),
                "windows": _factors(scoring.get("windows"), DEFAULT_WINDOW_FACTORS, WINDOWS, "scoring.windows"),
            },
            "indicators": clean_indicators,
        }
    except InstrumentFileError as error:
        if str(error).startswith(source):
            raise
        raise InstrumentFileError(f"{source}: {error}") from None
