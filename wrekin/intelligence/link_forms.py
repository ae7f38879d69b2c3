"""Forms for link alerts, mentions and intelligence reports. Each keeps what was typed on error."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms import formset_factory

from wrekin.intelligence.alerts import DISMISS_REASON_MESSAGE, TRANSITIONS
from wrekin.intelligence.models import (
    EntityType,
    HandlingCode,
    IntelligenceAssessment,
    LinkAlertStatus,
    SourceEvaluation,
)

DATE_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]
REPORT_MENTION_ROWS = 3


class ActionErrorsMixin:
    def apply_action_errors(self, error: ValidationError) -> None:
        """Place an action's refusal beside the field it names (or above the form)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, messages in error.message_dict.items():
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target if field != NON_FIELD_ERRORS else None, message)


class AlertFilterForm(forms.Form):
    status = forms.ChoiceField(label="Status", required=False,
                               choices=[("", "All")] + list(LinkAlertStatus.choices))


class TriageForm(ActionErrorsMixin, forms.Form):
    to_status = forms.ChoiceField(label="What is the alert's status now?", widget=forms.RadioSelect,
                                  error_messages={"required": "Choose what happens to this alert"})
    reason = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="What was done or decided. Required when dismissing: say why the link "
                                       "needs no action.")

    HINTS = {
        LinkAlertStatus.REVIEWED: "You have looked at the link and it needs action",
        LinkAlertStatus.ACTIONED: "Action has been taken, for example a strategy discussion or a MACE agenda item",
        LinkAlertStatus.DISMISSED: "The link needs no action, for example the records are about one known event",
    }

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [(s, LinkAlertStatus(s).label) for s in TRANSITIONS[current]]

    def clean(self):
        data = super().clean()
        if data.get("to_status") == LinkAlertStatus.DISMISSED and not (data.get("reason") or "").strip():
            self.add_error("reason", DISMISS_REASON_MESSAGE)
        return data


class MentionReviewForm(ActionErrorsMixin, forms.Form):
    decision = forms.ChoiceField(label="Is this what the record mentions?", widget=forms.RadioSelect,
                                 error_messages={"required": "Choose whether to confirm or reject the mention"})
    reason = forms.CharField(label="Why is it wrong?", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Required to reject, for example: the number is the school office's")

    def __init__(self, *args, can_confirm: bool, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("confirm", "Yes, confirm it")] if can_confirm else []
        self.fields["decision"].choices = choices + [("reject", "No, reject it")]

    def clean(self):
        data = super().clean()
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Explain why this is not what the record mentions")
        return data


NONE_OF_THESE = "none"


class ResolutionForm(ActionErrorsMixin, forms.Form):
    person = forms.ChoiceField(label="Which person of concern is this?", widget=forms.RadioSelect,
                               error_messages={"required": "Choose a person of concern, or None of these"})

    def __init__(self, *args, person_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(str(pk), label) for pk, label in person_choices] + [
            (NONE_OF_THESE, "None of these")]

    def person_id(self) -> int | None:
        value = self.cleaned_data["person"]
        return None if value == NONE_OF_THESE else int(value)


class ReportForm(ActionErrorsMixin, forms.Form):
    title = forms.CharField(label="Heading", max_length=200,
                            help_text="Short and factual, for example: Silver Audi collecting girls from "
                                      "Wellington",
                            error_messages={"required": "Enter a short heading"})
    narrative = forms.CharField(label="Intelligence", widget=forms.Textarea(attrs={"rows": 8}),
                                help_text="What is known, by whom, and how. Registration marks, phone numbers, "
                                          "postcodes, handles and the names of known persons of concern and "
                                          "places in it are found and offered as unconfirmed mentions.",
                                error_messages={"required": "Enter the intelligence"})
    information_date = forms.DateField(
        label="When was the information obtained?", input_formats=DATE_FORMATS, help_text="For example, 27/03/2026",
        error_messages={"required": "Enter when the information was obtained",
                        "invalid": "Enter the date as day/month/year, for example 27/03/2026"})
    source_evaluation = forms.ChoiceField(label="Source evaluation", choices=SourceEvaluation.choices,
                                          widget=forms.RadioSelect,
                                          error_messages={"required": "Choose the source evaluation: 1, 2 or 3"})
    intelligence_assessment = forms.ChoiceField(
        label="Intelligence assessment", choices=IntelligenceAssessment.choices, widget=forms.RadioSelect,
        error_messages={"required": "Choose the intelligence assessment: A, B, C, D or E"})
    handling_code = forms.ChoiceField(
        label="Handling code", choices=HandlingCode.choices, widget=forms.RadioSelect,
        help_text="P: coordinators, analysts, police users and anyone who can see a subject child may read it. "
                  "C: only coordinators, analysts and the recipients you choose.",
        error_messages={"required": "Choose the handling code: P or C"})
    handling_conditions = forms.CharField(label="Conditions (handling code C)", required=False,
                                          widget=forms.Textarea(attrs={"rows": 3}),
                                          help_text="Required for handling code C, for example: not to be shared "
                                                    "outside the exploitation team without the author's agreement")
    recipients = forms.TypedMultipleChoiceField(
        label="Who else may read it (handling code C)", coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple, error_messages={"invalid_choice": "Choose recipients from the list"})
    children = forms.TypedMultipleChoiceField(
        label="Children it is about", coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose children from the list"})
    persons = forms.TypedMultipleChoiceField(
        label="Persons of concern it is about", coerce=int, required=False, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose persons of concern from the list"})

    def __init__(self, *args, recipient_choices, child_choices, person_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].choices = recipient_choices
        self.fields["children"].choices = child_choices
        self.fields["persons"].choices = person_choices

    def clean(self):
        data = super().clean()
        if data.get("handling_code") == HandlingCode.CONDITIONS and not (data.get("handling_conditions") or "").strip():
            self.add_error("handling_conditions", "Write the conditions that apply to handling code C")
        return data


class ReportMentionForm(forms.Form):
    type = forms.ChoiceField(label="What is it?", required=False,
                             choices=[("", "Choose")] + list(EntityType.choices))
    value = forms.CharField(label="As given", max_length=200, required=False,
                            help_text="A registration, number, place, business, handle or name")
    relationship = forms.CharField(label="How it is connected", max_length=200, required=False,
                                   help_text="For example: seen collecting children in")

    def clean(self):
        data = super().clean()
        typed = any((data.get(f) or "").strip() for f in ("value", "relationship"))
        if typed and not data.get("type"):
            self.add_error("type", "Choose what kind of thing is mentioned")
        if data.get("type") and not (data.get("value") or "").strip():
            self.add_error("value", "Enter what was mentioned, as it was given")
        return data

    def mention(self) -> dict | None:
        data = getattr(self, "cleaned_data", {})
        if not (data.get("value") or "").strip():
            return None
        return {"type": data["type"], "value": data["value"], "relationship": data.get("relationship", "")}


ReportMentionFormSet = formset_factory(ReportMentionForm, extra=REPORT_MENTION_ROWS, max_num=REPORT_MENTION_ROWS,
                                       absolute_max=REPORT_MENTION_ROWS)
