"""Names of known people and places, found in a narrative when its record is saved (wrekin.intelligence.gazetteer).

Taz (Tariq Aziz) is a person of concern recorded by the police, known by the nickname "Taz": Alice (police),
Erin (coordinator) and Frank (analyst) may see him; Bob (school) and Dana (children's social care) may not.
Tasty Chicken, TF1 2AB is a takeaway the school has already named in a referral about Daniel.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import make_person
from wrekin.access.policy import people_visible_to
from wrekin.intelligence import gazetteer as gazetteers
from wrekin.intelligence.alerts import resolve_person_mention
from wrekin.intelligence.extraction import Gazetteer, extract
from wrekin.intelligence.extraction_views import review_suggestions
from wrekin.intelligence.gazetteer import gazetteer_for_user
from wrekin.intelligence.linking import PersonMention, person_link_reason
from wrekin.intelligence.models import (
    Entity,
    EntityType,
    LinkAlert,
    Mention,
    MentionOrigin,
    MentionStatus,
    ResolutionStatus,
)
from wrekin.intelligence.reports import record_report
from wrekin.missing import actions as missing
from wrekin.people.actions import add_person_name
from wrekin.people.models import PersonKind, PersonName
from wrekin.referrals import actions as referrals

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 6, 1)


@pytest.fixture
def instrument(db):
    referrals.load_instruments()
    return referrals.current_instrument()


@pytest.fixture
def taz(agencies):
    person = make_person(agencies["police"], given="Tariq", family="Aziz", kind=PersonKind.PERSON_OF_CONCERN,
                         approximate_age=25, approximate_age_recorded_on=date(2026, 1, 5), sex="M")
    PersonName.objects.create(person=person, kind="nickname", given_name="Taz", family_name="",
                              recorded_by_agency=agencies["police"])
    return person


def refer(actor, child, *, narrative, mentions=()):
    return referrals.record_referral(
        actor=actor, child=child, occurred_on=date(2026, 5, 1), narrative=narrative, indicators=[],
        mentions=list(mentions), lawful_basis="public_task", consent_status="given", today=TODAY)


def mentions_of(record) -> dict[str, Mention]:
    rows = Mention.objects.filter(source_type=record._meta.label_lower, source_id=record.pk).select_related("entity")
    return {m.entity.type: m for m in rows}


@pytest.fixture
def takeaway(instrument, personas, people):
    """The school's referral about Daniel, naming Tasty Chicken (typed in) and nothing else linkable."""
    first = refer(personas["bob"], people["daniel"], narrative="Daniel was collected from school.",
                  mentions=[{"kind": "place", "value": "Tasty Chicken, TF1 2AB", "relationship": "hangs around"}])
    return mentions_of(first)["location"].entity


def test_a_nickname_and_a_known_premises_in_a_narrative_are_recorded_and_linked(takeaway, personas, people, taz):
    # The school also named "Taz" about Daniel, and the coordinator confirmed who he is.
    named = refer(personas["bob"], people["daniel"], narrative="Daniel says he has a new friend.",
                  mentions=[{"kind": "person", "value": "Taz", "detail": "about 25"}])
    resolve_person_mention(actor=personas["erin"], mention_id=mentions_of(named)["person"].pk, person_id=taz.pk)
    assert not LinkAlert.objects.exists()

    narrative = "Kayleigh was seen with taz outside Tasty Chicken at 23:00."
    referral = refer(personas["alice"], people["kayleigh"], narrative=narrative)

    found = mentions_of(referral)
    person, place = found["person"], found["location"]
    assert (person.origin, person.status) == (MentionOrigin.EXTRACTED, MentionStatus.UNCONFIRMED)
    assert person.as_typed == "taz" and narrative[person.span_start:person.span_end] == "taz"
    assert (person.resolved_person, person.resolution_status) == (taz, ResolutionStatus.NAMED)
    # The premises is the entity the school named, not a second one without its postcode.
    assert place.entity == takeaway and place.status == MentionStatus.UNCONFIRMED
    assert Entity.objects.filter(type=EntityType.LOCATION).count() == 1

    # Both raise their alert at once, as a plate would: two records, two children, two agencies.
    place_alert = LinkAlert.objects.get(anchor_entity=takeaway)
    assert (place_alert.record_count, place_alert.child_count, place_alert.agency_count) == (2, 2, 2)
    assert place_alert.unconfirmed_count == 1
    person_alert = LinkAlert.objects.get(link_key=f"person:{taz.pk}")
    assert (person_alert.record_count, person_alert.child_count, person_alert.unconfirmed_count) == (2, 2, 1)
    reasons = list(person_alert.alert_mentions.values_list("reason", flat=True))
    assert any("both name the same person of concern" in reason for reason in reasons)

    # A third record naming them updates the same alerts; no new ones.
    refer(personas["erin"], people["jayden"], narrative="Jayden's phone shows calls to TAZ; dropped at Tasty Chicken.")
    assert LinkAlert.objects.count() == 2
    place_alert.refresh_from_db()
    person_alert.refresh_from_db()
    assert (place_alert.record_count, place_alert.child_count, place_alert.agency_count) == (3, 3, 3)
    assert (person_alert.record_count, person_alert.child_count) == (3, 3)


def test_named_mentions_of_the_same_person_link_without_anyone_confirming(instrument, personas, people, taz):
    refer(personas["alice"], people["kayleigh"], narrative="Kayleigh said Taz drove her home.")
    refer(personas["erin"], people["daniel"], narrative="Daniel was dropped off by Tariq Aziz.")
    alert = LinkAlert.objects.get()
    assert alert.link_key == f"person:{taz.pk}"
    assert (alert.record_count, alert.child_count, alert.unconfirmed_count) == (2, 2, 2)
    assert "“Taz”" in alert.explanation or "“Tariq Aziz”" in alert.explanation


def test_names_of_people_the_writer_may_not_see_are_not_recorded(takeaway, personas, people, taz):
    narrative = "Daniel met Taz at Tasty Chicken again."
    referral = refer(personas["bob"], people["daniel"], narrative=narrative)
    found = mentions_of(referral)
    # The school may not see Taz: nothing tells it that the partnership knows someone by that name.
    assert "person" not in found
    assert found["location"].entity == takeaway  # places are partnership-wide
    # The live suggestions follow the same rule.
    assert [s.item.type for s in review_suggestions(narrative, user=personas["bob"])] == ["location"]
    assert [s.item.type for s in review_suggestions(narrative, user=personas["alice"])] == ["person", "location"]


def test_a_name_nobody_is_known_by_is_not_invented(takeaway, personas, people, taz):
    before = set(Entity.objects.values_list("pk", flat=True))
    referral = refer(personas["alice"], people["kayleigh"],
                     narrative="Kayleigh was with Bigz and Tazzy near Golden Fry, and later at Tasty Chick.")
    assert mentions_of(referral) == {}
    assert set(Entity.objects.values_list("pk", flat=True)) == before


def test_missing_episodes_return_interviews_and_reports_are_read_for_names_too(takeaway, personas, people, taz):
    reported = datetime(2026, 5, 10, 21, 0, tzinfo=LONDON)
    episode = missing.record_missing_episode(
        actor=personas["alice"], child=people["kayleigh"], reported_at=reported, last_seen_where="Town centre",
        circumstances="Last seen getting into a car with Taz.", now=reported + timedelta(hours=1))
    missing.record_return(actor=personas["alice"], episode=episode, returned_at=reported + timedelta(hours=20),
                          found_where="Home", with_whom="Tasty Chicken staff", travel_modes=["car"],
                          now=reported + timedelta(hours=21))
    interview = missing.record_return_interview(
        actor=personas["dana"], episode=episode, outcome="completed", offered_at=reported + timedelta(hours=30),
        offered_by_agency=personas["dana"].agency, completed_at=reported + timedelta(hours=40),
        conducted_by="Dana", summary="She said Taz took her to Tasty Chicken.", now=reported + timedelta(hours=41))
    report = record_report(
        actor=personas["frank"], title="Taz", narrative="Taz is using Tasty Chicken to meet girls.",
        information_date=date(2026, 5, 12), source_evaluation="2", intelligence_assessment="B", handling_code="P",
        child_ids=[people["kayleigh"].pk], today=TODAY)

    episode_found = Mention.objects.filter(source_type="missing.missingepisode", source_id=episode.pk)
    assert {(m.entity.type, m.resolution_status) for m in episode_found} == {
        ("person", ResolutionStatus.NAMED), ("location", "")}
    # Dana may not see Taz: her interview records the takeaway, not the name.
    assert set(mentions_of(interview)) == {"location"}
    assert mentions_of(report)["person"].resolved_person == taz
    assert mentions_of(report)["location"].entity == takeaway


def test_a_name_shared_by_two_premises_names_neither(instrument, personas, people):
    refer(personas["bob"], people["daniel"], narrative="Collected.",
          mentions=[{"kind": "place", "value": "Tasty Chicken, TF1 2AB"}])
    refer(personas["bob"], people["daniel"], narrative="Collected again.",
          mentions=[{"kind": "place", "value": "Tasty Chicken, TF3 4DE"}])
    referral = refer(personas["alice"], people["kayleigh"], narrative="Seen at Tasty Chicken.")
    place = mentions_of(referral)["location"]
    assert place.entity.key == "premises:tasty chicken|"  # the name as written: which branch is not known


def test_new_names_are_found_by_the_next_save(instrument, personas, people, taz):
    # Read (and kept) once...
    refer(personas["alice"], people["kayleigh"], narrative="With Taz.")
    # ...then a nickname and a premises are added: the next save knows them.
    add_person_name(actor=personas["alice"], person_id=taz.pk, kind="nickname", given_name="T-Bone", family_name="")
    refer(personas["alice"], people["kayleigh"], narrative="Taken to Kwik Kebab.",
          mentions=[{"kind": "place", "value": "Kwik Kebab, TF2 9XX"}])
    referral = refer(personas["alice"], people["kayleigh"], narrative="T Bone was waiting at kwik kebab.")
    found = mentions_of(referral)
    assert found["person"].resolved_person == taz and found["person"].as_typed == "T Bone"
    assert found["location"].entity.key == "premises:kwik kebab|TF2 9XX"


def test_edits_of_a_person_of_concern_are_read_again(instrument, personas, people, taz, monkeypatch):
    from wrekin.people.models import Person

    alice = personas["alice"]
    assert [e.normalised for e in extract("with Taz and Zed", gazetteer_for_user(alice))] == ["Taz"]
    # Edited in this process (a save): noticed at once.
    taz.known_as = "Zed"
    taz.save()
    assert [e.normalised for e in extract("with Taz and Zed", gazetteer_for_user(alice))] == ["Taz", "Zed"]
    # Edited where this process cannot hear of it (another worker): read again within the refresh time.
    Person.objects.filter(pk=taz.pk).update(known_as="Zeddy")
    assert [e.normalised for e in extract("with Zed", gazetteer_for_user(alice))] == ["Zed"]
    monkeypatch.setattr(gazetteers, "PEOPLE_REFRESH_SECONDS", 0)
    assert [e.normalised for e in extract("with Zed and Zeddy", gazetteer_for_user(alice))] == ["Zeddy"]


def test_a_rolled_back_save_leaves_no_name_behind(instrument, personas, people, taz):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        refer(personas["alice"], people["kayleigh"], narrative="Seen.",
              mentions=[{"kind": "place", "value": "Ghost Kebab, TF1 2AB"}])
        assert [e.type for e in extract("at Ghost Kebab", gazetteer_for_user(personas["alice"]))] == ["location"]
        raise RuntimeError
    # The entity's id may be given to the next one (SQLite): the name is not taken for it.
    refer(personas["alice"], people["kayleigh"], narrative="Seen.", mentions=[{"kind": "vehicle", "value": "AB12CDE"}])
    assert extract("at Ghost Kebab", gazetteer_for_user(personas["alice"])) == []


def test_the_cached_gazetteer_gives_what_the_users_own_gazetteer_would(agencies, personas, people, taz):
    # Mohammed Khan ("Mo", police) is visible to Alice; Mo Jones (health) is not. "Mo Jones" in the text
    # is the invisible person's name: Alice's own gazetteer finds "Mo" there instead.
    hidden = make_person(agencies["health"], given="Mo", family="Jones", kind=PersonKind.PERSON_OF_CONCERN)
    PersonName.objects.create(person=hidden, kind="nickname", given_name="Taz", family_name="",
                              recorded_by_agency=agencies["health"])
    alice = personas["alice"]
    own = Gazetteer.for_partnership(alice.partnership.pk, people=people_visible_to(alice))
    for text in ("Seen with Mo Jones and Taz.", "Mohammed Khan, Mo and TAZ", "Nothing known here."):
        expected = [(e.type, e.value, e.normalised, e.span, e.detail) for e in extract(text, own)]
        cached = [(e.type, e.value, e.normalised, e.span, e.detail) for e in extract(text, gazetteer_for_user(alice))]
        assert cached == expected, text
    # "Taz" is two people's nickname; Alice may see one of them, so it names him.
    (taz_found,) = [e for e in extract("with Taz", gazetteer_for_user(alice)) if e.type == "person"]
    assert taz_found.detail["ids"] == [taz.pk]
    # Bob sees neither, Charlie (health) sees Mo Jones.
    assert [e for e in extract("Seen with Mo Jones and Taz.", gazetteer_for_user(personas["bob"]))] == []
    charlie = [e.detail["ids"] for e in extract("Seen with Mo Jones and Taz.", gazetteer_for_user(personas["charlie"]))]
    assert charlie == [[hidden.pk], [hidden.pk]]


def test_the_gazetteer_is_read_once_then_checked_with_one_query(instrument, personas, people, taz,
                                                                django_assert_max_num_queries):
    gazetteers.gazetteer_for_user(personas["alice"])  # read
    with django_assert_max_num_queries(1):
        gazetteers.gazetteer_for_user(personas["alice"])  # only the signature: nothing changed


def test_person_rules_for_named_mentions():
    def mention(pk, name, *, confirmed=None, named=None, age=None):
        return PersonMention(pk, name, name, "", age, None, confirmed, named)

    assert "same person of concern" in person_link_reason(mention(1, "Taz", named=7), mention(2, "Tariq", named=7),
                                                          today=TODAY)
    assert "same person of concern" in person_link_reason(mention(1, "Taz", named=7), mention(2, "T", confirmed=7),
                                                          today=TODAY)
    # Two different known people never link, even with the same name and age.
    assert person_link_reason(mention(1, "Taz", named=7, age=25), mention(2, "Taz", named=8, age=25),
                              today=TODAY) == ""
    # A named mention and one nobody has identified follow the name rules.
    assert person_link_reason(mention(1, "Taz", named=7), mention(2, "Taz"), today=TODAY) == ""
    assert person_link_reason(mention(1, "Taz", named=7, age=25), mention(2, "Taz", age=26), today=TODAY)


def test_the_network_draws_a_named_person_as_an_unconfirmed_link(takeaway, personas, people, taz):
    from wrekin.intelligence import graph
    from wrekin.intelligence.network import network_for

    refer(personas["alice"], people["kayleigh"], narrative="Kayleigh was seen with Taz outside Tasty Chicken.")
    edges = network_for(personas["erin"]).edges
    child, person = f"child:{people['kayleigh'].pk}", f"person_of_concern:{taz.pk}"
    (named,) = [e for e in edges if e.kind == graph.RESOLUTION and {e.source, e.target} == {child, person}]
    assert named.confirmed is False
    # The takeaway the same record names is linked to him too, unconfirmed.
    co_mentioned = [e for e in edges if e.source == person and e.target.startswith("location:")]
    assert co_mentioned and not any(e.confirmed for e in co_mentioned)


class _Sees:
    """A stand-in for the access policy: sees these person ids."""

    def __init__(self, ids):
        self.ids = set(ids)

    def of(self, ids):
        return set(ids) & self.ids


def test_reading_with_every_name_then_the_readers_rule_matches_a_gazetteer_of_only_their_names():
    import random

    from wrekin.intelligence.extraction import GazetteerTerm

    people = [("Mo", 1), ("Mo Jones", 2), ("Jones", 3), ("Taz", 4), ("Taz", 5), ("Taz Man", 6), ("Big Man", 7),
              ("Man", 8), ("J-Dog", 9), ("Kwik", 10)]
    places = [("Kwik Kebab", "location", 100), ("Man City Taxis", "business", 101), ("Taz Man", "location", 102),
              ("Jones", "location", 103)]
    terms = [GazetteerTerm(text, "person", text, (pk,), "nickname") for text, pk in people]
    terms += [GazetteerTerm(text, type_, text, (pk,), "premises") for text, type_, pk in places]
    words = ["Mo", "Jones", "Taz", "Man", "Big", "City", "Taxis", "J", "Dog", "Kwik", "Kebab", "at", "with", "-", "."]
    rng = random.Random(4)
    for _ in range(2000):
        sees = set(rng.sample(range(1, 11), rng.randint(0, 10)))
        text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 12))).replace(" - ", "-")
        # A pattern of all the names, some of them kept for a later fold ("recent"): as the process keeps them.
        first = {"people": {t.ids[0]: (t,) for t in terms[:7]}, "other_names": {}, "places": (), "marks": (),
                 "people_read_at": 0, "places_read_at": 0}
        known = gazetteers._compiled(None, **first)
        known = gazetteers._compiled(known, **{**first, "people": {t.ids[0]: (t,) for t in terms[:10]},
                                               "places": tuple(terms[10:])})
        assert known.recent is not None
        reader = gazetteers.UserGazetteer(None, known)
        reader._visible = _Sees(sees)
        own = Gazetteer([t for t in terms if t.type != "person" or t.ids[0] in sees])
        expected = [(e.type, e.span, e.normalised, e.detail) for e in extract(text, own)]
        assert [(e.type, e.span, e.normalised, e.detail) for e in extract(text, reader)] == expected, (text, sees)
