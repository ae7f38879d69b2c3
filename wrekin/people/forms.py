"""Forms for people. Each keeps what was typed when it re-renders with errors."""

from __future__ import annotations

from datetime import date

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from wrekin.people.identifiers import normalise_nhs_number, normalise_postcode, normalise_upn
from wrekin.people.models import (
    Disability,
    Ethnicity,
    NameKind,
    Person,
    PersonKind,
    Sex,
    SpecialEducationalNeeds,
)

_BLANK = [("", "Not recorded")]
_TRISTATE = [("", "Not known"), ("yes", "Yes"), ("no", "No")]


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Name, and date of birth or age if known",
        help_text="For example: Danny Smith 2010, or Kayleigh Smyth 04/03/2010",
        max_length=200,
        error_messages={"required": "Enter a name to search for"},
    )


class PersonDetailsForm(forms.Form):
    kind = forms.ChoiceField(label="Who is this?", choices=PersonKind.choices, widget=forms.RadioSelect,
                             initial=PersonKind.CHILD)
    given_name = forms.CharField(label="Given name", max_length=100,
                                 error_messages={"required": "Enter the person's given name"})
    middle_names = forms.CharField(label="Middle names", max_length=200, required=False)
    family_name = forms.CharField(label="Family name", max_length=100, required=False,
                                  help_text="Leave blank if not known")
    known_as = forms.CharField(label="Known as", max_length=100, required=False,
                               help_text="A nickname or the name they use, for example Danny")
    date_of_birth = forms.DateField(
        label="Date of birth", required=False, help_text="For example, 27 3 2010 or 27/03/2010",
        input_formats=["%d/%m/%Y", "%d %m %Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"],
        error_messages={"invalid": "Enter the date of birth as day/month/year, for example 27/03/2010"},
    )
    approximate_age = forms.IntegerField(
        label="Approximate age in years", required=False, min_value=0, max_value=110,
        help_text="Only if the date of birth is not known",
        error_messages={"invalid": "Enter the approximate age as a whole number of years"},
    )
    sex = forms.ChoiceField(label="Sex", choices=_BLANK + list(Sex.choices), required=False)
    ethnicity = forms.ChoiceField(label="Ethnicity (self-defined)", choices=_BLANK + list(Ethnicity.choices),
                                  required=False)
    ethnicity_observed = forms.ChoiceField(
        label="Ethnicity (as observed by the officer)", choices=_BLANK + list(Ethnicity.choices), required=False,
        help_text="For persons of concern, recorded beside the self-defined ethnicity",
    )
    nationality = forms.CharField(label="Nationality", max_length=100, required=False)
    disability = forms.ChoiceField(label="Disability", choices=_BLANK + list(Disability.choices), required=False)
    special_educational_needs = forms.ChoiceField(
        label="Special educational needs", choices=_BLANK + list(SpecialEducationalNeeds.choices), required=False
    )
    nhs_number = forms.CharField(label="NHS number", max_length=14, required=False,
                                 help_text="10 digits, for example 943 476 5919")
    upn = forms.CharField(label="Unique pupil number (UPN)", max_length=16, required=False)
    school = forms.CharField(label="School or college", max_length=200, required=False)
    looked_after = forms.ChoiceField(label="Looked after by a local authority?", choices=_TRISTATE,
                                     required=False)
    placed_out_of_area = forms.ChoiceField(label="Placed out of area?", choices=_TRISTATE, required=False)
    occupation = forms.CharField(label="Occupation", max_length=200, required=False,
                                 help_text="For example: taxi driver (licence number and authority in notes)")

    def clean_nhs_number(self) -> str:
        value = self.cleaned_data["nhs_number"]
        return normalise_nhs_number(value) if value.strip() else ""

    def clean_upn(self) -> str:
        value = self.cleaned_data["upn"]
        return normalise_upn(value) if value.strip() else ""

    def clean_date_of_birth(self) -> date | None:
        value = self.cleaned_data["date_of_birth"]
        if value and value > timezone.localdate():
            raise ValidationError("Date of birth must be in the past")
        if value and value.year < 1900:
            raise ValidationError("Date of birth must be after 1900")
        return value

    def clean(self):
        data = super().clean()
        if data.get("date_of_birth") and data.get("approximate_age") is not None:
            self.add_error("approximate_age", "Give an approximate age only when the date of birth is not known")
        return data

    def person_details(self) -> dict:
        data = dict(self.cleaned_data)
        for key in ("looked_after", "placed_out_of_area"):
            data[key] = {"yes": True, "no": False}.get(data.get(key) or "")
        return {key: value for key, value in data.items() if key in _PERSON_KEYS}

    @classmethod
    def initial_for(cls, person: Person) -> dict:
        initial = {name: getattr(person, name) for name in _PERSON_KEYS}
        for key in ("looked_after", "placed_out_of_area"):
            initial[key] = {True: "yes", False: "no"}.get(initial[key], "")
        if person.date_of_birth:
            initial["date_of_birth"] = person.date_of_birth.strftime("%d/%m/%Y")
        return initial


_PERSON_KEYS = (
    "kind", "given_name", "middle_names", "family_name", "known_as", "date_of_birth", "approximate_age", "sex",
    "ethnicity", "ethnicity_observed", "nationality", "disability", "special_educational_needs", "nhs_number",
    "upn", "school", "looked_after", "placed_out_of_area", "occupation",
)


class AddressForm(forms.Form):
    line1 = forms.CharField(label="Address line 1", max_length=200, required=False)
    line2 = forms.CharField(label="Address line 2", max_length=200, required=False)
    town = forms.CharField(label="Town or city", max_length=100, required=False)
    postcode = forms.CharField(label="Postcode", max_length=20, required=False)

    def __init__(self, *args, require_address: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.require_address = require_address

    def clean_postcode(self) -> str:
        value = self.cleaned_data["postcode"]
        return normalise_postcode(value) if value.strip() else ""

    def clean(self):
        data = super().clean()
        if (self.require_address or data.get("postcode") or data.get("town")) and not data.get("line1"):
            self.add_error("line1", "Enter the first line of the address")
        return data


class PhoneForm(forms.Form):
    phone = forms.CharField(label="Phone number", max_length=40, required=False,
                            help_text="As given; UK numbers can start 07 or +44")
    phone_label = forms.CharField(label="Whose or what phone", max_length=60, required=False,
                                  help_text="For example: own mobile, mother's mobile")

    def __init__(self, *args, require_phone: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.require_phone = require_phone

    def clean_phone(self) -> str:
        value = self.cleaned_data["phone"].strip()
        if not value:
            if self.require_phone:
                raise ValidationError("Enter a phone number")
            return ""
        try:
            number = phonenumbers.parse(value, "GB")
        except phonenumbers.NumberParseException:
            raise ValidationError("Enter a phone number, like 07700 900123 or +44 7700 900123") from None
        # Numbers are recorded as given, sometimes mistyped: accept any possible number.
        if not phonenumbers.is_possible_number(number):
            raise ValidationError("This is not a possible phone number: check the number of digits")
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class OtherNameForm(forms.Form):
    kind = forms.ChoiceField(label="Kind of name", choices=NameKind.choices)
    given_name = forms.CharField(label="Given name or nickname", max_length=100, required=False)
    family_name = forms.CharField(label="Family name", max_length=100, required=False)

    def clean(self):
        data = super().clean()
        if not data.get("given_name") and not data.get("family_name"):
            self.add_error("given_name", "Enter a given name, a nickname or a family name")
        return data


class InvolvementForm(forms.Form):
    summary = forms.CharField(
        label="Why your agency is involved", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Factual: what was seen or reported, when, and by whom",
    )


class ConfirmNewPersonForm(forms.Form):
    none_of_these = forms.BooleanField(
        label="None of these people is the person I am recording", required=False
    )
