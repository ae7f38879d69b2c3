"""Search before create with the partnership's trained linkage model installed.

The candidates are still the people the access policy lets the user see, narrowed by the indexed keys; the model
only scores them, and every match says the model's probability and which fields agreed or disagreed. Without a
model (or with another partnership's only) the search's own rules score, as before.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from tests.conftest import make_person
from tests.linkage.inproduct import MODEL_PATH, trained_model_fixture  # noqa: F401
from wrekin.access.policy import people_visible_to
from wrekin.api.routers.referrals import ChildIn, find_child
from wrekin.linkage import actions as linkage_actions
from wrekin.people.search import partnership_id_of, search_people

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 29)


@pytest.fixture
def smyth(agencies):
    """Daniel Smyth, recorded by the school, with no "known as": only a nickname table links Danny to Daniel."""
    return make_person(agencies["school"], given="Daniel", family="Smyth", dob=date(2010, 3, 4), sex="M")


def _search(user, text: str, **kwargs):
    return search_people(people_visible_to(user), text, today=TODAY, partnership_id=partnership_id_of(user),
                         **kwargs)


def test_danny_smith_2010_finds_daniel_smyth_with_the_models_reasons(personas, smyth, trained_model):
    matches = _search(personas["bob"], "Danny Smith 2010")
    top = matches[0]
    assert top.person == smyth and top.scorer == "model"
    # The score is the model's match probability (0.878 with the committed model: names and a year only).
    assert 0.6 < top.score < 0.99
    assert top.reasons[0] == f"match probability {top.score:.1%} (the partnership's trained linkage model)"
    assert "given name: nickname or variant of the same name (+4.0)" in top.reasons
    assert any(reason.startswith("family name: ") for reason in top.reasons)
    assert "date of birth: same year, only the year known on one side (+4.9)" in top.reasons
    statuses = {item.field: item.status for item in top.agreement}
    assert statuses["first_name"] == "partial" and statuses["nhs_number"] == "missing"
    assert not any(reason.startswith("nhs number") for reason in top.reasons)  # nothing said, nothing claimed


def test_the_models_ranking_puts_the_full_match_first_and_explains_a_disagreement(personas, agencies, smyth,
                                                                                 trained_model):
    other = make_person(agencies["school"], given="Danny", family="Smith", dob=date(2012, 7, 1))
    matches = _search(personas["bob"], "Daniel Smyth 04/03/2010")
    assert matches[0].person == smyth and matches[0].score > 0.99
    assert matches[0].reasons[0].startswith("match probability more than 99.9%")  # never "100%": not certain
    assert other not in [m.person for m in matches[1:]] or matches[-1].person == other
    # Same names, another date in the same year: still shown, the evidence against it said with its sign.
    shown = _search(personas["bob"], "Daniel Smyth 12/11/2010")
    assert shown[0].person == smyth and shown[0].score < 0.6
    assert "date of birth: born within a year (\u22122.2)" in shown[0].reasons


def test_names_in_either_order_and_a_name_alone(personas, smyth, trained_model):
    assert _search(personas["bob"], "Smyth Daniel 2010")[0].person == smyth
    alone = _search(personas["bob"], "Smyth")
    assert alone and alone[0].person == smyth and alone[0].scorer == "model"


def test_a_person_outside_the_users_access_is_never_returned(personas, agencies, smyth, trained_model):
    # A better match than Daniel, known only to the police: Bob (school) must not get him, Alice (police) does.
    police_only = make_person(agencies["police"], given="Danny", family="Smith", dob=date(2010, 3, 4))
    elsewhere = make_person(agencies["elsewhere"], given="Danny", family="Smith", dob=date(2010, 3, 4))
    bobs = [m.person for m in _search(personas["bob"], "Danny Smith 04/03/2010")]
    assert smyth in bobs and police_only not in bobs and elsewhere not in bobs
    alices = [m.person for m in _search(personas["alice"], "Danny Smith 04/03/2010")]
    assert alices[0] == police_only and elsewhere not in alices and smyth not in alices
    # Another partnership's coordinator, with the shared model, finds only their own partnership's child.
    oscars = [m.person for m in _search(personas["oscar"], "Danny Smith 04/03/2010")]
    assert oscars == [elsewhere]


def test_without_a_model_the_search_rules_score(personas, smyth):
    top = _search(personas["bob"], "Danny Smith 2010")[0]
    assert top.person == smyth and top.scorer == "search" and top.agreement == []
    assert "“Danny” is a form of “Daniel”" in top.reasons


def test_another_partnerships_model_is_not_used(personas, agencies, smyth):
    linkage_actions.install_linkage_model(path=MODEL_PATH, name="elsewhere's model",
                                          partnership=agencies["elsewhere"].partnership)
    assert _search(personas["bob"], "Danny Smith 2010")[0].scorer == "search"
    assert _search(personas["oscar"], "Danny Smith 2010") == []  # nobody of theirs; nothing of ours


def test_the_floor_is_a_setting(personas, smyth, trained_model, settings):
    settings.WREKIN_SEARCH_MIN_PROBABILITY = 0.95
    assert _search(personas["bob"], "Danny Smith 2010") == []
    settings.WREKIN_SEARCH_MIN_PROBABILITY = "often"
    with pytest.raises(ValueError, match="WREKIN_SEARCH_MIN_PROBABILITY"):
        _search(personas["bob"], "Danny Smith 2010")


# --- Every search before create uses it ----------------------------------------------------------------------

def test_the_people_search_page_shows_the_models_probability_and_reasons(client_for, smyth, trained_model):
    page = client_for("bob").post(reverse("people:search"), {"q": "Danny Smith 2010"}).content.decode()
    assert "Daniel Smyth" in page and "Match probability 87.8% (the partnership&#x27;s trained linkage model)" in page
    assert "Given name: nickname or variant of the same name (+4.0)" in page
    assert "Ranked by the partnership's trained linkage model" in page


def test_recording_a_person_checks_with_the_model_first(client_for, smyth, trained_model):
    response = client_for("bob").post(reverse("people:create"), {
        "kind": "child", "given_name": "Danny", "family_name": "Smith", "date_of_birth": "04/03/2010",
        "summary": "Referred by the school",
    })
    assert response.status_code == 200
    matches = response.context["possible_matches"]
    assert [m.person for m in matches][:1] == [smyth] and matches[0].scorer == "model"


def test_the_referral_search_uses_the_model(client_for, smyth, trained_model):
    response = client_for("bob").post(reverse("referrals:start"), {"q": "Danny Smith 2010"})
    matches = response.context["matches"]
    assert matches[0].person == smyth and matches[0].scorer == "model"


def test_the_api_matches_a_child_only_at_the_automatic_link_probability(personas, smyth, trained_model):
    exact = find_child(personas["bob"], ChildIn(given_name="Daniel", family_name="Smyth",
                                                date_of_birth=date(2010, 3, 4), sex="M"))
    assert exact.outcome == "matched" and exact.person == smyth and exact.score >= 0.95
    assert exact.reasons[0].startswith("match probability")
    # "Danny" is a nickname, not a name recorded for him: a possible match for a person to check, never a link.
    nickname = find_child(personas["bob"], ChildIn(given_name="Danny", family_name="Smyth",
                                                   date_of_birth=date(2010, 3, 4)))
    assert nickname.outcome == "recorded" and nickname.possible == [smyth.pk]
    # Alice (police) cannot see him: nothing to match.
    assert find_child(personas["alice"], ChildIn(given_name="Daniel", family_name="Smyth",
                                                 date_of_birth=date(2010, 3, 4))).possible == []


def test_the_models_reasons_in_words():
    from wrekin.linkage.scoring import FieldAgreement
    from wrekin.people.search import model_reasons, percent

    agreement = [
        FieldAgreement(field="first_name", label="Given name", status="agreed", level="same first name", weight=6.3),
        FieldAgreement(field="family_name", label="Family name", status="disagreed", level="all other comparisons",
                       weight=-7.25),
        FieldAgreement(field="phone", label="Phone", status="missing", level="missing on one side or both", weight=0),
    ]
    assert model_reasons(0.0123, agreement, "the dates of birth are years apart") == [
        "match probability 1.2% (the partnership's trained linkage model)", "given name: same first name (+6.3)",
        "family name: different (\u22127.2)", "could not be one person: the dates of birth are years apart"]
    assert (percent(0.99951), percent(0.0004), percent(0.5)) == ("more than 99.9%", "less than 0.1%", "50.0%")
