from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "wrekin.api"
    label = "api"
