from django.apps import AppConfig


class SyntheticConfig(AppConfig):
    name = "wrekin.synthetic"
    label = "synthetic"
