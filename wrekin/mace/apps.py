from django.apps import AppConfig


class MaceConfig(AppConfig):
    name = "wrekin.mace"
    label = "mace"
    verbose_name = "MACE meetings"

    def ready(self) -> None:
        from wrekin.core.timeline import register_chronology_source, register_worklist_source

        # Importing audit_events registers this app's audit event types.
        from wrekin.mace import audit_events, queries  # noqa: F401

        register_chronology_source("mace.agenda_items", queries.chronology_entries)
        register_worklist_source("mace.actions_due", queries.actions_due_worklist)
        register_worklist_source("mace.reviews_due", queries.reviews_due_worklist)
        register_worklist_source("mace.minutes_awaiting_approval", queries.minutes_awaiting_approval_worklist)
