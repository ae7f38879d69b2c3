from django import forms

from wrekin.access.models import LawfulBasis, SharingDecision, SharingMethod
from wrekin.accounts.models import User
from wrekin.accounts.step_up import StepUpCodeMixin


class StepUpMixin(StepUpCodeMixin):
    """Changes to access ask for a new code inline: the shared step-up mechanism of wrekin.accounts.step_up.

    The code is checked last, only when every other field is valid, so it is not spent on a form
    sent back for another mistake; a good code also counts as a fresh step-up for five minutes.
    """


class BreakGlassForm(StepUpMixin):
    reason = forms.CharField(
        label="Why do you need to open this record now?", min_length=20, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="An auditor will review this. For example: child found at 2am, lead professional not reachable",
        error_messages={"required": "Give the reason you need to open this record",
                        "min_length": "Give the reason in a full sentence (at least 20 characters)"},
    )
    field_order = ["reason", "code"]
    step_up_purpose = "break_glass"


class BreakGlassReviewForm(forms.Form):
    outcome = forms.ChoiceField(label="Was the access justified?", widget=forms.RadioSelect,
                                choices=[("justified", "Justified"), ("not_justified", "Not justified")],
                                error_messages={"required": "Choose whether the access was justified"})
    note = forms.CharField(label="Review note", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "not_justified" and not data.get("note"):
            self.add_error("note", "Say why the access was not justified")
        return data


class RestrictForm(StepUpMixin):
    reason = forms.CharField(label="Why restrict this record?", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": "Give the reason for restricting this record"})
    usernames = forms.CharField(
        label="Who else may open it", required=False,
        help_text="Usernames separated by commas. You are always included.",
    )
    field_order = ["reason", "usernames", "code"]
    step_up_purpose = "restrict"

    def clean_usernames(self) -> list[User]:
        names = [n.strip() for n in self.cleaned_data["usernames"].split(",") if n.strip()]
        users = list(User.objects.filter(username__in=names, is_active=True))
        missing = sorted(set(names) - {u.username for u in users})
        if missing:
            raise forms.ValidationError(f"No active user called {', '.join(missing)}")
        return users


class SharingForm(forms.Form):
    decision = forms.ChoiceField(label="Decision", widget=forms.RadioSelect, choices=SharingDecision.choices,
                                 error_messages={"required": "Choose whether the information was shared"})
    what = forms.CharField(label="What was shared, or asked for", widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="For example: chronology for March to June, current address",
                           error_messages={"required": "Say what was shared or asked for"})
    recipient_organisation = forms.CharField(label="Organisation", max_length=200,
                                             error_messages={"required": "Enter the organisation"})
    recipient_name = forms.CharField(label="Person (name and role)", max_length=200, required=False)
    purpose = forms.CharField(label="Purpose", widget=forms.Textarea(attrs={"rows": 2}),
                              error_messages={"required": "Enter the purpose"})
    lawful_basis = forms.ChoiceField(label="Lawful basis", required=False,
                                     choices=[("", "Choose the lawful basis")] + list(LawfulBasis.choices))
    method = forms.ChoiceField(label="How it was shared", required=False,
                               choices=[("", "Not shared / not applicable")] + list(SharingMethod.choices))
    reasoning = forms.CharField(label="Reasoning", widget=forms.Textarea(attrs={"rows": 4}),
                                help_text="Why sharing was (or was not) necessary and proportionate",
                                error_messages={"required": "Record the reasoning behind the decision"})

    def clean(self):
        data = super().clean()
        if data.get("decision") == SharingDecision.SHARED:
            if not data.get("lawful_basis"):
                self.add_error("lawful_basis", "Choose the lawful basis for sharing")
            if not data.get("method"):
                self.add_error("method", "Choose how the information was shared")
        return data
