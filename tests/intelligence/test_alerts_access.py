"""Every link-alert, entity, mention and intelligence-report URL, as every persona.

Statuses written out by hand from wrekin/access/intelligence.py. The world:
- alert "ours": AB12 CDE named by bob (school) about Daniel and by alice (police) about Kayleigh
  (Kayleigh is known to police and CSC; Daniel to the school);
- mention "ours": the narrative mention (unconfirmed) in bob's record about Daniel;
- report "p": frank's handling-code P report about Kayleigh; report "c": frank's handling-code C
  report about Jayden (health) with bob as the only named recipient;
- "theirs": oscar's partnership's alert, entity and report (never visible outside it).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tests.conftest import PERSONAS
from wrekin.intelligence.link_views import ALERT_URL_NAMES
from wrekin.intelligence.models import IntelligenceReport, LinkAlert, Mention, MentionStatus
from wrekin.intelligence.reports import record_report

COVERED_URL_NAMES = set(ALERT_URL_NAMES)

EVERYONE = sorted(PERSONAS)
NO_CASE_CONTENT = {"heidi", "ivan", "nina"}
CASE_CONTENT = set(EVERYONE) - NO_CASE_CONTENT

SEES = {
    # Full view of the alert (coordinators and analysts), limited view (can see one of its children).
    "alert_full": {"erin", "frank"},
    "alert_limited": {"alice", "bob", "dana", "grace"},
    # The entity AB12 CDE: partnership-wide roles, and anyone who can see one of its mentions' children.
    "entity": {"erin", "frank", "alice", "bob", "dana", "grace"},
    # bob's narrative mention about Daniel.
    "mention": {"erin", "frank", "bob"},
    # P report about Kayleigh: partnership-wide, police (alice), those who see Kayleigh (dana, grace).
    "report_p": {"erin", "frank", "alice", "dana", "grace"},
    # C report: partnership-wide, the author (frank) and the named recipient (bob) only.
    "report_c": {"erin", "frank", "bob"},
    "theirs": {"oscar"},
}


def expected(username: str, subject: str) -> int:
    if username in NO_CASE_CONTENT:
        return 403
    if subject == "alert":
        return 200 if username in SEES["alert_full"] | SEES["alert_limited"] else 404
    return 200 if username in SEES[subject] else 404


@pytest.fixture
def world(save, people, personas):
    save("bob", people["daniel"], [("vehicle", "ab12cde")],
         narrative="Seen with an older male whose number is 07700 900123.")
    save("alice", people["kayleigh"], [("vehicle", "AB12 CDE")], days=2)
    save("oscar", people["elsewhere"], [("vehicle", "AB12 CDE")])
    save("oscar", people["elsewhere"], [("vehicle", "AB12 CDE")], days=1)
    # A second agency in oscar's partnership is not set up, so "theirs" links two records of one child from one
    # agency: no alert. Their alert comes from a second child.
    from tests.conftest import make_person

    other_child = make_person(people["elsewhere"].recorded_by_agency, given="Leah", family="Brown",
                              dob=date(2011, 2, 2))
    save("oscar", other_child, [("vehicle", "AB12 CDE")], days=3)
    ours = LinkAlert.objects.get(partnership=people["daniel"].partnership)
    theirs = LinkAlert.objects.get(partnership=people["elsewhere"].partnership)
    mention = Mention.objects.get(status=MentionStatus.UNCONFIRMED, partnership=people["daniel"].partnership)
    report_p = record_report(actor=personas["frank"], title="Silver car at the park", narrative="Seen at the park.",
                             information_date=date(2026, 5, 1), source_evaluation="2", intelligence_assessment="B",
                             handling_code="P", child_ids=[people["kayleigh"].pk])
    report_c = record_report(actor=personas["frank"], title="Source report", narrative="From a source.",
                             information_date=date(2026, 5, 1), source_evaluation="1", intelligence_assessment="C",
                             handling_code="C", handling_conditions="Not to be shared outside the named people",
                             recipient_ids=[personas["bob"].pk], child_ids=[people["jayden"].pk])
    report_theirs = record_report(actor=personas["oscar"], title="Theirs", narrative="Elsewhere.",
                                  information_date=date(2026, 5, 1), source_evaluation="2",
                                  intelligence_assessment="C", handling_code="P")
    return {"alert": (ours, theirs), "entity": (ours.anchor_entity, theirs.anchor_entity),
            "mention": mention, "report_p": report_p, "report_c": report_c, "report_theirs": report_theirs}


def get_cases(world):
    ours, theirs = world["alert"]
    entity, their_entity = world["entity"]
    everyone_with_content = lambda u: 403 if u in NO_CASE_CONTENT else 200  # noqa: E731
    return [
        (reverse("intelligence:alerts"), everyone_with_content),
        (reverse("intelligence:alerts") + "?status=new", everyone_with_content),
        (reverse("intelligence:reports"), everyone_with_content),
        (reverse("intelligence:report_create"), everyone_with_content),
        (reverse("intelligence:alert_detail", kwargs={"pk": ours.pk}), lambda u: expected(u, "alert")),
        (reverse("intelligence:alert_detail", kwargs={"pk": theirs.pk}), lambda u: expected(u, "theirs")),
        (reverse("intelligence:alert_detail", kwargs={"pk": 999999}), lambda u: expected(u, "none")),
        (reverse("intelligence:entity_detail", kwargs={"pk": entity.pk}), lambda u: expected(u, "entity")),
        (reverse("intelligence:entity_detail", kwargs={"pk": their_entity.pk}), lambda u: expected(u, "theirs")),
        (reverse("intelligence:mention_review", kwargs={"pk": world["mention"].pk}), lambda u: expected(u, "mention")),
        (reverse("intelligence:report_detail", kwargs={"pk": world["report_p"].pk}),
         lambda u: expected(u, "report_p")),
        (reverse("intelligence:report_detail", kwargs={"pk": world["report_c"].pk}),
         lambda u: expected(u, "report_c")),
        (reverse("intelligence:report_detail", kwargs={"pk": world["report_theirs"].pk}),
         lambda u: expected(u, "theirs")),
    ]


SEES["none"] = set()


@pytest.mark.parametrize("username", EVERYONE)
def test_every_page_as_every_persona(username, client_for, world):
    client = client_for(username)
    failures = []
    for url, want in get_cases(world):
        status = client.get(url).status_code
        if status != want(username):
            failures.append(f"GET {url}: got {status}, expected {want(username)}")
    assert not failures, f"{username}:\n" + "\n".join(failures)


@pytest.mark.parametrize("username", EVERYONE)
def test_the_main_changes_as_every_persona(username, client_for, world, people):
    client = client_for(username)
    ours, theirs = world["alert"]
    failures = []

    def check(url, data, want):
        status = client.post(url, data).status_code
        if status != want:
            failures.append(f"POST {url}: got {status}, expected {want}")

    # Triage: coordinators and analysts (302); limited viewers may not (403); the rest never see it.
    triage_want = 403 if username in NO_CASE_CONTENT else (
        302 if username in SEES["alert_full"] else 403 if username in SEES["alert_limited"] else 404)
    check(reverse("intelligence:alert_detail", kwargs={"pk": ours.pk}), {"to_status": "reviewed"}, triage_want)
    check(reverse("intelligence:alert_detail", kwargs={"pk": theirs.pk}), {"to_status": "reviewed"},
          403 if username in NO_CASE_CONTENT else 302 if username == "oscar" else 404)
    # Confirming the machine-found mention: anyone who can see it.
    mention_want = 403 if username in NO_CASE_CONTENT else 302 if username in SEES["mention"] else 404
    check(reverse("intelligence:mention_review", kwargs={"pk": world["mention"].pk}),
          {"form": "review", "decision": "confirm"}, mention_want)
    # Recording a report: every case-content role.
    before = IntelligenceReport.objects.count()
    check(reverse("intelligence:report_create"), {
        "title": "Car outside the takeaway", "narrative": "Seen twice this week.", "information_date": "01/05/2026",
        "source_evaluation": "2", "intelligence_assessment": "C", "handling_code": "P",
        "mentions-TOTAL_FORMS": "3", "mentions-INITIAL_FORMS": "0"}, 403 if username in NO_CASE_CONTENT else 302)
    assert IntelligenceReport.objects.count() == before + (0 if username in NO_CASE_CONTENT else 1)
    assert not failures, f"{username}:\n" + "\n".join(failures)


def test_a_report_cannot_name_a_child_the_author_cannot_see(client_for, world, people):
    client = client_for("bob")
    response = client.post(reverse("intelligence:report_create"), {
        "title": "x", "narrative": "y", "information_date": "01/05/2026", "source_evaluation": "2",
        "intelligence_assessment": "C", "handling_code": "P", "children": [str(people["kayleigh"].pk)],
        "mentions-TOTAL_FORMS": "3", "mentions-INITIAL_FORMS": "0"})
    assert response.status_code == 200
    assert "Choose children from the list" in response.content.decode()
    assert not IntelligenceReport.objects.filter(title="x").exists()
