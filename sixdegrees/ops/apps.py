from django.apps import AppConfig
from django.core import checks
from django.db.backends.signals import connection_created
from django.db.models.signals import post_save

from sixdegrees.lib.dblock import apply_request_timeout
from sixdegrees.ops.checks import check_configuration


class OpsConfig(AppConfig):
    name = "sixdegrees.ops"
    label = "ops"
    verbose_name = "Ops"

    def ready(self) -> None:
        # Imported here, not at the top: LogEntry is a model and audit loads the admin, which
        # need the app registry ready.
        from django.contrib.admin.models import LogEntry

        from sixdegrees.ops import audit

        post_save.connect(audit.log_entry_saved, sender=LogEntry, dispatch_uid="sixdegrees.ops.admin_log")
        checks.register(check_configuration)
        connection_created.connect(apply_request_timeout, dispatch_uid="sixdegrees.request_busy_timeout")
