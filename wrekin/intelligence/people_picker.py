"""Choosing people on a form without listing everyone a user can see, and without JavaScript.

A coordinator can see every child in the partnership, so a drop-down of them all
would be thousands long. Forms that name people (a MACE agenda item, the children
a disruption protects) have a search box and a "Find" button instead: the page
posts, the people the user can see who match are offered as radios or check
boxes, and whatever was already chosen or typed stays on the page.

The candidates are always drawn from a queryset the access policy gives
(wrekin/access/mace.py `people_addable_by`, wrekin/access/disruption.py
`children_nameable_by`), so the choices themselves enforce it: an id the user
cannot see is not a valid choice. Searches are audited by the calling view (names in search text are
personal data, so the trail keeps the ids of the people offered, not the text).
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from wrekin.people.models import Person
from wrekin.people.search import search_people

FIND_BUTTON = "find"
SEARCH_LIMIT = 15


def _ids(values: Iterable) -> set[int]:
    ids = set()
    for value in values:
        try:
            ids.add(int(value))
        except (TypeError, ValueError):
            continue
    return ids


def candidate_people(allowed: QuerySet[Person], *, kinds: Iterable[str], query: str = "",
                     chosen: Iterable = ()) -> list[Person]:
    """People already chosen (if still allowed), then the best matches for `query`, all from `allowed`."""
    visible = allowed.filter(kind__in=list(kinds))
    chosen_people = list(visible.filter(pk__in=_ids(chosen)).select_related("recorded_by_agency"))
    seen = {person.pk for person in chosen_people}
    found = []
    if query.strip():
        for match in search_people(visible, query, limit=SEARCH_LIMIT):
            if match.person.pk not in seen:
                seen.add(match.person.pk)
                found.append(match.person)
    return chosen_people + found


def person_label(person: Person) -> str:
    """How a person is offered: enough to tell two Kayleigh Smiths apart, nothing more."""
    if person.date_of_birth:
        born = f"born {person.date_of_birth:%-d %B %Y}"
    elif person.approximate_age is not None:
        born = f"about {person.age_on(timezone.localdate())} years old"
    else:
        born = "age not known"
    return f"{person.full_name} — {person.get_kind_display().lower()}, {born} (recorded by " \
           f"{person.recorded_by_agency.name})"


def person_choices(people: Iterable[Person]) -> list[tuple[int, str]]:
    return [(person.pk, person_label(person)) for person in people]


class PersonSearchForm(forms.Form):
    """The search box beside a picker. Validated only when the Find button was pressed."""

    person_search = forms.CharField(
        label="Find a person by name", max_length=200, required=False,
        help_text="Name, and date of birth or age if known. Only people you can see are offered.",
    )

    def __init__(self, *args, label: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["person_search"].label = label

    def clean_person_search(self) -> str:
        value = self.cleaned_data["person_search"].strip()
        if not value:
            raise forms.ValidationError("Enter a name to search for")
        return value


def is_find(request) -> bool:
    return request.method == "POST" and FIND_BUTTON in request.POST


def form_initial_from_post(post, multi: Iterable[str] = ()) -> dict:
    """Everything typed, as initial values for an unbound form (a Find must not show validation errors)."""
    initial = {key: post.get(key) for key in post if key not in ("csrfmiddlewaretoken", FIND_BUTTON)}
    for key in multi:
        initial[key] = post.getlist(key)
    return initial
