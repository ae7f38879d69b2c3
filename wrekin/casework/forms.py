"""Forms for casework. Each keeps what was typed when it re-renders with errors.

Rules that need the database (is this person on the team? is the case still open?) live in
the actions, which raise CaseworkError; the views put those messages on these forms.
"""

from __future__ import annotations

from django import forms

from wrekin.casework.models import PlanActionStatus, RiskLevelChoice, StrategyDecision
from wrekin.casework.queries import partnership_agencies, team_candidates

DATE_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"]


def date_field(label: str, *, required: bool = True, help_text: str = "For example, 27/03/2026",
               missing: str | None = None) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, help_text=help_text, input_formats=DATE_FORMATS,
        error_messages={
            "invalid": f"Enter the {label.lower()} as day/month/year, for example 27/03/2026",
            "required": missing or f"Enter the {label.lower()}",
        },
    )


class ProfessionalChoiceField(forms.ModelChoiceField):
    """A professional shown with their agency: two Sam Patels in one partnership happen."""

    def label_from_instance(self, obj) -> str:
        agency = obj.membership.agency.name
        return f"{obj.display_name()} — {agency}"


class AgencyChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.name


class FindChildForm(forms.Form):
    q = forms.CharField(
        label="Name, and date of birth or age if known",
        help_text="For example: Kayleigh Smith 04/03/2010",
        max_length=200,
        error_messages={"required": "Enter the child's name to search for"},
    )


class OpenCaseForm(forms.Form):
    reason = forms.CharField(
        label="Why is the case being opened?", widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Factual: the concerns, and the referral or screening that led here",
        error_messages={"required": "Say why the case is being opened"},
    )
    lead_professional = ProfessionalChoiceField(
        label="Lead professional", queryset=None, empty_label="Choose a professional",
        help_text="The professional who coordinates the work and is the contact for other agencies",
        error_messages={"required": "Choose the lead professional",
                        "invalid_choice": "Choose a professional from the list"},
    )

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_professional"].queryset = team_candidates(partnership)


class ChangeLeadForm(forms.Form):
    lead_professional = ProfessionalChoiceField(
        label="New lead professional", queryset=None, empty_label="Choose a professional",
        error_messages={"required": "Choose the new lead professional",
                        "invalid_choice": "Choose a professional from the list"},
    )

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_professional"].queryset = team_candidates(partnership)


class TeamMemberForm(forms.Form):
    user = ProfessionalChoiceField(
        label="Professional", queryset=None, empty_label="Choose a professional",
        help_text="Their agency will be able to see this child's record",
        error_messages={"required": "Choose the professional to add",
                        "invalid_choice": "Choose a professional from the list"},
    )
    role_in_team = forms.CharField(
        label="Role in the team", max_length=120,
        help_text="For example: school safeguarding lead, police exploitation officer, school nurse",
        error_messages={"required": "Enter their role in the team"},
    )

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = team_candidates(partnership)


class RemoveTeamMemberForm(forms.Form):
    confirm = forms.BooleanField(
        label="Yes, remove this professional from the team",
        error_messages={"required": "Confirm that you want to remove this professional"},
    )


class RiskLevelForm(forms.Form):
    level = forms.ChoiceField(label="Risk level", choices=RiskLevelChoice.choices, widget=forms.RadioSelect,
                              error_messages={"required": "Choose the risk level"})
    rationale = forms.CharField(
        label="Rationale", widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Your professional judgement: what the level rests on and why",
        error_messages={"required": "Give the rationale for this risk level"},
    )
    basis = forms.CharField(label="Based on", max_length=200, required=False,
                            help_text="For example: screening of 3 March, MACE discussion, new intelligence")
    screening_id = forms.IntegerField(
        label="Screening reference (optional)", required=False, min_value=1,
        help_text="The number of the screening this level follows, if there is one",
        error_messages={"invalid": "Enter the screening reference as a number",
                        "min_value": "Enter the screening reference as a number"},
    )


class AgreePlanForm(forms.Form):
    agreed_on = date_field("Date the plan was agreed")


class PlanActionForm(forms.Form):
    description = forms.CharField(
        label="Action", widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What will be done, specifically", error_messages={"required": "Describe the action"},
    )
    owner = ProfessionalChoiceField(
        label="Owner", queryset=None, empty_label="Choose a team member",
        help_text="Only people on the case team can own an action",
        error_messages={"required": "Choose who owns the action",
                        "invalid_choice": "Choose a team member from the list"},
    )
    due_on = date_field("Due date")

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        from wrekin.accounts.models import User

        self.fields["owner"].queryset = (
            User.objects.filter(case_teams__case=case, case_teams__removed_on__isnull=True)
            .select_related("membership__agency").order_by("first_name", "last_name", "username").distinct()
        )


class CompleteActionForm(forms.Form):
    status = forms.ChoiceField(
        label="What happened?", widget=forms.RadioSelect,
        choices=[(PlanActionStatus.DONE, "Done"), (PlanActionStatus.CANCELLED, "Cancelled")],
        error_messages={"required": "Choose whether the action was done or cancelled"},
    )
    completed_on = date_field("Date")
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="What was done, or why the action was cancelled (required if cancelled)")


class ReviewForm(forms.Form):
    held_on = date_field("Date of the review")
    summary = forms.CharField(
        label="Summary", widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Progress against the plan, changes in risk, decisions",
        error_messages={"required": "Summarise the review"},
    )
    next_review_due = date_field("Next review due", required=False,
                                 help_text="Leave blank for 12 weeks after this review")


class StrategyDiscussionForm(forms.Form):
    held_on = date_field("Date of the discussion")
    agencies = AgencyChoiceField(
        label="Agencies that took part", queryset=None, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the agencies that took part",
                        "invalid_choice": "Choose agencies from the list"},
    )
    decision = forms.ChoiceField(label="Decision", choices=StrategyDecision.choices, widget=forms.RadioSelect,
                                 error_messages={"required": "Choose the decision"})
    rationale = forms.CharField(label="Rationale", widget=forms.Textarea(attrs={"rows": 5}),
                                error_messages={"required": "Give the rationale for the decision"})

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = partnership_agencies(partnership)


class ClockMetForm(forms.Form):
    met_on = date_field("Date")


class ClosureRequestForm(forms.Form):
    reason = forms.CharField(
        label="Why should the case close?", widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What has changed, the current risk, and who will support the child after closure",
        error_messages={"required": "Say why the case should close"},
    )


class ClosureDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Your decision", widget=forms.RadioSelect,
        choices=[("approve", "Approve: close the case"), ("return", "Return: the case stays open")],
        error_messages={"required": "Choose whether to approve or return the request"},
    )
    note = forms.CharField(label="Reasons for your decision", required=False,
                           widget=forms.Textarea(attrs={"rows": 5}),
                           help_text="Required when you return the request: tell the team what is needed")


class CaseListFilterForm(forms.Form):
    """GET filters on the case list: codes only, so no personal data ends up in a URL."""

    scope = forms.ChoiceField(label="Cases", required=False, choices=[("mine", "My cases"), ("all", "All open cases")])
    state = forms.ChoiceField(label="Stage", required=False)
    risk = forms.ChoiceField(label="Risk level", required=False,
                             choices=[("", "Any risk level")] + list(RiskLevelChoice.choices)
                             + [("none", "Not yet recorded")])
    review = forms.ChoiceField(label="Review", required=False,
                               choices=[("", "Any"), ("due", "Due within 14 days or overdue")])

    def __init__(self, *args, all_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        from wrekin.casework.models import CaseState

        self.fields["scope"].choices = [("mine", "My cases"), ("all", all_label)]
        self.fields["state"].choices = [("", "Any open stage")] + [
            (s.value, s.label) for s in CaseState if s != CaseState.CLOSED
        ] + [(CaseState.CLOSED.value, "Closed")]


class ChronologyFilterForm(forms.Form):
    """GET filters on the chronology: an agency id and an event-type code, never names."""

    agency = forms.TypedChoiceField(label="Agency", required=False, coerce=int, empty_value=None)
    event_type = forms.ChoiceField(label="Type of event", required=False)
    order = forms.ChoiceField(label="Order", required=False,
                              choices=[("newest", "Newest first"), ("oldest", "Oldest first")])

    def __init__(self, *args, agencies, event_types, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", "All agencies")] + [(a.pk, a.name) for a in agencies]
        self.fields["event_type"].choices = [("", "All types")] + list(event_types)
