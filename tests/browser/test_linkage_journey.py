"""Record linkage end to end: the exploitation coordinator imports children's social care's extract.

Erin uploads a small CSV with a faulty row and sees the row, column and reason; she fixes the file and uploads it
again, checks the suggested columns and the first rows, and runs the import; it completes (progress, then the
report). "Kayley Smyth, 2010-03-04" may be the police's Kayleigh Smith: Erin compares the two records side by side,
field by field, confirms they are one girl, and the merged person shows both records. Then she finds it was a
mistake and undoes the merge: both records are restored.

Every page visited is checked with axe-core (WCAG 2.2 AA); the main pages are captured for the guide.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import check_accessibility, screenshot, sign_in
from wrekin.linkage.models import PersonMerge
from wrekin.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "PersonID,Forename,Surname,DOB,Gender,Address,Postcode,NHS No\n"
FAULTY = HEADER + ("C1,Kayley,Smyth,2010-03-04,F,1 High Street,TF1 2AB,\n"
                   "C2,Zed,Newperson,31/02/2011,M,4 Park Road,TF2 6PQ,\n"
                   "C3,Mia,Evans,06/05/2012,F,,,\n")
FIXED = FAULTY.replace("31/02/2011", "28/02/2011")


def _heading(page: Page):
    return page.get_by_role("heading", level=1)


def _upload(page: Page, content: str) -> None:
    page.get_by_label("Extract file").set_input_files(
        files=[{"name": "csc_extract.csv", "mimeType": "text/csv", "buffer": content.encode()}])
    page.get_by_role("button", name="Upload and continue").click()


def test_import_review_merge_and_unmerge(new_context, live_server, personas, people):
    kayleigh = people["kayleigh"]
    page = new_context().new_page()
    sign_in(page, live_server.url, personas["erin"], check=False)

    # --- Upload a file with a faulty row -----------------------------------------------------------------
    page.goto(f"{live_server.url}/linkage/")
    expect(_heading(page)).to_have_text("Record linkage")
    check_accessibility(page)
    page.get_by_role("button", name="Import an extract").click()
    expect(_heading(page)).to_have_text("Import an agency extract")
    expect(page.get_by_label("Whose records are these?")).to_have_value(str(personas["erin"].agency.pk))
    check_accessibility(page)
    screenshot(page, "linkage-upload")
    _upload(page, FAULTY)

    expect(_heading(page)).to_have_text("Choose the columns")
    problems = page.get_by_role("table", name="Problems in the file")
    expect(problems).to_contain_text("3")  # row 3: the header is row 1
    expect(problems).to_contain_text("DOB")
    expect(problems).to_contain_text("'31/02/2011' is not a real date (day 31, month 2, year 2011)")
    check_accessibility(page)
    screenshot(page, "linkage-faulty-row")

    # --- Fix the file and upload it again --------------------------------------------------------------------
    page.get_by_role("link", name="Upload a corrected file").click()
    expect(_heading(page)).to_have_text("Import an agency extract")
    expect(page.get_by_text("This upload replaces")).to_contain_text("csc_extract.csv")
    check_accessibility(page)
    _upload(page, FIXED)
    expect(_heading(page)).to_have_text("Choose the columns")
    expect(page.get_by_role("table", name="Problems in the file")).to_have_count(0)
    expect(page.get_by_label("Record id")).to_have_value("PersonID")
    expect(page.get_by_label("Given name")).to_have_value("Forename")
    expect(page.get_by_label("Date of birth")).to_have_value("DOB")
    expect(page.get_by_label("NHS number")).to_have_value("NHS No")
    check_accessibility(page)
    screenshot(page, "linkage-columns")
    page.get_by_role("button", name="Check the file with these columns").click()

    # --- Preview, then run ---------------------------------------------------------------------------------
    expect(_heading(page)).to_have_text("Check the records before importing")
    preview = page.get_by_role("table", name=re.compile("The first 3 rows of the file"))
    expect(preview).to_contain_text("2011-02-28")
    expect(preview).to_contain_text("Kayley")
    check_accessibility(page)
    screenshot(page, "linkage-preview")
    page.get_by_role("button", name="Import 3 records").click()

    expect(_heading(page)).to_have_text("Import of csc_extract.csv")
    expect(page.locator("#import-progress")).to_contain_text("Complete")
    report = page.locator("#import-progress .govuk-summary-list")
    expect(report).to_contain_text("New people recorded")
    expect(report.locator(".govuk-summary-list__row", has_text="Pairs sent for review")).to_contain_text("1")
    check_accessibility(page)
    screenshot(page, "linkage-import-complete")

    # --- Review the uncertain pair side by side ------------------------------------------------------------
    page.get_by_role("button", name="Review the pairs").click()
    expect(_heading(page)).to_have_text("Records to review")
    rows = page.locator(".govuk-table__body .govuk-table__row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Kayleigh Smith")
    expect(rows.first).to_contain_text("Kayley Smyth")
    check_accessibility(page)
    screenshot(page, "linkage-review-queue")
    rows.first.get_by_role("link", name=re.compile("Compare")).click()

    expect(_heading(page)).to_have_text("Are these records about the same person?")
    side_by_side = page.get_by_role("table", name="The two records side by side")
    given = side_by_side.get_by_role("row", name=re.compile("^Given name"))
    expect(given).to_contain_text("Kayleigh")
    expect(given).to_contain_text("Kayley")
    expect(given).to_contain_text("Partly agreed")
    expect(side_by_side.get_by_role("row", name=re.compile("^Date of birth"))).to_contain_text("Agreed")
    expect(side_by_side.get_by_role("row", name=re.compile("^Family name"))).to_contain_text("Smyth")
    check_accessibility(page)
    screenshot(page, "linkage-pair")

    # A decision without a reason comes back with the error; then she confirms.
    page.get_by_label("Yes, the same person: merge them").check()
    page.get_by_role("button", name="Record decision").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text(["Give the reason for your decision"])
    expect(page.get_by_label("Yes, the same person: merge them")).to_be_checked()
    check_accessibility(page)
    page.get_by_label(re.compile("^Record A: Kayleigh Smith")).check()
    page.get_by_label("Reason for your decision").fill("Same date of birth and address; the school knows her as "
                                                      "Kayley Smyth")
    page.get_by_role("button", name="Record decision").click()

    # --- The merged person shows both records ---------------------------------------------------------------
    expect(_heading(page)).to_have_text("Linked records: Kayleigh Smith")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The merge can be undone")
    both = page.get_by_role("table", name="This record and the records merged into it")
    expect(both.get_by_role("row", name=re.compile("^Given name"))).to_contain_text("Kayleigh")
    expect(both.get_by_role("row", name=re.compile("^Given name"))).to_contain_text("Kayley")
    expect(page.get_by_role("table", name=re.compile("imported from agency extracts"))).to_contain_text("C1")
    check_accessibility(page)
    screenshot(page, "linkage-linked-records")
    merge = PersonMerge.objects.get()
    kayley = Person.objects.get(pk=merge.merged_id)
    assert kayley.merged_into_id == kayleigh.pk

    # --- Undo the merge: both restored -------------------------------------------------------------------------
    page.get_by_role("link", name=re.compile("undo")).click()
    expect(_heading(page)).to_have_text("Kayley Smyth merged into Kayleigh Smith")
    expect(page.get_by_role("table", name="What moved to the main record")).to_contain_text("Addresses")
    check_accessibility(page)
    screenshot(page, "linkage-merge")
    page.get_by_label("Why are you undoing this merge?").fill("The school says Kayley is a different girl")
    page.get_by_role("button", name="Undo the merge").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("are two records again")
    expect(page.locator(".govuk-inset-text")).to_contain_text("This merge was undone")
    check_accessibility(page)
    kayley.refresh_from_db()
    assert kayley.merged_into_id is None

    page.get_by_role("link", name="Kayley Smyth").click()
    expect(_heading(page)).to_contain_text("Kayley Smyth")
    expect(page.get_by_role("table", name=re.compile("Addresses"))).to_contain_text("1 High Street")
    page.goto(f"{live_server.url}/linkage/people/{kayleigh.pk}/")
    expect(page.get_by_text("No other record is merged into this one.")).to_be_visible()
    check_accessibility(page)


def test_a_queued_import_waits_for_the_worker_and_the_page_follows_it(new_context, live_server, personas, people,
                                                                       settings):
    """With the real queue: the page says the import waits for the worker, then (htmx polling) shows the report."""
    from tests.linkage.inproduct import DATABASE_BACKEND, run_worker_once
    from wrekin.linkage import actions

    settings.TASKS = DATABASE_BACKEND
    erin = personas["erin"]
    extract_import = actions.upload_extract(actor=erin, agency_id=erin.agency.pk, file_name="csc_extract.csv",
                                            content=FIXED.encode())
    actions.save_mapping(actor=erin, import_id=extract_import.pk, id_column=extract_import.id_column,
                         mapping=extract_import.mapping)
    page = new_context().new_page()
    sign_in(page, live_server.url, erin, check=False)
    page.goto(f"{live_server.url}/linkage/imports/{extract_import.pk}/preview/")
    page.get_by_role("button", name="Import 3 records").click()

    expect(_heading(page)).to_have_text("Import of csc_extract.csv")
    progress = page.locator("#import-progress")
    expect(progress).to_contain_text("Queued: waiting for the background worker to start it")
    expect(progress).to_contain_text("3 records to import")
    check_accessibility(page)

    run_worker_once()  # `wrekin db_worker --batch`, here in the test's process
    # No reload: the panel polls every two seconds and swaps in the report.
    expect(progress.locator(".govuk-summary-list")).to_contain_text("New people recorded", timeout=15_000)
    expect(progress).to_contain_text("Complete")
    check_accessibility(page)
