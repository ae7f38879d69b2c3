"""Every change to people goes through these functions: permission, change and audit in one transaction."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from wrekin.access.policy import can_record_people, get_person_for_user
from wrekin.audit.actions import record_event
from wrekin.people.models import (
    Involvement,
    InvolvementKind,
    Person,
    PersonAddress,
    PersonName,
    PersonPhone,
)

# Fields a person's details form may change. Search keys follow automatically.
PERSON_FIELDS = (
    "kind", "given_name", "middle_names", "family_name", "known_as", "date_of_birth", "approximate_age",
    "sex", "ethnicity", "ethnicity_observed", "nationality", "disability", "special_educational_needs",
    "nhs_number", "upn", "school", "looked_after", "placed_out_of_area", "occupation",
)


def _require_recorder(actor) -> None:
    if not can_record_people(actor):
        raise PermissionDenied("Your role cannot record people")


def record_person(
    *,
    actor,
    details: dict,
    address: dict | None = None,
    phone: dict | None = None,
    summary: str = "",
    involvement_kind: str = InvolvementKind.RECORDED,
) -> Person:
    """Record a new person. The actor's agency becomes involved, so they can see who they recorded."""
    _require_recorder(actor)
    agency = actor.agency
    today = timezone.localdate()
    with transaction.atomic():
        person = Person(partnership=agency.partnership, recorded_by_agency=agency, created_by=actor)
        for field, value in details.items():
            if field not in PERSON_FIELDS:
                raise ValueError(f"Unknown person field {field!r}")
            setattr(person, field, value)
        if person.approximate_age is not None and person.date_of_birth is None:
            person.approximate_age_recorded_on = today
        person.save()
        Involvement.objects.create(
            person=person, agency=agency, kind=involvement_kind, started_on=today, worker=actor, summary=summary
        )
        if address and address.get("line1"):
            PersonAddress.objects.create(person=person, recorded_by_agency=agency, **address)
        if phone and phone.get("number"):
            PersonPhone.objects.create(person=person, recorded_by_agency=agency, **phone)
        record_event("person.created", actor=actor, person=person, target=person,
                     details={"kind": person.kind})
    return person


def update_person(*, actor, person_id: int, details: dict) -> Person:
    _require_recorder(actor)
    with transaction.atomic():
        person = get_person_for_user(actor, person_id)
        changed = []
        for field, value in details.items():
            if field not in PERSON_FIELDS:
                raise ValueError(f"Unknown person field {field!r}")
            if getattr(person, field) != value:
                setattr(person, field, value)
                changed.append(field)
        if "approximate_age" in changed and person.approximate_age is not None:
            person.approximate_age_recorded_on = timezone.localdate()
        if changed:
            person.save()
            # Field names only: the values are personal data and live in the record, not the trail.
            record_event("person.updated", actor=actor, person=person, target=person,
                         details={"fields": sorted(changed)})
    return person


def add_person_name(*, actor, person_id: int, kind: str, given_name: str, family_name: str) -> PersonName:
    _require_recorder(actor)
    with transaction.atomic():
        person = get_person_for_user(actor, person_id)
        name = PersonName.objects.create(person=person, kind=kind, given_name=given_name,
                                         family_name=family_name, recorded_by_agency=actor.agency)
        record_event("person.name_added", actor=actor, person=person, target=name, details={"kind": kind})
    return name


def add_person_address(*, actor, person_id: int, address: dict) -> PersonAddress:
    _require_recorder(actor)
    with transaction.atomic():
        person = get_person_for_user(actor, person_id)
        valid_from = address.get("valid_from") or timezone.localdate()
        # A new current address ends the previous current one the day it starts.
        if address.get("valid_to") is None:
            person.addresses.filter(valid_to__isnull=True).update(valid_to=valid_from)
        record = PersonAddress.objects.create(person=person, recorded_by_agency=actor.agency,
                                              **{**address, "valid_from": valid_from})
        record_event("person.address_added", actor=actor, person=person, target=record)
    return record


def add_person_phone(*, actor, person_id: int, number: str, as_given: str, label: str = "") -> PersonPhone:
    _require_recorder(actor)
    with transaction.atomic():
        person = get_person_for_user(actor, person_id)
        phone = PersonPhone.objects.create(person=person, number=number, as_given=as_given, label=label,
                                           recorded_by_agency=actor.agency)
        record_event("person.phone_added", actor=actor, person=person, target=phone)
    return phone


def record_involvement(*, actor, person_id: int, kind: str, summary: str = "",
                       started_on: date | None = None) -> Involvement:
    _require_recorder(actor)
    with transaction.atomic():
        person = get_person_for_user(actor, person_id)
        involvement = Involvement.objects.create(person=person, agency=actor.agency, kind=kind,
                                                 started_on=started_on or timezone.localdate(),
                                                 summary=summary, worker=actor)
        record_event("person.involvement_added", actor=actor, person=person, target=involvement,
                     details={"kind": kind})
    return involvement
