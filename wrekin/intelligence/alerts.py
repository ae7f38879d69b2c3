"""Link alerts and mentions: triage, review, and what each viewer is shown.

Actions (one transaction each, keyword-only `actor`, permission check, audit event):
- `triage_alert`: new → reviewed → actioned, or dismissed with a reason (from new or reviewed);
- `review_mention`: confirm a machine-found mention, or reject any mention with a reason;
- `resolve_person_mention`: confirm which person of concern a named person is (or that it is
  none of the suggestions).
Rejections, confirmations and resolutions re-run the link check, so alerts follow the evidence.

Queries: the alerts list, an alert's records as the viewer may see them, an entity's mentions,
the coordinators' work list ("Link alerts to triage") and each child's chronology entries
("Vehicle AB12 CDE mentioned by Test Constabulary").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from wrekin.access.intelligence import (
    alerts_visible_to,
    can_review_mentions,
    can_triage_alerts,
    get_alert_for_triage,
    get_mention_for_user,
    mentions_about_child,
    mentions_visible_to,
)
from wrekin.access.policy import get_person_for_user
from wrekin.accounts.models import Role
from wrekin.audit.actions import record_event
from wrekin.core.timeline import ChronologyEntry, WorkItem
from wrekin.intelligence.linking import recheck_alerts_of
from wrekin.intelligence.models import (
    Entity,
    EntityType,
    LinkAlert,
    LinkAlertMention,
    LinkAlertStatus,
    LinkAlertTransition,
    Mention,
    MentionStatus,
    ResolutionStatus,
)
from wrekin.people.models import PersonKind

# Where triage may go from each status. Actioned and dismissed alerts open again only when new
# records arrive (wrekin/intelligence/linking.py), never by hand: the decision stands until
# there is something new to decide on.
TRANSITIONS = {
    LinkAlertStatus.NEW: (LinkAlertStatus.REVIEWED, LinkAlertStatus.ACTIONED, LinkAlertStatus.DISMISSED),
    LinkAlertStatus.REVIEWED: (LinkAlertStatus.ACTIONED, LinkAlertStatus.DISMISSED),
    LinkAlertStatus.ACTIONED: (),
    LinkAlertStatus.DISMISSED: (),
}
DISMISS_REASON_MESSAGE = "Explain why this link needs no action"
REASON_MAX = 5000
WORKLIST_HEADING = "Link alerts to triage"
WORKLIST_LIMIT = 50


# --- Actions ----------------------------------------------------------------------------------

def triage_alert(*, actor, alert_id, to_status: str, reason: str = "", now: datetime | None = None) -> LinkAlert:
    if not can_triage_alerts(actor):
        raise PermissionDenied("Only exploitation coordinators and analysts triage link alerts")
    now = now or timezone.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        alert = get_alert_for_triage(actor, alert_id)
        alert = LinkAlert.objects.select_for_update().get(pk=alert.pk)
        errors = {}
        if to_status not in LinkAlertStatus.values:
            errors["to_status"] = "Choose what happens to this alert"
        elif to_status not in TRANSITIONS[alert.status]:
            errors["to_status"] = (f"An alert that is {alert.get_status_display().lower()} cannot be marked "
                                   f"{LinkAlertStatus(to_status).label.lower()}")
        if to_status == LinkAlertStatus.DISMISSED and not reason:
            errors["reason"] = DISMISS_REASON_MESSAGE
        if len(reason) > REASON_MAX:
            errors["reason"] = f"The reason must be {REASON_MAX} characters or fewer"
        if errors:
            raise ValidationError(errors)
        LinkAlertTransition.objects.create(
            alert=alert, from_status=alert.status, to_status=to_status, reason=reason,
            record_count=alert.record_count, actor=actor, actor_agency=actor.agency, occurred_at=now)
        record_event("link_alert.status_changed", actor=actor, target=alert, details={
            "alert": alert.pk, "from": alert.status, "to": to_status, "records": alert.record_count})
        alert.status = to_status
        alert.triaged_record_count = alert.record_count
        alert.save(update_fields=["status", "triaged_record_count"])
    return alert


def review_mention(*, actor, mention_id, decision: str, reason: str = "",
                   now: datetime | None = None) -> Mention:
    """Confirm a machine-found mention, or reject a mention (a reason is required to reject)."""
    if not can_review_mentions(actor):
        raise PermissionDenied("Your role cannot review mentions")
    now = now or timezone.now()
    reason = (reason or "").strip()
    with transaction.atomic():
        mention = get_mention_for_user(actor, mention_id)
        mention = Mention.objects.select_for_update().select_related("entity").get(pk=mention.pk)
        if decision == "confirm":
            if mention.status != MentionStatus.UNCONFIRMED:
                raise ValidationError({"decision": "Only a mention found by the machine can be confirmed"})
            mention.status = MentionStatus.CONFIRMED
            event = "intelligence.mention_confirmed"
        elif decision == "reject":
            if mention.status == MentionStatus.REJECTED:
                raise ValidationError({"decision": "This mention has already been rejected"})
            if not reason:
                raise ValidationError({"reason": "Explain why this is not what the record mentions"})
            mention.status = MentionStatus.REJECTED
            event = "intelligence.mention_rejected"
        else:
            raise ValidationError({"decision": "Choose whether to confirm or reject the mention"})
        mention.reviewed_by, mention.reviewed_at, mention.review_reason = actor, now, reason[:REASON_MAX]
        mention.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_reason"])
        record_event(event, actor=actor, person=mention.child_id, target=mention,
                     details={"mention": mention.pk, "entity": mention.entity_id, "source": mention.source_key})
        recheck_alerts_of(mention, actor=actor, now=now)
    return mention


def resolve_person_mention(*, actor, mention_id, person_id: int | None, now: datetime | None = None) -> Mention:
    """Confirm the person of concern a person mention refers to; None records that it is none of them."""
    if not can_review_mentions(actor):
        raise PermissionDenied("Your role cannot review mentions")
    now = now or timezone.now()
    with transaction.atomic():
        mention = get_mention_for_user(actor, mention_id)
        mention = Mention.objects.select_for_update().select_related("entity").get(pk=mention.pk)
        if mention.entity.type != EntityType.PERSON:
            raise ValidationError({"person": "Only a named person can be matched to a person of concern"})
        if person_id is None:
            mention.resolved_person = None
            mention.resolution_status = ""
            mention.resolution_score = None
        else:
            person = get_person_for_user(actor, person_id)
            if person.kind != PersonKind.PERSON_OF_CONCERN:
                raise ValidationError({"person": "Choose a person of concern"})
            mention.resolved_person = person
            mention.resolution_status = ResolutionStatus.CONFIRMED
        mention.resolved_by, mention.resolved_at = actor, now
        mention.save(update_fields=["resolved_person", "resolution_status", "resolution_score", "resolved_by",
                                    "resolved_at"])
        record_event("intelligence.mention_resolved", actor=actor, person=mention.child_id, target=mention,
                     details={"mention": mention.pk, "person": person_id})
        recheck_alerts_of(mention, actor=actor, now=now)
    return mention


# --- Where a record lives ---------------------------------------------------------------------

def _reverse(name: str, pk) -> str:
    try:
        return reverse(name, kwargs={"pk": pk})
    except NoReverseMatch:
        return ""


def _interview_url(source_id: int) -> str:
    from wrekin.missing.models import ReturnInterview

    episode_id = ReturnInterview.objects.filter(pk=source_id).values_list("episode_id", flat=True).first()
    return _reverse("missing:episode_detail", episode_id) if episode_id else ""


SOURCE_URLS = {
    "referrals.referral": lambda pk: _reverse("referrals:detail", pk),
    "missing.missingepisode": lambda pk: _reverse("missing:episode_detail", pk),
    "missing.returninterview": _interview_url,
    "intelligence.intelligencereport": lambda pk: _reverse("intelligence:report_detail", pk),
}


def source_url(source_type: str, source_id: int) -> str:
    """A link to the record a mention came from ('' when the record has no page)."""
    resolver = SOURCE_URLS.get(source_type)
    return resolver(source_id) if resolver else ""


# --- Queries ----------------------------------------------------------------------------------

def alert_list(user, *, status: str = "") -> QuerySet[LinkAlert]:
    alerts = alerts_visible_to(user).select_related("anchor_entity")
    if status in LinkAlertStatus.values:
        alerts = alerts.filter(status=status)
    return alerts.order_by("-updated_at", "-pk")


@dataclass(frozen=True)
class AlertRecordRow:
    source_key: str
    source_title: str
    url: str
    child: object | None
    agency_name: str
    recorded_at: datetime
    entity: Entity
    as_typed: str
    relationship: str
    status: str
    status_label: str
    reason: str
    mention_id: int


def alert_records(user, alert: LinkAlert) -> tuple[list[AlertRecordRow], int]:
    """The alert's mentions this user may see, as rows, and how many records are not shown."""
    links = list(LinkAlertMention.objects.filter(alert=alert).select_related(
        "mention__entity", "mention__child", "mention__recorded_by_agency").order_by("mention__recorded_at"))
    visible = set(mentions_visible_to(user).filter(pk__in=[link.mention_id for link in links])
                  .values_list("pk", flat=True))
    rows, hidden_sources = [], set()
    for link in links:
        mention = link.mention
        if mention.pk not in visible:
            hidden_sources.add(mention.source_key)
            continue
        rows.append(AlertRecordRow(
            source_key=mention.source_key, source_title=mention.source_title,
            url=source_url(mention.source_type, mention.source_id), child=mention.child,
            agency_name=mention.recorded_by_agency.name, recorded_at=mention.recorded_at, entity=mention.entity,
            as_typed=mention.as_typed, relationship=mention.relationship, status=mention.status,
            status_label=mention.get_status_display(), reason=link.reason, mention_id=mention.pk))
    shown_sources = {row.source_key for row in rows}
    return rows, len(hidden_sources - shown_sources)


def entity_mentions(user, entity: Entity) -> QuerySet[Mention]:
    return (mentions_visible_to(user).filter(entity=entity)
            .select_related("child", "recorded_by_agency", "recorded_by", "resolved_person")
            .order_by("-recorded_at", "-pk"))


def worklist_items(user) -> list[WorkItem]:
    """Coordinators: the partnership's new link alerts, newest first."""
    if getattr(user, "role", None) != Role.COORDINATOR:
        return []
    items = []
    for alert in alert_list(user, status=LinkAlertStatus.NEW)[:WORKLIST_LIMIT]:
        items.append(WorkItem(
            heading=WORKLIST_HEADING, title=alert.anchor_entity.label[:1].upper() + alert.anchor_entity.label[1:],
            url=reverse("intelligence:alert_detail", kwargs={"pk": alert.pk}), due=None,
            detail=alert.explanation[:1].upper() + alert.explanation[1:],
            tags=("Unconfirmed",) if alert.is_unconfirmed else ()))
    return items


def chronology_entries(person, user) -> list[ChronologyEntry]:
    """What records about this child mention, one entry per mention the viewer may see."""
    mentions = (mentions_about_child(user, person).exclude(status=MentionStatus.REJECTED)
                .select_related("entity", "recorded_by_agency"))
    entries = []
    for mention in mentions:
        entity = mention.entity
        noun = entity.get_type_display() if not entity.is_partial else "Partial vehicle mark"
        if entity.type == EntityType.PERSON:
            noun = "Person named"
        lines = []
        if mention.relationship:
            lines.append(f"Relationship stated: {mention.relationship}")
        if mention.as_typed and mention.as_typed != entity.display:
            lines.append(f"Recorded as “{mention.as_typed}”")
        lines.append(f"In: {mention.source_title}")
        if mention.status == MentionStatus.UNCONFIRMED:
            lines.append("Found by the machine in the narrative; not yet confirmed")
        entries.append(ChronologyEntry(
            occurred_at=mention.recorded_at, event_type="entity_mention",
            title=f"{noun} {entity.display} mentioned by {mention.recorded_by_agency.name}",
            agency_name=mention.recorded_by_agency.name, summary="\n".join(lines),
            url=reverse("intelligence:entity_detail", kwargs={"pk": entity.pk}),
            source=f"intelligence.mention:{mention.pk}"))
    return entries
