"""Intelligence reports: 3x5x2 grading, who may read P and C reports, and what a report mentions."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.conftest import PERSONAS
from wrekin.access.intelligence import reports_visible_to
from wrekin.audit.models import AuditEvent
from wrekin.intelligence.models import IntelligenceReport, LinkAlert, Mention
from wrekin.intelligence.reports import record_report

TODAY = date(2026, 6, 1)


@pytest.fixture
def report(personas):
    def _report(username="frank", **fields):
        values = {"title": "Silver car at the park", "narrative": "Seen at Wrekin Park most evenings.",
                  "information_date": date(2026, 5, 20), "source_evaluation": "2", "intelligence_assessment": "B",
                  "handling_code": "P", "today": TODAY, **fields}
        return record_report(actor=personas[username], **values)

    return _report


def readers(report_obj) -> set[str]:
    from wrekin.accounts.models import User

    return {u.username for u in User.objects.all() if reports_visible_to(u).filter(pk=report_obj.pk).exists()}


def test_a_report_is_graded_and_audited(report, people):
    made = report(child_ids=[people["kayleigh"].pk], person_ids=[people["poc"].pk])
    assert made.grading == "2/B/P"
    assert list(made.subject_children.all()) == [people["kayleigh"]]
    event = AuditEvent.objects.get(event_type="intelligence_report.recorded")
    assert event.details["grading"] == "2/B/P" and event.details["children"] == [people["kayleigh"].pk]
    assert "Park" not in str(event.details)


@pytest.mark.parametrize(("field", "value"), [("source_evaluation", "4"), ("intelligence_assessment", "F"),
                                               ("handling_code", "X"), ("title", " "), ("narrative", ""),
                                               ("information_date", date(2026, 7, 1))])
def test_grading_and_details_are_checked(report, field, value):
    with pytest.raises(ValidationError) as error:
        report(**{field: value})
    assert field in error.value.message_dict
    assert not IntelligenceReport.objects.exists()


def test_handling_code_c_needs_its_conditions(report, personas):
    with pytest.raises(ValidationError) as error:
        report(handling_code="C")
    assert "handling_conditions" in error.value.message_dict
    made = report(handling_code="C", handling_conditions="Not for onward sharing", recipient_ids=[personas["bob"].pk])
    assert made.handling_conditions == "Not for onward sharing"
    assert [u.username for u in made.recipients.all()] == ["bob"]


def test_p_reports_ignore_conditions_and_recipients(report, personas):
    made = report(handling_conditions="ignored", recipient_ids=[personas["bob"].pk])
    assert made.handling_conditions == "" and not made.recipients.exists()


def test_subjects_must_be_people_the_author_can_see(report, people):
    with pytest.raises(ValidationError) as error:
        report(username="bob", child_ids=[people["kayleigh"].pk])
    assert "children" in error.value.message_dict
    with pytest.raises(ValidationError):
        report(username="alice", person_ids=[people["kayleigh"].pk])  # a child is not a person of concern
    with pytest.raises(ValidationError):
        report(handling_code="C", handling_conditions="x", recipient_ids=[999999])


@pytest.mark.parametrize("username", ["heidi", "ivan", "nina"])
def test_roles_without_case_content_cannot_record(report, username):
    with pytest.raises(PermissionDenied):
        report(username=username)


def test_who_reads_a_p_report(report, people):
    # Police (alice, frank), the partnership-wide roles (erin, frank), and those who see Kayleigh (dana, grace).
    assert readers(report(child_ids=[people["kayleigh"].pk])) == {"alice", "dana", "erin", "frank", "grace"}
    # About Daniel: the school sees him; police see P reports anyway.
    assert readers(report(username="bob", child_ids=[people["daniel"].pk])) == {"alice", "bob", "erin", "frank"}
    # About nobody: police and the partnership-wide roles, and the author.
    assert readers(report(username="charlie")) == {"alice", "charlie", "erin", "frank"}


def test_who_reads_a_c_report(report, people, personas):
    made = report(handling_code="C", handling_conditions="Named recipients only", child_ids=[people["kayleigh"].pk],
                  recipient_ids=[personas["charlie"].pk])
    # Not alice (police) nor dana and grace (who see Kayleigh): only the named, the author and the wide roles.
    assert readers(made) == {"charlie", "erin", "frank"}


def test_other_partnerships_never_read_a_report(report):
    made = report()
    assert "oscar" not in readers(made)
    assert set(PERSONAS) - readers(made) >= {"oscar", "heidi", "ivan", "nina"}


def test_what_a_report_mentions_is_recorded_for_each_subject_child(report, people):
    made = report(child_ids=[people["kayleigh"].pk, people["daniel"].pk],
                  narrative="The driver uses 07700 900123.", mentions=[{"type": "vehicle", "value": "AB12 CDE"}])
    mentions = Mention.objects.filter(source_type="intelligence.intelligencereport", source_id=made.pk)
    assert sorted(mentions.values_list("entity__key", "child__given_name")) == [
        ("+447700900123", "Daniel"), ("+447700900123", "Kayleigh"), ("AB12CDE", "Daniel"), ("AB12CDE", "Kayleigh")]
    assert {m.source_title for m in mentions} == {"Intelligence report 2/B/P from Test Constabulary"}
    # One report about two children is not a link on its own.
    assert not LinkAlert.objects.exists()


def test_a_report_joins_a_link_alert(report, save, people):
    save("bob", people["daniel"], [("vehicle", "AB12 CDE")])
    report(mentions=[{"type": "vehicle", "value": "ab12cde"}])
    alert = LinkAlert.objects.get()
    assert (alert.record_count, alert.child_count, alert.agency_count) == (2, 1, 2)


def test_report_mentions_follow_the_reports_handling(report, save, people, client_for, personas):
    made = report(handling_code="C", handling_conditions="Named only", child_ids=[people["kayleigh"].pk],
                  mentions=[{"type": "phone", "value": "07700 900999"}])
    mention = Mention.objects.get(source_id=made.pk)
    # alice sees Kayleigh, but not this C report: its mention is not hers to see.
    assert client_for("alice").get(reverse("intelligence:entity_detail", kwargs={"pk": mention.entity_id})
                                   ).status_code == 404
    assert client_for("erin").get(reverse("intelligence:entity_detail", kwargs={"pk": mention.entity_id})
                                  ).status_code == 200


def test_the_pages_record_and_show_a_report(client_for, people):
    client = client_for("alice")
    page = client.get(reverse("intelligence:report_create")).content.decode()
    assert "Source evaluation" in page and "Handling code" in page
    response = client.post(reverse("intelligence:report_create"), {
        "person_search": "Kayleigh", "find": "1", "title": "Kept", "mentions-TOTAL_FORMS": "3",
        "mentions-INITIAL_FORMS": "0", "mentions-0-value": "AB12 CDE", "mentions-0-type": "vehicle"})
    page = response.content.decode()
    assert "Kayleigh Smith" in page and 'value="Kept"' in page and 'value="AB12 CDE"' in page
    response = client.post(reverse("intelligence:report_create"), {
        "title": "Kept", "narrative": "", "handling_code": "C", "mentions-TOTAL_FORMS": "3",
        "mentions-INITIAL_FORMS": "0"})
    page = response.content.decode()
    assert "Enter the intelligence" in page and "Write the conditions that apply to handling code C" in page
    response = client.post(reverse("intelligence:report_create"), {
        "title": "Kept", "narrative": "Car AB12 CDE seen.", "information_date": "20/05/2026",
        "source_evaluation": "1", "intelligence_assessment": "A", "handling_code": "P",
        "children": [str(people["kayleigh"].pk)], "mentions-TOTAL_FORMS": "3", "mentions-INITIAL_FORMS": "0"})
    assert response.status_code == 302
    made = IntelligenceReport.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "1/A/P" in page and "Kayleigh Smith" in page and "Vehicle AB12 CDE" in page
    assert AuditEvent.objects.filter(event_type="intelligence_report.viewed", object_id=str(made.pk)).exists()
