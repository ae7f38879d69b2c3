from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "wrekin.core"
    label = "core"
    verbose_name = "Wrekin core"

    def ready(self) -> None:
        from wrekin.core import checks  # noqa: F401  (registers system checks)
