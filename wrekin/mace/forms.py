"""Forms for MACE meetings. Each keeps what was typed when it re-renders with errors."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import ValidationError

from wrekin.accounts.models import Agency, User
from wrekin.mace.models import ActionStatus, AgendaItemKind, Attendance, MaceAttendee, MaceMeeting
from wrekin.people.identifiers import normalise_postcode

DATE_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]


def _date_field(label: str, *, required: bool = True, help_text: str = "For example, 27/03/2026") -> forms.DateField:
    return forms.DateField(
        label=label, required=required, help_text=help_text, input_formats=DATE_FORMATS,
        error_messages={"invalid": f"Enter the {label.lower()} as day/month/year, for example 27/03/2026",
                        "required": f"Enter the {label.lower()}"},
    )


def _user_label(user: User) -> str:
    membership = getattr(user, "membership", None)
    suffix = f" — {membership.get_role_display()}, {membership.agency.name}" if membership else ""
    return f"{user.display_name()}{suffix}"


def _text(label: str, required_message: str, *, rows: int = 5, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), help_text=help_text,
                           error_messages={"required": required_message})


class MeetingForm(forms.Form):
    held_on = _date_field("Date of the meeting")
    venue = forms.CharField(label="Where", max_length=200, required=False,
                            help_text="For example: Civic Offices, room 2, or online")
    chair = forms.TypedChoiceField(label="Chair", coerce=int,
                                   error_messages={"required": "Choose who chairs the meeting"})
    attendees = forms.TypedMultipleChoiceField(
        label="Invite", coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Only the chair, the people invited and the exploitation coordinators can see the meeting",
    )

    def __init__(self, *args, chairs, attendees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].choices = [("", "Choose the chair")] + [(u.pk, _user_label(u)) for u in chairs]
        self.fields["attendees"].choices = [(u.pk, _user_label(u)) for u in attendees]


class InviteForm(forms.Form):
    attendees = forms.TypedMultipleChoiceField(
        label="Invite", coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one person to invite"},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].choices = [(u.pk, _user_label(u)) for u in candidates]


class AttendanceForm(forms.Form):
    """One radio group per invited attendee."""

    def __init__(self, *args, attendees: list[MaceAttendee], **kwargs):
        super().__init__(*args, **kwargs)
        self.attendee_fields = []
        for attendee in attendees:
            name = f"attendee_{attendee.pk}"
            self.fields[name] = forms.ChoiceField(
                label=f"{attendee.user.display_name()}, {attendee.agency.name}",
                choices=Attendance.choices, widget=forms.RadioSelect, initial=attendee.attendance or None,
                error_messages={"required": f"Record whether {attendee.user.display_name()} attended"},
            )
            self.attendee_fields.append((attendee.pk, name))

    def attendance(self) -> dict[int, str]:
        return {attendee_id: self.cleaned_data[name] for attendee_id, name in self.attendee_fields}


class AgendaItemForm(forms.Form):
    kind = forms.ChoiceField(label="What is to be discussed?", choices=AgendaItemKind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Choose a child, a person of concern or a location"})
    person = forms.TypedChoiceField(label="Person", coerce=int, required=False, widget=forms.RadioSelect,
                                    error_messages={"invalid_choice": "Choose a person from the list"})
    location_name = forms.CharField(label="Address or premises name", max_length=200, required=False,
                                    help_text="For example: Station Hotel, Market Street")
    location_postcode = forms.CharField(label="Postcode", max_length=20, required=False)
    summary = _text("Summary", "Enter a summary of why this is on the agenda",
                    help_text="Factual: what is known, from which agency, and what the meeting needs to decide")
    next_review_on = _date_field("Next review date", required=False,
                                 help_text="Children only. Leave blank for 12 weeks after the meeting.")

    def __init__(self, *args, person_choices, meeting: MaceMeeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.fields["person"].choices = person_choices

    def clean_location_postcode(self) -> str:
        value = self.cleaned_data["location_postcode"]
        return normalise_postcode(value) if value.strip() else ""

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        needs_person = kind in (AgendaItemKind.CHILD, AgendaItemKind.PERSON_OF_CONCERN)
        if needs_person and data.get("person") is None and "person" not in self.errors:
            self.add_error("person", "Find and choose the person to discuss")
        if kind == AgendaItemKind.LOCATION and not data.get("location_name", "").strip():
            self.add_error("location_name", "Enter the address or name of the premises")
        review = data.get("next_review_on")
        if kind == AgendaItemKind.CHILD and review and review <= self.meeting.held_on:
            self.add_error("next_review_on", "The next review must be after the meeting")
        return data


class DecisionForm(forms.Form):
    text = _text("Decision", "Enter the decision",
                 help_text="What the meeting decided about this item, and why")


class ActionForm(forms.Form):
    description = _text("Action", "Describe the action", rows=3)
    item = forms.TypedChoiceField(label="About", coerce=int, required=False, empty_value=None)
    owner = forms.TypedChoiceField(label="Owner", coerce=int,
                                   error_messages={"required": "Choose who owns the action"})
    agency = forms.TypedChoiceField(label="Agency responsible", coerce=int, required=False, empty_value=None,
                                    help_text="Leave as it is for the owner's agency")
    due_on = _date_field("Due date")

    def __init__(self, *args, meeting: MaceMeeting, owners: list[User], agencies: list[Agency], **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting
        self.fields["item"].choices = [("", "The meeting as a whole")] + [
            (item.pk, str(item)) for item in meeting.items.select_related("person")
        ]
        self.fields["owner"].choices = [("", "Choose the owner")] + [(u.pk, _user_label(u)) for u in owners]
        self.fields["agency"].choices = [("", "The owner's agency")] + [(a.pk, a.name) for a in agencies]

    def clean_due_on(self) -> date:
        value = self.cleaned_data["due_on"]
        if value < self.meeting.held_on:
            raise ValidationError("The due date cannot be before the meeting")
        return value


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="What has happened?", widget=forms.RadioSelect,
        choices=[(ActionStatus.DONE, "Done"), (ActionStatus.CANCELLED, "Cancelled")],
        error_messages={"required": "Choose whether the action is done or cancelled"},
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="What was done, or why the action is cancelled (required to cancel)")

    def clean(self):
        data = super().clean()
        if data.get("status") == ActionStatus.CANCELLED and not data.get("note", "").strip():
            self.add_error("note", "Say why the action is cancelled")
        return data


class MinutesForm(forms.Form):
    minutes = _text("Minutes", "Enter the minutes", rows=12,
                    help_text="Who presented what, the discussion, and anything not captured as a decision "
                              "or action. The chair approves the minutes; after that they cannot change.")


class ApproveMinutesForm(forms.Form):
    confirm = forms.BooleanField(
        label="I have read the minutes, agenda, decisions and attendance, and they are a true record",
        error_messages={"required": "Confirm that the minutes are a true record"},
    )


class AddendumForm(forms.Form):
    text = _text("Addendum", "Enter the addendum",
                 help_text="A correction or addition to the approved minutes. It is added after them, "
                           "with your name and today's date; the minutes themselves do not change.")
