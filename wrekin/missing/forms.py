"""Forms for missing episodes and return home interviews.

Forms parse what was typed (dates, times, choices) and keep it when the page re-renders. The
rules (returned after reported, nothing in the future, reasons when late or not held) live in
wrekin.missing.actions as `check_*` functions: the forms call them too, so a page shows every
problem at once, and the actions call them again because the API reaches the actions directly.
Whatever the action still refuses (an overlapping episode, say) `apply_action_errors` places
beside the field it belongs to.

A date and time are two fields: a date as people type it (27/3/2026) and a 24-hour time (21:30),
read as UK local time. A time that did not exist because the clocks went forward is refused;
a time that happened twice when they went back is read as the first (British Summer Time).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone

from wrekin.accounts.models import Agency
from wrekin.missing import actions, rules
from wrekin.missing.models import InterviewOutcome, PatternDecision, PoliceRiskGrade, TravelMode

DATE_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]
TIME_FORMATS = ["%H:%M", "%H.%M", "%H%M", "%I:%M%p", "%I.%M%p", "%I%p"]
NOT_GRADED = "not_graded"
_YES_NO = [("yes", "Yes"), ("no", "No")]


class TimeOfDayField(forms.Field):
    """A time as people type it: 21:30, 21.30, 2130, 9.30pm, 9pm."""

    widget = forms.TextInput

    def to_python(self, value) -> time | None:
        text = str(value or "").strip()
        if not text:
            return None
        compact = text.replace(" ", "").lower()
        for fmt in TIME_FORMATS:
            try:
                return datetime.strptime(compact, fmt).time()
            except ValueError:
                continue
        raise ValidationError(self.error_messages["invalid"], code="invalid")


def _date_field(label: str, *, required: bool, what: str) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, input_formats=DATE_FORMATS, help_text="For example, 27/3/2026",
        error_messages={"required": f"Enter the date {what}",
                        "invalid": f"Enter the date {what} as day/month/year, for example 27/3/2026"},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


def _time_field(label: str, *, required: bool, what: str) -> TimeOfDayField:
    return TimeOfDayField(
        label=label, required=required, help_text="24-hour clock, for example 21:30",
        error_messages={"required": f"Enter the time {what}",
                        "invalid": f"Enter the time {what} like 21:30 or 9.30pm"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": "10"}),
    )


class MissingForm(forms.Form):
    """Shared plumbing: combining date and time fields, and taking errors from the actions."""

    # action argument -> form field, for errors raised by the actions
    action_fields: dict[str, str] = {}
    # datetime name -> (date field, time field, words for messages)
    datetimes: dict[str, tuple[str, str, str]] = {}

    def _combine(self, name: str) -> datetime | None:
        date_field, time_field, what = self.datetimes[name]
        day: date | None = self.cleaned_data.get(date_field)
        moment: time | None = self.cleaned_data.get(time_field)
        if self.has_error(date_field) or self.has_error(time_field):
            return None
        if day is None and moment is None:
            return None
        if day is None:
            self.add_error(date_field, f"Enter the date {what}")
            return None
        if moment is None:
            self.add_error(time_field, f"Enter the time {what}")
            return None
        naive = datetime.combine(day, moment)
        zone = timezone.get_current_timezone()
        aware = naive.replace(tzinfo=zone)
        if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
            self.add_error(time_field, f"{moment:%H:%M} did not happen on {day:%d/%m/%Y}: the clocks went "
                                       "forward an hour that night. Check the time")
            return None
        return aware

    def clean(self):
        data = super().clean()
        for name in self.datetimes:
            data[name] = self._combine(name)
        return data

    def _typed(self, *names: str) -> bool:
        return any(str(self.data.get(self.add_prefix(name), "")).strip() for name in names)

    def add_rule_errors(self, problems: dict[str, list[str]]) -> None:
        """Put the rules' messages (keyed by action argument) beside the form's fields.

        A field that already shows a message (it could not be read, say) keeps just that one.
        """
        for name, messages in problems.items():
            if name in self.datetimes:
                date_field, time_field, _ = self.datetimes[name]
                if self.has_error(date_field) or self.has_error(time_field):
                    continue
            field = None if name == NON_FIELD_ERRORS else self.action_fields.get(name, name)
            if field is not None and field not in self.fields:
                field = None
            if field is not None and self.has_error(field):
                continue
            for message in messages:
                self.add_error(field, message)

    def check(self, rule, **kwargs) -> None:
        """Run one of the actions' check_* rules on what was typed and show what it finds."""
        errors = actions.Errors()
        rule(errors, **kwargs)
        self.add_rule_errors(errors.by_field)

    def apply_action_errors(self, error: ValidationError) -> None:
        self.add_rule_errors(error.message_dict)


class ReturnForm(MissingForm):
    returned_date = _date_field("Date they returned or were found", required=True, what="they returned")
    returned_time = _time_field("Time they returned or were found", required=True, what="they returned")
    found_where = forms.CharField(
        label="Where were they found, or where did they return to?", max_length=300, required=False,
        help_text="For example: returned home; found by police at Telford bus station",
    )
    with_whom = forms.CharField(
        label="Who were they with?", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Names, nicknames or descriptions of people mentioned, as given",
    )
    travel_modes = forms.MultipleChoiceField(
        label="How did they travel?", choices=TravelMode.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text="Select all that apply",
    )
    vehicle_registration = forms.CharField(
        label="Vehicle registration, if known", max_length=20, required=False,
        help_text="As given, even if only part of it, for example AB12 C",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    travel_details = forms.CharField(
        label="Details of the journey or vehicle", max_length=300, required=False,
        help_text="For example: silver hatchback; taxi from a rank on Market Street",
    )

    action_fields = {"returned_at": "returned_date"}
    datetimes = {"returned_at": ("returned_date", "returned_time", "they returned")}

    def __init__(self, *args, reported_at: datetime | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.reported_at = reported_at

    def clean(self):
        data = super().clean()
        found_where = (data.get("found_where") or "").strip()
        if self._typed("returned_date", "returned_time") and not found_where and not self.has_error("found_where"):
            self.add_error("found_where", "Enter where they were found or returned to")
        self.check(actions.check_episode_times, reported_at=self._reported_at(), returned_at=data.get("returned_at"),
                   found_where=found_where, now=timezone.now())
        return data

    def _reported_at(self) -> datetime | None:
        return self.reported_at

    def action_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"returned_at": data["returned_at"], "found_where": data["found_where"],
                "with_whom": data["with_whom"], "travel_modes": data["travel_modes"],
                "vehicle_registration": data["vehicle_registration"], "travel_details": data["travel_details"]}


class EpisodeForm(ReturnForm):
    reported_date = _date_field("Date reported missing", required=True, what="they were reported missing")
    reported_time = _time_field("Time reported missing", required=True, what="they were reported missing")
    reported_by = forms.CharField(
        label="Who reported them missing?", max_length=200, required=False,
        help_text="For example: foster carer, residential home staff, parent",
    )
    last_seen_where = forms.CharField(
        label="Where were they last seen?", max_length=300,
        error_messages={"required": "Enter where they were last seen"},
    )
    missing_from_care_placement = forms.ChoiceField(
        label="Were they missing from a care placement?", choices=_YES_NO, widget=forms.RadioSelect,
        error_messages={"required": "Select whether they were missing from a care placement"},
    )
    police_reference = forms.CharField(label="Police reference, if known", max_length=40, required=False,
                                       widget=forms.TextInput(attrs={"spellcheck": "false"}))
    police_risk_grade = forms.ChoiceField(
        label="Police risk grade", widget=forms.RadioSelect,
        choices=list(PoliceRiskGrade.choices) + [(NOT_GRADED, "Not yet graded by police")],
        error_messages={"required": "Select the police risk grade, or that it is not yet graded"},
    )
    circumstances = forms.CharField(
        label="Circumstances", widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Factual and non-graphic: what happened before they went missing, who raised the alarm, "
                  "what is known about where they might be",
        error_messages={"required": "Enter the circumstances of the episode"},
    )

    action_fields = {"reported_at": "reported_date", "returned_at": "returned_date"}
    datetimes = {
        "reported_at": ("reported_date", "reported_time", "they were reported missing"),
        "returned_at": ("returned_date", "returned_time", "they returned"),
    }

    def _reported_at(self) -> datetime | None:
        return self.cleaned_data.get("reported_at")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # On this form the return is optional: most episodes are recorded while the child is missing.
        for name, label in (("returned_date", "Date they returned or were found, if they have"),
                            ("returned_time", "Time they returned or were found")):
            self.fields[name].required = False
            self.fields[name].label = label

    def action_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            **super().action_kwargs(),
            "reported_at": data["reported_at"], "reported_by": data["reported_by"],
            "last_seen_where": data["last_seen_where"], "circumstances": data["circumstances"],
            "missing_from_care_placement": data["missing_from_care_placement"] == "yes",
            "police_reference": data["police_reference"],
            "police_risk_grade": "" if data["police_risk_grade"] == NOT_GRADED else data["police_risk_grade"],
        }


class _HeldFields(MissingForm):
    completed_date = _date_field("Date held, declined or last tried", required=False, what="it was held")
    completed_time = _time_field("Time held, declined or last tried", required=False, what="it was held")
    conducted_by = forms.CharField(label="Who held the interview?", max_length=200, required=False,
                                   help_text="Name, role and agency")
    location = forms.CharField(label="Where was it held?", max_length=300, required=False)
    summary = forms.CharField(
        label="Summary of the interview", required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Factual: push and pull factors, who they were with, where they went, concerns raised",
    )
    not_held_reason = forms.CharField(
        label="Why was no interview held?", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required if the child declined, could not be found, or no interview was offered",
    )


class InterviewForm(_HeldFields):
    outcome = forms.ChoiceField(label="What happened?", choices=InterviewOutcome.choices,
                                widget=forms.RadioSelect,
                                error_messages={"required": "Select what happened"})
    offered_date = _date_field("Date offered", required=False, what="it was offered")
    offered_time = _time_field("Time offered", required=False, what="it was offered")
    offered_by_agency = forms.ModelChoiceField(
        label="Agency that offered it", queryset=Agency.objects.none(), required=False,
        empty_label="Choose an agency",
        help_text="Usually children's social care, the youth service or a voluntary sector provider",
    )
    late_reason = forms.CharField(
        label="Why was it not offered in time?", required=False, widget=forms.Textarea(attrs={"rows": 3}),
    )

    action_fields = {"offered_at": "offered_date", "completed_at": "completed_date"}
    datetimes = {
        "offered_at": ("offered_date", "offered_time", "it was offered"),
        "completed_at": ("completed_date", "completed_time", "it was held"),
    }

    def __init__(self, *args, actor, episode, **kwargs):
        super().__init__(*args, **kwargs)
        self.episode = episode
        agencies = Agency.objects.filter(partnership_id=actor.agency.partnership_id, is_active=True)
        self.fields["offered_by_agency"].queryset = agencies.order_by("name")
        self.fields["late_reason"].help_text = (
            f"Required if it was offered more than {rules.rhi_hours()} hours after the child returned"
        )
        if not self.is_bound:
            self.initial.setdefault("offered_by_agency", actor.agency.pk)

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome == InterviewOutcome.NOT_OFFERED:
            # The agency list starts on the recorder's own agency; that default is not an offer.
            data["offered_by_agency"] = None
        if outcome:
            now = timezone.now()
            if outcome != InterviewOutcome.NOT_OFFERED and not data.get("offered_by_agency"):
                self.add_error("offered_by_agency", "Choose the agency that offered the interview")
            self.check(actions.check_offer, outcome=outcome, offered_at=data.get("offered_at"),
                       returned_at=self.episode.returned_at, late_reason=data.get("late_reason", "").strip(),
                       now=now)
            self.check(actions.check_outcome, outcome=outcome, offered_at=data.get("offered_at"),
                       completed_at=data.get("completed_at"), conducted_by=data.get("conducted_by", "").strip(),
                       summary=data.get("summary", "").strip(),
                       not_held_reason=data.get("not_held_reason", "").strip(), now=now)
        return data

    def action_kwargs(self) -> dict:
        data = self.cleaned_data
        return {key: data[key] for key in (
            "outcome", "offered_at", "offered_by_agency", "completed_at", "conducted_by", "location",
            "summary", "late_reason", "not_held_reason")}


class OutcomeForm(_HeldFields):
    outcome = forms.ChoiceField(
        label="What happened?", widget=forms.RadioSelect,
        choices=[(value, label) for value, label in InterviewOutcome.choices
                 if value in (InterviewOutcome.COMPLETED, InterviewOutcome.DECLINED, InterviewOutcome.NOT_FOUND)],
        error_messages={"required": "Select what happened"},
    )

    action_fields = {"completed_at": "completed_date"}
    datetimes = {"completed_at": ("completed_date", "completed_time", "it was held")}

    def __init__(self, *args, interview, **kwargs):
        super().__init__(*args, **kwargs)
        self.interview = interview

    def clean(self):
        data = super().clean()
        if data.get("outcome"):
            self.check(actions.check_outcome, outcome=data["outcome"], offered_at=self.interview.offered_at,
                       completed_at=data.get("completed_at"), conducted_by=data.get("conducted_by", "").strip(),
                       summary=data.get("summary", "").strip(),
                       not_held_reason=data.get("not_held_reason", "").strip(), now=timezone.now())
        return data

    def action_kwargs(self) -> dict:
        data = self.cleaned_data
        return {key: data[key] for key in (
            "outcome", "completed_at", "conducted_by", "location", "summary", "not_held_reason")}


class DecisionForm(MissingForm):
    decision = forms.ChoiceField(label="What was decided?", choices=PatternDecision.choices,
                                 widget=forms.RadioSelect,
                                 error_messages={"required": "Select what was decided"})
    reason = forms.CharField(
        label="Reason and notes", required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required if no strategy discussion is needed. Otherwise, for example, who was asked "
                  "and when it is planned",
    )

    def clean(self):
        data = super().clean()
        if data.get("decision"):
            self.check(actions.check_decision, decision=data["decision"], reason=data.get("reason", "").strip())
        return data

    def action_kwargs(self) -> dict:
        return {"decision": self.cleaned_data["decision"], "reason": self.cleaned_data["reason"]}
