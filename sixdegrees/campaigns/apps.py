from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "sixdegrees.campaigns"
    label = "campaigns"
    verbose_name = "Campaigns"
