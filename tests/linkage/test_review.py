"""The review queue and the import pages, through the web: side by side, decide, merge, undo.

Children's social care's extract holds "Kayley Smyth, 2010-03-04": maybe the police's Kayleigh Smith. Erin (the
exploitation coordinator) compares the records, decides, and can undo the merge; Frank (analyst) can compare but
not decide.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.linkage.inproduct import csv_bytes, import_rows, trained_model_fixture  # noqa: F401
from wrekin.audit.models import AuditEvent
from wrekin.core.timeline import chronology_for, worklist_for
from wrekin.linkage.models import CandidateStatus, ExtractImport, ImportStatus, MatchCandidate, PersonMerge
from wrekin.people.models import Person

pytestmark = pytest.mark.django_db

KAYLEY = ["C2", "Kayley", "Smyth", "2010-03-04", "F", "1 High Street", "TF1 2AB", ""]


@pytest.fixture
def pending(personas, agencies, people):
    import_rows(personas["erin"], agencies["csc"], [KAYLEY])
    return MatchCandidate.objects.get(status=CandidateStatus.PENDING)


def test_the_queue_lists_pairs_and_the_pair_page_shows_them_side_by_side(client_for, pending, people):
    client = client_for("frank")
    queue = client.get(reverse("linkage:review_queue"))
    assert queue.status_code == 200 and b"Kayley Smyth" in queue.content and b"Kayleigh Smith" in queue.content
    page = client.get(reverse("linkage:pair", args=[pending.pk]))
    text = page.content.decode()
    assert "Are these records about the same person?" in text
    rows = {row.label: row for row in page.context["rows"]}
    assert rows["Given name"].value_a == "Kayleigh" and rows["Given name"].value_b == "Kayley"
    assert rows["Given name"].status == "partial" and rows["Date of birth"].status == "agreed"
    assert rows["Recorded by"].value_b == "Wrekin Children's Services"
    assert rows["Agency records"].value_b == "Wrekin Children's Services C2"
    assert "Partly agreed" in text and "Agreed" in text
    assert "An exploitation coordinator decides" in text and 'name="decision"' not in text
    viewed = AuditEvent.objects.filter(event_type="linkage.pair_viewed", object_id=str(pending.pk))
    assert set(viewed.values_list("person_id", flat=True)) == {pending.person_a_id, pending.person_b_id}
    assert AuditEvent.objects.filter(event_type="linkage.review_queue_viewed").exists()


def test_the_pair_page_shows_the_models_weights(personas, agencies, people, trained_model, client_for):
    import_rows(personas["erin"], agencies["csc"], [["H1", "Kayleigh", "Smyth", "", "F", "", "TF9 9ZZ", ""]])
    pair = MatchCandidate.objects.get()
    page = client_for("erin").get(reverse("linkage:pair", args=[pair.pk]))
    assert "the trained linkage model" in page.content.decode()
    weights = [row.weight_display for row in page.context["rows"] if row.weight is not None]
    assert weights and all(w.startswith(("+", "-")) for w in weights)


def test_confirming_merges_and_the_survivor_shows_both_records(client_for, pending, people):
    client = client_for("erin")
    response = client.post(reverse("linkage:pair", args=[pending.pk]), {
        "decision": "same", "survivor": str(pending.person_a_id), "reason": "Same date of birth and address"})
    kayleigh = people["kayleigh"]
    assert response.status_code == 302 and response["Location"] == reverse("linkage:person_records",
                                                                           args=[kayleigh.pk])
    pending.refresh_from_db()
    merge = PersonMerge.objects.get()
    assert pending.status == CandidateStatus.CONFIRMED and pending.merge == merge
    assert (merge.survivor_id, merge.merged_id, merge.method) == (kayleigh.pk, pending.person_b_id, "reviewed")
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "This record and the records merged into it" in text and "Kayley" in text and "Kayleigh" in text
    assert "Wrekin Children&#x27;s Services" in text and "C2" in text  # the agency's record now belongs to her
    assert AuditEvent.objects.filter(event_type="linkage.pair_confirmed", person_id=kayleigh.pk).exists()
    # ...and the merge can be undone from its page.
    merge_page = client.get(reverse("linkage:merge", args=[merge.pk]))
    assert b"Undo this merge" in merge_page.content
    undone = client.post(reverse("linkage:merge", args=[merge.pk]), {"reason": "Two girls after all"})
    assert undone.status_code == 302
    merge.refresh_from_db()
    assert not merge.is_active
    assert Person.objects.get(pk=pending.person_b_id).merged_into is None
    assert b"This merge was undone" in client.get(undone["Location"]).content


def test_the_survivor_can_be_either_record(client_for, pending):
    client_for("erin").post(reverse("linkage:pair", args=[pending.pk]), {
        "decision": "same", "survivor": str(pending.person_b_id), "reason": "The newer record is fuller"})
    merge = PersonMerge.objects.get()
    assert (merge.survivor_id, merge.merged_id) == (pending.person_b_id, pending.person_a_id)


def test_rejecting_remembers_two_people(client_for, pending):
    response = client_for("erin").post(reverse("linkage:pair", args=[pending.pk]), {
        "decision": "different", "reason": "School confirmed two different girls"})
    assert response.status_code == 302 and response["Location"] == reverse("linkage:review_queue")
    pending.refresh_from_db()
    assert pending.status == CandidateStatus.REJECTED
    assert pending.decision_note == "School confirmed two different girls"
    event = AuditEvent.objects.get(event_type="linkage.pair_rejected")
    assert event.reason == "School confirmed two different girls" and event.details == {
        "other_person": pending.person_a_id}
    assert not PersonMerge.objects.exists()


def test_a_decision_form_with_mistakes_comes_back_with_what_was_typed(client_for, pending):
    response = client_for("erin").post(reverse("linkage:pair", args=[pending.pk]),
                                       {"decision": "same", "survivor": "", "reason": "Same address"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text and "Choose which record to keep as the main record" in text
    assert "Same address" in text
    response = client_for("erin").post(reverse("linkage:pair", args=[pending.pk]), {"decision": "different"})
    assert "Give the reason for your decision" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == CandidateStatus.PENDING


def test_a_merge_conflict_is_shown_on_the_pair_page(client_for, pending, personas):
    from wrekin.casework import actions as casework

    for person_id in (pending.person_a_id, pending.person_b_id):
        casework.open_case(actor=personas["dana"], person_id=person_id, reason="Concerns",
                           lead_professional_id=personas["dana"].pk)
    response = client_for("erin").post(reverse("linkage:pair", args=[pending.pk]), {
        "decision": "same", "survivor": str(pending.person_a_id), "reason": "Same girl"})
    assert response.status_code == 200 and "Both records have an open case" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == CandidateStatus.PENDING and not PersonMerge.objects.exists()


def test_a_decided_pair_shows_the_decision_and_takes_no_more(client_for, pending):
    client = client_for("erin")
    client.post(reverse("linkage:pair", args=[pending.pk]), {"decision": "different", "reason": "Two girls"})
    page = client.get(reverse("linkage:pair", args=[pending.pk]))
    assert page.status_code == 200 and b"Rejected: different people" in page.content
    assert client.post(reverse("linkage:pair", args=[pending.pk]),
                       {"decision": "same", "survivor": str(pending.person_a_id), "reason": "x"}).status_code == 403


# --- The import pages ------------------------------------------------------------------------------------------------

def test_upload_map_preview_and_run_through_the_pages(client_for, agencies, people,
                                                      django_capture_on_commit_callbacks):
    client = client_for("erin")
    bad = csv_bytes([["C1", "Amy", "Jones", "31/02/2010", "F", "", "", ""]])
    response = client.post(reverse("linkage:upload"), {
        "agency": agencies["csc"].pk, "person_kind": "child", "extract": SimpleUploadedFile("csc.csv", bad)})
    first = ExtractImport.objects.get()
    assert response["Location"] == reverse("linkage:mapping", args=[first.pk])
    mapping = client.get(response["Location"]).content.decode()
    assert "With these columns the file has 1 problem" in mapping and "31/02/2010" in mapping
    assert '<option value="Forename" selected>' in mapping

    good = csv_bytes([KAYLEY, ["C3", "Zed", "Newperson", "01/01/2011", "M", "", "", ""]])
    response = client.post(reverse("linkage:upload"), {
        "agency": agencies["csc"].pk, "person_kind": "child", "replaces": first.pk,
        "extract": SimpleUploadedFile("csc.csv", good)})
    second = ExtractImport.objects.exclude(pk=first.pk).get()
    first.refresh_from_db()
    assert first.status == ImportStatus.DISCARDED and first.content is None
    response = client.post(reverse("linkage:mapping", args=[second.pk]), {
        "id_column": "PersonID", "given_name": "Forename", "family_name": "Surname", "date_of_birth": "DOB",
        "sex": "Gender", "address": "Address", "postcode": "Postcode"})
    assert response["Location"] == reverse("linkage:preview", args=[second.pk])
    preview = client.get(response["Location"])
    assert [row["cells"] for row in preview.context["rows"]][1] == ["C3", "Zed", "Newperson", "2011-01-01", "M",
                                                                    "", ""]
    assert b"Import 2 records" in preview.content
    assert AuditEvent.objects.filter(event_type="linkage.import_previewed", object_id=str(second.pk)).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("linkage:run", args=[second.pk]))
    assert response["Location"] == reverse("linkage:import_detail", args=[second.pk])
    second.refresh_from_db()
    assert second.status == ImportStatus.COMPLETE and second.task_id  # ran through the django-tasks task
    detail = client.get(response["Location"]).content.decode()
    assert "New people recorded" in detail and "Pairs sent for review" in detail
    progress = client.get(reverse("linkage:import_progress", args=[second.pk]), HTTP_HX_REQUEST="true")
    assert b'id="import-progress"' in progress.content and b"<html" not in progress.content
    assert b"hx-trigger" not in progress.content  # finished: no more polling


def test_the_progress_panel_polls_while_an_import_runs(client_for, personas, agencies):
    from tests.linkage.inproduct import upload

    extract_import = upload(personas["erin"], agencies["csc"], [KAYLEY])
    ExtractImport.objects.filter(pk=extract_import.pk).update(
        status=ImportStatus.RUNNING, total_records=400, processed_records=100, stage="Comparing records 101 to 200")
    panel = client_for("erin").get(reverse("linkage:import_progress", args=[extract_import.pk]),
                                   HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in panel and "100 of 400 records compared (25%)" in panel
    assert "Comparing records 101 to 200" in panel


def test_upload_refuses_an_unreadable_file_and_lists_why(client_for, agencies):
    response = client_for("erin").post(reverse("linkage:upload"), {
        "agency": agencies["csc"].pk, "person_kind": "child",
        "extract": SimpleUploadedFile("police.csv", "ID,Name\nP1,Zoë\n".encode("latin-1"))})
    assert response.status_code == 200
    text = response.content.decode()
    assert "The file cannot be read" in text and "save it as &#x27;CSV UTF-8&#x27;" in text
    assert not ExtractImport.objects.exists()
    wrong = client_for("erin").post(reverse("linkage:upload"), {
        "agency": agencies["csc"].pk, "person_kind": "child", "extract": SimpleUploadedFile("a.txt", b"x")})
    assert "must be a CSV" in wrong.content.decode()


def test_a_failed_import_shows_its_report(client_for, personas, agencies, monkeypatch):
    from wrekin.linkage import imports

    monkeypatch.setattr(imports, "apply_plan", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    extract_import = import_rows(personas["erin"], agencies["csc"], [KAYLEY])
    page = client_for("erin").get(reverse("linkage:import_detail", args=[extract_import.pk])).content.decode()
    assert "Failed: nothing imported" in page and "stopped unexpectedly (RuntimeError)" in page
    assert "Run it again" in page


# --- Chronology and work lists ---------------------------------------------------------------------------------------

def test_chronology_and_work_lists(client_for, personas, pending, people):
    assert [item.title for item in worklist_for(personas["erin"]) if "linkage" in item.tags] == [
        "1 pair of records may be one person"]
    assert not [item for item in worklist_for(personas["alice"]) if "linkage" in item.tags]
    client_for("erin").post(reverse("linkage:pair", args=[pending.pk]), {
        "decision": "same", "survivor": str(pending.person_a_id), "reason": "Same girl"})
    kayleigh = people["kayleigh"]
    entries = [entry for entry in chronology_for(kayleigh, personas["alice"]) if entry.event_type.startswith("linkage")]
    assert {entry.event_type for entry in entries} == {"linkage_record_imported", "linkage_merge"}
    assert all(entry.url == "" for entry in entries)  # alice may not open linkage pages
    for_erin = [e for e in chronology_for(kayleigh, personas["erin"]) if e.event_type == "linkage_merge"]
    assert for_erin[0].url.startswith("/linkage/merges/")
    # Bob (the school) cannot see Kayleigh: the linkage source tells him nothing about her.
    assert not [e for e in chronology_for(kayleigh, personas["bob"]) if e.event_type.startswith("linkage")]
