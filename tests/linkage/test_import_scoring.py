"""Real-time scoring (wrekin.linkage.scoring): a few blocked candidates, scored with the trained model when one is
installed, else with the people search's rules -- each pair explained field by field, with the twin guard's verdict.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import make_person
from tests.linkage.inproduct import trained_model_fixture  # noqa: F401
from wrekin.access.policy import people_visible_to
from wrekin.linkage import scoring
from wrekin.people.models import PersonAddress
from wrekin.people.search import candidate_people, parse_query

pytestmark = pytest.mark.django_db


@pytest.fixture
def twins(agencies):
    olivia = make_person(agencies["school"], given="Olivia", family="Hartley", dob=date(2013, 2, 14), sex="F")
    amelia = make_person(agencies["school"], given="Amelia", family="Hartley", dob=date(2013, 2, 14), sex="F")
    for child in (olivia, amelia):
        PersonAddress.objects.create(person=child, line1="7 Severn Close", postcode="TF2 6PQ",
                                     recorded_by_agency=agencies["school"])
    return olivia, amelia


def _search(user, text: str):
    """How the people search would call it: candidates by indexed keys, within what the user may see."""
    return candidate_people(people_visible_to(user), parse_query(text))


def test_score_with_model_ranks_and_explains_candidates(personas, people, twins, trained_model):
    olivia, amelia = twins
    query = {"given_name": "Olivia", "family_name": "Hartley", "date_of_birth": date(2013, 2, 14),
             "postcode": "tf2 6pq"}
    results = scoring.score_with_model(query, _search(personas["erin"], "Olivia Hartley 2013"))
    (best, probability, agreement), second = results[0], results[1]
    assert best == olivia and probability > 0.95 and not results[0].conflict
    fields = {item.field: item for item in agreement}
    assert fields["first_name"].status == "agreed" and fields["first_name"].weight > 0
    assert fields["residence"].level == "same postcode"
    # Her twin scores high on household fields; the guard says they are two people.
    assert second.person == amelia and "given names do not fit" in second.conflict
    assert {item.field: item.status for item in second.agreement}["first_name"] == "disagreed"


def test_without_a_model_the_search_scorer_is_used(personas, people):
    results = scoring.score_with_model({"given_name": "Kayley", "family_name": "Smyth", "date_of_birth": "2010-03-04"},
                                       _search(personas["erin"], "Kayley Smyth 2010"))
    kayleigh = people["kayleigh"]
    top = results[0]
    assert top.person == kayleigh and 0.6 < top.probability < 0.95 and top.match_weight is None
    assert {item.field: item.status for item in top.agreement}["date_of_birth"] == "agreed"


def test_a_shared_valid_nhs_number_counts_without_a_model(agencies):
    left = scoring.normalise_record({"given_name": "Jay", "family_name": "Clarke", "nhs_number": "943 476 5919"})
    right = scoring.normalise_record({"given_name": "Jayden", "family_name": "Clark", "nhs_number": "9434765919",
                                      "date_of_birth": "2009-11-20"})
    assert scoring.score_pairs([(left, right)])[0].probability >= 0.97
    other = scoring.normalise_record({"given_name": "Jayden", "family_name": "Clark", "nhs_number": "4010232137"})
    different = scoring.score_pairs([(left, other)])[0]
    assert different.conflict == "the records hold two different valid NHS numbers"


def test_scoring_pairs_in_one_batch_keeps_their_order(trained_model):
    kayleigh = scoring.normalise_record({"given_name": "Kayleigh", "family_name": "Smith",
                                         "date_of_birth": "04/03/2010"})
    pairs = [(kayleigh, scoring.normalise_record({"given_name": name, "family_name": "Smith",
                                                  "date_of_birth": "2010-03-04"}))
             for name in ("Kayleigh", "Zainab", "Kayley")]
    scores = scoring.score_pairs(pairs, model=trained_model)
    assert [score.scorer for score in scores] == ["model"] * 3
    assert scores[0].probability > scores[2].probability > scores[1].probability


def test_repeated_scoring_reuses_one_scratch_database_and_leaves_nothing_in_it(trained_model):
    left = scoring.normalise_record({"given_name": "Kayleigh", "family_name": "Smith", "date_of_birth": "2010-03-04"})
    right = scoring.normalise_record({"given_name": "Kayley", "family_name": "Smith", "date_of_birth": "2010-03-04"})
    first = scoring.score_pairs([(left, right)], model=trained_model)[0]
    api = scoring._scratch.api
    for _ in range(3):
        again = scoring.score_pairs([(left, right)], model=trained_model)[0]
        assert again.probability == pytest.approx(first.probability)
    assert scoring._scratch.api is api
    leftovers = api.duckdb_con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE starts_with(table_name, '__splink__')").fetchall()[0][0]
    assert leftovers == 0
    assert api._intermediate_table_cache.executed_queries == []


def test_a_scratch_database_opened_before_a_fork_is_not_used_after_it(trained_model, monkeypatch):
    pair = (scoring.normalise_record({"given_name": "Kayleigh", "family_name": "Smith"}),
            scoring.normalise_record({"given_name": "Kayleigh", "family_name": "Smith"}))
    scoring.score_pairs([pair], model=trained_model)
    before = scoring._scratch.api
    monkeypatch.setattr(scoring.os, "getpid", lambda: scoring._scratch.pid + 1)
    scoring.score_pairs([pair], model=trained_model)
    assert scoring._scratch.api is not before


def test_thresholds_come_from_the_environment(monkeypatch):
    assert scoring.thresholds() == (0.95, 0.6)
    monkeypatch.setenv("WREKIN_LINK_AUTO", "0.99")
    monkeypatch.setenv("WREKIN_LINK_REVIEW", "0.7")
    assert scoring.thresholds() == (0.99, 0.7)
    monkeypatch.setenv("WREKIN_LINK_REVIEW", "high")
    with pytest.raises(ValueError, match="WREKIN_LINK_REVIEW must be a probability"):
        scoring.thresholds()
    monkeypatch.setenv("WREKIN_LINK_REVIEW", "0.999")
    with pytest.raises(ValueError, match="must not be above"):
        scoring.thresholds()


def test_a_person_becomes_one_canonical_record(people, agencies):
    poc = people["poc"]  # approximate age only
    record = scoring.person_record(poc)
    assert record["given_name"] == "mohammed" and record["date_of_birth"] is None
    assert record["birth_year"] == poc.birth_year and record["dob_precision"] == "year"
    kayleigh = people["kayleigh"]
    PersonAddress.objects.create(person=kayleigh, line1="1 High St.", postcode="tf12ab", valid_to=date(2025, 1, 1),
                                 recorded_by_agency=agencies["police"])
    PersonAddress.objects.create(person=kayleigh, line1="9 Canal Side", postcode="TF3 4AA",
                                 recorded_by_agency=agencies["police"])
    record = scoring.person_record(kayleigh)
    assert (record["address"], record["postcode"], record["postcode_valid"]) == ("9 canal side", "TF3 4AA", True)
