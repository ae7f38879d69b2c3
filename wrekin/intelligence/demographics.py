"""The demographic fields every person of concern must have answered (Casey, 2025, rec. 4).

The national audit found suspects' ethnicity unrecorded in about two-thirds of
cases. So before any disruption is recorded against a person of concern, six
questions must have an answer. "Not known" is an answer — refused, not yet
obtained, nationality not known, sex not known, disability not known — because it
says someone asked. Blank is not: it means nobody asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from wrekin.people.models import Disability, Ethnicity, Person, Sex

NATIONALITY_NOT_KNOWN = "Not known"


@dataclass(frozen=True)
class DemographicField:
    code: str
    label: str
    answered: Q  # persons of concern with any answer, "not known" included
    not_known: Q  # of those, the ones answered "not known" (or refused)


FIELDS: tuple[DemographicField, ...] = (
    DemographicField("ethnicity", "Ethnicity (self-defined)", ~Q(ethnicity=""),
                     Q(ethnicity__in=[Ethnicity.REFU, Ethnicity.NOBT])),
    DemographicField("ethnicity_observed", "Ethnicity (observed)", ~Q(ethnicity_observed=""),
                     Q(ethnicity_observed__in=[Ethnicity.REFU, Ethnicity.NOBT])),
    DemographicField("nationality", "Nationality", ~Q(nationality=""),
                     Q(nationality__iexact=NATIONALITY_NOT_KNOWN)),
    DemographicField("sex", "Sex", ~Q(sex=""), Q(sex=Sex.UNKNOWN)),
    # Age has no "not known": an officer can always give an approximate age.
    DemographicField("age", "Age or date of birth",
                     Q(date_of_birth__isnull=False) | Q(approximate_age__isnull=False), Q(pk__in=[])),
    DemographicField("disability", "Disability", ~Q(disability=""), Q(disability=Disability.NOT_KNOWN)),
)


def _answered(person: Person, code: str) -> bool:
    if code == "age":
        return person.date_of_birth is not None or person.approximate_age is not None
    return bool(getattr(person, code))


def missing_demographics(person: Person) -> list[str]:
    """Labels of the questions nobody has answered for this person, in form order."""
    return [field.label for field in FIELDS if not _answered(person, field.code)]


def all_answered() -> Q:
    condition = Q()
    for field in FIELDS:
        condition &= field.answered
    return condition


@dataclass(frozen=True)
class FieldCompleteness:
    label: str
    answered: int
    not_known: int
    never_asked: int
    total: int

    @property
    def percent_answered(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0


def completeness(persons_of_concern: QuerySet[Person]) -> tuple[list[FieldCompleteness], int, int]:
    """Per field: how many answered (of which "not known"), how many never asked; and how many complete."""
    total = persons_of_concern.count()
    rows = []
    for field in FIELDS:
        answered = persons_of_concern.filter(field.answered).count()
        not_known = persons_of_concern.filter(field.answered & field.not_known).count()
        rows.append(FieldCompleteness(field.label, answered, not_known, total - answered, total))
    complete = persons_of_concern.filter(all_answered()).count()
    return rows, complete, total
