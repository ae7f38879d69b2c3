"""Schemas shared by several routers, and the answer shapes every endpoint documents."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from ninja import Schema
from pydantic import Field

from wrekin.people.models import Person


class Problem(Schema):
    """Every refusal: a sentence for people, a code for programs, field errors for 422."""

    detail: str
    code: str
    errors: list[FieldError] | None = None
    required_scope: str | None = None
    request_id: str | None = None


class FieldError(Schema):
    loc: list[str | int] = Field(description='Where the fault is, e.g. ["body", "child", "date_of_birth"]')
    msg: str
    type: str


Problem.model_rebuild()


class KnownTo(Schema):
    agency: str
    involvement: str
    since: date


class PersonSummary(Schema):
    """Enough to recognise a person and see who knows them; the full record stays in Wrekin."""

    id: int
    kind: str
    given_name: str
    family_name: str
    known_as: str
    date_of_birth: date | None
    age: int | None = Field(description="Today, from the date of birth or the recorded approximate age")
    sex: str = Field(description="F, M, U, or empty when not recorded")
    known_to: list[KnownTo]

    @staticmethod
    def of(person: Person) -> PersonSummary:
        return PersonSummary(
            id=person.pk, kind=person.kind, given_name=person.given_name, family_name=person.family_name,
            known_as=person.known_as, date_of_birth=person.date_of_birth,
            age=person.age_on(timezone.localdate()), sex=person.sex,
            known_to=[
                KnownTo(agency=i.agency.name, involvement=i.kind, since=i.started_on)
                for i in person.involvements.select_related("agency").filter(ended_on__isnull=True)
            ],
        )


# Every endpoint that needs a token documents these.
AUTH_RESPONSES = {401: Problem, 403: Problem}
# And every endpoint that reads a JSON body: not JSON, too large, or invalid.
BODY_RESPONSES = {400: Problem, 413: Problem, 422: Problem}
