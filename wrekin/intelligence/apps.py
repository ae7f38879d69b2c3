from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "wrekin.intelligence"
    label = "intelligence"
