from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "wrekin.linkage"
    label = "linkage"
    verbose_name = "Record linkage"

    def ready(self) -> None:
        # tasks: its receiver marks an import failed when the worker running it stops (django-tasks' task_finished)
        from wrekin.core.timeline import register_chronology_source, register_worklist_source
        from wrekin.linkage import audit_events, tasks, timeline  # noqa: F401

        register_chronology_source("linkage", timeline.linkage_chronology)
        register_worklist_source("linkage.review_queue", timeline.review_queue_worklist)
        register_worklist_source("linkage.imports", timeline.imports_worklist)
