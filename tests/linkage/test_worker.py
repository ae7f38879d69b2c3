"""Imports through the real queue: django-tasks-db holds the task, `wrekin db_worker` runs it.

The rest of the suite runs tasks at once (tests/conftest.py); here the database backend is switched on, the page is
read while the import waits for the worker, and the worker command is run for one pass (`--batch`). Also what
happens when a worker stops: the import says so and nothing is half-saved.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.linkage.inproduct import DATABASE_BACKEND, run_worker_once, upload
from wrekin.audit.models import AuditEvent
from wrekin.linkage import actions, imports
from wrekin.linkage.models import ExtractImport, ImportStatus, SourceRecord
from wrekin.people.models import Person

KAYLEY = ["C2", "Kayley", "Smyth", "2010-03-04", "F", "1 High Street", "TF1 2AB", ""]
ZED = ["C3", "Zed", "Newperson", "2011-01-01", "M", "", "", ""]


@pytest.fixture
def database_queue(settings):
    settings.TASKS = DATABASE_BACKEND


def _queued_import(personas, agencies, rows):
    actor = personas["erin"]
    extract_import = upload(actor, agencies["csc"], rows)
    actions.save_mapping(actor=actor, import_id=extract_import.pk, id_column=extract_import.id_column,
                         mapping=extract_import.mapping)
    # Not run_now: queued as the page queues it; the transaction commits, so the task reaches the queue.
    return actions.start_import(actor=actor, import_id=extract_import.pk)


@pytest.mark.django_db(transaction=True)
def test_an_import_waits_in_the_queue_then_the_worker_runs_it(database_queue, personas, agencies, people,
                                                              client_for, monkeypatch):
    extract_import = _queued_import(personas, agencies, [KAYLEY, ZED])
    extract_import.refresh_from_db()
    assert extract_import.status == ImportStatus.QUEUED and extract_import.task_id
    task = DBTaskResult.objects.get()
    assert str(task.id) == extract_import.task_id and task.status == TaskResultStatus.READY
    assert task.task_path == "wrekin.linkage.tasks.run_extract_import" and task.args_kwargs["args"] == [
        extract_import.pk]

    client = client_for("erin")
    page = client.get(reverse("linkage:import_detail", args=[extract_import.pk])).content.decode()
    assert "Queued: waiting for the background worker to start it" in page and "2 records to import" in page
    assert 'hx-trigger="every 2s"' in page and "Refresh" in page  # polls with htmx, reloads without it

    # What the page would show mid-run: read just before the import saves (outside the run's transaction).
    seen = {}
    original_apply = imports.apply_plan

    def watching_apply(extract_import, plan, **kwargs):
        panel = client.get(reverse("linkage:import_progress", args=[extract_import.pk]), HTTP_HX_REQUEST="true")
        seen["panel"] = panel.content.decode()
        seen["row"] = ExtractImport.objects.values("status", "processed_records", "progress_at").get(
            pk=extract_import.pk)
        return original_apply(extract_import, plan, **kwargs)

    monkeypatch.setattr(imports, "apply_plan", watching_apply)
    run_worker_once()

    assert seen["row"]["status"] == ImportStatus.RUNNING and seen["row"]["processed_records"] == 2
    assert seen["row"]["progress_at"] is not None
    assert "Running: Saving 2 records (all or nothing)" in seen["panel"]
    assert "2 of 2 records compared (100%)" in seen["panel"]

    extract_import.refresh_from_db()
    assert extract_import.status == ImportStatus.COMPLETE and extract_import.content is None
    assert extract_import.counts["records"] == 2 and extract_import.counts["new_people"] == 2
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL and task.worker_ids == ["test-worker"]
    assert task.return_value["status"] == "complete"
    assert SourceRecord.objects.filter(first_import=extract_import).count() == 2
    page = client.get(reverse("linkage:import_detail", args=[extract_import.pk])).content.decode()
    assert "New people recorded" in page and "hx-trigger" not in page


@pytest.mark.django_db(transaction=True)
def test_a_worker_stopped_mid_import_leaves_it_failed_with_nothing_saved(database_queue, personas, agencies,
                                                                         monkeypatch):
    extract_import = _queued_import(personas, agencies, [KAYLEY, ZED])
    people_before = Person.objects.count()

    def stopped(*args, **kwargs):
        raise SystemExit(1)  # what the worker's second Ctrl+C raises inside a running task

    monkeypatch.setattr(imports, "plan_import", stopped)
    run_worker_once()

    extract_import.refresh_from_db()
    assert extract_import.status == ImportStatus.FAILED
    assert extract_import.error.startswith("The background worker stopped while running this import (SystemExit)")
    assert extract_import.has_file  # kept, so it can be run again
    assert Person.objects.count() == people_before
    assert DBTaskResult.objects.get().status == TaskResultStatus.FAILED
    failed = AuditEvent.objects.get(event_type="linkage.import_failed", object_id=str(extract_import.pk))
    assert failed.details["interrupted"] is True

    # Run again: queued afresh and completed by the next worker pass.
    monkeypatch.undo()
    actions.start_import(actor=personas["erin"], import_id=extract_import.pk)
    run_worker_once()
    extract_import.refresh_from_db()
    assert extract_import.status == ImportStatus.COMPLETE and extract_import.counts["new_people"] == 2


@pytest.mark.django_db
def test_a_stalled_import_is_shown_and_released(personas, agencies, client_for):
    extract_import = upload(personas["erin"], agencies["csc"], [KAYLEY])
    long_ago = timezone.now() - timedelta(hours=2)
    ExtractImport.objects.filter(pk=extract_import.pk).update(
        status=ImportStatus.RUNNING, total_records=1, started_at=long_ago, progress_at=long_ago, task_id="lost",
        stage="Comparing records 1 to 1 of 1 with the people already known")
    moving = upload(personas["erin"], agencies["police"], [KAYLEY], name="police.csv")
    ExtractImport.objects.filter(pk=moving.pk).update(status=ImportStatus.RUNNING, started_at=long_ago,
                                                      progress_at=timezone.now(), task_id="alive")
    page = client_for("erin").get(reverse("linkage:import_detail", args=[extract_import.pk])).content.decode()
    assert "the background worker running it has probably stopped" in page
    assert "wrekin release_stalled_imports" in page

    out = call_command_output("release_stalled_imports")
    assert f"Released import {extract_import.pk} (csc_extract.csv, Wrekin Children's Services)" in out
    assert "1 stalled import released." in out
    extract_import.refresh_from_db()
    moving.refresh_from_db()
    assert extract_import.status == ImportStatus.FAILED and "made no progress for more than 30 minutes" in \
        extract_import.error
    assert moving.status == ImportStatus.RUNNING  # still making progress: never touched
    assert AuditEvent.objects.get(event_type="linkage.import_failed",
                                  object_id=str(extract_import.pk)).details["stalled"] is True
    page = client_for("erin").get(reverse("linkage:import_detail", args=[extract_import.pk])).content.decode()
    assert "Run it again" in page


@pytest.mark.django_db
def test_a_queued_import_long_untaken_says_the_worker_may_be_down(personas, agencies, client_for):
    extract_import = upload(personas["erin"], agencies["csc"], [KAYLEY])
    ExtractImport.objects.filter(pk=extract_import.pk).update(
        status=ImportStatus.QUEUED, queued_at=timezone.now() - timedelta(minutes=10), task_id="waiting")
    page = client_for("erin").get(reverse("linkage:import_detail", args=[extract_import.pk])).content.decode()
    assert "It has not started after 10" in page and "wrekin db_worker" in page


@pytest.mark.django_db
def test_a_superseded_run_saves_nothing(personas, agencies, monkeypatch):
    """A run released as stalled (its worker was only slow) must not save over the import's current run."""
    extract_import = _queued_import_now(personas, agencies)
    original_plan = imports.plan_import

    def released_meanwhile(extract_import, *args, **kwargs):
        plan = original_plan(extract_import, *args, **kwargs)
        ExtractImport.objects.filter(pk=extract_import.pk).update(status=ImportStatus.FAILED, task_id="another")
        return plan

    monkeypatch.setattr(imports, "plan_import", released_meanwhile)
    result = imports.run_import(extract_import.pk, run_id="first")
    assert result.status == ImportStatus.FAILED and not SourceRecord.objects.exists()
    # A run that is not the import's current one does not even start.
    ExtractImport.objects.filter(pk=extract_import.pk).update(status=ImportStatus.QUEUED, task_id="current")
    assert imports.run_import(extract_import.pk, run_id="old").status == ImportStatus.QUEUED


def _queued_import_now(personas, agencies):
    extract_import = upload(personas["erin"], agencies["csc"], [KAYLEY, ZED])
    actions.save_mapping(actor=personas["erin"], import_id=extract_import.pk, id_column=extract_import.id_column,
                         mapping=extract_import.mapping)
    ExtractImport.objects.filter(pk=extract_import.pk).update(status=ImportStatus.QUEUED, task_id="")
    return extract_import


def call_command_output(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(("value", "backend"), [
    (None, "django_tasks_db.DatabaseBackend"),
    ("immediate", "django_tasks.backends.immediate.ImmediateBackend"),
    ("celery", "ImproperlyConfigured"),
])
def test_the_backend_is_the_database_unless_the_environment_says_otherwise(value, backend):
    env = {key: val for key, val in os.environ.items() if key != "WREKIN_TASKS_BACKEND"}
    if value:
        env["WREKIN_TASKS_BACKEND"] = value
    code = ("import django; from django.conf import settings\n"
            "try:\n    print(settings.TASKS['default']['BACKEND'])\n"
            "except Exception as error:\n    print(type(error).__name__)")
    result = subprocess.run([sys.executable, "-c", code], env={**env, "DJANGO_SETTINGS_MODULE": "wrekin.settings"},
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.stdout.strip() == backend, result.stderr
