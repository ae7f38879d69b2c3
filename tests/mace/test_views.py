"""Running a MACE meeting through the pages, as the personas would."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse

from wrekin.audit.models import AuditEvent
from wrekin.mace.models import MaceAction, MaceAddendum, MaceAgendaItem, MaceDecision, MaceMeeting


def _url(name, meeting, **kwargs):
    return reverse(f"mace:{name}", kwargs={"pk": meeting.pk, **kwargs})


def test_arranging_a_meeting(client_for, personas, today):
    client = client_for("grace")
    page = client.get(reverse("mace:create"))
    assert page.status_code == 200
    assert page.context["form"].initial["chair"] == personas["grace"].pk
    # Only eligible people are offered: no auditor, administrator, or other partnership.
    offered = {label for _, label in page.context["form"].fields["attendees"].choices}
    assert not any(name in label for label in offered for name in ("Heidi", "Ivan", "Oscar", "Nina"))
    response = client.post(reverse("mace:create"), {
        "held_on": today.strftime("%d/%m/%Y"), "venue": "Civic Offices", "chair": personas["grace"].pk,
        "attendees": [personas["alice"].pk, personas["erin"].pk]})
    meeting = MaceMeeting.objects.get()
    assert response.status_code == 302 and response["Location"] == _url("detail", meeting)
    assert set(meeting.attendees.values_list("user__username", flat=True)) == {"alice", "erin"}


def test_arranging_with_errors_keeps_what_was_typed(client_for, personas):
    response = client_for("erin").post(reverse("mace:create"), {
        "held_on": "31/02/2026", "venue": "Room 4, Addenbrooke House", "chair": "",
        "attendees": [personas["bob"].pk]})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter the date of the meeting as day/month/year" in html
    assert "Choose who chairs the meeting" in html
    assert 'value="31/02/2026"' in html and 'value="Room 4, Addenbrooke House"' in html
    assert f'value="{personas["bob"].pk}" checked' in html
    assert not MaceMeeting.objects.exists()


def test_list_shows_only_meetings_the_user_can_see(client_for, meeting, personas, today):
    from wrekin.mace import actions

    actions.create_meeting(actor=personas["erin"], held_on=today, chair_id=personas["erin"].pk)
    assert [m.pk for m in client_for("alice").get(reverse("mace:meetings")).context["meetings"]] == [meeting.pk]
    assert len(client_for("erin").get(reverse("mace:meetings")).context["meetings"]) == 2
    assert list(client_for("bob").get(reverse("mace:meetings")).context["meetings"]) == []
    assert list(client_for("oscar").get(reverse("mace:meetings")).context["meetings"]) == []


def test_detail_is_audited_before_it_is_shown(client_for, approved, personas):
    response = client_for("alice").get(_url("detail", approved))
    assert response.status_code == 200
    event = AuditEvent.objects.filter(event_type="mace.meeting_viewed").get()
    assert event.actor == personas["alice"] and event.object_id == str(approved.pk)


def test_attendees_see_names_on_the_agenda_but_link_only_to_records_they_can_see(client_for, approved, people):
    kayleigh_url = reverse("people:detail", args=[people["kayleigh"].pk])
    html = client_for("charlie").get(_url("detail", approved)).content.decode()  # health: cannot see Kayleigh
    assert "Kayleigh Smith" in html and "Three missing episodes" in html
    assert kayleigh_url not in html
    html = client_for("alice").get(_url("detail", approved)).content.decode()  # police: can
    assert kayleigh_url in html


def test_an_uninvited_practitioner_who_knows_the_child_gets_page_not_found(client_for, approved):
    # dana's agency works with Kayleigh, who is on the agenda; dana was not invited.
    response = client_for("dana").get(_url("detail", approved))
    assert response.status_code == 404
    assert b"Kayleigh" not in response.content


def test_adding_a_child_by_finding_them(client_for, meeting, people):
    client = client_for("grace")
    url = _url("add_item", meeting)
    assert client.get(url).status_code == 200
    typed = {"kind": "child", "summary": "Missing three times in February.", "next_review_on": ""}
    found = client.post(url, {**typed, "person_search": "Kayleigh Smith", "find": "1"})
    assert found.status_code == 200
    assert [p.pk for p in found.context["people"]] == [people["kayleigh"].pk]
    html = found.content.decode()
    assert "There is a problem" not in html  # finding is not submitting
    assert "Missing three times in February." in html  # what was typed stays
    assert AuditEvent.objects.get(event_type="mace.people_searched").details == {
        "results": [people["kayleigh"].pk]}
    response = client.post(url, {**typed, "person_search": "Kayleigh Smith", "person": people["kayleigh"].pk})
    assert response.status_code == 302
    item = MaceAgendaItem.objects.get()
    assert item.person == people["kayleigh"] and item.next_review_on == meeting.held_on + timedelta(weeks=12)


def test_the_finder_offers_only_people_the_user_can_see(client_for, meeting, people):
    # charlie (health) is invited; searching for Kayleigh finds nobody, and posting her id is refused.
    client = client_for("charlie")
    url = _url("add_item", meeting)
    found = client.post(url, {"kind": "child", "person_search": "Kayleigh Smith", "find": "1"})
    assert found.context["people"] == []
    assert "Nobody you can see matches" in found.content.decode()
    response = client.post(url, {"kind": "child", "person": people["kayleigh"].pk, "summary": "Heard of her."})
    assert response.status_code == 200
    assert "Choose a person from the list" in response.content.decode()
    assert "Heard of her." in response.content.decode()
    assert not MaceAgendaItem.objects.exists()


def test_item_errors_are_listed_and_input_kept(client_for, meeting):
    response = client_for("grace").post(_url("add_item", meeting), {
        "kind": "location", "location_name": "", "location_postcode": "not a postcode", "summary": ""})
    html = response.content.decode()
    for message in ("Enter the address or name of the premises", "Enter a real postcode",
                    "Enter a summary of why this is on the agenda"):
        assert message in html, message
    assert 'value="not a postcode"' in html


def test_an_empty_find_asks_for_a_name(client_for, meeting):
    response = client_for("grace").post(_url("add_item", meeting), {"person_search": "", "find": "1"})
    assert "Enter a name to search for" in response.content.decode()


def test_recording_attendance_decision_action_minutes_and_approval(client_for, meeting, kayleigh_item,
                                                                   personas):
    client = client_for("grace")
    alice, charlie = meeting.attendees.order_by("user__username")
    response = client.post(_url("attendance", meeting), {f"attendee_{alice.pk}": "attended"})
    assert response.status_code == 200  # charlie's attendance missing
    assert "Record whether Charlie attended" in response.content.decode()
    assert 'value="attended" checked' in response.content.decode()
    response = client.post(_url("attendance", meeting), {f"attendee_{alice.pk}": "attended",
                                                         f"attendee_{charlie.pk}": "apologies"})
    assert response.status_code == 302
    response = client.post(_url("add_decision", meeting, item_pk=kayleigh_item.pk),
                           {"text": "Refer for a Child Abduction Warning Notice."})
    assert response.status_code == 302 and MaceDecision.objects.count() == 1
    response = client.post(_url("add_action", meeting), {
        "description": "Serve the notice.", "item": kayleigh_item.pk, "owner": personas["alice"].pk,
        "agency": "", "due_on": (meeting.held_on + timedelta(days=7)).strftime("%d/%m/%Y")})
    assert response.status_code == 302
    assert MaceAction.objects.get().agency.code == "TEST-POLICE"
    assert client.post(_url("minutes", meeting), {"minutes": "Agencies shared information."}).status_code == 302
    page = client.get(_url("approve_minutes", meeting))
    assert "Refer for a Child Abduction Warning Notice." in page.content.decode()
    refused = client.post(_url("approve_minutes", meeting), {})
    assert "Confirm that the minutes are a true record" in refused.content.decode()
    assert client.post(_url("approve_minutes", meeting), {"confirm": "on"}).status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_approved


def test_action_due_date_before_meeting_is_refused_on_the_form(client_for, meeting, personas):
    response = client_for("grace").post(_url("add_action", meeting), {
        "description": "Backdated.", "owner": personas["alice"].pk,
        "due_on": (meeting.held_on - timedelta(days=2)).strftime("%d/%m/%Y")})
    assert "The due date cannot be before the meeting" in response.content.decode()
    assert "Backdated." in response.content.decode()


def test_approval_refused_until_ready_shows_why(client_for, meeting):
    response = client_for("grace").post(_url("approve_minutes", meeting), {"confirm": "on"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Draft the minutes before approving them" in html
    assert "Record attendance for everyone invited (2 not yet recorded)" in html


def test_after_approval_the_forms_refuse_and_say_why(client_for, approved, kayleigh_item, people):
    client = client_for("grace")
    page = client.get(_url("add_decision", approved, item_pk=kayleigh_item.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert "can no longer change" in html and "<textarea" not in html
    assert _url("add_addendum", approved) in html
    # Posting anyway: the action refuses, nothing changes, and the page says why.
    before = (MaceDecision.objects.count(), MaceAgendaItem.objects.count())
    response = client.post(_url("add_decision", approved, item_pk=kayleigh_item.pk), {"text": "Changed."})
    assert response.status_code == 200 and "cannot be changed" in response.content.decode()
    response = client.post(_url("add_item", approved), {"kind": "location", "location_name": "Park",
                                                        "summary": "Late addition."})
    assert response.status_code == 200 and "cannot be changed" in response.content.decode()
    response = client.post(_url("minutes", approved), {"minutes": "Rewritten."})
    assert response.status_code == 200
    approved.refresh_from_db()
    assert approved.minutes == "All agencies shared what they know about Kayleigh."
    assert (MaceDecision.objects.count(), MaceAgendaItem.objects.count()) == before
    # The detail page offers no change links, only the addendum.
    html = client.get(_url("detail", approved)).content.decode()
    assert _url("add_item", approved) not in html and _url("minutes", approved) not in html
    assert _url("add_addendum", approved) in html


def test_adding_an_addendum(client_for, approved, personas):
    client = client_for("alice")
    empty = client.post(_url("add_addendum", approved), {"text": ""})
    assert "Enter the addendum" in empty.content.decode()
    response = client.post(_url("add_addendum", approved), {"text": "The car was silver."})
    assert response.status_code == 302
    html = client.get(_url("detail", approved)).content.decode()
    assert "The car was silver." in html and "Addendum 1 — Alice" in html
    assert MaceAddendum.objects.get().author == personas["alice"]


def test_the_owner_completes_an_action(client_for, approved):
    action = approved.actions.get()
    url = _url("update_action", approved, action_pk=action.pk)
    client = client_for("alice")
    refused = client.post(url, {"status": "cancelled", "note": ""})
    assert "Say why the action is cancelled" in refused.content.decode()
    assert client.post(url, {"status": "done", "note": "Keeper identified."}).status_code == 302
    action.refresh_from_db()
    assert action.status == "done"
    assert "This action is done." in client.get(url).content.decode()
