"""Agency extracts: read a CSV or XLSX file of person records into Wrekin's canonical linkage fields.

An extract is whatever an agency's system exports: its own column names, its own date format, names in
capitals, NHS numbers with spaces. This module maps the source columns onto the canonical fields,
normalises every value the same way the rest of Wrekin does (names, postcodes, NHS numbers, phones), and
reports *every* faulty row with its row number, column and reason before anything is linked: a linkage
run on half an extract would silently lose people.

Row numbers are spreadsheet rows: the header is row 1, the first record row 2, so an operator can open
the file and go straight to the fault.

The reader is used by the `wrekin link` command and is meant to be reused by the import screens; it does
not touch the database.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import phonenumbers

from wrekin.people.identifiers import nhs_number_check_digit_ok, parse_postcode, upn_check_letter
from wrekin.people.names import normalise_name

# The canonical person fields for linkage, in output order. `record_id` is the source's own key.
CANONICAL_FIELDS: tuple[str, ...] = (
    "record_id",
    "given_name",
    "middle_names",
    "family_name",
    "known_as",
    "date_of_birth",
    "sex",
    "address",
    "town",
    "postcode",
    "nhs_number",
    "upn",
    "phone",
    "email",
)

# Columns the reader adds beside the canonical ones (derived, never mapped from a source column).
DERIVED_FIELDS: tuple[str, ...] = (
    "birth_year",  # int; known when the date of birth is full or year-only
    "dob_precision",  # "day", "year" or None
    "nhs_number_valid",  # bool or None when absent
    "upn_valid",
    "postcode_valid",
    "phone_valid",
)

DATE_FORMATS_HELP = "YYYY-MM-DD, DD/MM/YYYY, YYYYMMDD, or a year alone (YYYY) when only the year is known"
MAX_FAULTS_SHOWN = 50

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_DAY_FIRST = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_YEAR = re.compile(r"(\d{4})")
_ISO_DATETIME = re.compile(r"(\d{4}-\d{1,2}-\d{1,2})[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?")
_ADDRESS_JUNK = re.compile(r"[^a-z0-9 ]+")
_UK_MOBILE = re.compile(r"07\d{9}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

_SEX_VALUES = {
    "m": "M", "male": "M", "man": "M", "boy": "M", "1": "M",
    "f": "F", "female": "F", "woman": "F", "girl": "F", "2": "F",
    "x": "X", "other": "X", "non-binary": "X", "nonbinary": "X", "indeterminate": "X", "i": "X", "9": "X",
    "u": None, "unknown": None, "not known": None, "not stated": None, "0": None, "": None,
}


@dataclass(frozen=True)
class ExtractFault:
    """One problem in an extract: where it is and what is wrong, in words an operator can act on."""

    file: str
    row: int | None  # spreadsheet row (header = 1); None for a fault of the whole file
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.reason}"


class ExtractError(Exception):
    """The extract cannot be linked as it is. Carries every fault found, not just the first."""

    def __init__(self, faults: Sequence[ExtractFault]):
        self.faults = list(faults)
        super().__init__(self.summary())

    def summary(self, limit: int = MAX_FAULTS_SHOWN) -> str:
        files = sorted({fault.file for fault in self.faults})
        lines = [f"{len(self.faults)} problem(s) in {', '.join(files)}; nothing was linked."]
        lines += [f"  {fault}" for fault in self.faults[:limit]]
        if len(self.faults) > limit:
            lines.append(f"  ... and {len(self.faults) - limit} more")
        return "\n".join(lines)


@dataclass
class Extract:
    """One agency extract, column by column (lists, so a million rows stay compact)."""

    source: str  # the file's name without extension: how the output names where a record came from
    path: Path
    columns: dict[str, list]
    mapping: dict[str, str]  # canonical field -> source column actually used
    warnings: list[ExtractFault] = field(default_factory=list)  # kept values that look wrong (flagged)

    def __len__(self) -> int:
        return len(self.columns["record_id"])

    @property
    def fields(self) -> list[str]:
        """The canonical fields this extract has (mapped from a source column)."""
        return [name for name in CANONICAL_FIELDS if name in self.mapping]


# --- Value parsers: each returns the canonical value, or raises ValueError with the reason -------------

@dataclass(frozen=True)
class ParsedDate:
    iso: str | None  # "YYYY-MM-DD" when the full date is known
    year: int | None
    precision: str | None  # "day" | "year" | None


_NO_DATE = ParsedDate(None, None, None)


def parse_date_of_birth(value: object) -> ParsedDate:
    """A date of birth as agencies write it. Year-only ("2009") is an approximate date, not an error."""
    if value is None:
        return _NO_DATE
    if isinstance(value, datetime):  # spreadsheets hand dates over as datetimes
        value = value.date()
    if isinstance(value, date):
        return ParsedDate(value.isoformat(), value.year, "day")
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(int(value)) if float(value).is_integer() else str(value)
    return _parse_date_text(str(value).strip())


@lru_cache(maxsize=1 << 16)
def _parse_date_text(text: str) -> ParsedDate:
    if not text:
        return _NO_DATE
    if match := _ISO_DATETIME.fullmatch(text):  # "2009-03-04 00:00:00" from a database export
        text = match.group(1)
    if match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DAY_FIRST.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _COMPACT.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _YEAR.fullmatch(text):
        year = int(match.group(1))
        if not 1900 <= year <= 2100:
            raise ValueError(f"'{text}' is not a plausible year of birth")
        return ParsedDate(None, year, "year")
    else:
        raise ValueError(f"'{text}' is not a date in a recognised format ({DATE_FORMATS_HELP})")
    try:
        parsed = date(year, month, day)
    except ValueError:
        raise ValueError(f"'{text}' is not a real date (day {day}, month {month}, year {year})") from None
    if not 1900 <= parsed.year <= 2100:
        raise ValueError(f"'{text}' is not a plausible date of birth")
    return ParsedDate(parsed.isoformat(), parsed.year, "day")


@lru_cache(maxsize=1 << 18)
def normalise_name_cached(value: str) -> str | None:
    """normalise_name, remembered: a million records hold only a few thousand distinct names."""
    return normalise_name(value) or None


@lru_cache(maxsize=1 << 16)
def normalise_sex(value: str) -> tuple[str | None, bool]:
    """Returns (M/F/X or None, recognised?)."""
    key = value.strip().lower()
    if key in _SEX_VALUES:
        return _SEX_VALUES[key], True
    return None, False


@lru_cache(maxsize=1 << 18)
def normalise_postcode_for_linkage(value: str) -> tuple[str | None, bool]:
    """(postcode, valid?). An invalid postcode is kept in upper case: part of it may still match."""
    text = value.strip()
    if not text:
        return None, True
    postcode = parse_postcode(text)
    if postcode:
        return postcode, True
    return " ".join(text.upper().split()), False


def normalise_nhs_number_for_linkage(value: str) -> tuple[str | None, bool | None]:
    """Digits only; an NHS number that fails its check digit is kept (a typo can still link) but flagged."""
    digits = re.sub(r"\D", "", value)
    if not digits:
        return None, None
    return digits, len(digits) == 10 and nhs_number_check_digit_ok(digits)


def normalise_upn_for_linkage(value: str) -> tuple[str | None, bool | None]:
    upn = re.sub(r"[\s\-]", "", value).upper()
    if not upn:
        return None, None
    valid = bool(re.fullmatch(r"[A-Z]\d{11}[0-9A-Z]", upn))
    if valid:
        try:
            valid = upn_check_letter(upn[1:]) == upn[0]
        except ValueError:  # a letter outside the DfE alphabet
            valid = False
    return upn, valid


def normalise_phone_for_linkage(value: str) -> tuple[str | None, bool | None]:
    """E.164 for anything phonenumbers calls possible (drama numbers included); else digits, flagged."""
    text = value.strip()
    if not text:
        return None, None
    compact = re.sub(r"[\s\-()]", "", text)
    if _UK_MOBILE.fullmatch(compact):  # the common case, without a full parse (a million rows)
        return "+44" + compact[1:], True
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        number = None
    if number is not None and phonenumbers.is_possible_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), True
    digits = re.sub(r"\D", "", text)
    return (digits or None), False


@lru_cache(maxsize=1 << 18)
def normalise_address(value: str) -> str | None:
    text = _ADDRESS_JUNK.sub(" ", value.lower())
    return " ".join(text.split()) or None


# --- Reading files ---------------------------------------------------------------------------------------

def source_name(path: Path | str) -> str:
    """How the output names an input: its file name without extension."""
    return Path(path).stem


def _header_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def resolve_mapping(headers: Sequence[str], id_column: str, mapping: dict[str, str],
                    file: str) -> tuple[dict[str, int], list[ExtractFault]]:
    """Canonical field -> column index. Explicit --map first; otherwise a header named like the field."""
    faults: list[ExtractFault] = []
    index_by_header: dict[str, int] = {}
    for index, header in enumerate(headers):
        if header in index_by_header:
            faults.append(ExtractFault(file, 1, header, "this column name appears twice in the header"))
        index_by_header.setdefault(header, index)
    loose = {_header_key(header): index for index, header in reversed(list(enumerate(headers)))}

    def find(column: str) -> int | None:
        if column in index_by_header:
            return index_by_header[column]
        return loose.get(_header_key(column))

    wanted = dict(mapping)
    wanted["record_id"] = id_column
    resolved: dict[str, int] = {}
    available = ", ".join(f"'{h}'" for h in headers) or "none"
    for canonical, column in wanted.items():
        if canonical not in CANONICAL_FIELDS:
            faults.append(ExtractFault(file, None, None, f"'{canonical}' is not a linkage field; the fields are "
                                                         f"{', '.join(CANONICAL_FIELDS)}"))
            continue
        index = find(column)
        if index is None:
            what = "the --id column" if canonical == "record_id" else f"mapped to {canonical}"
            faults.append(ExtractFault(file, 1, column, f"there is no such column ({what}); "
                                                        f"the columns are: {available}"))
            continue
        resolved[canonical] = index
    used = set(resolved.values())
    for canonical in CANONICAL_FIELDS:
        if canonical in resolved:
            continue
        index = loose.get(_header_key(canonical))
        if index is not None and index not in used:
            resolved[canonical] = index
            used.add(index)
    return resolved, faults


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")  # also strips the byte-order mark Excel writes
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ExtractError([ExtractFault(
            path.name, line, None,
            f"the file is not UTF-8 encoded (byte 0x{data[error.start]:02x} on line {line} is not valid UTF-8); "
            "save it as 'CSV UTF-8' and try again",
        )]) from None


def _csv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    text = _decode(path, path.read_bytes())
    # The delimiter is the header's: agencies export with commas, semicolons (European Excel) or tabs.
    header_line = text.split("\n", 1)[0]
    delimiter = max(",;\t|", key=header_line.count) if any(c in header_line for c in ",;\t|") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    row_number = 0
    try:
        for row in reader:
            row_number += 1
            yield row_number, row
    except csv.Error as error:
        raise ExtractError([ExtractFault(path.name, row_number + 1, None, f"the CSV is malformed: {error}")]) from None


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list]]:
    import zipfile

    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        raise ExtractError([ExtractFault(path.name, None, None, f"this is not a readable XLSX workbook ({error})")]) \
            from None
    try:
        sheet = workbook.worksheets[0]
        for row_number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            values = list(row)
            while values and values[-1] in (None, ""):  # spreadsheets pad rows with empty cells
                values.pop()
            yield row_number, ["" if value is None else value for value in values]
    finally:
        workbook.close()


def _rows(path: Path) -> Iterator[tuple[int, list]]:
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_rows(path)
    return _csv_rows(path)


def _text(value: object) -> str:
    """A cell as text: spreadsheets give numbers for NHS numbers and phones."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def read_extract(path: Path | str, *, id_column: str, mapping: dict[str, str] | None = None,
                 source: str | None = None) -> Extract:
    """Read and normalise one extract, or raise ExtractError listing every fault (row, column, reason)."""
    path = Path(path)
    file = path.name
    if not path.is_file():
        raise ExtractError([ExtractFault(file, None, None, "the file does not exist")])
    rows = _rows(path)
    header_row = next(rows, None)
    if header_row is None or not any(_text(cell) for cell in header_row[1]):
        raise ExtractError([ExtractFault(file, 1, None, "the file is empty: the first row must name the columns")])
    headers = [_text(cell) for cell in header_row[1]]
    resolved, faults = resolve_mapping(headers, id_column, mapping or {}, file)
    if faults:
        raise ExtractError(faults)

    columns: dict[str, list] = {name: [] for name in resolved}
    for name in DERIVED_FIELDS:
        columns[name] = []
    warnings: list[ExtractFault] = []
    first_row_of_id: dict[str, int] = {}
    width = len(headers)
    items = list(resolved.items())
    date_index = resolved.get("date_of_birth")

    for row_number, row in rows:
        if not row or all(_text(cell) == "" for cell in row):
            continue  # blank lines (a trailing newline, a spacer row) are not records
        if len(row) != width and not (len(row) < width and path.suffix.lower() in (".xlsx", ".xlsm")):
            faults.append(ExtractFault(file, row_number, None,
                                       f"this row has {len(row)} fields but the header has {width}; "
                                       "check for a stray comma or an unquoted value"))
            continue
        row_faults_before = len(faults)
        values: dict[str, object] = {}
        for canonical, index in items:
            cell = row[index] if index < len(row) else ""
            column = headers[index]
            if canonical == "date_of_birth":
                continue
            text = _text(cell)
            if canonical == "record_id":
                if not text:
                    faults.append(ExtractFault(file, row_number, column, "the record id is empty"))
                elif text in first_row_of_id:
                    faults.append(ExtractFault(file, row_number, column,
                                               f"record id '{text}' is already used on row {first_row_of_id[text]}; "
                                               "each record needs its own id"))
                else:
                    first_row_of_id[text] = row_number
                values[canonical] = text
            elif canonical in ("given_name", "middle_names", "family_name", "known_as", "town"):
                values[canonical] = normalise_name_cached(text) if text else None
            elif canonical == "sex":
                sex, recognised = normalise_sex(text)
                if not recognised:
                    warnings.append(ExtractFault(file, row_number, column, f"'{text}' is not a recorded sex "
                                                                           "Wrekin knows; treated as not known"))
                values["sex"] = sex
            elif canonical == "address":
                values["address"] = normalise_address(text) if text else None
            elif canonical == "postcode":
                values["postcode"], valid = normalise_postcode_for_linkage(text)
                values["postcode_valid"] = valid if values["postcode"] else None
                if not valid:
                    warnings.append(ExtractFault(file, row_number, column, "not a valid UK postcode; kept as given"))
            elif canonical == "nhs_number":
                values["nhs_number"], values["nhs_number_valid"] = normalise_nhs_number_for_linkage(text)
                if values["nhs_number_valid"] is False:
                    warnings.append(ExtractFault(file, row_number, column,
                                                 "NHS number fails its check digit; kept but flagged"))
            elif canonical == "upn":
                values["upn"], values["upn_valid"] = normalise_upn_for_linkage(text)
                if values["upn_valid"] is False:
                    warnings.append(ExtractFault(file, row_number, column, "UPN fails its check letter; kept"))
            elif canonical == "phone":
                values["phone"], values["phone_valid"] = normalise_phone_for_linkage(text)
            elif canonical == "email":
                email = text.lower() or None
                if email and not _EMAIL.fullmatch(email):
                    warnings.append(ExtractFault(file, row_number, column, "not an email address; kept as given"))
                values["email"] = email
        parsed = _NO_DATE
        if date_index is not None:
            cell = row[date_index] if date_index < len(row) else ""
            try:
                parsed = parse_date_of_birth(cell if not isinstance(cell, str) else cell.strip())
            except ValueError as error:
                faults.append(ExtractFault(file, row_number, headers[date_index], str(error)))
        if len(faults) > row_faults_before:
            continue
        for canonical in resolved:
            if canonical == "date_of_birth":
                columns[canonical].append(parsed.iso)
            else:
                columns[canonical].append(values.get(canonical))
        columns["birth_year"].append(parsed.year)
        columns["dob_precision"].append(parsed.precision)
        columns["nhs_number_valid"].append(values.get("nhs_number_valid"))
        columns["upn_valid"].append(values.get("upn_valid"))
        columns["postcode_valid"].append(values.get("postcode_valid"))
        columns["phone_valid"].append(values.get("phone_valid"))

    if not first_row_of_id and not faults:
        faults.append(ExtractFault(file, None, None, "the file has a header but no records"))
    if faults:
        raise ExtractError(faults)
    used_mapping = {canonical: headers[index] for canonical, index in resolved.items()}
    return Extract(source=source or source_name(path), path=path, columns=columns, mapping=used_mapping,
                   warnings=warnings)


def parse_mapping_options(options: Iterable[str], sources: Sequence[str]) -> dict[str | None, dict[str, str]]:
    """Parse `--map` values: `canonical=column` for every input, or `SOURCE:canonical=column` for one.

    Returns {source or None (all inputs): {canonical: column}}. Raises ValueError with a usable message.
    """
    parsed: dict[str | None, dict[str, str]] = {}
    for option in options:
        if "=" not in option:
            raise ValueError(f"--map '{option}' should look like canonical=column (e.g. given_name=Forename)")
        left, column = option.split("=", 1)
        scope: str | None = None
        if ":" in left:
            prefix, rest = left.split(":", 1)
            if prefix in sources:
                scope, left = prefix, rest
        left = left.strip()
        if left not in CANONICAL_FIELDS:
            raise ValueError(f"--map '{option}': '{left}' is not a linkage field; the fields are "
                             f"{', '.join(CANONICAL_FIELDS)}")
        if left == "record_id":
            raise ValueError("--map cannot set record_id: use --id for the id column")
        parsed.setdefault(scope, {})[left] = column.strip()
    return parsed


def parse_id_options(options: Iterable[str], sources: Sequence[str]) -> dict[str | None, str]:
    """Parse `--id` values: `COLUMN` for every input, or `SOURCE:COLUMN` for one input."""
    parsed: dict[str | None, str] = {}
    for option in options:
        scope: str | None = None
        column = option
        if ":" in option:
            prefix, rest = option.split(":", 1)
            if prefix in sources:
                scope, column = prefix, rest
        parsed[scope] = column.strip()
    return parsed
