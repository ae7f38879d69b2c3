from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "wrekin.access"
    label = "access"
