"""The referral form suggests what its narrative mentions; the referrer confirms or rejects each suggestion.

Live (htmx posts the form to intelligence:extract_suggestions as they type) and without JavaScript
(the "Check the narrative" button re-renders the form with the suggestions, keeping everything
typed). A confirmed suggestion becomes one of the referral's mentions and a confirmed entity
mention; a rejected one is not recorded; the rest are recorded as unconfirmed by record_mentions.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.referrals.test_views import referral_post
from wrekin.audit.models import AuditEvent
from wrekin.intelligence.models import Mention, MentionOrigin, MentionStatus
from wrekin.referrals.models import Referral

pytestmark = pytest.mark.usefixtures("frozen")

NARRATIVE = ("Seen getting into AB12 CDE outside school at 15:30. A man on 07700 900123 calls him at night; "
             "he goes to a flat at TF1 2AB. He is on Snapchat as kayz_01.")
NO_ROWS = {"mentions-0-kind": "", "mentions-0-value": "", "mentions-0-relationship": "", "mentions-0-detail": ""}


def _decisions(*decided: tuple[str, str, str]) -> dict:
    """The suggestion fields a form posts: (type, normalised, decision) for each suggestion answered."""
    data = {"suggestion-count": str(len(decided))}
    for n, (type_, normalised, decision) in enumerate(decided):
        data |= {f"suggestion-{n}": decision, f"suggestion-{n}-type": type_,
                 f"suggestion-{n}-normalised": normalised, f"suggestion-{n}-span": "0:0"}
    return data


def _url(people) -> str:
    return reverse("referrals:create", args=[people["daniel"].pk])


def test_the_narrative_asks_for_suggestions_as_it_is_typed(client_for, people):
    html = client_for("bob").get(_url(people)).content.decode()
    textarea = html[html.index("<textarea"):html.index("</textarea>")]
    assert f'hx-post="{reverse("intelligence:extract_suggestions")}"' in textarea
    assert 'hx-trigger="input changed delay:500ms"' in textarea and 'hx-target="#narrative-suggestions"' in textarea
    assert '<div id="narrative-suggestions" aria-live="polite">' in html
    assert 'name="find_suggestions"' in html and "Check the narrative for vehicles, phones and places" in html


def test_the_live_endpoint_suggests_what_the_referral_narrative_mentions(client_for, people):
    # htmx posts the whole referral form, as it stands, to the endpoint.
    response = client_for("bob").post(reverse("intelligence:extract_suggestions"),
                                      referral_post(narrative=NARRATIVE, **NO_ROWS))
    html = response.content.decode()
    assert response.status_code == 200
    for shown in ("Vehicle: AB12 CDE", "Phone: +447700900123", "Postcode: TF1 2AB", "Online handle: snapchat: kayz_01",
                  "Yes, this is right", "No, reject this"):
        assert shown in html, shown
    assert not Referral.objects.exists()


def test_without_javascript_the_check_button_shows_suggestions_and_keeps_everything(client_for, people):
    client = client_for("bob")
    data = referral_post(narrative=NARRATIVE, find_suggestions="1", consent_status="refused",
                         **_decisions(("phone", "+447700900123", "reject")))
    response = client.post(_url(people), data)
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" not in html
    assert "Wrekin found 4 things this text mentions" in html and "Vehicle: AB12 CDE" in html
    for typed in (NARRATIVE, 'value="01/05/2026"', 'value="AB12 CDE"', 'value="silver hatchback"',
                  'value="cars_unknown_adults" checked', 'value="refused" checked'):
        assert typed in html, typed
    # The decision already made is still made.
    phone = html.index('value="+447700900123"')
    assert 'value="reject" checked' in html[phone:html.index("</fieldset>", phone)]
    assert not Referral.objects.exists()


def test_a_confirmed_suggestion_becomes_a_mention_of_the_referral(client_for, people, agencies):
    client = client_for("bob")
    response = client.post(_url(people), referral_post(narrative=NARRATIVE, **NO_ROWS, **_decisions(
        ("vehicle", "AB12CDE", "confirm"), ("postcode", "TF1 2AB", "reject"))))
    assert response.status_code == 302
    referral = Referral.objects.get()
    # The referral's own list: the confirmed plate, shown as Wrekin showed it; nothing typed by hand.
    assert [(m.kind, m.value, m.normalised) for m in referral.mentions.all()] == [("vehicle", "AB12 CDE", "AB12CDE")]
    detail = client.get(response["Location"]).content.decode()
    assert "AB12 CDE" in detail and "confirmed by the referrer" in detail
    # The intelligence mentions: the plate once, confirmed; the phone and handle found by the machine and not
    # answered, unconfirmed; the rejected postcode not at all.
    mentions = {m.entity.type + ":" + m.entity.display: m for m in Mention.objects.filter(
        source_type="referrals.referral", source_id=referral.pk).select_related("entity")}
    vehicle = [m for key, m in mentions.items() if key.startswith("vehicle:")]
    assert len(vehicle) == 1 and vehicle[0].status == MentionStatus.CONFIRMED
    assert vehicle[0].origin == MentionOrigin.STRUCTURED
    phone = next(m for key, m in mentions.items() if key.startswith("phone:"))
    assert phone.status == MentionStatus.UNCONFIRMED and phone.origin == MentionOrigin.EXTRACTED
    assert not [key for key in mentions if key.startswith("location:")]
    event = AuditEvent.objects.get(event_type="referral.recorded")
    assert event.details["suggestions"] == {"confirmed": 1, "rejected": 1} and event.details["mentions"] == 1


def test_a_suggestion_confirmed_and_typed_in_as_well_is_recorded_once(client_for, people):
    response = client_for("bob").post(_url(people), referral_post(
        narrative=NARRATIVE, **_decisions(("vehicle", "AB12CDE", "confirm"))))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert [(m.kind, m.value, m.relationship) for m in referral.mentions.all()] == [
        ("vehicle", "AB12 CDE", "child was picked up in")]


def test_a_decision_about_something_not_in_the_narrative_changes_nothing(client_for, people):
    response = client_for("bob").post(_url(people), referral_post(
        narrative=NARRATIVE, **NO_ROWS, **_decisions(("vehicle", "ZZ99ZZZ", "confirm"), ("phone", "+447700900999",
                                                                                           "confirm"))))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert not referral.mentions.exists()
    assert AuditEvent.objects.get(event_type="referral.recorded").details["suggestions"] == {
        "confirmed": 0, "rejected": 0}


def test_a_confirmed_known_name_keeps_its_person_of_concern(client_for, people):
    # alice (police) can see Mohammed Khan, a person of concern her agency recorded: his name is suggested.
    client = client_for("alice")
    url = reverse("referrals:create", args=[people["kayleigh"].pk])
    narrative = "Kayleigh was seen with Mohammed Khan outside the station."
    html = client.post(url, referral_post(narrative=narrative, find_suggestions="1", **NO_ROWS)).content.decode()
    assert "Person of concern: Mohammed Khan" in html
    assert AuditEvent.objects.filter(event_type="person.searched", details__via="extraction").exists()
    response = client.post(url, referral_post(narrative=narrative, **NO_ROWS, **_decisions(
        ("person", "Mohammed Khan", "confirm"))))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert [(m.kind, m.value) for m in referral.mentions.all()] == [("person", "Mohammed Khan")]
    [mention] = Mention.objects.filter(source_type="referrals.referral", source_id=referral.pk,
                                       entity__type="person")
    assert mention.status == MentionStatus.CONFIRMED and mention.origin == MentionOrigin.EXTRACTED
    # Confirmed as it was recorded, by the referrer: the machine suggested, a person decided.
    assert mention.reviewed_by.username == "alice"
    assert mention.reviewed_at is not None
    recorded = AuditEvent.objects.get(event_type="intelligence.mentions_recorded", object_id=str(referral.pk))
    assert recorded.details["confirmed_suggestions"] == 1 and recorded.details["unconfirmed"] == 0
