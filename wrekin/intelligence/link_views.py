"""Pages for link alerts, entities, mentions and intelligence reports.

Every record is fetched through wrekin/access/intelligence.py (404 for absent and forbidden
alike); every change goes through an action (wrekin/intelligence/alerts.py, reports.py); every
page that shows case content writes its read event before rendering.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods

from wrekin.access.intelligence import (
    FULL,
    alert_access,
    alert_children_visible_to,
    can_record_reports,
    can_review_mentions,
    can_see_intelligence,
    can_triage_alerts,
    coordinators_of,
    entities_visible_to,
    get_alert_for_user,
    get_entity_for_user,
    get_mention_for_user,
    get_report_for_user,
    report_recipients_choosable_by,
    report_subjects_nameable_by,
    report_subjects_visible_to,
    reports_visible_to,
)
from wrekin.access.policy import people_visible_to
from wrekin.audit.actions import record_event
from wrekin.intelligence import alerts as alert_actions
from wrekin.intelligence import reports as report_actions
from wrekin.intelligence.link_forms import (
    AlertFilterForm,
    MentionReviewForm,
    ReportForm,
    ReportMentionFormSet,
    ResolutionForm,
    TriageForm,
)
from wrekin.intelligence.models import (
    EntityType,
    LinkAlertStatus,
    Mention,
    MentionStatus,
    ResolutionStatus,
)
from wrekin.intelligence.people_picker import (
    PersonSearchForm,
    candidate_people,
    form_initial_from_post,
    is_find,
    person_choices,
)
from wrekin.people.models import PersonKind
from wrekin.people.search import search_people

ALERT_URL_NAMES = {
    "intelligence:alerts", "intelligence:alert_detail", "intelligence:entity_detail", "intelligence:mention_review",
    "intelligence:reports", "intelligence:report_create", "intelligence:report_detail",
}


def _require_intelligence(request: HttpRequest) -> None:
    if not can_see_intelligence(request.user):
        raise PermissionDenied


def network_url(alert) -> str:
    """The network page centred on the alert's entity, when the networks page is installed ('' if not)."""
    try:
        base = reverse("intelligence:network")
    except NoReverseMatch:
        return ""
    from wrekin.intelligence.network import ENTITY_NODE_KIND

    kind = ENTITY_NODE_KIND.get(alert.anchor_entity.type)
    return f"{base}?centre={kind}:{alert.anchor_entity_id}" if kind else base


# --- Link alerts ------------------------------------------------------------------------------

@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    _require_intelligence(request)
    form = AlertFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    with transaction.atomic():
        rows = list(alert_actions.alert_list(request.user, status=status)[:500])
        record_event("link_alert.listed", actor=request.user, details={"status": status, "count": len(rows)})
    full = can_triage_alerts(request.user)
    items = []
    for alert in rows:
        children = [] if full else alert_children_visible_to(request.user, alert)[0]
        items.append({"alert": alert, "children": children})
    return render(request, "intelligence/alerts/list.html", {
        "items": items, "form": form, "status": status, "full": full,
        "status_label": LinkAlertStatus(status).label if status else "", "page_title": "Link alerts",
    })


@require_http_methods(["GET", "POST"])
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_intelligence(request)
    alert = get_alert_for_user(request.user, pk)
    access = alert_access(request.user, alert)
    triage = None
    if access == FULL and can_triage_alerts(request.user) and alert_actions.TRANSITIONS[alert.status]:
        triage = TriageForm(request.POST if request.method == "POST" else None, current=alert.status)
    elif request.method == "POST":
        raise PermissionDenied
    if request.method == "POST" and triage is not None and triage.is_valid():
        try:
            alert_actions.triage_alert(actor=request.user, alert_id=alert.pk,
                                       to_status=triage.cleaned_data["to_status"], reason=triage.cleaned_data["reason"])
        except ValidationError as error:
            triage.apply_action_errors(error)
        else:
            messages.success(request, f"Alert marked {LinkAlertStatus(triage.cleaned_data['to_status']).label.lower()}")
            return redirect("intelligence:alert_detail", pk=alert.pk)
    with transaction.atomic():
        record_event("link_alert.viewed", actor=request.user, target=alert,
                     details={"alert": alert.pk, "access": access})
    children, hidden_children = alert_children_visible_to(request.user, alert)
    context = {"alert": alert, "access": access, "children": children, "hidden_children": hidden_children,
               "page_title": "Link alert"}
    if access == FULL:
        rows, hidden_records = alert_actions.alert_records(request.user, alert)
        context.update({
            "rows": rows, "hidden_records": hidden_records, "form": triage,
            "entities": alert.entities.order_by("type", "display"),
            "transitions": alert.transitions.select_related("actor", "actor_agency"),
            "network_url": network_url(alert),
        })
        return render(request, "intelligence/alerts/detail.html", context)
    context["coordinators"] = coordinators_of(request.user)
    return render(request, "intelligence/alerts/limited.html", context)


# --- Entities and mentions --------------------------------------------------------------------

@require_GET
def entity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_intelligence(request)
    with transaction.atomic():
        entity = get_entity_for_user(request.user, pk)
        mentions = list(alert_actions.entity_mentions(request.user, entity))
        record_event("intelligence.entity_viewed", actor=request.user, target=entity,
                     details={"entity": entity.pk, "mentions": len(mentions)})
    visible_people = set(people_visible_to(request.user).filter(
        pk__in=[m.resolved_person_id for m in mentions if m.resolved_person_id]).values_list("pk", flat=True))
    rows = [{"mention": m, "url": alert_actions.source_url(m.source_type, m.source_id),
             "resolved": m.resolved_person if m.resolved_person_id in visible_people else None} for m in mentions]
    alerts = [] if not can_triage_alerts(request.user) else list(
        entity.link_alerts.order_by("-updated_at")[:20])
    return render(request, "intelligence/entity.html", {
        "entity": entity, "rows": rows, "alerts": alerts, "can_review": can_review_mentions(request.user),
        "page_title": f"{entity.get_type_display()}: {entity.display}",
    })


@require_http_methods(["GET", "POST"])
def mention_review(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_review_mentions(request.user):
        raise PermissionDenied
    mention = get_mention_for_user(request.user, pk)
    post = request.POST if request.method == "POST" else None
    is_person = mention.entity.type == EntityType.PERSON
    suggestions = _resolution_choices(request.user, mention) if is_person else []
    which = post.get("form") if post else None
    review = MentionReviewForm(post if which == "review" else None,
                               can_confirm=mention.status == MentionStatus.UNCONFIRMED)
    resolution = ResolutionForm(post if which == "resolve" else None, person_choices=suggestions) \
        if is_person else None
    if post is not None:
        if which == "review" and mention.status != MentionStatus.REJECTED and review.is_valid():
            try:
                alert_actions.review_mention(actor=request.user, mention_id=mention.pk,
                                             decision=review.cleaned_data["decision"],
                                             reason=review.cleaned_data["reason"])
            except ValidationError as error:
                review.apply_action_errors(error)
            else:
                messages.success(request, "Mention confirmed" if review.cleaned_data["decision"] == "confirm"
                                 else "Mention rejected")
                return redirect("intelligence:entity_detail", pk=mention.entity_id)
        elif which == "resolve" and resolution is not None and resolution.is_valid():
            try:
                alert_actions.resolve_person_mention(actor=request.user, mention_id=mention.pk,
                                                     person_id=resolution.person_id())
            except ValidationError as error:
                resolution.apply_action_errors(error)
            else:
                messages.success(request, "Person of concern recorded")
                return redirect("intelligence:entity_detail", pk=mention.entity_id)
        elif which not in ("review", "resolve"):
            review.add_error(None, "Choose what to record")
    with transaction.atomic():
        record_event("intelligence.mention_viewed", actor=request.user, person=mention.child_id, target=mention,
                     details={"mention": mention.pk, "entity": mention.entity_id})
    forms = [f for f in (review, resolution) if f is not None]
    return render(request, "intelligence/mention.html", {
        "mention": mention, "review": review if mention.status != MentionStatus.REJECTED else None,
        "resolution": resolution, "forms": forms, "source_url": alert_actions.source_url(
            mention.source_type, mention.source_id),
        "page_title": f"Mention of {mention.entity.display}",
    })


def _resolution_choices(user, mention: Mention) -> list[tuple[int, str]]:
    """Persons of concern this user can see who match the name: the suggestion first."""
    persons = people_visible_to(user).filter(kind=PersonKind.PERSON_OF_CONCERN)
    text = mention.entity.name + (f" aged {mention.approximate_age}" if mention.approximate_age else "")
    found = [m.person for m in search_people(persons, text, limit=5)]
    if mention.resolved_person_id and mention.resolved_person_id not in {p.pk for p in found}:
        current = persons.filter(pk=mention.resolved_person_id).first()
        if current is not None:
            found.insert(0, current)
    choices = person_choices(found)
    if mention.resolution_status in (ResolutionStatus.CONFIRMED, ResolutionStatus.NAMED):
        note = "confirmed" if mention.resolution_status == ResolutionStatus.CONFIRMED else "named in the text"
        choices = [(pk, f"{label} ({note})" if pk == mention.resolved_person_id else label)
                   for pk, label in choices]
    return choices


# --- Intelligence reports ---------------------------------------------------------------------

@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    _require_intelligence(request)
    with transaction.atomic():
        rows = list(reports_visible_to(request.user).select_related("recorded_by_agency")
                    .order_by("-recorded_at", "-pk")[:500])
        record_event("intelligence_report.listed", actor=request.user, details={"count": len(rows)})
    return render(request, "intelligence/reports/list.html", {
        "reports": rows, "can_record": can_record_reports(request.user), "page_title": "Intelligence reports",
    })


@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest) -> HttpResponse:
    if not can_record_reports(request.user):
        raise PermissionDenied
    post = request.POST if request.method == "POST" else None
    query = post.get("person_search", "") if post else ""
    chosen = (post.getlist("children") + post.getlist("persons")) if post else []
    search_form = PersonSearchForm(post if is_find(request) else None, initial={"person_search": query},
                                   label="Find a child or person of concern by name")
    children = candidate_people(report_subjects_nameable_by(request.user, PersonKind.CHILD),
                                kinds=[PersonKind.CHILD], query=query, chosen=chosen)
    persons = candidate_people(report_subjects_nameable_by(request.user, PersonKind.PERSON_OF_CONCERN),
                               kinds=[PersonKind.PERSON_OF_CONCERN], query=query, chosen=chosen)
    recipients = [(u.pk, f"{u.display_name()}, {u.membership.agency.name}")
                  for u in report_recipients_choosable_by(request.user).exclude(pk=request.user.pk)]
    choices = {"recipient_choices": recipients, "child_choices": person_choices(children),
               "person_choices": person_choices(persons)}
    searched = False
    if is_find(request):
        if search_form.is_valid():
            searched = True
            with transaction.atomic():
                record_event("intelligence_report.subjects_searched", actor=request.user,
                             details={"results": [p.pk for p in children + persons]})
        form = ReportForm(initial=form_initial_from_post(post, multi=["children", "persons", "recipients"]),
                          **choices)
        mention_forms = ReportMentionFormSet(initial=_typed_mentions(post), prefix="mentions")
    else:
        form = ReportForm(post, **choices)
        mention_forms = ReportMentionFormSet(post, prefix="mentions") if post else ReportMentionFormSet(
            prefix="mentions")
        if post is not None and form.is_valid() and mention_forms.is_valid():
            data = form.cleaned_data
            try:
                report = report_actions.record_report(
                    actor=request.user, title=data["title"], narrative=data["narrative"],
                    information_date=data["information_date"], source_evaluation=data["source_evaluation"],
                    intelligence_assessment=data["intelligence_assessment"], handling_code=data["handling_code"],
                    handling_conditions=data["handling_conditions"], recipient_ids=data["recipients"],
                    child_ids=data["children"], person_ids=data["persons"],
                    mentions=[m for f in mention_forms.forms if (m := f.mention())])
            except ValidationError as error:
                form.apply_action_errors(error)
            else:
                messages.success(request, f"Intelligence report {report.grading} recorded")
                return redirect("intelligence:report_detail", pk=report.pk)
    return render(request, "intelligence/reports/create.html", {
        "form": form, "search_form": search_form, "mention_forms": mention_forms,
        "forms": [search_form, form, *mention_forms.forms], "searched": searched,
        "children": children, "persons": persons, "page_title": "Record an intelligence report",
    })


def _typed_mentions(post) -> list[dict]:
    rows = []
    for n in range(ReportMentionFormSet.max_num):
        row = {f: post.get(f"mentions-{n}-{f}", "") for f in ("type", "value", "relationship")}
        rows.append(row)
    return rows


@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_intelligence(request)
    with transaction.atomic():
        report = get_report_for_user(request.user, pk)
        record_event("intelligence_report.viewed", actor=request.user, target=report, details={"report": report.pk})
    children, persons, hidden = report_subjects_visible_to(request.user, report)
    mentions = (Mention.objects.filter(source_type="intelligence.intelligencereport", source_id=report.pk)
                .exclude(status=MentionStatus.REJECTED).select_related("entity").order_by("entity__type", "pk"))
    seen, entities = set(), []
    for mention in mentions:
        if mention.entity_id not in seen:
            seen.add(mention.entity_id)
            entities.append(mention)
    openable = set(entities_visible_to(request.user).filter(pk__in=seen).values_list("pk", flat=True))
    return render(request, "intelligence/reports/detail.html", {
        "report": report, "children": children, "persons": persons, "hidden_subjects": hidden,
        "mentions": entities, "openable": openable,
        "recipients": report.recipients.select_related("membership__agency"),
        "page_title": f"Intelligence report {report.grading}: {report.title}",
    })
