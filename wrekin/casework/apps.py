from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "wrekin.casework"
    label = "casework"
    verbose_name = "Casework"

    def ready(self) -> None:
        from wrekin.casework import (
            audit_events,  # noqa: F401  (registers the audit vocabulary)
            chronology,
            worklists,
        )
        from wrekin.core.timeline import register_chronology_source, register_worklist_source

        register_chronology_source("casework.cases", chronology.casework_entries)
        # People's own records have no app of their own on the timeline: casework tells their story.
        register_chronology_source("people.records", chronology.person_record_entries)

        register_worklist_source("casework.my_cases", worklists.my_cases_items)
        register_worklist_source("casework.actions_due", worklists.actions_due_items)
        register_worklist_source("casework.closures_awaiting", worklists.closures_awaiting_items)
        register_worklist_source("casework.reviews_due", worklists.reviews_due_items)
        register_worklist_source("casework.strategy_clocks", worklists.strategy_clock_items)
