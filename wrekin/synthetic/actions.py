"""Writing a synthetic partnership into the database, in one transaction.

The partnership, its agencies and its users go through the accounts actions
(each audited as usual). The people and everything about them are bulk
inserted, with their search keys computed here because `bulk_create` does not
call `save()`; the whole load is recorded by one `synthetic.seeded` event.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.db import connection, transaction

from wrekin.accounts.actions import create_agency, create_user, ensure_partnership
from wrekin.accounts.models import Agency, Partnership, User
from wrekin.audit.actions import record_event
from wrekin.people.models import (
    Involvement,
    Person,
    PersonAddress,
    PersonName,
    PersonPhone,
    PersonRelationship,
)
from wrekin.people.names import name_key
from wrekin.synthetic.generator import Plan, generate
from wrekin.synthetic.staff import AGENCIES, PARTNERSHIP_NAME

BATCH_SIZE = 5000


class SeedConflict(Exception):
    """The database already holds something the seed would create."""


@dataclass
class SeedResult:
    partnership: Partnership
    counts: dict[str, int]
    ground_truth: dict
    seconds: float


def conflicts(plan: Plan, *, code: str) -> list[str]:
    """What already exists that the seed would create: it never adds to or overwrites real data."""
    problems = []
    if Partnership.objects.filter(code=code).exists():
        problems.append(f"a partnership with code {code!r} already exists")
    taken = sorted(Agency.objects.filter(code__in=[a.code for a in AGENCIES]).values_list("code", flat=True))
    if taken:
        problems.append(f"{len(taken)} agency codes already in use, e.g. {taken[0]!r}")
    usernames = [staff.username for staff in plan.staff]
    clashes = sorted(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    if clashes:
        problems.append(f"{len(clashes)} usernames already in use, e.g. {clashes[0]!r}")
    return problems


def seed_partnership(
    *,
    children: int,
    seed: int,
    code: str,
    password: str,
    actor=None,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[str], None] | None = None,
) -> SeedResult:
    """Generate a partnership from `seed` and write it. Raises SeedConflict if any of it exists already."""
    started = time.perf_counter()
    say = progress or (lambda message: None)
    validate_password(password, User(username="demo", first_name="Demo", last_name="User"))
    plan = generate(children=children, seed=seed)
    say(f"Generated {len(plan.people):,} people in {time.perf_counter() - started:.1f} s")
    problems = conflicts(plan, code=code)
    if problems:
        raise SeedConflict("; ".join(problems))
    # Argon2 is slow by design: hash the demo password once and give every demo user that hash.
    password_hash = make_password(password)

    with transaction.atomic():
        partnership = ensure_partnership(code=code, name=PARTNERSHIP_NAME, actor=actor)
        agencies = {
            spec.key: create_agency(code=spec.code, name=spec.name, type=spec.type, partnership=partnership,
                                    actor=actor, contact_email=spec.contact_email,
                                    contact_phone=f"01632 960{n:03d}")
            for n, spec in enumerate(AGENCIES, start=100)
        }
        agency_ids = {key: agency.pk for key, agency in agencies.items()}
        staff_ids: list[int] = []
        demo_ids: list[int] = []
        for staff in plan.staff:
            agency = agencies[staff.agency]
            # No set-up links here: `wrekin demo_users` issues the demo users' when it prints them.
            user = create_user(username=staff.username, agency=agency, role=staff.role, password=None,
                               actor=actor, first_name=staff.first_name, last_name=staff.last_name,
                               email=f"{staff.username}@{agency.code}.example", job_title=staff.job_title,
                               enrolment_link=False)
            staff_ids.append(user.pk)
            if staff.is_demo:
                demo_ids.append(user.pk)
        User.objects.filter(pk__in=demo_ids).update(password=password_hash)
        say(f"Created {len(agencies)} agencies and {len(staff_ids)} users")

        person_ids = _insert_people(plan, partnership.pk, agency_ids, batch_size)
        say(f"Inserted {len(person_ids):,} people")
        _insert_rest(plan, person_ids, agency_ids, staff_ids, batch_size)
        counts = plan.counts() | {"agencies": len(agencies), "users": len(staff_ids),
                                  "demo_users": len(demo_ids)}
        record_event("synthetic.seeded", actor=actor, target=partnership,
                     details={"seed": seed, "database": connection.vendor, **counts})
    truth = ground_truth(plan, person_ids, code=code, counts=counts)
    return SeedResult(partnership, counts, truth, time.perf_counter() - started)


def _insert_people(plan: Plan, partnership_id: int, agency_ids: dict[str, int], batch_size: int) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(plan.people), batch_size):
        batch = []
        for spec in plan.people[start: start + batch_size]:
            person = Person(partnership_id=partnership_id, recorded_by_agency_id=agency_ids[spec.agency],
                            **spec.model_fields())
            person.refresh_search_keys()
            batch.append(person)
        Person.objects.bulk_create(batch, batch_size=batch_size)
        ids.extend(person.pk for person in batch)
    if ids and ids[0] is None:
        raise RuntimeError("This database did not return ids from a bulk insert")
    return ids


def _bulk(model, rows, batch_size: int) -> None:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= batch_size:
            model.objects.bulk_create(batch, batch_size=batch_size)
            batch = []
    if batch:
        model.objects.bulk_create(batch, batch_size=batch_size)


def _insert_rest(plan: Plan, ids: list[int], agency_ids: dict[str, int], staff_ids: list[int],
                 batch_size: int) -> None:
    keys: dict[str, str] = {}

    def key(name: str) -> str:
        if name not in keys:
            keys[name] = name_key(name)
        return keys[name]

    _bulk(PersonName, (
        PersonName(person_id=ids[person], kind=kind, given_name=given, family_name=family, given_key=key(given),
                   family_key=key(family), recorded_by_agency_id=agency_ids[agency])
        for person, kind, given, family, agency in plan.names
    ), batch_size)
    _bulk(PersonAddress, (
        PersonAddress(person_id=ids[a.person], line1=a.line1, line2=a.line2, town=a.town, postcode=a.postcode,
                      valid_from=a.valid_from, valid_to=a.valid_to, recorded_by_agency_id=agency_ids[a.agency])
        for a in plan.addresses
    ), batch_size)
    _bulk(PersonPhone, (
        PersonPhone(person_id=ids[person], number=number, as_given=as_given, label=label,
                    recorded_by_agency_id=agency_ids[agency])
        for person, number, as_given, label, agency in plan.phones
    ), batch_size)
    _bulk(Involvement, (
        Involvement(person_id=ids[person], agency_id=agency_ids[agency], kind=kind, started_on=started,
                    ended_on=ended, summary=summary, worker_id=None if worker is None else staff_ids[worker])
        for person, agency, kind, started, ended, summary, worker in plan.involvements
    ), batch_size)
    _bulk(PersonRelationship, (
        PersonRelationship(from_person_id=ids[a], to_person_id=ids[b], kind=kind,
                           recorded_by_agency_id=agency_ids[agency], recorded_on=recorded_on, note=note)
        for a, b, kind, agency, recorded_on, note in plan.relationships
    ), batch_size)


def ground_truth(plan: Plan, ids: list[int], *, code: str, counts: dict[str, int]) -> dict:
    """What the seed planted, in database ids: for testing linkage and network detection."""
    return {
        "seed": plan.seed,
        "partnership": code,
        "reference_date": plan.reference_date.isoformat(),
        "counts": counts,
        "about": {
            "same_person": "each list: the person ids of one real child recorded more than once",
            "duplicates": "each second record, its original, and the noise added to it",
            "twins": "pairs of twins: same family name, address and date of birth; never merge them",
            "siblings": "pairs of children in one household (twins included)",
            "connections": "[child id, person of concern id, relationship kind]",
            "networks": "persons of concern acting together and the children connected to them",
            "shared_phones": "a person of concern's number also recorded on a child's record",
        },
        "same_person": [[ids[i] for i in group] for group in plan.same_person],
        "duplicates": [{"original": ids[d["original"]], "duplicate": ids[d["duplicate"]], "noise": d["noise"]}
                       for d in plan.duplicates],
        "twins": [[ids[a], ids[b]] for a, b in plan.twins],
        "siblings": [[ids[a], ids[b]] for a, b in plan.siblings],
        "connections": [[ids[child], ids[adult], kind] for child, adult, kind in plan.connections],
        "networks": [{"persons_of_concern": [ids[i] for i in n["persons_of_concern"]],
                      "children": [ids[i] for i in n["children"]], "district": n["district"]}
                     for n in plan.networks],
        "shared_phones": [{"number": s["number"], "people": [ids[i] for i in s["people"]]}
                          for s in plan.shared_phones],
    }
