"""Entities: what each typed mention is keyed on, and record_mentions storing structured and extracted mentions."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from tests.intelligence.linkworld import TODAY
from wrekin.audit.models import AuditEvent
from wrekin.intelligence.entities import identify, resolve_entity
from wrekin.intelligence.models import Entity, Mention, MentionOrigin, MentionStatus, ResolutionStatus


@pytest.mark.parametrize(("typed", "key", "display", "mark_format"), [
    ("ab12cde", "AB12CDE", "AB12 CDE", "current"),
    ("AB12 CDE", "AB12CDE", "AB12 CDE", "current"),
    (" ab12-cde ", "AB12CDE", "AB12 CDE", "current"),
    ("A123 BCD", "A123BCD", "A123 BCD", "prefix"),
    ("abc 123d", "ABC123D", "ABC 123D", "suffix"),
    ("ABC 123", "ABC123", "ABC 123", "dateless"),
    ("1 abc", "1ABC", "1 ABC", "dateless"),
    ("ABZ 1234", "ABZ1234", "ABZ 1234", "northern_ireland"),
])
def test_vehicle_marks_are_keyed_in_one_form(typed, key, display, mark_format):
    identity = identify("vehicle", typed, today=TODAY)
    assert (identity.key, identity.display, identity.fields["mark_format"]) == (key, display, mark_format)
    assert identity.fields["reversed_key"] == key[::-1]
    assert not identity.is_partial


@pytest.mark.parametrize(("typed", "key", "prefix", "suffix"), [
    ("AB12 ?", "AB12*", "AB12", ""),
    ("starts AB12", "AB12*", "AB12", ""),
    ("AB12 C??", "AB12C??", "AB12C", ""),
    ("ends CDE", "*CDE", "", "CDE"),
])
def test_partial_marks_are_kept_with_their_pattern(typed, key, prefix, suffix):
    identity = identify("vehicle", typed, today=TODAY)
    assert identity.is_partial
    assert (identity.key, identity.fields["partial_prefix"], identity.fields["partial_suffix"]) == (key, prefix, suffix)
    assert identity.fields["mark_format"] == "partial"


def test_text_that_is_no_mark_is_kept_but_links_only_to_itself():
    identity = identify("vehicle", "silver Audi, plate not seen", today=TODAY)
    assert identity.key == "~SILVERAUDIPLATENOTSEEN"
    assert identity.fields["mark_format"] == "unrecognised"
    with pytest.raises(ValidationError):
        identify("vehicle", "?? --", today=TODAY)


@pytest.mark.parametrize("typed", ["07700 900123", "+447700900123", "+44 (0)7700 900123", "07700-900-123"])
def test_phones_are_e164_uk_by_default(typed):
    assert identify("phone", typed).key == "+447700900123"


def test_a_different_phone_is_a_different_key_and_partial_numbers_are_kept():
    assert identify("phone", "07700 900124").key == "+447700900124"
    assert identify("phone", "ends 123").key == "~123"
    with pytest.raises(ValidationError):
        identify("phone", "unknown")


def test_locations_are_keyed_by_premises_address_or_postcode():
    assert identify("place", "tf12ab").key == "postcode:TF1 2AB"
    premises = identify("location", "Kebab King", postcode="tf1 2ab", premises_type="takeaway")
    assert premises.key == "premises:kebab king|TF1 2AB"
    assert premises.display == "Kebab King, TF1 2AB"
    assert premises.fields["premises_type"] == "takeaway"
    assert identify("location", "", address="12 High Street", postcode="TF1 2AB").key == \
        "address:12 high street|TF1 2AB"
    assert identify("location", "Wrekin Park").key == "premises:wrekin park|"
    one_box = identify("place", "Kebab King, tf1 2ab")
    assert (one_box.key, one_box.display) == ("premises:kebab king|TF1 2AB", "Kebab King, TF1 2AB")
    assert identify("location", "x", premises_type="castle").fields["premises_type"] == ""


def test_businesses_and_handles():
    taxi = identify("business", "A1 Cars", business_kind="taxi_operator", licence_number="phv 123")
    assert (taxi.key, taxi.fields["licence_number"]) == ("taxi_operator:a1 cars", "PHV 123")
    snap = identify("online", "@BigMo99", platform="Snap")
    assert (snap.key, snap.display) == ("snapchat:bigmo99", "@bigmo99 (Snapchat)")
    assert identify("online", "@BigMo99").key == ":bigmo99"
    email = identify("online", "Mo.Khan@Example.com")
    assert (email.key, email.fields["platform"]) == ("email:mo.khan@example.com", "email")


def test_person_names_are_keyed_without_case_or_accents():
    identity = identify("person", "  Zoë O'Brien ")
    assert identity.key == "zoe obrien"
    assert identity.fields["name"] == "Zoë O'Brien"
    assert identity.fields["name_key"]


def test_unknown_types_are_refused():
    with pytest.raises(ValidationError):
        identify("spaceship", "x")


def test_one_entity_per_key_and_blank_details_fill_in(partnership, personas):
    first = resolve_entity(partnership=partnership, identity=identify("vehicle", "ab12cde", today=TODAY))
    again = resolve_entity(partnership=partnership,
                           identity=identify("vehicle", "AB12 CDE", today=TODAY, make="Audi", colour="Silver"))
    assert first.pk == again.pk
    again.refresh_from_db()
    assert (again.make, again.colour) == ("Audi", "silver")
    later = resolve_entity(partnership=partnership, identity=identify("vehicle", "AB12CDE", today=TODAY, make="BMW"))
    assert later.make == "Audi"  # the first description stands; a different one is in the mention
    assert Entity.objects.count() == 1


def test_record_mentions_stores_structured_as_confirmed_and_extracted_as_unconfirmed(save, people):
    mentions = save("bob", people["daniel"], [
        {"type": "vehicle", "value": "ab12cde", "relationship": "child was picked up in", "make": "Audi"},
    ], narrative="Seen getting into AB12 CDE again; he texted 07700 900123 and met someone at TF1 2AB.")
    by_type = {m.entity.type: m for m in mentions}
    assert set(by_type) == {"vehicle", "phone", "location"}
    vehicle = by_type["vehicle"]
    assert (vehicle.status, vehicle.origin, vehicle.as_typed) == (
        MentionStatus.CONFIRMED, MentionOrigin.STRUCTURED, "ab12cde")
    assert vehicle.relationship == "child was picked up in"
    phone = by_type["phone"]
    assert (phone.status, phone.origin, phone.entity.key) == (
        MentionStatus.UNCONFIRMED, MentionOrigin.EXTRACTED, "+447700900123")
    narrative = "Seen getting into AB12 CDE again; he texted 07700 900123 and met someone at TF1 2AB."
    assert narrative[phone.span_start:phone.span_end] == "07700 900123"
    assert by_type["location"].entity.key == "postcode:TF1 2AB"
    assert all(m.child == people["daniel"] and m.recorded_by_agency.code == "TEST-SCHOOL" for m in mentions)
    event = AuditEvent.objects.get(event_type="intelligence.mentions_recorded")
    assert event.details["mentions"] == 3 and event.details["unconfirmed"] == 2
    assert "AB12" not in str(event.details)


def test_extracted_mentions_can_be_recorded_as_confirmed(save, people):
    mentions = save("bob", people["daniel"], narrative="Car AB12 CDE outside school.", extracted_unconfirmed=False)
    assert [m.status for m in mentions] == [MentionStatus.CONFIRMED]


def test_a_bad_structured_mention_records_nothing(save, people):
    with pytest.raises(ValidationError) as error:
        save("bob", people["daniel"], [("vehicle", "AB12 CDE"), ("phone", "no number given")])
    assert "Mention 2" in error.value.message_dict["mentions"][0]
    assert not Mention.objects.exists()


def test_person_mentions_keep_age_and_get_a_suggested_person_of_concern(save, people):
    # Spelt another way: the name search suggests who it may be, and a person decides.
    [mention] = save("alice", people["kayleigh"], [
        {"type": "person", "value": "Mohamed Khan", "detail": "about 24, drives a silver car"}])
    assert mention.approximate_age == 24
    assert mention.resolved_person == people["poc"]
    assert mention.resolution_status == ResolutionStatus.SUGGESTED


def test_a_typed_name_on_a_persons_record_names_them_unless_the_age_does_not_fit(save, people):
    # Exactly a name on his record (his nickname), with an age that fits: named as him, not yet confirmed.
    [mention] = save("alice", people["kayleigh"], [{"type": "person", "value": "mo", "detail": "about 25"}])
    assert (mention.resolved_person, mention.resolution_status) == (people["poc"], ResolutionStatus.NAMED)
    # The same nickname twenty years older is somebody else until a person says otherwise.
    [older] = save("alice", people["kayleigh"], [{"type": "person", "value": "Mo", "approximate_age": 45}])
    assert older.resolution_status != ResolutionStatus.NAMED
    # Bob may not see Mohammed Khan: his "Mo" is only a name.
    [bobs] = save("bob", people["daniel"], [{"type": "person", "value": "Mo", "approximate_age": 24}])
    assert bobs.resolution_status != ResolutionStatus.NAMED


def test_partnerships_never_share_entities(save, people):
    [ours] = save("alice", people["kayleigh"], [("vehicle", "AB12 CDE")])
    [theirs] = save("oscar", people["elsewhere"], [("vehicle", "AB12 CDE")])
    assert ours.entity_id != theirs.entity_id
