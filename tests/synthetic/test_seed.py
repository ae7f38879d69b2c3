"""`wrekin seed` builds a realistic, deterministic partnership and says truthfully what it planted."""

from __future__ import annotations

import json
import re
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client

from wrekin.accounts.models import Agency, AgencyType, Membership, Partnership, Role, User
from wrekin.audit.models import AuditEvent
from wrekin.audit.verify import verify_chain
from wrekin.people.identifiers import nhs_number_check_digit_ok, normalise_upn, parse_postcode
from wrekin.people.models import (
    Involvement,
    Person,
    PersonAddress,
    PersonKind,
    PersonName,
    PersonPhone,
    PersonRelationship,
)
from wrekin.people.names import name_key
from wrekin.synthetic.generator import REFERENCE_DATE, generate
from wrekin.synthetic.staff import DEMO_USERS

CHILDREN = 200
GRAPHIC = re.compile(
    r"\b(rape[ds]?|raping|naked|nude|penetrat\w*|semen|genital\w*|intercourse|porn\w*|orgy|oral sex|"
    r"masturbat\w*|sodom\w*|blood\w*|stabb\w*|gore|torture\w*|explicit)\b",
    re.IGNORECASE,
)


def seed(tmp_path, *, seed_value=7, children=CHILDREN, **options) -> dict:
    path = tmp_path / f"truth-{seed_value}.json"
    out = StringIO()
    call_command("seed", children=children, seed=seed_value, ground_truth=str(path), stdout=out, **options)
    return json.loads(path.read_text()) if path.exists() else {"output": out.getvalue()}


@pytest.fixture
def truth(db, tmp_path):
    return seed(tmp_path)


def people_snapshot(tmp_path, seed_value: int, children: int = 80) -> list[tuple]:
    """Seed inside a savepoint, read the people, and roll it all back."""
    with transaction.atomic():
        seed(tmp_path, seed_value=seed_value, children=children)
        rows = list(Person.objects.order_by("pk").values_list(
            "kind", "given_name", "family_name", "known_as", "date_of_birth", "nhs_number", "upn",
            "recorded_by_agency__code"))
        transaction.set_rollback(True)
    return rows


def test_same_seed_gives_the_same_people_and_another_seed_does_not(db, tmp_path):
    first = people_snapshot(tmp_path, 7)
    again = people_snapshot(tmp_path, 7)
    other = people_snapshot(tmp_path, 8)
    assert len(first) > 80
    assert first == again
    assert first != other
    assert Counter(kind for kind, *_ in first)[PersonKind.CHILD] >= 80


def test_every_agency_type_and_every_role_is_present(truth):
    partnership = Partnership.objects.get()
    agencies = Agency.objects.filter(partnership=partnership)
    types = Counter(agencies.values_list("type", flat=True))
    assert set(types) == set(AgencyType.values)
    assert types[AgencyType.EDUCATION] >= 2
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    practitioner_agencies = Membership.objects.filter(role=Role.PRACTITIONER).values("agency__type").distinct()
    assert practitioner_agencies.count() >= 5
    for spec in DEMO_USERS:
        user = User.objects.get(username=spec.username)
        assert user.first_name and user.last_name and user.role == spec.role
    demo = User.objects.filter(username__in=[spec.username for spec in DEMO_USERS])
    assert demo.values("password").distinct().count() == 1, "one hash, computed once"
    assert demo.first().check_password("wrekin-demo-password")
    others = User.objects.exclude(pk__in=demo.values("pk"))
    assert others.exists() and not any(user.has_usable_password() for user in others)


def test_counts_and_the_kinds_of_people(truth):
    counts = truth["counts"]
    assert counts["children"] == CHILDREN
    children = Person.objects.filter(kind=PersonKind.CHILD)
    assert children.count() == CHILDREN + counts["duplicate_records"]
    assert Person.objects.filter(kind=PersonKind.PERSON_OF_CONCERN).count() == CHILDREN // 10
    assert Person.objects.filter(kind=PersonKind.ASSOCIATE).exists()
    duplicates = [d["duplicate"] for d in truth["duplicates"]]  # a swapped day and month can change the age
    for person in children.exclude(date_of_birth=None).exclude(pk__in=duplicates):
        assert 10 <= person.age_on(REFERENCE_DATE) <= 17
    assert children.filter(date_of_birth=None).count() < children.count() / 5
    concern = Person.objects.filter(kind=PersonKind.PERSON_OF_CONCERN)
    assert concern.filter(date_of_birth=None, approximate_age__isnull=False).count() >= concern.count() / 3
    for person in concern:
        assert 18 <= person.age_on(REFERENCE_DATE) <= 46
    # Search keys are computed although bulk_create skips save().
    for person in Person.objects.all()[:50]:
        assert person.family_key == name_key(person.family_name)
        assert person.given_key == name_key(person.given_name)
        assert person.birth_year == person.estimated_birth_year()
    assert PersonName.objects.filter(person__kind=PersonKind.PERSON_OF_CONCERN).exists()
    assert all(n.given_key == name_key(n.given_name) for n in PersonName.objects.all())


def test_each_child_is_known_to_one_to_four_agencies(truth):
    duplicates = {d["duplicate"] for d in truth["duplicates"]}
    known_to = Counter(Involvement.objects.filter(person__kind=PersonKind.CHILD)
                       .values_list("person_id", flat=True))
    children = Person.objects.filter(kind=PersonKind.CHILD).values_list("pk", flat=True)
    for pk in children:
        assert 1 <= known_to[pk] <= (1 if pk in duplicates else 4)
    assert max(known_to.values()) >= 3
    assert Involvement.objects.exclude(worker=None).exists()


def test_ground_truth_is_consistent(truth):
    people = {p.pk: p for p in Person.objects.all()}
    assert truth["seed"] == 7
    assert truth["same_person"] and truth["twins"] and truth["connections"] and truth["siblings"]
    for group in truth["same_person"]:
        assert len(group) >= 2 and all(pk in people for pk in group)
        assert all(people[pk].kind == PersonKind.CHILD for pk in group)
        agencies = [people[pk].recorded_by_agency_id for pk in group]
        assert len(set(agencies)) == len(agencies), "a duplicate comes from another agency"
    noise = Counter(kind for d in truth["duplicates"] for kind in d["noise"])
    assert noise, "duplicates carry real-world noise"
    for a, b in truth["twins"]:
        one, two = people[a], people[b]
        assert one.family_name == two.family_name and one.date_of_birth == two.date_of_birth
        assert one.date_of_birth is not None
        assert one.given_name != two.given_name
        assert name_key(one.given_name) != name_key(two.given_name)
        assert PersonAddress.objects.get(person=one, valid_to=None).line1 == \
            PersonAddress.objects.get(person=two, valid_to=None).line1
        assert PersonRelationship.objects.filter(from_person=one, to_person=two, kind="sibling").exists()
    for a, b in truth["twins"]:
        assert not any({a, b} <= set(group) for group in truth["same_person"]), "twins are two children"
    for child, adult, kind in truth["connections"]:
        assert people[child].kind == PersonKind.CHILD
        assert people[adult].kind == PersonKind.PERSON_OF_CONCERN
        assert kind in ("boyfriend", "controlling_adult", "associate")
        assert PersonRelationship.objects.filter(from_person_id=child, to_person_id=adult, kind=kind).exists()
    for a, b in truth["siblings"]:
        assert people[a].kind == people[b].kind == PersonKind.CHILD
    for network in truth["networks"]:
        assert all(people[pk].kind == PersonKind.PERSON_OF_CONCERN for pk in network["persons_of_concern"])


def test_identifiers_are_well_formed_and_safe_to_invent(truth):
    for postcode in PersonAddress.objects.values_list("postcode", flat=True):
        assert parse_postcode(postcode) == postcode
        assert re.fullmatch(r"(TF([1-9]|1[0-3])|SY[1-3]) \d[A-Z]{2}", postcode)
    nhs_numbers = list(Person.objects.exclude(nhs_number="").values_list("nhs_number", flat=True))
    assert nhs_numbers
    for number in nhs_numbers:
        assert number.startswith("999") and nhs_number_check_digit_ok(number)
    upns = list(Person.objects.exclude(upn="").values_list("upn", flat=True))
    assert upns
    for upn in upns:
        assert normalise_upn(upn) == upn
    phones = list(PersonPhone.objects.values_list("number", flat=True))
    assert phones
    for number in phones:
        assert re.fullmatch(r"\+447700900\d{3}", number)


def test_ethnicity_is_diverse_and_incomplete_where_it_is_in_real_life():
    plan = generate(children=3000, seed=11)
    children = Counter(p.ethnicity for p in plan.people if p.kind == PersonKind.CHILD)
    assert len([code for code in children if code not in ("", "REFU", "NOBT")]) >= 12
    assert children["REFU"] and children["NOBT"] and children[""]
    concern = [p for p in plan.people if p.kind == PersonKind.PERSON_OF_CONCERN]
    blank = sum(1 for p in concern if not p.ethnicity) / len(concern)
    assert 0.3 < blank < 0.7
    assert Counter(p.sex for p in plan.people if p.kind == PersonKind.CHILD).keys() >= {"F", "M"}


def test_notes_are_professional_and_never_graphic(truth):
    texts = list(Involvement.objects.values_list("summary", flat=True))
    texts += list(PersonRelationship.objects.values_list("note", flat=True))
    texts += list(PersonPhone.objects.values_list("label", flat=True))
    assert any(texts)
    for text in texts:
        assert not GRAPHIC.search(text), text
        assert len(text) < 200


def test_if_empty_is_a_no_op_once_seeded(truth, tmp_path):
    people = Person.objects.count()
    events = AuditEvent.objects.count()
    result = seed(tmp_path, seed_value=99, if_empty=True)
    assert "already seeded" in result["output"]
    assert Person.objects.count() == people and AuditEvent.objects.count() == events
    with pytest.raises(CommandError, match="already exists"):
        seed(tmp_path, seed_value=99)
    assert Person.objects.count() == people


def test_one_seeding_event_and_the_audit_chain_verifies(truth):
    events = AuditEvent.objects.filter(event_type="synthetic.seeded")
    assert events.count() == 1
    details = events.get().details
    assert details["seed"] == 7 and details["children"] == CHILDREN
    assert not any(isinstance(value, str) and " " in value for value in details.values()), "no names in details"
    result = verify_chain()
    assert result.ok, result.problem


def test_demo_users_lists_who_to_sign_in_as(truth):
    out = StringIO()
    call_command("demo_users", stdout=out)
    text = out.getvalue()
    for spec in DEMO_USERS:
        assert spec.username in text
    assert "wrekin-demo-password" in text
    assert "authenticator" in text
    # Each demo user gets a one-time set-up link: MFA enrolment needs one, as for every new account.
    links = dict(re.findall(r"^  (\w+) +http://127\.0\.0\.1:8000(/accounts/set-up/[\w-]+/)$", text, flags=re.M))
    assert set(links) == {spec.username for spec in DEMO_USERS}
    assert Client().get(links["amir"]).status_code == 200
    # Running it again issues new links; the old ones stop working.
    call_command("demo_users", stdout=StringIO())
    assert Client().get(links["amir"]).status_code == 410


def test_demo_users_before_seeding(db):
    out = StringIO()
    call_command("demo_users", stdout=out)
    assert "wrekin seed" in out.getvalue()
