from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "sixdegrees.ops"
    label = "ops"
    verbose_name = "Ops"
