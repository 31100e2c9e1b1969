from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "sixdegrees.campaigns"
    label = "campaigns"
    verbose_name = "Campaigns"

    def ready(self) -> None:
        # Imported here, not at the top: tasks import models, which need the app registry ready.
        from sixdegrees.campaigns import signals, tasks

        signals.plan_requested.connect(tasks.enqueue_plan, dispatch_uid="sixdegrees.campaigns.plan")
