"""The network pages and exports: what they show each persona, what they record in the audit trail."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.intelligence.networkworld import entity_key, recorder, world_fixture  # noqa: F401 - fixtures
from wrekin.audit.models import AuditEvent

NETWORK = "intelligence:network"


def _events(code: str):
    return list(AuditEvent.objects.filter(event_type=code).order_by("seq"))


def _table(html: str, table_id: str) -> str:
    match = re.search(rf'<table class="govuk-table" id="{table_id}">(.*?)</table>', html, re.S)
    assert match, f"no table {table_id}"
    return match.group(1)


def test_coordinator_network_page_lists_nodes_and_links_and_is_audited(client_for, world, personas):
    response = client_for("erin").get(reverse(NETWORK))
    assert response.status_code == 200
    html = response.content.decode()
    nodes = _table(html, "network-nodes")
    for name in ("Kayleigh Smith", "Daniel Smyth (known as Danny)", "Jayden Clarke", "Mohammed Khan", "AB12 CDE",
                 "AB12 CDF", "+447700900123", "Kwik Kebab, TF1 2AB"):
        assert name in nodes, name
    assert "XY19 ZZZ" not in html  # rejected
    links = _table(html, "network-links")
    assert links.count('<tr class="govuk-table__row">') == 1 + 11  # the header row and the links
    assert "Unconfirmed" in links and "Older or controlling adult" in links and "Severn Vale Academy" in links
    assert "The partnership&#x27;s whole network" in html or "The partnership's whole network" in html
    (event,) = _events("network.viewed")
    assert event.actor_id == personas["erin"].pk
    assert event.details["scope"] == "partnership"
    assert event.details["nodes"] == 8 and event.details["edges"] == 11 and event.details["cluster"] == 1
    assert event.details["kinds"] == ["vehicle", "phone", "location", "business", "handle"]


def test_canvas_data_is_an_inert_json_block_and_scripts_are_external(client_for, world):
    html = client_for("erin").get(reverse(NETWORK)).content.decode()
    match = re.search(r'<script id="network-data" type="application/json">(.*?)</script>', html, re.S)
    assert match
    data = json.loads(match.group(1))
    assert data["drawable"] is True
    assert len(data["nodes"]) == 8 and len(data["edges"]) == 11
    kayleigh = next(n for n in data["nodes"] if n["id"] == f"child:{world['kayleigh']}")
    assert kayleigh["url"] == reverse("people:detail", kwargs={"pk": world["kayleigh"]})
    assert data["kinds"]["person_of_concern"] == "Person of concern"
    assert 'src="/static/wrekin/build/cytoscape.min.js"' in html
    assert 'src="/static/wrekin/build/network.js"' in html
    # No inline script code beyond the base template's nonced class switch; no inline styles.
    inline = [s for s in re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S) if s[1].strip()]
    assert all('type="application/json"' in attrs or "nonce=" in attrs for attrs, _ in inline)
    assert ' style="' not in html


def test_practitioner_sees_only_their_part_and_is_told_so(client_for, world):
    response = client_for("alice").get(reverse(NETWORK))
    html = response.content.decode()
    assert "only records about children and persons of concern your agency works with" in html
    nodes = _table(html, "network-nodes")
    assert "Kayleigh Smith" in nodes and "Mohammed Khan" in nodes
    assert "Daniel" not in html and "Jayden" not in html and "AB12 CDF" not in html
    assert "Export for analysts" not in html
    assert _events("network.viewed")[0].details["scope"] == "agency"


def test_neighbourhood_of_a_child_is_audited_against_the_child(client_for, world):
    url = reverse(NETWORK) + f"?centre=child:{world['jayden']}"
    html = client_for("erin").get(url).content.decode()
    assert "Within two steps of Jayden Clarke" in html
    nodes = _table(html, "network-nodes")
    # Two steps: the phone and the near-miss car, then Mohammed Khan through his phone.
    assert "Mohammed Khan" in nodes and "AB12 CDF" in nodes and "Kayleigh" not in nodes
    (event,) = _events("network.viewed")
    assert event.person_id == world["jayden"]
    assert event.details["centre"] == f"child:{world['jayden']}"


def test_filters_keep_what_was_typed_and_explain_errors(client_for, world):
    url = reverse(NETWORK) + "?filtered=1&kinds=vehicle&since=31/02/2026&until=31/12/2026&unconfirmed=on"
    response = client_for("erin").get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter the date from as day/month/year" in html
    assert 'value="31/02/2026"' in html
    assert response.context["form"]["kinds"].value() == ["vehicle"]
    # The valid filters still apply: vehicles only, so the premises and the phones are gone.
    nodes = _table(html, "network-nodes")
    assert "AB12 CDE" in nodes and "Kwik Kebab" not in nodes and "+447700900123" not in nodes
    assert html.startswith("<!DOCTYPE html>") or "<title>Error: Network" in html


def test_until_before_since_is_refused(client_for, world):
    url = reverse(NETWORK) + "?filtered=1&since=01/06/2026&until=01/01/2026"
    html = client_for("erin").get(url).content.decode()
    assert "The date to must be the same as or after the date from" in html


def test_date_filter_and_unconfirmed_switch(client_for, world):
    url = reverse(NETWORK) + "?filtered=1&kinds=vehicle&kinds=phone&kinds=location&since=05/05/2026"
    response = client_for("erin").get(url)
    html = response.content.decode()
    # Kayleigh's record (1 May), the person of concern's phone (20 April) and the relationship (1 February)
    # are before the date: two clusters are left, Daniel's and Jayden's.
    assert response.context["cluster_count"] == 2
    assert "Daniel" in _table(html, "network-nodes")
    assert "Kayleigh" not in html and "Mohammed" not in html
    # `unconfirmed` unticked: the machine-found car is left out.
    assert "AB12 CDF" not in html
    event = _events("network.viewed")[0]
    assert event.details["since"] == "2026-05-05" and event.details["unconfirmed"] is False


def test_graphml_export_content_and_audit(client_for, world, personas):
    response = client_for("frank").get(reverse("intelligence:network_graphml"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/graphml+xml")
    assert response["Content-Disposition"].startswith('attachment; filename="wrekin-network-')
    assert response["Cache-Control"] == "no-store"
    root = ET.fromstring(response.content)  # noqa: S314 - our own export
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    ids = {n.get("id") for n in root.findall("g:graph/g:node", ns)}
    assert f"child:{world['daniel']}" in ids and entity_key("vehicle", "AB12CDE") in ids
    assert len(ids) == 8 and len(root.findall("g:graph/g:edge", ns)) == 11
    (event,) = _events("network.exported")
    assert event.actor_id == personas["frank"].pk
    assert event.details["format"] == "graphml" and event.details["nodes"] == 8 and event.details["edges"] == 11


def test_csv_export_of_one_neighbourhood(client_for, world):
    url = reverse("intelligence:network_csv") + f"?centre=child:{world['daniel']}"
    response = client_for("erin").get(url)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["source_label"] for row in rows} | {row["target_label"] for row in rows} >= {
        "Daniel Smyth (known as Danny)", "AB12 CDE", "Kwik Kebab, TF1 2AB"}
    assert all(row["cluster"] == "1" or row["cluster"] == "" for row in rows)
    daniel_car = next(r for r in rows if r["source_label"].startswith("Daniel") and r["target_label"] == "AB12 CDE")
    assert daniel_car["agency"] == "Severn Vale Academy" and daniel_car["date"] == "2026-05-11"
    (event,) = _events("network.exported")
    assert event.details["format"] == "csv" and event.details["centre"] == f"child:{world['daniel']}"
    assert event.person_id == world["daniel"]


def test_practitioners_cannot_export_and_nothing_is_recorded(client_for, world):
    assert client_for("alice").get(reverse("intelligence:network_csv")).status_code == 403
    assert _events("network.exported") == []


def test_ranked_persons_show_the_score_and_its_parts(client_for, world):
    response = client_for("erin").get(reverse("intelligence:persons_ranked"))
    html = response.content.decode()
    assert "Mohammed Khan" in html
    (row,) = response.context["rows"]
    ranking = row["ranking"]
    assert len(ranking.children) == 3 and ranking.agencies == 3 and ranking.direct_children == 1
    assert "Children linked: 3 within 2 steps" in html and "+9" in html
    assert "Agencies whose records make the links: 3" in html and "+6" in html
    assert f"centre=person_of_concern%3A{world['poc']}" in html
    (event,) = _events("network.persons_ranked_viewed")
    assert event.details == {**event.details, "ranked": 1, "hops": 2, "shown": [world["poc"]]}


def test_ranking_steps_can_be_chosen(client_for, world):
    response = client_for("erin").get(reverse("intelligence:persons_ranked") + "?filtered=1&hops=1&unconfirmed=on"
                                      "&kinds=vehicle&kinds=phone&kinds=location")
    (row,) = response.context["rows"]
    assert len(row["ranking"].children) == 1
    assert "Children linked: 1 within 1 step" in response.content.decode()


def test_practitioner_ranking_counts_only_children_they_can_see(client_for, world):
    response = client_for("alice").get(reverse("intelligence:persons_ranked"))
    (row,) = response.context["rows"]
    assert len(row["ranking"].children) == 1
    assert "Daniel" not in response.content.decode()


def test_hotspots_page(client_for, world):
    response = client_for("erin").get(reverse("intelligence:hotspots"))
    html = response.content.decode()
    (row,) = response.context["rows"]
    assert row["spot"].node.label == "Kwik Kebab, TF1 2AB"
    assert len(row["spot"].children) == 2 and row["spot"].persons_of_concern == 1 and row["spot"].agencies == 2
    assert "Kwik Kebab, TF1 2AB" in html
    assert f'href="{reverse("intelligence:entity_detail", kwargs={"pk": row["spot"].node.key.split(":")[1]})}"' in html
    (event,) = _events("network.hotspots_viewed")
    assert event.details["hotspots"] == 1 and event.details["scope"] == "partnership"


@pytest.mark.parametrize("username", ["bob", "charlie"])
def test_hotspots_for_practitioners(client_for, world, username):
    rows = client_for(username).get(reverse("intelligence:hotspots")).context["rows"]
    assert [len(r["spot"].children) for r in rows] == ([1] if username == "bob" else [])


def test_empty_network_says_so(client_for, personas):
    html = client_for("erin").get(reverse(NETWORK)).content.decode()
    assert "There are no links to show." in html
    assert "network-data" not in html
    html = client_for("erin").get(reverse("intelligence:persons_ranked")).content.decode()
    assert "No person of concern you can see is linked to a child." in html
    html = client_for("erin").get(reverse("intelligence:hotspots")).content.decode()
    assert "No location or business you can see is mentioned with a child." in html


def _signed_in_minutes_ago(client, minutes: int) -> None:
    from wrekin.accounts.middleware import SIGNED_IN_AT_SESSION_KEY

    session = client.session
    session[SIGNED_IN_AT_SESSION_KEY] = session[SIGNED_IN_AT_SESSION_KEY] - minutes * 60
    session.save()


@pytest.mark.parametrize("name", ["intelligence:network_graphml", "intelligence:network_csv"])
def test_exports_ask_the_exporter_to_confirm_it_is_them_first(client_for, world, personas, name):
    from urllib.parse import urlencode

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from tests.accounts.conftest import code_for

    url = reverse(name) + f"?centre=child:{world['daniel']}"
    client = client_for("erin")
    _signed_in_minutes_ago(client, 6)
    response = client.get(url)
    step_up = reverse("accounts:step_up")
    assert response.status_code == 302 and response["Location"] == f"{step_up}?{urlencode({'next': url})}"
    assert _events("network.exported") == []  # nothing leaves, nothing is recorded as leaving

    device = TOTPDevice.objects.get(user=personas["erin"], confirmed=True)
    response = client.post(step_up, {"code": code_for(device), "next": url})
    assert response.status_code == 302 and response["Location"] == url
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    (event,) = _events("network.exported")
    assert event.actor_id == personas["erin"].pk and event.details["centre"] == f"child:{world['daniel']}"


def test_those_who_may_not_export_are_refused_not_asked_to_step_up(client_for, world):
    client = client_for("alice")
    _signed_in_minutes_ago(client, 6)
    assert client.get(reverse("intelligence:network_graphml")).status_code == 403
