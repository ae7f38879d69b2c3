"""The link check: every match rule, the near misses that must not link, and when an alert is raised.

Children: kayleigh (known to police and CSC), daniel (school), jayden (health). alice is police,
bob school, charlie health, erin CSC (coordinator).
"""

from __future__ import annotations

import pytest

from tests.intelligence.linkworld import TODAY
from wrekin.audit.models import AuditEvent
from wrekin.intelligence.linking import parse_age, person_link_reason
from wrekin.intelligence.models import LinkAlert, LinkAlertStatus, LinkBasis


def only_alert() -> LinkAlert:
    [alert] = LinkAlert.objects.all()
    return alert


# --- exact after normalisation ------------------------------------------------------------------

def test_the_same_car_typed_differently_by_two_agencies_raises_one_alert(save, people):
    save("bob", people["daniel"], [("vehicle", "ab12cde")])
    assert not LinkAlert.objects.exists()
    save("alice", people["kayleigh"], [("vehicle", "AB12 CDE")], days=3)
    alert = only_alert()
    assert alert.anchor_entity.key == "AB12CDE"
    assert (alert.record_count, alert.child_count, alert.agency_count) == (2, 2, 2)
    assert alert.basis == LinkBasis.EXACT
    assert alert.status == LinkAlertStatus.NEW
    assert alert.explanation == ("vehicle AB12 CDE is mentioned in 2 records about 2 children from 2 agencies "
                                 "in 3 days.")
    reasons = set(alert.alert_mentions.values_list("reason", flat=True))
    assert "recorded as “ab12cde”, which is AB12 CDE after normalisation" in reasons
    assert AuditEvent.objects.filter(event_type="link_alert.raised", object_id=str(alert.pk)).count() == 1


def test_a_near_miss_plate_does_not_link(save, people):
    save("bob", people["daniel"], [("vehicle", "AB12 CDE")])
    save("alice", people["kayleigh"], [("vehicle", "AB12 CDF")])
    assert not LinkAlert.objects.exists()


def test_phones_link_after_e164_and_different_numbers_do_not(save, people):
    save("bob", people["daniel"], [("phone", "07700 900123")])
    save("alice", people["kayleigh"], [("phone", "07700 900124")])
    assert not LinkAlert.objects.exists()
    save("charlie", people["jayden"], [("phone", "+447700900123")])
    alert = only_alert()
    assert alert.anchor_entity.key == "+447700900123"
    assert alert.explanation.startswith("phone +447700900123 is mentioned in 2 records about 2 children")


def test_postcodes_and_premises_link_exactly(save, people):
    save("bob", people["daniel"], [{"type": "location", "value": "Kebab King", "postcode": "tf1 2ab"}])
    save("alice", people["kayleigh"], [{"type": "place", "value": "kebab king", "postcode": "TF12AB"}])
    assert only_alert().anchor_entity.display == "Kebab King, TF1 2AB"


def test_records_about_one_child_from_one_agency_raise_nothing(save, people):
    save("bob", people["daniel"], [("vehicle", "AB12 CDE")])
    save("bob", people["daniel"], [("vehicle", "AB12CDE")], days=1)
    assert not LinkAlert.objects.exists()


def test_a_second_agency_about_the_same_child_raises_an_alert(save, people):
    save("alice", people["kayleigh"], [("vehicle", "AB12 CDE")])
    save("erin", people["kayleigh"], [("vehicle", "AB12 CDE")], days=1)
    alert = only_alert()
    assert (alert.child_count, alert.agency_count) == (1, 2)
    assert "about 1 child from 2 agencies on" not in alert.explanation  # "in 1 day", not "on the same day"
    assert alert.explanation.endswith("about 1 child from 2 agencies in 1 day.")


def test_one_agency_naming_the_entity_about_a_second_child_raises_an_alert(save, people):
    save("alice", people["kayleigh"], [("vehicle", "AB12 CDE")])
    save("alice", people["daniel"], [("vehicle", "AB12 CDE")])
    alert = only_alert()
    assert (alert.child_count, alert.agency_count) == (2, 1)
    assert "on the same day" in alert.explanation


def test_one_record_about_two_children_is_not_a_link_by_itself(save, people):
    source = ("tests.report", 1)
    save("frank", people["kayleigh"], [("vehicle", "AB12 CDE")], source=source)
    save("frank", people["daniel"], [("vehicle", "AB12 CDE")], source=source)
    assert not LinkAlert.objects.exists()


# --- partial marks ----------------------------------------------------------------------------

def test_a_partial_mark_links_to_the_full_mark_it_fits(save, people):
    save("alice", people["kayleigh"], [("vehicle", "AB12 CDE")])
    save("bob", people["daniel"], [("vehicle", "AB12 ?")])
    alert = only_alert()
    assert alert.anchor_entity.key == "AB12CDE"
    assert alert.basis == LinkBasis.PARTIAL
    assert "partial mark starts AB12 fits AB12 CDE" in set(alert.alert_mentions.values_list("reason", flat=True))
    assert "This includes the partial mark starts AB12, which fits it." in alert.explanation


def test_a_full_mark_saved_later_finds_the_partial(save, people):
    save("bob", people["daniel"], [("vehicle", "starts AB12")])
    save("alice", people["kayleigh"], [("vehicle", "ab12 cde")])
    assert only_alert().basis == LinkBasis.PARTIAL


@pytest.mark.parametrize("partial", ["AB12 C??", "ends CDE", "AB12 ?", "AB1? CDE"])
def test_partial_shapes_that_fit(save, people, partial):
    save("alice", people["kayleigh"], [("vehicle", "AB12 CDE")])
    save("bob", people["daniel"], [("vehicle", partial)])
    assert only_alert().anchor_entity.key == "AB12CDE"


@pytest.mark.parametrize("partial", ["AB13 ?", "AB12 D??", "ends CDF", "starts XY"])
def test_partial_shapes_that_do_not_fit(save, people, partial):
    save("alice", people["kayleigh"], [("vehicle", "AB12 CDE")])
    save("bob", people["daniel"], [("vehicle", partial)])
    assert not LinkAlert.objects.exists()


def test_a_partial_mark_fitting_two_cars_joins_both_but_the_cars_stay_apart(save, people):
    save("alice", people["kayleigh"], [("vehicle", "AB12 CDE")])
    save("charlie", people["jayden"], [("vehicle", "AB12 CDF")])
    assert not LinkAlert.objects.exists()
    save("bob", people["daniel"], [("vehicle", "AB12 C??")])
    assert sorted(LinkAlert.objects.values_list("anchor_entity__key", flat=True)) == ["AB12CDE", "AB12CDF"]
    for alert in LinkAlert.objects.all():
        assert alert.record_count == 2


def test_the_same_partial_twice_links_but_two_different_partials_do_not(save, people):
    save("alice", people["kayleigh"], [("vehicle", "AB12 ?")])
    save("bob", people["daniel"], [("vehicle", "AB12 C??")])
    assert not LinkAlert.objects.exists()
    save("charlie", people["jayden"], [("vehicle", "starts ab12")])
    alert = only_alert()
    assert alert.anchor_entity.key == "AB12*"
    assert alert.explanation.startswith("partial vehicle mark starts AB12 is mentioned in 2 records")


# --- online handles ---------------------------------------------------------------------------

def test_a_handle_without_a_platform_links_to_it_on_any_platform(save, people):
    save("alice", people["kayleigh"], [{"type": "online", "value": "@BigMo99", "platform": "snapchat"}])
    save("bob", people["daniel"], [{"type": "online", "value": "@bigmo99", "platform": "instagram"}])
    assert not LinkAlert.objects.exists()
    save("charlie", people["jayden"], [("online", "bigmo99")])
    assert sorted(LinkAlert.objects.values_list("anchor_entity__key", flat=True)) == [
        "instagram:bigmo99", "snapchat:bigmo99"]


# --- person mentions --------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "age"), [("about 24", 24), ("24yo", 24), ("aged 17", 17), ("mid 20s", 25),
                                           ("late 30s", 38), ("in his 40s", 45), ("drives a taxi", None)])
def test_ages_are_read_from_how_they_are_written(text, age):
    assert parse_age(text) == age


def person(name, age=None, nickname=""):
    return {"type": "person", "value": name, "approximate_age": age, "nickname": nickname}


def test_a_nickname_with_compatible_ages_links(save, people):
    save("alice", people["kayleigh"], [person("Mo", 24)])
    save("bob", people["daniel"], [person("Mohammed", 25)], days=7)
    alert = only_alert()
    assert alert.basis == LinkBasis.PERSON
    assert alert.explanation.startswith("a person named “Mo” and “Mohammed” is mentioned in 2 records")
    assert any("“Mohammed” is a form of “Mo”" in r or "“Mo” is a form of “Mohammed”" in r
               for r in alert.alert_mentions.values_list("reason", flat=True))


def test_incompatible_ages_do_not_link(save, people):
    save("alice", people["kayleigh"], [person("Mo", 24)])
    save("bob", people["daniel"], [person("Mohammed", 50)])
    assert not LinkAlert.objects.exists()


def test_a_first_name_alone_without_ages_does_not_link(save, people):
    save("alice", people["kayleigh"], [person("Jay")])
    save("bob", people["daniel"], [person("Jay", 19)])
    assert not LinkAlert.objects.exists()


def test_full_names_link_through_spelling_and_phonetics_without_ages(save, people):
    save("alice", people["kayleigh"], [person("Mohamed Khan")])
    save("bob", people["daniel"], [person("Muhammad Kahn")])
    assert only_alert().basis == LinkBasis.PERSON


def test_different_family_names_do_not_link(save, people):
    save("alice", people["kayleigh"], [person("Jay Smith", 20)])
    save("bob", people["daniel"], [person("Jay Brown", 20)])
    assert not LinkAlert.objects.exists()


def test_unrelated_first_names_do_not_link(save, people):
    save("alice", people["kayleigh"], [person("Daniel", 20)])
    save("bob", people["daniel"], [person("Nathan", 20)])
    assert not LinkAlert.objects.exists()


def test_ages_are_aged_from_when_they_were_recorded(save, people):
    # 19 recorded four years ago is about 23 now: 25 fits, although 19 and 25 are six years apart.
    save("alice", people["kayleigh"], [person("Mo", 19)], days=-4 * 365 - 30)
    save("bob", people["daniel"], [person("Mo", 25)])
    assert only_alert()


def test_a_nickname_given_beside_the_name_is_compared_too(save, people):
    save("alice", people["kayleigh"], [person("Mo", 30)])
    save("bob", people["daniel"], [person("Big M", 31, nickname="Moe")])
    assert only_alert()


def test_person_link_reason_never_links_two_confirmed_different_people(save, people, make_poc):
    [a] = save("alice", people["kayleigh"], [person("Mo", 24)])
    [b] = save("bob", people["daniel"], [person("Mo", 24)])
    a.resolved_person, a.resolution_status = people["poc"], "confirmed"
    b.resolved_person, b.resolution_status = make_poc(), "confirmed"
    assert person_link_reason(b, a, today=TODAY) == ""
    b.resolved_person = people["poc"]
    assert person_link_reason(b, a, today=TODAY) == "both confirmed as the same person of concern"


@pytest.fixture
def make_poc(agencies):
    from tests.conftest import make_person

    def _make():
        return make_person(agencies["police"], given="Mo", family="Farah", kind="person_of_concern")

    return _make


# --- unconfirmed mentions ---------------------------------------------------------------------

def test_machine_found_mentions_raise_alerts_marked_unconfirmed(save, people):
    save("bob", people["daniel"], narrative="Daniel was seen getting into a car, reg AB12 CDE, after school.")
    save("alice", people["kayleigh"], [("vehicle", "ab12cde")], days=2)
    alert = only_alert()
    assert alert.unconfirmed_count == 1 and alert.is_unconfirmed
    assert alert.explanation.endswith("1 mention was found by the machine and not yet confirmed.")


def test_counts_kept_up_as_records_arrive_equal_a_full_recount(save, people):
    from wrekin.intelligence.linking import link_counts
    from wrekin.intelligence.models import LinkAlertMention, Mention

    report = ("tests.report", 77)
    steps = [("bob", "daniel", {}), ("alice", "kayleigh", {"days": 2}), ("alice", "kayleigh", {"days": 3}),
             ("frank", "jayden", {"days": 4, "source": report}), ("frank", "daniel", {"days": 4, "source": report}),
             ("charlie", "jayden", {"days": 9}), ("bob", "daniel", {"days": 12})]
    for username, child, kwargs in steps:
        save(username, people[child], [("vehicle", "AB12 CDE")], **kwargs)
        alert = LinkAlert.objects.filter(anchor_entity__key="AB12CDE").first()
        if alert is None:
            continue
        recount = link_counts(Mention.objects.filter(
            pk__in=LinkAlertMention.objects.filter(alert=alert).values("mention_id")))
        assert (alert.mention_count, alert.record_count, alert.child_count, alert.agency_count,
                alert.unconfirmed_count) == (recount.mentions, recount.records, recount.children, recount.agencies,
                                             recount.unconfirmed), (username, child)
        assert (alert.first_mentioned_at, alert.last_mentioned_at) == (recount.first, recount.last)
    assert (alert.record_count, alert.child_count, alert.agency_count) == (6, 3, 3)  # frank is police too
