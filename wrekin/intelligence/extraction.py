"""Find the things a narrative mentions: registration marks, phones, postcodes, e-mail, handles, known names.

The machine suggests, a person confirms. Every recogniser here is a regular expression
or a dictionary look-up, so a suggestion can always be explained ("AB12 CDE: current
format registration mark") and the same text always gives the same suggestions. No
NLP model is used: the ones that run offline here misread plates and postcodes (see
TECH-NOTES "Entities in text").

Precision matters as much as recall: a practitioner who is shown "Y10" as a car
registration stops reading the suggestions. So the shapes that ordinary prose also
makes (dateless marks such as "ABC 1", road numbers such as "A442", school years such
as "Y10") are suggested only with vehicle context ("reg", "plate", "a silver Audi"),
while shapes prose never makes (AB12 CDE) need none. Overlaps are resolved by keeping
the longest match, then the most specific type.

Measured precision, recall and throughput: benchmarks/extraction.py, docs/benchmarks.md.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from wrekin.intelligence.normalise import (
    POSTCODE_AREAS,
    canonical_platform,
    normalise_email,
    normalise_handle,
    normalise_phone,
    normalise_postcode,
    normalise_vehicle,
    phone_is_valid,
    postcode_area,
)

# What a practitioner answered to a suggestion in a form (the live suggestions, wrekin.intelligence.
# extraction_views): record_mentions records a confirmed one as confirmed and a rejected one not at all.
CONFIRMED = "confirm"
REJECTED = "reject"
DECISIONS = (CONFIRMED, REJECTED)

ENTITY_TYPES = ("vehicle", "phone", "postcode", "email", "handle", "person", "location", "business")

# When two suggestions of the same length overlap, the more specific type wins.
_SPECIFICITY = {"email": 0, "phone": 1, "vehicle": 2, "postcode": 3, "handle": 4, "business": 5, "location": 6,
                "person": 7}


@dataclass
class Extracted:
    """One suggestion: what was found, where, and its canonical form.

    ``value`` is exactly ``text[span[0]:span[1]]``; ``normalised`` is the key records
    link on (see wrekin.intelligence.normalise); ``detail`` explains the suggestion
    (format, platform, why it was recognised, the ids a known name refers to).
    """

    type: str
    value: str
    normalised: str
    span: tuple[int, int]
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """The API contract: {"type", "value", "normalised", "span"}."""
        return {"type": self.type, "value": self.value, "normalised": self.normalised, "span": list(self.span)}


# --- vehicle context ---------------------------------------------------------------------------------------------

# A registration keyword directly before the mark: "reg AB12 CDE", "registration number: ABC 123",
# "private plate 1 ABC", "VRM (A123 BCD)". Only small filler words may sit between.
_REG_KEYWORD_BEFORE = re.compile(
    r"(?<![\w])(?:reg(?:istration)?|regd|vrm|vrn|index|plates?|registered)\.?"
    r"(?:\s*(?:number|no\.?|mark|plate|was|is|of|reading|read|showing|shown|as|:|-|–|\(|'|\"|‘|“))*\s*$",
    re.IGNORECASE)

_MAKES = (
    "audi|bmw|vauxhall|ford|mercedes(?:-benz)?|merc|toyota|nissan|volkswagen|vw|kia|hyundai|peugeot|renault|seat|"
    "skoda|honda|mazda|fiat|citroen|citroën|range rover|land rover|mini|tesla|lexus|jaguar|volvo|suzuki|dacia|"
    "mitsubishi|porsche|jeep|cupra|alfa romeo|subaru|chevrolet|saab|rover|smart"
)
_MODELS = (
    "corsa|astra|insignia|zafira|fiesta|focus|mondeo|kuga|transit|golf|polo|passat|tiguan|a3|a4|a5|q5|prius|yaris|"
    "aygo|auris|qashqai|juke|micra|clio|megane|leon|ibiza|octavia|fabia|civic|jazz|punto|500|picanto|sportage|"
    "i10|i20|i30|c-class|e-class|a-class|3 series|1 series|5 series|x5|evoque|sprinter|berlingo"
)
_VEHICLE_WORD = re.compile(
    rf"(?<![\w])(?:car|cars|vehicle|van|taxi|cab|minicab|private hire|motorbike|moped|scooter|4x4|hatchback|"
    rf"saloon|estate|pick-?up|jeep|{_MAKES}|{_MODELS})(?![\w])",
    re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?;\n]\s")

# Words that, right before a letters-and-digits shape, show it is not a plate: "flat 3B", "bus 10A", "Y10".
_NOT_A_PLATE_BEFORE = re.compile(
    r"(?<![\w])(?:flat|room|house|no\.?|number|unit|apartment|apt|block|bus|buses|route|service|platform|gate|"
    r"junction|j|year|class|form|set|bay|stand|pc|dc|ds|ps|sgt|collar|badge|ref|reference|log|cad|incident|"
    r"the)\s*$",
    re.IGNORECASE)
_NOT_A_PLATE_AFTER = re.compile(r"^\s*(?:bus|buses|service|route|road|rd|street|st|am|pm|a\.m\.|p\.m\.)(?![\w])",
                                re.IGNORECASE)
# Letter groups that notes use with numbers in upper case: school years, police ranks, times, months, units.
_DATELESS_STOP_TEXT = """
Y YR YRS AM PM PC DC DS DI PS SGT CSE CCE UK GP NHS J NO TEL MOB RM RD ST HR HRS MIN MINS KM MPH
JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC MON TUE WED THU FRI SAT SUN X V TF LOG REF CAD ID MP WK WKS
SEN EHC DOB KS CAMHS RHI MACE REG VRM VRN
"""
_DATELESS_STOP_LETTERS = frozenset(_DATELESS_STOP_TEXT.split())
_ROAD_LETTERS = frozenset({"A", "B", "M"})  # A442, B4380, M54: road numbers, unless "reg" is right before
# Words that prose puts before or after a number in lower case ("at 10", "was 5 mins"): never dateless marks then.
_COMMON_WORDS_TEXT = """
a i at on in by to of is it as an or so up we he me my be do go no and the for has had was are but not you her
him his she its our out all one two ten six day old age aged year yrs min mins hour hrs was got saw met set new
off too any may can did few who why how now yes see say per via van car bus
"""
_COMMON_WORDS = frozenset(_COMMON_WORDS_TEXT.split())
# Model names that read like prefix marks after a make: "Audi A3", "BMW X5", "Hyundai i10".
_MODEL_CODES = frozenset({"A1", "A3", "A4", "A5", "A6", "A7", "A8", "Q2", "Q3", "Q5", "Q7", "Q8", "X1", "X2", "X3",
                          "X4", "X5", "X6", "X7", "I10", "I20", "I30", "I40", "C1", "C3", "C4", "M3", "M4", "M5", "Z4",
                          "S3", "S4", "B8", "E5", "T5", "T6"})
# Three-letter acronyms that look like the start of a suffix mark ("CSE 1A").
_SUFFIX_STOP_LETTERS = frozenset({"CSE", "CCE", "GCSE", "NHS", "SEN", "EHC", "DOB", "CAD", "LOG", "REF", "MAC",
                                  "CIN", "LAC", "CPP", "RHI", "ASB", "PNC", "CID", "GPS", "ADD", "SEE", "AGE"})


# A registration keyword a few words before, in the same clause: "the reg of the silver BMW was ep 52 frp".
_REG_KEYWORD_NEAR = re.compile(
    r"(?<![\w])(?:reg(?:istration)?|vrm|vrn|plates?)\b[^.;!?\n]{0,40}$", re.IGNORECASE)


_KEYWORD_HINTS = ("reg", "vr", "index", "plate")  # a cheap test before the regular expression


def _has_reg_keyword_before(text: str, start: int) -> bool:
    window = text[max(0, start - 45):start]
    lowered = window.lower()
    if not any(hint in lowered for hint in _KEYWORD_HINTS):
        return False
    return _REG_KEYWORD_BEFORE.search(window) is not None


def _has_reg_keyword_near(text: str, start: int) -> bool:
    window = text[max(0, start - 50):start]
    lowered = window.lower()
    if not any(hint in lowered for hint in _KEYWORD_HINTS):
        return False
    return _REG_KEYWORD_NEAR.search(window) is not None


def _same_sentence_window(text: str, start: int, end: int, before: int = 60, after: int = 30) -> str:
    """The text around a candidate, cut at sentence ends so context from another sentence does not count."""
    left = text[max(0, start - before):start]
    ends = [match.end() for match in _SENTENCE_END.finditer(left)]
    if ends:
        left = left[ends[-1]:]
    right = text[end:end + after]
    if stop := _SENTENCE_END.search(right):
        right = right[:stop.start()]
    return left + " " + right


_MAKE_BEFORE = re.compile(rf"(?<![\w])(?:{_MAKES})\s*$", re.IGNORECASE)


def _is_model_name(text: str, start: int, code: str) -> bool:
    """"A3" straight after "Audi" names a model, not a plate."""
    return code.upper() in _MODEL_CODES and _MAKE_BEFORE.search(text[max(0, start - 20):start]) is not None


def _vehicle_word_near(text: str, start: int, end: int) -> str | None:
    match = _VEHICLE_WORD.search(_same_sentence_window(text, start, end))
    return match.group(0) if match else None


# --- recognisers -------------------------------------------------------------------------------------------------

_B = r"(?<![\w?@/.])"  # not inside a word, a partial mark, an address or a path
_E = r"(?![\w?@]|-\w)"

_CURRENT = re.compile(rf"{_B}([A-Z]{{2}})( ?)(\d{{2}})[ \-]?([A-Z]{{3}}){_E}", re.IGNORECASE)
_PREFIX = re.compile(rf"{_B}([A-Z])([1-9]\d{{0,2}})[ \-]?([A-Z]{{3}}){_E}", re.IGNORECASE)
_SUFFIX = re.compile(rf"{_B}([A-Z]{{3}})[ \-]?([1-9]\d{{0,2}})([A-Z]){_E}", re.IGNORECASE)
_LETTERS_DIGITS = re.compile(rf"{_B}(?P<letters>[A-Z]{{1,3}})[ \-]?(?P<digits>[1-9]\d{{0,3}}){_E}", re.IGNORECASE)
# Starts with the digit and looks behind it afterwards: a pattern that begins with a character
# class lets the regex engine skip ahead quickly, which one beginning with a look-behind does not.
_DIGITS_LETTERS = re.compile(rf"(?P<digits>[1-9](?<![\w?@/.][1-9])\d{{0,3}})[ \-]?(?P<letters>[A-Z]{{1,3}}){_E}",
                             re.IGNORECASE)
_PARTIAL_UNKNOWN = re.compile(
    r"(?<![\w?@/])([A-Z?]{2}[0-9?]{2}(?:[ \-]?[A-Z?]{1,3})?(?: ?(?:\?|\.\.\.|…|\*))?)(?![\w?])", re.IGNORECASE)
_PARTIAL_STARTS = re.compile(
    r"(?<![\w])((?:partial(?:\s+(?:reg(?:istration)?|plate|vrm))?|part\s+(?:reg(?:istration)?|plate|vrm)|"
    r"first\s+part|(?:starting|started|starts|start|beginning|begins|begin|began)(?:\s+with)?)"
    r"(?:\s*:\s*|\s+))([A-Z0-9]{2,5})(?![\w?])(?![ \-]?[A-Z0-9]{0,3}\?)", re.IGNORECASE)
_PARTIAL_ENDS = re.compile(
    r"(?<![\w])((?:ending|ended|ends|end)(?:\s+(?:with|in))?(?:\s*:\s*|\s+))([A-Z0-9]{3,4})(?![\w?])", re.IGNORECASE)
_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")
_CURRENT_KNOWN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z]{0,3}")
_MORE_LETTERS_AFTER = re.compile(r"[ \-]?[A-Za-z]{1,3}(?![\w])")
_TWO_LETTERS_BEFORE = re.compile(r"(?<![\w])[A-Za-z]{2}[ \-]?$")
_CURRENT_START_SHAPE = re.compile(r"[A-Z]{2}[0-9]{1,2}[A-Z]{0,2}|[A-Z]{2}[0-9]{2}[A-Z]{0,3}")


def _is_upper(value: str) -> bool:
    letters = [char for char in value if char.isalpha()]
    return bool(letters) and all(char.isupper() for char in letters)


def _vehicle(text: str, start: int, end: int, today: date, why: str) -> Extracted | None:
    value = text[start:end]
    mark = normalise_vehicle(value, today=today)
    if mark is None:
        return None
    return Extracted("vehicle", value, mark.normalised, (start, end),
                     {"format": mark.format, "display": mark.display, "partial": mark.partial,
                      "pattern": mark.pattern, "recognised_by": why})


def _find_vehicles(text: str, today: date) -> Iterable[Extracted]:
    for match in _CURRENT.finditer(text):
        start, end = match.span()
        keyword = _has_reg_keyword_before(text, start) or _has_reg_keyword_near(text, start)
        spaced = bool(match.group(2))  # "AB 12 CDE": prose can make that shape ("at 10 the"), so ask for more
        if spaced and not keyword and not (_is_upper(match.group(0)) and _vehicle_word_near(text, start, end)):
            continue
        last = match.group(4)
        if last.lower() in _COMMON_WORDS and not last.isupper():
            continue  # "registration VP 23 was seen": the plate is "VP 23"; "was" is the sentence
        if spaced and not (match.group(0).isupper() or match.group(0).islower()):
            continue
        if found := _vehicle(text, start, end, today, "registration keyword" if keyword else "current format"):
            yield found

    for pattern, stop_letters, fmt in ((_PREFIX, frozenset(), "prefix"), (_SUFFIX, _SUFFIX_STOP_LETTERS, "suffix")):
        for match in pattern.finditer(text):
            start, end = match.span()
            value = match.group(0)
            letters = (match.group(1) if fmt == "suffix" else match.group(3)).upper()
            if _has_reg_keyword_before(text, start):
                why = "registration keyword"
            else:
                if fmt == "prefix" and _is_model_name(text, start, match.group(1) + match.group(2)):
                    continue
                if _has_reg_keyword_near(text, start):
                    # "the reg of the grey Audi was a123 bcd": lower case is fine, but not "A3 was".
                    if not (value.isupper() or value.islower()) or letters.lower() in _COMMON_WORDS:
                        continue
                    why = "registration keyword"
                else:
                    # Upper case as written, like a plate; lower case "a442 and" is prose.
                    if not _is_upper(value) or letters in stop_letters or letters.lower() in _COMMON_WORDS:
                        continue
                    if fmt == "prefix" and _NOT_A_PLATE_AFTER.match(text[end:]):
                        continue
                    why = f"{fmt} format"
            if found := _vehicle(text, start, end, today, why):
                yield found

    for pattern, letters_first in ((_LETTERS_DIGITS, True), (_DIGITS_LETTERS, False)):
        for match in pattern.finditer(text):
            start, end = match.span()
            value = match.group(0)
            letters, digits = match.group("letters").upper(), match.group("digits")
            if _has_reg_keyword_before(text, start):
                why = "registration keyword"
            else:
                # Without "reg" or "plate" right before it, a dateless shape is usually something else:
                # a school year (Y10), a road (A442), a time (10 PM), a flat (3B), a model (Audi A3).
                if letters in _DATELESS_STOP_LETTERS or (letters_first and letters in _ROAD_LETTERS):
                    continue
                if letters_first and _is_model_name(text, start, letters + digits):
                    continue
                if _NOT_A_PLATE_BEFORE.search(text[max(0, start - 20):start]) or _NOT_A_PLATE_AFTER.match(text[end:]):
                    continue
                if (letters_first and _MORE_LETTERS_AFTER.match(text, end)) or (
                        not letters_first and len(digits) == 2 and len(letters) == 3
                        and _TWO_LETTERS_BEFORE.search(text[max(0, start - 4):start])):
                    continue  # "AB99 CDE", "AB 99 CDE": part of a current-format shape (here unissued), not dateless
                near = _has_reg_keyword_near(text, start)
                upper = _is_upper(value)
                if letters.lower() in _COMMON_WORDS and not (upper and near):
                    continue
                northern_irish = letters_first and len(letters) == 3 and ("I" in letters[1:] or "Z" in letters[1:])
                if near and (upper or value.islower()):
                    why = "registration keyword"
                elif not upper:
                    continue
                elif northern_irish and len(digits) >= 3:
                    why = "northern_ireland format"
                elif vehicle_word := _vehicle_word_near(text, start, end):
                    why = f"vehicle context: {vehicle_word.lower()}"
                else:
                    continue
            if found := _vehicle(text, start, end, today, why):
                yield found

    for match in _PARTIAL_UNKNOWN.finditer(text):
        value = match.group(1)
        if not any(marker in value for marker in ("?", "...", "…", "*")):
            continue
        start, end = match.span(1)
        keyword = _has_reg_keyword_before(text, start)
        known = _NOT_ALNUM.sub("", value)
        if not keyword and not (_is_upper(known) and _CURRENT_KNOWN_SHAPE.fullmatch(known)):
            continue
        if found := _vehicle(text, start, end, today, "partial mark"):
            yield found

    for pattern, starts in ((_PARTIAL_STARTS, True), (_PARTIAL_ENDS, False)):
        for match in pattern.finditer(text):
            start, end = match.span()
            phrase, known = match.group(1), match.group(2)
            keyword = _has_reg_keyword_before(text, start) or re.search(r"reg|plate|vrm", phrase, re.IGNORECASE)
            if not keyword:
                if not _is_upper(known):
                    continue
                if starts and not _CURRENT_START_SHAPE.fullmatch(known):
                    continue
                if not starts and not _vehicle_word_near(text, start, end):
                    continue
            if found := _vehicle(text, start, end, today, "partial mark"):
                yield found


_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)[ \t]?44[ \t]?(?:\(0\)[ \t]?)?|\((?=0\d{2,4}\))0|0)\d(?:[ \t\-.)]{0,3}\d){8,9}(?!\d)")


def _find_phones(text: str) -> Iterable[Extracted]:
    for match in _PHONE.finditer(text):
        value, (start, end) = match.group(0), match.span()
        if value.startswith("(") and ")" not in value:
            value, start = value[1:], start + 1  # "(07700 900123)": the bracket belongs to the sentence
        e164 = normalise_phone(value)
        if e164 is None:
            continue
        yield Extracted("phone", value, e164, (start, end), {"valid": phone_is_valid(e164)})


_POSTCODE = re.compile(r"(?<![\w/])([A-Z]{1,2}\d[A-Z\d]?)[ \t]{0,2}(\d[A-Z]{2})(?!\w)", re.IGNORECASE)


def _find_postcodes(text: str) -> Iterable[Extracted]:
    for match in _POSTCODE.finditer(text):
        if postcode_area(match.group(1).upper()) not in POSTCODE_AREAS:
            continue
        postcode = normalise_postcode(match.group(0))
        if postcode is None:
            continue
        yield Extracted("postcode", match.group(0), postcode, match.span(), {"area": postcode_area(postcode)})


_EMAIL = re.compile(r"(?<![\w.+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}(?![\w\-])")


def _find_emails(text: str) -> Iterable[Extracted]:
    for match in _EMAIL.finditer(text):
        email = normalise_email(match.group(0))
        if email:
            yield Extracted("email", match.group(0), email, match.span(), {})


_PLATFORM_WORDS = (r"snapchat|snap|instagram|insta|tiktok|tik tok|facebook messenger|facebook|messenger|whatsapp|"
                   r"whats app|telegram|twitter|discord|x|sc|ig|fb|tg")
_SHORT_PLATFORM_WORDS = frozenset({"x", "sc", "ig", "fb", "tg"})
_HANDLE_SHAPE = r"@?[A-Za-z0-9_](?:[A-Za-z0-9._\-]{0,28}[A-Za-z0-9_])?"
_PLATFORM_PHRASE = re.compile(
    rf"(?<![\w@])(?P<platform>{_PLATFORM_WORDS})(?![\w])"
    r"(?P<connector>(?:[\s,]+(?:account|user\s?name|username|name|handle|id|profile|page|user)(?![\w]))?"
    r"(?:\s*(?::|=|-|–)\s*|\s+(?:is|was|as|called|named|under)\s+|\s+)"
    r"(?:(?:is|was)\s+)?)"
    rf"(?P<quote>['\"‘“(]?)(?P<handle>{_HANDLE_SHAPE})(?![\w@])",
    re.IGNORECASE)
_AT_HANDLE = re.compile(r"(?<![\w@./])@[A-Za-z0-9_](?:[A-Za-z0-9._]{0,28}[A-Za-z0-9_])?(?![\w@])")
_PROFILE_URL = re.compile(
    r"(?<![\w/])(?:https?://)?(?:www\.|m\.)?(?P<site>snapchat\.com/add|instagram\.com|tiktok\.com|facebook\.com|"
    r"t\.me|x\.com|twitter\.com)/@?(?P<handle>[A-Za-z0-9_](?:[A-Za-z0-9._\-]{0,48}[A-Za-z0-9_])?)(?![\w/])",
    re.IGNORECASE)
_URL_PLATFORM = {"snapchat.com/add": "snapchat", "instagram.com": "instagram", "tiktok.com": "tiktok",
                 "facebook.com": "facebook", "t.me": "telegram", "x.com": "x", "twitter.com": "x"}
# Words that follow a platform name in ordinary notes ("on Snapchat and Instagram", "her Snapchat messages").
_NOT_A_HANDLE_TEXT = """
a an the and or but as is was were be been with without on in at to from for of by via about after before into
her his she he they them their theirs him me my mine your you we us our it its this that these those there then
than also too well again only just still yet even already often sometimes never always who whom whose which what
when where why how message messages messaged messaging account accounts app apps name names username handle
profile page chat chats story stories video videos call calls called calling group groups friend friends
friended added adding add direct dm dms post posts posted photo photos picture pictures pics image images
live streak streaks snap snaps snapchat instagram insta tiktok facebook whatsapp telegram twitter discord
yesterday today tonight tomorrow morning evening night week weeks month months private public blocked deleted
new old active inactive not no none unknown same different another other others someone somebody anyone
person people boy boys girl girls man men woman women male female older younger number numbers phone phones
said says told asked stated shown showed show seen saw sent send sending received receive contact contacted
contacts map maps location locations several many some any all both each every one two three lots lot
"""
_NOT_A_HANDLE = frozenset(_NOT_A_HANDLE_TEXT.split())


_PLATFORM_MENTION = re.compile(
    r"(?<![\w@])(?:snapchat|snap|instagram|insta|tiktok|facebook|messenger|telegram|twitter|discord)(?![\w])",
    re.IGNORECASE)


def _handle_platform_near(text: str, start: int, end: int) -> str:
    """The platform named nearest before an "@handle" in its sentence, else just after it; "" if none."""
    left = _same_sentence_window(text, start, start, before=50, after=0)
    before = [canonical_platform(m.group(0)) for m in _PLATFORM_MENTION.finditer(left)]
    if before and before[-1]:
        return before[-1]
    right = _same_sentence_window(text, end, end, before=0, after=30)
    after = [canonical_platform(m.group(0)) for m in _PLATFORM_MENTION.finditer(right)]
    return after[0] if after and after[0] else ""


def _platform_phrase_handle(match: re.Match) -> Extracted | None:
    platform_word = match.group("platform").lower()
    platform = canonical_platform(platform_word)
    if platform in (None, "whatsapp"):
        return None  # WhatsApp is reached by phone number: the phone recogniser finds it
    raw = match.group("handle")
    bare = raw.lstrip("@")
    if bare.lower() in _NOT_A_HANDLE or bare.isdigit():
        return None
    connector = re.sub(r"\s+(?:is|was)$", "", match.group("connector").strip().lower())
    handle_like = bool(re.search(r"[0-9_.]", bare)) or raw.startswith("@")
    # "as", "called", "username", ":" or quotes say a name follows; "is" alone does not ("her Snapchat is private").
    strong = bool(match.group("quote")) or bool(re.search(
        r"(?:^|[\s,])(?:as|called|named|under|username|user\s?name|handle|name|user|id|account|profile)\s*[:=\-–]?$"
        r"|^[:=\-–]$", connector))
    if not handle_like and not strong:
        return None
    if platform_word in _SHORT_PLATFORM_WORDS and not (strong or raw.startswith("@")):
        return None
    handle = normalise_handle(platform, bare)
    if not handle:
        return None
    return Extracted("handle", raw, handle, match.span("handle"), {"platform": platform, "recognised_by": "platform"})


def _find_handles(text: str) -> Iterable[Extracted]:
    for match in _PROFILE_URL.finditer(text):
        platform = _URL_PLATFORM[match.group("site").lower()]
        handle = normalise_handle(platform, match.group("handle"))
        if handle:
            yield Extracted("handle", match.group(0), handle, match.span(),
                            {"platform": platform, "recognised_by": "profile address"})

    position = 0
    while match := _PLATFORM_PHRASE.search(text, position):
        # Search again from just after the platform word when this reading fails, so that
        # "on Snap (snap: kayz)" still finds the second, better phrase.
        position = match.end("platform")
        if found := _platform_phrase_handle(match):
            position = match.end()
            yield found

    for match in _AT_HANDLE.finditer(text):
        start, end = match.span()
        platform = _handle_platform_near(text, start, end)
        handle = normalise_handle(platform, match.group(0))
        if handle:
            yield Extracted("handle", match.group(0), handle, (start, end), {"platform": platform,
                                                                            "recognised_by": "@"})


# --- gazetteer: names of known people and places -----------------------------------------------------------------

_WORD = re.compile(r"\w+")
_JOINER = re.compile(r"[ \t\-'’&]{1,3}")  # what may sit between the words of one name: "Kebab-O-Rama", "O'Brien"


@dataclass(frozen=True)
class GazetteerTerm:
    """A name the partnership already knows, with the type it suggests and what it refers to.

    ``canonical`` is the stored spelling, used as the suggestion's normalised value;
    ``ids`` are the person or entity ids the name belongs to (several people can share a
    nickname: the suggestion lists them all and a person decides).
    """

    text: str
    type: str  # "person", "location" or "business"
    canonical: str = ""
    ids: tuple[int, ...] = ()
    kind: str = ""  # how the name is known: "name", "known_as", "alias", "nickname", "premises"...


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(word.casefold() for word in _WORD.findall(text))


class Gazetteer:
    """Names of known people and places, matched as whole words, ignoring case, longest first.

    Built once per request from the partnership's data (``for_partnership``) or from a
    list (``from_terms``). All names are compiled into one regular expression shaped as a
    character trie, so the text is scanned once however many names there are.
    """

    def __init__(self, terms: Iterable[GazetteerTerm]):
        self._terms: dict[tuple[str, ...], GazetteerTerm] = {}
        for term in terms:
            words = _tokens(term.text)
            if not words or (len(words) == 1 and len(words[0]) < 2):
                continue
            existing = self._terms.get(words)
            if existing is None:
                self._terms[words] = GazetteerTerm(term.text, term.type, term.canonical or " ".join(term.text.split()),
                                                   tuple(term.ids), term.kind)
            elif existing.type == term.type:
                ids = tuple(dict.fromkeys(existing.ids + tuple(term.ids)))
                self._terms[words] = GazetteerTerm(existing.text, existing.type, existing.canonical, ids,
                                                   existing.kind)
            # A name that is both a person and a place keeps the first meaning it was given.
        self._pattern = _trie_pattern(frozenset(self._terms))

    def __len__(self) -> int:
        return len(self._terms)

    @property
    def terms(self) -> list[GazetteerTerm]:
        return list(self._terms.values())

    @classmethod
    def from_terms(cls, people: Iterable[str | GazetteerTerm] = (), places: Iterable[str | GazetteerTerm] = (),
                   businesses: Iterable[str | GazetteerTerm] = ()) -> Gazetteer:
        """A gazetteer from plain names: ``people`` become person suggestions, ``places`` locations."""
        def as_terms(items, type_):
            for item in items:
                yield item if isinstance(item, GazetteerTerm) else GazetteerTerm(item, type_)

        return cls([*as_terms(people, "person"), *as_terms(places, "location"), *as_terms(businesses, "business")])

    @classmethod
    def for_partnership(cls, partnership_id: int, *, people=None) -> Gazetteer:
        """Persons of concern (names, "known as", aliases and nicknames) and named premises and businesses.

        ``people`` narrows the persons of concern to a queryset the caller may see: the
        suggestions endpoint passes ``people_visible_to(user)`` so that typing a name never
        reveals that another agency holds someone of that name. Premises and business
        names are partnership-wide: they name places, not people.
        """
        from wrekin.people.models import Person, PersonKind

        persons = (people if people is not None else Person.objects.all()).filter(
            partnership_id=partnership_id, kind=PersonKind.PERSON_OF_CONCERN)
        return cls([*cls.person_terms(persons), *cls.place_terms(partnership_id)])

    @classmethod
    def person_terms(cls, persons) -> list[GazetteerTerm]:
        """The names a queryset of persons of concern go by: full name, "known as", aliases and nicknames."""
        from wrekin.people.models import PersonName

        terms: list[GazetteerTerm] = []
        for row in persons.values_list("pk", "given_name", "middle_names", "family_name", "known_as"):
            terms.extend(cls.person_name_terms(*row))
        for row in PersonName.objects.filter(person__in=persons).values_list(
                "person_id", "given_name", "family_name", "kind").order_by("pk"):
            if term := cls.other_name_term(*row):
                terms.append(term)
        return terms

    @staticmethod
    def person_name_terms(pk: int, given: str, middle: str, family: str, known_as: str) -> list[GazetteerTerm]:
        """A person of concern's own names: given and family name (with middle names too), and "known as"."""
        terms = []
        full = " ".join(part for part in (given, family) if part)
        if family:
            terms.append(GazetteerTerm(full, "person", full, (pk,), "name"))
        if middle and family:
            longer = " ".join((given, middle, family))
            terms.append(GazetteerTerm(longer, "person", longer, (pk,), "name"))
        if known_as:
            terms.append(GazetteerTerm(known_as, "person", known_as, (pk,), "known_as"))
        return terms

    @staticmethod
    def other_name_term(person_id: int, given: str, family: str, kind: str) -> GazetteerTerm | None:
        """An alias, nickname, previous name or other spelling (a PersonName) as a name to look for."""
        name = " ".join(part for part in (given, family) if part)
        return GazetteerTerm(name, "person", name, (person_id,), kind) if name else None

    @classmethod
    def place_terms(cls, partnership_id: int) -> list[GazetteerTerm]:
        """Named premises and businesses of the partnership (a location known only by address or postcode is not
        a name anyone writes in a narrative)."""
        from django.db.models import Q

        from wrekin.intelligence.models import Entity, EntityType

        rows = Entity.objects.filter(partnership_id=partnership_id).filter(
            Q(type=EntityType.BUSINESS) | Q(type=EntityType.LOCATION) & ~Q(premises_name=""))
        return cls.place_terms_of(rows.values_list("pk", "type", "display", "premises_name"))

    @staticmethod
    def place_terms_of(rows: Iterable[tuple[int, str, str, str]]) -> list[GazetteerTerm]:
        """Terms from (id, type, display, premises_name) rows of location and business entities."""
        terms = []
        for pk, type_, display, premises_name in rows:
            if type_ not in ("location", "business"):
                continue
            name = premises_name if type_ == "location" else display
            if name and normalise_postcode(name) is None:
                terms.append(GazetteerTerm(name, type_, name, (pk,), "premises" if type_ == "location" else "business"))
        return terms

    def find(self, text: str) -> Iterable[Extracted]:
        if self._pattern is None:
            return
        for match in self._pattern.finditer(text):
            term = self._terms.get(_tokens(match.group(0)))
            if term is None:  # cannot happen: the pattern is built from the same keys
                continue
            start, end = match.span()
            yield Extracted(term.type, match.group(0), term.canonical, (start, end),
                            {"ids": list(term.ids), "known_as": term.kind})


@functools.lru_cache(maxsize=64)  # compiling thousands of names takes a few hundred ms; a partnership's change rarely
def _trie_pattern(keys: frozenset[tuple[str, ...]]) -> re.Pattern[str] | None:
    """One regular expression for every name, shaped as a character trie so matching stays linear.

    Words inside a name may be joined by spaces, hyphens or apostrophes in the text
    ("J-Dog", "J Dog"); the greedy trie tries the longest name first. A name must stand
    alone: not inside a word, a handle ("deano.xo", "@deano") or an e-mail address.
    """
    trie: dict = {}
    for key in sorted(keys):
        node = trie
        for char in " ".join(key):
            node = node.setdefault(char, {})
        node[""] = {}
    if not trie:
        return None

    def build(node: dict) -> str:
        alternatives = [(_JOINER.pattern if char == " " else re.escape(char)) + build(child)
                        for char, child in sorted(node.items()) if char]
        if not alternatives:
            return ""
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        return f"(?:{body})?" if "" in node else body

    return re.compile(rf"(?<![\w@])(?<!\w\.)(?:{build(trie)})(?![\w@])(?!\.\w)", re.IGNORECASE)


# --- putting it together -----------------------------------------------------------------------------------------

def _resolve_overlaps(candidates: list[Extracted]) -> list[Extracted]:
    """Keep the longest of overlapping suggestions, then the most specific type, then the earliest."""
    order = sorted(candidates, key=lambda e: (-(e.span[1] - e.span[0]), _SPECIFICITY[e.type],
                                              0 if e.detail.get("platform") else 1, e.span[0]))
    starts: list[int] = []  # kept spans, sorted and disjoint, so each check looks only at its neighbours
    ends: list[int] = []
    kept: list[Extracted] = []
    for item in order:
        start, end = item.span
        index = bisect.bisect_right(starts, start)
        if index > 0 and ends[index - 1] > start:
            continue
        if index < len(starts) and starts[index] < end:
            continue
        starts.insert(index, start)
        ends.insert(index, end)
        kept.append(item)
    return sorted(kept, key=lambda e: (e.span[0], e.span[1]))


def extract(text: str, gazetteer: Gazetteer | None = None, *, today: date | None = None) -> list[Extracted]:
    """Every entity mention found in ``text``, in order, without overlaps.

    ``today`` decides which current-format registration age identifiers exist yet (see
    normalise_vehicle); pass it for reproducible results.
    """
    if not text:
        return []
    today = today or date.today()
    candidates: list[Extracted] = []
    candidates.extend(_find_emails(text))
    candidates.extend(_find_phones(text))
    candidates.extend(_find_postcodes(text))
    candidates.extend(_find_vehicles(text, today))
    candidates.extend(_find_handles(text))
    if gazetteer is not None:
        candidates.extend(gazetteer.find(text))
    return _resolve_overlaps(candidates)
