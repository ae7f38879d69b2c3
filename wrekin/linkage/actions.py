"""Every change linkage makes goes through these functions: permission, change and audit in one transaction.

The web pages, the `wrekin import_extract` and `wrekin install_linkage_model` commands and the background task
call the same functions. Merging and unmerging live in wrekin.linkage.merges (re-exported here).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from wrekin.access.linkage import (
    can_decide_pairs,
    can_import,
    get_candidate_for_user,
    get_import_for_user,
)
from wrekin.accounts.models import Agency
from wrekin.audit.actions import record_event
from wrekin.linkage import imports
from wrekin.linkage.extracts import CANONICAL_FIELDS
from wrekin.linkage.merges import MergeConflict, merge_people, unmerge_people
from wrekin.linkage.models import (
    CandidateStatus,
    ExtractImport,
    ImportStatus,
    LinkageModel,
    MatchCandidate,
    PersonMerge,
)
from wrekin.linkage.scoring import model_sha256
from wrekin.people.models import PersonKind

__all__ = [
    "MergeConflict", "confirm_pair", "discard_import", "install_linkage_model", "merge_people", "reject_pair",
    "release_stalled_imports", "save_mapping", "start_import", "unmerge_people", "upload_extract",
]


def _require_importer(actor) -> None:
    if not can_import(actor):
        raise PermissionDenied("Only exploitation coordinators and intelligence analysts can import extracts")


def _require_decider(actor) -> None:
    if not can_decide_pairs(actor):
        raise PermissionDenied("Only an exploitation coordinator can decide whether two records are one person")


# --- Imports ----------------------------------------------------------------------------------------------

def upload_extract(*, actor, agency_id: int, file_name: str, content: bytes,
                   person_kind: str = PersonKind.CHILD, replaces_id: int | None = None) -> ExtractImport:
    """Hold an uploaded extract, read its columns, suggest a mapping and check the file with it.

    Raises ExtractError when the file cannot be read at all (not UTF-8, not a workbook, empty), ValidationError for
    a file too large or of the wrong type; nothing is kept then.
    """
    _require_importer(actor)
    file_name = imports.safe_file_name(file_name)
    file_format = imports.file_format_for(file_name)
    if file_format is None:
        raise ValidationError("The file must be a CSV (.csv) or an Excel workbook (.xlsx)")
    if len(content) > imports.MAX_UPLOAD_BYTES:
        raise ValidationError(f"The file must be smaller than {imports.MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    if not content:
        raise ValidationError("The file is empty")
    if person_kind not in PersonKind.values:
        raise ValidationError("Choose who the records are about")
    agency = Agency.objects.filter(pk=agency_id, partnership_id=actor.agency.partnership_id, is_active=True).first()
    if agency is None:
        raise ValidationError("Choose an agency of your partnership")
    extract_import = ExtractImport(partnership_id=agency.partnership_id, agency=agency, person_kind=person_kind,
                                   uploaded_by=actor, file_name=file_name, file_format=file_format, content=content,
                                   size=len(content), sha256=imports.sha256(content))
    with imports.extract_file(extract_import) as path:
        headers = imports.read_headers(path)  # ExtractError: nothing is kept
        extract_import.headers = headers
        extract_import.id_column, extract_import.mapping = imports.suggest_mapping(headers)
        result = imports.check_path(path, extract_import)
    imports.store_check(extract_import, result)
    with transaction.atomic():
        extract_import.save()
        record_event("linkage.import_uploaded", actor=actor, target=extract_import, agency=agency,
                     details={"format": file_format, "bytes": len(content), "columns": len(headers),
                              "faults": extract_import.fault_count})
        if replaces_id:
            replaced = ExtractImport.objects.filter(pk=replaces_id, uploaded_by=actor,
                                                    partnership_id=agency.partnership_id).defer("content").first()
            if replaced is not None and replaced.status in _DISCARDABLE:
                _discard(actor, replaced, replaced_by=extract_import.pk)
    return extract_import


def save_mapping(*, actor, import_id: int, id_column: str, mapping: dict[str, str]) -> ExtractImport:
    """Record which column holds which field, and check the whole file with it (faults kept on the import)."""
    _require_importer(actor)
    with transaction.atomic():
        extract_import = get_import_for_user(actor, import_id)
        extract_import = ExtractImport.objects.select_for_update().get(pk=extract_import.pk)
        if extract_import.status not in (ImportStatus.UPLOADED, ImportStatus.MAPPED) or \
                not extract_import.has_file:
            raise ValidationError("This import has already run or been discarded; upload the file again")
        headers = extract_import.headers
        if id_column not in headers:
            raise ValidationError("Choose the column that holds each record's own id")
        chosen = {field: column for field, column in mapping.items() if column}
        for field, column in chosen.items():
            if field not in CANONICAL_FIELDS or field == "record_id" or column not in headers:
                raise ValidationError(f"'{column}' is not a column of this file")
        columns = [id_column, *chosen.values()]
        if len(set(columns)) != len(columns):
            raise ValidationError("Each column can hold one field only")
        extract_import.id_column = id_column
        extract_import.mapping = chosen
        imports.store_check(extract_import, imports.check(extract_import))
        extract_import.status = ImportStatus.MAPPED
        extract_import.save()
        record_event("linkage.import_mapped", actor=actor, target=extract_import, agency=extract_import.agency,
                     details={"fields": sorted(chosen), "faults": extract_import.fault_count,
                              "records": extract_import.total_records})
    return extract_import


def start_import(*, actor, import_id: int, run_now: bool = False) -> ExtractImport:
    """Queue a checked import to run in the background (or run it here and now, for the command line)."""
    from wrekin.linkage import tasks

    _require_importer(actor)
    with transaction.atomic():
        extract_import = get_import_for_user(actor, import_id)
        extract_import = ExtractImport.objects.select_for_update().defer("content").get(pk=extract_import.pk)
        runnable = extract_import.status == ImportStatus.MAPPED or (
            extract_import.status == ImportStatus.FAILED and not extract_import.fault_count)
        if not runnable or not extract_import.has_file:
            raise ValidationError("This import cannot be run: check its columns first, or upload the file again")
        if extract_import.fault_count:
            raise ValidationError("The file has problems to fix first: nothing can be imported until it reads "
                                  "cleanly")
        busy = ExtractImport.objects.filter(agency_id=extract_import.agency_id,
                                            status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING)).exclude(
            pk=extract_import.pk)
        if busy.exists():
            raise ValidationError(f"Another import of {extract_import.agency.name}'s records is running: wait for "
                                  "it to finish, then run this one")
        extract_import.status = ImportStatus.QUEUED
        extract_import.queued_at = timezone.now()
        extract_import.error = ""
        extract_import.stage = "Waiting for the background worker"
        extract_import.processed_records = 0
        extract_import.progress_at = None
        extract_import.task_id = ""  # the run about to be queued becomes the current one (wrekin.linkage.tasks)
        extract_import.save()
        record_event("linkage.import_started", actor=actor, target=extract_import, agency=extract_import.agency,
                     details={"records": extract_import.total_records, "background": not run_now})
        if not run_now:
            transaction.on_commit(lambda: tasks.enqueue_import(extract_import.pk))
    if run_now:
        return imports.run_import(extract_import.pk)
    extract_import.refresh_from_db()
    return extract_import


def release_stalled_imports(*, actor=None, older_than: timedelta) -> list[ExtractImport]:
    """Mark failed the imports whose background worker stopped, so that they can be run again.

    Run by an operator (`wrekin release_stalled_imports`, actor None): a worker killed outright leaves its import
    "running" with no progress. Nothing of such an import was saved (the saving step is one transaction). Each
    import released is audited as failed, with the reason, in its own transaction.
    """
    if actor is not None and not getattr(actor, "is_superuser", False):
        raise PermissionDenied("Only an operator can release stalled imports")
    if older_than < timedelta(minutes=1):
        raise ValidationError("Wait at least a minute: a running import may simply be between two progress notes")
    return imports.release_stalled(older_than=older_than)


_DISCARDABLE = (ImportStatus.UPLOADED, ImportStatus.MAPPED, ImportStatus.FAILED)


def discard_import(*, actor, import_id: int) -> ExtractImport:
    """Drop an upload that will not be run: the file is deleted, the report of what was checked is kept."""
    _require_importer(actor)
    with transaction.atomic():
        extract_import = get_import_for_user(actor, import_id)
        extract_import = ExtractImport.objects.select_for_update().defer("content").get(pk=extract_import.pk)
        if extract_import.status not in _DISCARDABLE:
            raise ValidationError("Only an import that has not run (or that failed) can be discarded")
        _discard(actor, extract_import)
    return extract_import


def _discard(actor, extract_import: ExtractImport, *, replaced_by: int | None = None) -> None:
    extract_import.status = ImportStatus.DISCARDED
    extract_import.content = None
    extract_import.stage = ""
    extract_import.save()
    details: dict[str, Any] = {}
    if replaced_by:
        details["replaced_by"] = replaced_by
    record_event("linkage.import_discarded", actor=actor, target=extract_import, agency=extract_import.agency,
                 details=details)


# --- Review decisions -------------------------------------------------------------------------------------

def confirm_pair(*, actor, candidate_id: int, survivor_id: int, reason: str) -> PersonMerge:
    """A reviewer says the pair is one person: merge them (reversibly), keeping `survivor_id` as the main record."""
    _require_decider(actor)
    with transaction.atomic():
        candidate = get_candidate_for_user(actor, candidate_id)
        candidate = MatchCandidate.objects.select_for_update().get(pk=candidate.pk)
        if candidate.status != CandidateStatus.PENDING:
            raise ValidationError("This pair has already been decided")
        if survivor_id not in (candidate.person_a_id, candidate.person_b_id):
            raise ValidationError("Choose which record to keep as the main record")
        merged_id = candidate.person_b_id if survivor_id == candidate.person_a_id else candidate.person_a_id
        merge = merge_people(actor=actor, survivor_id=survivor_id, merged_id=merged_id, reason=reason,
                             candidate=candidate)
        candidate.status = CandidateStatus.CONFIRMED
        candidate.decided_by = actor
        candidate.decided_at = timezone.now()
        candidate.decision_note = reason.strip()
        candidate.merge = merge
        candidate.save()
        record_event("linkage.pair_confirmed", actor=actor, person=survivor_id, target=candidate,
                     reason=reason.strip(), details={"other_person": merged_id, "merge": merge.pk})
    return merge


def reject_pair(*, actor, candidate_id: int, reason: str) -> MatchCandidate:
    """A reviewer says the pair is two people: remembered, so later runs never propose it again."""
    _require_decider(actor)
    if not (reason or "").strip():
        raise ValidationError("Give the reason for your decision")
    with transaction.atomic():
        candidate = get_candidate_for_user(actor, candidate_id)
        candidate = MatchCandidate.objects.select_for_update().get(pk=candidate.pk)
        if candidate.status != CandidateStatus.PENDING:
            raise ValidationError("This pair has already been decided")
        candidate.status = CandidateStatus.REJECTED
        candidate.decided_by = actor
        candidate.decided_at = timezone.now()
        candidate.decision_note = reason.strip()
        candidate.save()
        record_event("linkage.pair_rejected", actor=actor, person=candidate.person_b_id, target=candidate,
                     reason=reason.strip(), details={"other_person": candidate.person_a_id})
    return candidate


# --- The trained model ------------------------------------------------------------------------------------

def install_linkage_model(*, actor=None, path: Path | None = None, splink_settings: dict | None = None,
                          name: str = "", partnership=None) -> LinkageModel:
    """Install a trained Splink model (a `wrekin link` run's MODEL.json) as the current one for scoring.

    Run by an operator from the command line (actor None) or by a named user. Replaces the current model of the
    same scope (the partnership, or the shared one) -- the old one is kept, no longer current.
    """
    from wrekin.linkage.model import load_model

    if splink_settings is None:
        if path is None:
            raise ValueError("give the model file")
        splink_settings = load_model(Path(path))  # ValueError with a readable message
    if not isinstance(splink_settings.get("comparisons"), list) or not splink_settings["comparisons"]:
        raise ValueError("the model has no comparisons: give the MODEL.json a `wrekin link` run saved")
    json.dumps(splink_settings)  # must be storable as JSON
    with transaction.atomic():
        LinkageModel.objects.filter(partnership=partnership, is_current=True).update(is_current=False)
        model = LinkageModel.objects.create(
            partnership=partnership, name=name or (Path(path).name if path else "linkage model"),
            splink_settings=splink_settings, sha256=model_sha256(splink_settings), installed_by=actor)
        record_event("linkage.model_installed", actor=actor, target=model,
                     details={"comparisons": len(splink_settings["comparisons"]),
                              "partnership": partnership.pk if partnership else None, "sha256": model.sha256})
    return model
