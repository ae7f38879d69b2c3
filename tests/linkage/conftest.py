"""Fixtures for linkage: small extracts written to disk, and one shared trained run (training is the slow part)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from wrekin.linkage.evaluation import read_clusters
from wrekin.linkage.synthetic import generate_benchmark


def pytest_configure(config):
    # pyproject.toml runs pytest with --strict-markers; the lead may move this line there.
    config.addinivalue_line("markers", "spark: runs Splink on a local Spark session (Java; about a minute)")


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def run_link(*args: str) -> str:
    out = StringIO()
    call_command("link", *args, stdout=out)
    return out.getvalue()


# Crafted people appended to a generated background (so the model has enough data to train on):
# twins Olivia and Amelia Hartley (same family name, birthday and address) in both extracts, and a boy recorded
# as William by children's social care and as Bill by his GP.
TWINS_NHS = {"olivia": "9434765919", "amelia": "4010232137"}
CRAFTED_SOCIAL_CARE = [
    ["TW-A", "Olivia", "", "Hartley", "", "14/02/2013", "Female", "7 Severn Close", "Telford", "TF2 6PQ",
     "943 476 5919", ""],
    ["TW-B", "Amelia", "", "Hartley", "", "14/02/2013", "Female", "7 Severn Close", "Telford", "TF2 6PQ", "", ""],
    ["NK-1", "William", "", "Okonkwo", "", "09/07/2010", "Male", "33 Wharf Lane", "Madeley", "TF7 5DE", "", ""],
]
CRAFTED_HEALTH = [
    ["TWH-A", "OLIVIA", "HARTLEY", "", "20130214", "2", "7 Severn Close", "Telford", "TF2 6PQ", "", ""],
    ["TWH-B", "Amelia", "Hartley", "", "20130214", "2", "7 Severn Close", "Telford", "TF2 6PQ", "4010232137", ""],
    ["NKH-1", "Bill", "Okonkwo", "", "20100709", "1", "33 Wharf Lane", "Madeley", "TF7 5DE", "", ""],
]


@dataclass
class LinkedRun:
    directory: Path
    inputs: list[Path]
    out: Path
    model: Path
    output: str
    clusters: dict[tuple[str, str], str]
    id_args: list[str]
    map_args: list[str]


def _append_rows(path: Path, rows: list[list[str]]) -> None:
    with open(path, "a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


@pytest.fixture(scope="session")
def small_benchmark(tmp_path_factory):
    """About 1,000 generated records in four agency extracts, with ground truth."""
    return generate_benchmark(tmp_path_factory.mktemp("benchmark"), records=1000, seed=11)


@pytest.fixture(scope="session")
def linked_pair(tmp_path_factory, small_benchmark) -> LinkedRun:
    """`wrekin link` over social care + health (generated, plus the crafted twins and nickname pair), trained."""
    directory = tmp_path_factory.mktemp("linked")
    inputs = []
    for name, crafted in (("social_care", CRAFTED_SOCIAL_CARE), ("health", CRAFTED_HEALTH)):
        path = directory / f"{name}.csv"
        path.write_bytes((small_benchmark.directory / f"{name}.csv").read_bytes())
        _append_rows(path, crafted)
        inputs.append(path)
    id_args = ["--id", "social_care:PersonID", "--id", "health:patient_ref"]
    map_args = []
    for option in small_benchmark.map_options:
        if option.startswith(("social_care:", "health:")):
            map_args += ["--map", option]
    out = directory / "clusters.csv"
    output = run_link(*map(str, inputs), *id_args, *map_args, "--out", str(out))
    return LinkedRun(directory=directory, inputs=inputs, out=out, model=directory / "clusters.model.json",
                     output=output, clusters=read_clusters(out), id_args=id_args, map_args=map_args)
