"""Importing an agency extract into Wrekin: read, check, link to the people already known, and save.

The file is read and checked by wrekin.linkage.extracts (the same reader as `wrekin link`, so every faulty row is
reported with its row, column and reason). A run then has two phases:

1. **Scoring** (reads only, progress written as it goes): each record is looked up in the agency's earlier
   imports by its own record id; candidates among the people the importer may see are found with the indexed
   person keys and identifiers (the real-time path TECH-NOTES recommends), and scored with the partnership's
   trained model, or the people search's scorer when none is installed (wrekin.linkage.scoring). Records of the
   extract are also compared with each other, to find an agency's own duplicates.
2. **Saving**, in one transaction: new records become people recorded by the agency (with its involvement), known
   records are updated or kept, confident matches are merged automatically (reversibly), uncertain ones go to the
   review queue. Any failure rolls the whole import back; the report is kept.

Decisions:
- at or above WREKIN_LINK_AUTO (0.95) a record is linked automatically (a reversible merge) -- unless the conflict
  guard says the two cannot be one person, or both people already hold a record of one agency ("one clean source":
  never merged without review, even through a third agency's record): then the pair is reviewed; between
  WREKIN_LINK_REVIEW (0.6) and that, it is reviewed; below, the record is a new person. One record links
  automatically to one person at most; its other likely matches are queued for review;
- a pair a reviewer rejected (or a merge someone undid) is never proposed again, and a pair already waiting for
  review is not queued twice;
- running the same extract again changes nothing that is already there: records are keyed by
  (agency, record id).
"""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from wrekin.audit.actions import record_event
from wrekin.linkage import extracts, scoring
from wrekin.linkage.extracts import CANONICAL_FIELDS, Extract, ExtractError, ExtractFault, read_extract
from wrekin.linkage.merges import MergeConflict, merge_group, perform_merge
from wrekin.linkage.models import (
    CandidateReason,
    CandidateStatus,
    ExtractImport,
    FileFormat,
    ImportStatus,
    MatchCandidate,
    MergeMethod,
    SourceRecord,
)
from wrekin.people.models import (
    Involvement,
    InvolvementKind,
    Person,
    PersonAddress,
    PersonPhone,
)
from wrekin.people.names import name_key

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
SUFFIXES = {".csv": FileFormat.CSV, ".xlsx": FileFormat.XLSX}
MAX_FAULTS_KEPT = 200
PREVIEW_ROWS = 10
RECORDS_PER_CHUNK = 500
MAX_CANDIDATES_PER_RECORD = 100
MAX_PAIRS_QUEUED_PER_RECORD = 3
# Within one extract, a blocking key shared by more records than this (a common name in one year) is too coarse
# to compare every pair; the other keys still find real duplicates.
MAX_BLOCK_SIZE = 50

FIELD_LABELS: dict[str, str] = {
    "record_id": "Record id",
    "given_name": "Given name",
    "middle_names": "Middle names",
    "family_name": "Family name",
    "known_as": "Known as",
    "date_of_birth": "Date of birth",
    "sex": "Sex",
    "address": "Address",
    "town": "Town",
    "postcode": "Postcode",
    "nhs_number": "NHS number",
    "upn": "UPN",
    "phone": "Phone",
    "email": "Email",
}

# Header names agencies use for each field (compared with case, spaces and punctuation removed).
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "record_id": ("recordid", "id", "personid", "clientid", "childid", "pupilid", "patientref", "patientid",
                  "nominalref", "nominalid", "ref", "reference", "caseref", "localid", "urn", "systemid"),
    "given_name": ("givenname", "forename", "forenames", "firstname", "first", "christianname", "givennames"),
    "middle_names": ("middlenames", "middlename", "middle", "othernames"),
    "family_name": ("familyname", "surname", "lastname", "last"),
    "known_as": ("knownas", "preferredname", "alias", "aka", "nickname"),
    "date_of_birth": ("dateofbirth", "dob", "birthdate", "dateofbirthddmmyyyy", "born"),
    "sex": ("sex", "gender", "sexcode"),
    "address": ("address", "addressline1", "address1", "street", "addressline", "line1"),
    "town": ("town", "city", "towncity", "locality", "posttown"),
    "postcode": ("postcode", "postalcode", "postcd", "pcode", "zip"),
    "nhs_number": ("nhsnumber", "nhsno", "nhs"),
    "upn": ("upn", "uniquepupilnumber", "pupilnumber"),
    "phone": ("phone", "telephone", "mobile", "phonenumber", "tel", "mobilenumber", "contactnumber"),
    "email": ("email", "emailaddress"),
}


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def suggest_mapping(headers: list[str]) -> tuple[str, dict[str, str]]:
    """(id column, {field: column}) guessed from the header names; each column used once at most."""
    used: set[str] = set()
    found: dict[str, str] = {}
    by_key: dict[str, str] = {}
    for header in headers:
        by_key.setdefault(_key(header), header)
    for canonical in CANONICAL_FIELDS:
        for synonym in (_key(canonical), *_SYNONYMS.get(canonical, ())):
            header = by_key.get(synonym)
            if header and header not in used:
                found[canonical] = header
                used.add(header)
                break
    id_column = found.pop("record_id", "")
    if not id_column:
        # A column whose name ends in "id" or "ref" is very likely the record's own key.
        id_column = next((h for h in headers if h not in used and re.search(r"(id|ref|number)$", _key(h))), "")
    return id_column, found


# --- The stored file ------------------------------------------------------------------------------------

def safe_file_name(name: str) -> str:
    """The uploaded name without folders or odd characters (it names the source in fault messages)."""
    base = Path(name.replace("\\", "/")).name
    cleaned = re.sub(r"[^A-Za-z0-9._ -]", "_", base).strip(" .") or "extract"
    return cleaned[:200]


def file_format_for(name: str) -> str | None:
    return SUFFIXES.get(Path(name).suffix.lower())


@contextmanager
def extract_file(extract_import: ExtractImport) -> Iterator[Path]:
    """The uploaded file on disk for the reader, in a private temporary folder removed afterwards."""
    content = extract_import.content
    if content is None:
        raise ExtractError([ExtractFault(extract_import.file_name, None, None,
                                         "the uploaded file is no longer held; upload it again")])
    with tempfile.TemporaryDirectory(prefix="wrekin-import-") as folder:  # created 0700 by tempfile
        path = Path(folder) / extract_import.file_name
        path.write_bytes(bytes(content))
        path.chmod(0o600)
        yield path


def read_headers(path: Path) -> list[str]:
    """The column names in row 1, or ExtractError (not UTF-8, not a workbook, empty)."""
    rows = extracts._rows(path)
    first = next(rows, None)
    headers = [extracts._text(cell) for cell in first[1]] if first else []
    if not any(headers):
        raise ExtractError([ExtractFault(path.name, 1, None, "the file is empty: the first row must name the "
                                                              "columns")])
    if next(rows, None) is None:
        raise ExtractError([ExtractFault(path.name, None, None, "the file has a header but no records")])
    return headers


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


# --- Checking -----------------------------------------------------------------------------------------------

@dataclass
class CheckResult:
    extract: Extract | None
    faults: list[ExtractFault]
    warnings: list[ExtractFault]


def check(extract_import: ExtractImport) -> CheckResult:
    """Read the whole file with the import's mapping: the extract, or every fault found."""
    with extract_file(extract_import) as path:
        return check_path(path, extract_import)


def check_path(path: Path, extract_import: ExtractImport) -> CheckResult:
    if not extract_import.id_column:
        return CheckResult(None, [ExtractFault(path.name, None, None, "choose the column that holds each "
                                                                       "record's own id")], [])
    try:
        extract = read_extract(path, id_column=extract_import.id_column, mapping=extract_import.mapping)
    except ExtractError as error:
        return CheckResult(None, error.faults, [])
    _honour_mapping(extract, extract_import)
    return CheckResult(extract, [], extract.warnings)


def _honour_mapping(extract: Extract, extract_import: ExtractImport) -> None:
    """The reader also maps columns *named* like a field; a field the person chose not to map stays unmapped."""
    chosen = set(extract_import.mapping) | {"record_id"}
    for canonical in list(extract.mapping):
        if canonical not in chosen:
            del extract.mapping[canonical]
            extract.columns.pop(canonical, None)
    n = len(extract)
    if "date_of_birth" not in extract.mapping:
        extract.columns["birth_year"] = [None] * n
        extract.columns["dob_precision"] = [None] * n
    for name in ("nhs_number", "upn", "postcode", "phone"):
        if name not in extract.mapping:
            extract.columns[f"{name}_valid"] = [None] * n


def faults_as_dicts(faults: list[ExtractFault]) -> list[dict[str, Any]]:
    return [{"row": fault.row, "column": fault.column, "reason": fault.reason} for fault in faults[:MAX_FAULTS_KEPT]]


def store_check(extract_import: ExtractImport, result: CheckResult) -> None:
    extract_import.faults = faults_as_dicts(result.faults)
    extract_import.fault_count = len(result.faults)
    extract_import.warnings = faults_as_dicts(result.warnings)
    extract_import.warning_count = len(result.warnings)
    extract_import.total_records = len(result.extract) if result.extract is not None else 0


def raw_rows(path: Path, extract_import: ExtractImport, *, limit: int | None = None) -> list[dict[str, Any]]:
    """Rows as written in the file, mapped to the canonical fields: {"row": n, field: text}. Blank rows skipped."""
    headers = extract_import.headers
    wanted = {"record_id": extract_import.id_column, **extract_import.mapping}
    index = {canonical: headers.index(column) for canonical, column in wanted.items() if column in headers}
    out = []
    rows = extracts._rows(path)
    next(rows, None)
    for row_number, row in rows:
        if not row or all(extracts._text(cell) == "" for cell in row):
            continue
        values: dict[str, Any] = {"row": row_number}
        for canonical, column_index in index.items():
            values[canonical] = extracts._text(row[column_index]) if column_index < len(row) else ""
        out.append(values)
        if limit is not None and len(out) >= limit:
            break
    return out


# --- Running ------------------------------------------------------------------------------------------------

@dataclass
class RecordPlan:
    index: int
    record_id: str
    values: dict[str, Any]  # normalised, as compared
    raw: dict[str, Any]  # as written, for the person's details
    existing: SourceRecord | None = None
    change: str = "new"  # new / updated / unchanged
    matches: list[tuple[int, scoring.PairScore]] = field(default_factory=list)  # person id, score (>= review)


@dataclass
class ImportPlan:
    records: list[RecordPlan]
    same_source_pairs: list[tuple[int, int, scoring.PairScore]]  # record index, record index, score
    model: Any
    auto: float
    review: float


Progress = Callable[[str, int], None]


class RunSuperseded(Exception):
    """This run is no longer the import's current one (released as stalled, or run again): it saves nothing."""


def _is_current_run(extract_import: ExtractImport, run_id: str | None) -> bool:
    # run_id None: the command line running the import in the foreground, which no other run can replace.
    return run_id is None or extract_import.task_id == run_id


def run_import(import_id: int, *, run_id: str | None = None) -> ExtractImport:
    """Run one queued import to the end: complete, or failed with nothing saved and the report kept.

    `run_id` is the id of the background task running it: the import records it as its current run, and a run
    that finds another current (a stalled import released and run again) stops without saving anything.
    """
    extract_import = ExtractImport.objects.select_related("agency", "uploaded_by", "partnership").get(pk=import_id)
    if extract_import.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING) or \
            extract_import.task_id not in ("", run_id or ""):
        logger.info("import %s is %s; not run", import_id, extract_import.status)
        return extract_import
    now = timezone.now()
    claimed = ExtractImport.objects.filter(pk=import_id, status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING),
                                           task_id__in=("", run_id or "")).update(
        status=ImportStatus.RUNNING, started_at=now, progress_at=now, stage="Reading the file", processed_records=0,
        task_id=run_id or "")
    if not claimed:
        logger.info("import %s was taken by another run; not run", import_id)
        return ExtractImport.objects.get(pk=import_id)
    extract_import.task_id = run_id or ""

    def progress(stage: str, processed: int) -> None:
        # Written outside the import's own transaction, so the progress page sees it while the run goes on; the
        # time tells the page (and `wrekin release_stalled_imports`) that the run is alive.
        ExtractImport.objects.filter(pk=import_id).update(stage=stage, processed_records=processed,
                                                          progress_at=timezone.now())

    try:
        with extract_file(extract_import) as path:
            result = check_path(path, extract_import)
            if result.faults:
                raise ExtractError(result.faults)
            extract = result.extract
            raw_by_id = {row["record_id"]: row for row in raw_rows(path, extract_import)}
        ExtractImport.objects.filter(pk=import_id).update(total_records=len(extract),
                                                          warning_count=len(result.warnings),
                                                          warnings=faults_as_dicts(result.warnings))
        plan = plan_import(extract_import, extract, raw_by_id, progress=progress)
        progress(f"Saving {len(plan.records):,} records (all or nothing)", len(plan.records))
        with transaction.atomic():
            apply_plan(extract_import, plan, run_id=run_id)
    except RunSuperseded:
        logger.warning("import %s: this run was superseded before it saved; nothing saved", import_id)
        return ExtractImport.objects.get(pk=import_id)
    except ExtractError as error:
        return _fail(import_id, faults=error.faults, run_id=run_id)
    except IntegrityError:
        logger.exception("import %s failed on a database rule", import_id)
        return _fail(import_id, run_id=run_id,
                     error="Another change to the same records was saved while this import ran (for example, "
                           "another import of this agency's records). Nothing was imported: run it again.")
    except Exception as error:  # the whole import rolls back; the report says so
        logger.exception("import %s failed", import_id)
        return _fail(import_id, run_id=run_id,
                     error=f"The import stopped unexpectedly ({type(error).__name__}). Nothing was imported: run it "
                           "again, and if it fails again tell the system administrator.")
    extract_import.refresh_from_db()
    return extract_import


def fail_interrupted(import_id: int, *, run_id: str, error: str) -> ExtractImport | None:
    """The task running this import failed outside the import's own handling (its worker was stopped).

    Marks the import failed (nothing was saved: the saving step is one transaction) if that task is still its
    current run; returns None when there was nothing to mark.
    """
    extract_import = _fail(import_id, run_id=run_id, error=error, details={"interrupted": True})
    return extract_import if extract_import.status == ImportStatus.FAILED else None


def release_stalled(*, older_than: timedelta, now=None) -> list[ExtractImport]:
    """Imports whose worker has gone: running with no progress for `older_than`, marked failed to be run again.

    Also an import queued for that long whose task never reached the queue (no task id). An import still queued
    with a task waits for a worker and is left alone: starting one runs it.
    """
    now = now or timezone.now()
    cutoff = now - older_than
    stalled = ExtractImport.objects.filter(
        Q(status=ImportStatus.RUNNING) & (Q(progress_at__lt=cutoff) | Q(progress_at__isnull=True,
                                                                         started_at__lt=cutoff))
        | Q(status=ImportStatus.QUEUED, task_id="", queued_at__lt=cutoff)).defer("content")
    released = []
    minutes = int(older_than.total_seconds() // 60)
    for extract_import in stalled:
        failed = _fail(extract_import.pk, run_id=extract_import.task_id or None, expect_status=extract_import.status,
                       progress_before=cutoff,
                       error=f"This import made no progress for more than {minutes} minutes: the background worker "
                             "running it stopped. Nothing was imported: run it again.",
                       details={"stalled": True})
        if failed.status == ImportStatus.FAILED:
            released.append(failed)
    return released


def _fail(import_id: int, *, faults: list[ExtractFault] | None = None, error: str = "", run_id: str | None = None,
          expect_status: str | None = None, progress_before: datetime | None = None,
          details: dict | None = None) -> ExtractImport:
    """Mark the import failed and audit it -- unless another run has taken it over (then it is left alone)."""
    with transaction.atomic():
        extract_import = ExtractImport.objects.select_for_update().get(pk=import_id)
        if extract_import.status not in (ImportStatus.QUEUED, ImportStatus.RUNNING) or \
                not _is_current_run(extract_import, run_id) or \
                (expect_status is not None and extract_import.status != expect_status):
            return extract_import
        last_sign_of_life = extract_import.progress_at or extract_import.started_at or extract_import.queued_at
        if progress_before is not None and last_sign_of_life and last_sign_of_life >= progress_before:
            return extract_import  # it moved on while we looked: not stalled after all
        extract_import.status = ImportStatus.FAILED
        extract_import.finished_at = timezone.now()
        extract_import.stage = ""
        if faults is not None:
            extract_import.faults = faults_as_dicts(faults)
            extract_import.fault_count = len(faults)
        extract_import.error = error
        extract_import.save()
        record_event("linkage.import_failed", actor=extract_import.uploaded_by, target=extract_import,
                     agency=extract_import.agency,
                     details={"faults": extract_import.fault_count, "unexpected": bool(error and faults is None),
                              **(details or {})})
    return extract_import


def plan_import(extract_import: ExtractImport, extract: Extract, raw_by_id: dict[str, dict],
                *, progress: Progress = lambda stage, n: None) -> ImportPlan:
    """Phase 1: what each record is, and whom it may be. Reads only."""
    from wrekin.access.policy import people_visible_to

    auto, review = scoring.thresholds()
    model = scoring.current_model(extract_import.partnership_id)
    n = len(extract)
    records = []
    for index in range(n):
        values = {name: extract.columns[name][index] for name in extract.columns}
        values = {**scoring.empty_record(), **values}
        record_id = values["record_id"]
        records.append(RecordPlan(index=index, record_id=record_id, values=values, raw=raw_by_id.get(record_id, {})))

    existing = {}
    ids = [record.record_id for record in records]
    for start in range(0, n, 1000):
        for source in SourceRecord.objects.filter(agency=extract_import.agency, record_id__in=ids[start:start + 1000]):
            existing[source.record_id] = source
    for record in records:
        record.existing = existing.get(record.record_id)
        if record.existing is not None:
            record.change = "unchanged" if record.existing.values == _stored_values(record.values) else "updated"

    candidates_from = people_visible_to(extract_import.uploaded_by, include_break_glass=False)
    for start in range(0, n, RECORDS_PER_CHUNK):
        chunk = records[start:start + RECORDS_PER_CHUNK]
        progress(f"Comparing records {start + 1:,} to {start + len(chunk):,} of {n:,} with the people already "
                 "known", start)
        _score_chunk(chunk, candidates_from, model=model, review=review)
    progress("Looking for duplicates within the file", n)
    same_source = _score_within(records, model=model, review=review)
    return ImportPlan(records=records, same_source_pairs=same_source, model=model, auto=auto, review=review)


def _stored_values(values: dict[str, Any]) -> dict[str, Any]:
    """What a source record keeps: the canonical fields the extract has (derived flags are recomputed)."""
    return {name: values.get(name) for name in CANONICAL_FIELDS if values.get(name) not in (None, "")}


def _as_written(raw: dict[str, Any]) -> dict[str, str]:
    return {name: str(raw[name]) for name in CANONICAL_FIELDS if raw.get(name) not in (None, "")}


def _blocking_query(values: dict[str, Any]) -> Q | None:
    """Indexed person keys and identifiers that may find this record's person (the people search's blocking)."""
    from wrekin.people.search import given_name_variants

    keys: set[str] = set()
    for name in ("given_name", "family_name", "known_as"):
        for token in (values.get(name) or "").split():
            if len(token) < 2:
                continue
            keys.add(name_key(token))
            if name != "family_name":
                keys.update(name_key(variant) for variant in given_name_variants(token))
    keys.discard("")
    query = None
    if keys:
        by_name = Q(family_key__in=keys) | Q(given_key__in=keys) | Q(known_as_key__in=keys)
        year = values.get("birth_year")
        if year:
            # a missing or estimated age must not hide a match
            by_name &= Q(birth_year__gte=year - 2, birth_year__lte=year + 2) | Q(birth_year__isnull=True)
        query = by_name
    for identifier in ("nhs_number", "upn"):
        if values.get(identifier) and values.get(f"{identifier}_valid"):
            extra = Q(**{identifier: values[identifier]})
            query = extra if query is None else query | extra
    if values.get("phone") and values.get("phone_valid"):
        extra = Q(phones__number=values["phone"])
        query = extra if query is None else query | extra
    return query


def _score_chunk(chunk: list[RecordPlan], candidates_from, *, model, review: float) -> None:
    wanted: dict[int, list[int]] = {}
    for record in chunk:
        query = _blocking_query(record.values)
        if query is None:
            continue
        ids = list(candidates_from.filter(query).values_list("pk", flat=True).distinct()[:MAX_CANDIDATES_PER_RECORD])
        own = record.existing.person_id if record.existing else None
        wanted[record.index] = [pk for pk in ids if pk != own]
    person_ids = {pk for ids in wanted.values() for pk in ids}
    if not person_ids:
        return
    people = {person.pk: person for person in Person.objects.filter(pk__in=person_ids)
              .prefetch_related("addresses", "phones", "other_names")}
    person_records = {pk: scoring.person_record(person, addresses=list(person.addresses.all()),
                                                phones=list(person.phones.all()))
                      for pk, person in people.items()}
    pairs, owners = [], []
    by_index = {record.index: record for record in chunk}
    for index, ids in wanted.items():
        for pk in ids:
            if pk in person_records:
                pairs.append((by_index[index].values, person_records[pk]))
                owners.append((index, pk))
    scores = scoring.score_pairs(pairs, model=model, right_people=[people[pk] for _, pk in owners])
    for (index, pk), score in zip(owners, scores, strict=True):
        if score.probability >= review:
            by_index[index].matches.append((pk, score))
    for record in chunk:
        record.matches.sort(key=lambda match: (-match[1].probability, match[0]))


def _score_within(records: list[RecordPlan], *, model, review: float) -> list[tuple[int, int, scoring.PairScore]]:
    """Pairs of new records in this one extract that may be one person (the agency's own duplicates)."""
    blocks: dict[tuple, list[int]] = defaultdict(list)
    for record in records:
        if record.existing is not None:
            continue  # already a person: the comparison with the people known covers it
        values = record.values
        first = (values.get("given_name") or values.get("known_as") or "").split(" ", 1)[0]
        family = values.get("family_name") or ""
        year = values.get("birth_year")
        if family and year:
            blocks[("family", name_key(family), year)].append(record.index)
        if first and year:
            blocks[("given", name_key(first), year)].append(record.index)
        if family and values.get("postcode"):
            blocks[("postcode", name_key(family), values["postcode"])].append(record.index)
        for identifier in ("nhs_number", "upn", "phone"):
            if values.get(identifier) and values.get(f"{identifier}_valid"):
                blocks[(identifier, values[identifier])].append(record.index)
    pairs_wanted: set[tuple[int, int]] = set()
    for members in blocks.values():
        if 1 < len(members) <= MAX_BLOCK_SIZE:
            for i, left in enumerate(members):
                for right in members[i + 1:]:
                    pairs_wanted.add((left, right))
    ordered = sorted(pairs_wanted)
    found = []
    for start in range(0, len(ordered), 5000):
        batch = ordered[start:start + 5000]
        scores = scoring.score_pairs([(records[a].values, records[b].values) for a, b in batch], model=model)
        found += [(a, b, score) for (a, b), score in zip(batch, scores, strict=True) if score.probability >= review]
    return found


# --- Saving -------------------------------------------------------------------------------------------------

def _display(value: str, limit: int) -> str:
    """A value as a person's record shows it: spaces tidied, SHOUTED capitals turned to title case."""
    text = " ".join((value or "").split())
    if text.isupper() and any(ch.isalpha() for ch in text):
        text = text.title()
    return text[:limit]


def _person_details(record: RecordPlan, today: date) -> dict[str, Any]:
    values, raw = record.values, record.raw
    details: dict[str, Any] = {
        "given_name": _display(raw.get("given_name") or "", 100),
        "middle_names": _display(raw.get("middle_names") or "", 200),
        "family_name": _display(raw.get("family_name") or "", 100),
        "known_as": _display(raw.get("known_as") or "", 100),
        "sex": values.get("sex") if values.get("sex") in ("F", "M") else "",
        "nhs_number": values["nhs_number"] if values.get("nhs_number_valid") else "",
        "upn": values["upn"] if values.get("upn_valid") else "",
    }
    if not details["given_name"] and details["known_as"]:
        details["given_name"] = details["known_as"]
    if values.get("date_of_birth"):
        details["date_of_birth"] = date.fromisoformat(values["date_of_birth"])
    elif values.get("birth_year"):
        # A year alone is an estimated age: recorded as one, so the person ages and the search still finds them.
        details["approximate_age"] = max(0, today.year - values["birth_year"])
        details["approximate_age_recorded_on"] = today
    return details


def _add_contact_rows(person_id: int, record: RecordPlan, agency_id: int) -> int:
    """The record's address and phone on the person, unless the person already has them. Returns rows added."""
    values, raw = record.values, record.raw
    added = 0
    postcode = values["postcode"] if values.get("postcode_valid") else ""
    line1 = _display(raw.get("address") or "", 200)
    if line1 or postcode:
        known = PersonAddress.objects.filter(person_id=person_id, postcode=postcode[:8])
        if not any(scoring.normalise_record({"address": a.line1}).get("address") == values.get("address")
                   for a in known):
            PersonAddress.objects.create(person_id=person_id, line1=line1, town=_display(raw.get("town") or "", 100),
                                         postcode=postcode[:8], recorded_by_agency_id=agency_id)
            added += 1
    if values.get("phone") and values.get("phone_valid") and \
            not PersonPhone.objects.filter(person_id=person_id, number=values["phone"]).exists():
        PersonPhone.objects.create(person_id=person_id, number=values["phone"][:20],
                                   as_given=(raw.get("phone") or "")[:40], recorded_by_agency_id=agency_id)
        added += 1
    return added


def apply_plan(extract_import: ExtractImport, plan: ImportPlan, *, run_id: str | None = None) -> dict[str, int]:
    """Phase 2, inside the caller's transaction: save records, link, queue pairs, complete the import."""
    extract_import = ExtractImport.objects.select_for_update().select_related("agency", "uploaded_by").get(
        pk=extract_import.pk)
    if extract_import.status != ImportStatus.RUNNING or not _is_current_run(extract_import, run_id):
        # Released as stalled while this run went on (and perhaps run again): the current run saves, not this one.
        raise RunSuperseded(extract_import.pk)
    actor = extract_import.uploaded_by
    agency = extract_import.agency
    today = timezone.localdate()
    counts = defaultdict(int)
    counts["records"] = len(plan.records)
    person_of: dict[int, int] = {}  # record index -> the person it is now

    for record in plan.records:
        if record.existing is None:
            person = Person(partnership_id=extract_import.partnership_id, recorded_by_agency=agency,
                            created_by=actor, kind=extract_import.person_kind, **_person_details(record, today))
            person.save()
            Involvement.objects.create(person=person, agency=agency, kind=InvolvementKind.RECORDED, started_on=today)
            _add_contact_rows(person.pk, record, agency.pk)
            source = SourceRecord.objects.create(agency=agency, record_id=record.record_id, person=person,
                                                 values=_stored_values(record.values),
                                                 as_written=_as_written(record.raw), first_import=extract_import,
                                                 last_import=extract_import)
            record_event("linkage.person_imported", actor=actor, person=person, target=source,
                         details={"import": extract_import.pk})
            counts["new_people"] += 1
            person_of[record.index] = person.pk
        else:
            source = SourceRecord.objects.select_for_update().get(pk=record.existing.pk)
            source.last_import = extract_import
            if record.change == "updated":
                source.values = _stored_values(record.values)
                source.as_written = _as_written(record.raw)
                added = _add_contact_rows(source.person_id, record, agency.pk)
                record_event("linkage.source_record_updated", actor=actor, person=source.person_id, target=source,
                             details={"import": extract_import.pk, "rows_added": added})
            source.save()
            counts[record.change] += 1
            person_of[record.index] = source.person_id
        _link(record, plan, extract_import, person_of, counts)

    for left, right, score in plan.same_source_pairs:
        left_person = _survivor(person_of[left])
        right_person = _survivor(person_of[right])
        if left_person == right_person:
            continue
        if _queue_pair(extract_import, left_person, right_person, score, reason=CandidateReason.SAME_SOURCE):
            counts["pairs_queued"] += 1

    extract_import.status = ImportStatus.COMPLETE
    extract_import.stage = ""
    extract_import.processed_records = len(plan.records)
    extract_import.finished_at = timezone.now()
    extract_import.counts = dict(counts)
    extract_import.content = None  # the records are in Wrekin now; the file is not kept
    extract_import.error = ""
    extract_import.save()
    record_event("linkage.import_completed", actor=actor, target=extract_import, agency=agency,
                 details={**extract_import.counts, "scorer": "model" if plan.model else "search"})
    return dict(counts)


def _survivor(person_id: int) -> int:
    person = Person.objects.filter(pk=person_id).values_list("merged_into_id", flat=True).first()
    while person is not None:
        person_id = person
        person = Person.objects.filter(pk=person_id).values_list("merged_into_id", flat=True).first()
    return person_id


def pair_rejected(a: int, b: int) -> bool:
    """Has anyone decided these two (or people merged into either) are different people?"""
    group_a, group_b = merge_group(a), merge_group(b)
    return MatchCandidate.objects.filter(status=CandidateStatus.REJECTED).filter(
        Q(person_a__in=group_a, person_b__in=group_b) | Q(person_a__in=group_b, person_b__in=group_a)).exists()


def _queue_pair(extract_import: ExtractImport, one: int, other: int, score: scoring.PairScore, *,
                reason: str, note: str = "") -> MatchCandidate | None:
    low, high = sorted((one, other))
    if pair_rejected(low, high):
        return None
    if MatchCandidate.objects.filter(person_a_id=low, person_b_id=high, status=CandidateStatus.PENDING).exists():
        return None
    candidate = MatchCandidate.objects.create(
        partnership_id=extract_import.partnership_id, person_a_id=low, person_b_id=high,
        probability=score.probability, match_weight=score.match_weight,
        agreement=[item.as_dict() for item in score.agreement], scorer=score.scorer,
        linkage_model_id=score.model_id, reason=reason, note=(note or score.conflict)[:300],
        extract_import=extract_import)
    record_event("linkage.pair_proposed", actor=extract_import.uploaded_by, person=high, target=candidate,
                 agency=extract_import.agency,
                 details={"other_person": low, "probability": round(score.probability, 4), "reason": reason,
                          "import": extract_import.pk})
    return candidate


def _agencies_holding(group: set[int]) -> set[int]:
    return set(SourceRecord.objects.filter(person_id__in=group).values_list("agency_id", flat=True))


def _link(record: RecordPlan, plan: ImportPlan, extract_import: ExtractImport, person_of: dict[int, int],
          counts: dict[str, int]) -> None:
    """Link one saved record: at most one automatic merge, and up to a few pairs for review.

    "One clean source" is any agency's records: two people who each hold a record of the same agency (this
    import's agency included, and the records this very import made) are never merged without review -- not even
    when a third agency's record bridges them.
    """
    own = person_of[record.index]
    own_group = merge_group(own)
    own_agencies = _agencies_holding(own_group)
    queued = 0
    linked = False
    for candidate_id, score in record.matches:
        target = _survivor(candidate_id)
        if target in own_group or not Person.objects.filter(pk=target, merged_into__isnull=True).exists():
            continue
        if pair_rejected(own, target):
            continue
        same_source = bool(own_agencies & _agencies_holding(merge_group(target)))
        if not linked and score.probability >= plan.auto and not score.conflict and not same_source:
            survivor, merged = sorted((own, target))
            try:
                merge = perform_merge(
                    actor=extract_import.uploaded_by, survivor=Person.objects.get(pk=survivor),
                    merged=Person.objects.get(pk=merged), method=MergeMethod.AUTOMATIC, probability=score.probability,
                    extract_import=extract_import,
                    reason=f"Linked automatically by import {extract_import.pk}: match probability "
                           f"{score.probability:.3f} (at least {plan.auto:.2f})")
            except MergeConflict as conflict:
                if _queue_pair(extract_import, own, target, score, reason=CandidateReason.CONFLICT,
                               note=conflict.messages[0]):
                    queued += 1
                continue
            linked = True
            own = merge.survivor_id
            own_group = merge_group(own)
            own_agencies = _agencies_holding(own_group)
            person_of[record.index] = own
            counts["linked_automatically"] += 1
            continue
        if queued >= MAX_PAIRS_QUEUED_PER_RECORD:
            continue
        reason = (CandidateReason.CONFLICT if score.conflict and score.probability >= plan.auto
                  else CandidateReason.SAME_SOURCE if same_source else CandidateReason.UNCERTAIN)
        if _queue_pair(extract_import, own, target, score, reason=reason):
            queued += 1
    if queued:
        counts["sent_to_review"] += 1
        counts["pairs_queued"] += queued
