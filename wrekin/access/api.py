"""Lookups the API needs on top of the access policy (404 for absent and forbidden alike)."""

from __future__ import annotations

from django.http import Http404

from wrekin.access.policy import get_person_for_user
from wrekin.people.models import Person, PersonKind


def get_child_for_user(user, pk) -> Person:
    """A child the user may see. Persons of concern are not children: the same 404 as for anyone unseen."""
    person = get_person_for_user(user, pk)
    if person.kind != PersonKind.CHILD:
        raise Http404("No child found")
    return person
