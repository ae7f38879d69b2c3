from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "wrekin.casework"
    label = "casework"
