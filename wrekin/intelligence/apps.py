from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "wrekin.intelligence"
    label = "intelligence"
    verbose_name = "Intelligence and disruption"

    def ready(self) -> None:
        from wrekin.core.timeline import register_chronology_source, register_worklist_source

        # Importing the *audit_events modules registers this app's audit event types.
        from wrekin.intelligence import (  # noqa: F401
            alerts,
            audit_events,
            link_audit_events,
            network_audit_events,
            queries,
        )

        register_chronology_source("intelligence.disruption", queries.chronology_entries)
        register_chronology_source("intelligence.mentions", alerts.chronology_entries)
        register_worklist_source("intelligence.link_alerts", alerts.worklist_items)
