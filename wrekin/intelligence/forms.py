"""Forms for the disruption log and persons of concern. Each keeps what was typed on error."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from wrekin.intelligence.demographics import NATIONALITY_NOT_KNOWN
from wrekin.intelligence.models import DisruptionKind, DisruptionStatus, NoFurtherActionReason
from wrekin.people.identifiers import normalise_postcode
from wrekin.people.models import Disability, Ethnicity, Person, Sex

DATE_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]


class DisruptionForm(forms.Form):
    kind = forms.ChoiceField(label="What was done?", choices=DisruptionKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose the kind of disruption"})
    occurred_on = forms.DateField(
        label="Date", input_formats=DATE_FORMATS, help_text="When it was done or is planned, for example 27/03/2026",
        error_messages={"required": "Enter the date", "invalid": "Enter the date as day/month/year, for example "
                                                                 "27/03/2026"})
    status = forms.ChoiceField(label="Status", choices=DisruptionStatus.choices, widget=forms.RadioSelect,
                               error_messages={"required": "Choose the status"})
    outcome = forms.CharField(label="Outcome", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="Factual: what happened, for example served in person at his home "
                                        "address and acknowledged")
    reference = forms.CharField(label="Crime, court or licensing reference", max_length=60, required=False)
    children = forms.TypedMultipleChoiceField(
        label="Children protected", coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose children from the list"},
        help_text="A Child Abduction Warning Notice must name the child or children",
    )
    premises_name = forms.CharField(label="Hotel or premises name and address", max_length=200, required=False)
    premises_postcode = forms.CharField(label="Postcode", max_length=20, required=False)
    driver_licence_number = forms.CharField(label="Driver licence number", max_length=40, required=False,
                                            help_text="The private hire or hackney carriage driver licence")
    licensing_authority = forms.CharField(label="Issuing licensing authority", max_length=200, required=False,
                                          help_text="The council that issued the licence, for example Shropshire "
                                                    "Council")
    nfa_reason = forms.ChoiceField(label="Reason for no further action", required=False, widget=forms.RadioSelect,
                                   choices=NoFurtherActionReason.choices)
    nfa_reason_detail = forms.CharField(label="Other reason", required=False,
                                        widget=forms.Textarea(attrs={"rows": 3}),
                                        help_text="Required when the reason is Other")

    def __init__(self, *args, child_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["children"].choices = child_choices

    def clean_premises_postcode(self) -> str:
        value = self.cleaned_data["premises_postcode"]
        return normalise_postcode(value) if value.strip() else ""


class DisruptionUpdateForm(forms.Form):
    status = forms.ChoiceField(label="Status now", choices=DisruptionStatus.choices, widget=forms.RadioSelect,
                               error_messages={"required": "Choose the status"})
    note = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": "Say what happened"},
                           help_text="For example: order granted at Telford Magistrates' Court for 2 years")


_ETHNICITY = [("", "Choose an answer")] + list(Ethnicity.choices)
_ETHNICITY_OBSERVED = [("", "Choose an answer")] + [
    (code, label) for code, label in Ethnicity.choices if code != Ethnicity.REFU  # one cannot refuse to be seen
]


class DemographicsForm(forms.Form):
    """The six questions of Casey rec. 4. Every one needs an answer; "not known" is an answer."""

    sex = forms.ChoiceField(label="Sex", choices=Sex.choices, widget=forms.RadioSelect,
                            error_messages={"required": "Choose the person's sex, or Not known"})
    date_of_birth = forms.DateField(
        label="Date of birth", required=False, input_formats=DATE_FORMATS,
        help_text="For example, 27/03/1990",
        error_messages={"invalid": "Enter the date of birth as day/month/year, for example 27/03/1990"})
    approximate_age = forms.IntegerField(
        label="Approximate age in years", required=False, min_value=10, max_value=110,
        help_text="Only if the date of birth is not known. An estimate is better than nothing.",
        error_messages={"invalid": "Enter the approximate age as a whole number of years",
                        "min_value": "Enter an approximate age of 10 or more",
                        "max_value": "Enter an approximate age of 110 or less"})
    ethnicity = forms.ChoiceField(
        label="Ethnicity (self-defined)", choices=_ETHNICITY,
        help_text="As the person describes it. Choose Refused if they would not say, or Information not yet "
                  "obtained if nobody has been able to ask.",
        error_messages={"required": "Choose the person's ethnicity as they define it, Refused, or Information "
                                    "not yet obtained"})
    ethnicity_observed = forms.ChoiceField(
        label="Ethnicity (observed)", choices=_ETHNICITY_OBSERVED,
        help_text="As observed by the officer or practitioner",
        error_messages={"required": "Choose the ethnicity as observed, or Information not yet obtained"})
    nationality = forms.CharField(label="Nationality", max_length=100, required=False)
    nationality_not_known = forms.BooleanField(label="Nationality not known", required=False)
    disability = forms.ChoiceField(label="Disability", choices=Disability.choices, widget=forms.RadioSelect,
                                   error_messages={"required": "Choose whether the person has a disability, "
                                                               "or Not known"})

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
        elif (not data.get("date_of_birth") and data.get("approximate_age") is None
              and "date_of_birth" not in self.errors and "approximate_age" not in self.errors):
            self.add_error("date_of_birth", "Enter a date of birth or an approximate age")
        nationality = (data.get("nationality") or "").strip()
        if nationality.lower() == NATIONALITY_NOT_KNOWN.lower():
            data["nationality_not_known"], nationality = True, ""
        if data.get("nationality_not_known") and nationality:
            self.add_error("nationality", "Enter the nationality or tick Nationality not known, not both")
        elif not data.get("nationality_not_known") and not nationality:
            self.add_error("nationality", "Enter the nationality, or tick Nationality not known")
        data["nationality"] = NATIONALITY_NOT_KNOWN if data.get("nationality_not_known") else nationality
        return data

    def person_details(self) -> dict:
        data = self.cleaned_data
        return {
            "sex": data["sex"],
            "date_of_birth": data["date_of_birth"],
            "approximate_age": None if data["date_of_birth"] else data["approximate_age"],
            "ethnicity": data["ethnicity"],
            "ethnicity_observed": data["ethnicity_observed"],
            "nationality": data["nationality"],
            "disability": data["disability"],
        }

    @classmethod
    def initial_for(cls, person: Person) -> dict:
        not_known = person.nationality.strip().lower() == NATIONALITY_NOT_KNOWN.lower()
        # An estimate made a while ago is offered as it stands today, so saving keeps it true.
        age = (person.age_on(timezone.localdate()) if person.approximate_age_recorded_on
               else person.approximate_age)
        return {
            "sex": person.sex or None,
            "date_of_birth": person.date_of_birth.strftime("%d/%m/%Y") if person.date_of_birth else "",
            "approximate_age": None if person.date_of_birth else age,
            "ethnicity": person.ethnicity,
            "ethnicity_observed": person.ethnicity_observed,
            "nationality": "" if not_known else person.nationality,
            "nationality_not_known": not_known,
            "disability": person.disability or None,
        }
