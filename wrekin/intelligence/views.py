"""Persons of concern: their disruption log, their demographic details, and how complete those are.

Every page fetches through wrekin/access/disruption.py (404 for absent and
forbidden alike); every change goes through an action (wrekin/intelligence/
actions.py, or wrekin/people/actions.update_person for the person's details).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from wrekin.access.disruption import (
    can_record_disruption,
    can_see_disruption,
    can_view_demographic_completeness,
    children_nameable_by,
    get_disruption_for_user,
    get_person_of_concern_for_user,
    persons_of_concern_visible_to,
    protected_children_visible_to,
)
from wrekin.audit.actions import record_event
from wrekin.intelligence import actions
from wrekin.intelligence.demographics import completeness as completeness_rows
from wrekin.intelligence.demographics import missing_demographics
from wrekin.intelligence.forms import DemographicsForm, DisruptionForm, DisruptionUpdateForm
from wrekin.intelligence.people_picker import (
    PersonSearchForm,
    candidate_people,
    form_initial_from_post,
    is_find,
    person_choices,
)
from wrekin.intelligence.queries import complete_ids, persons_of_concern_list
from wrekin.people import actions as people_actions
from wrekin.people.models import PersonKind


def _require_case_content(request: HttpRequest) -> None:
    if not can_see_disruption(request.user):
        raise PermissionDenied


def _require_recorder(request: HttpRequest) -> None:
    if not can_record_disruption(request.user):
        raise PermissionDenied


def _posted(request: HttpRequest):
    """The submitted data, or None for a GET. (`request.POST or None` would treat an empty POST as a GET.)"""
    return request.POST if request.method == "POST" else None


def _save(form, save):
    """Run an action for a valid form; a refusal is shown on the form, which keeps what was typed."""
    if not form.is_valid():
        return None
    try:
        return save(form.cleaned_data) or True
    except ValidationError as refusal:
        form.add_error(None, refusal)
        return None


@require_GET
def persons_of_concern(request: HttpRequest) -> HttpResponse:
    _require_case_content(request)
    with transaction.atomic():
        people = list(persons_of_concern_list(request.user))
        record_event("disruption.persons_of_concern_listed", actor=request.user, details={"count": len(people)})
    complete = complete_ids(persons_of_concern_visible_to(request.user))
    return render(request, "intelligence/persons_of_concern.html", {
        "people": people, "complete_ids": complete,
        "can_view_completeness": can_view_demographic_completeness(request.user),
        "page_title": "Persons of concern",
    })


@require_GET
def disruption_log(request: HttpRequest, pk: int) -> HttpResponse:
    _require_case_content(request)
    with transaction.atomic():
        person = get_person_of_concern_for_user(request.user, pk)
        record_event("disruption.log_viewed", actor=request.user, person=person, target=person)
    disruptions = person.disruptions.select_related("recorded_by_agency").prefetch_related("children")
    return render(request, "intelligence/log.html", {
        "person": person, "disruptions": disruptions, "missing": missing_demographics(person),
        "can_record": can_record_disruption(request.user), "page_title": f"Disruption log: {person.full_name}",
    })


@require_http_methods(["GET", "POST"])
def record_disruption(request: HttpRequest, pk: int) -> HttpResponse:
    _require_recorder(request)
    person = get_person_of_concern_for_user(request.user, pk)
    post = request.POST if request.method == "POST" else None
    query = post.get("person_search", "") if post else ""
    chosen = post.getlist("children") if post else []
    search_form = PersonSearchForm(post if is_find(request) else None, initial={"person_search": query},
                                   label="Find a child by name")
    children = candidate_people(children_nameable_by(request.user), kinds=[PersonKind.CHILD], query=query,
                                chosen=chosen)
    searched = False
    if is_find(request):
        if search_form.is_valid():
            searched = True
            with transaction.atomic():
                record_event("disruption.children_searched", actor=request.user, person=person,
                             details={"results": [child.pk for child in children]})
        form = DisruptionForm(initial=form_initial_from_post(post, multi=["children"]),
                              child_choices=person_choices(children))
    else:
        form = DisruptionForm(post, child_choices=person_choices(children))
        if post is not None and (disruption := _save(form, lambda d: actions.record_disruption(
                actor=request.user, person_of_concern_id=person.pk, kind=d["kind"], occurred_on=d["occurred_on"],
                status=d["status"], outcome=d["outcome"], reference=d["reference"], child_ids=d["children"],
                premises_name=d["premises_name"], premises_postcode=d["premises_postcode"],
                driver_licence_number=d["driver_licence_number"], licensing_authority=d["licensing_authority"],
                nfa_reason=d["nfa_reason"], nfa_reason_detail=d["nfa_reason_detail"]))):
            messages.success(request, f"{disruption.get_kind_short()} recorded")
            return redirect("intelligence:disruption_detail", pk=disruption.pk)
    return render(request, "intelligence/record.html", {
        "person": person, "form": form, "search_form": search_form, "forms": [search_form, form],
        "children": children,
        "searched": searched, "missing": missing_demographics(person),
        "page_title": f"Record disruption: {person.full_name}",
    })


@require_GET
def disruption_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_case_content(request)
    with transaction.atomic():
        disruption = get_disruption_for_user(request.user, pk)
        record_event("disruption.viewed", actor=request.user, person=disruption.person_of_concern,
                     target=disruption)
    children, hidden_children = protected_children_visible_to(request.user, disruption)
    return render(request, "intelligence/detail.html", {
        "disruption": disruption, "person": disruption.person_of_concern, "children": children,
        "hidden_children": hidden_children,
        "updates": disruption.updates.select_related("recorded_by", "recorded_by_agency"),
        "can_record": can_record_disruption(request.user),
        "page_title": f"{disruption.get_kind_short()}: {disruption.person_of_concern.full_name}",
    })


@require_http_methods(["GET", "POST"])
def update_disruption(request: HttpRequest, pk: int) -> HttpResponse:
    _require_recorder(request)
    disruption = get_disruption_for_user(request.user, pk)
    form = DisruptionUpdateForm(_posted(request), initial={"status": disruption.status})
    if request.method == "POST" and _save(form, lambda d: actions.update_disruption(
            actor=request.user, disruption_id=disruption.pk, status=d["status"], note=d["note"])):
        messages.success(request, "Update recorded")
        return redirect("intelligence:disruption_detail", pk=disruption.pk)
    return render(request, "intelligence/update.html", {
        "disruption": disruption, "person": disruption.person_of_concern, "form": form,
        "page_title": f"Update: {disruption.get_kind_short()}",
    })


@require_http_methods(["GET", "POST"])
def demographics(request: HttpRequest, pk: int) -> HttpResponse:
    _require_recorder(request)
    person = get_person_of_concern_for_user(request.user, pk)
    form = DemographicsForm(_posted(request), initial=DemographicsForm.initial_for(person))
    if request.method == "POST" and _save(form, lambda d: people_actions.update_person(
            actor=request.user, person_id=person.pk, details=form.person_details())):
        messages.success(request, "Details saved")
        return redirect("intelligence:disruption_log", pk=person.pk)
    return render(request, "intelligence/demographics.html", {
        "person": person, "form": form, "missing": missing_demographics(person),
        "page_title": f"Details of a person of concern: {person.full_name}",
    })


@require_GET
def completeness(request: HttpRequest) -> HttpResponse:
    if not can_view_demographic_completeness(request.user):
        raise PermissionDenied
    people = persons_of_concern_visible_to(request.user)
    with transaction.atomic():
        rows, complete, total = completeness_rows(people)
        record_event("disruption.completeness_viewed", actor=request.user,
                     details={"total": total, "complete": complete})
    done = complete_ids(people)
    incomplete = [(p, missing_demographics(p)) for p in people.select_related("recorded_by_agency")
                  if p.pk not in done]
    return render(request, "intelligence/completeness.html", {
        "rows": rows, "complete": complete, "total": total, "incomplete": incomplete,
        "page_title": "Persons of concern: completeness of details",
    })
