"""Casework fixtures: an open case for Kayleigh, and a way to freeze today's date."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from wrekin.casework import actions


@pytest.fixture
def freeze_today(monkeypatch):
    """Freeze django.utils.timezone.now (and so localdate) at noon on a given day, London time.

    Only days before the real today are used, so signed-in test sessions never look expired.
    """

    def _freeze(day: date, at: time = time(12, 0)):
        moment = timezone.make_aware(datetime.combine(day, at))
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return _freeze


@pytest.fixture
def case(personas, people):
    """Kayleigh's case, opened by erin (coordinator) with dana (CSC manager) as lead."""
    return actions.open_case(actor=personas["erin"], person_id=people["kayleigh"].pk,
                             reason="Two missing episodes in March; seen getting into cars with older men.",
                             lead_professional_id=personas["dana"].pk, today=date(2026, 3, 2))
