from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "sixdegrees.web"
    label = "web"
    verbose_name = "Web pages"
