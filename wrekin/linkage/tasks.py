"""Background work for linkage: an import runs outside the request, with progress written as it goes.

The task is a django-tasks task. By default (settings.TASKS, WREKIN_TASKS_BACKEND=database) it is queued in the
database by django-tasks-db and run by the worker, `wrekin db_worker`; with WREKIN_TASKS_BACKEND=immediate it runs
in the web process as soon as the request that queued it has committed -- the same code, only sooner.

What happens when the worker goes away:
- a failure inside the import is the import's own business: it fails with nothing saved and says why
  (wrekin.linkage.imports.run_import);
- an exception that escapes the task (the worker told to stop at once while the import runs) marks the task failed;
  `_task_finished` then marks the import failed too, with nothing saved, so it can be run again;
- a worker killed outright (power, out of memory) leaves its task "running" for ever. The import's saving step is
  one database transaction, so nothing half-done is left; the import page says how long it has made no progress,
  and `wrekin release_stalled_imports` marks such imports failed so they can be run again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.dispatch import receiver
from django.utils import timezone
from django_tasks import TaskContext, TaskResultStatus, default_task_backend, task
from django_tasks.signals import task_finished

from wrekin.linkage.models import ExtractImport, ImportStatus

logger = logging.getLogger(__name__)

# A queued import not taken by a worker after this long probably has no worker to go to.
WORKER_WAIT_WARNING = timedelta(minutes=2)
# A running import that has written no progress for this long has probably lost its worker.
STALLED_AFTER = timedelta(minutes=30)


@task(takes_context=True)
def run_extract_import(context: TaskContext, import_id: int) -> dict:
    from wrekin.linkage.imports import run_import

    extract_import = run_import(import_id, run_id=str(context.task_result.id)[:64])
    return {"status": extract_import.status, "counts": extract_import.counts}


def enqueue_import(import_id: int) -> None:
    """Called once the transaction that queued the import has committed (so the worker can see it)."""
    result = run_extract_import.enqueue(import_id)
    # The immediate backend has already run the task by now; the database backend's worker may have started it.
    # Either way this run is the import's current one (start_import cleared the previous run's id).
    ExtractImport.objects.filter(pk=import_id, task_id="").update(task_id=str(result.id)[:64])


@receiver(task_finished)
def _task_finished(sender, task_result, **kwargs) -> None:
    """A task that failed outside the import's own error handling leaves no import "running" for ever."""
    if task_result.status != TaskResultStatus.FAILED:
        return
    try:
        if task_result.task.module_path != run_extract_import.module_path:
            return
    except ImportError:  # a task of some other code that no longer exists: not ours to judge
        return
    from wrekin.linkage.imports import fail_interrupted

    import_id = (task_result.args or [None])[0]
    if isinstance(import_id, int):
        error = task_result.errors[-1].exception_class_path.rsplit(".", 1)[-1] if task_result.errors else "unknown"
        fail_interrupted(import_id, run_id=str(task_result.id)[:64],
                         error=f"The background worker stopped while running this import ({error}). Nothing was "
                               "imported: run it again.")


# --- What the import page says about the queue ---------------------------------------------------------------

@dataclass
class QueueState:
    """The background side of an import, in words for the import page."""

    backend: str  # "database" (a worker runs it) or "immediate" (the web process runs it)
    waiting_since: datetime | None = None
    last_progress: datetime | None = None
    worker_may_be_down: bool = False  # queued for longer than WORKER_WAIT_WARNING
    stalled: bool = False  # running with no progress for longer than STALLED_AFTER


def queue_state(extract_import: ExtractImport, *, now: datetime | None = None) -> QueueState:
    now = now or timezone.now()
    from django_tasks.backends.immediate import ImmediateBackend

    backend = "immediate" if isinstance(default_task_backend, ImmediateBackend) else "database"
    state = QueueState(backend=backend)
    if extract_import.status == ImportStatus.QUEUED:
        state.waiting_since = extract_import.queued_at
        state.worker_may_be_down = bool(extract_import.queued_at and
                                        now - extract_import.queued_at > WORKER_WAIT_WARNING)
    elif extract_import.status == ImportStatus.RUNNING:
        state.last_progress = extract_import.progress_at or extract_import.started_at
        state.stalled = bool(state.last_progress and now - state.last_progress > STALLED_AFTER)
    return state
