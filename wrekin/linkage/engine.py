"""Run a linkage: extracts in, one cluster per person out.

Steps: features (Python, identical for every engine) -> Splink (train unless given a model, block, score)
-> Splink's connected components at a threshold -> the *conflict guard* -> clusters numbered in input order.

The conflict guard exists because the Fellegi-Sunter model adds up evidence field by field, and twins agree
on every household field (family name, date of birth, address, phone): their pair scores as a match even
though their given names differ. A false merge puts one child's history on another child's file, so inside
each cluster the guard looks for pairs of records that cannot be one person -- incompatible given names,
two different valid NHS numbers or UPNs, dates of birth years apart -- and if it finds one, it rebuilds that
cluster link by link, strongest first, never joining two groups that hold such a pair. A record that fits
either twin ("J Smith", same birthday) joins only the twin it scores higher with.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from wrekin.linkage import model as linkage_model
from wrekin.linkage.extracts import Extract
from wrekin.linkage.features import FEATURE_SOURCES, feature_columns, features_table, given_names_compatible
from wrekin.people.names import name_key

# Tuned on the synthetic benchmark (seed 1, 100,000 records): see docs/benchmarks.md. Lower thresholds add a
# little recall and double the false merges; pairs below it are for people to review, not for the machine.
DEFAULT_THRESHOLD = 0.9
ENGINES = ("duckdb", "spark")
# Above this many records, predict in chunks so DuckDB's working set stays bounded (TECH-NOTES: memory is
# the constraint on 2 cores).
RECORDS_PER_CHUNK = 400_000
# Below this many records, training is reported as rough (EM needs a few hundred true pairs).
SMALL_EXTRACT = 1_000
# A first name seen at least this often across the inputs is a name, not a typo (see _RecordView._names_fit).
ESTABLISHED_NAME_COUNT = 3
DUCKDB_MEMORY_LIMIT = os.environ.get("WREKIN_LINKAGE_DUCKDB_MEMORY", "5GB")


@dataclass
class LinkageSummary:
    records: int = 0
    records_by_source: dict[str, int] = field(default_factory=dict)
    pairs_scored: int = 0
    links: int = 0
    clusters: int = 0
    multi_record_clusters: int = 0
    largest_cluster: int = 0
    clusters_split_by_guard: int = 0
    trained: bool = False
    threshold: float = DEFAULT_THRESHOLD
    engine: str = "duckdb"
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


@dataclass
class LinkageResult:
    sources: list[str]
    record_ids: list[str]
    cluster_ids: list[str]
    probabilities: list[float | None]  # highest link into its cluster; None for a record alone
    settings: dict[str, Any]  # the trained (or given) Splink model, DuckDB spelling
    summary: LinkageSummary

    def rows(self):
        return zip(self.sources, self.record_ids, self.cluster_ids, self.probabilities, strict=True)


class LinkageError(Exception):
    """The run cannot go ahead (inputs or model unusable); the message says why."""


# --- Backends ----------------------------------------------------------------------------------------------

class _Backend:
    dialect = "duckdb"

    def register(self, table: pa.Table, name: str):
        raise NotImplementedError

    def fetch(self, splink_df, columns: str) -> pa.Table:
        raise NotImplementedError

    def close(self) -> None:
        pass


class _DuckDBBackend(_Backend):
    dialect = "duckdb"

    def __init__(self) -> None:
        import duckdb
        from splink import DuckDBAPI

        self._temp = tempfile.TemporaryDirectory(prefix="wrekin-linkage-")
        self.con = duckdb.connect(":memory:")
        self.con.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
        self.con.execute(f"SET temp_directory = '{self._temp.name}'")
        self.con.execute("SET preserve_insertion_order = false")
        self.db_api = DuckDBAPI(connection=self.con)

    def register(self, table: pa.Table, name: str):
        return self.db_api.register(table, dataset_display_name=name)

    def fetch(self, splink_df, columns: str) -> pa.Table:
        # columns and table names are this module's and Splink's own, never user input
        return self.con.sql(f"SELECT {columns} FROM {splink_df.physical_name}").to_arrow_table()  # noqa: S608  # nosec B608

    def close(self) -> None:
        self.con.close()
        self._temp.cleanup()


class _SparkBackend(_Backend):
    dialect = "spark"

    def __init__(self, spark_session=None) -> None:
        from splink import SparkAPI

        if spark_session is None:
            spark_session = default_spark_session()
        self.spark = spark_session
        self._checkpoints = tempfile.TemporaryDirectory(prefix="wrekin-linkage-spark-")
        self.spark.sparkContext.setCheckpointDir(self._checkpoints.name)
        self.db_api = SparkAPI(spark_session=spark_session, break_lineage_method="checkpoint"
                               if os.environ.get("WREKIN_SPARK_CHECKPOINT") else None)

    def register(self, table: pa.Table, name: str):
        return self.db_api.register(table, dataset_display_name=name)

    def fetch(self, splink_df, columns: str) -> pa.Table:
        return self.spark.sql(f"SELECT {columns} FROM {splink_df.physical_name}").toArrow()  # noqa: S608  # nosec B608

    def close(self) -> None:
        self._checkpoints.cleanup()


def default_spark_session():
    """A Spark session with Splink's similarity functions: the cluster's if spark-submit made one."""
    from pyspark.sql import SparkSession
    from splink.internals.spark.jar_location import similarity_jar_location

    builder = SparkSession.builder.appName("wrekin-link")
    # Under spark-submit the JVM already exists (PySpark is handed its gateway port) with the cluster's master;
    # only a session Wrekin starts itself gets a master from WREKIN_SPARK_MASTER.
    if not os.environ.get("PYSPARK_GATEWAY_PORT"):
        builder = builder.master(os.environ.get("WREKIN_SPARK_MASTER", "local[*]"))
    logging.getLogger("py4j").setLevel(logging.WARNING)
    return (builder.config("spark.jars", similarity_jar_location())
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", os.environ.get("WREKIN_SPARK_PARTITIONS", "8"))
            .config("spark.driver.memory", os.environ.get("WREKIN_SPARK_DRIVER_MEMORY", "4g"))
            .getOrCreate())


# --- The run ---------------------------------------------------------------------------------------------

def link_extracts(extracts: Sequence[Extract], *, engine: str = "duckdb", model: dict[str, Any] | None = None,
                  threshold: float = DEFAULT_THRESHOLD, progress: Callable[[str], None] = lambda _: None,
                  spark_session=None, read_seconds: float | None = None) -> LinkageResult:
    """Link and deduplicate the extracts. One extract deduplicates; several link and deduplicate across."""
    if engine not in ENGINES:
        raise LinkageError(f"unknown engine '{engine}': choose one of {', '.join(ENGINES)}")
    if not 0 < threshold < 1:
        raise LinkageError("the threshold is a match probability strictly between 0 and 1")
    sources = [extract.source for extract in extracts]
    if len(set(sources)) != len(sources):
        raise LinkageError("two inputs have the same file name; the output names records by file name, "
                           "so rename one of them")
    summary = LinkageSummary(threshold=threshold, engine=engine, trained=model is None)
    if read_seconds is not None:
        summary.seconds["read"] = read_seconds
    summary.records = sum(len(e) for e in extracts)
    summary.records_by_source = {e.source: len(e) for e in extracts}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        summary.seconds[stage] = summary.seconds.get(stage, 0.0) + now - clock
        clock = now

    # Columns: those any extract can fill (others are null there), or what the given model uses.
    columns: list[str] = []
    for extract in extracts:
        columns += [c for c in feature_columns(extract) if c not in columns]
    if model is not None:
        wanted = linkage_model.model_columns(model)
        columns += [c for c in FEATURE_SOURCES if c in wanted and c not in columns]
    progress(f"Preparing {summary.records:,} records from {len(extracts)} input(s): "
             f"{', '.join(f'{s} ({n:,})' for s, n in summary.records_by_source.items())}")
    tables = []
    first_uid = 0
    for extract in extracts:
        tables.append(features_table([extract], columns, first_uid=first_uid))
        first_uid += len(extract)
    lap("prepare")

    link_type = "dedupe_only" if len(extracts) == 1 else "link_and_dedupe"
    backend: _Backend = _DuckDBBackend() if engine == "duckdb" else _SparkBackend(spark_session)
    try:
        from splink import Linker

        registered = [backend.register(table, source) for table, source in zip(tables, sources, strict=True)]
        del tables
        if model is None:
            settings = linkage_model.build_settings(set(columns), link_type=link_type)
        else:
            settings = {**model, "link_type": link_type}
        linker = Linker(registered if len(registered) > 1 else registered[0],
                        linkage_model.settings_for_dialect(settings, backend.dialect), log_level=None)
        if model is None:
            progress("Training the model from the data")
            if summary.records < SMALL_EXTRACT:
                progress(f"  only {summary.records:,} records: weights learnt from so few are rough; for a small "
                         "extract, score with --model trained on a larger one")
            linkage_model.train(linker, set(columns), record_count=summary.records, progress=progress)
            trained = linkage_model.regularise(linker.misc.save_model_to_json())
            linker = Linker(registered if len(registered) > 1 else registered[0], trained, log_level=None)
            lap("train")

        progress("Finding candidate pairs (blocking)")
        n_chunks = max(1, -(-summary.records // RECORDS_PER_CHUNK)) if engine == "duckdb" else 1
        predictions, summary.pairs_scored = _predict(linker, backend, threshold, n_chunks, progress)
        lap("score")

        progress(f"Clustering at match probability >= {threshold}")
        clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
            predictions, threshold_match_probability=threshold)
        cluster_table = backend.fetch(clustered, "unique_id, cluster_id")
        edge_table = backend.fetch(predictions, "unique_id_l, unique_id_r, match_probability")
        lap("cluster")
        trained_settings = linker.misc.save_model_to_json()
    finally:
        backend.close()

    progress("Checking clusters for records that cannot be one person (twins, different NHS numbers)")
    assignment, probabilities, split = _guard_clusters(extracts, cluster_table, edge_table)
    summary.links = edge_table.num_rows
    summary.clusters_split_by_guard = split
    cluster_ids, sizes = _number_clusters(assignment)
    summary.clusters = len(sizes)
    summary.multi_record_clusters = sum(1 for size in sizes.values() if size > 1)
    summary.largest_cluster = max(sizes.values(), default=0)
    lap("guard")

    out_sources: list[str] = []
    out_ids: list[str] = []
    for extract in extracts:
        out_sources += [extract.source] * len(extract)
        out_ids += extract.columns["record_id"]
    return LinkageResult(sources=out_sources, record_ids=out_ids, cluster_ids=cluster_ids,
                         probabilities=probabilities,
                         settings=linkage_model.settings_for_dialect(trained_settings, "duckdb"), summary=summary)


def _predict(linker, backend: _Backend, threshold: float, n_chunks: int, progress) -> tuple[Any, int]:
    """Score the blocked pairs, keeping only links at or above the threshold. Returns (links, pairs scored)."""
    pairs = 0
    if n_chunks == 1:
        blocked = linker.inference.compute_blocked_pairs_for_predict()
        pairs = int(backend.fetch(blocked, "count(*) AS n").column("n")[0].as_py())
        progress(f"Scoring {pairs:,} candidate pairs")
        linker.table_management.register_blocked_pairs_for_predict(blocked)
        return linker.inference.predict(threshold_match_probability=threshold, warning_mode="never"), pairs
    # Chunked: one slice of the left records against all the right ones at a time.
    results = []
    for index in range(1, n_chunks + 1):
        blocked = linker.inference.compute_blocked_pairs_for_predict_chunk(left_chunk=(index, n_chunks),
                                                                          right_chunk=(1, 1))
        chunk_pairs = int(backend.fetch(blocked, "count(*) AS n").column("n")[0].as_py())
        pairs += chunk_pairs
        progress(f"  chunk {index}/{n_chunks}: scoring {chunk_pairs:,} candidate pairs")
        results.append(linker.inference.predict_chunk(left_chunk=(index, n_chunks), right_chunk=(1, 1),
                                                      threshold_match_probability=threshold, warning_mode="never"))
    union = " UNION ALL ".join(f"SELECT * FROM {r.physical_name}" for r in results)  # noqa: S608  # nosec B608 - Splink tables
    combined = linker.misc.query_sql(union, output_type="splink_df")
    return combined, pairs


# --- The conflict guard ----------------------------------------------------------------------------------

class _RecordView:
    """The few fields the guard needs, indexed by unique_id across all extracts."""

    def __init__(self, extracts: Sequence[Extract]):
        def gather(name: str) -> list:
            values: list = []
            for extract in extracts:
                values += extract.columns.get(name) or [None] * len(extract)
            return values

        self.given = [g.split(" ", 1)[0] if g else None for g in gather("given_name")]
        self.name_counts = Counter(self.given)
        self.other_names = [
            set((m or "").split()) | set((k or "").split()) | set((g or "").split()[1:])
            for m, k, g in zip(gather("middle_names"), gather("known_as"), gather("given_name"), strict=True)
        ]
        self.sex = gather("sex")
        self.dob = gather("date_of_birth")
        self.year = gather("birth_year")
        self.nhs = [n if v else None for n, v in zip(gather("nhs_number"), gather("nhs_number_valid"), strict=True)]
        self.upn = [u if v else None for u, v in zip(gather("upn"), gather("upn_valid"), strict=True)]

    def conflict(self, a: int, b: int) -> bool:
        """True when records a and b cannot be the same person, whatever else agrees."""
        nhs_a, nhs_b, upn_a, upn_b = self.nhs[a], self.nhs[b], self.upn[a], self.upn[b]
        if (nhs_a and nhs_a == nhs_b) or (upn_a and upn_a == upn_b):
            return False  # one valid identifier: the same child, however the name was written
        if (nhs_a and nhs_b) or (upn_a and upn_b):
            return True  # two valid, different NHS numbers (or UPNs): two children
        if self._born_apart(a, b):
            return True
        return not self._names_fit(a, b)

    def _born_apart(self, a: int, b: int) -> bool:
        dob_a, dob_b = self.dob[a], self.dob[b]
        if dob_a and dob_b:
            # years apart, and not a mistyped digit or two (1998 for 1989)
            return abs(int(dob_a[:4]) - int(dob_b[:4])) > 2 and sum(x != y for x, y in zip(dob_a, dob_b,
                                                                                        strict=True)) > 2
        year_a, year_b = self.year[a], self.year[b]
        # a year alone is often an estimated age: only a wide gap counts (father and son, not a guess)
        return bool(year_a and year_b and abs(year_a - year_b) > 5)

    def _names_fit(self, a: int, b: int) -> bool:
        first_a, first_b = self.given[a], self.given[b]
        if not first_a or not first_b or first_a == first_b:
            return True  # a missing name fits anyone
        if len(first_a) == 1 or len(first_b) == 1:  # an initial fits any name it starts
            initial, other = (first_a, b) if len(first_a) == 1 else (first_b, a)
            return any(name.startswith(initial) for name in (self.given[other] or "", *self.other_names[other]))
        if first_a in self.other_names[b] or first_b in self.other_names[a]:
            return True  # goes by a middle name or a "known as"
        sex_a, sex_b = self.sex[a], self.sex[b]
        if sex_a and sex_b and sex_a != sex_b:
            return False  # Daniel and Danielle, Alexander and Alexandra: close names, two children
        if given_names_compatible(first_a, first_b) or _wide_variants(first_a) & _wide_variants(first_b):
            return True
        # Is either name a slip of the keyboard? A name the extracts hold only once or twice and no name table
        # knows is more likely a typo ("Svott") than a name; two established names are two names.
        established = self._established(first_a) and self._established(first_b)
        limit = 1 if established else 2
        similar = 0.9 if established else 0.8
        # nicknames of two letters ("El", "Em") are too short to tell a typo from another name
        forms_a = {first_a, *(form for form in _wide_variants(first_a) if len(form) >= 4)}
        forms_b = {first_b, *(form for form in _wide_variants(first_b) if len(form) >= 4)}
        for form_a in forms_a:
            for form_b in forms_b:
                if DamerauLevenshtein.distance(form_a, form_b) <= limit \
                        or JaroWinkler.normalized_similarity(form_a, form_b) >= similar:
                    return True
        return name_key(first_a) == name_key(first_b)  # sounds the same

    def _established(self, name: str) -> bool:
        return self.name_counts[name] >= ESTABLISHED_NAME_COUNT or len(_wide_variants(name)) > 1


def _wide_variants(name: str) -> frozenset[str]:
    """Every nickname and variant Wrekin knows for a name (the people search's table, wider than forms)."""
    from wrekin.people.search import given_name_variants

    return given_name_variants(name)


def _guard_clusters(extracts: Sequence[Extract], cluster_table: pa.Table,
                    edge_table: pa.Table) -> tuple[list[Any], list[float | None], int]:
    """Final cluster key and best link probability per record (by unique_id), and how many clusters split."""
    n = sum(len(e) for e in extracts)
    assignment: list[Any] = [None] * n
    for uid, cluster in zip(cluster_table.column("unique_id").to_pylist(),
                            cluster_table.column("cluster_id").to_pylist(), strict=True):
        assignment[uid] = cluster
    for uid in range(n):
        if assignment[uid] is None:  # cannot happen with Splink's clustering; kept total for safety
            assignment[uid] = ("alone", uid)
    members: dict[Any, list[int]] = {}
    for uid, cluster in enumerate(assignment):
        members.setdefault(cluster, []).append(uid)
    edges_by_cluster: dict[Any, list[tuple[float, int, int]]] = {}
    for left, right, probability in zip(edge_table.column("unique_id_l").to_pylist(),
                                        edge_table.column("unique_id_r").to_pylist(),
                                        edge_table.column("match_probability").to_pylist(), strict=True):
        cluster = assignment[left]
        if cluster == assignment[right]:
            edges_by_cluster.setdefault(cluster, []).append((probability, left, right))

    view = _RecordView(extracts)
    split = 0
    for cluster, uids in members.items():
        if len(uids) < 2:
            continue
        parts = _constrained_components(uids, edges_by_cluster.get(cluster, []), view.conflict)
        if len(set(parts.values())) == 1:
            continue
        split += 1
        for uid, part in parts.items():
            assignment[uid] = (cluster, part)
        kept = [edge for edge in edges_by_cluster.get(cluster, []) if assignment[edge[1]] == assignment[edge[2]]]
        edges_by_cluster[cluster] = kept

    probabilities: list[float | None] = [None] * n
    for edges in edges_by_cluster.values():
        for probability, left, right in edges:
            if assignment[left] != assignment[right]:
                continue
            for uid in (left, right):
                if probabilities[uid] is None or probability > probabilities[uid]:
                    probabilities[uid] = probability
    return assignment, probabilities, split


def _constrained_components(uids: list[int], edges: list[tuple[float, int, int]],
                            conflict: Callable[[int, int], bool]) -> dict[int, int]:
    """Rebuild one cluster: strongest links first, never joining two groups that hold a conflicting pair.

    Without any conflict this gives back the connected component unchanged. Conflicts are checked only
    between the two groups a link would join, so even a long chain (a low threshold) stays cheap: the
    groups it builds stop growing at the first conflict.
    """
    parent = {uid: uid for uid in uids}
    groups = {uid: [uid] for uid in uids}

    def find(uid: int) -> int:
        while parent[uid] != uid:
            parent[uid] = parent[parent[uid]]
            uid = parent[uid]
        return uid

    for _probability, left, right in sorted(edges, key=lambda edge: (-edge[0], edge[1], edge[2])):
        root_l, root_r = find(left), find(right)
        if root_l == root_r:
            continue
        if any(conflict(a, b) for a in groups[root_l] for b in groups[root_r]):
            continue
        if len(groups[root_l]) < len(groups[root_r]):
            root_l, root_r = root_r, root_l
        parent[root_r] = root_l
        groups[root_l] += groups.pop(root_r)
    return {uid: find(uid) for uid in uids}


def _number_clusters(assignment: list[Any]) -> tuple[list[str], dict[str, int]]:
    """Cluster ids numbered by first appearance in input order, so every engine gives the same ids."""
    numbers: dict[Any, str] = {}
    cluster_ids: list[str] = []
    sizes: dict[str, int] = {}
    for cluster in assignment:
        label = numbers.get(cluster)
        if label is None:
            label = numbers[cluster] = f"P{len(numbers) + 1:07d}"
        cluster_ids.append(label)
        sizes[label] = sizes.get(label, 0) + 1
    return cluster_ids, sizes


def write_clusters(result: LinkageResult, path: Path) -> None:
    """source,record_id,cluster_id,match_probability — one row per input record, in input order."""
    import csv

    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["source", "record_id", "cluster_id", "match_probability"])
        for source, record_id, cluster_id, probability in result.rows():
            writer.writerow([source, record_id, cluster_id, "" if probability is None else f"{probability:.6f}"])
