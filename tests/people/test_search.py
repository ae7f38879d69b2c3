"""Search before create must find people however they were typed, and say why."""

from datetime import date

import pytest

from tests.conftest import make_person
from wrekin.people.models import Person
from wrekin.people.search import given_name_variants, parse_query, search_people

TODAY = date(2026, 11, 29)


def test_parse_query_separates_names_and_dates():
    q = parse_query("Danny Smith 2010", today=TODAY)
    assert q.names == ["danny", "smith"] and q.birth_year == 2010 and q.date_of_birth is None
    q = parse_query("Kayley Smyth 04/03/2010", today=TODAY)
    assert q.names == ["kayley", "smyth"] and q.date_of_birth == date(2010, 3, 4)
    q = parse_query("smith 4 March 2010", today=TODAY)
    assert q.date_of_birth == date(2010, 3, 4) and q.names == ["smith"]
    q = parse_query("Jay aged 15", today=TODAY)
    assert q.names == ["jay"] and q.age == 15 and q.birth_year == 2011
    q = parse_query("O'Brien-Hughes 2010-03-04", today=TODAY)
    assert q.names == ["obrien", "hughes"] and q.date_of_birth == date(2010, 3, 4)


def test_name_variants_cover_nicknames_and_local_spellings():
    assert "daniel" in given_name_variants("Danny")
    assert "muhammad" in given_name_variants("Mohammed")
    assert "kayley" in given_name_variants("Kayleigh")


@pytest.fixture
def smyth(agencies):
    return make_person(agencies["school"], given="Daniel", family="Smyth", dob=date(2010, 3, 4))


def _ids(matches):
    return [m.person.pk for m in matches]


def test_danny_smith_2010_finds_daniel_smyth(smyth):
    matches = search_people(Person.objects.all(), "Danny Smith 2010", today=TODAY)
    assert _ids(matches)[:1] == [smyth.pk]
    reasons = " ".join(matches[0].reasons)
    assert "Danny" in reasons and "sounds the same" in reasons and "born that year" in reasons


def test_swapped_day_and_month_still_match(smyth):
    matches = search_people(Person.objects.all(), "Daniel Smyth 03/04/2010", today=TODAY)
    assert _ids(matches) == [smyth.pk]
    assert "swapped" in " ".join(matches[0].reasons)


def test_family_name_first_is_found(smyth):
    assert _ids(search_people(Person.objects.all(), "Smyth Daniel", today=TODAY)) == [smyth.pk]


def test_missing_date_of_birth_does_not_hide_a_match(agencies):
    nodob = make_person(agencies["police"], given="Jayden", family="Price")
    matches = search_people(Person.objects.all(), "Jaden Price 2011", today=TODAY)
    assert _ids(matches) == [nodob.pk]
    assert "no date of birth recorded" in matches[0].reasons


def test_far_birth_year_and_other_names_do_not_match(smyth, agencies):
    make_person(agencies["police"], given="Daniel", family="Jones", dob=date(2010, 3, 4))
    assert search_people(Person.objects.all(), "Danny Smith 1985", today=TODAY) == []
    assert _ids(search_people(Person.objects.all(), "Daniel Smyth", today=TODAY)) == [smyth.pk]


def test_twin_ranks_below_the_named_child(agencies):
    ella = make_person(agencies["school"], given="Ella", family="Hughes", dob=date(2011, 6, 1))
    make_person(agencies["school"], given="Grace", family="Hughes", dob=date(2011, 6, 1))
    matches = search_people(Person.objects.all(), "Ella Hughes 01/06/2011", today=TODAY)
    # The twin may not appear at all; if she does, never first.
    assert _ids(matches)[0] == ella.pk
    assert all(m.person.given_name != "Grace" or m.score < matches[0].score for m in matches)


def test_alias_finds_the_person(people):
    matches = search_people(Person.objects.all(), "Mo Khan", today=TODAY)
    assert people["poc"].pk in _ids(matches)


def test_search_never_leaves_the_queryset_it_is_given(people):
    only_school = Person.objects.filter(recorded_by_agency__code="TEST-SCHOOL")
    results = search_people(only_school, "Kayleigh Smith 2010", today=TODAY)
    assert people["kayleigh"].pk not in _ids(results)


def test_empty_or_date_only_query_finds_nothing(people):
    assert search_people(Person.objects.all(), "   ", today=TODAY) == []
    assert search_people(Person.objects.all(), "2010", today=TODAY) == []
