"""Importing agency extracts: checking, all-or-nothing runs, idempotent re-runs, and linking to people known.

Kayleigh Smith (born 4 March 2010) is already known, recorded by the police. Children's social care imports its
extract; each record is linked automatically, sent for review, or recorded as a new person.
"""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.linkage.inproduct import csv_bytes, import_rows, trained_model_fixture, upload  # noqa: F401
from wrekin.audit.models import AuditEvent
from wrekin.linkage import actions, imports
from wrekin.linkage.extracts import ExtractError
from wrekin.linkage.models import (
    CandidateReason,
    CandidateStatus,
    ExtractImport,
    ImportStatus,
    MatchCandidate,
    MergeMethod,
    PersonMerge,
    SourceRecord,
)
from wrekin.people.models import Involvement, Person, PersonAddress

pytestmark = pytest.mark.django_db

KAYLEIGH_EXACT = ["C1", "Kayleigh", "Smith", "04/03/2010", "F", "1 High Street", "TF1 2AB", ""]
KAYLEY_SMYTH = ["C2", "Kayley", "Smyth", "2010-03-04", "F", "1 High Street", "TF1 2AB", ""]
NEW_CHILD = ["C3", "ZED", "NEWPERSON", "20110101", "Male", "4 Park Road", "tf2 6pq", "943 476 5919"]


def _people_of(agency):
    return Person.objects.filter(recorded_by_agency=agency)


# --- Upload and checking -------------------------------------------------------------------------------------

def test_upload_suggests_columns_and_holds_the_file(personas, agencies):
    extract_import = upload(personas["erin"], agencies["csc"], [NEW_CHILD])
    assert extract_import.status == ImportStatus.UPLOADED
    assert extract_import.headers == ["PersonID", "Forename", "Surname", "DOB", "Gender", "Address", "Postcode",
                                      "NHS No"]
    assert extract_import.id_column == "PersonID"
    assert extract_import.mapping == {"given_name": "Forename", "family_name": "Surname", "date_of_birth": "DOB",
                                      "sex": "Gender", "address": "Address", "postcode": "Postcode",
                                      "nhs_number": "NHS No"}
    assert bytes(extract_import.content) == csv_bytes([NEW_CHILD])
    assert extract_import.fault_count == 0 and extract_import.total_records == 1
    event = AuditEvent.objects.get(event_type="linkage.import_uploaded")
    assert event.details == {"format": "csv", "bytes": extract_import.size, "columns": 8, "faults": 0}


def test_every_faulty_row_is_reported_with_row_column_and_reason_and_nothing_is_imported(personas, agencies):
    rows = [KAYLEIGH_EXACT, ["C2", "Amy", "Jones", "31/02/2010", "F", "", "", ""], ["C2", "Bea", "Jones", "", "F",
                                                                                   "", "", ""]]
    extract_import = upload(personas["erin"], agencies["csc"], rows)
    assert extract_import.fault_count == 2
    assert extract_import.faults[0] == {"row": 3, "column": "DOB",
                                        "reason": "'31/02/2010' is not a real date (day 31, month 2, year 2010)"}
    assert extract_import.faults[1]["row"] == 4 and extract_import.faults[1]["column"] == "PersonID"
    assert "already used on row 3" in extract_import.faults[1]["reason"]
    mapped = actions.save_mapping(actor=personas["erin"], import_id=extract_import.pk,
                                  id_column="PersonID", mapping=extract_import.mapping)
    assert mapped.status == ImportStatus.MAPPED and mapped.fault_count == 2
    with pytest.raises(ValidationError, match="problems to fix"):
        actions.start_import(actor=personas["erin"], import_id=extract_import.pk, run_now=True)
    assert not _people_of(agencies["csc"]).exists() and not SourceRecord.objects.exists()


def test_a_file_that_cannot_be_read_is_refused_and_not_kept(personas, agencies):
    with pytest.raises(ExtractError) as refused:
        actions.upload_extract(actor=personas["erin"], agency_id=agencies["csc"].pk, file_name="police.csv",
                               content="PersonID,Forename\nP1,Zoë\n".encode("latin-1"))
    assert "not UTF-8" in refused.value.faults[0].reason and refused.value.faults[0].row == 2
    with pytest.raises(ValidationError, match="CSV"):
        actions.upload_extract(actor=personas["erin"], agency_id=agencies["csc"].pk, file_name="notes.pdf",
                               content=b"%PDF")
    with pytest.raises(ExtractError, match="no records"):
        actions.upload_extract(actor=personas["erin"], agency_id=agencies["csc"].pk, file_name="empty.csv",
                               content=b"PersonID,Forename\n")
    assert not ExtractImport.objects.exists()


def test_size_limit(personas, agencies, monkeypatch):
    monkeypatch.setattr(imports, "MAX_UPLOAD_BYTES", 100)
    with pytest.raises(ValidationError, match="smaller than"):
        upload(personas["erin"], agencies["csc"], [KAYLEIGH_EXACT, KAYLEY_SMYTH, NEW_CHILD])


@pytest.mark.parametrize("username", ["alice", "dana", "grace", "heidi", "ivan", "nina"])
def test_only_coordinators_and_analysts_import(username, personas, agencies):
    with pytest.raises(PermissionDenied):
        upload(personas[username], agencies["csc"], [NEW_CHILD])


def test_an_import_is_for_an_agency_of_ones_own_partnership(personas, agencies):
    with pytest.raises(ValidationError, match="agency of your partnership"):
        upload(personas["erin"], agencies["elsewhere"], [NEW_CHILD])


def test_mapping_must_name_real_columns_once_each(personas, agencies):
    extract_import = upload(personas["frank"], agencies["police"], [NEW_CHILD])
    with pytest.raises(ValidationError, match="one field only"):
        actions.save_mapping(actor=personas["frank"], import_id=extract_import.pk, id_column="PersonID",
                             mapping={"given_name": "Forename", "known_as": "Forename"})
    with pytest.raises(ValidationError, match="not a column"):
        actions.save_mapping(actor=personas["frank"], import_id=extract_import.pk, id_column="PersonID",
                             mapping={"given_name": "First name"})


def test_a_field_left_unmapped_is_not_read_even_when_a_column_is_named_like_it(personas, agencies):
    header = ["ref", "given_name", "family_name", "postcode"]
    extract_import = upload(personas["erin"], agencies["csc"], [["R1", "Amy", "Jones", "TF1 2AB"]], header=header)
    extract_import = actions.save_mapping(actor=personas["erin"], import_id=extract_import.pk, id_column="ref",
                                          mapping={"given_name": "given_name", "family_name": "family_name"})
    done = actions.start_import(actor=personas["erin"], import_id=extract_import.pk, run_now=True)
    assert done.status == ImportStatus.COMPLETE
    source = SourceRecord.objects.get()
    assert "postcode" not in source.values and not PersonAddress.objects.filter(person=source.person).exists()


# --- Running ----------------------------------------------------------------------------------------------------

def test_new_records_become_people_recorded_by_the_agency(personas, agencies):
    extract_import = import_rows(personas["erin"], agencies["csc"], [NEW_CHILD])
    assert extract_import.status == ImportStatus.COMPLETE and extract_import.content is None
    person = Person.objects.get(family_name="Newperson")
    # SHOUTED capitals become title case; the date, postcode and NHS number are read as Wrekin reads them.
    assert (person.given_name, person.date_of_birth, person.sex, person.nhs_number) == (
        "Zed", date(2011, 1, 1), "M", "9434765919")
    assert person.recorded_by_agency == agencies["csc"] and person.created_by == personas["erin"]
    assert Involvement.objects.filter(person=person, agency=agencies["csc"], kind="recorded").exists()
    assert person.addresses.get().postcode == "TF2 6PQ"
    source = SourceRecord.objects.get(person=person)
    assert (source.agency, source.record_id) == (agencies["csc"], "C3")
    assert extract_import.counts == {"records": 1, "new_people": 1}
    assert AuditEvent.objects.filter(event_type="linkage.person_imported", person_id=person.pk).exists()
    completed = AuditEvent.objects.get(event_type="linkage.import_completed")
    assert completed.details == {"records": 1, "new_people": 1, "scorer": "search"}


def test_a_year_of_birth_alone_is_recorded_as_an_approximate_age(personas, agencies):
    import_rows(personas["frank"], agencies["police"], [["P9", "J", "Clarke", "2009", "M", "", "", ""]])
    person = Person.objects.get(family_name="Clarke", recorded_by_agency=agencies["police"])
    assert person.date_of_birth is None and person.birth_year == 2009 and person.approximate_age is not None


def test_running_the_same_extract_again_duplicates_nothing(personas, agencies, people):
    rows = [KAYLEIGH_EXACT, KAYLEY_SMYTH, NEW_CHILD]
    first = import_rows(personas["erin"], agencies["csc"], rows)
    state = (Person.objects.count(), SourceRecord.objects.count(), MatchCandidate.objects.count(),
             PersonMerge.objects.count(), Involvement.objects.count(), PersonAddress.objects.count())
    second = import_rows(personas["erin"], agencies["csc"], rows)
    assert second.status == ImportStatus.COMPLETE
    assert (Person.objects.count(), SourceRecord.objects.count(), MatchCandidate.objects.count(),
            PersonMerge.objects.count(), Involvement.objects.count(), PersonAddress.objects.count()) == state
    assert second.counts == {"records": 3, "unchanged": 3}
    assert first.counts["new_people"] == 3


def test_a_changed_record_updates_the_agencys_record_and_adds_a_new_address(personas, agencies):
    import_rows(personas["erin"], agencies["csc"], [NEW_CHILD])
    moved = [*NEW_CHILD[:5], "9 Canal Side", "TF3 4AA", NEW_CHILD[7]]
    again = import_rows(personas["erin"], agencies["csc"], [moved])
    assert again.counts == {"records": 1, "updated": 1}
    source = SourceRecord.objects.get()
    assert source.values["postcode"] == "TF3 4AA" and source.last_import == again
    assert sorted(source.person.addresses.values_list("postcode", flat=True)) == ["TF2 6PQ", "TF3 4AA"]
    assert Person.objects.filter(family_name="Newperson").count() == 1
    assert AuditEvent.objects.filter(event_type="linkage.source_record_updated", person_id=source.person_id).exists()


def test_an_import_commits_whole_or_not_at_all(personas, agencies, people, monkeypatch):
    before = (Person.objects.count(), Involvement.objects.count(), AuditEvent.objects.count())
    calls = {"n": 0}
    real = imports._add_contact_rows

    def fail_on_third(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(imports, "_add_contact_rows", fail_on_third)
    extract_import = import_rows(personas["erin"], agencies["csc"], [
        ["A1", "Amy", "Jones", "01/01/2012", "F", "", "", ""], ["A2", "Ben", "Jones", "02/02/2012", "M", "", "", ""],
        ["A3", "Cal", "Jones", "03/03/2012", "M", "", "", ""]])
    assert extract_import.status == ImportStatus.FAILED
    assert "stopped unexpectedly (RuntimeError)" in extract_import.error
    assert (Person.objects.count(), Involvement.objects.count()) == before[:2]
    assert not SourceRecord.objects.exists() and not MatchCandidate.objects.exists()
    # The report and the file are kept; the failure itself is audited (the rolled-back events are not).
    assert extract_import.content is not None
    assert AuditEvent.objects.filter(event_type="linkage.import_failed").count() == 1
    assert not AuditEvent.objects.filter(event_type="linkage.person_imported").exists()
    # Fixed, it runs again from the same upload.
    monkeypatch.setattr(imports, "_add_contact_rows", real)
    again = actions.start_import(actor=personas["erin"], import_id=extract_import.pk, run_now=True)
    assert again.status == ImportStatus.COMPLETE and again.counts["new_people"] == 3


def test_progress_is_reported_as_the_records_are_compared(personas, agencies, monkeypatch):
    monkeypatch.setattr(imports, "RECORDS_PER_CHUNK", 2)
    seen = []
    extract_import = upload(personas["erin"], agencies["csc"], [
        [f"R{i}", "Amy", f"Jones{i}", "01/01/2012", "F", "", "", ""] for i in range(5)])
    extract_import = actions.save_mapping(actor=personas["erin"], import_id=extract_import.pk, id_column="PersonID",
                                          mapping=extract_import.mapping)
    result = imports.check(extract_import)
    imports.plan_import(extract_import, result.extract, {}, progress=lambda stage, n: seen.append((stage, n)))
    assert [n for _, n in seen] == [0, 2, 4, 5]
    assert seen[0][0] == "Comparing records 1 to 2 of 5 with the people already known"


def test_only_one_import_of_an_agency_runs_at_a_time(personas, agencies):
    first = upload(personas["erin"], agencies["csc"], [NEW_CHILD])
    actions.save_mapping(actor=personas["erin"], import_id=first.pk, id_column="PersonID", mapping=first.mapping)
    ExtractImport.objects.filter(pk=first.pk).update(status=ImportStatus.RUNNING)
    second = upload(personas["frank"], agencies["csc"], [KAYLEIGH_EXACT])
    actions.save_mapping(actor=personas["frank"], import_id=second.pk, id_column="PersonID", mapping=second.mapping)
    with pytest.raises(ValidationError, match="Another import"):
        actions.start_import(actor=personas["frank"], import_id=second.pk)


def test_an_xlsx_workbook_imports_like_a_csv(personas, agencies):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Pupil ID", "First name", "Last name", "Date of birth", "UPN"])
    sheet.append(["S1", "Mia", "Evans", date(2012, 5, 6), ""])
    sheet.append([1002, "Leo", "Evans", "06/05/2012"])  # a number for an id, a short row: spreadsheets do both
    out = io.BytesIO()
    workbook.save(out)
    extract_import = actions.upload_extract(actor=personas["erin"], agency_id=agencies["school"].pk,
                                            file_name="school.xlsx", content=out.getvalue())
    assert extract_import.file_format == "xlsx" and extract_import.id_column == "Pupil ID"
    actions.save_mapping(actor=personas["erin"], import_id=extract_import.pk, id_column="Pupil ID",
                         mapping=extract_import.mapping)
    done = actions.start_import(actor=personas["erin"], import_id=extract_import.pk, run_now=True)
    assert done.status == ImportStatus.COMPLETE
    assert sorted(SourceRecord.objects.values_list("record_id", flat=True)) == ["1002", "S1"]
    assert Person.objects.get(given_name="Leo").date_of_birth == date(2012, 5, 6)


# --- Linking to the people already known --------------------------------------------------------------------------

def test_a_confident_match_is_linked_automatically_and_reversibly(personas, agencies, people):
    kayleigh = people["kayleigh"]
    extract_import = import_rows(personas["erin"], agencies["csc"], [KAYLEIGH_EXACT])
    assert extract_import.counts == {"records": 1, "new_people": 1, "linked_automatically": 1}
    merge = PersonMerge.objects.get()
    assert (merge.survivor, merge.method, merge.extract_import) == (kayleigh, MergeMethod.AUTOMATIC, extract_import)
    assert merge.probability >= 0.95
    assert SourceRecord.objects.get().person == kayleigh
    assert kayleigh.addresses.filter(postcode="TF1 2AB", recorded_by_agency=agencies["csc"]).exists()
    assert Person.objects.get(pk=merge.merged_id).merged_into == kayleigh


def test_an_uncertain_match_goes_to_the_review_queue(personas, agencies, people):
    extract_import = import_rows(personas["erin"], agencies["csc"], [KAYLEY_SMYTH])
    pair = MatchCandidate.objects.get()
    assert pair.status == CandidateStatus.PENDING and pair.reason == CandidateReason.UNCERTAIN
    assert pair.person_a == people["kayleigh"] and pair.person_b.given_name == "Kayley"
    assert 0.6 <= pair.probability < 0.95 and pair.scorer == "search"
    statuses = {item["field"]: item["status"] for item in pair.agreement}
    assert statuses["first_name"] == "partial" and statuses["date_of_birth"] == "agreed"
    assert extract_import.counts == {"records": 1, "new_people": 1, "sent_to_review": 1, "pairs_queued": 1}
    assert not PersonMerge.objects.exists()


def test_below_the_review_threshold_a_record_is_a_new_person(personas, agencies, people):
    import_rows(personas["erin"], agencies["csc"], [["C9", "Kayleigh", "Smith", "04/03/1990", "F", "", "", ""]])
    assert not MatchCandidate.objects.exists() and not PersonMerge.objects.exists()


def test_thresholds_are_configurable(personas, agencies, people, monkeypatch):
    monkeypatch.setenv("WREKIN_LINK_REVIEW", "0.99")
    import_rows(personas["erin"], agencies["csc"], [KAYLEY_SMYTH])
    assert not MatchCandidate.objects.exists()
    monkeypatch.setenv("WREKIN_LINK_AUTO", "0.5")
    monkeypatch.setenv("WREKIN_LINK_REVIEW", "0.4")
    import_rows(personas["frank"], agencies["police"], [["P1", "Kayley", "Smyth", "2010-03-04", "F", "", "", ""]])
    assert PersonMerge.objects.filter(method=MergeMethod.AUTOMATIC).count() == 1


def test_two_records_from_one_agency_are_never_merged_without_review(personas, agencies, people):
    """The police already hold Kayleigh; a second police record exactly like her goes to review, not a merge."""
    import_rows(personas["frank"], agencies["police"], [["P1", "Kayleigh", "Smith", "04/03/2010", "F", "", "", ""]])
    assert PersonMerge.objects.count() == 1  # police's first record links to the known Kayleigh
    import_rows(personas["frank"], agencies["police"], [["P2", "Kayleigh", "Smith", "04/03/2010", "F", "", "", ""]])
    assert PersonMerge.objects.count() == 1
    pair = MatchCandidate.objects.get()
    assert pair.reason == CandidateReason.SAME_SOURCE and pair.person_a == people["kayleigh"]


def test_duplicates_within_one_extract_go_to_review(personas, agencies):
    import_rows(personas["erin"], agencies["health"], [
        ["H1", "Jordan", "Price", "12/12/2011", "M", "", "TF4 1AA", ""],
        ["H2", "Jordan", "Price", "12/12/2011", "M", "", "TF4 1AA", ""]])
    assert Person.objects.filter(family_name="Price").count() == 2
    pair = MatchCandidate.objects.get()
    assert pair.reason == CandidateReason.SAME_SOURCE and pair.status == CandidateStatus.PENDING
    assert not PersonMerge.objects.exists()


def test_the_twin_guard_stops_an_automatic_merge(personas, agencies, make_twin, trained_model):
    """Twins share family name, birthday, address and phone: the model scores them high; the guard says two."""
    amelia = make_twin()
    import_rows(personas["erin"], agencies["csc"], [
        ["T1", "Olivia", "Hartley", "14/02/2013", "F", "7 Severn Close", "TF2 6PQ", ""]])
    assert not PersonMerge.objects.exists()
    pair = MatchCandidate.objects.get()
    assert pair.person_a == amelia and "given names do not fit" in pair.note
    assert pair.scorer == "model" and pair.linkage_model == trained_model
    weights = {item["field"]: item["weight"] for item in pair.agreement}
    assert weights["date_of_birth"] > 0 > weights["first_name"]


@pytest.fixture
def make_twin(agencies):
    from tests.conftest import make_person

    def _make():
        amelia = make_person(agencies["school"], given="Amelia", family="Hartley", dob=date(2013, 2, 14), sex="F")
        PersonAddress.objects.create(person=amelia, line1="7 Severn Close", postcode="TF2 6PQ",
                                     recorded_by_agency=agencies["school"])
        return amelia

    return _make


def test_with_a_trained_model_matches_are_explained_with_weights(personas, agencies, people, trained_model):
    extract_import = import_rows(personas["erin"], agencies["csc"], [KAYLEIGH_EXACT])
    merge = PersonMerge.objects.get()
    assert merge.survivor == people["kayleigh"] and merge.probability > 0.95
    completed = AuditEvent.objects.get(event_type="linkage.import_completed", object_id=str(extract_import.pk))
    assert completed.details["scorer"] == "model"


def test_a_rejected_pair_is_never_proposed_again(personas, agencies, people):
    rows = [KAYLEY_SMYTH]
    import_rows(personas["erin"], agencies["csc"], rows)
    pair = MatchCandidate.objects.get()
    actions.reject_pair(actor=personas["erin"], candidate_id=pair.pk, reason="School confirmed two girls")
    import_rows(personas["erin"], agencies["csc"], [[*KAYLEY_SMYTH[:5], "2 High Street", "TF1 2AB", ""]])
    assert MatchCandidate.objects.count() == 1 and MatchCandidate.objects.get().status == CandidateStatus.REJECTED
    # Without the rejection, a re-run would not queue the pair twice either: one pending pair per two people.
    import_rows(personas["frank"], agencies["police"], [["P5", "Kayley", "Smyth", "2010-03-04", "F", "", "", ""]])
    import_rows(personas["frank"], agencies["police"], [["P5", "Kayley", "Smyth", "2010-03-04", "F", "", "", ""]])
    pending = MatchCandidate.objects.filter(status=CandidateStatus.PENDING)
    assert pending.count() == len({(p.person_a_id, p.person_b_id) for p in pending})


def test_records_the_importer_may_not_see_are_not_matched(personas, agencies, people):
    """A restricted record is matched only by someone named on it: the import sees what its user sees."""
    kayleigh = people["kayleigh"]
    Person.objects.filter(pk=kayleigh.pk).update(is_restricted=True)
    import_rows(personas["erin"], agencies["csc"], [KAYLEIGH_EXACT])
    assert not PersonMerge.objects.exists() and not MatchCandidate.objects.exists()


# --- The command line ---------------------------------------------------------------------------------------------

def test_import_extract_command_runs_the_same_import(personas, agencies, people, tmp_path):
    path = tmp_path / "csc.csv"
    path.write_bytes(csv_bytes([KAYLEIGH_EXACT, NEW_CHILD],
                               header=["ref", "Forename", "Surname", "Born", "Gender", "Address", "Postcode",
                                       "NHS No"]))
    out = io.StringIO()
    call_command("import_extract", str(path), "--agency", "TEST-CSC", "--user", "erin", "--id", "ref",
                 "--map", "date_of_birth=Born", stdout=out)
    text = out.getvalue()
    assert "complete" in text and "new people:            2" in text and "linked automatically:  1" in text
    extract_import = ExtractImport.objects.get()
    assert extract_import.mapping["date_of_birth"] == "Born" and extract_import.status == ImportStatus.COMPLETE
    out = io.StringIO()
    call_command("import_extract", str(path), "--agency", "TEST-CSC", "--user", "erin", "--id", "ref",
                 "--map", "date_of_birth=Born", stdout=out)
    assert "unchanged:             2" in out.getvalue()


def test_import_extract_command_lists_every_fault(personas, agencies, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([["C1", "Amy", "Jones", "31/02/2010", "F", "", "", ""],
                                ["C2", "Bo", "Jones", "1/13/2010", "F", "", "", ""]]))
    with pytest.raises(CommandError) as failed:
        call_command("import_extract", str(path), "--agency", "TEST-CSC", "--user", "erin", "--id", "PersonID",
                     stdout=io.StringIO())
    message = str(failed.value)
    assert "2 problem(s) in bad.csv; nothing was imported" in message
    assert "bad.csv, row 2, column 'DOB': '31/02/2010' is not a real date" in message
    assert "row 3, column 'DOB'" in message
    assert not Person.objects.exists()
    with pytest.raises(CommandError, match="Only exploitation coordinators"):
        call_command("import_extract", str(path), "--agency", "TEST-CSC", "--user", "alice", "--id", "PersonID",
                     stdout=io.StringIO())


def test_install_linkage_model_command(personas, agencies, tmp_path):
    from tests.linkage.inproduct import MODEL_PATH
    from wrekin.linkage.models import LinkageModel
    from wrekin.linkage.scoring import current_model

    out = io.StringIO()
    call_command("install_linkage_model", str(MODEL_PATH), stdout=out)
    first = LinkageModel.objects.get()
    assert "as the current model for every partnership" in out.getvalue()
    assert current_model(agencies["csc"].partnership_id) == first
    call_command("install_linkage_model", str(MODEL_PATH), "--partnership", "wrekin-test", stdout=io.StringIO())
    own = LinkageModel.objects.get(partnership__code="wrekin-test")
    assert current_model(agencies["csc"].partnership_id) == own
    assert current_model(agencies["elsewhere"].partnership_id) == first
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    with pytest.raises(CommandError, match="not a Splink model"):
        call_command("install_linkage_model", str(bad), stdout=io.StringIO())
    assert AuditEvent.objects.filter(event_type="linkage.model_installed").count() == 2


def test_a_third_agencys_record_never_bridges_two_records_of_one_agency(personas, agencies):
    """Children's social care holds two Kayleighs (maybe twins, maybe a duplicate): a health record that fits both
    links to one of them at most, and a second run changes nothing -- the two stay for a person to decide."""
    import_rows(personas["erin"], agencies["csc"], [
        ["S1", "Kayleigh", "Smith", "04/03/2010", "F", "1 High Street", "TF1 2AB", ""],
        ["S2", "Kayleigh", "Smith", "04/03/2010", "F", "", "", ""]])
    assert MatchCandidate.objects.get().reason == CandidateReason.SAME_SOURCE
    health = [["H1", "Kayleigh", "Smith", "04/03/2010", "F", "", "", ""]]
    import_rows(personas["erin"], agencies["health"], health)
    state = (PersonMerge.objects.count(), MatchCandidate.objects.count())
    assert PersonMerge.objects.count() == 1
    csc_people = {source.person_id for source in SourceRecord.objects.filter(agency=agencies["csc"])}
    assert len(csc_people) == 2, "the two social care records are still two people"
    again = import_rows(personas["erin"], agencies["health"], health)
    assert again.counts == {"records": 1, "unchanged": 1}
    assert (PersonMerge.objects.count(), MatchCandidate.objects.count()) == state
