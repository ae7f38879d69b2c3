"""Extraction from narratives: each recogniser, the distractors it must ignore, overlaps, the gazetteer and scores."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import make_person
from wrekin.intelligence.corpus import evaluate, generate_corpus
from wrekin.intelligence.extraction import Extracted, Gazetteer, GazetteerTerm, extract
from wrekin.intelligence.models import Entity, EntityType
from wrekin.people.models import PersonKind, PersonName

TODAY = date(2026, 5, 1)

KAYLEIGH = ("Kayleigh was seen getting into a silver Vauxhall Corsa, reg AB12 CDE, outside the takeaway on High "
            "Street, TF1 2AB. She later said her friend 'Danny' (07700 900123) had given her a new phone. She is on "
            "Snapchat as kayz_01.")


def found(text: str, gazetteer: Gazetteer | None = None) -> list[tuple[str, str, str]]:
    return [(e.type, e.value, e.normalised) for e in extract(text, gazetteer, today=TODAY)]


def test_the_example_narrative():
    gazetteer = Gazetteer.from_terms(people=["Danny"])
    items = extract(KAYLEIGH, gazetteer, today=TODAY)
    assert [(e.type, e.value, e.normalised) for e in items] == [
        ("vehicle", "AB12 CDE", "AB12CDE"),
        ("postcode", "TF1 2AB", "TF1 2AB"),
        ("person", "Danny", "Danny"),
        ("phone", "07700 900123", "+447700900123"),
        ("handle", "kayz_01", "kayz_01"),
    ]
    for item in items:  # spans point at exactly the text suggested
        assert KAYLEIGH[item.span[0]:item.span[1]] == item.value
    assert items[0].detail["format"] == "current"
    assert items[3].detail == {"valid": False}  # Ofcom drama range: possible, not valid
    assert items[4].detail["platform"] == "snapchat"
    assert items[0].as_dict() == {"type": "vehicle", "value": "AB12 CDE", "normalised": "AB12CDE",
                                  "span": [60, 68]}


# --- registration marks ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text,value,normalised", [
    ("seen in ab12cde last night", "ab12cde", "AB12CDE"),
    ("car AB12-CDE outside", "AB12-CDE", "AB12CDE"),
    ("the reg was ab 12 cde", "ab 12 cde", "AB12CDE"),
    ("a silver Audi AB 12 CDE outside", "AB 12 CDE", "AB12CDE"),
    ("driving A123 BCD on Monday", "A123 BCD", "A123BCD"),
    ("reg a123 bcd", "a123 bcd", "A123BCD"),
    ("an old Mini ABC 123A was there", "ABC 123A", "ABC123A"),
    ("private plate 1 ABC", "1 ABC", "1ABC"),
    ("registration number: ABC 123", "ABC 123", "ABC123"),
    ("a black BMW, ABC 123, parked up", "ABC 123", "ABC123"),
    ("a van from Belfast, ABZ 1234, was seen", "ABZ 1234", "ABZ1234"),
    ("plate AB12 ? seen", "AB12 ?", "AB12*"),
    ("only saw AB12 C?? on the back", "AB12 C??", "AB12C??"),
    ("the plate starts AB12", "starts AB12", "AB12*"),
    ("the reg begins with AB12 I think", "begins with AB12", "AB12*"),
    ("partial AB12 given by the witness", "partial AB12", "AB12*"),
    ("the plate ended in CDE", "ended in CDE", "*CDE"),
])
def test_vehicle_marks_in_text(text, value, normalised):
    assert found(text) == [("vehicle", value, normalised)]


@pytest.mark.parametrize("text", [
    "She came home at 10:30 and again at 10 30.",
    "Seen on 12/03/2025 and 12.03.2025 and 12 Mar 2025.",
    "She had £20 and then £150 in cash.",
    "She is in Y10 and her brother is in Year 9 and Yr 8.",
    "She caught the X5 bus and the number 10 bus near the 4A stop.",
    "Found walking along the A442 towards the M54 and the B4380 in a car.",
    "Home visit to flat 3B, 27B Oak Road; the car was not there.",
    "PC 1234 and DS 567 attended in a marked car.",
    "Crime reference 22/123456/25 and log 0412 of 12/03/2025.",
    "Attendance 78% this term; set 2A for maths; 6A in the mock exam.",
    "CAMHS appointment at 2 PM; RHI within 72 hours; GCSE options in March.",
    "The Audi A3 and the BMW X5 were both seen.",
    "at 10 the car left",  # spaced lower-case shape of a current mark, but prose
    "Is it TF1? She said the car was silver.",
    "The family live in TF1 and have a car.",
])
def test_distractors_are_not_vehicles(text):
    assert [item for item in found(text) if item[0] == "vehicle"] == []


def test_dateless_shape_needs_vehicle_context():
    assert found("She said ABC 123 was her locker code.") == []
    assert found("She was in a car, ABC 123.") == [("vehicle", "ABC 123", "ABC123")]


def test_impossible_current_mark_is_not_suggested():
    assert found("a silver Corsa AB99 CDE") == []  # 99 is not issued yet


def test_postcode_is_not_a_plate_and_a_plate_is_not_a_postcode():
    assert found("car seen at TF1 2AB") == [("postcode", "TF1 2AB", "TF1 2AB")]
    assert found("car seen, AB12 CDE") == [("vehicle", "AB12 CDE", "AB12CDE")]
    assert found("reg tf12ab") == [("postcode", "tf12ab", "TF1 2AB")]


def test_near_miss_marks_are_different_suggestions():
    items = found("AB12 CDE was seen, then later AB12 CDF.")
    assert items == [("vehicle", "AB12 CDE", "AB12CDE"), ("vehicle", "AB12 CDF", "AB12CDF")]


# --- phones, postcodes, e-mail, handles ----------------------------------------------------------------------------

@pytest.mark.parametrize("written", ["07700 900123", "07700900123", "07700-900-123", "+44 7700 900123",
                                     "+447700900123", "0044 7700 900 123", "+44 (0)7700 900123", "07700 900 123"])
def test_phones_in_many_formats_become_one_number(written):
    assert found(f"She rang {written} twice.") == [("phone", written, "+447700900123")]


@pytest.mark.parametrize("written,e164", [("01952 123456", "+441952123456"), ("(01952) 123456", "+441952123456"),
                                          ("0121 496 0000", "+441214960000"), ("+44 121 496 0000", "+441214960000")])
def test_landlines(written, e164):
    assert found(f"Called {written} from school.") == [("phone", written, e164)]


def test_phone_in_brackets_keeps_the_bracket_out():
    assert found("her friend (07700 900123) gave it") == [("phone", "07700 900123", "+447700900123")]


@pytest.mark.parametrize("text", ["NHS number 943 476 5919", "Childline 0800 1111", "ref 22/123456/25",
                                  "12/03/2025 at 10:30", "UPN A123456789012"])
def test_numbers_that_are_not_phones(text):
    assert [item for item in found(text) if item[0] == "phone"] == []


@pytest.mark.parametrize("written", ["TF1 2AB", "tf1 2ab", "TF12AB", "TF1  2AB"])
def test_postcodes_with_missing_or_extra_spaces(written):
    assert found(f"Found near {written} at night.") == [("postcode", written, "TF1 2AB")]


def test_email_is_not_also_a_handle():
    assert found("E-mail Kay.S@Example.com please") == [("email", "Kay.S@Example.com", "kay.s@example.com")]


@pytest.mark.parametrize("text,value,normalised,platform", [
    ("She is on Snapchat as kayz_01.", "kayz_01", "kayz_01", "snapchat"),
    ("snap: Kayz", "Kayz", "kayz", "snapchat"),
    ("insta kayz.01 and nothing else", "kayz.01", "kayz.01", "instagram"),
    ("She added @Kayz_01 on TikTok", "@Kayz_01", "kayz_01", "tiktok"),
    ("Her Instagram username is 'princess'", "princess", "princess", "instagram"),
    ("on Snap (snap: kayz)", "kayz", "kayz", "snapchat"),
    ("Profile: instagram.com/kayz.01", "instagram.com/kayz.01", "kayz.01", "instagram"),
    ("Twitter handle jj_2010", "jj_2010", "jj_2010", "x"),
    ("messages from @deano_x", "@deano_x", "deano_x", ""),
])
def test_handles_in_several_phrasings(text, value, normalised, platform):
    items = extract(text, today=TODAY)
    assert [(e.type, e.value, e.normalised, e.detail["platform"]) for e in items] == [
        ("handle", value, normalised, platform)]


@pytest.mark.parametrize("text", ["She is on Snapchat as well.", "Her Snapchat is private.",
                                  "She has Snapchat and Instagram.", "She sent Snapchat messages.",
                                  "on snap a lot", "WhatsApp 07700 900123"])
def test_ordinary_mentions_of_platforms_are_not_handles(text):
    assert [item for item in found(text) if item[0] == "handle"] == []


# --- gazetteer and overlaps ----------------------------------------------------------------------------------------

def test_gazetteer_matches_whole_words_ignoring_case_longest_first():
    gazetteer = Gazetteer.from_terms(people=["Mohammed Khan", "Mo", "J-Dog"], places=["Tasty Chicken"],
                                     businesses=["Ace Taxis"])
    text = "MO and mohammed khan met J Dog at tasty chicken; Ace Taxis took her. Mobile and Moses are not Mo's."
    assert found(text, gazetteer) == [
        ("person", "MO", "Mo"), ("person", "mohammed khan", "Mohammed Khan"), ("person", "J Dog", "J-Dog"),
        ("location", "tasty chicken", "Tasty Chicken"), ("business", "Ace Taxis", "Ace Taxis"),
        ("person", "Mo", "Mo"),
    ]


def test_gazetteer_names_inside_handles_and_addresses_are_not_names():
    gazetteer = Gazetteer.from_terms(people=["Deano"])
    assert found("on snap as deano.xo and deano@example.com", gazetteer) == [
        ("handle", "deano.xo", "deano.xo"), ("email", "deano@example.com", "deano@example.com")]


def test_gazetteer_shared_names_list_every_person():
    gazetteer = Gazetteer([GazetteerTerm("Danny", "person", "Danny", (1,)), GazetteerTerm("danny", "person", "", (2,))])
    (item,) = extract("Danny was there", gazetteer, today=TODAY)
    assert item.detail["ids"] == [1, 2]


def test_longest_match_wins_overlaps():
    gazetteer = Gazetteer.from_terms(people=["Kayz"], places=["High Street Chicken"])
    # A handle containing a known name, and a place whose name contains another.
    assert found("snap: kayz_01 at High Street Chicken", gazetteer) == [
        ("handle", "kayz_01", "kayz_01"), ("location", "High Street Chicken", "High Street Chicken")]


def test_same_length_overlap_prefers_the_more_specific_type():
    gazetteer = Gazetteer.from_terms(people=["Shay"])
    assert found("Snapchat ID: shay", gazetteer) == [("handle", "shay", "shay")]


def test_no_overlaps_and_in_order():
    text = KAYLEIGH * 3
    items = extract(text, Gazetteer.from_terms(people=["Danny", "Kayleigh"]), today=TODAY)
    assert all(a.span[1] <= b.span[0] for a, b in zip(items, items[1:], strict=False))


def test_deterministic_and_empty_text():
    assert extract(KAYLEIGH, today=TODAY) == extract(KAYLEIGH, today=TODAY)
    assert extract("", today=TODAY) == []
    assert isinstance(extract(KAYLEIGH, today=TODAY)[0], Extracted)


@pytest.mark.django_db
def test_gazetteer_for_partnership_reads_persons_of_concern_and_places(agencies, people):
    poc = people["poc"]  # Mohammed Khan, nickname "Mo", recorded by police
    PersonName.objects.create(person=poc, kind="alias", given_name="Imran", family_name="Ali",
                              recorded_by_agency=agencies["police"])
    make_person(agencies["elsewhere"], given="Tariq", family="Hussain", kind=PersonKind.PERSON_OF_CONCERN)
    Entity.objects.create(partnership=agencies["police"].partnership, type=EntityType.LOCATION, key="tasty-chicken",
                          display="Tasty Chicken, TF1 2AB", premises_name="Tasty Chicken")
    Entity.objects.create(partnership=agencies["police"].partnership, type=EntityType.BUSINESS, key="ace-taxis",
                          display="Ace Taxis")
    gazetteer = Gazetteer.for_partnership(agencies["police"].partnership_id)
    text = ("Mohammed Khan (Mo, also Imran Ali) met Kayleigh Smith and Danny at Tasty Chicken; Ace Taxis; "
            "Tariq Hussain.")
    items = extract(text, gazetteer, today=TODAY)
    assert [(e.type, e.value) for e in items] == [
        ("person", "Mohammed Khan"), ("person", "Mo"), ("person", "Imran Ali"), ("location", "Tasty Chicken"),
        ("business", "Ace Taxis")]
    # Children (Kayleigh, Danny the school's pupil) are not in it; nor another partnership's person of concern.
    assert {tuple(e.detail["ids"]) for e in items if e.type == "person"} == {(poc.pk,)}


@pytest.mark.django_db
def test_gazetteer_can_be_narrowed_to_the_people_a_user_may_see(agencies, people):
    from wrekin.people.models import Person

    gazetteer = Gazetteer.for_partnership(agencies["police"].partnership_id, people=Person.objects.none())
    assert [e.type for e in extract("Mohammed Khan", gazetteer, today=TODAY)] == []


# --- precision and recall ----------------------------------------------------------------------------------------

def test_precision_and_recall_on_a_small_synthetic_corpus():
    corpus = generate_corpus(200, seed=11)
    evaluation = evaluate(corpus)
    for type_, score in evaluation.scores.items():
        assert score.true_positives + score.false_negatives > 0, f"the corpus has no {type_}"
        assert score.precision >= 0.95, (type_, score, evaluation.false_alarms[:5])
        assert score.recall >= 0.95, (type_, score, evaluation.misses[:5])


def test_precision_and_recall_on_phrasing_the_recognisers_were_not_tuned_on():
    evaluation = evaluate(generate_corpus(200, seed=12, held_out_phrasing=True))
    for type_, score in evaluation.scores.items():
        assert score.precision >= 0.95 and score.recall >= 0.95, (type_, score)


def test_corpus_is_deterministic_and_its_spans_are_exact():
    first, second = generate_corpus(30, seed=5), generate_corpus(30, seed=5)
    assert [n.text for n in first.narratives] == [n.text for n in second.narratives]
    assert [n.text for n in generate_corpus(30, seed=6).narratives] != [n.text for n in first.narratives]
    for narrative in first.narratives:
        for entity in narrative.entities:
            assert narrative.text[entity.span[0]:entity.span[1]] == entity.value
