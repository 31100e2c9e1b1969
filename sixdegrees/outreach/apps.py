from django.apps import AppConfig


class OutreachConfig(AppConfig):
    name = "sixdegrees.outreach"
    label = "outreach"
    verbose_name = "Outreach"

    def ready(self) -> None:
        # Imported here, not at the top: tasks import models, which need the app registry ready.
        from sixdegrees.outreach import signals, tasks

        signals.email_queued.connect(tasks.deliver_on_queue, dispatch_uid="sixdegrees.outreach.deliver")
