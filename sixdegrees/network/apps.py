from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "sixdegrees.network"
    label = "network"
    verbose_name = "Network"
