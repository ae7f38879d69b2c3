from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "wrekin.referrals"
    label = "referrals"
