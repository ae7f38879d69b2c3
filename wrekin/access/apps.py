from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "wrekin.access"
    label = "access"

    def ready(self) -> None:
        from wrekin.access import audit_events, worklists  # noqa: F401
        from wrekin.core.timeline import register_worklist_source

        register_worklist_source("access.break_glass_reviews", worklists.break_glass_reviews)
