from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "wrekin.audit"
    label = "audit"
