"""Every referrals URL, as every persona, with the statuses written out by hand.

Who sees what (see tests/conftest.py and wrekin/access/referrals.py):
- a referral is visible to whoever can see its child, and to the partnership's triagers —
  coordinators (erin) and children's social care managers (dana) — who must read what came in;
- a screening is visible exactly when its child is;
- triage is for triagers; approval for managers; screening for practitioners, managers and
  coordinators; referring for every role that records people.
Forbidden and absent records look the same (404); a role that may never do a thing gets 403.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS
from tests.referrals.conftest import TODAY, all_answers, referral_arguments, screening_post
from wrekin.referrals import actions
from wrekin.referrals.models import Referral, Screening, TriageDecision

COVERED_URL_NAMES = {
    "referrals:start",
    "referrals:create_for_new_child",
    "referrals:create",
    "referrals:detail",
    "referrals:triage_queue",
    "referrals:triage",
    "referrals:person_screenings",
    "referrals:screening_create",
    "referrals:screening_detail",
    "referrals:screening_approval",
    "referrals:approvals",
}

EVERYONE = set(PERSONAS)
RECORDERS = {"alice", "bob", "charlie", "dana", "erin", "frank", "grace", "oscar"}
SCREENERS = {"alice", "bob", "charlie", "dana", "erin", "oscar"}  # practitioners, managers, coordinators
TRIAGERS = {"dana", "erin", "oscar"}  # coordinators, and managers in children's social care
MANAGERS = {"dana"}

SEES = {
    "kayleigh": {"alice", "frank", "dana", "erin", "grace"},
    "daniel": {"bob", "erin", "frank"},
    "poc": {"alice", "frank", "erin"},
    "elsewhere": {"oscar"},
}
# Referral about Kayleigh (from police), about Daniel (from the school), and one in the other partnership.
REFERRAL_SEES = {
    "kayleigh": SEES["kayleigh"] | {"dana", "erin"},
    "daniel": SEES["daniel"] | {"dana", "erin"},  # dana cannot see Daniel, but triages his referral
    "elsewhere": {"oscar"},
}
REFERRAL_TRIAGERS = {"kayleigh": {"dana", "erin"}, "daniel": {"dana", "erin"}, "elsewhere": {"oscar"}}
SCREENING_SEES = {"kayleigh": SEES["kayleigh"], "elsewhere": {"oscar"}}


def _capability(allowed: set[str], visible: set[str]):
    """403 for a role that may never do it; otherwise 200 when the record is visible, else 404."""
    return lambda u: 403 if u not in allowed else (200 if u in visible else 404)


def _cases():
    cases = [
        ("referrals:start", None, None, lambda u: 200 if u in RECORDERS else 403),
        ("referrals:create_for_new_child", None, None, lambda u: 200 if u in RECORDERS else 403),
        ("referrals:triage_queue", None, None, lambda u: 200 if u in TRIAGERS else 403),
        ("referrals:approvals", None, None, lambda u: 200 if u in MANAGERS else 403),
    ]
    for person in SEES:
        is_child = person != "poc"
        cases.append(("referrals:create", "person", person,
                      _capability(RECORDERS, SEES[person] if is_child else set())))
        cases.append(("referrals:person_screenings", "person", person,
                      lambda u, p=person: 200 if u in SEES[p] else 404))
        cases.append(("referrals:screening_create", "person", person,
                      _capability(SCREENERS, SEES[person] if is_child else set())))
    for referral in REFERRAL_SEES:
        cases.append(("referrals:detail", "referral", referral,
                      lambda u, r=referral: 200 if u in REFERRAL_SEES[r] else 404))
        cases.append(("referrals:triage", "referral", referral,
                      _capability(TRIAGERS, REFERRAL_TRIAGERS[referral])))
    for screening in SCREENING_SEES:
        cases.append(("referrals:screening_detail", "screening", screening,
                      lambda u, s=screening: 200 if u in SCREENING_SEES[s] else 404))
        cases.append(("referrals:screening_approval", "screening", screening,
                      _capability(MANAGERS, SCREENING_SEES[screening])))
    return cases


CASES = _cases()


def test_every_url_of_the_app_is_walked():
    assert {name for name, *_ in CASES} == COVERED_URL_NAMES


@pytest.fixture
def records(personas, people, instrument, frozen):
    """A referral about Kayleigh (police), one about Daniel (school) and one elsewhere; two screenings."""
    referrals = {
        "kayleigh": actions.record_referral(actor=personas["alice"], child=people["kayleigh"], **referral_arguments()),
        "daniel": actions.record_referral(actor=personas["bob"], child=people["daniel"], **referral_arguments()),
        "elsewhere": actions.record_referral(actor=personas["oscar"], child=people["elsewhere"],
                                             **referral_arguments()),
    }
    screenings = {
        "kayleigh": actions.record_screening(actor=personas["erin"], child=people["kayleigh"], grade="medium",
                                             answers=all_answers(instrument), rationale="r", today=TODAY),
        "elsewhere": actions.record_screening(actor=personas["oscar"], child=people["elsewhere"], grade="medium",
                                              answers=all_answers(instrument), rationale="r", today=TODAY),
    }
    return {"person": people, "referral": referrals, "screening": screenings}


def _url(name, kind, key, records):
    return reverse(name, kwargs={"pk": records[kind][key].pk}) if kind else reverse(name)


@pytest.mark.parametrize("username", sorted(EVERYONE))
def test_every_url_as_every_persona(username, client_for, records):
    client = client_for(username)
    failures = []
    for name, kind, key, expected in CASES:
        response = client.get(_url(name, kind, key, records))
        if response.status_code != expected(username):
            failures.append(f"GET {name} {key or ''}: got {response.status_code}, expected {expected(username)}")
    assert not failures, f"{username}:\n" + "\n".join(failures)


def test_anonymous_is_sent_to_sign_in_everywhere(client, records):
    for name, kind, key, _ in CASES:
        response = client.get(_url(name, kind, key, records))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), name


def test_password_only_session_reaches_none_of_it(client, personas, records):
    client.force_login(personas["erin"])
    for name, kind, key, _ in CASES:
        response = client.get(_url(name, kind, key, records))
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:mfa")), name


# --- The main POSTs, including attempts on other agencies' and partnerships' ids ---------------------

def test_referring_a_child_the_referrer_cannot_see_is_refused(client_for, records, people):
    from tests.referrals.test_views import referral_post

    before = Referral.objects.count()
    response = client_for("bob").post(reverse("referrals:create", args=[people["kayleigh"].pk]), referral_post())
    assert response.status_code == 404 and Referral.objects.count() == before
    response = client_for("heidi").post(reverse("referrals:create_for_new_child"), referral_post())
    assert response.status_code == 403 and Referral.objects.count() == before


@pytest.mark.parametrize("username, referral, status", [
    ("bob", "daniel", 403),        # a practitioner does not triage, even their own referral
    ("grace", "kayleigh", 403),    # a MACE chair does not triage
    ("oscar", "kayleigh", 404),    # another partnership's coordinator
    ("erin", "elsewhere", 404),    # this partnership's coordinator, the other partnership's referral
    ("dana", "daniel", 302),       # a children's social care manager triages
])
def test_triage_posts(client_for, records, username, referral, status):
    target = records["referral"][referral]
    response = client_for(username).post(reverse("referrals:triage", args=[target.pk]), {"outcome": "screen"})
    assert response.status_code == status
    assert TriageDecision.objects.filter(referral=target).exists() is (status == 302)


def test_screening_a_child_the_screener_cannot_see_is_refused(client_for, records, instrument, people):
    before = Screening.objects.count()
    response = client_for("bob").post(reverse("referrals:screening_create", args=[people["kayleigh"].pk]),
                                      screening_post(instrument))
    assert response.status_code == 404
    response = client_for("frank").post(reverse("referrals:screening_create", args=[people["kayleigh"].pk]),
                                        screening_post(instrument))
    assert response.status_code == 403 and Screening.objects.count() == before


def test_screening_from_an_invisible_referral_is_refused(client_for, records, people):
    # Erin may screen Kayleigh, but the id in the address is the other partnership's referral.
    url = reverse("referrals:screening_create", args=[people["kayleigh"].pk])
    assert client_for("erin").get(f"{url}?referral={records['referral']['elsewhere'].pk}").status_code == 404
    # ...or a referral about a different child.
    assert client_for("erin").get(f"{url}?referral={records['referral']['daniel'].pk}").status_code == 404
    assert client_for("erin").get(f"{url}?revises={records['screening']['elsewhere'].pk}").status_code == 404


@pytest.mark.parametrize("username, screening, status", [
    ("alice", "kayleigh", 403),    # practitioners do not approve
    ("erin", "kayleigh", 403),     # nor do coordinators
    ("dana", "elsewhere", 404),    # another partnership's screening
    ("dana", "kayleigh", 302),
])
def test_approval_posts(client_for, records, username, screening, status):
    target = records["screening"][screening]
    response = client_for(username).post(reverse("referrals:screening_approval", args=[target.pk]),
                                         {"decision": "approve"})
    assert response.status_code == status
    target.refresh_from_db()
    assert (target.status == "approved") is (status == 302)


def test_unknown_and_forbidden_referrals_look_the_same(client_for, records):
    client = client_for("bob")
    forbidden = client.get(reverse("referrals:detail", args=[records["referral"]["kayleigh"].pk]))
    absent = client.get(reverse("referrals:detail", args=[987654321]))
    assert forbidden.status_code == absent.status_code == 404
    token = re.compile(rb'(name="csrfmiddlewaretoken" value|nonce)="[^"]+"')
    assert token.sub(b"", forbidden.content) == token.sub(b"", absent.content)


def test_a_refused_open_is_not_recorded_as_a_view(client_for, records):
    from wrekin.audit.models import AuditEvent

    client_for("bob").get(reverse("referrals:detail", args=[records["referral"]["kayleigh"].pk]))
    client_for("bob").get(reverse("referrals:screening_detail", args=[records["screening"]["kayleigh"].pk]))
    assert not AuditEvent.objects.filter(event_type__in=("referral.viewed", "screening.viewed")).exists()


def test_if_the_audit_write_fails_the_referral_is_not_shown(client_for, records, monkeypatch):
    client = client_for("alice")
    client.raise_request_exception = False

    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("wrekin.referrals.views.record_event", broken)
    response = client.get(reverse("referrals:detail", args=[records["referral"]["kayleigh"].pk]))
    assert response.status_code == 500 and b"silver car" not in response.content
