from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "sixdegrees.mail"
    label = "mail"
    verbose_name = "Mail"
