"""A simple normalised form of what a referral mentions, so the same plate or number can be found again.

Deliberately simple: the value as typed is always kept beside it, and proper entity
resolution (partial plates, look-alike handles) is the intelligence app's work.
"""

from __future__ import annotations

import re

import phonenumbers

from wrekin.referrals.models import MentionKind

_SPACES = re.compile(r"\s+")


def normalise_mention(kind: str, value: str) -> str:
    value = (value or "").strip()
    if kind == MentionKind.VEHICLE:
        # Upper case, no spaces: "ab12 cde" and "AB12CDE" are the same plate.
        return _SPACES.sub("", value).upper()
    if kind == MentionKind.PHONE:
        # E.164 when the number could be a real one; '' when it is partial or mistyped ("ends 123").
        try:
            number = phonenumbers.parse(value, "GB")
        except phonenumbers.NumberParseException:
            return ""
        if not phonenumbers.is_possible_number(number):
            return ""
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if kind == MentionKind.ONLINE:
        return _SPACES.sub("", value).lstrip("@").casefold()
    return _SPACES.sub(" ", value).casefold()
