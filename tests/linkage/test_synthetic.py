"""The synthetic benchmark: reproducible, readable with its own mapping, twins present, truth complete."""

import csv
from collections import defaultdict

from wrekin.linkage.extracts import parse_id_options, parse_mapping_options, read_extract
from wrekin.linkage.synthetic import generate_benchmark, read_truth


def test_same_seed_same_files_other_seed_other_files(tmp_path, small_benchmark):
    again = generate_benchmark(tmp_path / "again", records=1000, seed=11)
    for first, second in zip(small_benchmark.extracts, again.extracts, strict=True):
        assert first.read_bytes() == second.read_bytes()
    other = generate_benchmark(tmp_path / "other", records=1000, seed=12)
    assert other.extracts[0].read_bytes() != small_benchmark.extracts[0].read_bytes()


def test_extracts_read_with_the_benchmark_mapping_and_truth_covers_every_record(small_benchmark):
    sources = [path.stem for path in small_benchmark.extracts]
    maps = parse_mapping_options(small_benchmark.map_options, sources)
    ids = parse_id_options(small_benchmark.id_options, sources)
    truth = read_truth(small_benchmark.truth)
    total = 0
    for path in small_benchmark.extracts:
        extract = read_extract(path, id_column=ids[path.stem], mapping=maps.get(path.stem, {}))
        total += len(extract)
        assert all((path.stem, record_id) in truth for record_id in extract.columns["record_id"])
        assert {"given_name", "family_name", "date_of_birth"} <= set(extract.mapping)
    assert total == len(truth) == small_benchmark.records == 1000


def test_twins_and_cross_agency_people_are_present(small_benchmark):
    truth = read_truth(small_benchmark.truth)
    sources_of = defaultdict(set)
    for (source, _), person in truth.items():
        sources_of[person].add(source)
    assert sum(1 for sources in sources_of.values() if len(sources) >= 2) > 100
    assert small_benchmark.twins >= 10
    # twins: different people sharing family name, date of birth and address in the school extract
    with open(small_benchmark.directory / "school.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    by_household = defaultdict(set)
    for row in rows:
        key = (row["legal_surname"].lower(), row["dob"], row["address"].lower())
        by_household[key].add(truth[("school", row["pupil_id"])])
    assert any(len(people) >= 2 for people in by_household.values())
