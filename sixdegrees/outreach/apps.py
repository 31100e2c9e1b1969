from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _restore_tally_triggers(sender: AppConfig, using: str = "default", **_kwargs: object) -> None:
    """A migration that rebuilt email_outreach (SQLite alters a table by copying it) drops its triggers."""
    from sixdegrees.outreach import tallies

    tallies.ensure(connections[using])


class OutreachConfig(AppConfig):
    name = "sixdegrees.outreach"
    label = "outreach"
    verbose_name = "Outreach"

    def ready(self) -> None:
        # Imported here, not at the top: tasks import models, which need the app registry ready.
        from sixdegrees.outreach import signals, tasks

        post_migrate.connect(_restore_tally_triggers, sender=self, dispatch_uid="sixdegrees.outreach.tallies")
        signals.email_queued.connect(tasks.deliver_on_queue, dispatch_uid="sixdegrees.outreach.deliver")
