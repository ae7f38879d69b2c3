"""Recording and correcting people through the pages, as the personas would."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from wrekin.audit.models import AuditEvent
from wrekin.people.models import Person


def _create(client, **fields):
    data = {"kind": "child", **fields}
    return client.post(reverse("people:create"), data)


def test_recording_a_new_child_with_address_and_phone(client_for, people):
    client = client_for("bob")
    response = _create(client, given_name="Tia", family_name="Morgan", date_of_birth="27/03/2011", sex="F",
                       ethnicity="NOBT", nhs_number="943 476 5919", **{
                           "address-line1": "4 Ercall Close", "address-town": "Wellington",
                           "address-postcode": "tf1 2ab", "contact-phone": "07700 900123",
                           "contact-phone_label": "own mobile", "summary": "Absent from school on 6 Mondays."})
    person = Person.objects.get(given_name="Tia")
    assert response.status_code == 302 and response["Location"] == reverse("people:detail", args=[person.pk])
    assert person.date_of_birth == date(2011, 3, 27) and person.ethnicity == "NOBT"
    assert person.nhs_number == "9434765919"
    assert person.addresses.get().postcode == "TF1 2AB"
    assert person.phones.get().number == "+447700900123"
    involvement = person.involvements.get()
    assert involvement.agency.code == "TEST-SCHOOL" and "Mondays" in involvement.summary
    event = AuditEvent.objects.get(event_type="person.created")
    assert event.person_id == person.pk and "Tia" not in str(event.details)
    # The recording agency can open what it recorded.
    assert client.get(reverse("people:detail", args=[person.pk])).status_code == 200


def test_errors_are_listed_and_what_was_typed_is_kept(client_for, people):
    client = client_for("bob")
    response = _create(client, given_name="", family_name="Morgan", nhs_number="1234567890",
                       date_of_birth="31/02/2011", **{"address-postcode": "not a postcode",
                                                      "contact-phone": "12", "summary": "Seen at 9pm."})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    for message in ("Enter the person&#x27;s given name", "check digit", "day/month/year",
                    "Enter a real postcode", "possible phone number"):
        assert message in html, message
    for typed in ('value="Morgan"', 'value="1234567890"', 'value="not a postcode"', "Seen at 9pm."):
        assert typed in html, typed
    assert not Person.objects.filter(family_name="Morgan").exists()


def test_possible_duplicate_is_shown_before_anyone_is_created(client_for, people):
    client = client_for("alice")  # police can see Kayleigh Smith
    fields = {"given_name": "Kayley", "family_name": "Smyth", "date_of_birth": "04/03/2010"}
    response = _create(client, **fields)
    assert response.status_code == 200
    assert "Possible matches" in response.content.decode()
    assert [m.person.pk for m in response.context["possible_matches"]] == [people["kayleigh"].pk]
    assert Person.objects.filter(given_name="Kayley").count() == 0
    # Confirming that none of them is the person records the new one.
    response = _create(client, none_of_these="on", **fields)
    assert response.status_code == 302
    assert Person.objects.filter(given_name="Kayley").count() == 1


def test_prefill_from_search_does_not_validate_or_create(client_for, people):
    client = client_for("alice")
    response = client.post(reverse("people:create"), {"prefill_from_search": "Tyler Brookes 14/05/2012"})
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_bound
    assert form.initial == {"given_name": "Tyler", "family_name": "Brookes", "date_of_birth": "14/05/2012"}


def test_search_results_explain_each_match(client_for, people):
    response = client_for("bob").post(reverse("people:search"), {"q": "Danny Smith 2010"})
    matches = response.context["matches"]
    assert [m.person.pk for m in matches] == [people["daniel"].pk]
    assert "Why it matched" in response.content.decode()


def test_empty_search_shows_an_error(client_for, people):
    response = client_for("bob").post(reverse("people:search"), {"q": ""})
    assert response.status_code == 200
    assert "Enter a name to search for" in response.content.decode()
    assert not AuditEvent.objects.filter(event_type="person.searched").exists()


def test_editing_records_which_fields_changed(client_for, people):
    client = client_for("alice")
    kayleigh = people["kayleigh"]
    response = client.get(reverse("people:edit", args=[kayleigh.pk]))
    data = {k: v for k, v in response.context["form"].initial.items() if v is not None}
    data.update(known_as="Kay", ethnicity="WBRI")
    response = client.post(reverse("people:edit", args=[kayleigh.pk]), data)
    assert response.status_code == 302
    kayleigh.refresh_from_db()
    assert kayleigh.known_as == "Kay" and kayleigh.known_as_key == "K"
    event = AuditEvent.objects.get(event_type="person.updated")
    assert event.details == {"fields": ["ethnicity", "known_as"]}


def test_new_address_ends_the_current_one(client_for, people):
    client = client_for("alice")
    kayleigh = people["kayleigh"]
    client.post(reverse("people:add_address", args=[kayleigh.pk]),
                {"line1": "1 Old Street", "town": "Telford", "postcode": "TF3 4AA"})
    client.post(reverse("people:add_address", args=[kayleigh.pk]),
                {"line1": "9 New Road", "town": "Madeley", "postcode": "TF7 5BB"})
    addresses = list(kayleigh.addresses.order_by("pk"))
    assert addresses[0].valid_to is not None and addresses[1].valid_to is None


def test_address_form_error_keeps_input(client_for, people):
    response = client_for("alice").post(reverse("people:add_address", args=[people["kayleigh"].pk]),
                                        {"line1": "", "town": "Telford", "postcode": "TF3 4AA"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter the first line of the address" in html and 'value="Telford"' in html


def test_nickname_added_makes_the_person_findable(client_for, people):
    client = client_for("alice")
    client.post(reverse("people:add_name", args=[people["poc"].pk]),
                {"kind": "nickname", "given_name": "Spider", "family_name": ""})
    response = client.post(reverse("people:search"), {"q": "Spider"})
    assert people["poc"].pk in [m.person.pk for m in response.context["matches"]]


def test_phone_is_stored_in_e164_and_as_given(client_for, people):
    client = client_for("alice")
    client.post(reverse("people:add_phone", args=[people["poc"].pk]),
                {"phone": "07700 900 456", "phone_label": "given at arrest"})
    phone = people["poc"].phones.get()
    assert phone.number == "+447700900456" and phone.as_given == "07700 900 456"


def test_approximate_age_becomes_an_estimated_birth_year(client_for, people):
    client = client_for("alice")
    _create(client, kind="person_of_concern", given_name="Unknown", family_name="Driver", approximate_age="30",
            none_of_these="on")
    person = Person.objects.get(family_name="Driver")
    assert person.approximate_age_recorded_on is not None
    assert person.birth_year == person.approximate_age_recorded_on.year - 30
