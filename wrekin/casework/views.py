"""Casework pages: the case list, a child's cases, the case page with a form for each change,
and the chronology with its CSV and PDF exports.

Views fetch only through wrekin.access.casework / policy and change only through
wrekin.casework.actions. Every read of case content writes its audit event before the page
is rendered; every form re-renders with what was typed and a GOV.UK error summary.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from wrekin.access.casework import (
    PARTNERSHIP_CASE_LIST_ROLES,
    can_approve_closures,
    can_change_cases,
    can_see_casework,
    cases_visible_to,
    get_case_for_user,
    require_case_changer,
)
from wrekin.access.policy import get_person_for_user, people_visible_to
from wrekin.accounts.step_up import step_up_required
from wrekin.audit.actions import record_event
from wrekin.casework import actions, forms
from wrekin.casework.actions import CaseworkError
from wrekin.casework.chronology import event_type_label, has_time, render_csv, render_pdf
from wrekin.casework.clocks import status_of
from wrekin.casework.models import (
    Case,
    CaseState,
    CaseTeamMember,
    ClosureDecision,
    PlanActionStatus,
    StrategyClock,
    StrategyDiscussion,
)
from wrekin.casework.queries import partnership_agencies
from wrekin.core.timeline import chronology_for
from wrekin.people.models import PersonKind
from wrekin.people.search import partnership_id_of, search_people

CASES_PER_PAGE = 50
CHRONOLOGY_PER_PAGE = 100
DUE_WITHIN_DAYS = 14


def _require_casework(request: HttpRequest) -> None:
    if not can_see_casework(request.user):
        raise PermissionDenied


def _querystring(params, **changes) -> str:
    query = params.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else ""


def _pagination(page, params) -> dict:
    """What the GOV.UK pagination component needs, links keeping the current filters."""
    if page.paginator.num_pages <= 1:
        return {}
    return {
        "previous": _querystring(params, page=page.previous_page_number()) if page.has_previous() else "",
        "next": _querystring(params, page=page.next_page_number()) if page.has_next() else "",
        "pages": [
            {"number": n, "url": _querystring(params, page=n), "current": n == page.number}
            for n in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
            if isinstance(n, int)
        ],
    }


# --- lists and finding a child ---------------------------------------------------------------


@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    _require_casework(request)
    user = request.user
    partnership_wide = user.role in PARTNERSHIP_CASE_LIST_ROLES
    all_label = ("All open cases in the partnership" if partnership_wide
                 else "All cases of children your agency works with")
    form = forms.CaseListFilterForm(request.GET or None, all_label=all_label)
    filters = form.cleaned_data if form.is_valid() else {}
    scope = filters.get("scope") or "mine"
    state = filters.get("state") or ""
    risk = filters.get("risk") or ""
    review = filters.get("review") or ""
    today = timezone.localdate()

    cases = cases_visible_to(user)
    if scope == "mine":
        mine = Case.objects.filter(Q(lead_professional=user) | Q(team__user=user, team__removed_on__isnull=True))
        cases = cases.filter(pk__in=mine.values("pk"))
    cases = cases.filter(state=state) if state else cases.exclude(state=CaseState.CLOSED)
    if risk == "none":
        cases = cases.filter(risk_level="")
    elif risk:
        cases = cases.filter(risk_level=risk)
    if review:
        cases = cases.filter(next_review_due__lte=today + timedelta(days=DUE_WITHIN_DAYS))
    cases = cases.select_related("person", "lead_professional").order_by(
        F("next_review_due").asc(nulls_last=True), "pk")

    page = Paginator(cases, CASES_PER_PAGE).get_page(request.GET.get("page"))
    with transaction.atomic():
        record_event("case.list_viewed", actor=user, details={
            "scope": scope, "state": state, "risk": risk, "review": review,
            "results": page.paginator.count, "page": page.number,
        })
    return render(request, "casework/list.html", {
        "form": form, "page": page, "pagination": _pagination(page, request.GET), "today": today,
        "scope": scope, "all_label": all_label, "can_change": can_change_cases(user),
        "page_title": "Cases",
    })


@require_http_methods(["GET", "POST"])
def find_child(request: HttpRequest) -> HttpResponse:
    """Find the child to open a case for. A POST, so names never appear in a URL."""
    require_case_changer(request.user)
    form = forms.FindChildForm(request.POST if request.method == "POST" else None)
    matches = None
    if request.method == "POST" and form.is_valid():
        query = form.cleaned_data["q"]
        with transaction.atomic():
            matches = [m for m in search_people(people_visible_to(request.user), query,
                                                partnership_id=partnership_id_of(request.user))
                       if m.person.kind == PersonKind.CHILD]
            record_event("person.searched", actor=request.user,
                         details={"query": query, "results": len(matches), "for": "open_case"})
    return render(request, "casework/find_child.html", {
        "form": form, "matches": matches, "page_title": "Open a case: find the child",
    })


def person_cases(request: HttpRequest, pk: int) -> HttpResponse:
    _require_casework(request)
    with transaction.atomic():
        person = get_person_for_user(request.user, pk)
        record_event("case.person_cases_viewed", actor=request.user, person=person, target=person)
    cases = list(person.cases.select_related("lead_professional", "closure__decided_by").order_by("-opened_at"))
    open_case = next((c for c in cases if c.is_open), None)
    return render(request, "casework/person_cases.html", {
        "person": person, "cases": cases, "open_case": open_case,
        "can_open": can_change_cases(request.user) and open_case is None and person.kind == PersonKind.CHILD,
        "is_child": person.kind == PersonKind.CHILD,
        "page_title": f"Casework: {person.full_name}",
    })


@require_http_methods(["GET", "POST"])
def open_case(request: HttpRequest, pk: int) -> HttpResponse:
    require_case_changer(request.user)
    person = get_person_for_user(request.user, pk)
    existing = person.cases.exclude(state=CaseState.CLOSED).first()
    initial = {}
    if request.user.role and can_change_cases(request.user):
        initial["lead_professional"] = request.user.pk
    form = forms.OpenCaseForm(request.POST if request.method == "POST" else None, initial=initial,
                              partnership=request.user.partnership)
    refusal = ""
    if person.kind != PersonKind.CHILD:
        refusal = "Cases are opened for children and young people only."
    elif existing is not None:
        refusal = "This child already has an open case."
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            case = actions.open_case(actor=request.user, person_id=person.pk, reason=form.cleaned_data["reason"],
                                     lead_professional_id=form.cleaned_data["lead_professional"].pk)
        except CaseworkError as error:
            _add_error(form, error)
        else:
            messages.success(request, f"Case opened for {person.full_name}")
            return redirect("casework:detail", pk=case.pk)
    return render(request, "casework/open_case.html", {
        "form": form, "person": person, "existing": existing, "refusal": refusal,
        "page_title": f"Open a case: {person.full_name}",
    })


# --- the case page ---------------------------------------------------------------------------


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_casework(request)
    case = get_case_for_user(request.user, pk)
    # Written before anything is rendered (its own transaction): if it fails, nothing is shown.
    record_event("case.viewed", actor=request.user, person=case.person, target=case)
    today = timezone.localdate()
    user = request.user
    team = list(case.team.select_related("user", "agency").order_by("removed_on", "added_on", "pk"))
    actions_ = list(case.actions.select_related("owner", "agency", "completed_by"))
    discussions = _discussions_with_clocks(case, today)
    closures = list(case.closure_requests.select_related("requested_by", "requested_by_agency", "decided_by",
                                                         "decided_by_agency"))
    pending = next((c for c in closures if c.decision == ClosureDecision.PENDING), None)
    can_change = can_change_cases(user) and case.is_open
    open_actions = [a for a in actions_ if a.status == PlanActionStatus.OPEN]
    return render(request, "casework/detail.html", {
        "case": case, "person": case.person, "today": today,
        "team": [m for m in team if m.is_current], "former_team": [m for m in team if not m.is_current],
        "open_actions": open_actions,
        "closed_actions": [a for a in actions_ if a.status != PlanActionStatus.OPEN],
        "reviews": list(case.reviews.select_related("recorded_by", "recorded_by_agency")),
        "risk_levels": list(case.risk_levels.select_related("recorded_by", "recorded_by_agency")),
        "discussions": discussions, "closures": closures, "pending_closure": pending,
        "can_change": can_change,
        "can_agree_plan": can_change and case.state == CaseState.ASSESSMENT,
        "can_request_closure": can_change and case.state in (CaseState.ASSESSMENT, CaseState.PLAN),
        "can_decide": pending is not None and can_approve_closures(user) and pending.requested_by_id != user.pk,
        "review_overdue": bool(case.next_review_due and case.next_review_due < today),
        "page_title": f"Case: {case.person.full_name}",
    })


def _discussions_with_clocks(case: Case, today) -> list:
    """The case's strategy discussions, newest first, each with `clock_rows` and `attendee_names`.

    Every discussion has at least two clocks, so the clocks bring their discussions in one query.
    """
    clocks = (StrategyClock.objects.filter(discussion__case=case)
              .select_related("discussion__recorded_by", "discussion__recorded_by_agency", "marked_by")
              .order_by("-discussion__held_on", "-discussion__pk", "due_on", "pk"))
    discussions: dict[int, object] = {}
    for clock in clocks:
        discussion = discussions.setdefault(clock.discussion_id, clock.discussion)
        if not hasattr(discussion, "clock_rows"):
            discussion.clock_rows, discussion.attendee_names = [], []
        discussion.clock_rows.append((clock, status_of(clock, today)))
    if discussions:
        through = StrategyDiscussion.attendee_agencies.through
        for row in (through.objects.filter(strategydiscussion_id__in=list(discussions))
                    .select_related("agency").order_by("agency__name")):
            discussions[row.strategydiscussion_id].attendee_names.append(row.agency.name)
    return list(discussions.values())


def _add_error(form, error: CaseworkError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _case_change(request: HttpRequest, pk: int, *, form_class, title: str, perform: Callable,
                 success: str, anchor: str = "", form_kwargs: dict | None = None, initial: dict | None = None,
                 intro: str = "", submit: str = "Save", warning: str = "", obj=None, case=None) -> HttpResponse:
    """One change to a case on its own page: check, fetch, validate, act, or re-render with errors."""
    require_case_changer(request.user)
    case = case or get_case_for_user(request.user, pk)
    form = form_class(request.POST if request.method == "POST" else None, initial=initial, **(form_kwargs or {}))
    if request.method == "POST" and case.is_open and form.is_valid():
        try:
            perform(case, form.cleaned_data)
        except CaseworkError as error:
            _add_error(form, error)
        else:
            messages.success(request, success)
            return redirect(reverse("casework:detail", args=[case.pk]) + (f"#{anchor}" if anchor else ""))
    return render(request, "casework/case_form.html", {
        "form": form, "case": case, "person": case.person, "title": title, "intro": intro, "submit": submit,
        "warning": warning, "obj": obj, "page_title": f"{title}: {case.person.full_name}",
    })


@require_http_methods(["GET", "POST"])
def change_lead(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_change(
        request, pk, form_class=forms.ChangeLeadForm, title="Change the lead professional",
        form_kwargs={"partnership": request.user.partnership}, success="Lead professional changed",
        intro="The new lead joins the team if they are not on it already; their agency will be able to see "
              "this child's record.",
        perform=lambda case, data: actions.change_lead_professional(
            actor=request.user, case_id=case.pk, lead_professional_id=data["lead_professional"].pk),
    )


@require_http_methods(["GET", "POST"])
def add_member(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_change(
        request, pk, form_class=forms.TeamMemberForm, title="Add someone to the team", anchor="team",
        form_kwargs={"partnership": request.user.partnership}, success="Team member added",
        perform=lambda case, data: actions.add_team_member(
            actor=request.user, case_id=case.pk, user_id=data["user"].pk, role_in_team=data["role_in_team"]),
    )


@require_http_methods(["GET", "POST"])
def remove_member(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    require_case_changer(request.user)
    case = get_case_for_user(request.user, pk)
    member = (CaseTeamMember.objects.select_related("user", "agency")
              .filter(case=case, pk=member_pk, removed_on__isnull=True).first())
    if member is None:
        raise Http404("No such team member")
    return _case_change(
        request, pk, case=case, form_class=forms.RemoveTeamMemberForm, obj=member,
        title=f"Remove {member.user.display_name()} from the team", anchor="team", submit="Remove",
        intro=f"{member.user.display_name()} ({member.agency.name}, {member.role_in_team}) will no longer be on "
              "this child's team. Their agency's involvement with the child is kept.",
        success="Team member removed",
        perform=lambda case, data: actions.remove_team_member(actor=request.user, case_id=case.pk,
                                                              member_id=member.pk),
    )


@require_http_methods(["GET", "POST"])
def record_risk(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_change(
        request, pk, form_class=forms.RiskLevelForm, title="Record the risk level", anchor="risk",
        success="Risk level recorded",
        intro="A professional judgement with its rationale. Any score from a screening tool is advisory.",
        perform=lambda case, data: actions.record_risk_level(
            actor=request.user, case_id=case.pk, level=data["level"], rationale=data["rationale"],
            basis=data["basis"], screening_id=data["screening_id"]),
    )


@require_http_methods(["GET", "POST"])
def agree_plan(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_change(
        request, pk, form_class=forms.AgreePlanForm, title="Agree the safeguarding plan", anchor="plan",
        initial={"agreed_on": timezone.localdate().strftime("%d/%m/%Y")}, success="Safeguarding plan agreed",
        intro="The case moves from assessment to a safeguarding plan. The plan is its actions, each with an "
              "owner and a due date.",
        perform=lambda case, data: actions.agree_plan(actor=request.user, case_id=case.pk,
                                                      agreed_on=data["agreed_on"]),
    )


@require_http_methods(["GET", "POST"])
def add_action(request: HttpRequest, pk: int) -> HttpResponse:
    require_case_changer(request.user)
    case = get_case_for_user(request.user, pk)
    return _case_change(
        request, pk, case=case, form_class=forms.PlanActionForm, title="Add a plan action", anchor="plan",
        form_kwargs={"case": case}, success="Plan action added",
        perform=lambda case, data: actions.add_plan_action(
            actor=request.user, case_id=case.pk, description=data["description"], owner_id=data["owner"].pk,
            due_on=data["due_on"]),
    )


@require_http_methods(["GET", "POST"])
def complete_action(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    require_case_changer(request.user)
    case = get_case_for_user(request.user, pk)
    action = case.actions.select_related("owner", "agency").filter(pk=action_pk).first()
    if action is None:
        raise Http404("No such action")
    return _case_change(
        request, pk, case=case, form_class=forms.CompleteActionForm, obj=action, title="Complete a plan action",
        anchor="plan", initial={"completed_on": timezone.localdate().strftime("%d/%m/%Y")},
        warning="" if action.is_open else "This action has already been completed or cancelled.",
        success="Plan action updated",
        perform=lambda case, data: actions.complete_plan_action(
            actor=request.user, case_id=case.pk, action_id=action.pk, status=data["status"], note=data["note"],
            completed_on=data["completed_on"]),
    )


@require_http_methods(["GET", "POST"])
def record_review(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_change(
        request, pk, form_class=forms.ReviewForm, title="Record a case review", anchor="reviews",
        success="Review recorded",
        perform=lambda case, data: actions.record_review(
            actor=request.user, case_id=case.pk, held_on=data["held_on"], summary=data["summary"],
            next_review_due=data["next_review_due"]),
    )


@require_http_methods(["GET", "POST"])
def record_strategy(request: HttpRequest, pk: int) -> HttpResponse:
    return _case_change(
        request, pk, form_class=forms.StrategyDiscussionForm, title="Record a strategy discussion",
        anchor="strategy", form_kwargs={"partnership": request.user.partnership},
        success="Strategy discussion recorded",
        intro="Deadlines run in working days from the day of the discussion: a follow-up meeting within 5 and "
              "the assessment within 45; for a section 47 enquiry, the initial child protection conference "
              "within 15. Agencies that took part become involved with the child.",
        perform=lambda case, data: actions.record_strategy_discussion(
            actor=request.user, case_id=case.pk, held_on=data["held_on"],
            agency_ids=[a.pk for a in data["agencies"]], decision=data["decision"], rationale=data["rationale"]),
    )


@require_http_methods(["GET", "POST"])
def mark_clock(request: HttpRequest, pk: int, clock_pk: int) -> HttpResponse:
    require_case_changer(request.user)
    case = get_case_for_user(request.user, pk)
    clock = StrategyClock.objects.select_related("discussion").filter(pk=clock_pk, discussion__case=case).first()
    if clock is None:
        raise Http404("No such deadline")
    status = status_of(clock, timezone.localdate())
    return _case_change(
        request, pk, case=case, form_class=forms.ClockMetForm, obj=status, anchor="strategy",
        title=f"Record: {status.label.lower()}", submit="Save",
        initial={"met_on": timezone.localdate().strftime("%d/%m/%Y")},
        intro=f"Strategy discussion of {clock.discussion.held_on:%-d %B %Y}. Due {clock.due_on:%-d %B %Y} "
              f"({clock.working_days} working days).",
        warning="" if clock.met_on is None else "This deadline has already been recorded as met.",
        success="Deadline recorded",
        perform=lambda case, data: actions.mark_clock_met(actor=request.user, case_id=case.pk, clock_id=clock.pk,
                                                          met_on=data["met_on"]),
    )


@require_http_methods(["GET", "POST"])
def request_closure(request: HttpRequest, pk: int) -> HttpResponse:
    require_case_changer(request.user)
    case = get_case_for_user(request.user, pk)
    warning = ""
    if case.state == CaseState.CLOSURE_REQUESTED:
        warning = "Closure has already been asked for: a manager is deciding."
    return _case_change(
        request, pk, case=case, form_class=forms.ClosureRequestForm, title="Ask for the case to be closed",
        anchor="closure", submit="Ask a manager to decide", warning=warning,
        intro="A team manager or exploitation coordinator other than you decides. The case stays open until "
              "they approve, and every open plan action must be completed or cancelled first.",
        success="Closure requested: a manager will decide",
        perform=lambda case, data: actions.request_closure(actor=request.user, case_id=case.pk,
                                                           reason=data["reason"]),
    )


@require_http_methods(["GET", "POST"])
def decide_closure(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_approve_closures(request.user):
        raise PermissionDenied
    case = get_case_for_user(request.user, pk)
    pending = (case.closure_requests.filter(decision=ClosureDecision.PENDING)
               .select_related("requested_by", "requested_by_agency").first())
    warning = ""
    if pending is None:
        warning = "No closure request is waiting for a decision on this case."
    elif pending.requested_by_id == request.user.pk:
        warning = "You asked for this closure, so someone else must decide on it."

    def perform(case, data):
        if warning:
            raise CaseworkError(warning)
        actions.decide_closure(actor=request.user, case_id=case.pk, approve=data["decision"] == "approve",
                               note=data["note"])

    return _case_change(
        request, pk, case=case, form_class=forms.ClosureDecisionForm, obj=pending,
        title="Decide on closing the case", anchor="closure", submit="Record decision", warning=warning,
        success="Decision recorded", perform=perform,
    )


# --- chronology ------------------------------------------------------------------------------


def _chronology(request: HttpRequest, pk: int):
    """The child, the filtered entries and the filter form; entries are read, not yet shown."""
    _require_casework(request)
    person = get_person_for_user(request.user, pk)
    everything = chronology_for(person, request.user)
    agencies = list(partnership_agencies(person.partnership_id))
    event_types = sorted({e.event_type for e in everything}, key=event_type_label)
    form = forms.ChronologyFilterForm(request.GET or None, agencies=agencies,
                                      event_types=[(code, event_type_label(code)) for code in event_types])
    agency_id, event_type, order = None, "", "newest"
    if form.is_bound and form.is_valid():
        agency_id = form.cleaned_data["agency"]
        event_type = form.cleaned_data["event_type"]
        order = form.cleaned_data["order"] or "newest"
    entries = everything
    agency_name = ""
    if agency_id is not None:
        agency_name = next(a.name for a in agencies if a.pk == agency_id)
        entries = [e for e in entries if e.agency_name == agency_name]
    if event_type:
        entries = [e for e in entries if e.event_type == event_type]
    if order == "newest":
        entries = list(reversed(entries))
    filters = {"agency": agency_id, "event_type": event_type, "order": order}
    described = "; ".join(filter(None, [
        f"agency: {agency_name}" if agency_name else "",
        f"type: {event_type_label(event_type)}" if event_type else "",
    ]))
    description = f"Filtered by {described}." if described else "All events."
    return person, everything, entries, form, filters, description


@require_GET
def chronology(request: HttpRequest, pk: int) -> HttpResponse:
    person, everything, entries, form, filters, description = _chronology(request, pk)
    page = Paginator(entries, CHRONOLOGY_PER_PAGE).get_page(request.GET.get("page"))
    # record_event is its own transaction; written before anything is rendered.
    record_event("chronology.viewed", actor=request.user, person=person, target=person, details={
        "total": len(everything), "shown": len(entries), "page": page.number,
        "agency_id": filters["agency"], "event_type": filters["event_type"],
    })
    rows = []
    for entry in page.object_list:
        local = timezone.localtime(entry.occurred_at)
        when = f"{local:%-d %B %Y}" + (f" at {local:%H:%M}" if has_time(entry.occurred_at) else "")
        rows.append({"entry": entry, "iso": local.isoformat(), "when": when,
                     "type_label": event_type_label(entry.event_type)})
    export_query = _querystring(request.GET, page=None)
    return render(request, "casework/chronology.html", {
        "person": person, "form": form, "rows": rows, "page": page, "total": len(everything),
        "count": len(entries), "pagination": _pagination(page, request.GET), "description": description,
        "export_query": export_query, "filtered": bool(filters["agency"] or filters["event_type"]),
        "page_title": f"Chronology: {person.full_name}",
    })


def _export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    person, everything, entries, form, filters, description = _chronology(request, pk)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest("The filters are not valid: go back to the chronology and choose again.")
    # An export leaves the system: the person confirms it is them (step-up), after the access checks
    # above, and comes back here with the same filters.
    if (detour := step_up_required(request)) is not None:
        return detour
    now = timezone.now()
    with transaction.atomic():
        record_event("chronology.exported", actor=request.user, person=person, target=person, details={
            "format": fmt, "entries": len(entries), "total": len(everything),
            "agency_id": filters["agency"], "event_type": filters["event_type"], "order": filters["order"],
        })
        if fmt == "csv":
            body: bytes | str = render_csv(entries)
            content_type = "text/csv; charset=utf-8"
        else:
            body = render_pdf(person=person, entries=entries, filters=description, user=request.user,
                              generated_at=now, service_name=settings.WREKIN_SERVICE_NAME)
            content_type = "application/pdf"
    response = HttpResponse(body, content_type=content_type)
    # The file is named by record number and date: a child's name never lands in a downloads folder.
    filename = f"chronology-{person.pk}-{timezone.localdate(now):%Y%m%d}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def chronology_csv(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, "csv")


@require_GET
def chronology_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _export(request, pk, "pdf")
