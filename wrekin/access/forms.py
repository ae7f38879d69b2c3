from django import forms
from django_otp.plugins.otp_totp.models import TOTPDevice

from wrekin.access.models import LawfulBasis, SharingDecision, SharingMethod
from wrekin.accounts.models import User


class StepUpMixin(forms.Form):
    """Asks for a fresh second-factor code: changes to access need the person, not just their session."""

    code = forms.CharField(
        label="Code from your authenticator app", min_length=6, max_length=6,
        help_text="We ask again because this changes who can see a record",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": "Enter the 6-digit code from your authenticator app",
                        "min_length": "The code has 6 digits", "max_length": "The code has 6 digits"},
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_code(self) -> str:
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError("The code has 6 digits")
        return code

    def verify_step_up(self) -> None:
        """Checked last, and only when everything else is valid: a code is spent when checked."""
        if self.errors or "code" not in self.cleaned_data:
            return
        device = TOTPDevice.objects.filter(user=self.user, confirmed=True).first()
        if device is None or not device.verify_token(self.cleaned_data["code"]):
            self.add_error("code", "That code is wrong or has already been used. Wait for a new code.")


class BreakGlassForm(StepUpMixin):
    reason = forms.CharField(
        label="Why do you need to open this record now?", min_length=20, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="An auditor will review this. For example: child found at 2am, lead professional not reachable",
        error_messages={"required": "Give the reason you need to open this record",
                        "min_length": "Give the reason in a full sentence (at least 20 characters)"},
    )
    field_order = ["reason", "code"]

    def clean(self):
        data = super().clean()
        self.verify_step_up()
        return data


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

    def clean(self):
        data = super().clean()
        self.verify_step_up()
        return data

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
