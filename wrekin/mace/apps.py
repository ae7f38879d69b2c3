from django.apps import AppConfig


class MaceConfig(AppConfig):
    name = "wrekin.mace"
    label = "mace"
