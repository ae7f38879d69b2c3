"""Every intelligence URL, as every persona: statuses written out by hand from wrekin/access/disruption.py.

A disruption action is visible exactly when its person of concern is: `poc` (recorded by
police) is seen by alice, frank (police analyst) and erin (coordinator); `theirs` (another
partnership) by oscar only. A child's id in a person-of-concern URL is never found.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS
from wrekin.intelligence import actions
from wrekin.intelligence.link_views import ALERT_URL_NAMES
from wrekin.intelligence.models import DisruptionAction, DisruptionUpdate
from wrekin.people.models import Person

COVERED_URL_NAMES = {
    "intelligence:persons_of_concern", "intelligence:completeness", "intelligence:disruption_log",
    "intelligence:record_disruption", "intelligence:demographics", "intelligence:disruption_detail",
    "intelligence:update_disruption",
}
# Link alerts, entities, mentions and intelligence reports: walked in tests/intelligence/test_alerts_access.py.
COVERED_URL_NAMES |= ALERT_URL_NAMES

EVERYONE = sorted(PERSONAS)
NO_CASE_CONTENT = {"heidi", "ivan", "nina"}
PARTNERSHIP_WIDE = {"erin", "frank", "oscar"}  # coordinators and analysts, each in their own partnership
SEES = {"poc": {"alice", "frank", "erin"}, "theirs": {"oscar"}, "kayleigh": set()}


def _status(username: str, subject: str) -> int:
    if username in NO_CASE_CONTENT:
        return 403
    return 200 if username in SEES[subject] else 404


@pytest.fixture
def world(complete_poc, other_poc, record, personas, people):
    ours = record(person_of_concern_id=complete_poc.pk, kind="arrest", child_ids=[people["kayleigh"].pk])
    Person.objects.filter(pk=other_poc.pk).update(ethnicity="NOBT", ethnicity_observed="NOBT",
                                                  nationality="Not known", sex="U", disability="not_known",
                                                  approximate_age=40)
    theirs = actions.record_disruption(actor=personas["oscar"], person_of_concern_id=other_poc.pk, kind="letter",
                                       occurred_on=ours.occurred_on, status="done")
    return {"poc": (complete_poc, ours), "theirs": (other_poc, theirs), "kayleigh": (people["kayleigh"], None)}


def _get_cases(world):
    cases = [
        (reverse("intelligence:persons_of_concern"), lambda u: 403 if u in NO_CASE_CONTENT else 200),
        (reverse("intelligence:completeness"), lambda u: 200 if u in PARTNERSHIP_WIDE else 403),
    ]
    for key, (person, disruption) in world.items():
        for name in ("disruption_log", "record_disruption", "demographics"):
            cases.append((reverse(f"intelligence:{name}", kwargs={"pk": person.pk}),
                          lambda u, k=key: _status(u, k)))
        if disruption is not None:
            for name in ("disruption_detail", "update_disruption"):
                cases.append((reverse(f"intelligence:{name}", kwargs={"pk": disruption.pk}),
                              lambda u, k=key: _status(u, k)))
    return cases


@pytest.mark.parametrize("username", EVERYONE)
def test_every_page_as_every_persona(username, client_for, world):
    client = client_for(username)
    failures = []
    for url, expected in _get_cases(world):
        status = client.get(url).status_code
        if status != expected(username):
            failures.append(f"GET {url}: got {status}, expected {expected(username)}")
    assert not failures, f"{username}:\n" + "\n".join(failures)


def _posted(status: int) -> int:
    return 302 if status == 200 else status


@pytest.mark.parametrize("username", EVERYONE)
def test_the_main_changes_as_every_persona(username, client_for, world):
    client = client_for(username)
    failures = []
    for key in ("poc", "theirs", "kayleigh"):
        person, disruption = world[key]
        expected = _posted(_status(username, key))
        response = client.post(reverse("intelligence:record_disruption", kwargs={"pk": person.pk}),
                               {"kind": "letter", "occurred_on": "10/01/2026", "status": "done"})
        if response.status_code != expected:
            failures.append(f"record {key}: got {response.status_code}, expected {expected}")
        response = client.post(reverse("intelligence:demographics", kwargs={"pk": person.pk}), {
            "sex": "M", "approximate_age": "30", "ethnicity": "NOBT", "ethnicity_observed": "NOBT",
            "nationality_not_known": "on", "disability": "not_known"})
        if response.status_code != expected:
            failures.append(f"demographics {key}: got {response.status_code}, expected {expected}")
        if disruption is not None:
            response = client.post(reverse("intelligence:update_disruption", kwargs={"pk": disruption.pk}),
                                   {"status": "not_achieved", "note": "Withdrawn."})
            if response.status_code != expected:
                failures.append(f"update {key}: got {response.status_code}, expected {expected}")
    assert not failures, f"{username}:\n" + "\n".join(failures)
    # Nothing was recorded by anyone who could not see the person of concern.
    recorders = set(DisruptionAction.objects.exclude(pk__in=[world["poc"][1].pk, world["theirs"][1].pk])
                    .values_list("recorded_by__username", flat=True))
    updaters = set(DisruptionUpdate.objects.values_list("recorded_by__username", flat=True))
    assert recorders <= {username} and updaters <= {username}
    if username not in SEES["poc"] | SEES["theirs"]:
        assert not recorders and not updaters


def test_anonymous_is_sent_to_sign_in_everywhere(client, world):
    for url, _ in _get_cases(world):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), url


def test_absent_and_forbidden_disruption_look_the_same(client_for, world):
    client = client_for("bob")
    forbidden = client.get(reverse("intelligence:disruption_detail", kwargs={"pk": world["poc"][1].pk}))
    absent = client.get(reverse("intelligence:disruption_detail", kwargs={"pk": 987654321}))
    assert forbidden.status_code == absent.status_code == 404
    assert forbidden.templates[0].name == absent.templates[0].name

# The network pages and exports: walked as every persona in tests/intelligence/test_network_access.py.
COVERED_URL_NAMES |= {
    "intelligence:network", "intelligence:network_graphml", "intelligence:network_csv", "intelligence:hotspots",
    "intelligence:persons_ranked",
}

# Walked as every persona in tests/intelligence/test_extraction_views.py::test_every_persona.
COVERED_URL_NAMES |= {"intelligence:extract_suggestions"}
