from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "wrekin.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from wrekin.api import audit_events  # noqa: F401
