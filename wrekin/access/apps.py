from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "wrekin.access"
    label = "access"

    def ready(self) -> None:
        from wrekin.access import audit_events  # noqa: F401
