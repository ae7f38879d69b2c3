"""Name normalisation and the search keys stored on every person.

The keys let the database find candidates quickly (an index lookup), then
`wrekin.people.search` scores those few candidates properly. Keys are
phonetic (Metaphone) so Smith/Smyth and Mohammed/Muhammad share one.
"""

from __future__ import annotations

import re
import unicodedata

import jellyfish

_NON_LETTERS = re.compile(r"[^a-z ]+")


def normalise_name(value: str) -> str:
    """Lower case, accents removed, apostrophes and hyphens dropped, spaces folded."""
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("'", "").replace("\u2019", "").replace("-", " ")
    return " ".join(_NON_LETTERS.sub(" ", text).split())


def name_key(value: str) -> str:
    """Phonetic key of a name (whole name, spaces removed), or '' for no name."""
    normalised = normalise_name(value).replace(" ", "")
    if not normalised:
        return ""
    return jellyfish.metaphone(normalised)[:12]
