from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "wrekin.intelligence"
    label = "intelligence"
    verbose_name = "Intelligence and disruption"

    def ready(self) -> None:
        from wrekin.core.timeline import register_chronology_source

        # Importing audit_events registers this app's audit event types.
        from wrekin.intelligence import audit_events, queries  # noqa: F401

        register_chronology_source("intelligence.disruption", queries.chronology_entries)
