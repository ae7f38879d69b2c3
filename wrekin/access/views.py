"""Break-glass, restricted records and notifications."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from wrekin.access import actions
from wrekin.access.forms import BreakGlassForm, BreakGlassReviewForm, RestrictForm, SharingForm
from wrekin.access.known_to import flag_for, flaggable_people
from wrekin.access.models import BreakGlassGrant, Notification, SharingRecord
from wrekin.access.policy import can_see_case_content, can_view_audit, get_person_for_user, people_visible_to
from wrekin.accounts.models import Role
from wrekin.accounts.step_up import passkey_step_up_required
from wrekin.audit.actions import record_event


@require_http_methods(["GET", "POST"])
def break_glass(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_see_case_content(request.user):
        raise PermissionDenied
    person = flaggable_people(request.user).filter(pk=pk).first()
    if person is None:
        raise Http404("No person found")
    if people_visible_to(request.user).filter(pk=pk).exists():
        return redirect("people:detail", pk=pk)
    form = BreakGlassForm(request.POST or None, request=request)
    if detour := passkey_step_up_required(request, form):
        return detour
    if request.method == "POST":
        if form.is_valid():
            actions.break_glass(actor=request.user, person_id=pk, reason=form.cleaned_data["reason"])
            return redirect("people:detail", pk=pk)
        with transaction.atomic():
            record_event("access.break_glass_refused", actor=request.user, person=person,
                         details={"fields": sorted(form.errors)})
    return render(request, "access/break_glass.html", {
        "form": form, "flag": flag_for(person), "minutes": actions.BREAK_GLASS_MINUTES,
        "page_title": "Open a record with break-glass",
    })


@require_POST
def end_break_glass(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = actions.end_break_glass(actor=request.user, grant_id=grant_id)
    messages.success(request, "Break-glass access ended")
    return redirect("people:search") if grant else redirect("core:home")


def break_glass_reviews(request: HttpRequest) -> HttpResponse:
    if not can_view_audit(request.user):
        raise PermissionDenied
    grants = (BreakGlassGrant.objects.filter(person__partnership_id=request.user.partnership.pk)
              .select_related("user__membership__agency", "reviewed_by").order_by("reviewed_at", "-granted_at"))
    with transaction.atomic():
        record_event("audit.viewed", actor=request.user, details={"screen": "break_glass_reviews"})
    return render(request, "access/break_glass_reviews.html", {
        "page": Paginator(grants, 50).get_page(request.GET.get("page")), "page_title": "Break-glass reviews",
    })


@require_http_methods(["GET", "POST"])
def review_break_glass(request: HttpRequest, grant_id: int) -> HttpResponse:
    if not can_view_audit(request.user):
        raise PermissionDenied
    grant = (BreakGlassGrant.objects.filter(pk=grant_id, person__partnership_id=request.user.partnership.pk)
             .select_related("user__membership__agency").first())
    if grant is None:
        raise Http404("No grant found")
    form = BreakGlassReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.review_break_glass(actor=request.user, grant_id=grant.pk, outcome=form.cleaned_data["outcome"],
                                   note=form.cleaned_data["note"])
        messages.success(request, "Review recorded")
        return redirect("access:break_glass_reviews")
    return render(request, "access/review_break_glass.html", {
        "form": form, "grant": grant, "page_title": "Review break-glass access",
    })


@require_http_methods(["GET", "POST"])
def restrict(request: HttpRequest, pk: int) -> HttpResponse:
    if request.user.role not in (Role.MANAGER, Role.COORDINATOR):
        raise PermissionDenied
    person = get_person_for_user(request.user, pk)
    form = RestrictForm(request.POST or None, request=request)
    if detour := passkey_step_up_required(request, form):
        return detour
    if request.method == "POST" and form.is_valid():
        actions.restrict_person(actor=request.user, person_id=person.pk, reason=form.cleaned_data["reason"],
                                named_users=form.cleaned_data["usernames"])
        messages.success(request, "The record is now restricted to the named users")
        return redirect("people:detail", pk=person.pk)
    named = person.restricted_access.select_related("user__membership__agency")
    return render(request, "access/restrict.html", {
        "form": form, "person": person, "named": named, "page_title": f"Restrict {person.full_name}",
    })


@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        actions.mark_notifications_read(actor=request.user)
        messages.success(request, "All notifications marked as read")
        return redirect("access:notifications")
    items = Notification.objects.filter(recipient=request.user).select_related("actor")
    with transaction.atomic():
        record_event("access.notifications_viewed", actor=request.user)
    page = Paginator(items, 50).get_page(request.GET.get("page"))
    visible = set(people_visible_to(request.user).filter(
        pk__in=[n.person_id for n in page if n.person_id]).values_list("pk", flat=True))
    return render(request, "access/notifications.html", {
        "page": page, "visible": visible, "page_title": "Notifications",
        "unread": items.filter(read_at__isnull=True).count(),
    })


@require_http_methods(["GET", "POST"])
def person_sharing(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's sharing record: every disclosure outside the partnership and every decision not to share."""
    if not can_see_case_content(request.user):
        raise PermissionDenied
    person = get_person_for_user(request.user, pk)
    form = SharingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.record_sharing(actor=request.user, person_id=person.pk, **form.cleaned_data)
        messages.success(request, "Sharing decision recorded")
        return redirect("access:person_sharing", pk=person.pk)
    with transaction.atomic():
        record_event("access.sharing_viewed", actor=request.user, person=person)
    records = person.sharing_records.select_related("decided_by", "agency")
    return render(request, "access/person_sharing.html", {
        "form": form, "person": person, "records": records, "page_title": f"Information sharing: {person.full_name}",
    })


def sharing_register(request: HttpRequest) -> HttpResponse:
    """The partnership's register of disclosures, for auditors and coordinators."""
    if request.user.role not in (Role.AUDITOR, Role.COORDINATOR):
        raise PermissionDenied
    records = (SharingRecord.objects.filter(partnership_id=request.user.partnership.pk)
               .select_related("decided_by", "agency"))
    with transaction.atomic():
        record_event("access.sharing_viewed", actor=request.user, details={"screen": "register"})
    return render(request, "access/sharing_register.html", {
        "page": Paginator(records, 50).get_page(request.GET.get("page")), "page_title": "Information sharing register",
    })
