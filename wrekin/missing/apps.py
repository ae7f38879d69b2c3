from django.apps import AppConfig


class MissingConfig(AppConfig):
    name = "wrekin.missing"
    label = "missing"
