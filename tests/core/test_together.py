"""fetch_together: several kinds of row in one UNION query, each row read back under its part's own names."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.test.utils import CaptureQueriesContext

from wrekin.core.together import fetch_together
from wrekin.people.models import Involvement, Person, PersonAddress


def test_each_part_comes_back_under_its_own_names_with_its_own_types_in_one_query(people, agencies):
    kayleigh = people["kayleigh"]
    PersonAddress.objects.create(person=kayleigh, line1="4 Ercall Close", town="Wellington", postcode="TF1 2AB",
                                 valid_from=date(2025, 9, 1), recorded_by_agency=agencies["police"])
    with CaptureQueriesContext(connection) as captured:
        rows = fetch_together({
            # Only text and integers here, so the later parts' dates and times meet typed NULLs
            # (PostgreSQL would refuse two bare NULLs followed by a date).
            "person": (Person.objects.filter(pk=kayleigh.pk), ["pk", "given_name", "family_name"]),
            "named": (Person.objects.filter(pk=kayleigh.pk), {"name": "given_name", "has_address": Exists(
                PersonAddress.objects.filter(person=OuterRef("pk")))}),
            "involvement": (Involvement.objects.filter(person=kayleigh), ["pk", "started_on", "agency__name"]),
            "address": (PersonAddress.objects.filter(person=kayleigh), [
                "line1", "valid_from", "created_at", "recorded_by_agency_id"]),
        })
    assert len(captured.captured_queries) == 1
    assert rows["person"] == [{"pk": kayleigh.pk, "given_name": "Kayleigh", "family_name": "Smith"}]
    assert rows["named"] == [{"name": "Kayleigh", "has_address": True}]
    assert sorted(r["agency__name"] for r in rows["involvement"]) == ["Test Constabulary",
                                                                      "Wrekin Children's Services"]
    assert all(isinstance(r["started_on"], date) for r in rows["involvement"])
    [address] = rows["address"]
    assert address["line1"] == "4 Ercall Close" and address["valid_from"] == date(2025, 9, 1)
    assert isinstance(address["created_at"], datetime) and address["created_at"].tzinfo is not None
    assert address["recorded_by_agency_id"] == agencies["police"].pk


def test_parts_without_rows_are_empty_lists(people):
    rows = fetch_together({
        "nobody": (Person.objects.none(), ["pk", "given_name"]),
        "no_address": (PersonAddress.objects.filter(person=people["daniel"]), ["pk", "valid_from"]),
        "daniel": (Person.objects.filter(pk=people["daniel"].pk), ["given_name"]),
    })
    assert rows == {"nobody": [], "no_address": [], "daniel": [{"given_name": "Daniel"}]}
    assert fetch_together({}) == {}


def test_a_column_that_cannot_be_lined_up_is_refused(people):
    from wrekin.audit.models import AuditEvent

    with pytest.raises(TypeError, match="JSONField"):
        fetch_together({"events": (AuditEvent.objects.all(), ["details"])})
