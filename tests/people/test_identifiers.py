import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from wrekin.people.identifiers import (
    format_nhs_number,
    nhs_number_check_digit_ok,
    normalise_nhs_number,
    normalise_postcode,
    normalise_upn,
    parse_postcode,
    upn_check_letter,
)


def test_nhs_number_with_spaces_is_accepted():
    assert normalise_nhs_number("943 476 5919") == "9434765919"
    assert format_nhs_number("9434765919") == "943 476 5919"


@pytest.mark.parametrize("value", ["9434765918", "943476591", "94347659190", "abcdefghij"])
def test_bad_nhs_numbers_are_refused(value):
    with pytest.raises(ValidationError):
        normalise_nhs_number(value)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_exactly_one_check_digit_fits_or_none(body):
    fitting = [d for d in "0123456789" if nhs_number_check_digit_ok(body + d)]
    assert len(fitting) <= 1


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_upn_with_its_own_check_letter_is_valid(body):
    upn = upn_check_letter(body) + body
    assert normalise_upn(upn.lower()) == upn


def test_upn_with_wrong_check_letter_is_refused():
    body = "820200109001"
    good = upn_check_letter(body)
    wrong = "A" if good != "A" else "B"
    with pytest.raises(ValidationError, match="check letter"):
        normalise_upn(wrong + body)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("tf12ab", "TF1 2AB"), ("TF1  2AB", "TF1 2AB"), ("sw1a1aa", "SW1A 1AA"), ("M11AE", "M1 1AE"),
     ("b33 8th", "B33 8TH"), ("cr2 6xh", "CR2 6XH"), ("dn55 1pt", "DN55 1PT"), ("gir 0aa", "GIR 0AA")],
)
def test_postcodes_normalise(typed, expected):
    assert normalise_postcode(typed) == expected


@pytest.mark.parametrize("typed", ["TF1", "12345", "TF1 2AB X", "Q1 1AA", "TF1 2CI", ""])
def test_non_postcodes_are_refused(typed):
    assert parse_postcode(typed) is None
