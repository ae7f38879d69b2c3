"""Linkage pages: import an agency extract, review pairs side by side, see and undo merges.

Lists answer 403 to roles that have no part in linkage; one record answers 404 when the user cannot see it.
Every page that shows records writes its read event before rendering; every change goes through
wrekin.linkage.actions.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from wrekin.access.linkage import (
    can_decide_pairs,
    can_import,
    can_see_linkage,
    can_unmerge,
    get_candidate_for_user,
    get_import_for_user,
    get_merge_for_user,
    get_person_with_history_for_user,
    imports_visible_to,
    merges_visible_to,
    review_queue_for,
    survivor_for_user,
)
from wrekin.audit.actions import record_event
from wrekin.linkage import actions, imports, review, tasks
from wrekin.linkage.extracts import CANONICAL_FIELDS, ExtractError, parse_date_of_birth
from wrekin.linkage.forms import DecisionForm, MappingForm, UnmergeForm, UploadForm
from wrekin.linkage.merges import MergeConflict
from wrekin.linkage.models import CandidateStatus, ImportStatus, PersonMerge
from wrekin.linkage.scoring import thresholds

PAIRS_PER_PAGE = 50


def _require_linkage(request: HttpRequest) -> None:
    if not can_see_linkage(request.user):
        raise PermissionDenied


def _require_importer(request: HttpRequest) -> None:
    if not can_import(request.user):
        raise PermissionDenied


# --- Imports ------------------------------------------------------------------------------------------------

def import_list(request: HttpRequest) -> HttpResponse:
    _require_linkage(request)
    recent = imports_visible_to(request.user).select_related("agency", "uploaded_by")[:50]
    return render(request, "linkage/imports.html", {
        "imports": recent, "waiting": review_queue_for(request.user).count(), "can_import": can_import(request.user),
        "page_title": "Record linkage",
    })


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    replaces = request.POST.get("replaces") or request.GET.get("replaces") or ""
    replaced = None
    if replaces.isdigit():
        replaced = imports_visible_to(request.user).filter(pk=int(replaces), uploaded_by=request.user).first()
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    file_faults = []
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["extract"]
        try:
            extract_import = actions.upload_extract(
                actor=request.user, agency_id=form.cleaned_data["agency"].pk, file_name=upload_file.name,
                content=upload_file.read(), person_kind=form.cleaned_data["person_kind"],
                replaces_id=replaced.pk if replaced else None)
        except ExtractError as error:
            file_faults = error.faults
            form.add_error("extract", f"The file cannot be read: {error.faults[0].reason}")
        except ValidationError as error:
            form.add_error("extract", error.messages[0])
        else:
            return redirect("linkage:mapping", pk=extract_import.pk)
    return render(request, "linkage/upload.html", {
        "form": form, "file_faults": file_faults, "replaced": replaced, "page_title": "Import an agency extract",
    })


def _initial_mapping(extract_import) -> dict:
    initial = {"id_column": extract_import.id_column}
    initial.update(extract_import.mapping)
    return initial


@require_http_methods(["GET", "POST"])
def mapping(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    extract_import = get_import_for_user(request.user, pk)
    if extract_import.status not in (ImportStatus.UPLOADED, ImportStatus.MAPPED) or not extract_import.has_file:
        return redirect("linkage:import_detail", pk=extract_import.pk)
    form = MappingForm(request.POST or None, headers=extract_import.headers, initial=_initial_mapping(extract_import))
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_mapping(actor=request.user, import_id=extract_import.pk,
                                 id_column=form.cleaned_data["id_column"], mapping=form.mapping())
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            return redirect("linkage:preview", pk=extract_import.pk)
    return render(request, "linkage/mapping.html", {
        "form": form, "extract_import": extract_import, "faults": extract_import.faults,
        "page_title": f"Choose the columns: {extract_import.file_name}",
    })


def _preview_value(name: str, text: str) -> str:
    """A cell as it will be read: dates as dates, so a reader sees a day-month swap before it is imported."""
    if name == "date_of_birth" and text:
        try:
            parsed = parse_date_of_birth(text)
        except ValueError:
            return text
        if parsed.iso:
            return parsed.iso
        return f"{parsed.year} (year only)" if parsed.year else ""
    return text


@require_http_methods(["GET"])
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    extract_import = get_import_for_user(request.user, pk)
    if extract_import.status == ImportStatus.UPLOADED:
        return redirect("linkage:mapping", pk=extract_import.pk)
    if extract_import.status != ImportStatus.MAPPED or not extract_import.has_file:
        return redirect("linkage:import_detail", pk=extract_import.pk)
    return _render_preview(request, extract_import)


def _render_preview(request: HttpRequest, extract_import, run_error: str = "") -> HttpResponse:
    fields = ["record_id", *[name for name in CANONICAL_FIELDS[1:] if name in extract_import.mapping]]
    with transaction.atomic():
        # Written before anything is shown: the first rows are personal data.
        record_event("linkage.import_previewed", actor=request.user, target=extract_import,
                     agency=extract_import.agency, details={"rows": imports.PREVIEW_ROWS})
        with imports.extract_file(extract_import) as path:
            rows = imports.raw_rows(path, extract_import, limit=imports.PREVIEW_ROWS)
    table = [{"row": row["row"], "cells": [_preview_value(name, row.get(name, "")) for name in fields]}
             for row in rows]
    auto, review_threshold = thresholds()
    return render(request, "linkage/preview.html", {
        "extract_import": extract_import, "columns": [(imports.FIELD_LABELS[name],
                                                      extract_import.mapping.get(name, extract_import.id_column))
                                                     for name in fields],
        "rows": table, "faults": extract_import.faults, "warnings": extract_import.warnings,
        "run_error": run_error, "auto": auto, "review": review_threshold,
        "page_title": f"Check and run: {extract_import.file_name}",
    })


@require_POST
def run(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    extract_import = get_import_for_user(request.user, pk)
    try:
        actions.start_import(actor=request.user, import_id=extract_import.pk)
    except ValidationError as error:
        extract_import.refresh_from_db()
        if extract_import.status != ImportStatus.MAPPED or not extract_import.has_file:
            return redirect("linkage:import_detail", pk=extract_import.pk)
        return _render_preview(request, extract_import, run_error=error.messages[0])
    return redirect("linkage:import_detail", pk=extract_import.pk)


@require_POST
def discard(request: HttpRequest, pk: int) -> HttpResponse:
    _require_importer(request)
    extract_import = get_import_for_user(request.user, pk)
    try:
        actions.discard_import(actor=request.user, import_id=extract_import.pk)
    except ValidationError:
        return redirect("linkage:import_detail", pk=extract_import.pk)
    messages.success(request, f"{extract_import.file_name} was discarded: the file is no longer held")
    return redirect("linkage:imports")


def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_linkage(request)
    with transaction.atomic():
        extract_import = get_import_for_user(request.user, pk)
        record_event("linkage.import_viewed", actor=request.user, target=extract_import,
                     agency=extract_import.agency, details={"status": extract_import.status})
    return render(request, "linkage/import_detail.html", _detail_context(request, extract_import))


def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress panel alone, polled by htmx while the import runs (counts and stage only, no records)."""
    _require_linkage(request)
    extract_import = get_import_for_user(request.user, pk)
    if not request.htmx:
        return redirect("linkage:import_detail", pk=extract_import.pk)
    return render(request, "linkage/import_detail.html#progress", _detail_context(request, extract_import))


def _detail_context(request: HttpRequest, extract_import) -> dict:
    pending = extract_import.candidates.filter(status=CandidateStatus.PENDING).count()
    return {
        "extract_import": extract_import, "counts": extract_import.counts, "pending_pairs": pending,
        "queue": tasks.queue_state(extract_import),
        "can_import": can_import(request.user), "faults": extract_import.faults,
        "page_title": f"Import: {extract_import.file_name}",
    }


# --- The review queue ----------------------------------------------------------------------------------------

def review_queue(request: HttpRequest) -> HttpResponse:
    _require_linkage(request)
    pairs = review_queue_for(request.user).select_related(
        "person_a__recorded_by_agency", "person_b__recorded_by_agency", "extract_import__agency")
    page = Paginator(pairs, PAIRS_PER_PAGE).get_page(request.GET.get("page"))
    with transaction.atomic():
        record_event("linkage.review_queue_viewed", actor=request.user,
                     details={"pairs": page.paginator.count, "page": page.number})
    decided = merges_visible_to(request.user).select_related("survivor", "merged")[:10]
    return render(request, "linkage/review_queue.html", {
        "page": page, "pairs": page.object_list, "recent_merges": decided,
        "can_decide": can_decide_pairs(request.user), "page_title": "Records to review",
    })


@require_http_methods(["GET", "POST"])
def pair(request: HttpRequest, pk: int) -> HttpResponse:
    _require_linkage(request)
    candidate = get_candidate_for_user(request.user, pk)
    decidable = candidate.status == CandidateStatus.PENDING
    if request.method == "POST" and not (decidable and can_decide_pairs(request.user)):
        raise PermissionDenied
    form = DecisionForm(request.POST or None, candidate=candidate) if decidable else None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == DecisionForm.SAME:
                merge = actions.confirm_pair(actor=request.user, candidate_id=candidate.pk,
                                             survivor_id=data["survivor"], reason=data["reason"])
            else:
                actions.reject_pair(actor=request.user, candidate_id=candidate.pk, reason=data["reason"])
        except MergeConflict as conflict:
            form.add_error("decision", conflict.messages[0])
        except ValidationError as error:
            form.add_error(None, error.messages[0])
        else:
            if data["decision"] == DecisionForm.SAME:
                messages.success(request, f"Merged: {merge.merged.full_name}'s records are now part of "
                                          f"{merge.survivor.full_name}'s record. The merge can be undone.")
                return redirect("linkage:person_records", pk=merge.survivor_id)
            messages.success(request, "Recorded as two different people: this pair will not be proposed again")
            return redirect("linkage:review_queue")
    people = [candidate.person_a, candidate.person_b]
    with transaction.atomic():
        for person, other in (people, people[::-1]):
            record_event("linkage.pair_viewed", actor=request.user, person=person, target=candidate,
                         details={"other_person": other.pk})
    rows = review.comparison_rows(candidate)
    return render(request, "linkage/pair.html", {
        "candidate": candidate, "rows": rows, "counts": review.summary_counts(rows), "form": form,
        "can_decide": can_decide_pairs(request.user) and decidable,
        "page_title": f"Compare records: {candidate.person_a.full_name} and {candidate.person_b.full_name}",
    })


# --- Linked records and merges -----------------------------------------------------------------------------

def person_records(request: HttpRequest, pk: int) -> HttpResponse:
    _require_linkage(request)
    with transaction.atomic():
        person = get_person_with_history_for_user(request.user, pk)
        record_event("linkage.linked_records_viewed", actor=request.user, person=person, target=person)
    merges = (PersonMerge.objects.filter(survivor=person).select_related("merged__recorded_by_agency", "merged_by",
                                                                         "unmerged_by")
              .prefetch_related("merged__addresses", "merged__phones", "merged__source_records__agency",
                                "merged__other_names"))
    active = [m for m in merges if m.is_active]
    undone = [m for m in merges if not m.is_active]
    survivor_values = review.field_values(person)
    merged_panels = [{"merge": m, "values": review.merged_record_values(m)} for m in active]
    field_rows = [{"label": label, "survivor": survivor_values.get(name, ""),
                   "merged": [panel["values"].get(name, "") for panel in merged_panels]}
                  for name, label in review.FIELD_LABELS.items()
                  if survivor_values.get(name) or any(panel["values"].get(name) for panel in merged_panels)]
    return render(request, "linkage/person_records.html", {
        "person": person, "active": active, "undone": undone,
        "sources": [(source, review.as_written_text(source)) for source in review.sources_of(person)],
        "merged_panels": merged_panels, "field_rows": field_rows, "can_unmerge": can_unmerge(request.user),
        "page_title": f"Linked records: {person.full_name}",
    })


@require_http_methods(["GET", "POST"])
def merge_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_linkage(request)
    merge = get_merge_for_user(request.user, pk)
    if request.method == "POST" and not (can_unmerge(request.user) and merge.is_active):
        raise PermissionDenied
    form = UnmergeForm(request.POST or None) if merge.is_active and can_unmerge(request.user) else None
    if request.method == "POST" and form.is_valid():
        try:
            actions.unmerge_people(actor=request.user, merge_id=merge.pk, reason=form.cleaned_data["reason"])
        except MergeConflict as conflict:
            form.add_error("reason", conflict.messages[0])
        else:
            messages.success(request, f"The merge was undone: {merge.survivor.full_name} and "
                                      f"{merge.merged.full_name} are two records again")
            return redirect("linkage:merge", pk=merge.pk)
    with transaction.atomic():
        for person, other in ((merge.survivor, merge.merged), (merge.merged, merge.survivor)):
            record_event("linkage.merge_viewed", actor=request.user, person=person, target=merge,
                         details={"other_person": other.pk})
    return render(request, "linkage/merge.html", {
        "merge": merge, "form": form, "moved": _moved_summary(merge),
        "survivor_visible": merge.survivor.merged_into_id is None,
        "merged_visible": merge.merged.merged_into_id is None,
        "page_title": f"Merge of {merge.merged.full_name} into {merge.survivor.full_name}",
    })


def _moved_summary(merge: PersonMerge) -> list[dict]:
    from django.apps import apps

    rows = []
    for entry in merge.moved_rows:
        model = apps.get_model(entry["model"])
        rows.append({"what": str(model._meta.verbose_name_plural).capitalize(), "count": len(entry["pks"]),
                     "field": entry["field"]})
    for entry in merge.removed_rows:
        model = apps.get_model(entry["model"])
        rows.append({"what": f"{str(model._meta.verbose_name).capitalize()} (already on the main record; put back "
                             f"on undo)", "count": 1, "field": ""})
    return rows


def merged_person(request: HttpRequest, pk: int) -> HttpResponse:
    """A merged person's old record: on to the person they live on as, for those who may see them."""
    survivor = survivor_for_user(request.user, pk)
    if survivor is None:
        raise Http404("No person found")
    return redirect("people:detail", pk=survivor.pk)
