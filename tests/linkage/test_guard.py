"""The conflict guard: records that cannot be one person are never left in one cluster."""

import pyarrow as pa
import pytest

from wrekin.linkage.engine import _constrained_components, _guard_clusters, _RecordView
from wrekin.linkage.extracts import Extract


def _extract(rows: list[dict], source: str = "test") -> Extract:
    fields = ["record_id", "given_name", "middle_names", "known_as", "sex", "date_of_birth", "nhs_number",
              "nhs_number_valid", "upn", "upn_valid"]
    columns = {name: [row.get(name) for row in rows] for name in fields}
    return Extract(source=source, path=None, columns=columns, mapping={name: name for name in fields[:7]})


def _view(*rows: dict) -> _RecordView:
    return _RecordView([_extract([{"record_id": str(i), **row} for i, row in enumerate(rows)])])


@pytest.mark.parametrize(("left", "right", "conflict"), [
    ({"given_name": "olivia"}, {"given_name": "amelia"}, True),  # twins
    ({"given_name": "william"}, {"given_name": "bill"}, False),  # nickname
    ({"given_name": "mohammed"}, {"given_name": "muhammad"}, False),  # variant spelling
    ({"given_name": "leo"}, {"given_name": "lwo"}, False),  # typo
    ({"given_name": "svott"}, {"given_name": "scoott"}, False),  # two typos of Scott: neither is a name
    ({"given_name": "muhamjad"}, {"given_name": "mohamed"}, False),  # a typo of a variant
    ({"given_name": "ella"}, {"given_name": "emma"}, True),  # two names, two letters apart: twins
    ({"given_name": "kieran"}, {"given_name": "kieron"}, False),
    ({"given_name": "j"}, {"given_name": "jayden"}, False),  # initial
    ({"given_name": "f"}, {"given_name": "grace"}, True),  # an initial that fits another name
    ({"given_name": "f"}, {"given_name": "grace", "middle_names": "freya"}, False),
    ({"given_name": "jane"}, {"given_name": "mary jane"}, False),  # goes by a second given name
    ({"given_name": "jay"}, {"given_name": "kyle", "known_as": "jay"}, False),
    ({"given_name": "alexander"}, {"given_name": "alexandra"}, False),  # too close to call on names alone...
    ({"given_name": "daniel", "sex": "M"}, {"given_name": "danielle", "sex": "F"}, True),  # ...unless sex says
    ({"given_name": "ivy", "nhs_number": "9434765919", "nhs_number_valid": True},
     {"given_name": "ivy", "nhs_number": "4010232137", "nhs_number_valid": True}, True),
    ({"given_name": "ivy", "nhs_number": "9434765919", "nhs_number_valid": True},
     {"given_name": "ivy", "nhs_number": "9434765918", "nhs_number_valid": False}, False),  # a typo
    ({"given_name": "dan", "date_of_birth": "1980-03-04"}, {"given_name": "dan", "date_of_birth": "2008-03-04"},
     True),  # father and son
    ({"given_name": "dan", "date_of_birth": "1998-03-04"}, {"given_name": "dan", "date_of_birth": "1989-03-04"},
     False),  # transposed digits
    ({}, {"given_name": "amelia"}, False),
])
def test_conflicts(left, right, conflict):
    view = _view(left, right)
    assert view.conflict(0, 1) is conflict
    assert view.conflict(1, 0) is conflict


def test_a_name_seen_often_is_a_name_not_a_typo():
    # Harvey is in no nickname table; once in the extracts it may be a typo of Harry, three times it is a name
    assert not _view({"given_name": "harry"}, {"given_name": "harvey"}).conflict(0, 1)
    view = _view({"given_name": "harry"}, {"given_name": "harvey"}, {"given_name": "harvey"}, {"given_name": "harvey"})
    assert view.conflict(0, 1)


def test_an_initial_record_joins_only_the_twin_it_fits_best():
    # 0 Olivia, 1 Amelia (twins), 2 "A. Hartley" (fits Amelia), 3 Olivia again
    uids = [0, 1, 2, 3]
    edges = [(0.99, 0, 1), (0.97, 1, 2), (0.96, 0, 2), (0.999, 0, 3), (0.98, 1, 3)]
    conflicts = {(0, 1), (1, 3)}
    parts = _constrained_components(uids, edges, lambda a, b: (min(a, b), max(a, b)) in conflicts)
    assert parts[0] == parts[3]
    assert parts[1] == parts[2]
    assert parts[0] != parts[1]


def test_guard_splits_a_merged_cluster_and_keeps_the_rest():
    extract = _extract([
        {"record_id": "a", "given_name": "olivia"}, {"record_id": "b", "given_name": "amelia"},
        {"record_id": "c", "given_name": "olivia"}, {"record_id": "d", "given_name": "leo"},
        {"record_id": "e", "given_name": "leo"},
    ])
    clusters = pa.table({"unique_id": [0, 1, 2, 3, 4], "cluster_id": ["x", "x", "x", "y", "y"]})
    edges = pa.table({"unique_id_l": [0, 0, 1, 3], "unique_id_r": [1, 2, 2, 4],
                      "match_probability": [0.97, 0.99, 0.96, 0.98]})
    assignment, probabilities, split = _guard_clusters([extract], clusters, edges)
    assert split == 1
    assert assignment[0] == assignment[2] != assignment[1]
    assert assignment[3] == assignment[4] == "y"
    assert probabilities == [0.99, None, 0.99, 0.98, 0.98]
