"""Every MACE URL, as every persona: statuses written out by hand from the rules in wrekin/access/mace.py.

The meetings:
- `ours`: chaired by grace; alice (police) and charlie (health) invited; Kayleigh on the agenda; an
  action owned by alice; attendance and draft minutes recorded, not yet approved.
- `approved`: the same people, minutes approved.
- `erins`: chaired by erin (coordinator), nobody invited — grace, a MACE chair, is NOT invited.
- `theirs`: in another partnership, chaired by oscar.
Nobody else sees a meeting: not bob, not dana (whose agency works with Kayleigh), not frank.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS
from wrekin.accounts.models import Role
from wrekin.mace import actions
from wrekin.mace.models import MaceAgendaItem, MaceMeeting

COVERED_URL_NAMES = {
    "mace:meetings", "mace:create", "mace:detail", "mace:invite", "mace:attendance", "mace:add_item",
    "mace:add_decision", "mace:add_action", "mace:update_action", "mace:minutes", "mace:approve_minutes",
    "mace:add_addendum",
}

EVERYONE = sorted(PERSONAS)
NO_CASE_CONTENT = {"heidi", "ivan", "nina"}
ORGANISERS = {"erin", "grace", "oscar"}  # coordinators and MACE chairs

SEES = {
    "ours": {"grace", "alice", "charlie", "erin"},
    "approved": {"grace", "alice", "charlie", "erin"},
    "erins": {"erin"},
    "theirs": {"oscar"},
}
RUNS = {"ours": {"grace", "erin"}, "approved": {"grace", "erin"}, "erins": {"erin"}, "theirs": {"oscar"}}
CHAIRS = {"ours": {"grace"}, "approved": {"grace"}, "erins": {"erin"}, "theirs": {"oscar"}}
# Who may complete or cancel each meeting's action: its owner and the meeting's runners.
ACTION_UPDATERS = {"ours": {"alice", "grace", "erin"}, "approved": {"alice", "grace", "erin"},
                   "erins": {"erin"}, "theirs": {"oscar"}}


def _status(username: str, meeting: str, allowed: set[str]) -> int:
    if username in NO_CASE_CONTENT:
        return 403
    if username not in SEES[meeting]:
        return 404
    return 200 if username in allowed else 403


@pytest.fixture
def world(personas, people, agencies, meeting, kayleigh_item, run_meeting, today):
    run_meeting(meeting, kayleigh_item, approve=False)
    approved = actions.create_meeting(actor=personas["grace"], held_on=today - timedelta(days=7),
                                      chair_id=personas["grace"].pk,
                                      attendee_ids=[personas["alice"].pk, personas["charlie"].pk])
    hotel = actions.add_agenda_item(actor=personas["grace"], meeting_id=approved.pk, kind="location",
                                    location_name="Station Hotel", summary="Late-night visits.")
    run_meeting(approved, hotel)
    erins = actions.create_meeting(actor=personas["erin"], held_on=today, chair_id=personas["erin"].pk)
    jayden = actions.add_agenda_item(actor=personas["erin"], meeting_id=erins.pk, kind="child",
                                     person_id=people["jayden"].pk, summary="Carrying cash.")
    erins_action = actions.add_action(actor=personas["erin"], meeting_id=erins.pk, owner_id=personas["erin"].pk,
                                      due_on=today, description="Speak to the school.")
    oscar = personas["oscar"]
    theirs = actions.create_meeting(actor=oscar, held_on=today, chair_id=oscar.pk)
    other_child = actions.add_agenda_item(actor=oscar, meeting_id=theirs.pk, kind="child",
                                          person_id=people["elsewhere"].pk, summary="Elsewhere.")
    theirs_action = actions.add_action(actor=oscar, meeting_id=theirs.pk, owner_id=oscar.pk, due_on=today,
                                       description="Elsewhere action.")
    return {
        "ours": (meeting, kayleigh_item, meeting.actions.get()),
        "approved": (approved, hotel, approved.actions.get()),
        "erins": (erins, jayden, erins_action),
        "theirs": (theirs, other_child, theirs_action),
    }


def _get_cases(world):
    cases = [
        (reverse("mace:meetings"), lambda u: 403 if u in NO_CASE_CONTENT else 200),
        (reverse("mace:create"), lambda u: 200 if u in ORGANISERS else 403),
    ]
    for key, (meeting, item, action) in world.items():
        pk = {"pk": meeting.pk}
        cases += [
            (reverse("mace:detail", kwargs=pk), lambda u, k=key: _status(u, k, SEES[k])),
            (reverse("mace:add_item", kwargs=pk), lambda u, k=key: _status(u, k, SEES[k])),
            (reverse("mace:add_addendum", kwargs=pk), lambda u, k=key: _status(u, k, SEES[k])),
            (reverse("mace:invite", kwargs=pk), lambda u, k=key: _status(u, k, RUNS[k])),
            (reverse("mace:attendance", kwargs=pk), lambda u, k=key: _status(u, k, RUNS[k])),
            (reverse("mace:add_action", kwargs=pk), lambda u, k=key: _status(u, k, RUNS[k])),
            (reverse("mace:minutes", kwargs=pk), lambda u, k=key: _status(u, k, RUNS[k])),
            (reverse("mace:add_decision", kwargs={**pk, "item_pk": item.pk}),
             lambda u, k=key: _status(u, k, RUNS[k])),
            (reverse("mace:approve_minutes", kwargs=pk), lambda u, k=key: _status(u, k, CHAIRS[k])),
            (reverse("mace:update_action", kwargs={**pk, "action_pk": action.pk}),
             lambda u, k=key: _status(u, k, ACTION_UPDATERS[k])),
        ]
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


def _idor_status(username: str) -> int:
    """An item or action of another meeting, addressed through `ours`: never found."""
    if username in NO_CASE_CONTENT:
        return 403
    return 404


@pytest.mark.parametrize("username", EVERYONE)
def test_items_and_actions_of_other_meetings_cannot_be_reached_through_ours(username, client_for, world):
    client = client_for(username)
    ours = world["ours"][0]
    for other in ("erins", "theirs", "approved"):
        _, item, action = world[other]
        decision = client.get(reverse("mace:add_decision", kwargs={"pk": ours.pk, "item_pk": item.pk}))
        # Runners of `ours` get "not found"; attendees who do not run it are refused before the lookup.
        expected = _idor_status(username) if username not in {"alice", "charlie"} else 403
        assert decision.status_code == expected, (other, "decision")
        update = client.post(reverse("mace:update_action", kwargs={"pk": ours.pk, "action_pk": action.pk}),
                             {"status": "done", "note": "Reached through another meeting."})
        assert update.status_code == _idor_status(username), (other, "action")
    action = world["erins"][2]
    action.refresh_from_db()
    assert action.status == "open"


def _post_cases(world, personas, people, today):
    ours, item, action = world["ours"]
    approved = world["approved"][0]
    return [
        # Arranging: organisers in this partnership; oscar cannot choose a chair from ours (form error).
        ("create", reverse("mace:create"),
         {"held_on": today.strftime("%d/%m/%Y"), "chair": personas["grace"].pk},
         lambda u: {"erin": 302, "grace": 302, "oscar": 200}.get(u, 403)),
        # Proposing Jayden (recorded by health): only those who can see both the meeting and him succeed.
        ("add_item", reverse("mace:add_item", kwargs={"pk": ours.pk}),
         {"kind": "child", "person": people["jayden"].pk, "summary": "Carrying cash."},
         lambda u: {"charlie": 302, "erin": 302, "grace": 200, "alice": 200}.get(u, _status(u, "ours", set()))),
        ("add_decision", reverse("mace:add_decision", kwargs={"pk": ours.pk, "item_pk": item.pk}),
         {"text": "Refer to the exploitation team."},
         lambda u: 302 if u in RUNS["ours"] else _status(u, "ours", set())),
        ("update_action", reverse("mace:update_action", kwargs={"pk": ours.pk, "action_pk": action.pk}),
         {"status": "done", "note": "Done."},
         lambda u: 302 if u in ACTION_UPDATERS["ours"] else _status(u, "ours", set())),
        ("approve", reverse("mace:approve_minutes", kwargs={"pk": ours.pk}), {"confirm": "on"},
         lambda u: 302 if u == "grace" else _status(u, "ours", set())),
        ("addendum", reverse("mace:add_addendum", kwargs={"pk": approved.pk}), {"text": "Correction."},
         lambda u: 302 if u in SEES["approved"] else _status(u, "approved", set())),
    ]


@pytest.mark.parametrize("username", EVERYONE)
def test_the_main_changes_as_every_persona(username, client_for, world, personas, people, today):
    client = client_for(username)
    failures = []
    for name, url, data, expected in _post_cases(world, personas, people, today):
        status = client.post(url, data).status_code
        if status != expected(username):
            failures.append(f"POST {name}: got {status}, expected {expected(username)}")
    assert not failures, f"{username}:\n" + "\n".join(failures)
    # A refused or failed post changed nothing it should not have.
    if username not in {"charlie", "erin"}:
        assert not MaceAgendaItem.objects.filter(person=people["jayden"], meeting=world["ours"][0]).exists()
    if username != "grace":
        assert not MaceMeeting.objects.get(pk=world["ours"][0].pk).is_approved


def test_anonymous_is_sent_to_sign_in_everywhere(client, world):
    for url, _ in _get_cases(world):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), url


def test_absent_and_forbidden_meetings_look_the_same(client_for, world):
    client = client_for("bob")
    forbidden = client.get(reverse("mace:detail", kwargs={"pk": world["ours"][0].pk}))
    absent = client.get(reverse("mace:detail", kwargs={"pk": 987654321}))
    assert forbidden.status_code == absent.status_code == 404
    assert forbidden.templates[0].name == absent.templates[0].name


def test_an_attendee_who_loses_case_content_access_loses_the_meeting(client_for, world, personas):
    alice = personas["alice"]
    alice.membership.role = Role.AUDITOR
    alice.membership.save()
    url = reverse("mace:detail", kwargs={"pk": world["ours"][0].pk})
    assert client_for("alice").get(url).status_code == 403
