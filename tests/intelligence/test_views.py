"""The disruption log, the demographics form and the completeness report, through the pages."""

from __future__ import annotations

from django.urls import reverse

from tests.intelligence.conftest import BEFORE_SIXTEEN
from wrekin.audit.models import AuditEvent
from wrekin.intelligence.models import DisruptionAction


def _url(name, obj):
    return reverse(f"intelligence:{name}", kwargs={"pk": obj.pk})


def test_the_log_is_audited_and_asks_for_missing_details_first(client_for, people, personas):
    poc = people["poc"]
    response = client_for("alice").get(_url("disruption_log", poc))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Disruption cannot be recorded until every question" in html
    assert _url("demographics", poc) in html and _url("record_disruption", poc) not in html
    event = AuditEvent.objects.get(event_type="disruption.log_viewed")
    assert event.person_id == poc.pk and event.actor == personas["alice"]


def test_the_record_page_sends_you_to_the_details_while_they_are_incomplete(client_for, people):
    poc = people["poc"]
    page = client_for("alice").get(_url("record_disruption", poc))
    assert page.status_code == 200
    assert "Complete the details" in page.content.decode()
    assert "<form" not in page.content.decode().split('id="main-content"')[1]
    # Posting anyway is refused by the action, and nothing is recorded.
    response = client_for("alice").post(_url("record_disruption", poc), {
        "kind": "letter", "occurred_on": "10/01/2026", "status": "done"})
    assert response.status_code == 200
    assert "Complete Mohammed Khan&#x27;s details before recording disruption" in response.content.decode()
    assert not DisruptionAction.objects.exists()


def test_completing_the_details_goes_through_update_person(client_for, people, personas):
    poc = people["poc"]
    client = client_for("alice")
    page = client.get(_url("demographics", poc))
    assert page.status_code == 200 and 'value="24"' in page.content.decode()  # the estimate is offered
    bad = client.post(_url("demographics", poc), {"sex": "M", "approximate_age": "24", "ethnicity": "",
                                                  "ethnicity_observed": "APKN", "nationality": "Pakist",
                                                  "disability": ""})
    html = bad.content.decode()
    assert "There is a problem" in html and "Choose the person&#x27;s ethnicity" in html
    assert 'value="Pakist"' in html and 'value="APKN" selected' in html
    response = client.post(_url("demographics", poc), {
        "sex": "M", "approximate_age": "24", "ethnicity": "REFU", "ethnicity_observed": "APKN",
        "nationality": "", "nationality_not_known": "on", "disability": "not_known"})
    assert response.status_code == 302 and response["Location"] == _url("disruption_log", poc)
    poc.refresh_from_db()
    assert (poc.ethnicity, poc.ethnicity_observed, poc.nationality, poc.disability) == (
        "REFU", "APKN", "Not known", "not_known")
    event = AuditEvent.objects.get(event_type="person.updated")
    assert set(event.details["fields"]) >= {"ethnicity", "ethnicity_observed", "nationality", "disability"}


def test_demographics_only_for_persons_of_concern(client_for, people):
    assert client_for("alice").get(_url("demographics", people["kayleigh"])).status_code == 404


def test_recording_a_cawn_by_finding_the_child(client_for, complete_poc, people):
    client = client_for("alice")
    url = _url("record_disruption", complete_poc)
    typed = {"kind": "cawn_s2", "occurred_on": BEFORE_SIXTEEN.strftime("%d/%m/%Y"), "status": "done",
             "outcome": "Served in person at his home address."}
    found = client.post(url, {**typed, "person_search": "Kayleigh Smith", "find": "1"})
    assert [c.pk for c in found.context["children"]] == [people["kayleigh"].pk]
    assert "Served in person at his home address." in found.content.decode()
    assert "There is a problem" not in found.content.decode()
    assert AuditEvent.objects.get(event_type="disruption.children_searched").details == {
        "results": [people["kayleigh"].pk]}
    response = client.post(url, {**typed, "person_search": "Kayleigh Smith", "children": [people["kayleigh"].pk]})
    disruption = DisruptionAction.objects.get()
    assert response.status_code == 302 and response["Location"] == _url("disruption_detail", disruption)
    assert list(disruption.children.all()) == [people["kayleigh"]]


def test_a_refused_cawn_keeps_everything_typed(client_for, complete_poc, people):
    response = client_for("alice").post(_url("record_disruption", complete_poc), {
        "kind": "cawn_s2", "occurred_on": "10/03/2026", "status": "done", "outcome": "Served at the station.",
        "reference": "22/1234/26", "person_search": "Kayleigh", "children": [people["kayleigh"].pk]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kayleigh Smith was 16 on 10 March 2026" in html
    for typed in ("Served at the station.", 'value="22/1234/26"', 'value="10/03/2026"', 'value="cawn_s2" checked',
                  f'value="{people["kayleigh"].pk}" checked'):
        assert typed in html, typed
    assert not DisruptionAction.objects.exists()


def test_kind_rules_show_on_their_fields(client_for, complete_poc):
    response = client_for("alice").post(_url("record_disruption", complete_poc), {
        "kind": "taxi_referral", "occurred_on": "10/01/2026", "status": "done", "driver_licence_number": "",
        "licensing_authority": "Shropshire Council"})
    form = response.context["form"]
    assert form.errors["driver_licence_number"] == [
        "Enter the driver's licence number for a taxi-licensing referral"]
    assert 'value="Shropshire Council"' in response.content.decode()


def test_no_further_action_reason_on_the_form(client_for, complete_poc):
    response = client_for("frank").post(_url("record_disruption", complete_poc), {
        "kind": "nfa", "occurred_on": "10/01/2026", "status": "done"})
    assert response.context["form"].errors["nfa_reason"] == ["Choose the reason for no further action"]
    response = client_for("frank").post(_url("record_disruption", complete_poc), {
        "kind": "nfa", "occurred_on": "10/01/2026", "status": "done", "nfa_reason": "evidential_difficulties"})
    assert response.status_code == 302


def test_the_detail_names_only_the_children_the_reader_can_see(client_for, complete_poc, record, people):
    disruption = record("erin", person_of_concern_id=complete_poc.pk, kind="arrest",
                        child_ids=[people["kayleigh"].pk, people["daniel"].pk])
    html = client_for("alice").get(_url("disruption_detail", disruption)).content.decode()
    assert "Kayleigh Smith" in html and "Daniel" not in html
    assert "1 other child your agency does not work with" in html
    event = AuditEvent.objects.filter(event_type="disruption.viewed").get()
    assert event.person_id == complete_poc.pk


def test_recording_what_happened_next(client_for, complete_poc, record):
    order = record(person_of_concern_id=complete_poc.pk, kind="sexual_risk_order", status="under_way")
    client = client_for("alice")
    empty = client.post(_url("update_disruption", order), {"status": "done", "note": ""})
    assert "Say what happened" in empty.content.decode() and 'value="done" checked' in empty.content.decode()
    response = client.post(_url("update_disruption", order), {"status": "done", "note": "Granted for 2 years."})
    assert response.status_code == 302
    html = client.get(_url("disruption_detail", order)).content.decode()
    assert "Granted for 2 years." in html and "moj-timeline" in html


def test_persons_of_concern_list(client_for, complete_poc, people, record):
    record(person_of_concern_id=complete_poc.pk)
    response = client_for("alice").get(reverse("intelligence:persons_of_concern"))
    [person] = response.context["people"]
    assert person == complete_poc and person.disruption_count == 1
    assert complete_poc.pk in response.context["complete_ids"]
    assert list(client_for("bob").get(reverse("intelligence:persons_of_concern")).context["people"]) == []


def test_completeness_report(client_for, people):
    response = client_for("frank").get(reverse("intelligence:completeness"))
    assert response.status_code == 200
    assert (response.context["complete"], response.context["total"]) == (0, 1)
    [(person, missing)] = response.context["incomplete"]
    assert person == people["poc"] and "Nationality" in missing
    assert "0</strong> of 1 person of concern has all six" in response.content.decode()
    assert AuditEvent.objects.get(event_type="disruption.completeness_viewed").details == {
        "total": 1, "complete": 0}
