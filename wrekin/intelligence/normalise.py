"""One canonical form for each thing a record can mention, so two records about the same car, phone or place meet.

Practitioners type what they were told: "ab12cde", "AB12 CDE", "the plate started AB12",
"07700 900123", "+44 7700 900123", "tf12ab". Linking records across agencies only
works if each of those reduces to the same key, and only if near misses (AB12 CDE and
AB12 CDF) stay apart. Every function here is pure and deterministic: same text in,
same key out, no database, no network.

Registration marks (DVLA formats, see docs/guide/extraction.md):

- current    AB12 CDE  (from September 2001). The two digits are the age identifier:
             the year for marks issued from 1 March ("25" = March 2025) and the year
             plus 50 from 1 September ("75" = September 2025). Identifiers that have
             never been issued (00, 01, 50) or are not issued yet on ``today`` are
             rejected, so "AB99 CDE" is not a plate in 2026. Letters I, Q and Z are
             never used in the memory tag (the first two letters) and I and Q never in
             the three random letters, so those are rejected too.
- prefix     A123 BCD  (1983-2001); the year letter is never I, O, Q, U or Z.
- suffix     ABC 123A  (1963-1983); the year letter likewise.
- dateless   1 ABC, ABC 1, ABC 123 (before 1963; now cherished marks).
- northern_ireland  ABZ 1234: the letters contain I or Z, which GB marks never use.
- partial    "AB12 ?", "AB12 C??", "starts AB12", "begins with AB12", "ends CDE": a
             witness saw part of a plate. Kept as a pattern so a later full mark that
             fits it can be linked.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date

import phonenumbers

from wrekin.people.identifiers import parse_postcode

# --- registration marks ------------------------------------------------------------------------------------------

VEHICLE_FORMATS = ("current", "prefix", "suffix", "dateless", "northern_ireland", "partial")

_YEAR_LETTERS = "ABCDEFGHJKLMNPRSTVWXY"  # prefix and suffix year letters: no I, O, Q, U or Z
_MEMORY_TAG_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXY"  # current format, first two letters: no I, Q or Z
_RANDOM_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXYZ"  # current format, last three letters: no I or Q

_CURRENT = re.compile(rf"([{_MEMORY_TAG_LETTERS}]{{2}})([0-9]{{2}})([{_RANDOM_LETTERS}]{{3}})")
_PREFIX = re.compile(rf"([{_YEAR_LETTERS}])([1-9][0-9]{{0,2}})([A-Z]{{3}})")
_SUFFIX = re.compile(rf"([A-Z]{{3}})([1-9][0-9]{{0,2}})([{_YEAR_LETTERS}])")
_LETTERS_THEN_DIGITS = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,3})")
_DIGITS_THEN_LETTERS = re.compile(r"([1-9][0-9]{0,3})([A-Z]{1,3})")

# Words people put before a plate ("reg AB12 CDE") and before part of one ("starts AB12").
_LEAD_WORDS = re.compile(
    r"^(?:(?:vehicle|car|registration|reg|vrm|index|number|plate|no\.|no|mark)(?:\s*[:\-]\s*|\s+)|[:\-]\s*)+",
    re.IGNORECASE)
_STARTS_WORDS = re.compile(
    r"^(?:partial(?:\s+(?:reg(?:istration)?|plate|vrm))?|part(?:\s+(?:reg(?:istration)?|plate|vrm))?|"
    r"first\s+part|(?:starting|started|starts|start|beginning|begins|begin|began)(?:\s+with)?)"
    r"\s*:?\s*", re.IGNORECASE)
_ENDS_WORDS = re.compile(r"^(?:ending|ended|ends|end)(?:\s+(?:with|in))?\s*:?\s*", re.IGNORECASE)
_UNKNOWN_TAIL = re.compile(r"\s*(?:\?|\*+|\.\.\.|…)\s*$")
_SEPARATORS = re.compile(r"[\s\-.]")
_MIN_KNOWN_CHARACTERS = 3  # "starts A" would match a sixth of all plates: too weak to link anything


@dataclass(frozen=True)
class VehicleMark:
    """A UK registration mark, full or partial, in one canonical form.

    ``normalised`` is the key records are matched on: upper case without spaces
    ("AB12CDE"). For a partial mark it uses ``?`` for one unknown character and ``*``
    for an unknown run ("AB12*", "AB12C??", "*CDE"). ``pattern`` is a SQL LIKE
    pattern over normalised marks ("AB12%", "AB12C__"); for a full mark it is the
    mark itself. ``regex`` gives the same as a Python regular expression.
    """

    normalised: str
    display: str
    format: str
    partial: bool
    pattern: str

    @property
    def regex(self) -> str:
        return _pattern_regex(self.normalised)

    def matches(self, normalised_full_mark: str) -> bool:
        """Whether a full mark (normalised) fits this mark: equal, or fits the partial pattern."""
        if not self.partial:
            return normalised_full_mark == self.normalised
        return re.fullmatch(self.regex, normalised_full_mark) is not None


def _pattern_regex(normalised: str) -> str:
    parts = []
    for char in normalised:
        if char == "?":
            parts.append("[A-Z0-9]")
        elif char == "*":
            parts.append("[A-Z0-9]*")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def _like_pattern(normalised: str) -> str:
    return normalised.replace("?", "_").replace("*", "%")


def _age_identifier_issued(identifier: int, today: date) -> bool:
    """Whether a current-format age identifier had been issued on ``today`` (02 = March 2002, 51 = Sept 2001)."""
    if 2 <= identifier <= 49:
        return date(2000 + identifier, 3, 1) <= today
    if 51 <= identifier <= 99:
        return date(2000 + identifier - 50, 9, 1) <= today
    return False  # 00, 01 and 50 were never issued


def _full_mark(compact: str, today: date) -> VehicleMark | None:
    if match := _CURRENT.fullmatch(compact):
        if not _age_identifier_issued(int(match.group(2)), today):
            return None
        return VehicleMark(compact, f"{match.group(1)}{match.group(2)} {match.group(3)}", "current", False, compact)
    if match := _PREFIX.fullmatch(compact):
        return VehicleMark(compact, f"{match.group(1)}{match.group(2)} {match.group(3)}", "prefix", False, compact)
    if match := _SUFFIX.fullmatch(compact):
        return VehicleMark(compact, f"{match.group(1)} {match.group(2)}{match.group(3)}", "suffix", False, compact)
    if match := _LETTERS_THEN_DIGITS.fullmatch(compact):
        letters, digits = match.groups()
        display = f"{letters} {digits}"
        if "I" in letters or "Z" in letters:
            return VehicleMark(compact, display, "northern_ireland", False, compact)
        if len(letters) == 3 and len(digits) == 4:
            return None  # three letters and four digits is a Northern Ireland shape, and these letters are not
        return VehicleMark(compact, display, "dateless", False, compact)
    if match := _DIGITS_THEN_LETTERS.fullmatch(compact):
        digits, letters = match.groups()
        if "I" in letters or "Z" in letters:
            return VehicleMark(compact, f"{digits} {letters}", "northern_ireland", False, compact)
        return VehicleMark(compact, f"{digits} {letters}", "dateless", False, compact)
    return None


def _partial_mark(normalised: str) -> VehicleMark | None:
    known = sum(1 for char in normalised if char.isalnum())
    if known < _MIN_KNOWN_CHARACTERS or not re.fullmatch(r"\*?[A-Z0-9?]+\*?", normalised):
        return None
    if normalised.startswith("*") and normalised.endswith("*"):
        return None  # "somewhere in the plate" cannot be placed: too weak to link
    if normalised.endswith("*") and not any(char.isdigit() for char in normalised):
        # "starts with the" is a word, not a plate; a start seen only as letters ("starts ABC")
        # fits too many suffix and dateless marks to link on.
        return None
    if normalised.endswith("*"):
        display = f"starts {normalised[:-1]}"
    elif normalised.startswith("*"):
        display = f"ends {normalised[1:]}"
    elif len(normalised) == 7:
        display = f"{normalised[:4]} {normalised[4:]}"  # the current format's shape: "AB12 C??"
    else:
        display = normalised
    return VehicleMark(normalised, display, "partial", True, _like_pattern(normalised))


def normalise_vehicle(text: str, *, today: date | None = None) -> VehicleMark | None:
    """The canonical mark for what a practitioner typed, or None if it cannot be a UK registration mark.

    Accepts lower case, spaces, hyphens and dots ("ab 12-cde"), a leading "reg" or
    "VRM", and partial marks ("AB12 ?", "AB12 C??", "starts AB12", "ends CDE").
    ``today`` decides which current-format age identifiers have been issued (default:
    the date now); pass it to keep results reproducible.
    """
    if not text:
        return None
    today = today or date.today()
    value = text.strip()
    direct = _SEPARATORS.sub("", value).upper()
    partial_markers = any(marker in value for marker in ("?", "*", "…", "..", "_"))
    if not partial_markers and direct.isalnum() and (mark := _full_mark(direct, today)):
        return mark  # "NO54 HNU" is a plate before "no" is a word to strip
    value = _LEAD_WORDS.sub("", value).strip()
    starts = _STARTS_WORDS.match(value)
    ends = _ENDS_WORDS.match(value)
    open_head = open_tail = False
    if starts:
        value, open_tail = value[starts.end():], True
    elif ends:
        value, open_head = value[ends.end():], True
    # "AB12...", "AB12*", a "?" on its own ("AB12 ?") or straight after the first group ("AB12?")
    # means the rest is unknown; a "?" inside the last group stands for one character
    # ("AB12 CD?" lacks exactly one, "AB12 C??" two).
    if tail := _UNKNOWN_TAIL.search(value):
        marker, before = tail.group(0), value[:tail.start()]
        lone = marker[0].isspace() and marker.strip() == "?"
        first_group_only = marker.strip() == "?" and re.fullmatch(r"[A-Za-z0-9]{1,4}", before) is not None
        if not before.rstrip().endswith("?") and (marker.strip() != "?" or lone or first_group_only):
            value, open_tail = before, True
    compact = _SEPARATORS.sub("", value).upper().replace("_", "?")
    if not compact:
        return None
    if open_tail or open_head or "?" in compact or "*" in compact:
        normalised = ("*" if open_head else "") + compact + ("*" if open_tail else "")
        return _partial_mark(normalised)
    if not compact.isalnum():
        return None
    return _full_mark(compact, today)


def _patterns_overlap(first: str, second: str) -> bool:
    """Whether some full mark fits both patterns (``?`` one character, ``*`` any run).

    Walks the pair of patterns together, like running two small automata in
    lock step: a state is a position in each; ``*`` may be skipped or may absorb a
    character; two positions can consume the same character unless both are fixed and
    differ.
    """
    p, q = first, second
    seen: set[tuple[int, int]] = set()
    stack = [(0, 0)]
    while stack:
        i, j = stack.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(p) and j == len(q):
            return True
        if i < len(p) and p[i] == "*":
            stack.append((i + 1, j))
        if j < len(q) and q[j] == "*":
            stack.append((i, j + 1))
        if i < len(p) and j < len(q):
            a, b = p[i], q[j]
            if a in "?*" or b in "?*" or a == b:
                stack.append((i if a == "*" else i + 1, j if b == "*" else j + 1))
    return False


def vehicle_marks_compatible(a: VehicleMark, b: VehicleMark) -> bool:
    """Whether two marks could be the same vehicle.

    Full and full: identical after normalisation (AB12 CDE is never AB12 CDF).
    Partial and full: the full mark fits the partial pattern. Partial and partial:
    some full mark fits both.
    """
    if not a.partial and not b.partial:
        return a.normalised == b.normalised
    if a.partial and not b.partial:
        return a.matches(b.normalised)
    if b.partial and not a.partial:
        return b.matches(a.normalised)
    return _patterns_overlap(a.normalised, b.normalised)


# --- phones, postcodes, e-mail ------------------------------------------------------------------------------------

_MIN_PHONE_DIGITS = 7
_NOT_PHONE_CHARACTER = re.compile(r"[^0-9\s+\-.()]")
_PHONE_WORDS = re.compile(r"(?i)\b(?:tel|mob|mobile|phone|ext)\b\.?:?")


@functools.lru_cache(maxsize=4096)  # the same few numbers recur across a partnership's records
def normalise_phone(text: str, region: str = "GB") -> str | None:
    """E.164 ("+447700900123") for anything ``phonenumbers`` thinks is a possible number, else None.

    Possible, not valid: practitioners record numbers as given and fiction's Ofcom
    drama range (07700 900xxx) is possible but not valid. Validity is a hint for the
    reader, never a reason to drop a number that could link two records.
    """
    if not text:
        return None
    value = text.strip()
    if _NOT_PHONE_CHARACTER.search(_PHONE_WORDS.sub("", value)):
        return None  # vanity letters ("0800 FLOWERS"), words or a date's slashes: not a number someone gave
    if sum(char.isdigit() for char in value) < _MIN_PHONE_DIGITS:
        return None
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@functools.lru_cache(maxsize=4096)
def phone_is_valid(e164: str) -> bool:
    """Whether an E.164 number is in an allocated range: a hint shown beside it, never a filter."""
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return False


def normalise_postcode(text: str) -> str | None:
    """"TF1 2AB" for "tf12ab", "TF1  2AB" or " tf1 2ab ", or None.

    Uses the people app's parser, which matches the whole normalised string (the
    government's published regex anchors only its GIR 0AA branch), and then checks
    the area letters are a real postcode area.
    """
    if not text:
        return None
    postcode = parse_postcode(text.strip())
    if postcode is None or postcode == "GIR 0AA":
        return postcode
    return postcode if postcode_area(postcode) in POSTCODE_AREAS else None


# The 121 geographic postcode areas (Royal Mail), plus the Crown dependencies. The
# shape check alone accepts "Y10 2ND" (a school year and a set); no area "Y" exists.
_POSTCODE_AREAS_TEXT = """
AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E EC EH EN EX FK FY
G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE NG NN NP NR
NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA
WC WD WF WN WR WS WV YO ZE
"""
POSTCODE_AREAS = frozenset(_POSTCODE_AREAS_TEXT.split())


_AREA = re.compile(r"[A-Z]*")


def postcode_area(postcode: str) -> str:
    """The letters before the first digit: "TF" for "TF1 2AB", "B" for "B4 7DA"."""
    return _AREA.match(postcode).group(0)


_EMAIL = re.compile(r"[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
                    r"@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}")


def normalise_email(text: str) -> str | None:
    """The address in lower case, without "mailto:" or angle brackets, or None.

    Lower-casing the local part is technically lossy, but every mainstream provider
    treats it as case-insensitive and a practitioner's capitalisation is not evidence.
    """
    if not text:
        return None
    value = text.strip().strip("<>").strip()
    if value.lower().startswith("mailto:"):
        value = value[7:]
    value = value.rstrip(".,;:").lower()
    return value if _EMAIL.fullmatch(value) else None


# --- online handles -----------------------------------------------------------------------------------------------

PLATFORMS = ("snapchat", "instagram", "tiktok", "facebook", "whatsapp", "telegram", "x", "discord")

PLATFORM_ALIASES: dict[str, str] = {
    "snapchat": "snapchat", "snap": "snapchat", "sc": "snapchat",
    "instagram": "instagram", "insta": "instagram", "ig": "instagram",
    "tiktok": "tiktok", "tik tok": "tiktok", "tt": "tiktok",
    "facebook": "facebook", "fb": "facebook", "messenger": "facebook", "facebook messenger": "facebook",
    "whatsapp": "whatsapp", "whats app": "whatsapp", "wa": "whatsapp",
    "telegram": "telegram", "tg": "telegram",
    "x": "x", "twitter": "x", "x/twitter": "x", "twitter/x": "x",
    "discord": "discord",
}

# What a username can be made of. Deliberately looser than each platform's own rules:
# practitioners record what a child said ("her Facebook is lil_a01" even though Facebook
# has no underscores), and a handle dropped for being "invalid" can never link.
_HANDLE_CHARACTERS: dict[str, re.Pattern[str]] = {
    "discord": re.compile(r"[a-z0-9._-]{2,32}(?:#[0-9]{4})?"),
}
_ANY_HANDLE = re.compile(r"[a-z0-9._-]{1,50}")
_PROFILE_URL = re.compile(
    r"^(?:https?://)?(?:www\.|m\.)?(?:snapchat\.com/add/|instagram\.com/|tiktok\.com/@?|facebook\.com/|"
    r"t\.me/|x\.com/|twitter\.com/)", re.IGNORECASE)


def canonical_platform(name: str) -> str | None:
    """"snapchat" for "Snap", "SC" or "Snapchat"; "x" for "Twitter"; None when the platform is not known."""
    if not name:
        return None
    return PLATFORM_ALIASES.get(re.sub(r"\s+", " ", name.strip().lower()))


def normalise_handle(platform: str, handle: str) -> str | None:
    """The handle as the platform stores it: lower case, no "@", no profile-URL prefix; None if it cannot be one.

    WhatsApp identifies people by phone number, so a WhatsApp "handle" is the E.164
    number. An unknown or empty platform gets the generic rules.
    """
    if not handle:
        return None
    canonical = canonical_platform(platform) if platform else None
    value = _PROFILE_URL.sub("", handle.strip()).strip().strip("/").lstrip("@").strip().lower()
    value = value.split("?", 1)[0].rstrip(".,;:!)'\"")
    if canonical == "whatsapp":
        return normalise_phone(value)
    rule = _HANDLE_CHARACTERS.get(canonical or "", _ANY_HANDLE)
    return value if rule.fullmatch(value) else None
