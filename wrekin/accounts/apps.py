from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "wrekin.accounts"
    label = "accounts"

    def ready(self) -> None:
        from wrekin.accounts import audit_events, signals  # noqa: F401
