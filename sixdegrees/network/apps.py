from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "sixdegrees.network"
    label = "network"
    verbose_name = "Network"

    def ready(self) -> None:
        # Imported here, not at the top: tasks import models, which need the app registry ready.
        from sixdegrees.network import importing, tasks

        importing.import_queued.connect(tasks.enqueue_import, dispatch_uid="sixdegrees.network.import")
