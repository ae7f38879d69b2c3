"""Reversible merges: every row of every app moves to the survivor, and exactly those rows move back.

Kayleigh Smith (police) and "Kayley Smyth" (children's social care) are one girl recorded twice. Each record has
names, addresses, phones, involvements, relationships, a missing episode, a case or not, an intelligence report,
a notification, an agency's source record... The merge must move all of it and the unmerge must restore the exact
row sets, table by table.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from tests.conftest import make_person
from wrekin.access.known_to import flaggable_people
from wrekin.access.linkage import survivor_for_user
from wrekin.access.models import Notification, RestrictedAccess
from wrekin.access.policy import people_visible_to
from wrekin.audit.models import AuditEvent
from wrekin.casework import actions as casework
from wrekin.intelligence.models import IntelligenceReport
from wrekin.linkage.merges import MergeConflict, merge_people, person_relations, unmerge_people
from wrekin.linkage.models import CandidateReason, CandidateStatus, MatchCandidate, PersonMerge, SourceRecord
from wrekin.missing import actions as missing
from wrekin.people.models import (
    Involvement,
    NameKind,
    Person,
    PersonAddress,
    PersonName,
    PersonPhone,
    PersonRelationship,
)
from wrekin.people.search import search_people

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def snapshot(*people) -> set[tuple]:
    """Every row of every table that points at these people: (table, column, row id, person id)."""
    ids = [person.pk for person in people]
    rows = set()
    for relation in person_relations():
        for pk, person_id in relation.model.objects.filter(**{f"{relation.field}__in": ids}).values_list(
                "pk", relation.field):
            rows.add((relation.label, relation.field, pk, person_id))
    return rows


@pytest.fixture
def twice(personas, agencies, people):
    """Kayleigh (police, CSC involved) and her second record, Kayley Smyth, made by children's social care."""
    kayleigh = people["kayleigh"]
    kayley = make_person(agencies["csc"], given="Kayley", family="Smyth", dob=date(2010, 3, 4), sex="F",
                         known_as="Kay", nhs_number="9434765919")
    jayden = people["jayden"]
    police, csc = agencies["police"], agencies["csc"]
    for person, agency, line1, number in ((kayleigh, police, "1 High Street", "+447700900001"),
                                          (kayley, csc, "1 High St", "+447700900002")):
        PersonAddress.objects.create(person=person, line1=line1, postcode="TF1 2AB", recorded_by_agency=agency)
        PersonPhone.objects.create(person=person, number=number, recorded_by_agency=agency)
    PersonName.objects.create(person=kayley, kind=NameKind.NICKNAME, given_name="Kayz", recorded_by_agency=csc)
    PersonRelationship.objects.create(from_person=kayley, to_person=jayden, kind="peer", recorded_by_agency=csc,
                                      recorded_on=date(2026, 1, 10))
    PersonRelationship.objects.create(from_person=jayden, to_person=kayley, kind="peer", recorded_by_agency=csc,
                                      recorded_on=date(2026, 1, 10))
    missing.record_missing_episode(
        actor=personas["dana"], child=kayley, reported_at=datetime(2026, 3, 1, 20, tzinfo=LONDON),
        returned_at=datetime(2026, 3, 2, 8, tzinfo=LONDON), found_where="Returned home",
        last_seen_where="Town centre", circumstances="Did not come home after school.", police_risk_grade="medium")
    casework.open_case(actor=personas["dana"], person_id=kayley.pk, reason="Missing and older boyfriend",
                       lead_professional_id=personas["dana"].pk, today=date(2026, 3, 3))
    report = IntelligenceReport.objects.create(
        partnership=kayleigh.partnership, title="Seen in a grey car", narrative="Seen getting into a grey car.",
        information_date=date(2026, 2, 1), source_evaluation="1", intelligence_assessment="B", handling_code="P",
        recorded_by=personas["frank"], recorded_by_agency=police, recorded_at=datetime(2026, 2, 2, tzinfo=LONDON))
    report.subject_children.add(kayleigh, kayley)  # both records named on one report: a set-like duplicate
    Notification.objects.create(recipient=personas["dana"], kind="known_to_lookup", person=kayley,
                                message="Looked up")
    return {"kayleigh": kayleigh, "kayley": kayley, "report": report, "jayden": jayden}


def test_merge_moves_every_row_and_unmerge_restores_the_exact_state(personas, twice):
    kayleigh, kayley = twice["kayleigh"], twice["kayley"]
    before = snapshot(kayleigh, kayley)
    on_kayley = {row for row in before if row[3] == kayley.pk}
    assert {row[0] for row in on_kayley} >= {"people.personaddress", "people.personphone", "people.personname",
                                              "people.involvement", "people.personrelationship", "casework.case",
                                              "missing.missingepisode", "access.notification",
                                              "intelligence.intelligencereport_subject_children"}

    merge = merge_people(actor=personas["erin"], survivor_id=kayleigh.pk, merged_id=kayley.pk,
                         reason="Same NHS number as the GP record")
    after_merge = snapshot(kayleigh, kayley)
    assert not [row for row in after_merge if row[3] == kayley.pk], "nothing is left on the merged record"
    # Every row moved, except Kayley's copy of the report link (Kayleigh is already on that report); the merge
    # added Kayley's name and nickname to Kayleigh's other names.
    added = [pk for entry in merge.created_rows for pk in entry["pks"]]
    assert len(added) == 2 and len(after_merge) == len(before) - 1 + len(added)
    assert sorted(PersonName.objects.filter(pk__in=added).values_list("kind", "given_name")) == [
        ("nickname", "Kay"), ("spelling", "Kayley")]
    assert list(twice["report"].subject_children.all()) == [kayleigh]
    kayley.refresh_from_db()
    assert kayley.merged_into == kayleigh and kayley.merged_at is not None
    kayleigh.refresh_from_db()
    assert kayleigh.nhs_number == "9434765919" and merge.filled_fields == {"nhs_number": "9434765919"}
    assert merge.rows_moved == len(on_kayley) - 1

    unmerge_people(actor=personas["erin"], merge_id=merge.pk, reason="The NHS number was keyed on the wrong record")
    assert snapshot(kayleigh, kayley) == before
    kayley.refresh_from_db()
    kayleigh.refresh_from_db()
    assert kayley.merged_into is None and kayley.merged_at is None
    assert kayleigh.nhs_number == "" and kayley.nhs_number == "9434765919"
    assert sorted(p.pk for p in twice["report"].subject_children.all()) == sorted([kayleigh.pk, kayley.pk])
    assert not PersonName.objects.filter(person=kayleigh).exists()  # the names the merge added are gone


def test_the_merged_record_is_hidden_and_its_address_leads_to_the_survivor(personas, twice, client_for):
    kayleigh, kayley = twice["kayleigh"], twice["kayley"]
    merge_people(actor=personas["erin"], survivor_id=kayleigh.pk, merged_id=kayley.pk, reason="Same girl")
    for username in ("erin", "dana", "alice"):
        assert not people_visible_to(personas[username]).filter(pk=kayley.pk).exists()
    assert not flaggable_people(personas["bob"]).filter(pk=kayley.pk).exists()
    # The survivor is found by the way the other agency spelt her name, and by her nickname there.
    found = search_people(people_visible_to(personas["erin"]), "Kayley Smyth 2010")
    assert [match.person for match in found] == [kayleigh]
    assert [m.person for m in search_people(people_visible_to(personas["erin"]), "Kay Smith")][:1] == [kayleigh]
    # Those who can see the survivor are sent on; others get the same 404 as for anyone unknown.
    assert survivor_for_user(personas["dana"], kayley.pk) == kayleigh
    assert survivor_for_user(personas["bob"], kayley.pk) is None
    response = client_for("dana").get(reverse("linkage:merged_person", args=[kayley.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("people:detail", args=[kayleigh.pk])
    assert client_for("bob").get(reverse("linkage:merged_person", args=[kayley.pk])).status_code == 404
    assert client_for("dana").get(reverse("linkage:merged_person", args=[kayleigh.pk])).status_code == 404


def test_rows_added_to_the_survivor_after_the_merge_stay_with_the_survivor(personas, twice):
    kayleigh, kayley = twice["kayleigh"], twice["kayley"]
    merge = merge_people(actor=personas["erin"], survivor_id=kayleigh.pk, merged_id=kayley.pk, reason="Same girl")
    later = PersonAddress.objects.create(person=kayleigh, line1="Foster placement", postcode="TF3 1AA",
                                         recorded_by_agency=kayleigh.recorded_by_agency)
    unmerge_people(actor=personas["erin"], merge_id=merge.pk, reason="Two girls")
    later.refresh_from_db()
    assert later.person == kayleigh


def test_merge_and_unmerge_are_audited_and_the_trail_keeps_its_person_ids(personas, twice):
    kayleigh, kayley = twice["kayleigh"], twice["kayley"]
    earlier = list(AuditEvent.objects.filter(person_id=kayley.pk).values_list("seq", flat=True))
    assert earlier, "the fixture's actions wrote events about Kayley"
    merge = merge_people(actor=personas["erin"], survivor_id=kayleigh.pk, merged_id=kayley.pk, reason="Same girl")
    merged_event = AuditEvent.objects.get(event_type="linkage.person_merged")
    assert (merged_event.person_id, merged_event.object_id, merged_event.reason) == (kayleigh.pk, str(merge.pk),
                                                                                      "Same girl")
    assert merged_event.details["merged_person"] == kayley.pk and merged_event.details["method"] == "reviewed"
    assert AuditEvent.objects.get(event_type="linkage.person_merged_into").person_id == kayley.pk
    # The events written about Kayley before the merge still name Kayley.
    assert set(AuditEvent.objects.filter(seq__in=earlier).values_list("person_id", flat=True)) == {kayley.pk}
    unmerge_people(actor=personas["erin"], merge_id=merge.pk, reason="Two girls")
    unmerged = AuditEvent.objects.get(event_type="linkage.person_unmerged")
    assert unmerged.person_id == kayleigh.pk and unmerged.details["rows_missing"] == 0
    assert unmerged.details["rows_restored"] == merge.rows_moved + len(merge.removed_rows)
    assert AuditEvent.objects.get(event_type="linkage.person_restored").person_id == kayley.pk


def test_two_open_cases_are_refused_with_a_clear_message(personas, twice):
    kayleigh, kayley = twice["kayleigh"], twice["kayley"]
    casework.open_case(actor=personas["dana"], person_id=kayleigh.pk, reason="Exploitation concerns",
                       lead_professional_id=personas["dana"].pk, today=date(2026, 3, 3))
    before = snapshot(kayleigh, kayley)
    with pytest.raises(MergeConflict) as refused:
        merge_people(actor=personas["erin"], survivor_id=kayleigh.pk, merged_id=kayley.pk, reason="Same girl")
    assert "Both records have an open case" in refused.value.messages[0]
    assert snapshot(kayleigh, kayley) == before and not PersonMerge.objects.exists()
    kayley.refresh_from_db()
    assert kayley.merged_into is None


def test_other_unique_rules_are_named_too(personas, twice):
    """RestrictedAccess is set-like (kept once); a rule Wrekin has no words for is named by its table."""
    kayleigh, kayley = twice["kayleigh"], twice["kayley"]
    Person.objects.filter(pk__in=[kayleigh.pk, kayley.pk]).update(is_restricted=True)
    for person in (kayleigh, kayley):
        RestrictedAccess.objects.create(person=person, user=personas["erin"], granted_by=personas["dana"],
                                        reason="Relative of a member of staff")
    merge = merge_people(actor=personas["erin"], survivor_id=kayleigh.pk, merged_id=kayley.pk, reason="Same girl")
    assert RestrictedAccess.objects.filter(user=personas["erin"]).count() == 1
    assert [entry["model"] for entry in merge.removed_rows].count("access.restrictedaccess") == 1
    unmerge_people(actor=personas["erin"], merge_id=merge.pk, reason="Two girls")
    assert RestrictedAccess.objects.filter(user=personas["erin"]).count() == 2


@pytest.mark.parametrize("change, message", [
    ("restricted", "restricted to named users"),
    ("related", "recorded as connected to each other"),
    ("kind", "a person of concern"),
    ("same", "cannot be merged with themselves"),
])
def test_merges_that_would_mislead_are_refused(personas, twice, agencies, change, message):
    kayleigh, kayley = twice["kayleigh"], twice["kayley"]
    if change == "restricted":
        Person.objects.filter(pk=kayley.pk).update(is_restricted=True)
        RestrictedAccess.objects.create(person=kayley, user=personas["erin"], granted_by=personas["dana"],
                                        reason="Relative of a member of staff")
    elif change == "related":
        PersonRelationship.objects.create(from_person=kayleigh, to_person=kayley, kind="sibling",
                                          recorded_by_agency=agencies["csc"], recorded_on=date(2026, 1, 1))
    elif change == "kind":
        Person.objects.filter(pk=kayley.pk).update(kind="person_of_concern")
    merged_id = kayleigh.pk if change == "same" else kayley.pk
    with pytest.raises(MergeConflict, match=message):
        merge_people(actor=personas["erin"], survivor_id=kayleigh.pk, merged_id=merged_id, reason="Same girl")
    assert not PersonMerge.objects.exists()


@pytest.mark.parametrize("username", ["frank", "alice", "dana", "grace", "heidi", "ivan", "nina"])
def test_only_coordinators_merge_and_unmerge(username, personas, twice):
    kayleigh, kayley = twice["kayleigh"], twice["kayley"]
    with pytest.raises(PermissionDenied):
        merge_people(actor=personas[username], survivor_id=kayleigh.pk, merged_id=kayley.pk, reason="Same girl")
    merge = merge_people(actor=personas["erin"], survivor_id=kayleigh.pk, merged_id=kayley.pk, reason="Same girl")
    with pytest.raises(PermissionDenied):
        unmerge_people(actor=personas[username], merge_id=merge.pk, reason="Two girls")
    assert PersonMerge.objects.get().is_active


def test_a_coordinator_of_another_partnership_sees_neither_record(personas, twice):
    with pytest.raises(Http404):
        merge_people(actor=personas["oscar"], survivor_id=twice["kayleigh"].pk, merged_id=twice["kayley"].pk,
                     reason="Same girl")
    merge = merge_people(actor=personas["erin"], survivor_id=twice["kayleigh"].pk, merged_id=twice["kayley"].pk,
                         reason="Same girl")
    with pytest.raises(Http404):
        unmerge_people(actor=personas["oscar"], merge_id=merge.pk, reason="Two girls")


def test_a_merge_is_undone_once_and_merges_of_merges_are_undone_last_first(personas, twice, people):
    kayleigh, kayley = twice["kayleigh"], twice["kayley"]
    third = make_person(kayleigh.recorded_by_agency, given="Kayleigh", family="Smith", dob=date(2010, 3, 4))
    first = merge_people(actor=personas["erin"], survivor_id=kayleigh.pk, merged_id=kayley.pk, reason="Same girl")
    second = merge_people(actor=personas["erin"], survivor_id=third.pk, merged_id=kayleigh.pk, reason="Same girl")
    with pytest.raises(MergeConflict, match="undo that merge first"):
        unmerge_people(actor=personas["erin"], merge_id=first.pk, reason="Two girls")
    unmerge_people(actor=personas["erin"], merge_id=second.pk, reason="Two girls")
    unmerge_people(actor=personas["erin"], merge_id=first.pk, reason="Two girls")
    with pytest.raises(MergeConflict, match="already been undone"):
        unmerge_people(actor=personas["erin"], merge_id=first.pk, reason="Two girls")
    assert Person.objects.filter(merged_into__isnull=False).count() == 0


def test_pending_pairs_follow_the_merge_and_come_back(personas, twice, people):
    kayleigh, kayley, daniel = twice["kayleigh"], twice["kayley"], people["daniel"]
    about_kayley = MatchCandidate.objects.create(partnership=kayley.partnership, person_a=daniel, person_b=kayley,
                                                 probability=0.7)
    merge = merge_people(actor=personas["erin"], survivor_id=kayleigh.pk, merged_id=kayley.pk, reason="Same girl")
    about_kayley.refresh_from_db()
    assert {about_kayley.person_a_id, about_kayley.person_b_id} == {kayleigh.pk, daniel.pk}
    assert about_kayley.status == CandidateStatus.PENDING
    unmerge_people(actor=personas["erin"], merge_id=merge.pk, reason="Two girls")
    about_kayley.refresh_from_db()
    assert (about_kayley.person_a_id, about_kayley.person_b_id) == (daniel.pk, kayley.pk)
    # Undoing the merge is itself remembered as "two people".
    remembered = MatchCandidate.objects.get(status=CandidateStatus.REJECTED)
    assert (remembered.person_a_id, remembered.person_b_id, remembered.reason) == (
        kayleigh.pk, kayley.pk, CandidateReason.UNMERGED)


def test_source_records_follow_their_person(personas, twice, agencies):
    kayleigh, kayley = twice["kayleigh"], twice["kayley"]
    from wrekin.linkage.models import ExtractImport

    extract_import = ExtractImport.objects.create(
        partnership=kayley.partnership, agency=agencies["csc"], uploaded_by=personas["erin"], file_name="csc.csv",
        file_format="csv", size=1, sha256="0" * 64)
    source = SourceRecord.objects.create(agency=agencies["csc"], record_id="C2", person=kayley,
                                         first_import=extract_import, last_import=extract_import)
    merge = merge_people(actor=personas["erin"], survivor_id=kayleigh.pk, merged_id=kayley.pk, reason="Same girl")
    source.refresh_from_db()
    assert source.person == kayleigh
    unmerge_people(actor=personas["erin"], merge_id=merge.pk, reason="Two girls")
    source.refresh_from_db()
    assert source.person == kayley
    assert Involvement.objects.filter(person=kayley, agency=agencies["csc"]).exists()
