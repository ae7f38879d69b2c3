"""Every linkage URL, as every persona, with the statuses the policy promises — written by hand.

Linkage is partnership-wide work: coordinators (erin; oscar in another partnership) and analysts (frank) see
imports, the review queue and merge history; every other role gets 403 on every linkage page. Deciding a pair
and undoing a merge is for coordinators only (frank: 403 on those POSTs). Another partnership's imports, pairs,
merges and people answer 404, exactly like ids that do not exist (IDOR attempts). A merged person's old address
leads on to the survivor for whoever can see the survivor, and is a 404 for everyone else.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import PERSONAS, make_person
from tests.linkage.inproduct import csv_bytes, import_rows, upload
from wrekin.linkage import actions
from wrekin.linkage.merges import merge_people
from wrekin.linkage.models import CandidateStatus, ExtractImport, ImportStatus, MatchCandidate, PersonMerge

pytestmark = pytest.mark.django_db

COVERED_URL_NAMES = {
    "linkage:imports",
    "linkage:upload",
    "linkage:import_detail",
    "linkage:import_progress",
    "linkage:mapping",
    "linkage:preview",
    "linkage:run",
    "linkage:discard",
    "linkage:review_queue",
    "linkage:pair",
    "linkage:person_records",
    "linkage:merged_person",
    "linkage:merge",
}

EVERYONE = sorted(PERSONAS)
LINKAGE = {"erin", "frank", "oscar"}
OURS = {"erin", "frank"}
DECIDERS = {"erin", "oscar"}
# Who can see Daniel (recorded by the school): the merged "Danny Smyth" record leads them to him.
SEES_DANIEL = {"bob", "erin", "frank"}
SEES_ELSEWHERE = {"oscar"}

KAYLEY = ["C2", "Kayley", "Smyth", "2010-03-04", "F", "1 High Street", "TF1 2AB", ""]


def _mapped(actor, agency, rows):
    extract_import = upload(actor, agency, rows)
    return actions.save_mapping(actor=actor, import_id=extract_import.pk, id_column=extract_import.id_column,
                                mapping=extract_import.mapping)


@pytest.fixture
def world(personas, agencies, people):
    erin, oscar = personas["erin"], personas["oscar"]
    ours = import_rows(erin, agencies["csc"], [KAYLEY])
    theirs = import_rows(oscar, agencies["elsewhere"], [["E1", "Kayley", "Smyth", "2010-03-04", "F", "", "", ""]])
    danny = make_person(agencies["school"], given="Danny", family="Smyth", dob=date(2010, 3, 4))
    other = make_person(agencies["elsewhere"], given="Kay", family="Smith", dob=date(2010, 3, 4))
    return {
        "ours": ours, "theirs": theirs,
        "mapped": {"ours": _mapped(erin, agencies["police"], [KAYLEY]),
                   "theirs": _mapped(oscar, agencies["elsewhere"], [KAYLEY])},
        "to_run": {"ours": _mapped(erin, agencies["health"], [KAYLEY]),
                   "theirs": _mapped(oscar, agencies["elsewhere"], [KAYLEY])},
        "to_discard": {"ours": _mapped(erin, agencies["school"], [KAYLEY]),
                       "theirs": _mapped(oscar, agencies["elsewhere"], [KAYLEY])},
        "pair": {"ours": MatchCandidate.objects.get(extract_import=ours),
                 "theirs": MatchCandidate.objects.get(extract_import=theirs)},
        "merge": {"ours": merge_people(actor=erin, survivor_id=people["daniel"].pk, merged_id=danny.pk,
                                       reason="Same boy"),
                  "theirs": merge_people(actor=oscar, survivor_id=people["elsewhere"].pk, merged_id=other.pk,
                                         reason="Same girl")},
        "person": {"ours": people["kayleigh"], "theirs": people["elsewhere"]},
        "merged": {"ours": danny, "theirs": other},
    }


def _record(username: str, side: str) -> int:
    """A page about one linkage record: 403 outside linkage, 200 in its partnership, 404 outside it."""
    if username not in LINKAGE:
        return 403
    own = OURS if side == "ours" else {"oscar"}
    return 200 if username in own else 404


def _decide(username: str, side: str) -> int:
    status = _record(username, side)
    if status == 200 and username not in DECIDERS:
        return 403
    return 302 if status == 200 else status


def _redirect_if_ok(status: int) -> int:
    return 302 if status == 200 else status


def _get_cases(world):
    cases = [
        ("linkage:imports", {}, {}, lambda u: 200 if u in LINKAGE else 403),
        ("linkage:upload", {}, {}, lambda u: 200 if u in LINKAGE else 403),
        ("linkage:review_queue", {}, {}, lambda u: 200 if u in LINKAGE else 403),
    ]
    for side in ("ours", "theirs"):
        def status(username, s=side):
            return _record(username, s)

        cases += [
            ("linkage:import_detail", {"pk": world[side].pk}, {}, status),
            ("linkage:import_progress", {"pk": world[side].pk}, {"HTTP_HX_REQUEST": "true"}, status),
            # Without htmx the progress address sends the reader to the full page.
            ("linkage:import_progress", {"pk": world[side].pk}, {}, lambda u, s=side: _redirect_if_ok(_record(u, s))),
            ("linkage:mapping", {"pk": world["mapped"][side].pk}, {}, status),
            ("linkage:preview", {"pk": world["mapped"][side].pk}, {}, status),
            ("linkage:pair", {"pk": world["pair"][side].pk}, {}, status),
            ("linkage:person_records", {"pk": world["person"][side].pk}, {}, status),
            ("linkage:merge", {"pk": world["merge"][side].pk}, {}, status),
        ]
    cases += [
        ("linkage:merged_person", {"pk": world["merged"]["ours"].pk}, {},
         lambda u: 302 if u in SEES_DANIEL else 404),
        ("linkage:merged_person", {"pk": world["merged"]["theirs"].pk}, {},
         lambda u: 302 if u in SEES_ELSEWHERE else 404),
    ]
    return cases


def _post_cases(world):
    cases = [
        ("linkage:upload", {}, lambda: {"agency": "", "person_kind": "child",
                                        "extract": SimpleUploadedFile("x.csv", csv_bytes([KAYLEY]))},
         lambda u: 200 if u in LINKAGE else 403),  # no agency chosen: the form comes back with the error
    ]
    for side in ("ours", "theirs"):
        cases += [
            ("linkage:mapping", {"pk": world["mapped"][side].pk},
             lambda: {"id_column": "PersonID", "given_name": "Forename", "family_name": "Surname"},
             lambda u, s=side: _redirect_if_ok(_record(u, s))),
            ("linkage:run", {"pk": world["to_run"][side].pk}, dict, lambda u, s=side: _redirect_if_ok(_record(u, s))),
            ("linkage:discard", {"pk": world["to_discard"][side].pk}, dict,
             lambda u, s=side: _redirect_if_ok(_record(u, s))),
            ("linkage:pair", {"pk": world["pair"][side].pk},
             lambda: {"decision": "different", "reason": "School confirmed two girls"},
             lambda u, s=side: _decide(u, s)),
            ("linkage:merge", {"pk": world["merge"][side].pk}, lambda: {"reason": "Two boys"},
             lambda u, s=side: _decide(u, s)),
        ]
    return cases


def test_every_url_of_the_app_is_covered(world):
    from django.urls import get_resolver

    resolver = get_resolver()
    names = {f"linkage:{name}" for name in resolver.namespace_dict["linkage"][1].reverse_dict
             if isinstance(name, str)}
    assert names == COVERED_URL_NAMES
    tried = {name for name, *_ in _get_cases(world)} | {name for name, *_ in _post_cases(world)}
    assert tried == COVERED_URL_NAMES


@pytest.mark.parametrize("username", EVERYONE)
def test_matrix(username, client_for, world):
    client = client_for(username)
    failures = []
    for name, kwargs, headers, expected in _get_cases(world):
        response = client.get(reverse(name, kwargs=kwargs), **headers)
        if response.status_code != expected(username):
            failures.append(f"GET {name} {kwargs}: got {response.status_code}, expected {expected(username)}")
    for name, kwargs, data, expected in _post_cases(world):
        response = client.post(reverse(name, kwargs=kwargs), data())
        if response.status_code != expected(username):
            failures.append(f"POST {name} {kwargs}: got {response.status_code}, expected {expected(username)}")
    assert not failures, f"{username}:\n" + "\n".join(failures)


@pytest.mark.parametrize("username", ["frank", "oscar", "alice", "dana", "heidi", "ivan", "nina"])
def test_refused_posts_change_nothing(username, client_for, world):
    client = client_for(username)
    for name, kwargs, data, expected in _post_cases(world):
        if expected(username) in (403, 404):
            client.post(reverse(name, kwargs=kwargs), data())
    pair, merge = world["pair"]["ours"], world["merge"]["ours"]
    pair.refresh_from_db()
    merge.refresh_from_db()
    assert pair.status == CandidateStatus.PENDING and merge.is_active
    if username not in OURS:
        assert ExtractImport.objects.get(pk=world["to_run"]["ours"].pk).status == ImportStatus.MAPPED
        assert ExtractImport.objects.get(pk=world["to_discard"]["ours"].pk).content is not None


def test_anonymous_and_password_only_reach_nothing(client, personas, world):
    for name, kwargs, headers, _ in _get_cases(world):
        response = client.get(reverse(name, kwargs=kwargs), **headers)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login")), name
    client.force_login(personas["erin"])  # password passed, no second factor yet
    for name, kwargs, headers, _ in _get_cases(world):
        response = client.get(reverse(name, kwargs=kwargs), **headers)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:mfa")), name


@pytest.mark.parametrize("name, key", [("linkage:pair", "pair"), ("linkage:merge", "merge"),
                                       ("linkage:import_detail", None), ("linkage:person_records", "person")])
def test_unknown_id_and_forbidden_id_look_the_same(client_for, world, name, key):
    client = client_for("oscar")
    pk = (world[key]["ours"] if key else world["ours"]).pk
    forbidden = client.get(reverse(name, kwargs={"pk": pk}))
    absent = client.get(reverse(name, kwargs={"pk": 987654321}))
    assert forbidden.status_code == absent.status_code == 404
    token = re.compile(rb'(name="csrfmiddlewaretoken" value|nonce)="[^"]+"')
    assert token.sub(b"", forbidden.content) == token.sub(b"", absent.content)


def test_lists_show_only_the_partnerships_own(client_for, world):
    erin = client_for("erin").get(reverse("linkage:review_queue")).context
    assert [pair.pk for pair in erin["pairs"]] == [world["pair"]["ours"].pk]
    assert [merge.pk for merge in erin["recent_merges"]] == [world["merge"]["ours"].pk]
    oscar = client_for("oscar").get(reverse("linkage:imports")).context
    assert {item.pk for item in oscar["imports"]} == {world["theirs"].pk, world["mapped"]["theirs"].pk,
                                                      world["to_run"]["theirs"].pk, world["to_discard"]["theirs"].pk}
    assert PersonMerge.objects.count() == 2


def test_lists_never_load_the_held_files(personas, world):
    """An extract may be 20 MB: the list of imports must not read fifty of them."""
    from wrekin.access.linkage import imports_visible_to

    listed = list(imports_visible_to(personas["erin"]))
    assert listed and all("content" in item.get_deferred_fields() for item in listed)
    mapped = next(item for item in listed if item.pk == world["mapped"]["ours"].pk)
    assert mapped.has_file and not next(item for item in listed if item.pk == world["ours"].pk).has_file
