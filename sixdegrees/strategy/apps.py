from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "sixdegrees.strategy"
    label = "strategy"
    verbose_name = "Strategy"
