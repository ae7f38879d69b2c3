"""Recording disruption: permission, the legal rules of each kind, the change and its audit event together.

Rules are checked here, not only in forms, so imports and the API get the same
answers. A refusal is a `ValidationError` keyed by the form field it concerns,
with a message that says what the law or the partnership requires.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from wrekin.access.disruption import (
    can_record_disruption,
    children_nameable_by,
    get_disruption_for_user,
    get_person_of_concern_for_user,
)
from wrekin.audit.actions import record_event
from wrekin.intelligence.demographics import missing_demographics
from wrekin.intelligence.models import (
    CHILD_PROTECTING_KINDS,
    PREMISES_KINDS,
    DisruptionAction,
    DisruptionKind,
    DisruptionStatus,
    DisruptionUpdate,
    NoFurtherActionReason,
)
from wrekin.people.actions import record_involvement
from wrekin.people.models import Involvement, InvolvementKind, Person

CAWN_S2_AGE_LIMIT = 16  # Child Abduction Act 1984 s2: a child under 16
CAWN_S49_AGE_LIMIT = 18  # Children Act 1989 s49: a child in care, under 18


def _long_date(day: date) -> str:
    return f"{day:%-d %B %Y}"


def kind_rule_problems(*, kind: str, occurred_on: date, children: list[Person], premises_name: str = "",
                       driver_licence_number: str = "", licensing_authority: str = "", nfa_reason: str = "",
                       nfa_reason_detail: str = "") -> dict[str, list[str]]:
    """What the law or the partnership requires of each kind, as messages keyed by form field."""
    problems: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        problems.setdefault(field, []).append(message)

    on = _long_date(occurred_on)
    if kind in CHILD_PROTECTING_KINDS and not children:
        refuse("children", "A Child Abduction Warning Notice must name the child or children it protects")
    if kind == DisruptionKind.CAWN_S2:
        for child in children:
            age = child.age_on(occurred_on)
            if age is None:
                refuse("children", f"{child.full_name} has no date of birth or age recorded: a section 2 notice "
                                   "is only for a child under 16, so record their age first")
            elif age >= CAWN_S2_AGE_LIMIT:
                refuse("children", f"{child.full_name} was {age} on {on}: a section 2 notice (Child Abduction "
                                   "Act 1984) is only for a child under 16. If they are looked after, use a "
                                   "section 49 notice (Children Act 1989)")
    if kind == DisruptionKind.CAWN_S49:
        for child in children:
            age = child.age_on(occurred_on)
            if child.looked_after is not True:
                refuse("children", f"{child.full_name} is not recorded as looked after: a section 49 notice "
                                   "(Children Act 1989) is only for a child in local authority care")
            if age is None:
                refuse("children", f"{child.full_name} has no date of birth or age recorded: a section 49 "
                                   "notice is only for a child under 18, so record their age first")
            elif age >= CAWN_S49_AGE_LIMIT:
                refuse("children", f"{child.full_name} was {age} on {on}: a section 49 notice is only for a "
                                   "child under 18")
    if kind in PREMISES_KINDS and not premises_name.strip():
        refuse("premises_name", "Enter the name and address of the hotel or premises")
    if kind == DisruptionKind.TAXI_LICENSING_REFERRAL:
        if not driver_licence_number.strip():
            refuse("driver_licence_number", "Enter the driver's licence number for a taxi-licensing referral")
        if not licensing_authority.strip():
            refuse("licensing_authority", "Enter the licensing authority that issued the licence: the "
                                          "referral is shared with them")
    if kind == DisruptionKind.NO_FURTHER_ACTION:
        if nfa_reason not in NoFurtherActionReason.values:
            refuse("nfa_reason", "Choose the reason for no further action")
        elif nfa_reason == NoFurtherActionReason.OTHER and not nfa_reason_detail.strip():
            refuse("nfa_reason_detail", "Describe the other reason for no further action")
    return problems


def record_disruption(
    *,
    actor,
    person_of_concern_id: int,
    kind: str,
    occurred_on: date,
    status: str,
    outcome: str = "",
    reference: str = "",
    child_ids: Iterable[int] = (),
    premises_name: str = "",
    premises_postcode: str = "",
    driver_licence_number: str = "",
    licensing_authority: str = "",
    nfa_reason: str = "",
    nfa_reason_detail: str = "",
    today: date | None = None,
) -> DisruptionAction:
    if not can_record_disruption(actor):
        raise PermissionDenied("Your role cannot record disruption")
    today = today or timezone.localdate()
    with transaction.atomic():
        person = get_person_of_concern_for_user(actor, person_of_concern_id)
        missing = missing_demographics(person)
        if missing:
            raise ValidationError({NON_FIELD_ERRORS: [
                f"Complete {person.full_name}'s details before recording disruption: "
                + ", ".join(label.lower() for label in missing)
                + ". \"Not known\" is an answer; blank means nobody asked."]}, code="demographics_incomplete")
        if kind not in DisruptionKind.values:
            raise ValidationError({"kind": ["Choose the kind of disruption"]})
        if status not in DisruptionStatus.values:
            raise ValidationError({"status": ["Choose the status"]})
        wanted = {int(pk) for pk in child_ids}
        # Only children the recorder can see can be named: naming must never reveal or reach anyone else.
        children = list(children_nameable_by(actor).filter(pk__in=wanted))
        if len(children) != len(wanted):
            raise ValidationError({"children": ["Choose children from the list"]})
        problems = kind_rule_problems(
            kind=kind, occurred_on=occurred_on, children=children, premises_name=premises_name,
            driver_licence_number=driver_licence_number, licensing_authority=licensing_authority,
            nfa_reason=nfa_reason, nfa_reason_detail=nfa_reason_detail)
        if status == DisruptionStatus.DONE and occurred_on > today:
            problems.setdefault("occurred_on", []).append(
                "A disruption that is done cannot be dated in the future")
        if problems:
            raise ValidationError(problems, code="kind_rules")
        is_premises = kind in PREMISES_KINDS
        is_taxi = kind == DisruptionKind.TAXI_LICENSING_REFERRAL
        is_nfa = kind == DisruptionKind.NO_FURTHER_ACTION
        disruption = DisruptionAction.objects.create(
            partnership=person.partnership, person_of_concern=person, kind=kind, occurred_on=occurred_on,
            status=status, outcome=outcome, reference=reference,
            # Fields that belong to another kind are dropped, so the record says only what applies.
            premises_name=premises_name.strip() if is_premises else "",
            premises_postcode=premises_postcode if is_premises else "",
            driver_licence_number=driver_licence_number.strip().upper() if is_taxi else "",
            licensing_authority=licensing_authority.strip() if is_taxi else "",
            nfa_reason=nfa_reason if is_nfa else "",
            nfa_reason_detail=nfa_reason_detail if is_nfa else "",
            recorded_by=actor, recorded_by_agency=actor.agency,
        )
        disruption.children.set(children)
        record_event("disruption.recorded", actor=actor, person=person, target=disruption,
                     details={"kind": kind, "status": status, "child_ids": sorted(c.pk for c in children)})
        for child in children:
            # Protecting a child makes the recorder's agency part of that child's work.
            if not Involvement.objects.filter(person=child, agency=actor.agency, ended_on__isnull=True).exists():
                record_involvement(actor=actor, person_id=child.pk, kind=InvolvementKind.WORKING_WITH,
                                   summary=f"Recorded a disruption protecting this child "
                                           f"({disruption.get_kind_short()}).")
    return disruption


def update_disruption(*, actor, disruption_id: int, status: str, note: str) -> DisruptionUpdate:
    """Record what happened next (served, granted, refused...). The original record is not changed."""
    if not can_record_disruption(actor):
        raise PermissionDenied("Your role cannot record disruption")
    with transaction.atomic():
        disruption = get_disruption_for_user(actor, disruption_id)
        disruption = DisruptionAction.objects.select_for_update().get(pk=disruption.pk)
        if status not in DisruptionStatus.values:
            raise ValidationError({"status": ["Choose the status"]})
        if not note.strip():
            raise ValidationError({"note": ["Say what happened"]})
        update = DisruptionUpdate.objects.create(disruption=disruption, status=status, note=note,
                                                 recorded_by=actor, recorded_by_agency=actor.agency)
        previous = disruption.status
        disruption.status = status
        disruption.save(update_fields=["status"])
        record_event("disruption.updated", actor=actor, person=disruption.person_of_concern_id, target=update,
                     details={"disruption_id": disruption.pk, "from": previous, "to": status})
    return update
