""""Known to" flags, the CP-IS pattern.

Someone outside a child's team who finds the child in a search, or raises a
concern about them, is told that the child is known, the risk band and whom
to contact — never the file — and the lead professional is told that the
child was looked up. A missed contact between agencies costs more than a flag.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import QuerySet

from wrekin.access.models import Notification, NotificationKind
from wrekin.access.policy import people_visible_to
from wrekin.accounts.models import Agency, Role, User, membership_of
from wrekin.audit.actions import record_event
from wrekin.people.models import Person


@dataclass
class Contact:
    name: str
    agency: str
    email: str = ""
    phone: str = ""


@dataclass
class KnownToFlag:
    person_id: int
    name: str
    birth_year: int | None
    kind_label: str
    agencies: list[str]
    risk_band: str  # "" when no risk level has been recorded
    contacts: list[Contact] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def flaggable_people(user) -> QuerySet[Person]:
    """People in the user's partnership the user may be told *about* (not see): not restricted records,
    and not records merged into another person (the survivor is the one to flag)."""
    membership = membership_of(user)
    if membership is None:
        return Person.objects.none()
    return Person.objects.filter(partnership_id=membership.agency.partnership_id, is_restricted=False,
                                 merged_into__isnull=True)


def _lead_and_risk(person: Person) -> tuple[User | None, str]:
    """The open case's lead professional and latest risk band, when casework knows them."""
    try:
        from wrekin.casework.known_to import lead_professional_and_risk_band
    except ImportError:
        return None, ""
    return lead_professional_and_risk_band(person)


def _recipients(person: Person, lead: User | None) -> list[User]:
    if lead is not None and lead.is_active:
        return [lead]
    # No lead professional yet: the managers of the agencies working with the child are told instead.
    agencies = person.involvements.values("agency_id")
    return list(User.objects.filter(is_active=True, membership__role=Role.MANAGER, membership__is_active=True,
                                    membership__agency_id__in=agencies))


def flag_for(person: Person, reasons: list[str] | None = None) -> KnownToFlag:
    lead, band = _lead_and_risk(person)
    agency_ids = list(person.involvements.values_list("agency_id", flat=True).distinct())
    agencies = list(Agency.objects.filter(pk__in=agency_ids).order_by("name"))
    contacts = []
    if lead is not None:
        contacts.append(Contact(name=lead.display_name(), agency=lead.agency.name if lead.agency else "",
                                email=lead.email, phone=lead.phone))
    for agency in agencies:
        if agency.contact_email or agency.contact_phone:
            contacts.append(Contact(name="Duty desk", agency=agency.name, email=agency.contact_email,
                                    phone=agency.contact_phone))
    return KnownToFlag(person_id=person.pk, name=person.full_name, birth_year=person.birth_year,
                       kind_label=person.get_kind_display(), agencies=[a.name for a in agencies],
                       risk_band=band, contacts=contacts, reasons=reasons or [])


def notify_known_to(*, actor, person: Person, kind: str = NotificationKind.KNOWN_TO_LOOKUP) -> int:
    """Tell the lead professional (or the involved managers) that an outsider looked up or referred the child.

    Call inside the caller's transaction. Returns the number of people told.
    """
    lead, _ = _lead_and_risk(person)
    agency = actor.agency.name if actor.agency else "another agency"
    verb = "looked up" if kind == NotificationKind.KNOWN_TO_LOOKUP else "raised a concern about"
    message = f"{actor.display_name()} ({agency}) {verb} {person.full_name}"
    told = 0
    for recipient in _recipients(person, lead):
        if recipient.pk == actor.pk:
            continue
        Notification.objects.create(recipient=recipient, kind=kind, person=person, actor=actor, message=message)
        told += 1
    return told


def known_to_flags(*, actor, matches: list, already_visible: set[int]) -> list[KnownToFlag]:
    """Turn search matches the actor cannot open into flags; notify and audit each one shown."""
    flags = []
    with transaction.atomic():
        for match in matches:
            person = match.person
            if person.pk in already_visible:
                continue
            flags.append(flag_for(person, match.reasons))
            told = notify_known_to(actor=actor, person=person)
            record_event("access.known_to_shown", actor=actor, person=person, target=person,
                         details={"notified": told})
    return flags


def visible_ids(user, ids: list[int]) -> set[int]:
    return set(people_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
