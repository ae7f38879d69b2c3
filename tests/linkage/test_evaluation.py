"""Pairwise precision and recall from cluster sizes."""

from wrekin.linkage.evaluation import pairwise_scores


def test_pairwise_scores_by_hand():
    # predicted clusters: {a,b,c} {d} ; truth: {a,b} {c,d}
    scores = pairwise_scores([("P1", "T1"), ("P1", "T1"), ("P1", "T2"), ("P2", "T2")])
    assert scores.predicted_pairs == 3  # ab ac bc
    assert scores.true_pairs == 2  # ab cd
    assert scores.true_positive_pairs == 1  # ab
    assert scores.precision == 1 / 3
    assert scores.recall == 1 / 2
    assert abs(scores.f1 - 0.4) < 1e-12


def test_one_giant_cluster_is_counted_without_enumerating_pairs():
    n = 200_000
    scores = pairwise_scores(("everyone", i // 2) for i in range(n))
    assert scores.predicted_pairs == n * (n - 1) // 2
    assert scores.true_positive_pairs == scores.true_pairs == n // 2
    assert scores.recall == 1.0


def test_all_singletons():
    scores = pairwise_scores((i, i) for i in range(10))
    assert (scores.precision, scores.recall) == (1.0, 1.0)
