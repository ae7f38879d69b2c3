"""An English working-day calendar: weekends and England and Wales bank holidays.

Statutory and local safeguarding clocks run in working days (a strategy discussion's
follow-up meeting within 5, an initial child protection conference within 15, an
assessment within 45). Bank holidays are computed, not typed in each year, so the
calendar never runs out: the fixed rules (with substitute days when a holiday falls at
a weekend), Easter from the Gregorian computus, and the one-off changes proclaimed
for national events. Local closures (a council's extra day at Christmas, say) come
from the WREKIN_EXTRA_HOLIDAYS environment variable as comma-separated ISO dates.

Reference: the published lists at gov.uk/bank-holidays (England and Wales).
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from functools import lru_cache

EXTRA_HOLIDAYS_ENV = "WREKIN_EXTRA_HOLIDAYS"

MONDAY, FRIDAY, SATURDAY, SUNDAY = 0, 4, 5, 6

# Regular holidays moved by proclamation: (year, regular name) -> the day it moved to.
_MOVED: dict[tuple[int, str], date] = {
    (1995, "Early May bank holiday"): date(1995, 5, 8),  # 50th anniversary of VE Day
    (2002, "Spring bank holiday"): date(2002, 6, 4),  # Golden Jubilee
    (2012, "Spring bank holiday"): date(2012, 6, 4),  # Diamond Jubilee
    (2020, "Early May bank holiday"): date(2020, 5, 8),  # 75th anniversary of VE Day
    (2022, "Spring bank holiday"): date(2022, 6, 2),  # Platinum Jubilee
}

# Extra days granted once.
_ONE_OFF: dict[date, str] = {
    date(1999, 12, 31): "Millennium celebrations",
    date(2002, 6, 3): "Golden Jubilee bank holiday",
    date(2011, 4, 29): "Royal wedding",
    date(2012, 6, 5): "Diamond Jubilee bank holiday",
    date(2022, 6, 3): "Platinum Jubilee bank holiday",
    date(2022, 9, 19): "Bank holiday for the State Funeral of Queen Elizabeth II",
    date(2023, 5, 8): "Bank holiday for the coronation of King Charles III",
}


def easter_sunday(year: int) -> date:
    """Easter Day in the Gregorian calendar (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _first_weekday(year: int, month: int, weekday: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7)


def _last_weekday(year: int, month: int, weekday: int) -> date:
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last = next_month - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def _next_weekday(day: date) -> date:
    while day.weekday() >= SATURDAY:
        day += timedelta(days=1)
    return day


@lru_cache(maxsize=256)
def _bank_holidays(year: int) -> tuple[tuple[date, str], ...]:
    days: dict[date, str] = {}

    # New Year's Day, or the Monday after when it falls at a weekend.
    new_year = date(year, 1, 1)
    days[_next_weekday(new_year)] = "New Year’s Day" + ("" if new_year.weekday() < SATURDAY else " (substitute day)")

    easter = easter_sunday(year)
    days[easter - timedelta(days=2)] = "Good Friday"
    days[easter + timedelta(days=1)] = "Easter Monday"

    regular = {
        "Early May bank holiday": _first_weekday(year, 5, MONDAY),
        "Spring bank holiday": _last_weekday(year, 5, MONDAY),
        "Summer bank holiday": _last_weekday(year, 8, MONDAY),
    }
    for name, day in regular.items():
        days[_MOVED.get((year, name), day)] = name

    # Christmas Day and Boxing Day: a day lost to a weekend is given back on the next free weekday.
    christmas, boxing = date(year, 12, 25), date(year, 12, 26)
    for day, name in ((christmas, "Christmas Day"), (boxing, "Boxing Day")):
        if day.weekday() < SATURDAY:
            days[day] = name
    for day, name in ((christmas, "Christmas Day"), (boxing, "Boxing Day")):
        if day.weekday() >= SATURDAY:
            substitute = _next_weekday(day)
            while substitute in days:
                substitute = _next_weekday(substitute + timedelta(days=1))
            days[substitute] = f"{name} (substitute day)"

    for day, name in _ONE_OFF.items():
        if day.year == year:
            days[day] = name
    return tuple(sorted(days.items()))


@lru_cache(maxsize=256)
def _holiday_days(year: int) -> frozenset[date]:
    return frozenset(day for day, _ in _bank_holidays(year))


def bank_holidays(year: int) -> dict[date, str]:
    """England and Wales bank holidays in `year`: the weekdays people have off, with their names."""
    return dict(_bank_holidays(year))


@lru_cache(maxsize=8)
def _parse_extra(raw: str) -> frozenset[date]:
    days = set()
    for item in raw.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            days.add(date.fromisoformat(item))
        except ValueError:
            raise ValueError(f"{EXTRA_HOLIDAYS_ENV} holds {item!r}, which is not an ISO date (YYYY-MM-DD)") from None
    return frozenset(days)


def extra_holidays() -> frozenset[date]:
    """Local closures from WREKIN_EXTRA_HOLIDAYS, read each time so a change needs no restart of tests."""
    return _parse_extra(os.environ.get(EXTRA_HOLIDAYS_ENV, ""))


def is_working_day(day: date) -> bool:
    if day.weekday() >= SATURDAY:
        return False
    return day not in _holiday_days(day.year) and day not in extra_holidays()


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start` (the start day itself is day 0 and never counts).

    With n = 0 the answer is `start` if it is a working day, else the next working day,
    so the result is always a working day and never moves backwards as n grows.
    """
    if n < 0:
        raise ValueError("n must be zero or more working days")
    day = start
    if n == 0:
        while not is_working_day(day):
            day += timedelta(days=1)
        return day
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; negative when `end` is before `start`.

    "3 working days left" on a clock is working_days_between(today, due).
    """
    if end == start:
        return 0
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return sign * count
