"""Who may see entities, mentions, link alerts and intelligence reports.

Built on wrekin.access.policy.people_visible_to. The rules:

**Mentions.** A mention is part of the record that made it, so it is visible exactly when that
record is: for a record about a child, when the child is visible; for an intelligence report,
when the report is visible (and, if it names a child, the child too). A mention with neither a
child nor a report behind it is for the partnership-wide roles (coordinators and analysts).

**Entities.** Coordinators and analysts see every entity of their partnership; other case-content
roles see an entity when they can see at least one of its mentions, and then only those mentions.

**Link alerts** (the NHS CP-IS principle: a flag and a contact, not the other agency's file):
- coordinators and analysts of the partnership see every alert *fully*: the entities, the
  explanation, and the records and children they themselves may see;
- a practitioner, team manager or MACE chair sees an alert only if they can see at least one of
  its children, and then only that a link exists and whom to contact (*limited*): not the entity,
  not the explanation, not the other records;
- coordinators and analysts triage; auditors and administrators see no alerts.

**Intelligence reports** (3x5x2 handling code):
- P (may be shared lawfully): coordinators and analysts of the partnership; every case-content
  user of a police agency of the partnership; anyone who can see at least one subject child;
  and the author;
- C (conditions apply): coordinators and analysts, the users named as recipients, and the author —
  nobody else, whatever children they can see;
- auditors, administrators and people without a membership see none.
A viewer is shown only the subject children and persons of concern they can see in their own right.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from wrekin.access.policy import CASE_CONTENT_ROLES, PARTNERSHIP_WIDE_ROLES, is_person_visible, people_visible_to
from wrekin.accounts.models import AgencyType, Role, User, membership_of, role_of
from wrekin.intelligence.models import (
    Entity,
    HandlingCode,
    IntelligenceReport,
    LinkAlert,
    Mention,
)
from wrekin.people.models import Person, PersonKind

REPORT_SOURCE = "intelligence.intelligencereport"

FULL = "full"
LIMITED = "limited"


def is_partnership_wide(user) -> bool:
    return role_of(user) in PARTNERSHIP_WIDE_ROLES


def can_see_intelligence(user) -> bool:
    """Case-content roles: everyone else (auditors, administrators, no agency) sees none of this."""
    return role_of(user) in CASE_CONTENT_ROLES


def can_triage_alerts(user) -> bool:
    return role_of(user) in PARTNERSHIP_WIDE_ROLES


def can_record_reports(user) -> bool:
    return role_of(user) in CASE_CONTENT_ROLES


def can_review_mentions(user) -> bool:
    return role_of(user) in CASE_CONTENT_ROLES


# --- Intelligence reports ---------------------------------------------------------------------

def reports_visible_to(user) -> QuerySet[IntelligenceReport]:
    membership = membership_of(user)
    if membership is None or membership.role not in CASE_CONTENT_ROLES:
        return IntelligenceReport.objects.none()
    in_partnership = IntelligenceReport.objects.filter(partnership_id=membership.agency.partnership_id)
    if membership.role in PARTNERSHIP_WIDE_ROLES:
        return in_partnership
    own = Q(recorded_by_id=user.pk)
    named = Q(handling_code=HandlingCode.CONDITIONS, recipients=user)
    shareable = Q(handling_code=HandlingCode.LAWFUL_SHARING)
    if membership.agency.type == AgencyType.POLICE:
        shareable_to_me = shareable
    else:
        visible_children = people_visible_to(user).filter(kind=PersonKind.CHILD).values("pk")
        shareable_to_me = shareable & Q(subject_children__in=visible_children)
    ids = in_partnership.filter(own | named | shareable_to_me).values("pk")
    # The joins above can repeat a report; filtering on the ids keeps the queryset plain.
    return in_partnership.filter(pk__in=ids)


def get_report_for_user(user, pk) -> IntelligenceReport:
    try:
        return (reports_visible_to(user).select_related("recorded_by", "recorded_by_agency").get(pk=int(pk)))
    except (IntelligenceReport.DoesNotExist, ValueError, TypeError):
        raise Http404("No intelligence report found") from None


def report_subjects_visible_to(user, report: IntelligenceReport) -> tuple[list[Person], list[Person], int]:
    """The subject children and persons of concern this viewer may see, and how many others are named."""
    visible = people_visible_to(user)
    children = list(report.subject_children.all())
    persons = list(report.subject_persons.all())
    ids = set(visible.filter(pk__in=[p.pk for p in children + persons]).values_list("pk", flat=True))
    shown_children = [p for p in children if p.pk in ids]
    shown_persons = [p for p in persons if p.pk in ids]
    hidden = len(children) + len(persons) - len(shown_children) - len(shown_persons)
    return shown_children, shown_persons, hidden


def report_recipients_choosable_by(user) -> QuerySet[User]:
    """Users a C report may name as recipients: case-content users of the author's partnership."""
    membership = membership_of(user)
    if membership is None:
        return User.objects.none()
    return (User.objects.filter(is_active=True, membership__is_active=True,
                                membership__agency__partnership_id=membership.agency.partnership_id,
                                membership__role__in=list(CASE_CONTENT_ROLES))
            .select_related("membership__agency").order_by("last_name", "first_name", "username"))


def report_subjects_nameable_by(user, kind: str) -> QuerySet[Person]:
    """Children or persons of concern a report may name: those the author sees in their own right."""
    return people_visible_to(user, include_break_glass=False).filter(kind=kind)


# --- Mentions and entities --------------------------------------------------------------------

def mentions_visible_to(user) -> QuerySet[Mention]:
    membership = membership_of(user)
    if membership is None or membership.role not in CASE_CONTENT_ROLES:
        return Mention.objects.none()
    in_partnership = Mention.objects.filter(partnership_id=membership.agency.partnership_id)
    visible_children = people_visible_to(user).values("pk")
    child_ok = Q(child__in=visible_children)
    from_report = Q(source_type=REPORT_SOURCE)
    report_ok = Q(source_id__in=reports_visible_to(user).values("pk"))
    no_child = Q(child__isnull=True)
    other_ok = (child_ok | no_child) if membership.role in PARTNERSHIP_WIDE_ROLES else child_ok
    return in_partnership.filter((~from_report & other_ok) | (from_report & report_ok & (child_ok | no_child)))


def mentions_about_child(user, child) -> QuerySet[Mention]:
    """The mentions in records about one child, as `mentions_visible_to(user).filter(child=child)` gives
    them, for a page about that child: the child's visibility is checked once (`is_person_visible`
    remembers it for the request) rather than again inside the query, and a report's mentions still
    need the report to be visible."""
    membership = membership_of(user)
    if membership is None or membership.role not in CASE_CONTENT_ROLES or not is_person_visible(user, child.pk):
        return Mention.objects.none()
    from_report = Q(source_type=REPORT_SOURCE)
    report_ok = Q(source_id__in=reports_visible_to(user).values("pk"))
    return Mention.objects.filter(partnership_id=membership.agency.partnership_id, child=child).filter(
        ~from_report | report_ok)


def entities_visible_to(user) -> QuerySet[Entity]:
    membership = membership_of(user)
    if membership is None or membership.role not in CASE_CONTENT_ROLES:
        return Entity.objects.none()
    in_partnership = Entity.objects.filter(partnership_id=membership.agency.partnership_id)
    if membership.role in PARTNERSHIP_WIDE_ROLES:
        return in_partnership
    return in_partnership.filter(pk__in=mentions_visible_to(user).values("entity_id"))


def get_entity_for_user(user, pk) -> Entity:
    try:
        return entities_visible_to(user).get(pk=int(pk))
    except (Entity.DoesNotExist, ValueError, TypeError):
        raise Http404("No entity found") from None


def get_mention_for_user(user, pk) -> Mention:
    try:
        return mentions_visible_to(user).select_related("entity", "child", "recorded_by_agency").get(pk=int(pk))
    except (Mention.DoesNotExist, ValueError, TypeError):
        raise Http404("No mention found") from None


# --- Link alerts ------------------------------------------------------------------------------

def alerts_visible_to(user) -> QuerySet[LinkAlert]:
    membership = membership_of(user)
    if membership is None or membership.role not in CASE_CONTENT_ROLES:
        return LinkAlert.objects.none()
    in_partnership = LinkAlert.objects.filter(partnership_id=membership.agency.partnership_id)
    if membership.role in PARTNERSHIP_WIDE_ROLES:
        return in_partnership
    visible_children = people_visible_to(user).filter(kind=PersonKind.CHILD).values("pk")
    linked = Mention.objects.filter(child__in=visible_children, alert_links__alert__partnership_id=(
        membership.agency.partnership_id)).values("alert_links__alert_id")
    return in_partnership.filter(pk__in=linked)


def alert_access(user, alert: LinkAlert) -> str:
    """FULL for coordinators and analysts, LIMITED for everyone else who may see the alert at all."""
    return FULL if is_partnership_wide(user) else LIMITED


def get_alert_for_user(user, pk) -> LinkAlert:
    try:
        return alerts_visible_to(user).select_related("anchor_entity").get(pk=int(pk))
    except (LinkAlert.DoesNotExist, ValueError, TypeError):
        raise Http404("No link alert found") from None


def get_alert_for_triage(user, pk) -> LinkAlert:
    """An alert the user may triage: coordinators and analysts, their own partnership's alerts."""
    if not can_triage_alerts(user):
        raise Http404("No link alert found")
    return get_alert_for_user(user, pk)


def alert_children_visible_to(user, alert: LinkAlert) -> tuple[list[Person], int]:
    """The alert's children this viewer may see, and how many others it links."""
    child_ids = set(alert.mentions.exclude(child__isnull=True).values_list("child_id", flat=True))
    shown = list(people_visible_to(user).filter(pk__in=child_ids).order_by("family_name", "given_name", "pk"))
    return shown, len(child_ids) - len(shown)


def coordinators_of(user) -> QuerySet[User]:
    """Whom a limited viewer is told to contact: the coordinators of their partnership."""
    membership = membership_of(user)
    if membership is None:
        return User.objects.none()
    return (User.objects.filter(is_active=True, membership__is_active=True, membership__role=Role.COORDINATOR,
                                membership__agency__partnership_id=membership.agency.partnership_id)
            .select_related("membership__agency").order_by("last_name", "first_name", "username"))
