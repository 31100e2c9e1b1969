from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "sixdegrees.outreach"
    label = "outreach"
    verbose_name = "Outreach"
