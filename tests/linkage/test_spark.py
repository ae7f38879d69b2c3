"""The same model on Splink's Spark backend gives the same clusters as on DuckDB."""

import logging
import shutil

import pytest

from wrekin.linkage.engine import link_extracts
from wrekin.linkage.extracts import parse_id_options, parse_mapping_options, read_extract
from wrekin.linkage.model import load_model


@pytest.fixture(scope="module")
def spark_session():
    pyspark = pytest.importorskip("pyspark")
    if shutil.which("java") is None:
        pytest.skip("Spark needs Java 17 or later on the PATH")
    logging.getLogger("py4j").setLevel(logging.WARNING)
    from pyspark.sql import SparkSession
    from splink.internals.spark.jar_location import similarity_jar_location

    del pyspark
    session = (SparkSession.builder.master("local[1]").appName("wrekin-linkage-test")
               .config("spark.jars", similarity_jar_location())
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.shuffle.partitions", "1")
               .config("spark.default.parallelism", "1")
               .config("spark.driver.memory", "1g")
               .getOrCreate())
    yield session
    session.stop()


@pytest.mark.spark
def test_spark_and_duckdb_agree(spark_session, linked_pair):
    sources = [path.stem for path in linked_pair.inputs]
    maps = parse_mapping_options([a for a in linked_pair.map_args if a != "--map"], sources)
    ids = parse_id_options([a for a in linked_pair.id_args if a != "--id"], sources)
    # a few hundred records: the crafted twins and nickname pair plus generated people
    extracts = [read_extract(path, id_column=ids[path.stem], mapping=maps[path.stem]) for path in linked_pair.inputs]
    for extract in extracts:
        keep = list(range(150)) + list(range(len(extract) - 3, len(extract)))
        extract.columns = {name: [values[i] for i in keep] for name, values in extract.columns.items()}
    model = load_model(linked_pair.model)
    duck = link_extracts(extracts, engine="duckdb", model=model)
    spark = link_extracts(extracts, engine="spark", model=model, spark_session=spark_session)
    assert duck.summary.pairs_scored == spark.summary.pairs_scored > 0
    assert spark.cluster_ids == duck.cluster_ids
    assert duck.summary.multi_record_clusters > 20
    for left, right in zip(duck.probabilities, spark.probabilities, strict=True):
        assert (left is None and right is None) or abs(left - right) < 1e-6
    twins = dict(zip(zip(spark.sources, spark.record_ids, strict=True), spark.cluster_ids, strict=True))
    assert twins[("social_care", "TW-A")] != twins[("social_care", "TW-B")]
    # the settings Spark used are the model's, translated back: a model trained on one engine scores on the other
    assert [c["output_column_name"] for c in spark.settings["comparisons"]] == \
        [c["output_column_name"] for c in model["comparisons"]]
