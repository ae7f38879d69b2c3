"""Read-side questions about MACE meetings, all starting from the access policy."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from wrekin.access.mace import meetings_visible_to
from wrekin.access.policy import is_person_visible
from wrekin.accounts.models import Role
from wrekin.core.timeline import ChronologyEntry, WorkItem
from wrekin.core.together import fetch_together
from wrekin.mace.models import ActionStatus, AgendaItemKind, MaceAction, MaceAgendaItem, MaceDecision, MaceMeeting

# Work lists show what falls due in the next fortnight, and everything overdue.
WORKLIST_HORIZON = timedelta(days=14)
MACE_AGENCY_NAME = "MACE (multi-agency)"


def meeting_list(user) -> QuerySet[MaceMeeting]:
    return meetings_visible_to(user).select_related("chair").annotate(
        item_count=Count("items", distinct=True),
        open_actions=Count("actions", filter=Q(actions__status=ActionStatus.OPEN), distinct=True),
    ).order_by("-held_on", "-pk")


def reviews_due(meetings: QuerySet[MaceMeeting], *, today: date) -> QuerySet[MaceAgendaItem]:
    """Child items whose review date has come (or comes within the horizon) and who have not been back.

    A child is "back" when they are on the agenda of a later meeting of the same
    partnership — whoever chairs it — so a review is never listed twice.
    """
    later = MaceAgendaItem.objects.filter(
        person_id=OuterRef("person_id"),
        meeting__partnership_id=OuterRef("meeting__partnership_id"),
        meeting__held_on__gt=OuterRef("meeting__held_on"),
    )
    return (
        MaceAgendaItem.objects.filter(meeting__in=meetings, kind=AgendaItemKind.CHILD,
                                      next_review_on__lte=today + WORKLIST_HORIZON)
        .annotate(reviewed=Exists(later)).filter(reviewed=False)
        .select_related("meeting", "person").order_by("next_review_on", "pk")
    )


def _meetings_for_review_list(user) -> QuerySet[MaceMeeting]:
    role = getattr(user, "role", None)
    if role == Role.COORDINATOR:
        return meetings_visible_to(user)
    if role == Role.MACE_CHAIR:
        return meetings_visible_to(user).filter(chair_id=user.pk)
    return MaceMeeting.objects.none()


def _item_url(item: MaceAgendaItem) -> str:
    return _item_anchor(item.meeting_id, item.pk)


def _item_anchor(meeting_id: int, item_id: int) -> str:
    return reverse("mace:detail", kwargs={"pk": meeting_id}) + f"#item-{item_id}"


def actions_due_worklist(user, *, today: date | None = None) -> list[WorkItem]:
    today = today or timezone.localdate()
    if not getattr(user, "is_authenticated", False):
        return []
    actions = (MaceAction.objects.filter(meeting__in=meetings_visible_to(user), owner_id=user.pk,
                                         status=ActionStatus.OPEN, due_on__lte=today + WORKLIST_HORIZON)
               .select_related("meeting").order_by("due_on", "pk"))
    return [
        WorkItem(heading="MACE actions due", title=_shorten(action.description),
                 url=reverse("mace:update_action", kwargs={"pk": action.meeting_id, "action_pk": action.pk}),
                 due=action.due_on, overdue=action.due_on < today,
                 detail=f"Agreed at the MACE meeting on {action.meeting.held_on:%-d %B %Y}", tags=("mace",))
        for action in actions
    ]


def reviews_due_worklist(user, *, today: date | None = None) -> list[WorkItem]:
    today = today or timezone.localdate()
    if not getattr(user, "is_authenticated", False):
        return []
    return [
        WorkItem(heading="MACE reviews due", title=item.person.full_name, url=_item_url(item),
                 due=item.next_review_on, overdue=item.next_review_on < today,
                 detail=f"Last discussed at MACE on {item.meeting.held_on:%-d %B %Y}", tags=("mace",))
        for item in reviews_due(_meetings_for_review_list(user), today=today)
    ]


def minutes_awaiting_approval_worklist(user) -> list[WorkItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    meetings = (meetings_visible_to(user).filter(chair_id=user.pk, minutes_approved_at__isnull=True)
                .exclude(minutes="").order_by("held_on", "pk"))
    return [
        WorkItem(heading="Minutes awaiting approval", title=str(meeting),
                 url=reverse("mace:approve_minutes", kwargs={"pk": meeting.pk}), due=meeting.held_on,
                 detail="Draft minutes are ready for you to approve", tags=("mace",))
        for meeting in meetings
    ]


def chronology_entries(person, user) -> list[ChronologyEntry]:
    """"Discussed at MACE" for each meeting a child was on the agenda of.

    Everyone who can see the child sees that the child was discussed (and when),
    so nobody is unaware that the partnership has considered them. Only people who
    can see the meeting get the summary, the decisions and a link: MACE minutes are
    restricted to attendees, the chair and coordinators.
    """
    if not is_person_visible(user, person.pk):
        return []
    # The items, whether the viewer may see each one's meeting (tested on each row), and their
    # decisions, in one query: the chronology page has a query budget. Decisions are shown only
    # with an item whose meeting the viewer may see.
    rows = fetch_together({
        "item": (MaceAgendaItem.objects.filter(person_id=person.pk, kind=AgendaItemKind.CHILD), {
            "pk": "pk", "meeting_id": "meeting_id", "held_on": "meeting__held_on", "summary": "summary",
            "meeting_visible": Exists(meetings_visible_to(user).filter(pk=OuterRef("meeting_id")))}),
        "decision": (MaceDecision.objects.filter(item__person_id=person.pk, item__kind=AgendaItemKind.CHILD),
                     ["pk", "item_id", "text", "recorded_at"]),
    })
    decisions: dict[int, list[str]] = {}
    for decision in sorted(rows["decision"], key=lambda d: (d["recorded_at"], d["pk"])):
        decisions.setdefault(decision["item_id"], []).append(decision["text"])
    today = timezone.localdate()
    entries = []
    for item in rows["item"]:
        held_on = item["held_on"]
        verb = "Discussed at MACE on" if held_on <= today else "On the agenda for MACE on"
        summary, url = "", ""
        if item["meeting_visible"]:
            lines = [item["summary"]] + [f"Decision: {text}" for text in decisions.get(item["pk"], [])]
            summary, url = "\n".join(lines), _item_anchor(item["meeting_id"], item["pk"])
        entries.append(ChronologyEntry(
            occurred_at=timezone.make_aware(datetime.combine(held_on, time.min)),
            event_type="mace_item", title=f"{verb} {held_on:%-d %B %Y}", agency_name=MACE_AGENCY_NAME,
            summary=summary, url=url, source=f"mace.maceagendaitem:{item['pk']}",
        ))
    return entries


def _shorten(text: str, length: int = 90) -> str:
    line = " ".join(text.split())
    return line if len(line) <= length else line[: length - 1].rstrip() + "…"
