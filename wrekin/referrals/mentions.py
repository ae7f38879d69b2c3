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


# What the extractor calls each kind of thing it finds in a narrative, as a referral's kind of mention.
SUGGESTION_KINDS = {
    "vehicle": MentionKind.VEHICLE, "phone": MentionKind.PHONE, "postcode": MentionKind.PLACE,
    "email": MentionKind.ONLINE, "handle": MentionKind.ONLINE, "person": MentionKind.PERSON,
    "location": MentionKind.PLACE, "business": MentionKind.BUSINESS,
}
# Found in the narrative by the extractor and already tied to a known record (the gazetteer): confirmed,
# they are recorded as the extractor found them, so the mention keeps its person of concern or premises.
KNOWN_NAME_TYPES = frozenset({"person", "location", "business"})
CONFIRMED_DETAIL = "Found in the narrative by Wrekin; confirmed by the referrer"


def suggestion_mention(found) -> dict:
    """A mention row (kind, value, relationship, detail) for a suggestion the referrer confirmed.

    `found` is an extractor suggestion (wrekin.intelligence.extraction.Extracted). The value is the
    form the suggestion was shown in (a mark as "AB12 CDE", a postcode as "TF1 2AB"), except a phone
    number and a name, which are kept as they were written.
    """
    detail = found.detail or {}
    value = found.normalised or found.value
    if found.type == "vehicle":
        value = detail.get("display") or value
    elif found.type in ("phone", "person"):
        value = found.value
    note = CONFIRMED_DETAIL
    if found.type == "handle" and detail.get("platform"):
        # The platform leads the detail: the intelligence app reads it from there.
        note = f"{detail['platform']}. {CONFIRMED_DETAIL}"
    elif found.type == "email":
        note = f"E-mail address. {CONFIRMED_DETAIL}"
    return {"kind": SUGGESTION_KINDS.get(found.type, MentionKind.PERSON), "value": value[:200], "relationship": "",
            "detail": note}
