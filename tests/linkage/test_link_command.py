"""The `wrekin link` command-line contract."""

import csv
import json
from collections import Counter

import pytest
from django.core.management.base import CommandError

from wrekin.linkage.engine import DEFAULT_THRESHOLD
from wrekin.linkage.evaluation import read_clusters, score_against_truth
from wrekin.linkage.synthetic import read_truth

from .conftest import run_link, write_csv


def _rows(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _input_keys(path, source):
    with open(path, encoding="utf-8", newline="") as handle:
        return [(source, row[0]) for row in list(csv.reader(handle))[1:]]


def test_output_has_one_row_per_input_record_in_input_order(linked_pair):
    rows = _rows(linked_pair.out)
    assert rows[0] == ["source", "record_id", "cluster_id", "match_probability"]
    expected = _input_keys(linked_pair.inputs[0], "social_care") + _input_keys(linked_pair.inputs[1], "health")
    assert [(row[0], row[1]) for row in rows[1:]] == expected


def test_singletons_have_a_blank_probability_and_linked_records_their_best_link(linked_pair):
    rows = _rows(linked_pair.out)[1:]
    sizes = Counter(row[2] for row in rows)
    for _source, _record, cluster, probability in rows:
        if sizes[cluster] == 1:
            assert probability == ""
        else:
            assert DEFAULT_THRESHOLD <= float(probability) <= 1.0


def test_two_inputs_link_across_agencies(linked_pair, small_benchmark):
    truth = read_truth(small_benchmark.truth)
    clusters = linked_pair.clusters
    generated = {key: clusters[key] for key in truth if key in clusters}
    scores = score_against_truth(generated, {key: truth[key] for key in generated})
    assert scores.true_pairs > 50
    assert scores.precision > 0.97
    assert scores.recall > 0.85
    linked_across = {c for (s, _), c in clusters.items() if s == "social_care"} & \
        {c for (s, _), c in clusters.items() if s == "health"}
    assert len(linked_across) > 50


def test_twins_are_not_merged(linked_pair):
    clusters = linked_pair.clusters
    olivia = {clusters[("social_care", "TW-A")], clusters[("health", "TWH-A")]}
    amelia = {clusters[("social_care", "TW-B")], clusters[("health", "TWH-B")]}
    assert len(olivia) == 1, "Olivia's two records should be one person"
    assert len(amelia) == 1, "Amelia's two records should be one person"
    assert olivia != amelia, "twins must never be merged into one child"


def test_nickname_pair_is_linked(linked_pair):
    clusters = linked_pair.clusters
    assert clusters[("social_care", "NK-1")] == clusters[("health", "NKH-1")]


def test_progress_and_summary_are_printed(linked_pair):
    output = linked_pair.output
    assert "Reading" in output and "Training the model from the data" in output
    for label in ("records:", "pairs scored:", "clusters:", "time:", "model saved:"):
        assert label in output
    records = len(_rows(linked_pair.out)) - 1
    assert f"records:           {records:,}" in output


def test_model_is_saved_as_splink_json_and_reusable(linked_pair, tmp_path):
    model = json.loads(linked_pair.model.read_text())
    assert model["link_type"] == "link_and_dedupe"
    names = [c["output_column_name"] for c in model["comparisons"]]
    assert {"first_name", "family_name", "date_of_birth", "residence", "nhs_number"} <= set(names)
    assert "email" not in names  # neither input has emails: only existing columns are compared
    trained = {(c["output_column_name"], level["label_for_charts"]): level for c in model["comparisons"]
               for level in c["comparison_levels"]}
    for key in [("first_name", "same first name"), ("date_of_birth", "same date of birth"),
                ("nhs_number", "same NHS number"), ("residence", "same address and postcode")]:
        assert 0 < trained[key]["u_probability"] < trained[key]["m_probability"] <= 1

    out = tmp_path / "again.csv"
    output = run_link(*map(str, linked_pair.inputs), *linked_pair.id_args, *linked_pair.map_args,
                      "--model", str(linked_pair.model), "--out", str(out))
    assert "given with --model" in output
    assert "Training" not in output
    assert read_clusters(out) == linked_pair.clusters
    assert (tmp_path / "again.model.json").exists()


def test_one_input_deduplicates(small_benchmark, tmp_path):
    path = small_benchmark.directory / "health.csv"
    out = tmp_path / "health_clusters.csv"
    run_link(str(path), "--id", "patient_ref", "--map", "middle_names=other_names", "--map",
             "date_of_birth=birth_date", "--map", "sex=gender", "--map", "address=address_line",
             "--map", "phone=telephone", "--out", str(out))
    clusters = read_clusters(out)
    assert {source for source, _ in clusters} == {"health"}
    assert len(clusters) == len(_input_keys(path, "health"))
    model = json.loads((tmp_path / "health_clusters.model.json").read_text())
    assert model["link_type"] == "dedupe_only"
    truth = read_truth(small_benchmark.truth)
    scores = score_against_truth(clusters, {k: v for k, v in truth.items() if k[0] == "health"})
    assert scores.true_pairs > 0 and scores.precision > 0.9


def test_map_gives_a_field_from_a_differently_named_column(linked_pair, tmp_path):
    """The crafted twins again, but the social care file calls the date of birth 'Born'."""
    header = ["PersonID", "Forename", "MiddleNames", "Surname", "PreferredName", "Born", "Gender", "AddressLine1",
              "Town", "PostCode", "NHSNo", "UPN"]
    with open(linked_pair.inputs[0], encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    renamed = write_csv(tmp_path / "social_care.csv", header, rows)
    maps = [arg.replace("date_of_birth=DOB", "date_of_birth=Born") for arg in linked_pair.map_args]
    out = tmp_path / "renamed.csv"
    run_link(str(renamed), str(linked_pair.inputs[1]), *linked_pair.id_args, *maps, "--model",
             str(linked_pair.model), "--out", str(out))
    assert read_clusters(out) == linked_pair.clusters


def test_bad_file_stops_the_run_with_row_and_column(tmp_path, linked_pair):
    bad = write_csv(tmp_path / "police.csv", ["NominalRef", "FirstName", "Surname", "DateOfBirth"], [
        ["P1", "Jay", "Price", "2009-03-04"],
        ["P1", "Jay", "Price", "04/03/2009"],
        ["P3", "Jay", "Price", "09/2009"],
    ])
    out = tmp_path / "clusters.csv"
    with pytest.raises(CommandError) as caught:
        run_link(str(bad), "--id", "NominalRef", "--map", "given_name=FirstName", "--map", "family_name=Surname",
                 "--map", "date_of_birth=DateOfBirth", "--model", str(linked_pair.model), "--out", str(out))
    message = str(caught.value)
    assert "police.csv, row 3, column 'NominalRef': record id 'P1' is already used on row 2" in message
    assert "police.csv, row 4, column 'DateOfBirth': '09/2009' is not a date in a recognised format" in message
    assert "nothing was linked" in message
    assert not out.exists()


def test_faults_in_several_files_are_all_reported(tmp_path, linked_pair):
    latin = tmp_path / "school.csv"
    latin.write_bytes("id,given_name\nS1,Zo\xeb\n".encode("latin-1"))
    missing = write_csv(tmp_path / "gp.csv", ["ref", "given_name"], [["G1", "Ivy"]])
    with pytest.raises(CommandError) as caught:
        run_link(str(latin), str(missing), "--id", "id", "--model", str(linked_pair.model),
                 "--out", str(tmp_path / "c.csv"))
    message = str(caught.value)
    assert "school.csv" in message and "not UTF-8" in message
    assert "gp.csv, row 1, column 'id': there is no such column (the --id column)" in message


@pytest.mark.parametrize(("args", "message"), [
    (["--map", "forename=X"], "'forename' is not a linkage field"),
    (["--threshold", "1.5"], "strictly between 0 and 1"),
])
def test_bad_options_are_clear_errors(tmp_path, linked_pair, args, message):
    path = write_csv(tmp_path / "a.csv", ["id", "given_name", "family_name"], [["A1", "Ivy", "Cox"]])
    with pytest.raises(CommandError, match=message):
        run_link(str(path), "--id", "id", "--model", str(linked_pair.model), "--out", str(tmp_path / "o.csv"),
                 *args)


def test_inputs_with_the_same_name_are_refused(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = write_csv(tmp_path / "a" / "people.csv", ["id", "given_name"], [["1", "Ivy"]])
    second = write_csv(tmp_path / "b" / "people.csv", ["id", "given_name"], [["1", "Ivy"]])
    with pytest.raises(CommandError, match="same file name"):
        run_link(str(first), str(second), "--id", "id", "--out", str(tmp_path / "o.csv"))


def test_unreadable_model_is_a_clear_error(tmp_path):
    path = write_csv(tmp_path / "a.csv", ["id", "given_name"], [["A1", "Ivy"]])
    model = tmp_path / "model.json"
    model.write_text("{not json")
    with pytest.raises(CommandError, match="cannot read the model"):
        run_link(str(path), "--id", "id", "--model", str(model), "--out", str(tmp_path / "o.csv"))
