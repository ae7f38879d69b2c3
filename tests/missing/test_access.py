"""Every missing URL, as every persona, with the statuses the policy promises — written by hand.

Episodes are visible exactly when the child is; recording needs a case-content role (403 before
anything else); pattern alerts go to coordinators and to team managers who can see the child.
Each child's records are tried by every persona, so another agency's and another partnership's
ids (IDOR attempts) are covered: they must answer 404, exactly as an id that does not exist.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS
from tests.missing.conftest import at
from wrekin.missing import actions
from wrekin.missing.models import AlertStatus, MissingEpisode, MissingPatternAlert, ReturnInterview

COVERED_URL_NAMES = {
    "missing:child_episodes",
    "missing:record_episode",
    "missing:episode_detail",
    "missing:record_return",
    "missing:record_interview",
    "missing:interviews_due",
    "missing:record_interview_outcome",
    "missing:alerts",
    "missing:alert_detail",
}

NOW = at(2026, 6, 1, 12)
EVERYONE = sorted(PERSONAS)
CASE_CONTENT = {"alice", "bob", "charlie", "dana", "erin", "frank", "grace", "oscar"}
RECORDERS = CASE_CONTENT
ALERT_ROLES = {"dana", "erin", "oscar"}  # managers and coordinators
SEES = {
    "kayleigh": {"alice", "frank", "dana", "erin", "grace"},  # police recorded her; CSC works with her
    "daniel": {"bob", "erin", "frank"},  # the school recorded him
    "jayden": {"charlie", "erin", "frank"},  # health recorded him
    "elsewhere": {"oscar"},  # another partnership
}
ALERT_SEES = {"kayleigh": {"dana", "erin"}, "daniel": {"erin"}, "elsewhere": {"oscar"}}
# Who records for each child: an agency already involved, so the fixture does not widen who sees whom.
RECORDER_FOR = {"kayleigh": "alice", "daniel": "bob", "jayden": "charlie", "elsewhere": "oscar"}
INTERVIEWER_FOR = {"kayleigh": "dana", "daniel": "bob", "elsewhere": "oscar"}


@pytest.fixture
def records(freeze, personas, people):
    """For each child: returned episodes (three in May make an alert), an open one, a pending offer."""
    freeze(NOW)
    made = {}
    for child_key, username in RECORDER_FOR.items():
        actor, child = personas[username], people[child_key]

        def episode(day, back=True, actor=actor, child=child):
            return actions.record_missing_episode(
                actor=actor, child=child, reported_at=at(2026, 5, day, 20),
                returned_at=at(2026, 5, day + 1, 8) if back else None, found_where="Returned home" if back else "",
                last_seen_where="Town centre", circumstances="Did not come home after school.",
                police_risk_grade="medium", now=NOW)

        first = episode(2)
        entry = {"returned": first, "open": None, "pending": None, "alert": None}
        if child_key != "jayden":
            episode(10)
            third = episode(20)
            entry["open"] = episode(30, back=False)
            interviewer = personas[INTERVIEWER_FOR[child_key]]
            entry["pending"] = actions.record_return_interview(
                actor=interviewer, episode=third, outcome="offered", offered_at=at(2026, 5, 21, 12),
                offered_by_agency=interviewer.agency, now=NOW)
            entry["alert"] = MissingPatternAlert.objects.get(child=child)
        made[child_key] = entry
    return made


def _status(username, child, *, recorder=False, alerts=False) -> int:
    if alerts:
        if username not in ALERT_ROLES:
            return 403
        return 200 if username in ALERT_SEES.get(child, set()) else 404
    if recorder and username not in RECORDERS:
        return 403
    return 200 if username in SEES[child] else 404


def _redirect_if_ok(status: int) -> int:
    return 302 if status == 200 else status


def _get_cases(records, people):
    cases = [
        ("missing:interviews_due", {}, lambda u: 200 if u in CASE_CONTENT else 403),
        ("missing:alerts", {}, lambda u: 200 if u in ALERT_ROLES else 403),
    ]
    for child, entry in records.items():
        cases += [
            ("missing:child_episodes", {"pk": people[child].pk}, lambda u, c=child: _status(u, c)),
            ("missing:record_episode", {"pk": people[child].pk},
             lambda u, c=child: _status(u, c, recorder=True)),
            ("missing:episode_detail", {"pk": entry["returned"].pk}, lambda u, c=child: _status(u, c)),
            ("missing:record_interview", {"pk": entry["returned"].pk},
             lambda u, c=child: _status(u, c, recorder=True)),
        ]
        if entry["open"]:
            cases += [
                ("missing:record_return", {"pk": entry["open"].pk}, lambda u, c=child: _status(u, c, recorder=True)),
                ("missing:record_interview_outcome", {"pk": entry["pending"].pk},
                 lambda u, c=child: _status(u, c, recorder=True)),
                ("missing:alert_detail", {"pk": entry["alert"].pk}, lambda u, c=child: _status(u, c, alerts=True)),
            ]
    return cases


def _post_cases(records, people):
    cases = []
    for child, entry in records.items():
        cases += [
            ("missing:record_episode", {"pk": people[child].pk}, {
                "reported_date": "1/6/2025", "reported_time": "20:00", "returned_date": "2/6/2025",
                "returned_time": "08:00", "found_where": "Home", "last_seen_where": "Park",
                "missing_from_care_placement": "no", "police_risk_grade": "low",
                "circumstances": "Late home from a friend's house."},
             lambda u, c=child: _redirect_if_ok(_status(u, c, recorder=True))),
            ("missing:record_interview", {"pk": entry["returned"].pk}, {
                "outcome": "not_offered", "not_held_reason": "Moved out of area the next day."},
             lambda u, c=child: _redirect_if_ok(_status(u, c, recorder=True))),
        ]
        if entry["open"]:
            cases += [
                ("missing:record_return", {"pk": entry["open"].pk}, {
                    "returned_date": "1/6/2026", "returned_time": "09:00", "found_where": "Home"},
                 lambda u, c=child: _redirect_if_ok(_status(u, c, recorder=True))),
                ("missing:record_interview_outcome", {"pk": entry["pending"].pk}, {
                    "outcome": "declined", "completed_date": "22/5/2026", "completed_time": "10:00",
                    "not_held_reason": "Did not want to talk."},
                 lambda u, c=child: _redirect_if_ok(_status(u, c, recorder=True))),
                ("missing:alert_detail", {"pk": entry["alert"].pk}, {"decision": "already_planned"},
                 lambda u, c=child: _redirect_if_ok(_status(u, c, alerts=True))),
            ]
    return cases


def test_every_url_of_the_app_is_covered(records, people):
    from django.urls import get_resolver

    resolver = get_resolver()
    names = {f"missing:{name}" for name in resolver.namespace_dict["missing"][1].reverse_dict
             if isinstance(name, str)}
    assert names == COVERED_URL_NAMES
    tried = {name for name, *_ in _get_cases(records, people)} | {name for name, *_ in _post_cases(records, people)}
    assert tried == COVERED_URL_NAMES


@pytest.mark.parametrize("username", EVERYONE)
def test_matrix(username, client_for, records, people):
    client = client_for(username)
    failures = []
    for name, kwargs, expected in _get_cases(records, people):
        response = client.get(reverse(name, kwargs=kwargs))
        if response.status_code != expected(username):
            failures.append(f"GET {name} {kwargs}: got {response.status_code}, expected {expected(username)}")
    for name, kwargs, data, expected in _post_cases(records, people):
        response = client.post(reverse(name, kwargs=kwargs), data)
        if response.status_code != expected(username):
            failures.append(f"POST {name} {kwargs}: got {response.status_code}, expected {expected(username)}")
    assert not failures, f"{username}:\n" + "\n".join(failures)


@pytest.mark.parametrize("username", ["bob", "oscar", "heidi", "ivan", "nina", "charlie"])
def test_refused_posts_change_nothing(username, client_for, records, people):
    kayleigh = records["kayleigh"]
    before = (MissingEpisode.objects.count(), ReturnInterview.objects.count(),
              MissingPatternAlert.objects.filter(status=AlertStatus.OPEN).count())
    client = client_for(username)
    for name, kwargs, data, expected in _post_cases({"kayleigh": kayleigh}, people):
        status = client.post(reverse(name, kwargs=kwargs), data).status_code
        assert status == expected(username) and status in (403, 404), name
    after = (MissingEpisode.objects.count(), ReturnInterview.objects.count(),
             MissingPatternAlert.objects.filter(status=AlertStatus.OPEN).count())
    assert before == after
    kayleigh["open"].refresh_from_db()
    kayleigh["pending"].refresh_from_db()
    assert kayleigh["open"].is_open and kayleigh["pending"].awaiting_outcome


def test_lists_show_only_visible_children(client_for, records):
    # Dana (CSC manager) sees Kayleigh's alert, not Daniel's; Oscar only his own partnership's.
    dana = client_for("dana").get(reverse("missing:alerts")).context
    assert [a.child.given_name for a in dana["open_alerts"]] == ["Kayleigh"]
    oscar = client_for("oscar").get(reverse("missing:alerts")).context
    assert [a.pk for a in oscar["open_alerts"]] == [records["elsewhere"]["alert"].pk]
    erin = client_for("erin").get(reverse("missing:alerts")).context
    assert sorted(a.child.given_name for a in erin["open_alerts"]) == ["Daniel", "Kayleigh"]
    due = client_for("charlie").get(reverse("missing:interviews_due")).context["due"]
    assert [item.episode.child.given_name for item in due] == ["Jayden"]


def test_anonymous_and_password_only_reach_nothing(client, personas, records, people):
    for name, kwargs, _ in _get_cases(records, people):
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), name
    client.force_login(personas["erin"])  # password passed, no second factor yet
    for name, kwargs, _ in _get_cases(records, people):
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:mfa")), name


@pytest.mark.parametrize("name", ["missing:episode_detail", "missing:child_episodes"])
def test_unknown_id_and_forbidden_id_look_the_same(client_for, records, people, name):
    client = client_for("bob")
    pk = records["kayleigh"]["returned"].pk if name == "missing:episode_detail" else people["kayleigh"].pk
    forbidden = client.get(reverse(name, kwargs={"pk": pk}))
    absent = client.get(reverse(name, kwargs={"pk": 987654321}))
    assert forbidden.status_code == absent.status_code == 404
    token = re.compile(rb'(name="csrfmiddlewaretoken" value|nonce)="[^"]+"')
    assert token.sub(b"", forbidden.content) == token.sub(b"", absent.content)
