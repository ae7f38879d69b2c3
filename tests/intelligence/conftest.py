"""Disruption fixtures.

`poc` from tests/conftest.py (Mohammed Khan, recorded by police) has sex and an approximate
age but no ethnicity, nationality or disability: disruption cannot be recorded against him
until `complete_poc` answers the rest. Dates are fixed (Kayleigh, born 4 March 2010, was 15
on 10 January 2026 and 16 from 4 March 2026), and `today=` is passed where it matters.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import make_person
from wrekin.intelligence import actions
from wrekin.people.models import Person, PersonKind

BEFORE_SIXTEEN = date(2026, 1, 10)
AFTER_SIXTEEN = date(2026, 3, 10)
TODAY = date(2026, 6, 1)


@pytest.fixture
def complete_poc(people):
    poc = people["poc"]
    Person.objects.filter(pk=poc.pk).update(ethnicity="NOBT", ethnicity_observed="APKN", nationality="British",
                                            disability="not_known")
    poc.refresh_from_db()
    return poc


@pytest.fixture
def looked_after_child(agencies):
    """A 14-year-old in care, known to police and children's social care."""
    return make_person(agencies["police"], given="Tia", family="Morgan", dob=date(2011, 9, 1), sex="F",
                       looked_after=True, involve=[agencies["csc"]])


@pytest.fixture
def record(personas):
    def _record(username="alice", **fields):
        values = {"kind": "letter", "occurred_on": BEFORE_SIXTEEN, "status": "done", "today": TODAY, **fields}
        return actions.record_disruption(actor=personas[username], **values)

    return _record


@pytest.fixture
def other_poc(agencies):
    """A person of concern in another partnership."""
    return make_person(agencies["elsewhere"], given="Lee", family="Grant", kind=PersonKind.PERSON_OF_CONCERN)

# Entity, mention and link-alert fixtures (tests/intelligence/linkworld.py).
from tests.intelligence.linkworld import save  # noqa: E402, F401
