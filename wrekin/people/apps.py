from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "wrekin.people"
    label = "people"
