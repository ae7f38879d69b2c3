"""Link alerts: one per link, updated not repeated, re-opened by new records; triage; reviews; work list; chronology."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from wrekin.audit.models import AuditEvent
from wrekin.core.timeline import chronology_for, worklist_for
from wrekin.intelligence.alerts import (
    resolve_person_mention,
    review_mention,
    triage_alert,
)
from wrekin.intelligence.models import (
    LinkAlert,
    LinkAlertStatus,
    LinkAlertTransition,
    Mention,
    MentionStatus,
    ResolutionStatus,
)


def only_alert() -> LinkAlert:
    [alert] = LinkAlert.objects.all()
    return alert


@pytest.fixture
def linked(save, people):
    """AB12 CDE named by the school about Daniel, then by police about Kayleigh: one new alert."""
    save("bob", people["daniel"], [("vehicle", "ab12cde")])
    save("alice", people["kayleigh"], [("vehicle", "AB12 CDE")], days=3)
    return only_alert()


# --- one alert per link -----------------------------------------------------------------------

def test_a_third_record_updates_the_alert_instead_of_raising_another(linked, save, people):
    raised_at = linked.raised_at
    save("charlie", people["jayden"], [("vehicle", "AB12CDE")], days=21)
    alert = only_alert()
    assert alert.pk == linked.pk and alert.raised_at == raised_at
    assert alert.explanation == ("vehicle AB12 CDE is mentioned in 3 records about 3 children from 3 agencies "
                                 "in 21 days.")
    assert (alert.mention_count, alert.record_count) == (3, 3)
    assert alert.updated_at > raised_at
    assert AuditEvent.objects.filter(event_type="link_alert.raised").count() == 1
    assert AuditEvent.objects.filter(event_type="link_alert.updated").count() == 1


def test_an_actioned_alert_opens_again_when_new_records_arrive(linked, save, personas, people):
    triage_alert(actor=personas["erin"], alert_id=linked.pk, to_status="actioned", reason="Strategy discussion held")
    save("charlie", people["jayden"], [("vehicle", "AB12 CDE")], days=30)
    alert = only_alert()
    assert alert.status == LinkAlertStatus.NEW
    system = alert.transitions.last()
    assert (system.from_status, system.to_status, system.actor) == ("actioned", "new", None)
    assert system.record_count == 3
    assert AuditEvent.objects.filter(event_type="link_alert.reopened").exists()


def test_a_dismissed_alert_opens_again_too_but_not_for_the_same_records(linked, save, personas, people):
    triage_alert(actor=personas["erin"], alert_id=linked.pk, to_status="dismissed", reason="The school minibus")
    # The same police record saved again (same source) adds no record: the decision stands.
    save("alice", people["kayleigh"], [("vehicle", "AB12 CDE")], days=3,
         source=("tests.record", Mention.objects.filter(recorded_by_agency__code="TEST-POLICE").get().source_id))
    assert only_alert().status == LinkAlertStatus.DISMISSED
    save("alice", people["kayleigh"], [("vehicle", "AB12 CDE")], days=40)
    assert only_alert().status == LinkAlertStatus.NEW


# --- triage -----------------------------------------------------------------------------------

def test_triage_moves_new_to_reviewed_to_actioned_and_records_each_step(linked, personas):
    erin = personas["erin"]
    triage_alert(actor=erin, alert_id=linked.pk, to_status="reviewed")
    alert = triage_alert(actor=personas["frank"], alert_id=linked.pk, to_status="actioned",
                         reason="On the MACE agenda")
    assert alert.status == LinkAlertStatus.ACTIONED
    steps = list(LinkAlertTransition.objects.filter(alert=alert).values_list("from_status", "to_status",
                                                                             "actor__username"))
    assert steps == [("new", "reviewed", "erin"), ("reviewed", "actioned", "frank")]
    events = AuditEvent.objects.filter(event_type="link_alert.status_changed").order_by("seq")
    assert [(e.details["from"], e.details["to"]) for e in events] == [("new", "reviewed"), ("reviewed", "actioned")]


def test_dismissing_needs_a_reason(linked, personas):
    with pytest.raises(ValidationError) as error:
        triage_alert(actor=personas["erin"], alert_id=linked.pk, to_status="dismissed", reason="  ")
    assert "reason" in error.value.message_dict
    assert only_alert().status == LinkAlertStatus.NEW
    triage_alert(actor=personas["erin"], alert_id=linked.pk, to_status="dismissed", reason="Same incident")
    assert only_alert().transitions.get().reason == "Same incident"


@pytest.mark.parametrize("status", ["new", "reviewed", "nonsense"])
def test_a_closed_alert_cannot_be_moved_by_hand(linked, personas, status):
    triage_alert(actor=personas["erin"], alert_id=linked.pk, to_status="actioned")
    with pytest.raises(ValidationError):
        triage_alert(actor=personas["erin"], alert_id=linked.pk, to_status=status)


@pytest.mark.parametrize("username", ["alice", "bob", "dana", "grace", "heidi", "ivan", "nina"])
def test_only_coordinators_and_analysts_triage(linked, personas, username):
    with pytest.raises(PermissionDenied):
        triage_alert(actor=personas[username], alert_id=linked.pk, to_status="reviewed")


def test_another_partnership_cannot_triage(linked, personas):
    with pytest.raises(Http404):
        triage_alert(actor=personas["oscar"], alert_id=linked.pk, to_status="reviewed")


# --- reviewing mentions -----------------------------------------------------------------------

@pytest.fixture
def unconfirmed(save, people):
    save("bob", people["daniel"], narrative="Picked up by a car, reg AB12 CDE, outside the gates.")
    save("alice", people["kayleigh"], [("vehicle", "AB12CDE")], days=1)
    return Mention.objects.get(status=MentionStatus.UNCONFIRMED)


def test_confirming_a_machine_found_mention_clears_unconfirmed(unconfirmed, personas):
    assert only_alert().unconfirmed_count == 1
    review_mention(actor=personas["bob"], mention_id=unconfirmed.pk, decision="confirm")
    unconfirmed.refresh_from_db()
    assert (unconfirmed.status, unconfirmed.reviewed_by.username) == ("confirmed", "bob")
    alert = only_alert()
    assert alert.unconfirmed_count == 0 and "not yet confirmed" not in alert.explanation


def test_rejecting_a_mention_needs_a_reason_and_takes_it_out_of_the_counts(unconfirmed, personas):
    with pytest.raises(ValidationError):
        review_mention(actor=personas["bob"], mention_id=unconfirmed.pk, decision="reject")
    review_mention(actor=personas["bob"], mention_id=unconfirmed.pk, decision="reject", reason="A bus route")
    alert = only_alert()
    assert (alert.mention_count, alert.record_count) == (1, 1)
    assert AuditEvent.objects.filter(event_type="intelligence.mention_rejected").exists()


def test_a_practitioner_cannot_review_a_mention_about_a_child_they_cannot_see(unconfirmed, personas):
    with pytest.raises(Http404):
        review_mention(actor=personas["charlie"], mention_id=unconfirmed.pk, decision="confirm")


def test_confirming_a_person_of_concern_links_mentions_whatever_the_name(save, people, personas):
    [first] = save("alice", people["kayleigh"], [{"type": "person", "value": "Mohammed Khan"}])
    [second] = save("bob", people["daniel"], [{"type": "person", "value": "the driver"}])
    assert not LinkAlert.objects.exists()
    resolve_person_mention(actor=personas["erin"], mention_id=first.pk, person_id=people["poc"].pk)
    resolve_person_mention(actor=personas["erin"], mention_id=second.pk, person_id=people["poc"].pk)
    alert = only_alert()
    assert alert.link_key == f"person:{people['poc'].pk}"
    second.refresh_from_db()
    assert (second.resolution_status, second.resolved_by.username) == (ResolutionStatus.CONFIRMED, "erin")


def test_resolving_needs_a_person_of_concern_the_reviewer_can_see(save, people, personas):
    [mention] = save("alice", people["kayleigh"], [{"type": "person", "value": "Mo"}])
    with pytest.raises(ValidationError):
        resolve_person_mention(actor=personas["alice"], mention_id=mention.pk, person_id=people["kayleigh"].pk)
    with pytest.raises(Http404):
        resolve_person_mention(actor=personas["alice"], mention_id=mention.pk, person_id=people["elsewhere"].pk)


# --- work list and chronology -----------------------------------------------------------------

def test_coordinators_see_new_alerts_on_their_work_list(linked, personas):
    [item] = [i for i in worklist_for(personas["erin"]) if i.heading == "Link alerts to triage"]
    assert item.title == "Vehicle AB12 CDE"
    assert item.url == reverse("intelligence:alert_detail", kwargs={"pk": linked.pk})
    assert "2 records about 2 children" in item.detail
    for username in ("frank", "alice", "oscar"):
        assert not [i for i in worklist_for(personas[username]) if i.heading == "Link alerts to triage"]
    triage_alert(actor=personas["erin"], alert_id=linked.pk, to_status="reviewed")
    assert not [i for i in worklist_for(personas["erin"]) if i.heading == "Link alerts to triage"]


def test_mentions_appear_on_the_childs_chronology_for_those_who_can_see_them(linked, people, personas):
    entries = [e for e in chronology_for(people["kayleigh"], personas["alice"]) if e.event_type == "entity_mention"]
    [entry] = entries
    assert entry.title == "Vehicle AB12 CDE mentioned by Test Constabulary"
    assert entry.source.startswith("intelligence.mention:")
    # bob (school) cannot see Kayleigh, so the chronology source gives him nothing about her.
    assert not [e for e in chronology_for(people["kayleigh"], personas["bob"]) if e.event_type == "entity_mention"]


# --- pages --------------------------------------------------------------------------------------

def test_the_coordinator_sees_the_explanation_records_and_triage_form(linked, client_for):
    page = client_for("erin").get(reverse("intelligence:alert_detail", kwargs={"pk": linked.pk})).content.decode()
    assert linked.explanation[0].upper() + linked.explanation[1:] in page
    assert "Severn Vale Academy" in page and "Test Constabulary" in page
    assert "Daniel Smyth" in page and "Kayleigh Smith" in page
    assert 'name="to_status"' in page
    event = AuditEvent.objects.filter(event_type="link_alert.viewed").latest("seq")
    assert (event.actor_username, event.details["access"]) == ("erin", "full")


def test_a_practitioner_is_told_a_link_exists_and_whom_to_contact_nothing_more(linked, client_for):
    page = client_for("alice").get(reverse("intelligence:alert_detail", kwargs={"pk": linked.pk})).content.decode()
    assert "A link exists" in page and "Kayleigh Smith" in page
    assert "Erin" in page and "duty@test-csc.example" in page
    for secret in ("AB12", "Daniel", "Severn Vale", "to_status", linked.explanation[1:]):
        assert secret not in page
    listing = client_for("alice").get(reverse("intelligence:alerts")).content.decode()
    assert "AB12" not in listing and "Kayleigh Smith" in listing


def test_triage_on_the_page_keeps_the_note_when_the_reason_is_missing(linked, client_for):
    client = client_for("erin")
    url = reverse("intelligence:alert_detail", kwargs={"pk": linked.pk})
    response = client.post(url, {"to_status": "dismissed", "reason": ""})
    assert response.status_code == 200
    assert "Explain why this link needs no action" in response.content.decode()
    response = client.post(url, {"to_status": "actioned", "reason": "Strategy discussion on 3 May"})
    assert response.status_code == 302
    assert only_alert().status == LinkAlertStatus.ACTIONED


def test_the_alerts_list_filters_by_status(linked, save, people, client_for, personas):
    save("alice", people["kayleigh"], [("phone", "07700 900123")])
    save("bob", people["daniel"], [("phone", "+447700900123")])
    phone_alert = LinkAlert.objects.get(anchor_entity__type="phone")
    triage_alert(actor=personas["erin"], alert_id=phone_alert.pk, to_status="reviewed")
    client = client_for("erin")
    page = client.get(reverse("intelligence:alerts") + "?status=reviewed").content.decode()
    assert "Phone +447700900123" in page and "Vehicle AB12 CDE" not in page
    page = client.get(reverse("intelligence:alerts")).content.decode()
    assert "Phone +447700900123" in page and "Vehicle AB12 CDE" in page


def test_the_entity_page_shows_only_the_mentions_the_viewer_may_see(linked, client_for):
    url = reverse("intelligence:entity_detail", kwargs={"pk": linked.anchor_entity_id})
    page = client_for("bob").get(url).content.decode()
    assert "Daniel Smyth" in page and "Kayleigh" not in page
    page = client_for("erin").get(url).content.decode()
    assert "Daniel Smyth" in page and "Kayleigh Smith" in page


def test_reviewing_a_mention_on_its_page(unconfirmed, client_for):
    client = client_for("bob")
    url = reverse("intelligence:mention_review", kwargs={"pk": unconfirmed.pk})
    response = client.post(url, {"form": "review", "decision": "reject", "reason": ""})
    assert "Explain why this is not what the record mentions" in response.content.decode()
    response = client.post(url, {"form": "review", "decision": "reject", "reason": "The school office number"})
    assert response.status_code == 302
    unconfirmed.refresh_from_db()
    assert unconfirmed.status == MentionStatus.REJECTED


def test_confirming_who_a_named_person_is_updates_their_alert_rather_than_raising_another(save, people, personas):
    [first] = save("alice", people["kayleigh"], [{"type": "person", "value": "Mo", "approximate_age": 24}])
    [second] = save("bob", people["daniel"], [{"type": "person", "value": "Mohammed", "approximate_age": 25}])
    alert = only_alert()
    assert alert.link_key.startswith("person-mention:")
    resolve_person_mention(actor=personas["erin"], mention_id=first.pk, person_id=people["poc"].pk)
    resolve_person_mention(actor=personas["erin"], mention_id=second.pk, person_id=people["poc"].pk)
    assert only_alert().pk == alert.pk
