from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.contrib.auth.validators import UnicodeUsernameValidator

# A passkey response is a few kilobytes of JSON; anything far larger is not one.
MAX_CREDENTIAL_JSON = 64 * 1024


def normalise_code(typed: str) -> str | None:
    """The 6 digits of a code as typed, or None if it is not one.

    Apps show codes as "123 456"; people copy them with the space, or type a hyphen.
    """
    code = "".join(typed.split()).replace("-", "")
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    return code


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account has been disabled. Contact your system administrator.",
    }


class OneTimeCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "spellcheck": "false"}),
        error_messages={"required": "Enter the 6-digit code from your authenticator app",
                        "max_length": "The code has 6 digits"},
    )

    def clean_code(self):
        code = normalise_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError("The code has 6 digits")
        return code


class PasskeyNameForm(forms.Form):
    """Naming a new passkey; the browser's response arrives in the hidden `credential` field."""

    name = forms.CharField(
        label="Name this passkey or security key", max_length=64,
        help_text="So you can tell your keys apart, for example: Work laptop, or Blue security key",
        error_messages={"required": "Enter a name for the passkey or security key",
                        "max_length": "The name must be 64 characters or fewer"},
    )
    credential = forms.CharField(required=False, widget=forms.HiddenInput, max_length=MAX_CREDENTIAL_JSON)

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())


class FirstPasswordForm(SetPasswordForm):
    """A new account's first password, chosen through its set-up link. Passwords are never shown again."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        first, again = self.fields["new_password1"], self.fields["new_password2"]
        first.label = "Choose a password"
        first.help_text = ("At least 12 characters, not a common password and not like your name or username. "
                           "A few unrelated words make a good one.")
        first.error_messages["required"] = "Choose a password"
        again.label = "Type the password again"
        again.help_text = ""
        again.error_messages["required"] = "Type the password again"
        self.error_messages = {**self.error_messages,
                               "password_mismatch": "The two passwords are different: type the same one twice"}


class AccountForm(forms.Form):
    """A new account, as a system administrator creates it: who, which agency, which role."""

    username = forms.CharField(
        label="Username", max_length=150,
        help_text="What they will sign in with, for example jsmith. Letters, digits and @ . + - _ only",
        validators=[UnicodeUsernameValidator(message="The username may hold only letters, digits and @ . + - _")],
        error_messages={"required": "Enter a username", "max_length": "The username must be 150 characters or fewer"},
    )
    first_name = forms.CharField(label="First name", max_length=150,
                                 error_messages={"required": "Enter their first name"})
    last_name = forms.CharField(label="Last name", max_length=150,
                                error_messages={"required": "Enter their last name"})
    email = forms.EmailField(label="Work e-mail address", max_length=254,
                             help_text="So colleagues and auditors can tell who the account belongs to",
                             error_messages={"required": "Enter their work e-mail address",
                                             "invalid": "Enter an e-mail address like name@agency.gov.uk"})
    agency = forms.ModelChoiceField(label="Agency", queryset=None, empty_label="Choose their agency",
                                    error_messages={"required": "Choose their agency",
                                                    "invalid_choice": "Choose one of the partnership's agencies"})
    role = forms.ChoiceField(label="Role", widget=forms.RadioSelect,
                             error_messages={"required": "Choose their role",
                                             "invalid_choice": "Choose one of the roles listed"})

    def __init__(self, *args, agencies, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["role"].choices = [(role.value, role.label) for role in roles]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        # Usernames differing only in case would be two accounts people cannot tell apart.
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That username is taken: choose another")
        return username


class ReasonForm(forms.Form):
    """Why an administrator disables, enables or resets an account: kept on the audit trail."""

    reason = forms.CharField(
        label="Reason", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept on the audit trail, where the auditors read it",
        error_messages={"required": "Give the reason", "max_length": "The reason must be 1,000 characters or fewer"},
    )

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError("Give the reason")
        return reason


class SecondFactorChoiceForm(forms.Form):
    """On the set-up journey: an authenticator app, or a passkey or security key."""

    method = forms.ChoiceField(
        label="How will you confirm it’s you when you sign in?", widget=forms.RadioSelect,
        choices=[("app", "Authenticator app on a phone or device only you use"),
                 ("passkey", "Passkey or security key (on this computer, your phone, or a hardware key)")],
        error_messages={"required": "Choose an authenticator app or a passkey",
                        "invalid_choice": "Choose an authenticator app or a passkey"},
    )
