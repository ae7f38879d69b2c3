"""Each normalisation rule: what the same thing looks like when different people type it, and near misses."""

from __future__ import annotations

from datetime import date

import pytest

from wrekin.intelligence.normalise import (
    VehicleMark,
    canonical_platform,
    normalise_email,
    normalise_handle,
    normalise_phone,
    normalise_postcode,
    normalise_vehicle,
    phone_is_valid,
    vehicle_marks_compatible,
)

TODAY = date(2026, 5, 1)  # age identifiers issued by then: 02-26 (March) and 51-75 (September 2025)


def mark(text: str) -> VehicleMark:
    result = normalise_vehicle(text, today=TODAY)
    assert result is not None, text
    return result


# --- registration marks ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["ab12cde", "AB12 CDE", "AB12-CDE", "ab 12 cde", " AB12  CDE ", "Ab12 cDe",
                                   "reg AB12 CDE", "VRM: ab12cde", "AB12.CDE"])
def test_current_format_written_any_way_is_one_mark(typed):
    result = mark(typed)
    assert (result.normalised, result.display, result.format, result.partial) == ("AB12CDE", "AB12 CDE", "current",
                                                                                  False)
    assert result.pattern == "AB12CDE"


@pytest.mark.parametrize("typed,normalised,display,fmt", [
    ("A123 BCD", "A123BCD", "A123 BCD", "prefix"),
    ("y7 abc", "Y7ABC", "Y7 ABC", "prefix"),
    ("ABC 123A", "ABC123A", "ABC 123A", "suffix"),
    ("abc1y", "ABC1Y", "ABC 1Y", "suffix"),
    ("1 ABC", "1ABC", "1 ABC", "dateless"),
    ("ABC 1", "ABC1", "ABC 1", "dateless"),
    ("ABC 123", "ABC123", "ABC 123", "dateless"),
    ("9999 AB", "9999AB", "9999 AB", "dateless"),
    ("ABZ 1234", "ABZ1234", "ABZ 1234", "northern_ireland"),
    ("IA 1234", "IA1234", "IA 1234", "northern_ireland"),
    ("NO54 HNU", "NO54HNU", "NO54 HNU", "current"),  # "NO" is a plate's memory tag before it is a word to strip
])
def test_older_and_northern_irish_formats(typed, normalised, display, fmt):
    result = mark(typed)
    assert (result.normalised, result.display, result.format) == (normalised, display, fmt)


@pytest.mark.parametrize("identifier,issued", [
    ("51", True),   # September 2001: the first current-format marks
    ("02", True),   # March 2002
    ("25", True),   # March 2025
    ("75", True),   # September 2025
    ("26", True),   # March 2026, before TODAY
    ("76", False),  # September 2026: not issued yet on TODAY
    ("27", False),
    ("99", False),
    ("00", False),  # never issued
    ("01", False),  # never issued: current marks began with 51 in September 2001
    ("50", False),  # never issued
])
def test_current_format_age_identifier_must_have_been_issued(identifier, issued):
    result = normalise_vehicle(f"AB{identifier} CDE", today=TODAY)
    assert (result is not None) is issued


def test_age_identifier_depends_on_the_day_given():
    assert normalise_vehicle("AB26 CDE", today=date(2026, 2, 28)) is None
    assert normalise_vehicle("AB26 CDE", today=date(2026, 3, 1)) is not None
    assert normalise_vehicle("AB76 CDE", today=date(2026, 9, 1)) is not None


@pytest.mark.parametrize("typed", [
    "AI12 CDE", "QB12 CDE", "ZB12 CDE",  # memory tags never use I, Q or Z
    "AB12 CIE", "AB12 CDQ",              # the random letters never use I or Q
    "I123 ABC", "O123 ABC", "U123 ABC", "Z123 ABC",  # prefix year letters never I, O, U or Z
    "ABC 123I", "ABC 123Q",              # nor suffix year letters
    "ABC 1234",                          # three letters and four digits is only Northern Irish (I or Z)
    "AB12 CD", "TF1 2AB", "AB 12345", "0 ABC", "ABCD 1", "", "   ", "AB12 CDE F", "£20", "10:30",
])
def test_impossible_marks_are_refused(typed):
    assert normalise_vehicle(typed, today=TODAY) is None


def test_near_miss_marks_stay_apart():
    assert not vehicle_marks_compatible(mark("AB12 CDE"), mark("AB12 CDF"))
    assert not vehicle_marks_compatible(mark("AB12 CDE"), mark("AB13 CDE"))
    assert vehicle_marks_compatible(mark("ab12cde"), mark("AB12-CDE"))


@pytest.mark.parametrize("typed,normalised,pattern,display", [
    ("AB12 ?", "AB12*", "AB12%", "starts AB12"),
    ("AB12?", "AB12*", "AB12%", "starts AB12"),
    ("AB12...", "AB12*", "AB12%", "starts AB12"),
    ("AB12 …", "AB12*", "AB12%", "starts AB12"),
    ("starts AB12", "AB12*", "AB12%", "starts AB12"),
    ("started with ab12", "AB12*", "AB12%", "starts AB12"),
    ("begins with AB12", "AB12*", "AB12%", "starts AB12"),
    ("partial AB12", "AB12*", "AB12%", "starts AB12"),
    ("partial reg AB1", "AB1*", "AB1%", "starts AB1"),
    ("AB12 C??", "AB12C??", "AB12C__", "AB12 C??"),
    ("AB12 CD?", "AB12CD?", "AB12CD_", "AB12 CD?"),
    ("AB12 ???", "AB12???", "AB12___", "AB12 ???"),
    ("AB1? CDE", "AB1?CDE", "AB1_CDE", "AB1? CDE"),
    ("ends CDE", "*CDE", "%CDE", "ends CDE"),
    ("ending in CDE", "*CDE", "%CDE", "ends CDE"),
])
def test_partial_marks(typed, normalised, pattern, display):
    result = mark(typed)
    assert result.partial and result.format == "partial"
    assert (result.normalised, result.pattern, result.display) == (normalised, pattern, display)


@pytest.mark.parametrize("typed", ["starts A", "AB ?", "??? ???", "ends C", "partial", "starts with the"])
def test_partial_marks_too_weak_to_link_are_refused(typed):
    assert normalise_vehicle(typed, today=TODAY) is None


def test_partial_regex_matches_only_full_marks_that_fit():
    partial = mark("AB12 C??")
    assert partial.matches("AB12CDE")
    assert not partial.matches("AB12DDE")
    assert not partial.matches("AB12CDEF")
    assert partial.regex == "AB12C[A-Z0-9][A-Z0-9]"


@pytest.mark.parametrize("a,b,compatible", [
    ("AB12 ?", "AB12 CDE", True),
    ("starts AB12", "ab12xyz", True),
    ("AB12 ?", "AB13 CDE", False),
    ("AB12 C??", "AB12 CDE", True),
    ("AB12 C??", "AB12 DDE", False),
    ("ends CDE", "AB12 CDE", True),
    ("ends CDE", "AB12 CDF", False),
    ("AB12 CDE", "AB12 ?", True),         # order does not matter
    ("AB12 ?", "AB12 C??", True),         # partial and partial: some mark fits both
    ("AB12 ?", "AB1? CDE", True),
    ("AB12 C??", "ends CDE", True),
    ("AB12 C??", "ends XDE", False),
    ("AB12 C??", "AB12 D??", False),
    ("AB12 ???", "starts AB12", True),
    ("AB12 CD?", "AB12 C??", True),
    ("AB1? CDE", "AB2? CDE", False),
])
def test_partial_compatibility(a, b, compatible):
    assert vehicle_marks_compatible(mark(a), mark(b)) is compatible
    assert vehicle_marks_compatible(mark(b), mark(a)) is compatible


# --- phones ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["07700 900123", "07700900123", "07700-900-123", "+44 7700 900123",
                                   "+447700900123", "0044 7700 900123", "+44 (0)7700 900123", "(07700) 900 123",
                                   "07700 900 123", "tel: 07700 900123", "7700 900123"])
def test_mobile_written_any_way_is_one_e164(typed):
    assert normalise_phone(typed) == "+447700900123"


@pytest.mark.parametrize("typed,e164", [
    ("01952 123456", "+441952123456"),
    ("(01952) 123456", "+441952123456"),
    ("+44 1952 123456", "+441952123456"),
    ("0121 496 0000", "+441214960000"),
    ("020 7946 0000", "+442079460000"),
])
def test_landlines(typed, e164):
    assert normalise_phone(typed) == e164


def test_drama_range_is_possible_but_not_valid():
    # Ofcom's drama numbers are what fiction and our synthetic data use: kept, flagged as not valid.
    assert normalise_phone("07700 900123") == "+447700900123"
    assert not phone_is_valid("+447700900123")
    assert phone_is_valid("+441952123456")


@pytest.mark.parametrize("typed", ["", "123", "0800 FLOWERS", "AB12 CDE", "07700 900123 999", "call me",
                                   "12/03/2025", "0770"])
def test_not_phone_numbers(typed):
    assert normalise_phone(typed) is None


def test_near_miss_phones_stay_apart():
    assert normalise_phone("07700 900123") != normalise_phone("07700 900124")


def test_other_region_default():
    assert normalise_phone("+33 1 23 45 67 89") == "+33123456789"
    assert normalise_phone("01 23 45 67 89", region="FR") == "+33123456789"


# --- postcodes, e-mail, handles ----------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["TF1 2AB", "tf1 2ab", "TF12AB", "tf12ab", "TF1  2AB", " TF1 2AB "])
def test_postcode_written_any_way(typed):
    assert normalise_postcode(typed) == "TF1 2AB"


@pytest.mark.parametrize("typed,expected", [("B4 7DA", "B4 7DA"), ("sw1a1aa", "SW1A 1AA"), ("GIR 0AA", "GIR 0AA"),
                                            ("M1 1AE", "M1 1AE")])
def test_other_postcode_shapes(typed, expected):
    assert normalise_postcode(typed) == expected


@pytest.mark.parametrize("typed", ["TF1", "AB12 CDE", "Y10 2ND", "QQ1 2AB", "TF1 2AC", "", "12345"])
def test_not_postcodes(typed):
    # "Y10 2ND" fits the shape but Y is not a postcode area; C is never in an inward code.
    assert normalise_postcode(typed) is None


@pytest.mark.parametrize("typed", ["kay@example.com", "Kay@Example.COM", " <kay@example.com> ",
                                   "mailto:kay@example.com", "kay@example.com."])
def test_email(typed):
    assert normalise_email(typed) == "kay@example.com"


@pytest.mark.parametrize("typed", ["kay@", "@example.com", "kay example.com", "kay@example", ""])
def test_not_email(typed):
    assert normalise_email(typed) is None


@pytest.mark.parametrize("platform,typed,expected", [
    ("snapchat", "@Kayz_01", "kayz_01"),
    ("Snap", "kayz_01", "kayz_01"),
    ("insta", "instagram.com/Kayz.01/", "kayz.01"),
    ("instagram", "https://www.instagram.com/kayz.01?igsh=abc", "kayz.01"),
    ("TikTok", "@KAYZ", "kayz"),
    ("tiktok", "tiktok.com/@kayz", "kayz"),
    ("x", "@Kayz_01", "kayz_01"),
    ("twitter", "x.com/kayz_01", "kayz_01"),
    ("facebook", "kayleigh.smith.10", "kayleigh.smith.10"),
    ("telegram", "t.me/kayz_01", "kayz_01"),
    ("discord", "Kayz#1234", "kayz#1234"),
    ("whatsapp", "07700 900123", "+447700900123"),
    ("", "@kayz_01", "kayz_01"),
    ("myspace", "Kayz", "kayz"),
])
def test_handles(platform, typed, expected):
    assert normalise_handle(platform, typed) == expected


@pytest.mark.parametrize("platform,typed", [("snapchat", ""), ("snapchat", "@"), ("instagram", "kay z"),
                                            ("whatsapp", "kayz"), ("tiktok", "kay!z")])
def test_not_handles(platform, typed):
    assert normalise_handle(platform, typed) is None


@pytest.mark.parametrize("typed,expected", [("Snapchat", "snapchat"), ("snap", "snapchat"), ("SC", "snapchat"),
                                            ("Insta", "instagram"), ("IG", "instagram"), ("Twitter", "x"),
                                            ("X", "x"), ("x/twitter", "x"), ("FB", "facebook"),
                                            ("Tik Tok", "tiktok"), ("WhatsApp", "whatsapp"), ("TG", "telegram"),
                                            ("Discord", "discord"), ("myspace", None), ("", None)])
def test_platform_names(typed, expected):
    assert canonical_platform(typed) == expected


@pytest.mark.parametrize("typed", ["ab12cde", "A123 BCD", "ABC 123A", "1 ABC", "ABC 123", "ABZ 1234", "AB12 ?",
                                   "AB12 C??", "AB1? CDE", "ends CDE", "starts AB1"])
def test_a_normalised_mark_normalises_to_itself(typed):
    # Other code stores `normalised` and may normalise it again (entities, the API): it must not drift.
    first = mark(typed)
    assert mark(first.normalised) == first


def test_other_normalised_forms_are_stable():
    assert normalise_phone(normalise_phone("07700 900123")) == "+447700900123"
    assert normalise_postcode(normalise_postcode("tf12ab")) == "TF1 2AB"
    assert normalise_email(normalise_email("Kay@Example.com")) == "kay@example.com"
    assert normalise_handle("snapchat", normalise_handle("snapchat", "@Kayz_01")) == "kayz_01"
