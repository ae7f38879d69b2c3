"""Input types that refuse what a lax parser would guess at.

Pydantic's lax mode turns 1700000000 into a date and "2026-03-01T21:00" into a
datetime in no time zone; a partner system that sends either has a bug we should
report, not a record we should guess. These types accept exactly one spelling
and say which, in words a developer at a council or police force can act on.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from django.utils import timezone
from ninja import Path, Schema
from pydantic import BeforeValidator, ConfigDict, Field, StrictBool, StrictInt, field_validator

__all__ = ["AwareDateTime", "BirthDate", "PastDate", "PathId", "RecordId", "StrictBool", "StrictIn"]

# Ids are 64-bit in the database: a larger number cannot name a record, and would overflow the query.
MAX_ID = 2**63 - 1
RecordId = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
# In a URL the id arrives as text; the route's int converter has already checked it is digits.
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Nothing Wrekin records happened before this; earlier years are typing slips (0201 for 2021), and
# the year 1 with a time zone ahead of UTC cannot even be stored.
EARLIEST_YEAR = 1900


def _iso_date(value):
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value.strip()):
        raise ValueError("Give the date as YYYY-MM-DD, for example 2026-03-04")
    try:
        parsed = date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value.strip()} is not a real date") from None
    if parsed.year < EARLIEST_YEAR:
        raise ValueError(f"The date is before {EARLIEST_YEAR}: check the year")
    return parsed


def _aware_datetime(value):
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("Give the date and time in ISO 8601 with a time zone, "
                             "for example 2026-03-04T21:30:00+00:00") from None
    else:
        raise ValueError("Give the date and time as a string, for example 2026-03-04T21:30:00+00:00")
    if timezone.is_naive(parsed):
        raise ValueError("Include the time zone, for example 2026-03-04T21:30:00Z or +01:00")
    if parsed.year < EARLIEST_YEAR:
        raise ValueError(f"The date is before {EARLIEST_YEAR}: check the year")
    return parsed


def _not_in_future(value: date) -> date:
    if value > timezone.localdate():
        raise ValueError("The date cannot be in the future")
    return value


def _sensible_birth_date(value: date) -> date:
    _not_in_future(value)
    if value.year < timezone.localdate().year - 120:
        raise ValueError("The date of birth is more than 120 years ago")
    return value


PastDate = Annotated[date, BeforeValidator(_not_in_future), BeforeValidator(_iso_date)]
BirthDate = Annotated[date, BeforeValidator(_sensible_birth_date), BeforeValidator(_iso_date)]
AwareDateTime = Annotated[datetime, BeforeValidator(_aware_datetime)]


def _storable(value: str) -> str:
    """Text the database can hold: PostgreSQL refuses NUL, and lone surrogates cannot be encoded."""
    if "\x00" in value:
        raise ValueError("Text cannot contain the NUL character (\\u0000)")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Text contains an unpaired surrogate: send valid Unicode") from None
    return value


class StrictIn(Schema):
    """Base of every request body: unknown fields and unstorable text are refused, not dropped or guessed."""

    # A misspelt field ("date_of_brith") would otherwise be dropped without a word.
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _text_is_storable(cls, value):
        if isinstance(value, str):
            return _storable(value)
        if isinstance(value, list):
            for item in value:
                if isinstance(item, str):
                    _storable(item)
        return value
