from django.apps import AppConfig


class MissingConfig(AppConfig):
    name = "wrekin.missing"
    label = "missing"
    verbose_name = "Missing episodes"

    def ready(self) -> None:
        from wrekin.core.timeline import register_chronology_source, register_worklist_source
        from wrekin.missing import audit_events, checks, timeline  # noqa: F401

        register_chronology_source("missing", timeline.missing_chronology)
        register_worklist_source("missing.interviews_due", timeline.interviews_due_worklist)
        register_worklist_source("missing.missing_now", timeline.missing_now_worklist)
        register_worklist_source("missing.pattern_alerts", timeline.pattern_alerts_worklist)
