"""Model construction: only existing columns are compared, and SQL translates between engines."""

from wrekin.linkage.features import canonical_forms, given_names_compatible
from wrekin.linkage.model import build_comparisons, build_settings, settings_for_dialect, to_dialect


def test_only_columns_that_exist_are_compared():
    names = {c["output_column_name"] for c in build_comparisons({"first_name", "family_name", "birth_year"})}
    assert names == {"first_name", "family_name", "date_of_birth"}
    names = {c["output_column_name"] for c in build_comparisons({"first_name", "first_name_forms", "postcode",
                                                                 "nhs_number", "phone"})}
    assert names == {"first_name", "residence", "nhs_number", "phone"}


def test_blocking_rules_use_only_existing_columns():
    settings = build_settings({"first_name", "first_name_key", "family_name", "family_name_key", "dob",
                               "birth_year"}, link_type="dedupe_only")
    rules = [r["blocking_rule"] for r in settings["blocking_rules_to_generate_predictions"]]
    assert rules == ['(l."dob" = r."dob") AND (l."family_name_key" = r."family_name_key")',
                     '(l."dob" = r."dob") AND (l."first_name_key" = r."first_name_key")']


def test_sql_translates_between_duckdb_and_spark():
    duck = "jaro_winkler_similarity(first_name_l, first_name_r) >= 0.9 OR list_has_any(a_l, a_r)"
    spark = to_dialect(duck, "spark")
    assert spark == "jaro_winkler(first_name_l, first_name_r) >= 0.9 OR arrays_overlap(a_l, a_r)"
    assert to_dialect(spark, "duckdb") == duck
    settings = build_settings({"first_name", "first_name_forms", "first_name_key", "dob", "birth_year",
                               "family_name", "family_name_key"}, link_type="dedupe_only")
    round_trip = settings_for_dialect(settings_for_dialect(settings, "spark"), "duckdb")
    assert round_trip["comparisons"] == settings["comparisons"]
    spark_sql = str(settings_for_dialect(settings, "spark")["comparisons"])
    assert "jaro_winkler_similarity" not in spark_sql and "list_has_any" not in spark_sql


def test_nickname_forms():
    assert given_names_compatible("bill", "william")
    assert given_names_compatible("jay", "jayden")  # Wrekin's own variant table
    assert given_names_compatible("mohammed", "muhammad")
    assert not given_names_compatible("olivia", "amelia")
    # twins Alexander and Alexandra share the nickname Alex but no canonical form
    assert not (canonical_forms("alexander") & canonical_forms("alexandra"))
    assert canonical_forms("alex") & canonical_forms("alexandra")
