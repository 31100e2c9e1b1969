"""Background tasks for the service's own mail."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from sixdegrees.mail import service


@db_periodic_task(crontab(minute="*"))
def retry_service_emails() -> dict[str, int]:
    """Every minute: send again the service emails (sign-in codes, notices) that failed."""
    return service.retry_due()
