"""Helpers and fixtures for the in-product linkage tests (imports, review, merges).

Extracts are made in memory as small CSVs and imported through the same actions the pages and the command use.
`trained_model` installs tests/linkage/data/trained_model.json: a model `wrekin link` trained on 3,000 synthetic
records (wrekin.linkage.synthetic, seed 5) -- committed, so tests do not spend seconds training.
"""

from __future__ import annotations

import csv
import io
import signal
from pathlib import Path

import pytest
from django.core.management import call_command

from wrekin.linkage import actions
from wrekin.linkage.models import ExtractImport

DATA = Path(__file__).parent / "data"
MODEL_PATH = DATA / "trained_model.json"

HEADER = ["PersonID", "Forename", "Surname", "DOB", "Gender", "Address", "Postcode", "NHS No"]


def csv_bytes(rows: list[list[str]], header: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header or HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def upload(actor, agency, rows, *, header=None, name="csc_extract.csv", kind="child") -> ExtractImport:
    return actions.upload_extract(actor=actor, agency_id=agency.pk, file_name=name,
                                  content=csv_bytes(rows, header), person_kind=kind)


def import_rows(actor, agency, rows, *, header=None, name="csc_extract.csv", kind="child",
                mapping: dict | None = None) -> ExtractImport:
    """Upload, map (the suggested columns unless given) and run an extract here and now."""
    extract_import = upload(actor, agency, rows, header=header, name=name, kind=kind)
    extract_import = actions.save_mapping(actor=actor, import_id=extract_import.pk,
                                          id_column=extract_import.id_column,
                                          mapping=extract_import.mapping if mapping is None else mapping)
    return actions.start_import(actor=actor, import_id=extract_import.pk, run_now=True)


@pytest.fixture(name="trained_model")
def trained_model_fixture(db):
    return actions.install_linkage_model(path=MODEL_PATH, name="test model")


# --- The real queue (django-tasks-db) --------------------------------------------------------------------------

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def run_worker_once() -> None:
    """`wrekin db_worker --batch`: every task waiting, then exit. The worker installs its own signal handlers for a
    graceful stop; the test runner's are put back afterwards."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--worker-id", "test-worker",
                     verbosity=0)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
