"""Scheduled housekeeping for the operators' side."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from sixdegrees.ops.models import WorkerHeartbeat


@db_periodic_task(crontab(minute="17"))
def forget_stopped_workers() -> int:
    """Heartbeats of workers gone for a day are noise in `sixdegrees status`."""
    cutoff = timezone.now() - dt.timedelta(days=1)
    deleted, _ = WorkerHeartbeat.objects.filter(beat_at__lt=cutoff).delete()
    return deleted
