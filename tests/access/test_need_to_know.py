"""Known-to flags, break-glass and restricted records."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from wrekin.access.models import BreakGlassGrant, Notification, NotificationKind, RestrictedAccess
from wrekin.access.policy import people_visible_to
from wrekin.accounts.models import Membership, Role, User
from wrekin.audit.models import AuditEvent


def _code(user, offset: int = 0) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return f"{totp(device.bin_key, device.step, device.t0 + offset * device.step, device.digits):06d}"


# --- Known-to flags -------------------------------------------------------------------

def test_outsider_sees_a_flag_and_contacts_not_the_file(client_for, people, personas):
    response = client_for("charlie").post(reverse("people:search"), {"q": "Kayleigh Smith 04/03/2010"})
    assert response.status_code == 200
    assert response.context["matches"] == []
    [flag] = response.context["flags"]
    assert flag.person_id == people["kayleigh"].pk
    assert flag.agencies == ["Test Constabulary", "Wrekin Children's Services"]
    assert {c.agency for c in flag.contacts} == {"Test Constabulary", "Wrekin Children's Services"}
    html = response.content.decode()
    assert "Known to other agencies" in html
    # The file is not shown: no link to the record, only to break-glass.
    assert f'href="{reverse("people:detail", args=[people["kayleigh"].pk])}"' not in html
    assert reverse("access:break_glass", args=[people["kayleigh"].pk]) in html


def test_lookup_notifies_the_managers_when_there_is_no_lead_professional(client_for, people, personas):
    client_for("charlie").post(reverse("people:search"), {"q": "Kayleigh Smith 04/03/2010"})
    [note] = Notification.objects.all()
    assert note.recipient == personas["dana"]  # CSC manager working with Kayleigh
    assert note.kind == NotificationKind.KNOWN_TO_LOOKUP and note.actor == personas["charlie"]
    assert "Wrekin Community Health" in note.message
    event = AuditEvent.objects.get(event_type="access.known_to_shown")
    assert event.person_id == people["kayleigh"].pk and event.details == {"notified": 1}
    # Dana reads it on her notifications page.
    response = client_for("dana").get(reverse("access:notifications"))
    assert "looked up Kayleigh Smith" in response.content.decode()


def test_no_flag_on_a_name_alone(client_for, people):
    response = client_for("charlie").post(reverse("people:search"), {"q": "Kayleigh Smith"})
    assert response.context["flags"] == []
    assert not Notification.objects.exists()


def test_no_flag_for_someone_you_can_already_see(client_for, people):
    response = client_for("alice").post(reverse("people:search"), {"q": "Kayleigh Smith 04/03/2010"})
    assert [m.person.pk for m in response.context["matches"]] == [people["kayleigh"].pk]
    assert response.context["flags"] == []


def test_no_flag_across_partnerships(client_for, people):
    response = client_for("oscar").post(reverse("people:search"), {"q": "Daniel Smyth 04/03/2010"})
    assert response.context["flags"] == [] and response.context["matches"] == []


def test_recording_a_duplicate_is_stopped_by_the_flag(client_for, people):
    from wrekin.people.models import Person

    response = client_for("charlie").post(reverse("people:create"), {
        "kind": "child", "given_name": "Kayley", "family_name": "Smith", "date_of_birth": "04/03/2010"})
    assert response.status_code == 200 and len(response.context["flags"]) == 1
    assert Person.objects.filter(given_name="Kayley").count() == 0


# --- Break-glass ----------------------------------------------------------------------

def test_break_glass_opens_the_record_for_an_hour_and_tells_auditors(client_for, people, personas):
    client = client_for("charlie")
    url = reverse("access:break_glass", args=[people["kayleigh"].pk])
    detail = reverse("people:detail", args=[people["kayleigh"].pk])
    assert client.get(detail).status_code == 404
    response = client.post(url, {"reason": "Found at 2am at the bus station; lead not reachable.",
                                 "code": _code(personas["charlie"])})
    assert response.status_code == 302 and response["Location"] == detail
    assert client.get(detail).status_code == 200
    grant = BreakGlassGrant.objects.get()
    assert timedelta(minutes=59) < grant.expires_at - grant.granted_at <= timedelta(minutes=60)
    assert Notification.objects.get(kind=NotificationKind.BREAK_GLASS).recipient == personas["heidi"]
    event = AuditEvent.objects.get(event_type="access.break_glass")
    assert event.reason.startswith("Found at 2am") and event.actor == personas["charlie"]
    # After expiry the record closes again.
    BreakGlassGrant.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(detail).status_code == 404


def test_break_glass_needs_a_reason_and_a_fresh_code(client_for, people, personas):
    client = client_for("charlie")
    url = reverse("access:break_glass", args=[people["kayleigh"].pk])
    response = client.post(url, {"reason": "urgent", "code": "000000"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "at least 20 characters" in html and "urgent" in html
    assert not BreakGlassGrant.objects.exists()
    # The code was not spent on a form with other errors: it still works once.
    code = _code(personas["charlie"])
    response = client.post(url, {"reason": "Child reported missing tonight; need last address.", "code": code})
    assert response.status_code == 302
    response = client.post(url, {"reason": "Child reported missing tonight; need last address.", "code": code})
    assert response.status_code == 302  # already visible now: sent to the record
    assert BreakGlassGrant.objects.count() == 1


def test_wrong_code_is_refused_and_recorded(client_for, people, personas):
    client = client_for("charlie")
    url = reverse("access:break_glass", args=[people["kayleigh"].pk])
    response = client.post(url, {"reason": "Child reported missing tonight; need last address.",
                                 "code": _code(personas["charlie"], offset=-20)})
    assert "wrong or has already been used" in response.content.decode()
    assert AuditEvent.objects.filter(event_type="access.break_glass_refused").count() == 1


def test_break_glass_cannot_reach_restricted_or_other_partnerships(client_for, people, personas):
    people["jayden"].is_restricted = True
    people["jayden"].save()
    client = client_for("bob")
    for person in ("jayden", "elsewhere"):
        response = client.post(reverse("access:break_glass", args=[people[person].pk]),
                               {"reason": "Child reported missing tonight; need last address.",
                                "code": _code(personas["bob"])})
        assert response.status_code == 404


def test_auditor_reviews_break_glass(client_for, people, personas):
    grant = BreakGlassGrant.objects.create(user=personas["bob"], person=people["kayleigh"], reason="r" * 25,
                                           expires_at=timezone.now() + timedelta(minutes=60))
    client = client_for("heidi")
    url = reverse("access:review_break_glass", args=[grant.pk])
    response = client.post(url, {"outcome": "not_justified", "note": ""})
    assert "Say why the access was not justified" in response.content.decode()
    response = client.post(url, {"outcome": "not_justified", "note": "No emergency recorded."})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.review_outcome == "not_justified" and grant.reviewed_by == personas["heidi"]


# --- Restricted records ----------------------------------------------------------------

def test_restricted_record_opens_only_to_named_users(client_for, people, personas):
    kayleigh = people["kayleigh"]
    client = client_for("dana")
    response = client.post(reverse("access:restrict", args=[kayleigh.pk]), {
        "reason": "Child of a member of staff.", "usernames": "alice", "code": _code(personas["dana"])})
    assert response.status_code == 302
    kayleigh.refresh_from_db()
    assert kayleigh.is_restricted
    assert set(RestrictedAccess.objects.values_list("user__username", flat=True)) == {"dana", "alice"}
    for username, visible in [("alice", True), ("dana", True), ("erin", False), ("frank", False),
                              ("grace", False)]:
        assert people_visible_to(personas[username]).filter(pk=kayleigh.pk).exists() is visible, username
    # Nobody outside is told the child is known.
    response = client_for("charlie").post(reverse("people:search"), {"q": "Kayleigh Smith 04/03/2010"})
    assert response.context["flags"] == []


def test_restriction_names_only_people_in_the_partnership(client_for, people, personas):
    response = client_for("dana").post(reverse("access:restrict", args=[people["kayleigh"].pk]), {
        "reason": "Child of a member of staff.", "usernames": "oscar", "code": _code(personas["dana"])})
    assert response.status_code == 403
    assert not people["kayleigh"].__class__.objects.get(pk=people["kayleigh"].pk).is_restricted


def test_unknown_username_is_a_form_error(client_for, people, personas):
    response = client_for("dana").post(reverse("access:restrict", args=[people["kayleigh"].pk]), {
        "reason": "Child of a member of staff.", "usernames": "nobody-here", "code": "123456"})
    assert "No active user called nobody-here" in response.content.decode()


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.ANALYST])
def test_only_managers_and_coordinators_restrict(client_for, people, personas, role):
    user = User.objects.get(username="alice")
    Membership.objects.filter(user=user).update(role=role)
    response = client_for("alice").get(reverse("access:restrict", args=[people["kayleigh"].pk]))
    assert response.status_code == 403


# --- Unusual access ----------------------------------------------------------------------

def test_opening_many_more_records_than_usual_alerts_auditors(client_for, agencies, personas):
    from tests.conftest import make_person
    from wrekin.access.monitoring import MINIMUM_THRESHOLD

    children = [make_person(agencies["police"], given=f"Child{n}", family="Test") for n in range(MINIMUM_THRESHOLD)]
    client = client_for("alice")
    for child in children[:-1]:
        client.get(reverse("people:detail", args=[child.pk]))
    assert not Notification.objects.filter(kind=NotificationKind.UNUSUAL_ACCESS).exists()
    client.get(reverse("people:detail", args=[children[-1].pk]))
    [note] = Notification.objects.filter(kind=NotificationKind.UNUSUAL_ACCESS)
    assert note.recipient == personas["heidi"] and note.actor == personas["alice"]
    # Opening more in the same hour does not repeat the alert.
    client.get(reverse("people:detail", args=[children[0].pk]))
    assert Notification.objects.filter(kind=NotificationKind.UNUSUAL_ACCESS).count() == 1
    assert AuditEvent.objects.filter(event_type="access.unusual_access").count() == 1


def test_a_busy_user_is_judged_against_their_own_usual_hour(agencies, personas):
    from tests.conftest import make_person
    from wrekin.access.monitoring import check_unusual_access

    alice = personas["alice"]
    children = [make_person(agencies["police"], given=f"Child{n}", family="Test") for n in range(40)]
    now = timezone.now()
    yesterday = now - timedelta(days=1)
    # Yesterday alice opened 30 records in one hour: that is her usual busiest hour.
    for child in children[:30]:
        _view(alice, child)
    AuditEvent.objects.filter(event_type="person.viewed").update(occurred_at=yesterday)
    for child in children[:40]:
        _view(alice, child)
    assert check_unusual_access(alice, now=timezone.now()) is False  # 40 < 2 x 30


def _view(user, person):
    from wrekin.audit.actions import record_event

    return record_event("person.viewed", actor=user, person=person, target=person)


# --- Sharing records -------------------------------------------------------------------

def test_a_disclosure_is_recorded_with_basis_and_reasoning(client_for, people, personas):
    from wrekin.access.models import SharingRecord

    url = reverse("access:person_sharing", args=[people["kayleigh"].pk])
    client = client_for("alice")
    data = {"decision": "shared", "what": "Chronology March to June", "recipient_organisation": "Another Council",
            "purpose": "Child placed in their area", "reasoning": "Needed to keep her safe in placement"}
    response = client.post(url, data)
    html = response.content.decode()
    assert "Choose the lawful basis for sharing" in html and "Chronology March to June" in html
    response = client.post(url, {**data, "lawful_basis": "public_task_safeguarding", "method": "email"})
    assert response.status_code == 302
    record = SharingRecord.objects.get()
    assert record.decided_by == personas["alice"] and record.agency.code == "TEST-POLICE"
    event = AuditEvent.objects.get(event_type="access.sharing_recorded")
    assert event.details == {"decision": "shared", "lawful_basis": "public_task_safeguarding", "method": "email"}


def test_a_decision_not_to_share_is_recorded_too(client_for, people):
    from wrekin.access.models import SharingRecord

    response = client_for("alice").post(reverse("access:person_sharing", args=[people["kayleigh"].pk]), {
        "decision": "not_shared", "what": "Full police file", "recipient_organisation": "A newspaper",
        "purpose": "Story", "reasoning": "No lawful basis; not in the child's interests"})
    assert response.status_code == 302
    assert SharingRecord.objects.get().decision == "not_shared"
    register = client_for("heidi").get(reverse("access:sharing_register"))
    assert "A newspaper" in register.content.decode()


def test_unreviewed_break_glass_is_on_the_auditors_home_page(client_for, people, personas):
    BreakGlassGrant.objects.create(user=personas["bob"], person=people["kayleigh"], reason="Found late at night.",
                                   expires_at=timezone.now() + timedelta(minutes=60))
    html = client_for("heidi").get(reverse("core:home")).content.decode()
    assert "Break-glass access to review" in html and f"opened record #{people['kayleigh'].pk}" in html
    assert "Break-glass access to review" not in client_for("erin").get(reverse("core:home")).content.decode()


def _confirmed_at(client, when) -> None:
    from wrekin.accounts.middleware import SIGNED_IN_AT_SESSION_KEY
    from wrekin.accounts.step_up import STEPPED_UP_AT_SESSION_KEY

    session = client.session
    session[SIGNED_IN_AT_SESSION_KEY] = session[STEPPED_UP_AT_SESSION_KEY] = when.timestamp()
    session.save()


def test_an_account_with_a_passkey_only_confirms_on_the_step_up_page(client_for, people, personas):
    from django_otp import DEVICE_ID_SESSION_KEY

    from wrekin.accounts.models import Passkey

    client = client_for("charlie")
    # Set up with a passkey and no app, and signed in with it.
    TOTPDevice.objects.filter(user=personas["charlie"]).delete()
    passkey = Passkey.objects.create(user=personas["charlie"], name="Laptop", credential_id="AAAA",
                                     public_key=b"\x00", rp_id="testserver")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = passkey.persistent_id
    session.save()
    url = reverse("access:break_glass", args=[people["kayleigh"].pk])
    reason = "Found at 2am at the bus station; lead not reachable."
    _confirmed_at(client, timezone.now() - timedelta(hours=1))
    # Sent to confirm with the passkey first, and back to the form after.
    response = client.get(url)
    assert response.status_code == 302 and response["Location"] == (
        f"{reverse('accounts:step_up')}?next={url.replace('/', '%2F')}")
    # A form filled in after the confirmation lapsed is sent back with its text, and opens nothing.
    response = client.post(url, {"reason": reason})
    assert response.status_code == 200 and reason in response.text
    assert "Confirm it is you with your passkey" in response.text and 'name="code"' not in response.text
    assert not BreakGlassGrant.objects.exists()
    # Freshly confirmed: the form asks no code, and the record opens.
    _confirmed_at(client, timezone.now())
    response = client.get(url)
    assert response.status_code == 200 and 'name="code"' not in response.text
    assert client.post(url, {"reason": reason}).status_code == 302
    assert BreakGlassGrant.objects.get().user == personas["charlie"]


def test_an_account_with_an_app_still_types_a_code_after_a_recent_step_up(client_for, people, personas):
    client = client_for("charlie")
    _confirmed_at(client, timezone.now())
    url = reverse("access:break_glass", args=[people["kayleigh"].pk])
    response = client.post(url, {"reason": "Found at 2am at the bus station; lead not reachable."})
    assert response.status_code == 200 and "Enter the 6-digit code" in response.text
    assert not BreakGlassGrant.objects.exists()
