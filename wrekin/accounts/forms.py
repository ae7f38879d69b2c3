from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm

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
