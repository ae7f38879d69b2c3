"""People: search before create, record, view and correct."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from wrekin.access.actions import active_grant
from wrekin.access.known_to import flaggable_people, known_to_flags
from wrekin.access.linkage import can_see_linkage, survivor_for_user
from wrekin.access.monitoring import check_unusual_access
from wrekin.access.policy import (
    can_record_people,
    can_see_case_content,
    get_person_for_user,
    people_visible_to,
)
from wrekin.accounts.models import Role
from wrekin.audit.actions import record_event
from wrekin.people import actions
from wrekin.people.forms import (
    AddressForm,
    ConfirmNewPersonForm,
    InvolvementForm,
    OtherNameForm,
    PersonDetailsForm,
    PhoneForm,
    SearchForm,
)
from wrekin.people.identifiers import format_nhs_number
from wrekin.people.search import parse_query, partnership_id_of, search_people


def _require_case_content(request: HttpRequest) -> None:
    if not can_see_case_content(request.user):
        raise PermissionDenied


def _require_recorder(request: HttpRequest) -> None:
    if not can_record_people(request.user):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """Search is a POST so names never appear in URLs, browser history or server logs."""
    _require_case_content(request)
    form = SearchForm(request.POST or None)
    matches = None
    flags: list = []
    if request.method == "POST" and form.is_valid():
        query = form.cleaned_data["q"]
        with transaction.atomic():
            matches = search_people(people_visible_to(request.user), query,
                                    partnership_id=partnership_id_of(request.user))
            flags = _known_to_flags(request.user, query)
            record_event("person.searched", actor=request.user,
                         details={"query": query, "results": len(matches), "known_to": len(flags)})
    template = "people/search.html#results" if request.htmx and form.is_valid() else "people/search.html"
    return render(request, template, {"form": form, "matches": matches, "flags": flags,
                                      "page_title": "Find a person"})


# A flag says a child exists, so it is shown only for a close match on name *and* birth:
# a name alone must not let anyone list the partnership's children.
KNOWN_TO_MIN_SCORE = 0.8
KNOWN_TO_MAX_FLAGS = 3


def _known_to_flags(user, query: str) -> list:
    if parse_query(query).birth_year is None:
        return []
    outside = flaggable_people(user).exclude(pk__in=people_visible_to(user).values("pk"))
    close = [m for m in search_people(outside, query, limit=KNOWN_TO_MAX_FLAGS) if m.score >= KNOWN_TO_MIN_SCORE]
    return known_to_flags(actor=user, matches=close, already_visible=set())


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    _require_recorder(request)
    if request.method == "POST" and "prefill_from_search" not in request.POST:
        details = PersonDetailsForm(request.POST)
        address = AddressForm(request.POST, prefix="address")
        phone = PhoneForm(request.POST, prefix="contact")
        involvement = InvolvementForm(request.POST)
        confirm = ConfirmNewPersonForm(request.POST)
        forms_valid = all(f.is_valid() for f in (details, address, phone, involvement, confirm))
        possible_matches = []
        flags = []
        if forms_valid and not confirm.cleaned_data["none_of_these"]:
            data = details.cleaned_data
            text = " ".join(filter(None, [data["given_name"], data["family_name"]]))
            if data["date_of_birth"]:
                text += " " + data["date_of_birth"].isoformat()
            with transaction.atomic():
                possible_matches = search_people(people_visible_to(request.user), text, limit=10,
                                                 partnership_id=partnership_id_of(request.user))
                flags = _known_to_flags(request.user, text)
                record_event("person.searched", actor=request.user,
                             details={"query": text, "results": len(possible_matches), "before_create": True,
                                      "known_to": len(flags)})
        if forms_valid and not possible_matches and not flags:
            a = address.cleaned_data
            person = actions.record_person(
                actor=request.user,
                details=details.person_details(),
                address={k: a[k] for k in ("line1", "line2", "town", "postcode")} if a["line1"] else None,
                phone={"number": phone.cleaned_data["phone"], "as_given": request.POST.get("contact-phone", ""),
                       "label": phone.cleaned_data["phone_label"]} if phone.cleaned_data["phone"] else None,
                summary=involvement.cleaned_data["summary"],
            )
            messages.success(request, f"{person.full_name} has been recorded")
            return redirect("people:detail", pk=person.pk)
    else:
        initial = {}
        # The search page posts its query here so names never travel in a URL.
        query = request.POST.get("prefill_from_search", "")
        if query:
            parsed = parse_query(query)
            if parsed.names:
                initial["given_name"] = parsed.names[0].title()
                if len(parsed.names) > 1:
                    initial["family_name"] = parsed.names[-1].title()
            if parsed.date_of_birth:
                initial["date_of_birth"] = parsed.date_of_birth.strftime("%d/%m/%Y")
        details = PersonDetailsForm(initial=initial)
        address = AddressForm(prefix="address")
        phone = PhoneForm(prefix="contact")
        involvement = InvolvementForm()
        confirm = ConfirmNewPersonForm()
        possible_matches = []
        flags = []
    return render(request, "people/create.html", {
        "form": details, "address_form": address, "phone_form": phone, "involvement_form": involvement,
        "confirm_form": confirm, "possible_matches": possible_matches, "flags": flags, "page_title": "Record a person",
        "all_forms": [details, address, phone, involvement],
    })


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    with transaction.atomic():
        try:
            person = get_person_for_user(request.user, pk)
        except Http404:
            # A merged record's old address leads to the person it was merged into, for those who may see them.
            survivor = survivor_for_user(request.user, pk)
            if survivor is None:
                raise
            return redirect("people:detail", pk=survivor.pk)
        # Written before anything is rendered: if the audit write fails, nothing is shown.
        record_event("person.viewed", actor=request.user, person=person, target=person)
        check_unusual_access(request.user)
        grant = active_grant(request.user, person.pk)
    return render(request, "people/detail.html", {
        "person": person,
        "other_names": person.other_names.select_related("recorded_by_agency"),
        "addresses": person.addresses.select_related("recorded_by_agency"),
        "phones": person.phones.select_related("recorded_by_agency"),
        "involvements": person.involvements.select_related("agency", "worker"),
        "relationships": person.relationships_from.select_related("to_person", "recorded_by_agency")
        .filter(to_person__in=people_visible_to(request.user)),
        "can_edit": can_record_people(request.user),
        "break_glass": grant,
        "can_see_linkage": can_see_linkage(request.user),
        "can_restrict": request.user.role in (Role.MANAGER, Role.COORDINATOR) and not person.is_restricted,
        "age": person.age_on(timezone.localdate()),
        "nhs_number_display": format_nhs_number(person.nhs_number),
        "page_title": person.full_name,
    })


@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_recorder(request)
    person = get_person_for_user(request.user, pk)
    form = PersonDetailsForm(request.POST or None, initial=PersonDetailsForm.initial_for(person))
    if request.method == "POST" and form.is_valid():
        actions.update_person(actor=request.user, person_id=person.pk, details=form.person_details())
        messages.success(request, "Details saved")
        return redirect("people:detail", pk=person.pk)
    return render(request, "people/edit.html", {"form": form, "person": person,
                                                "page_title": f"Change details: {person.full_name}"})


def _add_view(request, pk: int, form_class, title: str, save, **form_kwargs) -> HttpResponse:
    _require_recorder(request)
    person = get_person_for_user(request.user, pk)
    form = form_class(request.POST or None, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        save(person, form.cleaned_data)
        messages.success(request, f"{title} saved")
        return redirect("people:detail", pk=person.pk)
    return render(request, "people/add.html", {"form": form, "person": person, "title": title,
                                               "page_title": f"{title}: {person.full_name}"})


@require_http_methods(["GET", "POST"])
def add_name(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_view(request, pk, OtherNameForm, "Other name", lambda person, data: actions.add_person_name(
        actor=request.user, person_id=person.pk, kind=data["kind"], given_name=data["given_name"],
        family_name=data["family_name"]))


@require_http_methods(["GET", "POST"])
def add_address(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_view(request, pk, AddressForm, "Address", lambda person, data: actions.add_person_address(
        actor=request.user, person_id=person.pk, address=data), require_address=True)


@require_http_methods(["GET", "POST"])
def add_phone(request: HttpRequest, pk: int) -> HttpResponse:
    return _add_view(request, pk, PhoneForm, "Phone number", lambda person, data: actions.add_person_phone(
        actor=request.user, person_id=person.pk, number=data["phone"], as_given=request.POST.get("phone", ""),
        label=data["phone_label"]), require_phone=True)
