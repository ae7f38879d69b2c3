"""People: one person's summary, and search (a POST, so names never appear in URLs or logs)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from ninja import Router, Schema
from pydantic import Field, field_validator

from wrekin.access.policy import can_see_case_content, get_person_for_user, people_visible_to
from wrekin.api.auth import scoped
from wrekin.api.schemas import AUTH_RESPONSES, BODY_RESPONSES, PersonSummary, Problem
from wrekin.api.types import PathId, StrictIn
from wrekin.audit.actions import record_event
from wrekin.people.search import partnership_id_of, search_people

router = Router(tags=["people"])

SEARCH_LIMIT = 25


class PersonSearch(StrictIn):
    q: str = Field(min_length=1, max_length=200,
                   description="Name, and date of birth or age if known, e.g. 'Danny Smith 2010'")

    @field_validator("q")
    @classmethod
    def _has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("Enter a name to search for")
        return value.strip()


class PersonMatchOut(Schema):
    person: PersonSummary
    score: float = Field(description="How closely the person matches, 0 to 1: the match probability of the "
                                     "partnership's trained linkage model when one is installed (the first reason "
                                     "then says so), otherwise the search's name and birth score")
    reasons: list[str] = Field(description="Which fields agreed, e.g. 'same date of birth' (with a model: each "
                                           "field compared and the weight of evidence it added)")


class PersonSearchResults(Schema):
    count: int
    results: list[PersonMatchOut]


@router.get("/people/{int:person_id}", **scoped("people:read"), url_name="person",
            response={200: PersonSummary, 404: Problem, 422: Problem, **AUTH_RESPONSES},
            summary="A person's summary")
def person(request, person_id: PathId):
    """Who the person is and which agencies know them. Scope `people:read`; audited as `person.viewed`."""
    with transaction.atomic():
        found = get_person_for_user(request.user, person_id)
        # Written before anything is returned: if the audit write fails, nothing is shown.
        record_event("person.viewed", actor=request.user, person=found, target=found, details={"via": "api"})
        return PersonSummary.of(found)


@router.post("/people/search", **scoped("people:read"), url_name="person_search",
             response={200: PersonSearchResults, **BODY_RESPONSES, **AUTH_RESPONSES},
             summary="Search for people")
def person_search(request, payload: PersonSearch):
    """Ranked matches among the people the token's user may see, each saying why it matched.

    Scope `people:read`. Audited as `person.searched` with the ids found; the query itself is not
    written to the trail.
    """
    if not can_see_case_content(request.user):
        raise PermissionDenied("Your role does not give access to case records.")
    with transaction.atomic():
        matches = search_people(people_visible_to(request.user), payload.q, limit=SEARCH_LIMIT,
                                partnership_id=partnership_id_of(request.user))
        record_event("person.searched", actor=request.user,
                     details={"via": "api", "results": len(matches),
                              "result_ids": [m.person.pk for m in matches]})
        return PersonSearchResults(
            count=len(matches),
            results=[PersonMatchOut(person=PersonSummary.of(m.person), score=m.score, reasons=m.reasons)
                     for m in matches],
        )
