from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "sixdegrees.accounts"
    label = "accounts"
    verbose_name = "Accounts"
