"""A small network for the network tests, recorded through the real actions.

Who records what (agencies from tests/conftest.py; every date fixed):
- alice (police), about Kayleigh: the car "AB12 CDE", the premises "Kwik Kebab, TF1 2AB", and a man named
  "Mo Khan" — which alice then confirms is the person of concern Mohammed Khan (`poc`);
- bob (school), about Daniel: the same car typed "ab12cde" and the same premises; and "XY19 ZZZ", which he
  then rejects (rejected mentions never link);
- charlie (health), about Jayden: the phone "07700 900123", and a narrative naming the car "AB12 CDF" (a near
  miss), which the machine finds and leaves unconfirmed;
- police recorded Mohammed Khan's own phone "+447700900123" on his record, and a relationship: Kayleigh's
  "older or controlling adult" is Mohammed Khan;
- oscar (another partnership), about a child there: the car "AB12 CDE" too — a different partnership's entity.

What each persona may see follows from the agencies' involvements (tests/conftest.py): alice sees Kayleigh
and Mohammed Khan; bob sees Daniel; charlie sees Jayden; erin and frank see the whole partnership.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from tests.intelligence import linkworld
from tests.intelligence.linkworld import TODAY, at  # noqa: F401 - TODAY re-exported for the tests
from wrekin.intelligence.alerts import resolve_person_mention, review_mention
from wrekin.intelligence.models import EntityType, Mention, MentionStatus
from wrekin.people.models import PersonPhone, PersonRelationship

CAR = {"type": "vehicle", "value": "AB12 CDE", "relationship": "child was picked up in"}
KEBAB = {"type": "place", "value": "Kwik Kebab", "postcode": "TF1 2AB", "premises_type": "takeaway"}


# linkworld's `save` fixture, re-exported for the test modules that use `world` (which needs it).
recorder = linkworld.save


@pytest.fixture(name="world")
def world_fixture(save, personas, people, agencies):
    kayleigh, daniel, jayden, poc = people["kayleigh"], people["daniel"], people["jayden"], people["poc"]
    ids = {}
    mentions = save("alice", kayleigh, [CAR, KEBAB, {"type": "person", "value": "Mo Khan", "approximate_age": 24}],
                    days=0, source=("tests.record", 9001))
    named = next(m for m in mentions if m.entity.type == EntityType.PERSON)
    resolve_person_mention(actor=personas["alice"], mention_id=named.pk, person_id=poc.pk, now=at(1))
    save("bob", daniel, [{**CAR, "value": "ab12cde"}, KEBAB], days=10, source=("tests.record", 9002))
    (wrong,) = save("bob", daniel, [("vehicle", "XY19 ZZZ")], days=11, source=("tests.record", 9003))
    review_mention(actor=personas["bob"], mention_id=wrong.pk, decision="reject", reason="Misread the plate",
                   now=at(12))
    save("charlie", jayden, [("phone", "07700 900123")], narrative="Jayden was seen getting into AB12 CDF.",
         days=20, source=("tests.record", 9004))
    phone = PersonPhone.objects.create(person=poc, number="+447700900123", as_given="07700 900123",
                                       recorded_by_agency=agencies["police"])
    PersonPhone.objects.filter(pk=phone.pk).update(created_at=timezone.make_aware(datetime(2026, 4, 20, 9)))
    relationship = PersonRelationship.objects.create(from_person=kayleigh, to_person=poc, kind="controlling_adult",
                                                     recorded_by_agency=agencies["police"],
                                                     recorded_on=date(2026, 2, 1))
    there = people["elsewhere"]
    save("oscar", there, [CAR], days=5, source=("tests.record", 9005))
    unconfirmed = Mention.objects.get(source_id=9004, entity__key="AB12CDF")
    assert unconfirmed.status == MentionStatus.UNCONFIRMED
    ids.update(kayleigh=kayleigh.pk, daniel=daniel.pk, jayden=jayden.pk, poc=poc.pk, elsewhere=there.pk,
               relationship=relationship.pk, phone_record=phone.pk)
    return ids


def keys_of(data) -> set[str]:
    return {node.key for node in data.nodes}


def entity_key(kind: str, key: str, partnership_code: str = "wrekin-test") -> str:
    from wrekin.intelligence.models import Entity

    entity = Entity.objects.get(partnership__code=partnership_code, key=key)
    return f"{kind}:{entity.pk}"
