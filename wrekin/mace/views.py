"""MACE meetings: list, arrange, run, minute, approve, correct by addendum.

Every page fetches the meeting through `get_meeting_for_user` (404 for absent and
forbidden alike) and every change goes through wrekin/mace/actions.py, which also
refuses changes to approved minutes — the views only turn that refusal into a
message on the page, keeping what was typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from wrekin.access.mace import (
    can_approve_minutes,
    can_contribute_to_meeting,
    can_create_meetings,
    can_run_meeting,
    can_see_mace,
    can_update_action,
    eligible_attendees,
    eligible_chairs,
    get_meeting_for_user,
    people_addable_by,
)
from wrekin.access.policy import people_visible_to
from wrekin.accounts.models import Agency
from wrekin.audit.actions import record_event
from wrekin.intelligence.people_picker import (
    PersonSearchForm,
    candidate_people,
    form_initial_from_post,
    is_find,
    person_choices,
)
from wrekin.mace import actions
from wrekin.mace.forms import (
    ActionForm,
    ActionStatusForm,
    AddendumForm,
    AgendaItemForm,
    ApproveMinutesForm,
    AttendanceForm,
    DecisionForm,
    InviteForm,
    MeetingForm,
    MinutesForm,
)
from wrekin.mace.models import ActionStatus, AgendaItemKind, MaceMeeting
from wrekin.mace.queries import meeting_list
from wrekin.people.models import PersonKind

_AGENDA_PERSON_KINDS = (PersonKind.CHILD, PersonKind.PERSON_OF_CONCERN)


def _require_mace(request: HttpRequest) -> None:
    if not can_see_mace(request.user):
        raise PermissionDenied


def _meeting(request: HttpRequest, pk: int) -> MaceMeeting:
    _require_mace(request)
    return get_meeting_for_user(request.user, pk)


def _require_runner(request: HttpRequest, meeting: MaceMeeting) -> None:
    if not can_run_meeting(request.user, meeting):
        raise PermissionDenied


def _posted(request: HttpRequest):
    """The submitted data, or None for a GET. (`request.POST or None` would treat an empty POST as a GET.)"""
    return request.POST if request.method == "POST" else None


def _save(form, save):
    """Run an action for a valid form and return what it made (or True).

    A refusal from the action (for example: the minutes are approved) becomes a
    message at the top of the form, which re-renders with everything typed.
    """
    if not form.is_valid():
        return None
    try:
        return save(form.cleaned_data) or True
    except ValidationError as refusal:
        form.add_error(None, refusal)
        return None


def _locked_message(meeting: MaceMeeting) -> str:
    if not meeting.is_approved:
        return ""
    return (f"The minutes of this meeting were approved on "
            f"{timezone.localtime(meeting.minutes_approved_at):%-d %B %Y}. The agenda, decisions, attendance "
            "and minutes can no longer change. To correct or add to them, add an addendum.")


def _form_page(request, meeting, form, *, title, button, intro="", unavailable="", forms=None,
               template="mace/form.html", **extra) -> HttpResponse:
    return render(request, template, {
        "meeting": meeting, "form": form, "forms": forms, "title": title, "button": button, "intro": intro,
        "unavailable": unavailable, "page_title": f"{title}: {meeting}", **extra,
    })


@require_GET
def meetings(request: HttpRequest) -> HttpResponse:
    _require_mace(request)
    return render(request, "mace/meetings.html", {
        "meetings": meeting_list(request.user), "can_create": can_create_meetings(request.user),
        "today": timezone.localdate(), "page_title": "MACE meetings",
    })


@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    if not can_create_meetings(request.user):
        raise PermissionDenied
    partnership = request.user.partnership
    chairs = list(eligible_chairs(partnership.pk))
    initial = {"chair": request.user.pk} if any(u.pk == request.user.pk for u in chairs) else {}
    form = MeetingForm(_posted(request), initial=initial, chairs=chairs,
                       attendees=list(eligible_attendees(partnership.pk)))
    if request.method == "POST" and (meeting := _save(form, lambda d: actions.create_meeting(
            actor=request.user, held_on=d["held_on"], chair_id=d["chair"], venue=d["venue"],
            attendee_ids=d["attendees"]))):
        messages.success(request, "The meeting has been arranged")
        return redirect("mace:detail", pk=meeting.pk)
    return render(request, "mace/create.html", {"form": form, "page_title": "Arrange a MACE meeting"})


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    with transaction.atomic():
        meeting = _meeting(request, pk)
        # Written before anything is rendered: if the audit write fails, nothing is shown.
        record_event("mace.meeting_viewed", actor=request.user, target=meeting)
    items = list(meeting.items.select_related("person", "added_by").prefetch_related("decisions"))
    person_ids = {item.person_id for item in items if item.person_id}
    linkable = set(people_visible_to(request.user).filter(pk__in=person_ids).values_list("pk", flat=True))
    actions_ = list(meeting.actions.select_related("owner", "agency", "item__person"))
    for action in actions_:
        action.can_update = action.status == ActionStatus.OPEN and can_update_action(request.user, action)
    return render(request, "mace/detail.html", {
        "meeting": meeting,
        "attendees": meeting.attendees.select_related("user", "agency"),
        "items": items,
        "linkable_person_ids": linkable,
        "actions": actions_,
        "addenda": meeting.addenda.select_related("author"),
        "can_run": can_run_meeting(request.user, meeting),
        "can_contribute": can_contribute_to_meeting(request.user, meeting),
        "can_approve": can_approve_minutes(request.user, meeting),
        "today": timezone.localdate(),
        "page_title": str(meeting),
    })


@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _require_runner(request, meeting)
    already = set(meeting.attendees.values_list("user_id", flat=True)) | {meeting.chair_id}
    candidates = [u for u in eligible_attendees(meeting.partnership_id) if u.pk not in already]
    form = InviteForm(_posted(request), candidates=candidates)
    if request.method == "POST" and _save(form, lambda d: actions.invite_attendees(
            actor=request.user, meeting_id=meeting.pk, user_ids=d["attendees"])):
        messages.success(request, "Invitations recorded")
        return redirect("mace:detail", pk=meeting.pk)
    unavailable = _locked_message(meeting) or ("" if candidates else "Everyone who could attend is invited.")
    return _form_page(request, meeting, form, title="Invite attendees", button="Invite",
                      intro="Attendees can see this meeting: its agenda, decisions, actions and minutes.",
                      unavailable=unavailable)


@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _require_runner(request, meeting)
    attendees = list(meeting.attendees.select_related("user", "agency"))
    form = AttendanceForm(_posted(request), attendees=attendees)
    if request.method == "POST" and _save(form, lambda d: actions.record_attendance(
            actor=request.user, meeting_id=meeting.pk, attendance=form.attendance())):
        messages.success(request, "Attendance recorded")
        return redirect(reverse("mace:detail", kwargs={"pk": meeting.pk}) + "#attendance")
    unavailable = _locked_message(meeting) or ("" if attendees else "Nobody is invited yet.")
    return _form_page(request, meeting, form, title="Record attendance", button="Save attendance",
                      unavailable=unavailable)


@require_http_methods(["GET", "POST"])
def add_item(request: HttpRequest, pk: int) -> HttpResponse:
    # Anyone who can see the meeting may propose items, about people they can see themselves.
    meeting = _meeting(request, pk)
    post = request.POST if request.method == "POST" else None
    query = post.get("person_search", "") if post else ""
    chosen = post.getlist("person") if post else []
    search_form = PersonSearchForm(post if is_find(request) else None,
                                   initial={"person_search": query},
                                   label="Find the child or person of concern by name")
    people = candidate_people(people_addable_by(request.user), kinds=_AGENDA_PERSON_KINDS, query=query,
                              chosen=chosen)
    searched = False
    if is_find(request):
        if search_form.is_valid():
            searched = True
            with transaction.atomic():
                record_event("mace.people_searched", actor=request.user, target=meeting,
                             details={"results": [p.pk for p in people]})
        form = AgendaItemForm(initial=form_initial_from_post(post), person_choices=person_choices(people),
                              meeting=meeting)
    else:
        form = AgendaItemForm(post, person_choices=person_choices(people), meeting=meeting,
                              initial={"next_review_on": meeting.default_review_date().strftime("%d/%m/%Y")})
        if post is not None and _save(form, lambda d: actions.add_agenda_item(
                actor=request.user, meeting_id=meeting.pk, kind=d["kind"], summary=d["summary"],
                person_id=d["person"] if d["kind"] != AgendaItemKind.LOCATION else None,
                location_name=d["location_name"], location_postcode=d["location_postcode"],
                next_review_on=d["next_review_on"])):
            messages.success(request, "Added to the agenda")
            return redirect(reverse("mace:detail", kwargs={"pk": meeting.pk}) + "#agenda")
    return _form_page(request, meeting, form, forms=[search_form, form], title="Add an agenda item",
                      button="Add to the agenda", template="mace/add_item.html", search_form=search_form,
                      searched=searched, people=people, unavailable=_locked_message(meeting))


@require_http_methods(["GET", "POST"])
def add_decision(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _require_runner(request, meeting)
    item = get_object_or_404(meeting.items.select_related("person"), pk=item_pk)
    form = DecisionForm(_posted(request))
    if request.method == "POST" and _save(form, lambda d: actions.record_decision(
            actor=request.user, meeting_id=meeting.pk, item_id=item.pk, text=d["text"])):
        messages.success(request, "Decision recorded")
        return redirect(reverse("mace:detail", kwargs={"pk": meeting.pk}) + f"#item-{item.pk}")
    return _form_page(request, meeting, form, title="Record a decision", button="Save decision",
                      intro=f"About: {item}", unavailable=_locked_message(meeting))


@require_http_methods(["GET", "POST"])
def add_action(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _require_runner(request, meeting)
    owners = [meeting.chair] + [a.user for a in meeting.attendees.select_related("user__membership__agency")]
    agencies = list(Agency.objects.filter(partnership_id=meeting.partnership_id, is_active=True))
    initial = {}
    if request.GET.get("item", "").isdigit():
        initial["item"] = int(request.GET["item"])
    form = ActionForm(_posted(request), initial=initial, meeting=meeting, owners=owners, agencies=agencies)
    if request.method == "POST" and _save(form, lambda d: actions.add_action(
            actor=request.user, meeting_id=meeting.pk, description=d["description"], owner_id=d["owner"],
            agency_id=d["agency"], due_on=d["due_on"], item_id=d["item"])):
        messages.success(request, "Action added")
        return redirect(reverse("mace:detail", kwargs={"pk": meeting.pk}) + "#actions")
    return _form_page(request, meeting, form, title="Add an action", button="Add action",
                      intro="An action about a child makes the responsible agency part of that child's work, "
                            "so its practitioners can see the child's record.",
                      unavailable=_locked_message(meeting))


@require_http_methods(["GET", "POST"])
def update_action(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    action = get_object_or_404(meeting.actions.select_related("owner", "agency"), pk=action_pk)
    if not can_update_action(request.user, action):
        raise PermissionDenied
    form = ActionStatusForm(_posted(request))
    if request.method == "POST" and _save(form, lambda d: actions.change_action_status(
            actor=request.user, action_id=action.pk, status=d["status"], note=d["note"])):
        messages.success(request, "Action updated")
        return redirect(reverse("mace:detail", kwargs={"pk": meeting.pk}) + "#actions")
    unavailable = ("" if action.status == ActionStatus.OPEN
                   else f"This action is {action.get_status_display().lower()}.")
    return _form_page(request, meeting, form, title="Complete or cancel an action", button="Save",
                      intro=action.description, unavailable=unavailable, action=action)


@require_http_methods(["GET", "POST"])
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    _require_runner(request, meeting)
    form = MinutesForm(_posted(request), initial={"minutes": meeting.minutes})
    if request.method == "POST" and _save(form, lambda d: actions.draft_minutes(
            actor=request.user, meeting_id=meeting.pk, text=d["minutes"])):
        messages.success(request, "Draft minutes saved")
        return redirect(reverse("mace:detail", kwargs={"pk": meeting.pk}) + "#minutes")
    return _form_page(request, meeting, form, title="Draft the minutes", button="Save draft",
                      unavailable=_locked_message(meeting))


@require_http_methods(["GET", "POST"])
def approve_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    if not can_approve_minutes(request.user, meeting):
        raise PermissionDenied
    form = ApproveMinutesForm(_posted(request))
    if request.method == "POST" and _save(form, lambda d: actions.approve_minutes(
            actor=request.user, meeting_id=meeting.pk)):
        messages.success(request, "Minutes approved")
        return redirect(reverse("mace:detail", kwargs={"pk": meeting.pk}) + "#minutes")
    return _form_page(request, meeting, form, title="Approve the minutes", button="Approve minutes",
                      template="mace/approve.html", unavailable=_locked_message(meeting),
                      items=meeting.items.select_related("person").prefetch_related("decisions"),
                      attendees=meeting.attendees.select_related("user", "agency"))


@require_http_methods(["GET", "POST"])
def add_addendum(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = AddendumForm(_posted(request))
    if request.method == "POST" and _save(form, lambda d: actions.add_addendum(
            actor=request.user, meeting_id=meeting.pk, text=d["text"])):
        messages.success(request, "Addendum added")
        return redirect(reverse("mace:detail", kwargs={"pk": meeting.pk}) + "#addenda")
    unavailable = "" if meeting.is_approved else (
        "Addenda are added after the chair approves the minutes. Until then, the draft minutes can be changed.")
    return _form_page(request, meeting, form, title="Add an addendum", button="Add addendum",
                      unavailable=unavailable)
