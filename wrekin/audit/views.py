"""The audit trail as auditors read it: who opened, searched and changed what."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from wrekin.access.policy import can_view_audit
from wrekin.audit import vocabulary
from wrekin.audit.actions import record_event
from wrekin.audit.models import AuditEvent


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


def events(request: HttpRequest) -> HttpResponse:
    if not can_view_audit(request.user):
        raise PermissionDenied
    form = AuditFilterForm(request.GET or None)
    queryset = AuditEvent.objects.select_related("agency").order_by("-seq")
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
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    with transaction.atomic():
        record_event("audit.viewed", actor=request.user, details={"filters": filters, "page": page.number})
    descriptions = {e.code: e.description for e in vocabulary.all_event_types()}
    page.object_list = list(page.object_list)
    for event in page.object_list:
        event.description = descriptions.get(event.event_type, event.event_type)
    return render(request, "audit/events.html", {
        "form": form, "page": page, "page_title": "Audit trail",
        "querystring": "&".join(f"{k}={v}" for k, v in filters.items()),
    })
