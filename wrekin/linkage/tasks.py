"""Background work for linkage: an import runs outside the request, with progress written as it goes.

The task is a django-tasks task. With the database backend configured (TASKS, and `wrekin db_worker` running)
it runs in the worker; without a TASKS setting django-tasks uses its ImmediateBackend and the import runs as soon
as the request that queued it has committed -- the same code, only sooner.
"""

from __future__ import annotations

from django_tasks import task

from wrekin.linkage.models import ExtractImport


@task()
def run_extract_import(import_id: int) -> dict:
    from wrekin.linkage.imports import run_import

    extract_import = run_import(import_id)
    return {"status": extract_import.status, "counts": extract_import.counts}


def enqueue_import(import_id: int) -> None:
    """Called once the transaction that queued the import has committed (so the worker can see it)."""
    result = run_extract_import.enqueue(import_id)
    ExtractImport.objects.filter(pk=import_id, task_id="").update(task_id=str(result.id)[:64])
