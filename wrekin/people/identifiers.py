"""Validation and normalisation of the identifiers people carry: NHS number, UPN, postcode.

Each function accepts what a practitioner might type (spaces, lower case) and
returns the canonical form, or raises ValidationError with a plain reason.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # DfE check-letter alphabet: no I, O or S
_POSTCODE = re.compile(r"([A-PR-UWYZ][A-HK-Y]?[0-9][A-Z0-9]?)([0-9][ABD-HJLNP-UW-Z]{2})")


def normalise_nhs_number(value: str) -> str:
    digits = re.sub(r"[\s-]", "", value or "")
    if not re.fullmatch(r"\d{10}", digits):
        raise ValidationError("An NHS number has 10 digits, like 943 476 5919")
    if not nhs_number_check_digit_ok(digits):
        raise ValidationError("This NHS number's check digit is wrong: check it has been copied correctly")
    return digits


def nhs_number_check_digit_ok(digits: str) -> bool:
    """Modulus 11: weights 10..2 over the first nine digits."""
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def upn_check_letter(body: str) -> str:
    """The check letter for the 12 characters after it (positions 2 to 13, weights 2 to 13)."""
    total = 0
    for weight, char in enumerate(body, start=2):
        value = int(char) if char.isdigit() else _UPN_LETTERS.index(char)
        total += value * weight
    return _UPN_LETTERS[total % 23]


def normalise_upn(value: str) -> str:
    upn = re.sub(r"\s", "", value or "").upper()
    if not re.fullmatch(rf"[{_UPN_LETTERS}]\d{{11}}[0-9{_UPN_LETTERS}]", upn):
        raise ValidationError("A UPN has 13 characters: a check letter, 11 digits and a final digit or letter")
    if upn_check_letter(upn[1:]) != upn[0]:
        raise ValidationError("This UPN's check letter is wrong: check it has been copied correctly")
    return upn


def parse_postcode(value: str) -> str | None:
    """Return the postcode in its standard form ("TF1 2AB"), or None if it is not one."""
    compact = re.sub(r"\s", "", value or "").upper()
    if compact == "GIR0AA":
        return "GIR 0AA"
    match = _POSTCODE.fullmatch(compact)
    if not match:
        return None
    return f"{match.group(1)} {match.group(2)}"


def normalise_postcode(value: str) -> str:
    postcode = parse_postcode(value)
    if postcode is None:
        raise ValidationError("Enter a real postcode, like TF1 2AB")
    return postcode


def format_nhs_number(digits: str) -> str:
    """Display form: 943 476 5919."""
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 else digits
