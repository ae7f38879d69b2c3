"""Helpers for the entity, mention and link-alert tests: save "records" that mention things.

A record here is a source key ("tests.record", n): the link check only needs the source's type
and id, the child it is about and who recorded it. Times are fixed (the DAY below), and
`at(days)` moves through the weeks without sleeping.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from wrekin.intelligence.linking import record_mentions

TODAY = date(2026, 6, 1)
DAY = timezone.make_aware(datetime(2026, 5, 1, 10, 0))
_ids = itertools.count(1)


def at(days: float = 0) -> datetime:
    return DAY + timedelta(days=days)


@pytest.fixture
def save(personas):
    """save("alice", child, [("vehicle", "AB12 CDE")], days=3) -> the mentions recorded."""

    def _save(username, child, items=(), *, narrative="", days=0, source=None, **kwargs):
        structured = []
        for item in items:
            if isinstance(item, dict):
                structured.append(item)
            else:
                type_, value, *rest = item
                structured.append({"type": type_, "value": value, **(rest[0] if rest else {})})
        return record_mentions(actor=personas[username], source=source or ("tests.record", next(_ids)),
                               child=child, structured=structured, narrative=narrative, recorded_at=at(days),
                               today=TODAY, **kwargs)

    return _save
