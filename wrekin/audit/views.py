"""The audit trail as auditors read it: who opened, searched and changed what.

Four screens, for auditors only, each itself written to the trail before it is shown:
- the trail, filterable by person, username and event;
- "Who viewed this child": every read and change about one person — who, agency, when, via;
- "What this user did": one user's events, filterable by date;
- "Unusual access": unusual-access alerts and break-glass uses, linking to the two above.

Auditors see no case content, so a person is shown by their record number, never their name,
and search texts held in event details are not displayed.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from wrekin.access.models import BreakGlassGrant
from wrekin.access.monitoring import MINIMUM_THRESHOLD
from wrekin.access.policy import can_view_audit
from wrekin.accounts.models import User
from wrekin.audit import vocabulary
from wrekin.audit.actions import record_event
from wrekin.audit.models import AuditEvent
from wrekin.people.models import Person

EVENTS_PER_PAGE = 50


class AuditFilterForm(forms.Form):
    person = forms.IntegerField(label="Person reference", required=False, min_value=1,
                                help_text="The number at the end of the person's record address")
    username = forms.CharField(label="Username", required=False, max_length=150)
    event_type = forms.ChoiceField(label="Event", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_type"].choices = [("", "Any event")] + [
            (e.code, e.description) for e in vocabulary.all_event_types()
        ]


class PersonHistoryFilterForm(forms.Form):
    kind = forms.ChoiceField(label="Show", required=False, choices=[
        ("", "Every read and change"), ("reads", "Reads only (opened, searched, shown)"), ("changes", "Changes only"),
    ])


DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d", "%d-%m-%Y"]


class DateRangeForm(forms.Form):
    date_from = forms.DateField(label="From", required=False, input_formats=DATE_FORMATS,
                                help_text="For example, 27/3/2026",
                                error_messages={"invalid": "Enter the start date as day/month/year, like 27/3/2026"})
    date_to = forms.DateField(label="To", required=False, input_formats=DATE_FORMATS,
                              help_text="Includes the whole day",
                              error_messages={"invalid": "Enter the end date as day/month/year, like 31/3/2026"})

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return data


def _require_auditor(request: HttpRequest):
    if not can_view_audit(request.user) or request.user.partnership is None:
        raise PermissionDenied
    return request.user.partnership


def _describe(events: list[AuditEvent]) -> list[AuditEvent]:
    """Attach the readable description and how the access happened ("via") to each event."""
    descriptions = {e.code: e.description for e in vocabulary.all_event_types()}
    pairs = {(e.actor_id, e.person_id) for e in events if e.actor_id and e.person_id}
    grants: dict[tuple[int, int], list[BreakGlassGrant]] = {}
    if pairs:
        for grant in BreakGlassGrant.objects.filter(user_id__in={a for a, _ in pairs},
                                                    person_id__in={p for _, p in pairs}):
            grants.setdefault((grant.user_id, grant.person_id), []).append(grant)
    for event in events:
        event.description = descriptions.get(event.event_type, event.event_type)
        event.via = _via(event, grants.get((event.actor_id, event.person_id), []))
    return events


def _via(event: AuditEvent, grants: list[BreakGlassGrant]) -> str:
    details = event.details if isinstance(event.details, dict) else {}
    if event.event_type.startswith("access.break_glass"):
        return "Break-glass"
    for grant in grants:
        ended = min(filter(None, [grant.expires_at, grant.ended_at]))
        if grant.granted_at <= event.occurred_at < ended:
            return "Break-glass"
    if details.get("via") == "api":
        return "API"
    if event.request_id:
        return "Web"
    return "System or command line"


def partnership_events(partnership):
    """The events an auditor of `partnership` may read: its staff's, those about its people, and
    unattributed ones (failed sign-ins, system checks), which name nobody."""
    return AuditEvent.objects.filter(
        Q(agency__partnership_id=partnership.pk)
        | Q(person_id__in=Person.objects.filter(partnership_id=partnership.pk).values("pk"))
        | Q(agency__isnull=True, actor__isnull=True, person_id__isnull=True)
    )


def events(request: HttpRequest) -> HttpResponse:
    partnership = _require_auditor(request)
    form = AuditFilterForm(request.GET or None)
    queryset = partnership_events(partnership).select_related("agency").order_by("-seq")
    filters = {}
    if form.is_valid():
        if form.cleaned_data["person"]:
            queryset = queryset.filter(person_id=form.cleaned_data["person"])
            filters["person"] = form.cleaned_data["person"]
        if form.cleaned_data["username"]:
            queryset = queryset.filter(actor_username=form.cleaned_data["username"])
            filters["username"] = form.cleaned_data["username"]
        if form.cleaned_data["event_type"]:
            queryset = queryset.filter(event_type=form.cleaned_data["event_type"])
            filters["event_type"] = form.cleaned_data["event_type"]
    page = Paginator(queryset, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    with transaction.atomic():
        record_event("audit.viewed", actor=request.user, details={"filters": filters, "page": page.number})
    page.object_list = _describe(list(page.object_list))
    return render(request, "audit/events.html", {
        "form": form, "page": page, "page_title": "Audit trail",
        "querystring": "&".join(f"{k}={v}" for k, v in filters.items()),
    })


def person_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Who viewed this child: every read and change about one person, newest first."""
    partnership = _require_auditor(request)
    exists_here = Person.objects.filter(pk=pk, partnership_id=partnership.pk).exists()
    if not exists_here:
        # A record merged away or disposed of keeps its trail: show it if this partnership's staff
        # touched it, and never a record of another partnership (answered like an absent one).
        gone = not Person.objects.filter(pk=pk).exists()
        if not gone or not AuditEvent.objects.filter(person_id=pk, agency__partnership_id=partnership.pk).exists():
            raise Http404("No record found")
    form = PersonHistoryFilterForm(request.GET or None)
    queryset = AuditEvent.objects.filter(person_id=pk).select_related("agency").order_by("-seq")
    kind = form.cleaned_data["kind"] if form.is_valid() else ""
    reads = [e.code for e in vocabulary.all_event_types() if e.is_read]
    if kind == "reads":
        queryset = queryset.filter(event_type__in=reads)
    elif kind == "changes":
        queryset = queryset.exclude(event_type__in=reads)
    page = Paginator(queryset, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    with transaction.atomic():
        record_event("audit.viewed", actor=request.user,
                     details={"screen": "person_history", "person": pk, "kind": kind, "page": page.number})
    page.object_list = _describe(list(page.object_list))
    people_involved = (AuditEvent.objects.filter(person_id=pk, actor__isnull=False)
                       .values("actor_username").distinct().count())
    return render(request, "audit/person_history.html", {
        "form": form, "page": page, "person_id": pk, "people_involved": people_involved,
        "page_title": f"Who viewed record {pk}",
    })


def user_activity(request: HttpRequest, username: str) -> HttpResponse:
    """What this user did: their events, newest first, optionally between two dates."""
    partnership = _require_auditor(request)
    subject = (User.objects.filter(username=username, membership__agency__partnership_id=partnership.pk)
               .select_related("membership__agency").first())
    if subject is None:
        raise Http404("No user found")
    form = DateRangeForm(request.GET or None)
    queryset = AuditEvent.objects.filter(actor_id=subject.pk).select_related("agency").order_by("-seq")
    date_from = date_to = None
    if form.is_bound and form.is_valid():
        date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        zone = timezone.get_current_timezone()
        if date_from:
            start = timezone.make_aware(datetime.combine(date_from, time.min), zone)
            queryset = queryset.filter(occurred_at__gte=start)
        if date_to:
            end = timezone.make_aware(datetime.combine(date_to + timedelta(days=1), time.min), zone)
            queryset = queryset.filter(occurred_at__lt=end)
    page = Paginator(queryset, EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    with transaction.atomic():
        record_event("audit.viewed", actor=request.user, details={
            "screen": "user_activity", "user": subject.pk, "page": page.number,
            "from": date_from.isoformat() if date_from else "", "to": date_to.isoformat() if date_to else "",
        })
    page.object_list = _describe(list(page.object_list))
    return render(request, "audit/user_activity.html", {
        "form": form, "page": page, "subject": subject, "page_title": f"What {subject.username} did",
    })


def unusual_access(request: HttpRequest) -> HttpResponse:
    """Unusual-access alerts and break-glass uses in this partnership, newest first."""
    partnership = _require_auditor(request)
    staff = dict(User.objects.filter(membership__agency__partnership_id=partnership.pk)
                 .values_list("pk", "username"))
    queryset = (AuditEvent.objects.filter(event_type="access.unusual_access", details__user__in=list(staff))
                | AuditEvent.objects.filter(event_type="access.break_glass",
                                            agency__partnership_id=partnership.pk)).order_by("-seq")
    page = Paginator(queryset.select_related("agency"), EVENTS_PER_PAGE).get_page(request.GET.get("page"))
    with transaction.atomic():
        record_event("audit.viewed", actor=request.user, details={"screen": "unusual_access", "page": page.number})
    rows = []
    grant_ids = [e.object_id for e in page.object_list
                 if e.event_type == "access.break_glass" and e.object_id.isdigit()]
    grants = {str(g.pk): g for g in BreakGlassGrant.objects.filter(pk__in=grant_ids)}
    for event in _describe(list(page.object_list)):
        details = event.details if isinstance(event.details, dict) else {}
        if event.event_type == "access.unusual_access":
            username = staff.get(details.get("user"), "")
            summary = (f"Opened {details.get('people_in_last_hour', '?')} records in an hour "
                       f"(alert threshold {details.get('threshold', '?')})")
            grant = None
        else:
            username = event.actor_username
            summary = f"Reason given: {event.reason}" if event.reason else ""
            grant = grants.get(event.object_id)
        rows.append({"event": event, "username": username, "summary": summary, "grant": grant})
    page.object_list = rows
    return render(request, "audit/unusual_access.html", {
        "page": page, "page_title": "Unusual access", "threshold": MINIMUM_THRESHOLD,
    })
