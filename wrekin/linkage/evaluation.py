"""Pairwise precision and recall of a clustering against ground truth, without enumerating pairs.

A clustering implies a link between every two records in one cluster. Counting pairs from cluster sizes
(n*(n-1)/2) keeps this exact and linear even when a bad run makes one cluster of 100,000 records.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PairwiseScores:
    true_positive_pairs: int
    predicted_pairs: int
    true_pairs: int

    @property
    def precision(self) -> float:
        return self.true_positive_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.true_positive_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise_scores(assignments: Iterable[tuple[Hashable, Hashable]]) -> PairwiseScores:
    """assignments: (predicted cluster, true entity) per record."""
    predicted: Counter = Counter()
    true: Counter = Counter()
    both: Counter = Counter()
    for cluster, entity in assignments:
        predicted[cluster] += 1
        true[entity] += 1
        both[(cluster, entity)] += 1
    return PairwiseScores(
        true_positive_pairs=sum(_pairs(n) for n in both.values()),
        predicted_pairs=sum(_pairs(n) for n in predicted.values()),
        true_pairs=sum(_pairs(n) for n in true.values()),
    )


def read_clusters(path: Path | str) -> dict[tuple[str, str], str]:
    """A `wrekin link` output: (source, record_id) -> cluster id."""
    with open(path, encoding="utf-8", newline="") as handle:
        return {(row["source"], row["record_id"]): row["cluster_id"] for row in csv.DictReader(handle)}


def score_against_truth(clusters: dict[tuple[str, str], Hashable],
                        truth: dict[tuple[str, str], Hashable]) -> PairwiseScores:
    missing = truth.keys() - clusters.keys()
    if missing:
        raise ValueError(f"{len(missing)} record(s) of the ground truth have no cluster, e.g. {next(iter(missing))}")
    return pairwise_scores((clusters[key], truth[key]) for key in truth)
