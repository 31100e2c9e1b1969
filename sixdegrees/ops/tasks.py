"""Scheduled housekeeping for the operators' side."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from sixdegrees.ops.backups import BackupError, create_backup, prune_backups
from sixdegrees.ops.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="17"))
def forget_stopped_workers() -> int:
    """Heartbeats of workers gone for a day are noise in `sixdegrees status`."""
    cutoff = timezone.now() - dt.timedelta(days=1)
    deleted, _ = WorkerHeartbeat.objects.filter(beat_at__lt=cutoff).delete()
    return deleted


@db_periodic_task(crontab(minute="7"))
def hourly_backup() -> str | None:
    """One backup an hour keeps the data at risk under an hour (RPO); then old ones are pruned."""
    if not settings.BACKUP_HOURLY:
        return None
    try:
        backup = create_backup("scheduled")
    except BackupError as exc:
        logger.error("hourly backup failed", extra={"event": "backup_failed", "error": str(exc)})
        raise
    prune_backups(settings.BACKUP_KEEP_DAYS)
    return backup.id
