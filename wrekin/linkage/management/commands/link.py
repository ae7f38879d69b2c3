"""`wrekin link`: find the same person across agency extracts (or within one), with Splink.

    wrekin link INPUT.csv [INPUT2.csv ...] --id COLUMN [--map canonical=source ...] --out CLUSTERS.csv
                [--engine duckdb|spark] [--model MODEL.json] [--threshold 0.95]

One input deduplicates it; several link and deduplicate across them. The output has one row per input record:
source,record_id,cluster_id,match_probability. The trained model is saved beside it as CLUSTERS.model.json and
can be given back with --model to score new extracts the same way.

Works on files only: it reads no case records and changes none, so it writes no audit event; importing its
results into Wrekin goes through the linkage review (people decide merges).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wrekin.linkage import engine as linkage_engine
from wrekin.linkage.extracts import (
    CANONICAL_FIELDS,
    ExtractError,
    parse_id_options,
    parse_mapping_options,
    read_extract,
    source_name,
)
from wrekin.linkage.model import load_model


def model_path_for(out: Path) -> Path:
    """CLUSTERS.csv -> CLUSTERS.model.json, beside it."""
    return out.with_name(out.stem + ".model.json")


class Command(BaseCommand):
    help = "Link and deduplicate person records across agency extracts (CSV or XLSX) with a Splink model."

    def add_arguments(self, parser):
        parser.add_argument("inputs", nargs="+", metavar="INPUT", help="CSV or XLSX extracts (header in row 1)")
        parser.add_argument("--id", dest="ids", action="append", required=True, metavar="[SOURCE:]COLUMN",
                            help="the column holding each record's id; SOURCE:COLUMN for one input only")
        parser.add_argument("--map", dest="maps", action="append", default=[], metavar="[SOURCE:]FIELD=COLUMN",
                            help=f"map a source column to a linkage field ({', '.join(CANONICAL_FIELDS[1:])}); "
                                 "columns already named like a field are mapped automatically")
        parser.add_argument("--out", required=True, metavar="CLUSTERS.csv", help="where to write the clusters")
        parser.add_argument("--engine", choices=linkage_engine.ENGINES, default="duckdb",
                            help="duckdb (default, one machine) or spark (a cluster, or local Spark)")
        parser.add_argument("--model", metavar="MODEL.json", help="score with this trained model instead of training")
        parser.add_argument("--threshold", type=float, default=linkage_engine.DEFAULT_THRESHOLD,
                            help="match probability at or above which two records are linked (default %(default)s)")

    def handle(self, *args, **options):
        inputs = [Path(p) for p in options["inputs"]]
        out = Path(options["out"])
        sources = [source_name(p) for p in inputs]
        if len(set(sources)) != len(sources):
            raise CommandError("Two inputs have the same file name without extension; the output names records by "
                               "it, so rename one of them.")
        if not out.parent.is_dir():
            raise CommandError(f"Cannot write {out}: the folder {out.parent} does not exist.")
        try:
            maps = parse_mapping_options(options["maps"], sources)
            ids = parse_id_options(options["ids"], sources)
        except ValueError as error:
            raise CommandError(str(error)) from None
        model = None
        if options["model"]:
            try:
                model = load_model(Path(options["model"]))
            except ValueError as error:
                raise CommandError(str(error)) from None

        # Splink logs every EM iteration at INFO; show that only when asked (-v 2).
        logging.getLogger("splink").setLevel(logging.INFO if options["verbosity"] >= 2 else logging.WARNING)
        progress = self._progress
        started = time.perf_counter()
        extracts = []
        faults = []
        for path, source in zip(inputs, sources, strict=True):
            id_column = ids.get(source) or ids.get(None)
            if not id_column:
                raise CommandError(f"No --id for {path.name}: give --id COLUMN or --id {source}:COLUMN.")
            mapping = {**maps.get(None, {}), **maps.get(source, {})}
            progress(f"Reading {path}")
            try:
                extract = read_extract(path, id_column=id_column, mapping=mapping, source=source)
            except ExtractError as error:
                faults += error.faults
                continue
            mapped = ", ".join(f"{field}<-{column}" for field, column in extract.mapping.items())
            progress(f"  {len(extract):,} records; fields: {mapped}")
            if extract.warnings:
                progress(f"  {len(extract.warnings):,} value(s) kept but flagged, e.g. {extract.warnings[0]}")
            extracts.append(extract)
        if faults:
            raise CommandError(ExtractError(faults).summary())

        try:
            result = linkage_engine.link_extracts(extracts, engine=options["engine"], model=model,
                                                  threshold=options["threshold"], progress=progress,
                                                  read_seconds=time.perf_counter() - started)
        except linkage_engine.LinkageError as error:
            raise CommandError(str(error)) from None

        linkage_engine.write_clusters(result, out)
        model_out = model_path_for(out)
        model_out.write_text(json.dumps(result.settings, indent=2), encoding="utf-8")
        self._print_summary(result.summary, out, model_out)

    def _progress(self, message: str) -> None:
        self.stdout.write(message)
        self.stdout.flush()

    def _print_summary(self, summary: linkage_engine.LinkageSummary, out: Path, model_out: Path) -> None:
        stages = ", ".join(f"{stage} {seconds:.1f}s" for stage, seconds in summary.seconds.items())
        lines = [
            "",
            "Summary",
            f"  records:           {summary.records:,}",
            f"  pairs scored:      {summary.pairs_scored:,}",
            f"  links >= {summary.threshold:<8} {summary.links:,}",
            f"  clusters:          {summary.clusters:,} ({summary.multi_record_clusters:,} with more than one record;"
            f" largest {summary.largest_cluster})",
            f"  split by guard:    {summary.clusters_split_by_guard:,} cluster(s) held records that cannot be one "
            "person",
            f"  model:             {'trained from these data' if summary.trained else 'given with --model'}"
            f" ({summary.engine})",
            f"  time:              {summary.total_seconds:.1f}s ({stages})",
            f"  clusters written:  {out}",
            f"  model saved:       {model_out}",
        ]
        self.stdout.write("\n".join(lines))
        sys.stdout.flush()
