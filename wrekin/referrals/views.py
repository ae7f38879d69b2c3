"""Referrals, triage and screenings: pages that fetch through the access policy and change through actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from wrekin.access.policy import get_person_for_user, people_visible_to
from wrekin.access.referrals import (
    can_approve_screenings,
    can_refer,
    can_screen,
    can_triage,
    get_referral_for_triage,
    get_referral_for_user,
    get_screening_for_user,
    referrals_visible_to,
    screenings_awaiting_approval_for,
    screenings_visible_to,
    triage_queue_for,
)
from wrekin.accounts.models import Agency
from wrekin.audit.actions import record_event
from wrekin.intelligence.extraction_views import suggestions_context
from wrekin.people.forms import ConfirmNewPersonForm, SearchForm
from wrekin.people.models import Person, PersonKind
from wrekin.people.search import parse_query, partnership_id_of, search_people
from wrekin.referrals import actions, rules
from wrekin.referrals.forms import (
    ApprovalForm,
    NewChildForm,
    ReferralForm,
    ScreeningForm,
    SharingForm,
    TriageForm,
    mention_formset,
    typed_values,
)
from wrekin.referrals.models import (
    INDICATOR_CATEGORIES,
    INDICATOR_TYPES,
    Referral,
    ReferralStatus,
    RescreeningFlag,
    Screening,
    ScreeningStatus,
    TriageDecision,
)
from wrekin.referrals.queries import triage_due


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _apply_errors(forms, error: ValidationError) -> None:
    """Put an action's rule errors beside the fields they concern (or atop the first form when none matches)."""
    forms = forms if isinstance(forms, list) else [forms]
    for field, messages_ in error.message_dict.items():
        target = next((f for f in forms if field in f.fields), None)
        if target is not None:
            target.add_error(field, messages_)
        else:
            forms[0].add_error(None, messages_)


def _children(user):
    return people_visible_to(user).filter(kind=PersonKind.CHILD)


def _visible_child(user, pk) -> Person:
    person = get_person_for_user(user, pk)
    if person.kind != PersonKind.CHILD:
        raise Http404("No child found")
    return person


# --- Making a referral ---------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Search before create: find the child among those the referrer can see. Searches are POSTs."""
    _require(can_refer(request.user))
    form = SearchForm(request.POST or None)
    form.fields["q"].label = "Child's name, and date of birth or age if known"
    matches = None
    if request.method == "POST" and form.is_valid():
        query = form.cleaned_data["q"]
        with transaction.atomic():
            matches = search_people(_children(request.user), query, partnership_id=partnership_id_of(request.user))
            record_event("person.searched", actor=request.user,
                         details={"query": query, "results": len(matches), "for": "referral"})
    return render(request, "referrals/start.html", {"form": form, "matches": matches,
                                                    "page_title": "Make a referral"})


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, pk: int) -> HttpResponse:
    _require(can_refer(request.user))
    return _referral_page(request, child=_visible_child(request.user, pk))


@require_http_methods(["GET", "POST"])
def create_for_new_child(request: HttpRequest) -> HttpResponse:
    _require(can_refer(request.user))
    return _referral_page(request, child=None)


def _referral_page(request: HttpRequest, *, child: Person | None) -> HttpResponse:
    user = request.user
    instrument = actions.current_instrument()
    today = timezone.localdate()
    new_child = child is None
    possible_matches = []
    post = request.POST if request.method == "POST" else None
    # What Wrekin finds in the narrative, with the referrer's decisions so far (htmx refreshes the same
    # part of the page as they type; without JavaScript the "Check" button posts the form to here).
    suggestions = suggestions_context("", user=user)
    if post is not None and "prefill_from_search" not in post:
        suggestions = suggestions_context(post.get("narrative", ""), post, user=user)
        form = ReferralForm(post, instrument=instrument, today=today)
        sharing = SharingForm(post)
        child_form = NewChildForm(post) if new_child else None
        confirm = ConfirmNewPersonForm(post) if new_child else None
        mentions = mention_formset(post)
        if "add_mention" in post or "find_suggestions" in post:
            # "Add another" (one more blank row) or "Check the narrative": everything typed kept, no errors yet.
            rows = mentions.total_form_count() + (1 if "add_mention" in post else 0)
            form = ReferralForm(initial=typed_values(form), instrument=instrument, today=today)
            sharing = SharingForm(initial=typed_values(sharing))
            if new_child:
                child_form = NewChildForm(initial=typed_values(child_form))
                confirm = ConfirmNewPersonForm(initial=typed_values(confirm))
            mentions = mention_formset(initial=[typed_values(f) for f in mentions.forms], rows=rows)
        else:
            if not mentions.is_valid() and mentions.non_form_errors():
                # The hidden row count was lost or altered: start the rows again rather than fail silently.
                form.is_valid()
                form.add_error(None, "The things mentioned could not be read: please add them again")
                mentions = mention_formset()
            page_forms = [form, mentions, sharing] + ([child_form, confirm] if new_child else [])
            forms_ok = all(f.is_valid() for f in page_forms)
            if forms_ok and new_child and not confirm.cleaned_data["none_of_these"]:
                possible_matches = _possible_matches(user, child_form)
            if forms_ok and not possible_matches:
                arguments = {**form.referral_arguments(), **sharing.referral_arguments(),
                             "mentions": [m for f in mentions.forms if (m := f.mention())],
                             "suggestion_decisions": {(s.item.type, s.item.normalised): s.decision
                                                      for s in suggestions["suggestions"] if s.decision}}
                try:
                    if new_child:
                        referral = actions.record_child_and_referral(
                            actor=user, child_details=child_form.person_details(), **arguments)
                    else:
                        referral = actions.record_referral(actor=user, child=child, **arguments)
                except ValidationError as error:
                    _apply_errors([form, sharing], error)
                else:
                    messages.success(request, f"Referral about {referral.child.full_name} sent for triage")
                    return redirect("referrals:detail", pk=referral.pk)
    else:
        form = ReferralForm(instrument=instrument, today=today)
        sharing = SharingForm()
        mentions = mention_formset()
        child_form = confirm = None
        if new_child:
            child_form = NewChildForm(initial=_prefill(request.POST.get("prefill_from_search", "")))
            confirm = ConfirmNewPersonForm()
    mention_forms = list(mentions.forms)
    # In the order they appear on the page, so the error summary reads top to bottom.
    all_forms = [f for f in [child_form, confirm, form] if f is not None] + mention_forms + [sharing]
    _audit_name_matches(user, suggestions["suggestions"])
    return render(request, "referrals/create.html", {
        "form": form, "sharing_form": sharing, "child_form": child_form, "confirm_form": confirm,
        "mention_forms": mention_forms, "child": child, "instrument": instrument,
        "possible_matches": possible_matches, "all_forms": all_forms, **suggestions,
        "page_title": f"Referral about {child.full_name}" if child else "Referral about a new child",
    })


def _audit_name_matches(user, suggestions) -> None:
    """Matching the narrative against known persons of concern is a search of people: audited, as the
    live suggestions endpoint audits it (how many were named, never the unsaved text)."""
    known_people = sum(1 for s in suggestions if s.item.type == "person")
    if known_people:
        with transaction.atomic():
            record_event("person.searched", actor=user, details={"via": "extraction", "results": known_people,
                                                                   "for": "referral"})


def _prefill(query: str) -> dict:
    """The search page posts its query, so names never travel in a URL."""
    initial = {}
    parsed = parse_query(query)
    if parsed.names:
        initial["given_name"] = parsed.names[0].title()
        if len(parsed.names) > 1:
            initial["family_name"] = parsed.names[-1].title()
    if parsed.date_of_birth:
        initial["date_of_birth"] = parsed.date_of_birth.strftime("%d/%m/%Y")
    return initial


def _possible_matches(user, child_form: NewChildForm):
    data = child_form.cleaned_data
    text = " ".join(filter(None, [data["given_name"], data["family_name"]]))
    if data["date_of_birth"]:
        text += " " + data["date_of_birth"].isoformat()
    with transaction.atomic():
        matches = search_people(_children(user), text, limit=10, partnership_id=partnership_id_of(user))
        record_event("person.searched", actor=user,
                     details={"query": text, "results": len(matches), "before_create": True, "for": "referral"})
    return matches


# --- Reading a referral ---------------------------------------------------------------------------

def _indicator_groups(instrument, codes: list[str]) -> list[tuple[str, list[dict]]]:
    ticked = set(codes)
    types = dict(INDICATOR_TYPES)
    return [(heading, [{**i, "type_label": types.get(i["type"], i["type"])} for i in items if i["code"] in ticked])
            for _, heading, items in instrument.indicators_by_category()
            if any(i["code"] in ticked for i in items)]


def _referral_context(request, referral: Referral) -> dict:
    user = request.user
    try:
        decision = referral.triage
    except TriageDecision.DoesNotExist:
        decision = None
    child_visible = people_visible_to(user).filter(pk=referral.child_id).exists()
    return {
        "referral": referral,
        "decision": decision,
        "mentions": referral.mentions.all(),
        "indicator_groups": _indicator_groups(referral.instrument, referral.indicators),
        "child_visible": child_visible,
        "child_age": referral.child.age_on(referral.occurred_on),
        "can_triage_this": can_triage(user) and referral.status == ReferralStatus.AWAITING_TRIAGE,
        "can_screen_child": child_visible and can_screen(user),
    }


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    with transaction.atomic():
        referral = get_referral_for_user(request.user, pk)
        # Written before anything is rendered: if the audit write fails, nothing is shown.
        record_event("referral.viewed", actor=request.user, person=referral.child, target=referral)
    context = _referral_context(request, referral)
    context["page_title"] = f"Referral about {referral.child.full_name}"
    return render(request, "referrals/detail.html", context)


# --- Triage ------------------------------------------------------------------------------------------

@require_GET
def triage_queue(request: HttpRequest) -> HttpResponse:
    _require(can_triage(request.user))
    today = timezone.localdate()
    with transaction.atomic():
        referrals = list(triage_queue_for(request.user))
        record_event("referral.queue_viewed", actor=request.user, details={"count": len(referrals)})
    rows = [{"referral": r, "due": triage_due(r.created_at), "overdue": today > triage_due(r.created_at),
             "age": r.child.age_on(today)} for r in referrals]
    return render(request, "referrals/triage_queue.html", {"rows": rows, "page_title": "Triage queue"})


@require_http_methods(["GET", "POST"])
def triage(request: HttpRequest, pk: int) -> HttpResponse:
    _require(can_triage(request.user))
    referral = get_referral_for_triage(request.user, pk)
    if referral.status != ReferralStatus.AWAITING_TRIAGE:
        messages.success(request, "This referral has already been triaged")
        return redirect("referrals:detail", pk=referral.pk)
    form = TriageForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = actions.triage_referral(
                actor=request.user, referral_id=referral.pk, outcome=data["outcome"], reason=data["reason"],
                passed_to_agency=data["passed_to_agency"] if data["outcome"] == "pass_on" else None)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Decision recorded: {decision.get_outcome_display().lower()}")
            return redirect("referrals:detail", pk=referral.pk)
    with transaction.atomic():
        record_event("referral.viewed", actor=request.user, person=referral.child, target=referral,
                     details={"for": "triage"})
    context = _referral_context(request, referral)
    context.update({"form": form, "page_title": f"Triage: referral about {referral.child.full_name}"})
    return render(request, "referrals/triage.html", context)


# --- Screenings --------------------------------------------------------------------------------------

@require_GET
def person_screenings(request: HttpRequest, pk: int) -> HttpResponse:
    with transaction.atomic():
        child = get_person_for_user(request.user, pk)
        record_event("screening.list_viewed", actor=request.user, person=child, target=child)
    screenings = (screenings_visible_to(request.user).filter(child=child)
                  .select_related("instrument", "agency", "screened_by"))
    return render(request, "referrals/person_screenings.html", {
        "child": child,
        "screenings": screenings,
        "referrals": referrals_visible_to(request.user).filter(child=child).select_related("referring_agency"),
        "open_flags": RescreeningFlag.objects.filter(child=child, resolved_by__isnull=True)
        .select_related("referral__referring_agency"),
        "can_screen": can_screen(request.user) and child.kind == PersonKind.CHILD,
        "can_refer": can_refer(request.user) and child.kind == PersonKind.CHILD,
        "page_title": f"Referrals and screenings: {child.full_name}",
    })


@require_http_methods(["GET", "POST"])
def screening_create(request: HttpRequest, pk: int) -> HttpResponse:
    _require(can_screen(request.user))
    user = request.user
    child = _visible_child(user, pk)
    instrument = actions.current_instrument()
    today = timezone.localdate()
    referral = revises = None
    initial: dict = {}
    # Ids travel in the query string (never names), and the form posts back to the same address.
    if request.GET.get("revises"):
        revises = get_screening_for_user(user, request.GET["revises"])
        if revises.child_id != child.pk or revises.status != ScreeningStatus.RETURNED:
            raise Http404("No returned screening found")
        referral = revises.referral
        initial = ScreeningForm.initial_from_screening(revises)
    elif request.GET.get("referral"):
        referral = get_referral_for_user(user, request.GET["referral"])
        if referral.child_id != child.pk:
            raise Http404("No referral found")
        initial = ScreeningForm.initial_from_referral(referral, instrument)
    agencies = Agency.objects.filter(partnership_id=child.partnership_id, is_active=True)
    form = ScreeningForm(request.POST or None, initial=initial, instrument=instrument, child=child, today=today,
                         agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            screening = actions.record_screening(actor=user, child=child, referral=referral, revises=revises,
                                                 today=today, **form.screening_arguments())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Screening submitted for a manager's approval")
            return redirect("referrals:screening_detail", pk=screening.pk)
    age = child.age_on(today)
    return render(request, "referrals/screening_form.html", {
        "form": form, "child": child, "instrument": instrument, "referral": referral, "revises": revises,
        "age": age, "under_13": age is not None and age < rules.UNDER_13_AGE,
        "page_title": f"Screen {child.full_name}",
    })


def _screening_context(screening: Screening) -> dict:
    instrument = screening.instrument
    answers = {a.indicator: a for a in screening.answers.select_related("source_agency")}
    score = rules.advisory_score(instrument, rules.answers_by_code({
        code: rules.Answer(indicator=code, answer=a.answer, window=a.window, basis=a.basis)
        for code, a in answers.items()}))
    points = {part.indicator["code"]: part for part in score.parts}
    types = dict(INDICATOR_TYPES)
    groups = [(heading, [{"indicator": i, "type_label": types.get(i["type"], i["type"]),
                          "answer": answers.get(i["code"]), "part": points.get(i["code"])}
                         for i in items])
              for _, heading, items in instrument.indicators_by_category()]
    return {"screening": screening, "instrument": instrument, "groups": groups, "score": score,
            "category_labels": dict(INDICATOR_CATEGORIES)}


@require_GET
def screening_detail(request: HttpRequest, pk: int) -> HttpResponse:
    with transaction.atomic():
        screening = get_screening_for_user(request.user, pk)
        record_event("screening.viewed", actor=request.user, person=screening.child, target=screening)
    context = _screening_context(screening)
    user = request.user
    context.update({
        "can_approve": (can_approve_screenings(user) and screening.status == ScreeningStatus.AWAITING_APPROVAL
                        and screening.screened_by_id != user.pk),
        "can_revise": (can_screen(user) and screening.status == ScreeningStatus.RETURNED
                       and not screening.revisions.exists()),
        "page_title": f"Screening of {screening.child.full_name}",
    })
    return render(request, "referrals/screening_detail.html", context)


@require_http_methods(["GET", "POST"])
def screening_approval(request: HttpRequest, pk: int) -> HttpResponse:
    _require(can_approve_screenings(request.user))
    screening = get_screening_for_user(request.user, pk)
    if screening.status != ScreeningStatus.AWAITING_APPROVAL:
        messages.success(request, "This screening has already been decided")
        return redirect("referrals:screening_detail", pk=screening.pk)
    if screening.screened_by_id == request.user.pk:
        messages.success(request, "You completed this screening, so another manager must approve it")
        return redirect("referrals:screening_detail", pk=screening.pk)
    form = ApprovalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == "approve":
                actions.approve_screening(actor=request.user, screening_id=screening.pk)
                messages.success(request, "Screening approved")
            else:
                actions.return_screening(actor=request.user, screening_id=screening.pk,
                                         reason=form.cleaned_data["reason"])
                messages.success(request, "Screening returned to the screener")
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect("referrals:screening_detail", pk=screening.pk)
    with transaction.atomic():
        record_event("screening.viewed", actor=request.user, person=screening.child, target=screening,
                     details={"for": "approval"})
    context = _screening_context(screening)
    context.update({"form": form, "page_title": f"Approve the screening of {screening.child.full_name}"})
    return render(request, "referrals/screening_approval.html", context)


@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    _require(can_approve_screenings(request.user))
    with transaction.atomic():
        screenings = list(screenings_awaiting_approval_for(request.user))
        record_event("screening.approvals_viewed", actor=request.user, details={"count": len(screenings)})
    return render(request, "referrals/approvals.html", {"screenings": screenings,
                                                        "page_title": "Screenings awaiting approval"})

