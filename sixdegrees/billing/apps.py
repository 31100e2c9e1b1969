from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "sixdegrees.billing"
    label = "billing"
    verbose_name = "Billing"
