from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "wrekin.linkage"
    label = "linkage"
