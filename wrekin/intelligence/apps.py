from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "wrekin.intelligence"
    label = "intelligence"
    verbose_name = "Intelligence and disruption"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from wrekin.core.timeline import register_chronology_source, register_worklist_source

        # Importing the *audit_events modules registers this app's audit event types.
        from wrekin.intelligence import (  # noqa: F401
            alerts,
            audit_events,
            gazetteer,
            link_audit_events,
            network_audit_events,
            queries,
        )
        from wrekin.people.models import Person, PersonName

        # The gazetteer of known names hears of edits to persons of concern in this process (it finds new ones
        # by id): wrekin/intelligence/gazetteer.py.
        for signal in (post_save, post_delete):
            signal.connect(gazetteer.person_changed, sender=Person, dispatch_uid="gazetteer-person")
            signal.connect(gazetteer.other_name_changed, sender=PersonName, dispatch_uid="gazetteer-person-name")

        register_chronology_source("intelligence.disruption", queries.chronology_entries)
        register_chronology_source("intelligence.mentions", alerts.chronology_entries)
        register_worklist_source("intelligence.link_alerts", alerts.worklist_items)
